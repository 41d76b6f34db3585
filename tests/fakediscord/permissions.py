"""Discord permission bits and the channel permission algorithm.

Implements the algorithm from Discord's "Permissions" documentation: guild base
permissions from @everyone and the member's roles, Administrator short-circuits,
then channel overwrites for @everyone, the member's roles (combined) and the member,
and finally the implicit denials (no View Channel means nothing; no Send Messages
means no embeds, attachments or mentions of @everyone).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import discord


class Permission(enum.IntFlag):
    """The permission bits the fake server consults."""

    ADMINISTRATOR = 1 << 3
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_APPLICATION_COMMANDS = 1 << 31
    CREATE_PUBLIC_THREADS = 1 << 35


ALL_PERMISSIONS: int = discord.Permissions.all().value

QUIZ_BOT_PERMISSIONS: int = (
    Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.ADD_REACTIONS
    | Permission.READ_MESSAGE_HISTORY
)
"""What a quiz bot is normally invited with; the default for the bot's managed role."""

DEFAULT_EVERYONE_PERMISSIONS: int = (
    Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.ADD_REACTIONS
    | Permission.READ_MESSAGE_HISTORY
    | Permission.USE_APPLICATION_COMMANDS
)
"""A typical @everyone role: members can read, talk, react and use slash commands."""

_LOST_WITHOUT_SEND_MESSAGES: int = Permission.EMBED_LINKS | Permission.ATTACH_FILES | Permission.MENTION_EVERYONE


def as_permission_bits(value: discord.Permissions | int) -> int:
    """Accept either discord.py's ``Permissions`` or a raw integer."""
    if isinstance(value, discord.Permissions):
        return value.value
    return int(value)


def apply_overwrite(permissions: int, allow: int, deny: int) -> int:
    """Deny first, then allow: the order Discord applies one overwrite level in."""
    return (permissions & ~deny) | allow


def base_permissions(everyone_bits: int, role_bits: Iterable[int], *, is_owner: bool) -> int:
    """Guild-level permissions of a member before any channel overwrite."""
    if is_owner:
        return ALL_PERMISSIONS
    permissions = everyone_bits
    for bits in role_bits:
        permissions |= bits
    if permissions & Permission.ADMINISTRATOR:
        return ALL_PERMISSIONS
    return permissions


def channel_permissions(
    base: int,
    *,
    everyone_overwrite: tuple[int, int] | None,
    role_overwrites: Iterable[tuple[int, int]],
    member_overwrite: tuple[int, int] | None,
) -> int:
    """Apply the three overwrite levels (each an ``(allow, deny)`` pair) to ``base``."""
    if base & Permission.ADMINISTRATOR:
        return ALL_PERMISSIONS
    permissions = base
    if everyone_overwrite is not None:
        permissions = apply_overwrite(permissions, *everyone_overwrite)
    allow = deny = 0
    for role_allow, role_deny in role_overwrites:
        allow |= role_allow
        deny |= role_deny
    permissions = apply_overwrite(permissions, allow, deny)
    if member_overwrite is not None:
        permissions = apply_overwrite(permissions, *member_overwrite)
    if not permissions & Permission.VIEW_CHANNEL:
        return 0
    if not permissions & Permission.SEND_MESSAGES:
        permissions &= ~_LOST_WITHOUT_SEND_MESSAGES
    return permissions
