"""Whether a quiz has seen every reaction event of its server, shard by shard.

Each shard has its own gateway connection. A shard's link number moves whenever events may have
been lost on it: at each disconnect, and at each fresh session (a RESUME replays what was missed,
a new IDENTIFY does not). A quiz that opened while its shard was connected, on link n, and closes
on link n, still connected, has seen every event of its server; otherwise its reactions must be
read over REST. Another shard's outage says nothing about this quiz's server.
"""

from __future__ import annotations


class GatewayLinks:
    def __init__(self) -> None:
        self._numbers: dict[int, int] = {}  # by shard id, for every shard seen so far
        self._live: set[int] = set()

    @property
    def connected(self) -> bool:
        """Every shard seen so far is connected."""
        return bool(self._live) and self._live == self._numbers.keys()

    def lost(self, shard_id: int) -> None:
        self._live.discard(shard_id)
        self._numbers[shard_id] = self._numbers.get(shard_id, 0) + 1

    def gained(self, shard_id: int, *, fresh: bool) -> None:
        number = self._numbers.get(shard_id, 0)
        self._numbers[shard_id] = number + 1 if fresh else number
        self._live.add(shard_id)

    def current(self, shard_id: int) -> int | None:
        """The shard's link number while it is connected; None while it is not."""
        return self._numbers[shard_id] if shard_id in self._live else None
