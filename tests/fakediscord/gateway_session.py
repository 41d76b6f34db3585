"""One gateway session (what RESUME restores) and one websocket connection carrying it.

A session numbers its dispatches and keeps the most recent ones so a client that
RESUMEs with its last ``seq`` gets exactly what it missed. Frames are serialised once,
at dispatch time, so the replay is byte-identical to the original send.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import uuid

from aiohttp import web

from .models import Json

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_RESUME = 6
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

CLOSE_RESUMABLE = 4000
"""Discord's "unknown error" close code: clients reconnect and RESUME."""
CLOSE_INVALID_SHARD = 4010
CLOSE_SHARDING_REQUIRED = 4011


class GatewayConnection:
    """A websocket with an ordered outbox drained by a writer task.

    Queueing lets synchronous code (e.g. ``add_role`` during a test) publish events
    while keeping frames strictly in sequence order.
    """

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.closed_by_server = False
        self._outbox: asyncio.Queue[str] = asyncio.Queue()
        self._writer: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._writer = asyncio.create_task(self._drain(), name="fakediscord-gateway-writer")

    def send(self, frame: str) -> None:
        self._outbox.put_nowait(frame)

    def send_op(self, op: int, data: object) -> None:
        self.send(json.dumps({"op": op, "d": data, "s": None, "t": None}))

    async def flush(self) -> None:
        """Wait until every queued frame has been handed to the socket."""
        if self._writer is not None and not self._writer.done():
            await self._outbox.join()

    async def close(self, code: int, reason: str = "") -> None:
        self.closed_by_server = True
        await self.stop()
        await self.ws.close(code=code, message=reason.encode())

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        while not self._outbox.empty():
            self._outbox.get_nowait()
            self._outbox.task_done()

    async def _drain(self) -> None:
        while True:
            frame = await self._outbox.get()
            try:
                if not self.ws.closed:
                    await self.ws.send_str(frame)
            except ConnectionError:
                pass  # the peer vanished; the reader side notices and ends the connection
            finally:
                self._outbox.task_done()


class GatewaySession:
    """A logical session of one shard: id, intents, sequence numbers and a replay buffer."""

    def __init__(self, intents: int, *, shard: tuple[int, int] | None, replay_buffer: int) -> None:
        self.id = uuid.uuid4().hex
        self.intents = intents
        self.shard = shard  # as identified: (shard id, shard count), None for an unsharded session
        self.seq = 0
        self.connection: GatewayConnection | None = None
        self._history: collections.deque[tuple[int, str]] = collections.deque(maxlen=replay_buffer)

    def dispatch(self, name: str, data: Json) -> None:
        """Number, remember and (if a connection is attached) send one event."""
        self.seq += 1
        frame = json.dumps({"op": OP_DISPATCH, "t": name, "s": self.seq, "d": data})
        self._history.append((self.seq, frame))
        if self.connection is not None:
            self.connection.send(frame)

    def can_resume_from(self, seq: int | None) -> bool:
        """True if every event after ``seq`` is still in the replay buffer."""
        if seq is None:
            return False
        oldest_kept = self._history[0][0] if self._history else self.seq + 1
        return seq <= self.seq and oldest_kept <= seq + 1

    def resume(self, connection: GatewayConnection, seq: int) -> int:
        """Attach ``connection`` and queue every event after ``seq``; returns how many."""
        self.connection = connection
        missed = [frame for number, frame in self._history if number > seq]
        for frame in missed:
            connection.send(frame)
        return len(missed)
