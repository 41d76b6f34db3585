"""Application command registration (bulk overwrite and listing), global and per guild."""

from __future__ import annotations

from aiohttp import web

from . import errors
from .http_app import RouteTable
from .models import ApplicationCommand, Json
from .payloads import command_payload
from .rest_support import json_reply, request_body, snowflake_param
from .state import ServerState


class CommandRoutes:
    def __init__(self, state: ServerState) -> None:
        self._state = state

    def register(self, routes: RouteTable) -> None:
        routes.add("GET", "/applications/{app}/commands", self.list_global)
        routes.add("PUT", "/applications/{app}/commands", self.overwrite_global)
        routes.add("GET", "/applications/{app}/guilds/{g}/commands", self.list_guild)
        routes.add("PUT", "/applications/{app}/guilds/{g}/commands", self.overwrite_guild)

    def _check_application(self, request: web.Request) -> None:
        if snowflake_param(request, "app") != self._state.application_id:
            raise errors.missing_access()

    def _guild_id(self, request: web.Request) -> int:
        guild_id = snowflake_param(request, "g")
        if guild_id not in self._state.guilds:
            raise errors.missing_access()
        return guild_id

    async def list_global(self, request: web.Request) -> web.Response:
        self._check_application(request)
        return json_reply([command_payload(c) for c in self._state.global_commands])

    async def overwrite_global(self, request: web.Request) -> web.Response:
        self._check_application(request)
        schemas = await _read_schemas(request)
        self._state.global_commands = self._replace(self._state.global_commands, schemas, guild_id=None)
        return json_reply([command_payload(c) for c in self._state.global_commands])

    async def list_guild(self, request: web.Request) -> web.Response:
        self._check_application(request)
        commands = self._state.guild_commands.get(self._guild_id(request), [])
        return json_reply([command_payload(c) for c in commands])

    async def overwrite_guild(self, request: web.Request) -> web.Response:
        self._check_application(request)
        guild_id = self._guild_id(request)
        schemas = await _read_schemas(request)
        commands = self._replace(self._state.guild_commands.get(guild_id, []), schemas, guild_id=guild_id)
        self._state.guild_commands[guild_id] = commands
        return json_reply([command_payload(c) for c in commands])

    def _replace(
        self, existing: list[ApplicationCommand], schemas: list[Json], *, guild_id: int | None
    ) -> list[ApplicationCommand]:
        """Bulk overwrite; a command keeping its name and type keeps its id, as on Discord."""
        known = {(c.name, c.type): c.id for c in existing}
        replaced = []
        for schema in schemas:
            command_type = int(schema.get("type", 1))
            command_id = known.get((schema["name"], command_type)) or self._state.ids.next()
            replaced.append(
                ApplicationCommand(
                    id=command_id,
                    application_id=self._state.application_id,
                    guild_id=guild_id,
                    name=schema["name"],
                    type=command_type,
                    schema=schema,
                )
            )
        return replaced


async def _read_schemas(request: web.Request) -> list[Json]:
    """The command list; its shape (a list, or null for none, of objects with a name) is checked against
    Discord's description before the handler runs."""
    return (await request_body(request)).json() or []
