"""Public threads started from a message: the route a bot uses to open a discussion under a post."""

from __future__ import annotations

import dataclasses
import datetime

from aiohttp import web

from . import errors
from .access import require_bot_permissions
from .http_app import RouteTable
from .models import Json
from .payloads import timestamp
from .permissions import Permission
from .rest_support import json_reply, request_body, snowflake_param
from .state import ServerState

PUBLIC_THREAD = 11


@dataclasses.dataclass(frozen=True)
class Thread:
    id: int
    guild_id: int
    parent_id: int
    message_id: int
    owner_id: int
    name: str
    auto_archive_duration: int
    created_at: datetime.datetime


class ThreadRoutes:
    def __init__(self, state: ServerState) -> None:
        self._state = state
        self.threads: dict[int, Thread] = {}  # by the message they were started from

    def register(self, routes: RouteTable) -> None:
        routes.add("POST", "/channels/{c}/messages/{m}/threads", self.start_thread_from_message)

    async def start_thread_from_message(self, request: web.Request) -> web.Response:
        """Needs Create Public Threads; one thread per message."""
        channel = self._state.channel(snowflake_param(request, "c"))
        require_bot_permissions(self._state, channel, Permission.CREATE_PUBLIC_THREADS)
        message = self._state.message_in(channel, snowflake_param(request, "m"))
        # The name's length and the archive duration are checked against Discord's description.
        body: Json = (await request_body(request)).json()
        name = body["name"]
        duration = int(body.get("auto_archive_duration") or 1440)
        if message.id in self.threads:
            raise errors.DiscordError(400, 160004, "A thread has already been created for this message")
        now = datetime.datetime.now(datetime.UTC)
        thread = Thread(
            message.id, channel.guild_id, channel.id, message.id, self._state.bot_user.id, name, duration, now
        )
        self.threads[message.id] = thread
        return json_reply(thread_payload(thread), status=201)


def thread_payload(thread: Thread) -> Json:
    """A thread started from a message shares the message's id, as on Discord."""
    return {
        "id": str(thread.id),
        "type": PUBLIC_THREAD,
        "guild_id": str(thread.guild_id),
        "parent_id": str(thread.parent_id),
        "owner_id": str(thread.owner_id),
        "name": thread.name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "total_message_sent": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": thread.auto_archive_duration,
            "archive_timestamp": timestamp(thread.created_at),
            "locked": False,
            "create_timestamp": timestamp(thread.created_at),
        },
    }
