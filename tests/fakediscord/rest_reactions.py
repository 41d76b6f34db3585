"""Reaction routes. Writes share the per-channel reaction rate-limit bucket."""

from __future__ import annotations

from aiohttp import web

from . import errors
from .access import require_bot_permissions
from .http_app import RouteTable
from .models import Message
from .payloads import user_payload
from .permissions import Permission
from .rest_support import int_query, json_reply, no_content, snowflake_param
from .state import ServerState

REACTION_USERS_DEFAULT_LIMIT = 25


class ReactionRoutes:
    def __init__(self, state: ServerState) -> None:
        self._state = state

    def register(self, routes: RouteTable) -> None:
        base = "/channels/{c}/messages/{m}/reactions"
        routes.add("PUT", base + "/{e}/@me", self.add_own, reaction_bucket=True)
        routes.add("DELETE", base + "/{e}/@me", self.remove_own, reaction_bucket=True)
        routes.add("DELETE", base + "/{e}/{u}", self.remove_user, reaction_bucket=True)
        routes.add("DELETE", base + "/{e}", self.clear_emoji, reaction_bucket=True)
        routes.add("DELETE", base, self.clear_all, reaction_bucket=True)
        routes.add("GET", base + "/{e}", self.list_users)

    def _target(self, request: web.Request, *needed: Permission) -> tuple[Message, int]:
        """The addressed message and the bot's permissions, after the common checks."""
        channel = self._state.channel(snowflake_param(request, "c"))
        granted = require_bot_permissions(self._state, channel, *needed)
        return self._state.message_in(channel, snowflake_param(request, "m")), granted

    async def add_own(self, request: web.Request) -> web.Response:
        message, granted = self._target(request, Permission.READ_MESSAGE_HISTORY)
        emoji = request.match_info["e"]
        if emoji not in message.reaction_users and not granted & Permission.ADD_REACTIONS:
            raise errors.missing_permissions()
        self._state.add_reaction(message, self._state.bot_user, emoji)
        return no_content()

    async def remove_own(self, request: web.Request) -> web.Response:
        message, _ = self._target(request)
        self._state.remove_reaction(message, self._state.bot_user, request.match_info["e"])
        return no_content()

    async def remove_user(self, request: web.Request) -> web.Response:
        message, _ = self._target(request, Permission.MANAGE_MESSAGES)
        user = self._state.users.get(snowflake_param(request, "u"))
        if user is None:
            raise errors.unknown_user()
        self._state.remove_reaction(message, user, request.match_info["e"])
        return no_content()

    async def clear_emoji(self, request: web.Request) -> web.Response:
        message, _ = self._target(request, Permission.MANAGE_MESSAGES)
        self._state.clear_reactions(message, request.match_info["e"])
        return no_content()

    async def clear_all(self, request: web.Request) -> web.Response:
        message, _ = self._target(request, Permission.MANAGE_MESSAGES)
        self._state.clear_reactions(message)
        return no_content()

    async def list_users(self, request: web.Request) -> web.Response:
        """Users who reacted, ordered by id ascending, paged with ``after`` (a user id)."""
        message, _ = self._target(request, Permission.READ_MESSAGE_HISTORY)
        limit = int_query(request, "limit", default=REACTION_USERS_DEFAULT_LIMIT)
        after = int_query(request, "after", default=0)
        user_ids = sorted(
            user_id for user_id in message.reaction_users.get(request.match_info["e"], {}) if user_id > after
        )
        users = [self._state.users[user_id] for user_id in user_ids[:limit]]
        return json_reply([user_payload(user) for user in users])
