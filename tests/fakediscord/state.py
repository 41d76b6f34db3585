"""The fake Discord's in-memory world and the operations that change it.

Every mutation goes through here so that REST handlers and the test-control API share
one implementation of Discord's rules and publish the same gateway events. Permission
checks are not done here: they depend on who acts (the bot over REST is checked, test
code acting as users is trusted) and live in the REST handlers.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence

from . import errors
from .attachments import check_uploads, image_size, shown_embeds
from .components import stored_components, validate_components
from .gateway_events import EventSink, Intent
from .limits import ensure_not_empty, validate_message_body
from .mentions import compute_pings, validate_allowed_mentions
from .models import (
    LOADING_FLAG,
    NO_PINGS,
    ApplicationCommand,
    Guild,
    Json,
    Member,
    Message,
    Overwrite,
    Pings,
    Role,
    TextChannel,
    User,
)
from .payloads import (
    channel_payload,
    emoji_payload,
    member_payload,
    message_payload,
    role_payload,
)
from .permissions import (
    DEFAULT_EVERYONE_PERMISSIONS,
    QUIZ_BOT_PERMISSIONS,
    base_permissions,
    channel_permissions,
)
from .snowflakes import SnowflakeFactory

MAX_DISTINCT_REACTIONS = 20
SUPPRESS_EMBEDS_FLAG = 1 << 2
_EDITABLE_FLAGS = SUPPRESS_EMBEDS_FLAG


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class ServerState:
    """Guilds, channels, members, messages and commands, plus Discord's mutation rules."""

    def __init__(self, events: EventSink, *, bot_name: str = "QuizBot") -> None:
        self.events = events
        # Called with each message as it is published, before its REST answer leaves: lets a test
        # act at the very moment a message appears (e.g. react before its author knows its id).
        self.publish_watchers: list[Callable[[Message], None]] = []
        self.ids = SnowflakeFactory()
        self.bot_user = User(self.ids.next(), bot_name, bot=True)
        self.application_id = self.bot_user.id
        self.application_owner = User(self.ids.next(), f"{bot_name} developer")
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, TextChannel] = {}
        self.users: dict[int, User] = {self.bot_user.id: self.bot_user}
        self.messages: dict[int, Message] = {}
        self.channel_messages: dict[int, list[Message]] = {}
        self.global_commands: list[ApplicationCommand] = []
        self.guild_commands: dict[int, list[ApplicationCommand]] = {}
        self.bot_role_ids: dict[int, int] = {}
        self.bot_joined_at: dict[int, datetime.datetime] = {}

    # -- building the world ---------------------------------------------------------

    def add_guild(
        self, name: str, *, bot_permissions: int = QUIZ_BOT_PERMISSIONS, shard: tuple[int, int] | None = None
    ) -> Guild:
        """A guild with @everyone, an owner, and the bot as a member holding a managed role.

        ``shard``: (shard id, shard count) the guild's id must fall on; any id if None.
        """
        guild_id = self.ids.next() if shard is None else self.ids.next_on_shard(*shard)
        owner = self._new_user(f"{name} owner", bot=False)
        guild = Guild(guild_id, name, owner_id=owner.id)
        guild.roles[guild_id] = Role(guild_id, guild_id, "@everyone", DEFAULT_EVERYONE_PERMISSIONS, position=0)
        bot_role = Role(self.ids.next(), guild_id, self.bot_user.name, bot_permissions, position=1, managed=True)
        guild.roles[bot_role.id] = bot_role
        self.bot_role_ids[guild_id] = bot_role.id
        self.guilds[guild_id] = guild
        joined = utcnow()
        self.bot_joined_at[guild_id] = joined
        guild.members[owner.id] = Member(owner, guild_id, [], joined)
        guild.members[self.bot_user.id] = Member(self.bot_user, guild_id, [bot_role.id], joined)
        self.events.guild_available(guild)
        return guild

    def add_role(self, guild: Guild, name: str, permissions: int) -> Role:
        role = Role(self.ids.next(), guild.id, name, permissions, position=len(guild.roles))
        guild.roles[role.id] = role
        self.events.emit(
            "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role_payload(role)}, intent=Intent.GUILDS
        )
        return role

    def update_role_permissions(self, role: Role, permissions: int) -> None:
        role.permissions = permissions
        data = {"guild_id": str(role.guild_id), "role": role_payload(role)}
        self.events.emit("GUILD_ROLE_UPDATE", data, intent=Intent.GUILDS)

    def add_text_channel(self, guild: Guild, name: str) -> TextChannel:
        channel = TextChannel(self.ids.next(), guild.id, name, position=len(guild.channels))
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        self.channel_messages[channel.id] = []
        self.events.emit("CHANNEL_CREATE", channel_payload(channel), intent=Intent.GUILDS)
        return channel

    def add_member(self, guild: Guild, name: str, role_ids: Iterable[int], *, bot: bool) -> User:
        user = self._new_user(name, bot=bot)
        member = Member(user, guild.id, list(role_ids), utcnow())
        guild.members[user.id] = member
        data = member_payload(member) | {"guild_id": str(guild.id)}
        self.events.emit("GUILD_MEMBER_ADD", data, intent=Intent.GUILD_MEMBERS)
        return user

    def set_overwrite(self, channel: TextChannel, target: Role | User, *, allow: int, deny: int) -> None:
        kind = 0 if isinstance(target, Role) else 1
        channel.overwrites[target.id] = Overwrite(target.id, kind, allow, deny)
        self.events.emit("CHANNEL_UPDATE", channel_payload(channel), intent=Intent.GUILDS)

    def delete_channel(self, channel: TextChannel) -> None:
        channel.deleted = True
        self.guilds[channel.guild_id].channels.pop(channel.id, None)
        self.events.emit("CHANNEL_DELETE", channel_payload(channel), intent=Intent.GUILDS)

    def _new_user(self, name: str, *, bot: bool) -> User:
        user = User(self.ids.next(), name, bot=bot)
        self.users[user.id] = user
        return user

    # -- lookups --------------------------------------------------------------------

    def channel(self, channel_id: int) -> TextChannel:
        channel = self.channels.get(channel_id)
        if channel is None or channel.deleted:
            raise errors.unknown_channel()
        return channel

    def message_in(self, channel: TextChannel, message_id: int) -> Message:
        message = self.messages.get(message_id)
        if message is None or message.deleted or message.ephemeral or message.channel_id != channel.id:
            raise errors.unknown_message()
        return message

    def guild_of(self, channel: TextChannel) -> Guild:
        return self.guilds[channel.guild_id]

    def permissions(self, channel: TextChannel, user_id: int) -> int:
        """The member's effective permissions in ``channel`` (0 for non-members)."""
        guild = self.guild_of(channel)
        member = guild.members.get(user_id)
        if member is None:
            return 0
        roles = [guild.roles[role_id] for role_id in member.role_ids if role_id in guild.roles]
        base = base_permissions(
            guild.everyone_role.permissions,
            (role.permissions for role in roles),
            is_owner=user_id == guild.owner_id,
        )
        return channel_permissions(
            base,
            everyone_overwrite=_pair(channel.overwrites.get(guild.id)),
            role_overwrites=[(o.allow, o.deny) for role in roles if (o := channel.overwrites.get(role.id)) is not None],
            member_overwrite=_pair(channel.overwrites.get(user_id)),
        )

    def render(self, message: Message, *, interaction_metadata: Json | None = None) -> Json:
        """The message payload as the bot receives it."""
        referenced = None
        if message.reference is not None:
            referenced = self.messages.get(int(message.reference.get("message_id", 0)))
        return message_payload(
            message,
            self.guilds[message.guild_id],
            viewer_id=self.bot_user.id,
            referenced=referenced,
            interaction_metadata=interaction_metadata,
        )

    # -- messages -------------------------------------------------------------------

    def build_message(
        self,
        channel: TextChannel,
        author: User,
        body: Json,
        *,
        attachments: Sequence[Json] = (),
        error_path: tuple[str, ...] = (),
        message_type: int = 0,
        webhook_id: int | None = None,
        drop_embeds: bool = False,
    ) -> Message:
        """Validate a create body and turn it into an (unstored) message with its pings.

        ``error_path`` prefixes form errors, e.g. ``("data",)`` for interaction callbacks;
        ``drop_embeds`` models a sender without Embed Links: the body is still validated,
        then Discord posts the message without its embeds.
        """
        validate_message_body(body, path_prefix=error_path)
        check_uploads(attachments, body.get("embeds") or [])
        validate_components(body.get("components"), path_prefix=error_path)
        allowed_mentions = body.get("allowed_mentions")
        validate_allowed_mentions(allowed_mentions, path_prefix=error_path)
        content = str(body.get("content") or "")
        embeds = shown_embeds(_stored_embeds(body.get("embeds"), drop=drop_embeds), attachments)
        flags = int(body.get("flags") or 0)
        if not flags & LOADING_FLAG:
            ensure_not_empty(content, embeds, attachments)
        reference = self._resolve_reference(body.get("message_reference"), error_path)
        message = Message(
            id=self.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            content=content,
            embeds=embeds,
            created_at=utcnow(),
            type=19 if reference is not None and message_type == 0 else message_type,
            flags=flags,
            reference=reference,
            allowed_mentions=allowed_mentions,
            attachments=list(attachments),
            webhook_id=webhook_id,
            nonce=body.get("nonce"),
            components=stored_components(body.get("components")),
        )
        message.pings = self.pings_for(message)
        return message

    def make_attachments(self, channel: TextChannel, uploads: Sequence[tuple[str, bytes]]) -> list[Json]:
        """Attachment objects for uploaded files (the bytes themselves are not kept)."""
        attachments = []
        for filename, content in uploads:
            attachment_id = self.ids.next()
            url = f"https://cdn.discordapp.invalid/attachments/{channel.id}/{attachment_id}/{filename}"
            attachments.append(
                {
                    "id": str(attachment_id),
                    "filename": filename,
                    "size": len(content),
                    "url": url,
                    "proxy_url": url,
                    **image_size(content),
                }
            )
        return attachments

    def pings_for(self, message: Message) -> Pings:
        if message.flags & LOADING_FLAG or message.ephemeral:
            return NO_PINGS
        guild = self.guilds[message.guild_id]
        replied_author = None
        if message.reference is not None:
            replied = self.messages.get(int(message.reference["message_id"]))
            replied_author = None if replied is None else replied.author.id
        return compute_pings(
            message.content,
            message.allowed_mentions,
            member_ids=guild.members.keys(),
            role_ids=[role_id for role_id in guild.roles if role_id != guild.id],
            replied_author_id=replied_author,
        )

    def _resolve_reference(self, reference: Json | None, error_path: tuple[str, ...]) -> Json | None:
        """Normalise a reply reference; forwards and other reference types pass through."""
        if not reference or reference.get("type", 0) != 0:
            return reference or None
        replied = self.messages.get(int(reference.get("message_id") or 0))
        if replied is None or replied.deleted:
            if reference.get("fail_if_not_exists", True):
                leaf = errors.field_error("MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
                raise errors.invalid_form_body(errors.nest_errors((*error_path, "message_reference"), leaf))
            return None
        return {
            "type": 0,
            "message_id": str(replied.id),
            "channel_id": str(replied.channel_id),
            "guild_id": str(replied.guild_id),
        }

    def publish(self, message: Message, *, interaction_metadata: Json | None = None) -> None:
        """Store a built message in its channel and announce it with MESSAGE_CREATE."""
        self.messages[message.id] = message
        self.channel_messages[message.channel_id].append(message)
        self.events.emit(
            "MESSAGE_CREATE",
            self.render(message, interaction_metadata=interaction_metadata),
            intent=Intent.GUILD_MESSAGES,
            content_gated=self._content_gated(message),
        )
        for watcher in self.publish_watchers:
            watcher(message)

    def remember(self, message: Message) -> None:
        """Keep a message addressable by id without showing it in its channel (ephemeral)."""
        self.messages[message.id] = message

    def edit_message(
        self, message: Message, body: Json, *, error_path: tuple[str, ...] = (), drop_embeds: bool = False
    ) -> None:
        """Apply a PATCH body; the first edit of a deferred placeholder is what notifies."""
        validate_message_body(body, path_prefix=error_path)
        validate_components(body.get("components"), path_prefix=error_path)
        validate_allowed_mentions(body.get("allowed_mentions"), path_prefix=error_path)
        content = str(body["content"] or "") if "content" in body else message.content
        embeds = message.embeds
        if "embeds" in body:
            embeds = _stored_embeds(body["embeds"], drop=drop_embeds)
        attachments = list(body["attachments"] or []) if "attachments" in body else message.attachments
        check_uploads(attachments, embeds)
        embeds = shown_embeds(embeds, attachments)
        ensure_not_empty(content, embeds, attachments)
        was_loading = bool(message.flags & LOADING_FLAG)
        message.content, message.embeds, message.attachments = content, embeds, attachments
        if "components" in body:
            message.components = stored_components(body["components"])
        if "flags" in body:
            message.flags = (message.flags & ~_EDITABLE_FLAGS) | (int(body["flags"] or 0) & _EDITABLE_FLAGS)
        if "allowed_mentions" in body:
            message.allowed_mentions = body["allowed_mentions"]
        message.flags &= ~LOADING_FLAG
        message.edited_at = None if was_loading else utcnow()
        if was_loading:
            message.pings = self.pings_for(message)
        if message.ephemeral:
            return
        self.events.emit(
            "MESSAGE_UPDATE",
            self.render(message),
            intent=Intent.GUILD_MESSAGES,
            content_gated=self._content_gated(message),
        )

    def delete_message(self, message: Message) -> None:
        message.deleted = True
        if message.ephemeral:
            return
        data = {
            "id": str(message.id),
            "channel_id": str(message.channel_id),
            "guild_id": str(message.guild_id),
        }
        self.events.emit("MESSAGE_DELETE", data, intent=Intent.GUILD_MESSAGES)

    def _content_gated(self, message: Message) -> bool:
        """Discord shows content without the Message Content intent only for own messages and mentions."""
        return message.author.id != self.bot_user.id and self.bot_user.id not in message.pings.users

    # -- reactions ------------------------------------------------------------------

    def add_reaction(self, message: Message, user: User, emoji: str) -> None:
        """Record ``user``'s reaction; re-adding an existing one is a no-op, as on Discord."""
        users = message.reaction_users.get(emoji)
        if users is not None and user.id in users:
            return
        if users is None:
            if len(message.reaction_users) >= MAX_DISTINCT_REACTIONS:
                raise errors.too_many_reactions()
            users = message.reaction_users[emoji] = {}
        users[user.id] = None
        name, data = self.reaction_event(message, user, emoji, added=True)
        self.events.emit(name, data, intent=Intent.GUILD_MESSAGE_REACTIONS)

    def remove_reaction(self, message: Message, user: User, emoji: str) -> None:
        users = message.reaction_users.get(emoji)
        if users is None or user.id not in users:
            return
        del users[user.id]
        if not users:
            del message.reaction_users[emoji]
        name, data = self.reaction_event(message, user, emoji, added=False)
        self.events.emit(name, data, intent=Intent.GUILD_MESSAGE_REACTIONS)

    def clear_reactions(self, message: Message, emoji: str | None = None) -> None:
        """Remove every reaction, or every reaction with one emoji."""
        base = {
            "channel_id": str(message.channel_id),
            "message_id": str(message.id),
            "guild_id": str(message.guild_id),
        }
        if emoji is None:
            message.reaction_users.clear()
            self.events.emit("MESSAGE_REACTION_REMOVE_ALL", base, intent=Intent.GUILD_MESSAGE_REACTIONS)
        elif message.reaction_users.pop(emoji, None) is not None:
            data = base | {"emoji": emoji_payload(emoji)}
            self.events.emit("MESSAGE_REACTION_REMOVE_EMOJI", data, intent=Intent.GUILD_MESSAGE_REACTIONS)

    def reaction_event(self, message: Message, user: User, emoji: str, *, added: bool) -> tuple[str, Json]:
        """The MESSAGE_REACTION_ADD or _REMOVE event (name, data) for ``user`` and ``emoji``.

        Only builds the payload: the message's reactions are not changed.
        """
        data: Json = {
            "user_id": str(user.id),
            "channel_id": str(message.channel_id),
            "message_id": str(message.id),
            "guild_id": str(message.guild_id),
            "emoji": emoji_payload(emoji),
            "burst": False,
            "type": 0,
        }
        if not added:
            return "MESSAGE_REACTION_REMOVE", data
        data["message_author_id"] = str(message.author.id)
        data["burst_colors"] = []
        member = self.guilds[message.guild_id].members.get(user.id)
        if member is not None:
            data["member"] = member_payload(member)
        return "MESSAGE_REACTION_ADD", data


def _stored_embeds(embeds: Sequence[Json] | None, *, drop: bool) -> list[Json]:
    """Embeds as Discord keeps them: of type "rich" unless the bot said otherwise, fields not inline unless so."""
    if drop:
        return []
    return [
        {"type": "rich", **embed}
        | ({"fields": [{"inline": False} | f for f in embed["fields"]]} if "fields" in embed else {})
        for embed in embeds or []
    ]


def _pair(overwrite: Overwrite | None) -> tuple[int, int] | None:
    return None if overwrite is None else (overwrite.allow, overwrite.deny)
