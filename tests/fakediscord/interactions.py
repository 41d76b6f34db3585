"""Interactions: INTERACTION_CREATE for a slash command (built from the registered schema) or a
component on a message, and the record of how the bot answered.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import time
from typing import Any

from .command_options import CommandNotRegistered, OptionBuilder
from .models import EPHEMERAL_FLAG, ApplicationCommand, Json, Message, TextChannel, User
from .payloads import channel_payload, member_payload
from .state import ServerState

APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
ATTACHMENT_SIZE_LIMIT = 25 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class InteractionCallback:
    """The bot's initial response: callback ``type`` and its ``data`` as sent, ``at`` monotonic."""

    type: int
    data: Json | None
    at: float


class InteractionRecord:
    """One interaction and everything the bot answered to it."""

    def __init__(
        self,
        *,
        id: int,
        kind: int,
        token: str,
        user: User,
        channel: TextChannel,
        command: ApplicationCommand | None = None,
        message: Message | None = None,
        custom_id: str | None = None,
    ) -> None:
        self.id = id
        self.kind = kind
        self.token = token
        self.user = user
        self.channel = channel
        self.command = command  # a slash command or its autocomplete
        self.message = message  # a component's interaction: the message the component is on
        self.custom_id = custom_id
        self.created_at = time.monotonic()
        self.response: InteractionCallback | None = None
        self.original: Message | None = None
        self.followups: list[Message] = []
        self._answered = asyncio.Event()

    def record_response(self, callback: InteractionCallback) -> None:
        self.response = callback
        self._answered.set()

    async def wait_response(self, timeout: float = 5.0) -> InteractionCallback:
        """Wait for the initial callback; TimeoutError names the command if none came."""
        try:
            await asyncio.wait_for(self._answered.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"{self.name} (interaction {self.id}) got no response within {timeout}s") from None
        assert self.response is not None
        return self.response

    @property
    def name(self) -> str:
        return f"/{self.command.name}" if self.command else f"component {self.custom_id!r}"

    @property
    def responded_at(self) -> float | None:
        return None if self.response is None else self.response.at

    @property
    def ephemeral(self) -> bool:
        """Whether the initial response (or deferral) was ephemeral."""
        data = (self.response.data if self.response else None) or {}
        return bool(int(data.get("flags") or 0) & EPHEMERAL_FLAG)

    @property
    def content(self) -> str | None:
        """Content of the original response, as last edited (None before any response)."""
        return None if self.original is None else self.original.content

    @property
    def embeds(self) -> list[Json]:
        return [] if self.original is None else self.original.embeds

    @property
    def choices(self) -> list[Json] | None:
        """Autocomplete choices, once the bot answered with callback type 8."""
        if self.response is None or self.response.type != 8:
            return None
        return list((self.response.data or {}).get("choices") or [])


def find_command(state: ServerState, channel: TextChannel, name: str) -> ApplicationCommand:
    """Guild commands shadow global ones of the same name, like the Discord client shows them."""
    candidates = [*state.guild_commands.get(channel.guild_id, []), *state.global_commands]
    for command in candidates:
        if command.name == name and command.type == 1:
            return command
    registered = sorted({c.name for c in candidates}) or "none"
    raise CommandNotRegistered(
        f"/{name} is not registered for guild {channel.guild_id} or globally; registered: {registered}"
    )


def build_interaction(
    state: ServerState,
    *,
    kind: int,
    user: User,
    channel: TextChannel,
    qualified_name: str,
    values: dict[str, Any],
    focused: str | None = None,
) -> tuple[InteractionRecord, Json]:
    """Create the record and the INTERACTION_CREATE payload for ``/qualified_name values``."""
    top, *path = qualified_name.split()
    command = find_command(state, channel, top)
    builder = OptionBuilder(state, channel, focused=focused)
    options = builder.build(command.schema.get("options") or [], path, values, f"/{qualified_name}")
    data: Json = {"id": str(command.id), "name": command.name, "type": 1, "options": options}
    if builder.resolved:
        data["resolved"] = builder.resolved
    if command.guild_id is not None:
        data["guild_id"] = str(command.guild_id)
    record = _new_record(state, kind, user, channel, command=command)
    return record, _payload(state, record, data)


def build_component_interaction(
    state: ServerState, *, user: User, message: Message, custom_id: str, component_type: int, values: list[str] | None
) -> tuple[InteractionRecord, Json]:
    """``user`` uses component ``custom_id`` on ``message`` (with ``values`` for a select)."""
    channel = state.channels[message.channel_id]
    record = _new_record(state, MESSAGE_COMPONENT, user, channel, message=message, custom_id=custom_id)
    data: Json = {"custom_id": custom_id, "component_type": component_type}
    if values is not None:
        data["values"] = values
    return record, _payload(state, record, data) | {"message": state.render(message)}


def _new_record(state: ServerState, kind: int, user: User, channel: TextChannel, **what: Any) -> InteractionRecord:
    return InteractionRecord(
        id=state.ids.next(), kind=kind, token=secrets.token_urlsafe(32), user=user, channel=channel, **what
    )


def _payload(state: ServerState, record: InteractionRecord, data: Json) -> Json:
    channel, user = record.channel, record.user
    guild = state.guild_of(channel)
    member = guild.members.get(user.id)
    if member is None:
        raise ValueError(f"{user.name} is not a member of {guild.name}")
    return {
        "id": str(record.id),
        "application_id": str(state.application_id),
        "type": record.kind,
        "data": data,
        "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
        "channel_id": str(channel.id),
        "channel": channel_payload(channel) | {"permissions": str(state.permissions(channel, user.id))},
        "member": member_payload(member, permissions=state.permissions(channel, user.id)),
        "token": record.token,
        "version": 1,
        "app_permissions": str(state.permissions(channel, state.bot_user.id)),
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild.id)},
        "context": 0,
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }


class InteractionRegistry:
    """Interactions by id (for callbacks) and by token (for webhook follow-ups)."""

    def __init__(self) -> None:
        self._by_id: dict[int, InteractionRecord] = {}
        self._by_token: dict[str, InteractionRecord] = {}

    def add(self, record: InteractionRecord) -> None:
        self._by_id[record.id] = record
        self._by_token[record.token] = record

    def by_id(self, interaction_id: int) -> InteractionRecord | None:
        return self._by_id.get(interaction_id)

    def by_token(self, token: str) -> InteractionRecord | None:
        return self._by_token.get(token)
