"""``FakeDiscord``: the test-facing facade over the state, the REST app and the gateway."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import re
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, Self, TypeVar

import discord
from aiohttp import web

from .attachments import MAX_REQUEST
from .components import BUTTON, STRING_SELECT, check_choice, clickable
from .faults import FaultInjector, FaultRule
from .gateway import Gateway
from .gateway_events import EventRelay
from .http_app import API_PREFIX, GATEWAY_PATH, RequestRecord, RestMiddleware, RouteTable
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    InteractionRecord,
    InteractionRegistry,
    build_component_interaction,
    build_interaction,
)
from .models import ApplicationCommand, Guild, Json, Message, Role, TextChannel, User
from .permissions import QUIZ_BOT_PERMISSIONS, as_permission_bits
from .ratelimits import ReactionRateLimiter
from .rest_commands import CommandRoutes
from .rest_identity import IdentityRoutes
from .rest_interactions import InteractionRoutes
from .rest_messages import MessageRoutes
from .rest_reactions import ReactionRoutes
from .rest_threads import Thread, ThreadRoutes
from .state import ServerState

T = TypeVar("T")
PermissionValue = discord.Permissions | int


class FakeDiscord:
    """A loopback Discord (REST under ``/api/v10`` plus a gateway) for end-to-end bot tests.

    Build guilds before or after the bot connects; act as users with the ``async``
    methods, which update state, publish the matching gateway events and wait until
    they are written to the bot's socket.
    """

    def __init__(
        self,
        *,
        bot_name: str = "QuizBot",
        token: str | None = None,
        default_bot_permissions: PermissionValue = QUIZ_BOT_PERMISSIONS,
        reaction_interval: float = 0.25,
        reaction_rate_limit: bool = True,
        interaction_deadline: float = 3.0,
        replay_buffer: int = 10_000,
        shard_count: int = 1,
    ) -> None:
        """``token``: if given, only ``Bot <token>`` is accepted (else any bot token is).
        ``interaction_deadline``: seconds the bot has for its initial interaction response.
        ``replay_buffer``: how many recent gateway events a RESUME can replay.
        ``shard_count``: the shards Discord requires (and recommends in ``GET /gateway/bot``);
        each guild's events go to the session of shard ``(guild_id >> 22) % shard_count``.
        """
        if shard_count < 1:
            raise ValueError(f"shard_count must be at least 1, not {shard_count}")
        relay = EventRelay()
        self._state = ServerState(relay, bot_name=bot_name)
        self._gateway = Gateway(self._state, replay_buffer=replay_buffer, shard_count=shard_count)
        relay.target = self._gateway
        self._default_bot_permissions = as_permission_bits(default_bot_permissions)
        self._interactions = InteractionRegistry()
        self._faults = FaultInjector()
        self.reaction_limiter = ReactionRateLimiter(reaction_interval, enabled=reaction_rate_limit)
        self.requests: list[RequestRecord] = []
        # Exceptions raised inside REST handlers (answered as 400 "fakediscord internal error"),
        # answers Discord's description does not allow, and routes Discord has that are not served.
        self.internal_errors: list[Exception] = []
        self._app = self._build_app(token, interaction_deadline)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    def _build_app(self, token: str | None, interaction_deadline: float) -> web.Application:
        # aiohttp's own 1 MB cap would answer before Discord's 10 MB per file could be checked.
        app = web.Application(client_max_size=MAX_REQUEST)
        routes = RouteTable(app)
        app.middlewares.append(
            RestMiddleware(
                routes, self._faults, self.reaction_limiter, self.requests, self.internal_errors, token
            ).handle
        )
        app.router.add_get(GATEWAY_PATH, self._gateway.handle)
        self._threads = ThreadRoutes(self._state)
        for group in (
            IdentityRoutes(self._state, lambda: self.gateway_url, self._gateway.shard_count),
            MessageRoutes(self._state),
            self._threads,
            ReactionRoutes(self._state),
            CommandRoutes(self._state),
            InteractionRoutes(self._state, self._interactions, response_deadline=interaction_deadline),
        ):
            group.register(routes)
        return app

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on an ephemeral 127.0.0.1 port."""
        self._runner = web.AppRunner(self._app, handle_signals=False, access_log=None)
        await self._runner.setup()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        self._port = listener.getsockname()[1]
        await web.SockSite(self._runner, listener).start()
        self._gateway.url = self.gateway_url

    async def close(self) -> None:
        """Close gateway sockets, then the HTTP server."""
        await self._gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"http://127.0.0.1:{self._require_port()}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """Value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` (wrap in ``yarl.URL``)."""
        return f"ws://127.0.0.1:{self._require_port()}{GATEWAY_PATH}"

    def _require_port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started: await server.start() first")
        return self._port

    # -- building the world ---------------------------------------------------------------

    @property
    def bot_user(self) -> User:
        return self._state.bot_user

    @property
    def application_id(self) -> int:
        return self._state.application_id

    def add_guild(
        self, name: str, *, bot_permissions: PermissionValue | None = None, shard: int | None = None
    ) -> Guild:
        """A guild with @everyone (id == guild id), an owner member and the bot as a member.

        ``shard``: the shard (of ``shard_count``) whose session receives its events; any if None.
        """
        bits = self._default_bot_permissions if bot_permissions is None else as_permission_bits(bot_permissions)
        if shard is not None and not 0 <= shard < self.shard_count:
            raise ValueError(f"shard {shard} is not one of the {self.shard_count} shard(s)")
        placement = None if shard is None else (shard, self.shard_count)
        return self._state.add_guild(name, bot_permissions=bits, shard=placement)

    def add_role(self, guild: Guild, name: str, permissions: PermissionValue = 0) -> Role:
        return self._state.add_role(guild, name, as_permission_bits(permissions))

    def add_text_channel(self, guild: Guild, name: str) -> TextChannel:
        return self._state.add_text_channel(guild, name)

    def add_member(self, guild: Guild, name: str, roles: Iterable[Role | int] = (), bot: bool = False) -> User:
        role_ids = [role.id if isinstance(role, Role) else int(role) for role in roles]
        return self._state.add_member(guild, name, role_ids, bot=bot)

    def set_overwrite(
        self,
        channel: TextChannel,
        target: Role | User,
        *,
        allow: PermissionValue = 0,
        deny: PermissionValue = 0,
    ) -> None:
        """Set the channel overwrite for a role (incl. ``guild.everyone_role``) or a member."""
        self._state.set_overwrite(channel, target, allow=as_permission_bits(allow), deny=as_permission_bits(deny))

    def set_role_permissions(self, role: Role, permissions: PermissionValue) -> None:
        """Replace a role's permissions (GUILD_ROLE_UPDATE); works for ``guild.everyone_role``."""
        self._state.update_role_permissions(role, as_permission_bits(permissions))

    def set_bot_permissions(self, guild: Guild, permissions: PermissionValue) -> None:
        """Replace the permissions of the bot's own role in ``guild``.

        The bot also gets whatever @everyone grants (by default View Channel, Send
        Messages, Add Reactions, Read Message History); take those away with an overwrite
        or ``set_role_permissions(guild.everyone_role, ...)``.
        """
        self.set_role_permissions(guild.roles[self._state.bot_role_ids[guild.id]], permissions)

    def bot_permissions(self, channel: TextChannel) -> discord.Permissions:
        """The bot's effective permissions in ``channel``."""
        return self.permissions(channel, self.bot_user)

    def permissions(self, channel: TextChannel, user: User) -> discord.Permissions:
        return discord.Permissions(self._state.permissions(channel, user.id))

    # -- acting as users ------------------------------------------------------------------

    async def react(self, user: User, message: Message, emoji: str) -> None:
        """``user`` adds ``emoji`` (unicode text or ``name:id``) to ``message``."""
        self._state.add_reaction(message, user, emoji)
        await self._gateway.flush()

    async def unreact(self, user: User, message: Message, emoji: str) -> None:
        self._state.remove_reaction(message, user, emoji)
        await self._gateway.flush()

    async def react_many(self, reactions: Iterable[tuple[User, Message, str]]) -> int:
        """Many ``react`` calls at once: each publishes its event, then one wait for the socket.

        For crowds (benchmarks, large quizzes): the events go out back to back instead of one
        gateway round trip each. Returns how many reactions were given.
        """
        count = 0
        for user, message, emoji in reactions:
            self._state.add_reaction(message, user, emoji)
            count += 1
        await self._gateway.flush()
        return count

    def reaction_event(self, user: User, message: Message, emoji: str, *, added: bool = True) -> tuple[str, Json]:
        """The event ``react`` (``unreact`` if not ``added``) would send, as ``(name, data)``.

        For ``dispatch_many``: only the payload is built, the message's reactions stay unchanged.
        """
        return self._state.reaction_event(message, user, emoji, added=added)

    async def delete_message(self, message: Message) -> None:
        """A moderator deletes ``message`` (MESSAGE_DELETE)."""
        self._state.delete_message(message)
        await self._gateway.flush()

    async def delete_channel(self, channel: TextChannel) -> None:
        self._state.delete_channel(channel)
        await self._gateway.flush()

    async def send_user_message(
        self, user: User, channel: TextChannel, content: str, *, reply_to: Message | None = None
    ) -> Message:
        """``user`` posts ``content`` (MESSAGE_CREATE; content blanked without the intent)."""
        body: Json = {"content": content}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(reply_to.id)}
        message = self._state.build_message(channel, user, body)
        self._state.publish(message)
        await self._gateway.flush()
        return message

    async def invoke(self, user: User, channel: TextChannel, command: str, **options: Any) -> InteractionRecord:
        """``user`` runs a registered slash command; ``command`` may be "group sub" or "cmd sub".

        Raises ``CommandNotRegistered`` if the bot did not register it for that guild or globally.
        """
        record, payload = build_interaction(
            self._state,
            kind=APPLICATION_COMMAND,
            user=user,
            channel=channel,
            qualified_name=command,
            values=options,
        )
        return await self._deliver(record, payload)

    async def autocomplete(
        self,
        user: User,
        channel: TextChannel,
        command: str,
        *,
        focused: str,
        timeout: float = 5.0,
        **options: Any,
    ) -> list[Json]:
        """``user`` types in option ``focused``; returns the bot's choices (``{name, value}``)."""
        record, payload = build_interaction(
            self._state,
            kind=AUTOCOMPLETE,
            user=user,
            channel=channel,
            qualified_name=command,
            values=options,
            focused=focused,
        )
        await self._deliver(record, payload)
        await record.wait_response(timeout)
        return record.choices or []

    async def click(self, user: User, message: Message, custom_id: str) -> InteractionRecord:
        """``user`` presses button ``custom_id`` on ``message`` (ComponentError if the client would not let them)."""
        clickable(message, custom_id, BUTTON)
        record, payload = build_component_interaction(
            self._state, user=user, message=message, custom_id=custom_id, component_type=BUTTON, values=None
        )
        return await self._deliver(record, payload)

    async def select(self, user: User, message: Message, custom_id: str, values: list[str]) -> InteractionRecord:
        """``user`` chooses ``values`` in string select ``custom_id`` on ``message`` and closes the menu."""
        check_choice(clickable(message, custom_id, STRING_SELECT), values)
        record, payload = build_component_interaction(
            self._state, user=user, message=message, custom_id=custom_id, component_type=STRING_SELECT, values=values
        )
        return await self._deliver(record, payload)

    async def _deliver(self, record: InteractionRecord, payload: Json) -> InteractionRecord:
        self._interactions.add(record)
        self._gateway.emit("INTERACTION_CREATE", payload)
        await self._gateway.flush()
        return record

    # -- inspecting -----------------------------------------------------------------------

    def messages(self, channel: TextChannel, *, include_deleted: bool = False) -> list[Message]:
        """Channel messages in posting order (ephemeral interaction messages are not in channels)."""
        history = self._state.channel_messages[channel.id]
        return list(history) if include_deleted else [m for m in history if not m.deleted]

    def message(self, message_id: int) -> Message:
        try:
            return self._state.messages[message_id]
        except KeyError:
            raise KeyError(f"no message with id {message_id} was ever created") from None

    def commands(self, guild: Guild | None = None) -> list[ApplicationCommand]:
        """Registered commands: global ones, or those registered for ``guild``."""
        if guild is None:
            return list(self._state.global_commands)
        return list(self._state.guild_commands.get(guild.id, []))

    def thread_on(self, message: Message) -> Thread | None:
        """The public thread started from ``message``, if any."""
        return self._threads.threads.get(message.id)

    def requests_matching(self, route: str) -> list[RequestRecord]:
        """Logged requests for one route, e.g. ``"PUT /channels/{c}/messages/{m}/reactions/{e}/@me"``."""
        return [record for record in self.requests if record.route == route]

    async def answered_callbacks(
        self, records: Iterable[InteractionRecord], timeout: float = 5.0
    ) -> list[RequestRecord]:
        """The callback requests of those of `records` that were answered, once the client has heard
        back on each: a request is logged as its answer goes out, so one held by `slow_next` comes later."""
        paths = {f"/interactions/{r.id}/{r.token}/callback" for r in records if r.response is not None}

        def logged() -> list[RequestRecord]:
            found = [request for request in self.requests if request.path in paths]
            return found if len(found) == len(paths) else []

        return await self.wait_for(logged, timeout, description="every callback's answer back at the client")

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0, *, description: str | None = None) -> T:
        """Poll ``predicate`` until it returns something truthy, and return that."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout}s waiting for {description or _describe(predicate)}")
            await asyncio.sleep(0.01)

    # -- gateway control ------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """True while some shard's session is live."""
        return self._gateway.connected

    @property
    def connected_shards(self) -> set[int]:
        """The shards whose session is attached to a live websocket."""
        return self._gateway.connected_shards

    @property
    def shard_count(self) -> int:
        return self._gateway.shard_count

    def shard_of(self, guild: Guild) -> int:
        """The shard whose session receives ``guild``'s events."""
        return self._gateway.shard_of(guild.id)

    @property
    def identified_shards(self) -> list[object]:
        """The ``shard`` field of every IDENTIFY so far (None where it was absent), refused ones included."""
        return list(self._gateway.identified_shards)

    @property
    def identify_count(self) -> int:
        return self._gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self._gateway.resume_count

    async def wait_connected(self, timeout: float = 5.0, *, shards: Iterable[int] = (0,)) -> None:
        """Wait until each of ``shards`` has a live session."""
        wanted = set(shards)
        await self.wait_for(lambda: wanted <= self.connected_shards, timeout, description=f"live shards {wanted}")

    async def wait_identified(self, count: int = 1, timeout: float = 5.0) -> None:
        """Wait until the gateway has seen ``count`` IDENTIFYs in total."""
        await self.wait_for(lambda: self.identify_count >= count, timeout, description=f"{count} IDENTIFY(s)")

    async def dispatch(self, event: str, data: Json) -> None:
        """Send one raw dispatch event exactly as given (no intent filtering)."""
        await self.dispatch_many([(event, data)])

    async def dispatch_many(self, events: Iterable[tuple[str, Json]]) -> int:
        """Send many raw events back to back; returns the count once all are on the socket."""
        count = self._gateway.dispatch_raw(events)
        await self._gateway.flush()
        return count

    async def drop_connection(self, shard: int = 0) -> None:
        """Close the shard's socket with a resumable code; the client RESUMEs and gets missed events."""
        await self._gateway.drop_connection(shard)

    async def invalidate_session(self, shard: int = 0) -> None:
        """Send op 9 (d=false) to the shard; the client re-IDENTIFies and events in between are lost.

        discord.py waits 5 s (``Client.before_identify_hook``) before that IDENTIFY;
        override the hook in test clients to skip the wait.
        """
        await self._gateway.invalidate_session(shard)

    def gateway_outage(self, *, resumable: bool, shard: int = 0) -> contextlib.AbstractAsyncContextManager[None]:
        """Disconnect the shard and keep every client out until the block exits.

        Events produced inside are replayed on RESUME if ``resumable``, else lost (and the
        client re-IDENTIFies, see ``invalidate_session``).
        """
        return self._gateway.outage(resumable=resumable, shard=shard)

    # -- fault injection ------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        route: str | re.Pattern[str],
        status: int = 429,
        times: int = 1,
        retry_after: float = 0.3,
        global_: bool = False,
        code: int | None = None,
        message: str | None = None,
    ) -> None:
        """Fail the next ``times`` requests matching ``method`` ("*" for any) and ``route``.

        ``route`` is a template as in ``RequestRecord.template`` or a regex searched in the
        concrete path. 429s carry ``Via``, ``Retry-After`` and Discord's JSON body, so
        discord.py retries them; other statuses answer ``{"code": code, "message": message}``
        (message defaults to e.g. "403: Forbidden").
        """
        rule = FaultRule(method, route, status, times, retry_after, global_, code, message)
        self._faults.add(rule)

    @contextlib.contextmanager
    def rest_outage(self) -> Iterator[None]:
        """REST is unreachable inside the block: every request's connection drops unanswered."""
        self._faults.refusing = True
        try:
            yield
        finally:
            self._faults.refusing = False

    @contextlib.contextmanager
    def when_published(self, watcher: Callable[[Message], None]) -> Iterator[None]:
        """Call ``watcher(message)`` for each message published inside the block, as it appears."""
        self._state.publish_watchers.append(watcher)
        try:
            yield
        finally:
            self._state.publish_watchers.remove(watcher)

    def add_reaction_now(self, user: User, message: Message, emoji: str) -> None:
        """``react`` without waiting: for watchers, which run inside the server's request handling."""
        self._state.add_reaction(message, user, emoji)

    def slow_next(self, method: str, route: str | re.Pattern[str], seconds: float, times: int = 1) -> None:
        """Handle the next ``times`` matching requests at once but hold their answers for ``seconds``."""
        self._faults.slow(method, route, seconds, times)

    def clear_faults(self) -> None:
        """Drop every injected failure that has not fired yet."""
        self._faults.clear()

    @property
    def pending_faults(self) -> int:
        return self._faults.pending

    @property
    def refused_requests(self) -> int:
        """Requests dropped unanswered by ``rest_outage`` so far."""
        return self._faults.refused


def _describe(predicate: Callable[..., Any]) -> str:
    """The predicate's source line when available: it makes timeouts self-explaining."""
    try:
        return inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)
