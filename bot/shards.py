"""Which shard a server is on, and which servers one process of a sharded bot looks after.

Discord sends each server's events to one shard only, so a process must not resume quizzes or
fire schedules of servers on shards it does not run: nobody would see their reactions there,
and the process that does run them would do the same work again.
"""

from __future__ import annotations

from dataclasses import dataclass

TIMESTAMP_SHIFT = 22  # a snowflake's low bits are worker, process and counter; the shard comes from its time


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's rule for the shard that receives a server's events.

    The store's recovery query repeats it in SQL (tests/test_store.py pins both to the same answers).
    """
    return (guild_id >> TIMESTAMP_SHIFT) % shard_count


@dataclass(frozen=True)
class Shards:
    """The shards this process runs out of ``count``; ``ids`` None means all of them (or an unsharded bot)."""

    count: int | None = None
    ids: tuple[int, ...] | None = None

    @property
    def limited(self) -> bool:
        """Whether some servers belong to other processes."""
        return self.ids is not None and self.count is not None

    def owns(self, guild_id: int) -> bool:
        return not self.limited or shard_of(guild_id, self.count) in self.ids

    @property
    def syncs_commands(self) -> bool:
        """Commands are global: one process (the one with shard 0) registers them for all."""
        return self.ids is None or 0 in self.ids


ALL_SHARDS = Shards()
