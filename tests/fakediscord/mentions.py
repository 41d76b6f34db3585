"""Who a message notifies: mention syntax in ``content`` filtered by ``allowed_mentions``.

Mirrors Discord's rules: without ``allowed_mentions`` everything mentioned pings and a
reply pings the replied-to author; with it, ``@everyone``/``@here`` need ``"everyone"``
in ``parse``, users need ``"users"`` in ``parse`` or their id in ``users``, roles likewise,
and a reply pings only when ``replied_user`` is true (it defaults to false). Embeds never
ping. Pings deliberately ignore the author's Mention Everyone permission and role
mentionability: they report what *would* notify a sender with full mention rights, so a
missing ``allowed_mentions`` guard is never hidden by how a test set up permissions.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from .errors import field_error, invalid_form_body, nest_errors
from .models import Json, Pings

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_EVERYONE_MENTION = re.compile(r"@(?:everyone|here)")


def validate_allowed_mentions(allowed_mentions: Json | None, *, path_prefix: tuple[str, ...] = ()) -> None:
    """Discord rejects ``parse`` together with an explicit id list of the same kind."""
    if not allowed_mentions:
        return
    parse = allowed_mentions.get("parse") or []
    for kind in ("users", "roles"):
        if kind in parse and allowed_mentions.get(kind):
            leaf = field_error(
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )
            raise invalid_form_body(nest_errors((*path_prefix, "allowed_mentions"), leaf))


def _allowed(mentioned: set[int], parse: Collection[str], kind: str, explicit: Collection[str | int]) -> set[int]:
    if kind in parse:
        return mentioned
    return mentioned & {int(snowflake) for snowflake in explicit}


def compute_pings(
    content: str,
    allowed_mentions: Json | None,
    *,
    member_ids: Collection[int],
    role_ids: Collection[int],
    replied_author_id: int | None = None,
) -> Pings:
    """Return the notifications Discord would send for a new message.

    ``member_ids``/``role_ids`` are the guild's; a mention of anything else resolves to nothing.
    """
    mentioned_users = {int(match) for match in _USER_MENTION.findall(content)} & set(member_ids)
    mentioned_roles = {int(match) for match in _ROLE_MENTION.findall(content)} & set(role_ids)
    mentions_everyone = bool(_EVERYONE_MENTION.search(content))

    if allowed_mentions is None:
        users = mentioned_users
        roles = mentioned_roles
        everyone = mentions_everyone
        ping_reply = True
    else:
        parse = allowed_mentions.get("parse") or []
        users = _allowed(mentioned_users, parse, "users", allowed_mentions.get("users") or [])
        roles = _allowed(mentioned_roles, parse, "roles", allowed_mentions.get("roles") or [])
        everyone = mentions_everyone and "everyone" in parse
        ping_reply = bool(allowed_mentions.get("replied_user", False))

    if replied_author_id is not None and ping_reply:
        users = users | {replied_author_id}
    return Pings(everyone=everyone, users=frozenset(users), roles=frozenset(roles))
