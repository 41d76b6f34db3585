"""The in-memory objects the fake Discord keeps: users, guilds, channels, messages, commands.

They hold server-side truth only; turning them into Discord JSON lives in ``payloads``.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

Json = dict[str, Any]


@dataclasses.dataclass(eq=False)
class User:
    """A Discord account: a human member or a bot."""

    id: int
    name: str
    bot: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclasses.dataclass(eq=False)
class Role:
    """A guild role; the @everyone role has the guild's id."""

    id: int
    guild_id: int
    name: str
    permissions: int
    position: int
    managed: bool = False


@dataclasses.dataclass(eq=False)
class Member:
    """A user's membership in one guild."""

    user: User
    guild_id: int
    role_ids: list[int]
    joined_at: datetime.datetime

    @property
    def id(self) -> int:
        return self.user.id


@dataclasses.dataclass
class Overwrite:
    """A channel permission overwrite; ``kind`` is 0 for a role, 1 for a member (Discord's values)."""

    target_id: int
    kind: int
    allow: int = 0
    deny: int = 0


@dataclasses.dataclass(eq=False)
class TextChannel:
    """A guild text channel (type 0)."""

    id: int
    guild_id: int
    name: str
    position: int
    overwrites: dict[int, Overwrite] = dataclasses.field(default_factory=dict)
    deleted: bool = False


@dataclasses.dataclass(eq=False)
class Guild:
    """A guild with its roles, channels and members, keyed by id."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = dataclasses.field(default_factory=dict)
    channels: dict[int, TextChannel] = dataclasses.field(default_factory=dict)
    members: dict[int, Member] = dataclasses.field(default_factory=dict)

    @property
    def everyone_role(self) -> Role:
        return self.roles[self.id]


@dataclasses.dataclass(frozen=True)
class Pings:
    """Who a message actually notifies, after ``allowed_mentions`` filtering."""

    everyone: bool = False
    users: frozenset[int] = frozenset()
    roles: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return self.everyone or bool(self.users) or bool(self.roles)


NO_PINGS = Pings()

EPHEMERAL_FLAG = 1 << 6
LOADING_FLAG = 1 << 7
"""Message flag Discord sets on the "Bot is thinking..." placeholder of a deferred response."""


@dataclasses.dataclass(eq=False)
class Message:
    """A message as the server stores it.

    ``allowed_mentions`` is kept exactly as received (``None`` when the request had none),
    ``pings`` is what Discord would notify, ``reactions`` maps each emoji (unicode text or
    ``name:id``) to the reacting user ids in the order they reacted.
    """

    id: int
    channel_id: int
    guild_id: int
    author: User
    content: str
    embeds: list[Json]
    created_at: datetime.datetime
    type: int = 0
    flags: int = 0
    reference: Json | None = None
    allowed_mentions: Json | None = None
    pings: Pings = NO_PINGS
    attachments: list[Json] = dataclasses.field(default_factory=list)
    edited_at: datetime.datetime | None = None
    deleted: bool = False
    webhook_id: int | None = None
    interaction_id: int | None = None
    nonce: str | int | None = None
    reaction_users: dict[str, dict[int, None]] = dataclasses.field(default_factory=dict)
    components: list[Json] = dataclasses.field(default_factory=list)  # as stored: see components.py

    @property
    def reactions(self) -> dict[str, list[int]]:
        """Emoji -> user ids in reaction order (a copy; mutate through the server)."""
        return {emoji: list(users) for emoji, users in self.reaction_users.items()}

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL_FLAG)


@dataclasses.dataclass(eq=False)
class ApplicationCommand:
    """A registered application command with the full option schema as the bot sent it."""

    id: int
    application_id: int
    guild_id: int | None
    name: str
    type: int
    schema: Json
