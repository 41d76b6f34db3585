"""Snowflake ids shaped like Discord's, so discord.py's time-based logic sees sane values.

discord.py derives ``created_at`` from ids and picks rate-limit sub-buckets for message
deletion by message age, so ids must encode the current time like real snowflakes do.
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
