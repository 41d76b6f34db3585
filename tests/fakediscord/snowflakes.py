"""Snowflake ids shaped like Discord's, so discord.py's time-based logic sees sane values.

discord.py derives ``created_at`` from ids and picks rate-limit sub-buckets for message
deletion by message age, so ids must encode the current time like real snowflakes do.
The timestamp part also decides a guild's shard, by Discord's formula (``shard_of``).
"""

from __future__ import annotations

import time

DISCORD_EPOCH_MS = 1_420_070_400_000
_TIMESTAMP_SHIFT = 22


class SnowflakeFactory:
    """Hands out strictly increasing snowflakes whose timestamp part is the current time."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        """Return a new id, larger than every id returned before."""
        now_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        self._last = max(now_ms << _TIMESTAMP_SHIFT, self._last + 1)
        return self._last

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """A new id that ``shard_of`` puts on ``shard_id``: the first one whose millisecond fits."""
        candidate = self.next()
        stamp = candidate >> _TIMESTAMP_SHIFT
        ahead = (shard_id - stamp) % shard_count
        if ahead:
            candidate = (stamp + ahead) << _TIMESTAMP_SHIFT
        self._last = candidate
        return candidate


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's rule: which of ``shard_count`` shards receives a guild's events."""
    return (guild_id >> _TIMESTAMP_SHIFT) % shard_count
