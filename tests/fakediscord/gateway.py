"""The websocket gateway: HELLO/IDENTIFY/RESUME, heartbeats, dispatch, shards and outage control.

One session is modelled per shard (a new IDENTIFY for a shard replaces that shard's
session); each guild's events go only to the session of its shard, by Discord's formula.
The sessions may come from different processes. An IDENTIFY whose ``shard`` does not fit
the server's shard count is refused with Discord's close codes (see ``shard_refusal``). A
client closing with 1000/1001 ends its session, like on Discord; any other disconnect
leaves it resumable.
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
    CLOSE_INVALID_SHARD,
    CLOSE_RESUMABLE,
    CLOSE_SHARDING_REQUIRED,
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
from .snowflakes import shard_of
from .state import ServerState

HEARTBEAT_INTERVAL_MS = 41_250
MEMBERS_PER_CHUNK = 1000
_SESSION_ENDING_CLOSE_CODES = (1000, 1001)


class Gateway:
    """Accepts gateway websockets and routes the state's events to the session of their shard."""

    def __init__(self, state: ServerState, *, replay_buffer: int = 10_000, shard_count: int = 1) -> None:
        self.state = state
        self.url = ""
        self.shard_count = shard_count
        self.identify_count = 0
        self.resume_count = 0
        self.identified_shards: list[object] = []  # each IDENTIFY's ``shard`` field as sent, in order
        self._replay_buffer = replay_buffer
        self._sessions: dict[int, GatewaySession] = {}  # by shard id
        self._connections: set[GatewayConnection] = set()
        self._held: dict[int, asyncio.Event] = {}  # shards in an outage -> set when it ends

    # -- EventSink --------------------------------------------------------------------

    def emit(self, name: str, data: Json, *, intent: Intent | None = None, content_gated: bool = False) -> None:
        session = self._session_for(data)
        if session is None or (intent is not None and not session.intents & intent):
            return
        if content_gated and not session.intents & Intent.MESSAGE_CONTENT:
            data = data | {"content": "", "embeds": [], "attachments": [], "components": []}
        session.dispatch(name, data)

    def guild_available(self, guild: Guild) -> None:
        session = self._sessions.get(self.shard_of(guild.id))
        if session is not None and session.intents & Intent.GUILDS:
            session.dispatch("GUILD_CREATE", self._guild_create(guild, session))

    def shard_of(self, guild_id: int) -> int:
        return shard_of(guild_id, self.shard_count)

    def _session_for(self, data: Json) -> GatewaySession | None:
        # Discord sends what belongs to no guild (direct messages) to shard 0.
        guild_id = data.get("guild_id")
        return self._sessions.get(self.shard_of(int(guild_id)) if guild_id is not None else 0)

    # -- status -----------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """True while some shard's session is attached to a live websocket."""
        return bool(self.connected_shards)

    @property
    def connected_shards(self) -> set[int]:
        """The shards whose session is attached to a live websocket."""
        return {shard for shard, session in self._sessions.items() if session.connection is not None}

    async def flush(self) -> None:
        """Wait until queued events have been written to every client socket."""
        for session in list(self._sessions.values()):
            if session.connection is not None:
                await session.connection.flush()

    # -- raw dispatch -----------------------------------------------------------------

    def dispatch_raw(self, events: Iterable[tuple[str, Json]]) -> int:
        """Send events exactly as given, ignoring intents, to their guild's shard; returns how many were sent."""
        count = 0
        for name, data in events:
            session = self._session_for(data)
            if session is None:
                raise RuntimeError(f"no gateway session for {name}'s shard: start a client and wait for it first")
            session.dispatch(name, data)
            count += 1
        return count

    # -- outages ----------------------------------------------------------------------

    async def drop_connection(self, shard: int = 0) -> None:
        """Close the shard's socket with a resumable code; its session stays and buffers events."""
        session = self._require_live(shard)
        connection, session.connection = session.connection, None
        assert connection is not None
        await connection.close(CLOSE_RESUMABLE)

    async def invalidate_session(self, shard: int = 0) -> None:
        """Send op 9 (not resumable) to the shard: its events until the next IDENTIFY are lost."""
        connection = self._require_live(shard).connection
        assert connection is not None
        del self._sessions[shard]
        connection.send_op(OP_INVALID_SESSION, False)
        await connection.flush()

    @contextlib.asynccontextmanager
    async def outage(self, *, resumable: bool, shard: int = 0) -> AsyncIterator[None]:
        """Disconnect the shard and leave its reconnects unanswered until the block exits.

        The client gets HELLO, but its IDENTIFY or RESUME for that shard waits: other shards
        keep working and may reconnect meanwhile, as when one gateway node of Discord fails.
        """
        ended = self._held[shard] = asyncio.Event()
        try:
            if resumable:
                await self.drop_connection(shard)
            else:
                await self.invalidate_session(shard)
            yield
        finally:
            del self._held[shard]
            ended.set()

    def _require_live(self, shard: int) -> GatewaySession:
        session = self._sessions.get(shard)
        if session is None or session.connection is None:
            raise RuntimeError(f"no live gateway connection on shard {shard} to disrupt")
        return session

    async def close(self) -> None:
        """Release held connections and close every socket (server shutdown)."""
        self._sessions.clear()
        for ended in self._held.values():
            ended.set()
        for connection in list(self._connections):
            await connection.close(1001)

    # -- websocket handling -----------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        connection = GatewayConnection(ws)
        self._connections.add(connection)
        try:
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
        for shard, session in list(self._sessions.items()):
            if session.connection is not connection:
                continue
            session.connection = None
            if not connection.closed_by_server and connection.ws.close_code in _SESSION_ENDING_CLOSE_CODES:
                del self._sessions[shard]

    async def _receive(self, connection: GatewayConnection, payload: Json) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == OP_HEARTBEAT:
            connection.send_op(OP_HEARTBEAT_ACK, None)
        elif op == OP_IDENTIFY:
            await self._until_served(_identified_shard(data))
            await self._identify(connection, data)
        elif op == OP_RESUME:
            session = next((s for s in self._sessions.values() if s.id == data.get("session_id")), None)
            await self._until_served(session.shard[0] if session is not None and session.shard else 0)
            self._resume(connection, data)
        elif op == OP_REQUEST_GUILD_MEMBERS:
            self._send_member_chunks(data)

    async def _identify(self, connection: GatewayConnection, data: Json) -> None:
        shard = data.get("shard")
        self.identified_shards.append(shard)
        refusal = shard_refusal(shard, self.shard_count)
        if refusal is not None:
            await connection.close(*refusal)
            return
        pair = (shard[0], shard[1]) if shard is not None else None
        shard_id = pair[0] if pair is not None else 0
        previous = self._sessions.get(shard_id)
        if previous is not None:
            previous.connection = None
        session = GatewaySession(int(data.get("intents", 0)), shard=pair, replay_buffer=self._replay_buffer)
        self._sessions[shard_id] = session
        session.connection = connection
        self.identify_count += 1
        session.dispatch("READY", self._ready(session, shard_id))
        if session.intents & Intent.GUILDS:
            for guild in self._guilds_on(shard_id):
                session.dispatch("GUILD_CREATE", self._guild_create(guild, session))

    def _guilds_on(self, shard_id: int) -> list[Guild]:
        return [guild for guild in self.state.guilds.values() if self.shard_of(guild.id) == shard_id]

    async def _until_served(self, shard_id: int) -> None:
        """Wait out an outage of the shard; the socket's later frames (heartbeats too) wait with it."""
        ended = self._held.get(shard_id)
        if ended is not None:
            await ended.wait()

    def _resume(self, connection: GatewayConnection, data: Json) -> None:
        session = next((s for s in self._sessions.values() if s.id == data.get("session_id")), None)
        seq = data.get("seq")
        if session is None or session.connection is not None or not session.can_resume_from(seq):
            connection.send_op(OP_INVALID_SESSION, False)
            return
        session.resume(connection, seq)
        self.resume_count += 1
        session.dispatch("RESUMED", {})

    def _ready(self, session: GatewaySession, shard_id: int) -> Json:
        state = self.state
        user = user_payload(state.bot_user) | {
            "verified": True,
            "mfa_enabled": False,
            "flags": 0,
            "email": None,
        }
        ready: Json = {
            "v": 10,
            "user": user,
            "guilds": [{"id": str(guild.id), "unavailable": True} for guild in self._guilds_on(shard_id)],
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
        if session.shard is not None:
            ready["shard"] = list(session.shard)
        return ready

    def _guild_create(self, guild: Guild, session: GatewaySession) -> Json:
        # Without the presences intent Discord only includes the bot itself; the rest
        # must be requested with op 8 (discord.py does so when the members intent is on).
        if session.intents & Intent.GUILD_PRESENCES:
            members: Iterable[Member] = guild.members.values()
        else:
            members = [guild.members[self.state.bot_user.id]]
        return guild_create_payload(guild, members=members, joined_at=self.state.bot_joined_at[guild.id])

    def _send_member_chunks(self, data: Json) -> None:
        session = self._session_for(data)
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


def shard_refusal(shard: object, shard_count: int) -> tuple[int, str] | None:
    """The close code and reason Discord gives an IDENTIFY's ``shard`` field, None if it is accepted.

    Without ``shard`` a session is shard 0 of 1. Fewer shards than required: 4011. An id
    outside ``[0, count)`` or not a pair of numbers: 4010. Discord would also accept more
    shards than it requires; this server keeps one layout, so it refuses them with 4010 too.
    """
    if shard is None:
        shard = [0, 1]
    if not (isinstance(shard, list) and len(shard) == 2 and all(type(n) is int for n in shard)):
        return CLOSE_INVALID_SHARD, "Invalid shard"
    shard_id, count = shard
    if 0 < count < shard_count:
        return CLOSE_SHARDING_REQUIRED, "Sharding required"
    if count != shard_count or not 0 <= shard_id < count:
        return CLOSE_INVALID_SHARD, "Invalid shard"
    return None


def _identified_shard(data: Json) -> int:
    """The shard an IDENTIFY asks for, as far as it can be read (a malformed one is refused later)."""
    shard = data.get("shard")
    return shard[0] if isinstance(shard, list) and shard and type(shard[0]) is int else 0


def _select_members(guild: Guild, request: Json) -> list[Member]:
    """Apply op 8's ``user_ids`` or ``query``/``limit`` filters."""
    if request.get("user_ids"):
        wanted = {int(user_id) for user_id in request["user_ids"]}
        return [member for member in guild.members.values() if member.id in wanted]
    query = (request.get("query") or "").lower()
    matches = [member for member in guild.members.values() if member.user.name.lower().startswith(query)]
    limit = int(request.get("limit") or 0)
    return matches[:limit] if limit else matches
