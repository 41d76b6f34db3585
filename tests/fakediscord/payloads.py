"""Discord JSON shapes for the stored objects, as discord.py's parsers expect them.

Ids are strings and permissions are decimal strings, as on the real API.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from .models import ApplicationCommand, Guild, Json, Member, Message, Overwrite, Role, TextChannel, User

_CUSTOM_EMOJI = re.compile(r"^(?:a:)?(?P<name>\w+):(?P<id>\d+)$")


def timestamp(moment: datetime.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def user_payload(user: User) -> Json:
    return {
        "id": str(user.id),
        "username": user.name,
        "discriminator": "0",
        "global_name": user.name,
        "avatar": None,
        "bot": user.bot,
        "public_flags": 0,
        "flags": 0,
        "primary_guild": None,
    }


def member_payload(member: Member, *, with_user: bool = True, permissions: int | None = None) -> Json:
    """A guild member; message and mention payloads omit ``user``, interactions add ``permissions``."""
    payload: Json = {
        "roles": [str(role_id) for role_id in member.role_ids],
        "joined_at": timestamp(member.joined_at),
        "nick": None,
        "avatar": None,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }
    if with_user:
        payload["user"] = user_payload(member.user)
    if permissions is not None:
        payload["permissions"] = str(permissions)
    return payload


def role_payload(role: Role) -> Json:
    return {
        "id": str(role.id),
        "name": role.name,
        "permissions": str(role.permissions),
        "position": role.position,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "managed": role.managed,
        "mentionable": False,
        "icon": None,
        "unicode_emoji": None,
        "flags": 0,
    }


def overwrite_payload(overwrite: Overwrite) -> Json:
    return {
        "id": str(overwrite.target_id),
        "type": overwrite.kind,
        "allow": str(overwrite.allow),
        "deny": str(overwrite.deny),
    }


def channel_payload(channel: TextChannel, *, last_message_id: int | None = None) -> Json:
    return {
        "id": str(channel.id),
        "type": 0,
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "permission_overwrites": [overwrite_payload(o) for o in channel.overwrites.values()],
        "parent_id": None,
        "topic": None,
        "nsfw": False,
        "rate_limit_per_user": 0,
        "last_message_id": None if last_message_id is None else str(last_message_id),
        "flags": 0,
    }


def guild_payload(guild: Guild) -> Json:
    """The REST guild object (no members or channels, like ``GET /guilds/{id}``)."""
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 1,
        "explicit_content_filter": 0,
        "roles": [role_payload(role) for role in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
    }


def guild_create_payload(guild: Guild, *, members: Iterable[Member], joined_at: datetime.datetime) -> Json:
    """GUILD_CREATE: the guild plus channels and the members the session is entitled to."""
    payload = guild_payload(guild)
    payload.update(
        {
            "unavailable": False,
            "joined_at": timestamp(joined_at),
            "large": False,
            "member_count": len(guild.members),
            "members": [member_payload(member) for member in members],
            "channels": [channel_payload(channel) for channel in guild.channels.values() if not channel.deleted],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }
    )
    return payload


def emoji_payload(emoji: str) -> Json:
    """Partial emoji for a reaction key: unicode text, or ``name:id`` for a custom emoji."""
    custom = _CUSTOM_EMOJI.match(emoji)
    if custom is None:
        return {"id": None, "name": emoji}
    return {"id": custom["id"], "name": custom["name"], "animated": emoji.startswith("a:")}


def reactions_payload(message: Message, viewer_id: int) -> list[Json]:
    return [
        {
            "emoji": emoji_payload(emoji),
            "count": len(users),
            "count_details": {"burst": 0, "normal": len(users)},
            "me": viewer_id in users,
            "me_burst": False,
            "burst_colors": [],
        }
        for emoji, users in message.reaction_users.items()
    ]


def mentioned_user_payload(member: Member) -> Json:
    payload = user_payload(member.user)
    payload["member"] = member_payload(member, with_user=False)
    return payload


def interaction_metadata_payload(interaction_id: int, user: User, guild_id: int, command_name: str) -> Json:
    return {
        "id": str(interaction_id),
        "type": 2,
        "name": command_name,
        "user": user_payload(user),
        "authorizing_integration_owners": {"0": str(guild_id)},
    }


def component_metadata_payload(interaction_id: int, user: User, guild_id: int, message_id: int) -> Json:
    return {
        "id": str(interaction_id),
        "type": 3,
        "user": user_payload(user),
        "authorizing_integration_owners": {"0": str(guild_id)},
        "interacted_message_id": str(message_id),
    }


def message_payload(
    message: Message,
    guild: Guild,
    *,
    viewer_id: int,
    referenced: Message | None = None,
    interaction_metadata: Json | None = None,
) -> Json:
    """A message as ``viewer_id`` (the bot) sees it; ``referenced`` is the replied-to message."""
    payload: Json = {
        "id": str(message.id),
        "channel_id": str(message.channel_id),
        "guild_id": str(message.guild_id),
        "author": user_payload(message.author),
        "content": message.content,
        "timestamp": timestamp(message.created_at),
        "edited_timestamp": timestamp(message.edited_at),
        "tts": False,
        "mention_everyone": message.pings.everyone,
        "mentions": [mentioned_user_payload(guild.members[u]) for u in message.pings.users if u in guild.members],
        "mention_roles": [str(role_id) for role_id in message.pings.roles],
        "attachments": message.attachments,
        "embeds": message.embeds,
        "pinned": False,
        "type": message.type,
        "flags": message.flags,
        "components": message.components,
    }
    if message.reaction_users:
        payload["reactions"] = reactions_payload(message, viewer_id)
    author_member = guild.members.get(message.author.id)
    if author_member is not None and message.webhook_id is None:
        payload["member"] = member_payload(author_member, with_user=False)
    if message.webhook_id is not None:
        payload["webhook_id"] = str(message.webhook_id)
        payload["application_id"] = str(message.webhook_id)
    if interaction_metadata is not None:
        payload["interaction_metadata"] = interaction_metadata
    if message.nonce is not None:
        payload["nonce"] = message.nonce
    if message.reference is not None:
        payload["message_reference"] = message.reference
        payload["referenced_message"] = (
            None
            if referenced is None or referenced.deleted
            else message_payload(referenced, guild, viewer_id=viewer_id)
        )
    return payload


def command_payload(command: ApplicationCommand) -> Json:
    """A registered command: the schema as sent, plus the fields Discord assigns.

    Discord answers permissions as a decimal string whatever type was sent, and installs a
    command for guilds (integration type 0) unless told otherwise.
    """
    permissions = command.schema.get("default_member_permissions")
    payload: Json = {
        "description": "",
        "options": [],
        "nsfw": False,
        **command.schema,
        "default_member_permissions": None if permissions is None else str(permissions),
        "integration_types": command.schema.get("integration_types") or [0],
        "id": str(command.id),
        "application_id": str(command.application_id),
        "type": command.type,
        "version": str(command.id),
    }
    if command.guild_id is not None:
        payload["guild_id"] = str(command.guild_id)
    return payload
