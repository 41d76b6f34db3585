"""The websocket gateway: HELLO/IDENTIFY/RESUME, heartbeats, dispatch and outage control.

One bot session is modelled at a time (a new IDENTIFY replaces the previous session),
which is what a single-shard bot sees. A client closing with 1000/1001 ends its session,
like on Discord; any other disconnect leaves it resumable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterable

import aiohttp
from aiohttp import web

from .gateway_events import Intent
from .gateway_session import (
    CLOSE_RESUMABLE,
    OP_HEARTBEAT,
    OP_HEARTBEAT_ACK,
    OP_HELLO,
    OP_IDENTIFY,
    OP_INVALID_SESSION,
    OP_REQUEST_GUILD_MEMBERS,
    OP_RESUME,
    GatewayConnection,
    GatewaySession,
)
from .models import Guild, Json, Member
from .payloads import guild_create_payload, member_payload, user_payload
from .state import ServerState

HEARTBEAT_INTERVAL_MS = 41_250
MEMBERS_PER_CHUNK = 1000
_SESSION_ENDING_CLOSE_CODES = (1000, 1001)


class Gateway:
    """Accepts gateway websockets and routes the state's events to the current session."""

    def __init__(self, state: ServerState, *, replay_buffer: int = 10_000) -> None:
        self.state = state
        self.url = ""
        self.identify_count = 0
        self.resume_count = 0
        self._replay_buffer = replay_buffer
        self._session: GatewaySession | None = None
        self._connections: set[GatewayConnection] = set()
        self._accepting = asyncio.Event()
        self._accepting.set()

    # -- EventSink --------------------------------------------------------------------

    def emit(self, name: str, data: Json, *, intent: Intent | None = None, content_gated: bool = False) -> None:
        session = self._session
        if session is None or (intent is not None and not session.intents & intent):
            return
        if content_gated and not session.intents & Intent.MESSAGE_CONTENT:
            data = data | {"content": "", "embeds": [], "attachments": [], "components": []}
        session.dispatch(name, data)

    def guild_available(self, guild: Guild) -> None:
        session = self._session
        if session is not None and session.intents & Intent.GUILDS:
            session.dispatch("GUILD_CREATE", self._guild_create(guild, session))

    # -- status -----------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """True while a session is attached to a live websocket."""
        return self._session is not None and self._session.connection is not None

    async def flush(self) -> None:
        """Wait until queued events have been written to the client's socket."""
        session = self._session
        if session is not None and session.connection is not None:
            await session.connection.flush()

    # -- raw dispatch -----------------------------------------------------------------

    def dispatch_raw(self, events: Iterable[tuple[str, Json]]) -> int:
        """Send events exactly as given, ignoring intents; returns how many were sent."""
        session = self._session
        if session is None:
            raise RuntimeError("no gateway session: start a client and wait for it to identify first")
        count = 0
        for name, data in events:
            session.dispatch(name, data)
            count += 1
        return count

    # -- outages ----------------------------------------------------------------------

    async def drop_connection(self) -> None:
        """Close the socket with a resumable code; the session stays and buffers events."""
        connection = self._require_connection()
        assert self._session is not None
        self._session.connection = None
        await connection.close(CLOSE_RESUMABLE)

    async def invalidate_session(self) -> None:
        """Send op 9 (not resumable): events until the next IDENTIFY are lost."""
        connection = self._require_connection()
        self._session = None
        connection.send_op(OP_INVALID_SESSION, False)
        await connection.flush()

    @contextlib.asynccontextmanager
    async def outage(self, *, resumable: bool) -> AsyncIterator[None]:
        """Disconnect the client and hold every reconnect (no HELLO) until the block exits."""
        self._accepting.clear()
        try:
            if resumable:
                await self.drop_connection()
            else:
                await self.invalidate_session()
            yield
        finally:
            self._accepting.set()

    def _require_connection(self) -> GatewayConnection:
        session = self._session
        if session is None or session.connection is None:
            raise RuntimeError("no live gateway connection to disrupt")
        return session.connection

    async def close(self) -> None:
        """Release held connections and close every socket (server shutdown)."""
        self._session = None
        self._accepting.set()
        for connection in list(self._connections):
            await connection.close(1001)

    # -- websocket handling -----------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        connection = GatewayConnection(ws)
        self._connections.add(connection)
        try:
            await self._accepting.wait()
            if ws.closed:
                return ws
            connection.start()
            connection.send_op(OP_HELLO, {"heartbeat_interval": HEARTBEAT_INTERVAL_MS})
            async for message in ws:
                if message.type is aiohttp.WSMsgType.TEXT:
                    await self._receive(connection, json.loads(message.data))
        finally:
            self._connections.discard(connection)
            self._detach(connection)
            await connection.stop()
        return ws

    def _detach(self, connection: GatewayConnection) -> None:
        session = self._session
        if session is None or session.connection is not connection:
            return
        session.connection = None
        if not connection.closed_by_server and connection.ws.close_code in _SESSION_ENDING_CLOSE_CODES:
            self._session = None

    async def _receive(self, connection: GatewayConnection, payload: Json) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == OP_HEARTBEAT:
            connection.send_op(OP_HEARTBEAT_ACK, None)
        elif op == OP_IDENTIFY:
            self._identify(connection, data)
        elif op == OP_RESUME:
            self._resume(connection, data)
        elif op == OP_REQUEST_GUILD_MEMBERS:
            self._send_member_chunks(data)

    def _identify(self, connection: GatewayConnection, data: Json) -> None:
        if self._session is not None and self._session.connection is not None:
            self._session.connection = None
        session = GatewaySession(int(data.get("intents", 0)), replay_buffer=self._replay_buffer)
        self._session = session
        session.connection = connection
        self.identify_count += 1
        session.dispatch("READY", self._ready(session))
        if session.intents & Intent.GUILDS:
            for guild in self.state.guilds.values():
                session.dispatch("GUILD_CREATE", self._guild_create(guild, session))

    def _resume(self, connection: GatewayConnection, data: Json) -> None:
        session = self._session
        seq = data.get("seq")
        if (
            session is None
            or session.id != data.get("session_id")
            or session.connection is not None
            or not session.can_resume_from(seq)
        ):
            connection.send_op(OP_INVALID_SESSION, False)
            return
        session.resume(connection, seq)
        self.resume_count += 1
        session.dispatch("RESUMED", {})

    def _ready(self, session: GatewaySession) -> Json:
        state = self.state
        user = user_payload(state.bot_user) | {
            "verified": True,
            "mfa_enabled": False,
            "flags": 0,
            "email": None,
        }
        return {
            "v": 10,
            "user": user,
            "guilds": [{"id": str(guild_id), "unavailable": True} for guild_id in state.guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.url,
            "application": {"id": str(state.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["fakediscord"],
        }

    def _guild_create(self, guild: Guild, session: GatewaySession) -> Json:
        # Without the presences intent Discord only includes the bot itself; the rest
        # must be requested with op 8 (discord.py does so when the members intent is on).
        if session.intents & Intent.GUILD_PRESENCES:
            members: Iterable[Member] = guild.members.values()
        else:
            members = [guild.members[self.state.bot_user.id]]
        return guild_create_payload(guild, members=members, joined_at=self.state.bot_joined_at[guild.id])

    def _send_member_chunks(self, data: Json) -> None:
        session = self._session
        guild = self.state.guilds.get(int(data.get("guild_id", 0)))
        if session is None or guild is None:
            return
        members = _select_members(guild, data)
        chunks = [members[i : i + MEMBERS_PER_CHUNK] for i in range(0, len(members), MEMBERS_PER_CHUNK)] or [[]]
        for index, chunk in enumerate(chunks):
            payload: Json = {
                "guild_id": str(guild.id),
                "members": [member_payload(member) for member in chunk],
                "chunk_index": index,
                "chunk_count": len(chunks),
                "not_found": [],
            }
            if data.get("nonce") is not None:
                payload["nonce"] = data["nonce"]
            session.dispatch("GUILD_MEMBERS_CHUNK", payload)


def _select_members(guild: Guild, request: Json) -> list[Member]:
    """Apply op 8's ``user_ids`` or ``query``/``limit`` filters."""
    if request.get("user_ids"):
        wanted = {int(user_id) for user_id in request["user_ids"]}
        return [member for member in guild.members.values() if member.id in wanted]
    query = (request.get("query") or "").lower()
    matches = [member for member in guild.members.values() if member.user.name.lower().startswith(query)]
    limit = int(request.get("limit") or 0)
    return matches[:limit] if limit else matches
