"""Channel and message routes used by a bot: fetch, history, send, edit, delete."""

from __future__ import annotations

from aiohttp import web

from . import errors
from .access import require_bot_permissions
from .http_app import RouteTable
from .models import Message, TextChannel
from .payloads import channel_payload
from .permissions import Permission
from .rest_support import int_query, json_reply, no_content, read_message_body, snowflake_param
from .state import ServerState


class MessageRoutes:
    def __init__(self, state: ServerState) -> None:
        self._state = state

    def register(self, routes: RouteTable) -> None:
        routes.add("GET", "/channels/{c}", self.get_channel)
        routes.add("GET", "/channels/{c}/messages", self.get_history)
        routes.add("POST", "/channels/{c}/messages", self.create_message)
        routes.add("POST", "/channels/{c}/typing", self.trigger_typing)
        routes.add("GET", "/channels/{c}/messages/{m}", self.get_message)
        routes.add("PATCH", "/channels/{c}/messages/{m}", self.edit_message)
        routes.add("DELETE", "/channels/{c}/messages/{m}", self.delete_message)

    def _channel(self, request: web.Request) -> TextChannel:
        return self._state.channel(snowflake_param(request, "c"))

    def _message(self, request: web.Request, channel: TextChannel) -> Message:
        return self._state.message_in(channel, snowflake_param(request, "m"))

    async def get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        require_bot_permissions(self._state, channel)
        history = self._state.channel_messages[channel.id]
        return json_reply(channel_payload(channel, last_message_id=history[-1].id if history else None))

    async def get_history(self, request: web.Request) -> web.Response:
        """Newest first; ``after`` pages forward. Without Read Message History Discord returns []."""
        channel = self._channel(request)
        granted = require_bot_permissions(self._state, channel)
        limit = int_query(request, "limit", default=50)
        if not granted & Permission.READ_MESSAGE_HISTORY:
            return json_reply([])
        visible = [m for m in self._state.channel_messages[channel.id] if not m.deleted]
        if "after" in request.query:
            after = int(request.query["after"])
            page = [m for m in visible if m.id > after][:limit]
        else:
            before = int(request.query.get("before", 0)) or None
            page = [m for m in visible if before is None or m.id < before][-limit:]
        return json_reply([self._state.render(message) for message in reversed(page)])

    async def get_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        require_bot_permissions(self._state, channel, Permission.READ_MESSAGE_HISTORY)
        return json_reply(self._state.render(self._message(request, channel)))

    async def create_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        granted = require_bot_permissions(self._state, channel, Permission.SEND_MESSAGES)
        body, uploads = await read_message_body(request)
        if uploads and not granted & Permission.ATTACH_FILES:
            raise errors.missing_permissions()
        if body.get("message_reference") and not granted & Permission.READ_MESSAGE_HISTORY:
            raise errors.missing_permissions()
        message = self._state.build_message(
            channel,
            self._state.bot_user,
            body,
            attachments=self._state.make_attachments(channel, uploads),
            drop_embeds=not granted & Permission.EMBED_LINKS,
        )
        self._state.publish(message)
        return json_reply(self._state.render(message))

    async def trigger_typing(self, request: web.Request) -> web.Response:
        require_bot_permissions(self._state, self._channel(request), Permission.SEND_MESSAGES)
        return no_content()

    async def edit_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        granted = require_bot_permissions(self._state, channel)
        message = self._message(request, channel)
        # Interaction responses are webhook messages the bot may still edit here (no 15-minute
        # token limit); other webhooks' messages it may not.
        is_foreign_webhook = message.webhook_id is not None and message.interaction_id is None
        if message.author.id != self._state.bot_user.id or is_foreign_webhook:
            raise errors.cannot_edit_others_message()
        body, _ = await read_message_body(request)
        self._state.edit_message(message, body, drop_embeds=not granted & Permission.EMBED_LINKS)
        return json_reply(self._state.render(message))

    async def delete_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        granted = require_bot_permissions(self._state, channel)
        message = self._message(request, channel)
        if message.author.id != self._state.bot_user.id and not granted & Permission.MANAGE_MESSAGES:
            raise errors.missing_permissions()
        self._state.delete_message(message)
        return no_content()
