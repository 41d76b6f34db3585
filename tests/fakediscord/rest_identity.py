"""Login and lookup routes: the bot user, its application, guilds, members and users."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from . import errors
from .http_app import RouteTable
from .models import Guild
from .payloads import channel_payload, guild_payload, member_payload, user_payload
from .rest_support import json_reply, snowflake_param
from .state import ServerState


class IdentityRoutes:
    def __init__(self, state: ServerState, gateway_url: Callable[[], str], shard_count: int) -> None:
        """``gateway_url`` is a callable because the port is only known once the server listens."""
        self._state = state
        self._gateway_url = gateway_url
        self._shard_count = shard_count

    def register(self, routes: RouteTable) -> None:
        routes.add("GET", "/gateway", self.get_gateway)
        routes.add("GET", "/gateway/bot", self.get_gateway_bot)
        routes.add("GET", "/users/@me", self.get_me)
        routes.add("GET", "/oauth2/applications/@me", self.get_application)
        routes.add("GET", "/users/{u}", self.get_user)
        routes.add("GET", "/guilds/{g}", self.get_guild)
        routes.add("GET", "/guilds/{g}/channels", self.get_guild_channels)
        routes.add("GET", "/guilds/{g}/members/{u}", self.get_member)

    async def get_gateway(self, request: web.Request) -> web.Response:
        return json_reply({"url": self._gateway_url()})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        """Used by ``AutoShardedClient`` without a shard count: the recommended count, a full identify budget."""
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return json_reply({"url": self._gateway_url(), "shards": self._shard_count, "session_start_limit": limit})

    async def get_me(self, request: web.Request) -> web.Response:
        bot = user_payload(self._state.bot_user)
        return json_reply(bot | {"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"})

    async def get_application(self, request: web.Request) -> web.Response:
        state = self._state
        return json_reply(
            {
                "id": str(state.application_id),
                "name": state.bot_user.name,
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": user_payload(state.application_owner),
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
                "interactions_endpoint_url": None,
                "bot": user_payload(state.bot_user),
                "type": None,
                "flags_new": "0",
                "redirect_uris": [],
                "role_connections_verification_url": None,
                "explicit_content_filter": 0,
                "eligible_oauth2_scopes": ["bot", "applications.commands"],
                "approximate_guild_count": len(state.guilds),
                "approximate_user_authorization_count": 0,
                "approximate_user_install_count": 0,
            }
        )

    async def get_user(self, request: web.Request) -> web.Response:
        user = self._state.users.get(snowflake_param(request, "u"))
        if user is None:
            raise errors.unknown_user()
        return json_reply(user_payload(user))

    async def get_guild(self, request: web.Request) -> web.Response:
        return json_reply(guild_payload(self._guild(request)))

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        guild = self._guild(request)
        return json_reply([channel_payload(channel) for channel in guild.channels.values()])

    async def get_member(self, request: web.Request) -> web.Response:
        member = self._guild(request).members.get(snowflake_param(request, "u"))
        if member is None:
            raise errors.unknown_member()
        return json_reply(member_payload(member))

    def _guild(self, request: web.Request) -> Guild:
        guild = self._state.guilds.get(snowflake_param(request, "g"))
        if guild is None:
            raise errors.unknown_guild()
        return guild
