"""Interaction callbacks and the interaction webhook (original response and follow-ups).

These routes authenticate by interaction token, not bot token, and are not subject to
channel Send Messages / Embed Links: Discord treats them as webhook executions.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from aiohttp import web

from . import errors
from .http_app import RouteTable
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    InteractionCallback,
    InteractionRecord,
    InteractionRegistry,
)
from .models import EPHEMERAL_FLAG, LOADING_FLAG, Json, Message
from .payloads import component_metadata_payload, interaction_metadata_payload
from .rest_support import json_reply, no_content, read_message_body, snowflake_param
from .state import ServerState

CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9
CHAT_INPUT_COMMAND_MESSAGE = 20
MAX_CHOICE_VALUE = 100

_VALID_CALLBACKS = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MESSAGE_COMPONENT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE, MODAL},
}


class InteractionRoutes:
    def __init__(self, state: ServerState, registry: InteractionRegistry, *, response_deadline: float) -> None:
        self._state = state
        self._registry = registry
        self._deadline = response_deadline

    def register(self, routes: RouteTable) -> None:
        routes.add("POST", "/interactions/{i}/{token}/callback", self.callback, authenticated=False)
        hook = "/webhooks/{app}/{token}"
        routes.add("POST", hook, self.create_followup, authenticated=False)
        for suffix in ("/messages/@original", "/messages/{m}"):
            routes.add("GET", hook + suffix, self.get_message, authenticated=False)
            routes.add("PATCH", hook + suffix, self.edit_message, authenticated=False)
            routes.add("DELETE", hook + suffix, self.delete_message, authenticated=False)

    # -- initial response -------------------------------------------------------------

    async def callback(self, request: web.Request) -> web.Response:
        record = self._registry.by_id(snowflake_param(request, "i"))
        if record is None or record.token != request.match_info["token"]:
            raise errors.unknown_interaction()
        if record.response is not None:
            raise errors.already_acknowledged()
        if time.monotonic() - record.created_at > self._deadline:
            raise errors.unknown_interaction()
        body, uploads = await read_message_body(request)
        callback_type = int(body.get("type", 0))
        data = body.get("data")
        if callback_type not in _VALID_CALLBACKS[record.kind]:
            leaf = errors.field_error("INTERACTION_CALLBACK_TYPE_INVALID", "Invalid interaction callback type.")
            raise errors.invalid_form_body({"type": leaf})
        message = self._respond(record, callback_type, data or {}, uploads)
        record.record_response(InteractionCallback(callback_type, data, time.monotonic()))
        return json_reply(self._callback_response(record, callback_type, message))

    def _respond(
        self,
        record: InteractionRecord,
        callback_type: int,
        data: Json,
        uploads: Sequence[tuple[str, bytes]],
    ) -> Message | None:
        if callback_type == AUTOCOMPLETE_RESULT:
            _validate_choices(data.get("choices") or [])
            return None
        if callback_type == MODAL:
            return None
        if callback_type in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            # The component's own message: updated now (7) or later through @original (6).
            assert record.message is not None
            if callback_type == UPDATE_MESSAGE:
                self._state.edit_message(record.message, data, error_path=("data",))
            record.original = record.message
            return record.message
        flags = int(data.get("flags") or 0) & EPHEMERAL_FLAG
        if callback_type == DEFERRED_CHANNEL_MESSAGE:
            data = {"flags": flags | LOADING_FLAG}
        message = self._build(record, data, error_path=("data",), uploads=uploads)
        record.original = message
        return message

    def _build(
        self,
        record: InteractionRecord,
        body: Json,
        *,
        error_path: tuple[str, ...],
        uploads: Sequence[tuple[str, bytes]] = (),
    ) -> Message:
        state = self._state
        message = state.build_message(
            record.channel,
            state.bot_user,
            body,
            attachments=state.make_attachments(record.channel, uploads),
            error_path=error_path,
            message_type=CHAT_INPUT_COMMAND_MESSAGE,
            webhook_id=state.application_id,
        )
        message.interaction_id = record.id
        if message.ephemeral:
            state.remember(message)
        else:
            state.publish(message, interaction_metadata=self._metadata(record))
        return message

    def _metadata(self, record: InteractionRecord) -> Json:
        if record.message is not None:
            return component_metadata_payload(record.id, record.user, record.channel.guild_id, record.message.id)
        assert record.command is not None
        return interaction_metadata_payload(record.id, record.user, record.channel.guild_id, record.command.name)

    def _callback_response(self, record: InteractionRecord, callback_type: int, message: Message | None) -> Json:
        """The ``with_response`` answer; Discord includes the message only when one was sent (type 4)."""
        interaction: Json = {"id": str(record.id), "type": record.kind, "activity_instance_id": None}
        if message is not None:
            interaction["response_message_id"] = str(message.id)
            interaction["response_message_loading"] = callback_type == DEFERRED_CHANNEL_MESSAGE
            interaction["response_message_ephemeral"] = message.ephemeral
        resource: Json = {"type": callback_type}
        if message is not None and callback_type in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
            resource["message"] = self._state.render(message, interaction_metadata=self._metadata(record))
        return {"interaction": interaction, "resource": resource}

    # -- webhook: original response and follow-ups -----------------------------------

    def _acknowledged(self, request: web.Request) -> InteractionRecord:
        """The interaction behind a webhook token; usable only once it was acknowledged."""
        record = self._registry.by_token(request.match_info["token"])
        if record is None or record.response is None or snowflake_param(request, "app") != self._state.application_id:
            raise errors.unknown_webhook()
        return record

    def _addressed(self, request: web.Request, record: InteractionRecord) -> Message:
        if "m" not in request.match_info:
            message = record.original
        else:
            message_id = snowflake_param(request, "m")
            message = next((m for m in record.followups if m.id == message_id), None)
            if record.original is not None and record.original.id == message_id:
                message = record.original
        if message is None or message.deleted:
            raise errors.unknown_message()
        return message

    async def create_followup(self, request: web.Request) -> web.Response:
        """A new message, except that the first follow-up after a deferral replaces the "thinking"
        message and keeps its visibility, as on Discord: after a public defer it is public whatever
        its flags say."""
        record = self._acknowledged(request)
        body, uploads = await read_message_body(request)
        original = record.original
        if original is not None and original.flags & LOADING_FLAG and not original.deleted:
            self._edit(record, original, body, uploads)
            message = original
        else:
            message = self._build(record, body, error_path=(), uploads=uploads)
        record.followups.append(message)
        if request.query.get("wait", "").lower() not in ("1", "true"):
            return no_content()
        return json_reply(self._state.render(message, interaction_metadata=self._metadata(record)))

    async def get_message(self, request: web.Request) -> web.Response:
        record = self._acknowledged(request)
        message = self._addressed(request, record)
        return json_reply(self._state.render(message, interaction_metadata=self._metadata(record)))

    async def edit_message(self, request: web.Request) -> web.Response:
        record = self._acknowledged(request)
        message = self._addressed(request, record)
        body, uploads = await read_message_body(request)
        self._edit(record, message, body, uploads)
        return json_reply(self._state.render(message, interaction_metadata=self._metadata(record)))

    def _edit(
        self, record: InteractionRecord, message: Message, body: Json, uploads: Sequence[tuple[str, bytes]]
    ) -> None:
        if uploads:
            body = body | {"attachments": self._state.make_attachments(record.channel, uploads)}
        self._state.edit_message(message, body)

    async def delete_message(self, request: web.Request) -> web.Response:
        record = self._acknowledged(request)
        self._state.delete_message(self._addressed(request, record))
        return no_content()


def _validate_choices(choices: list[Json]) -> None:
    """Their count and name lengths are checked against Discord's description; its documentation
    also limits a string value to 100 characters (the description says 6000)."""
    for index, choice in enumerate(choices):
        value = (choice or {}).get("value")
        if isinstance(value, str) and len(value) > MAX_CHOICE_VALUE:
            leaf = errors.field_error("BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CHOICE_VALUE} or fewer in length.")
            raise errors.invalid_form_body({"data": {"choices": {str(index): {"value": leaf}}}})
