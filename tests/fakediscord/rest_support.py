"""Shared helpers for REST handlers: exact JSON responses, body parsing, path parameters."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .errors import DiscordError, field_error, invalid_form_body
from .models import Json

JSON_CONTENT_TYPE = "application/json"
"""Exactly this: discord.py compares the header verbatim, so no ``; charset=...`` suffix."""


def json_reply(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # ``body=`` bytes, not ``text=``: aiohttp appends a charset to the content type for text.
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        headers={"Content-Type": JSON_CONTENT_TYPE, **(headers or {})},
    )


def no_content() -> web.Response:
    return web.Response(status=204)


def snowflake_param(request: web.Request, name: str) -> int:
    """A numeric path segment; Discord answers 404 for a non-snowflake id."""
    raw = request.match_info[name]
    if not raw.isdigit():
        raise DiscordError(404, 0, "404: Not Found")
    return int(raw)


def int_query(request: web.Request, name: str, *, default: int, low: int, high: int) -> int:
    """An integer query parameter, rejected like Discord when outside ``[low, high]``."""
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_form_body({name: field_error("NUMBER_TYPE_COERCE", f'Value "{raw}" is not int.')}) from None
    if value < low:
        raise invalid_form_body(
            {name: field_error("NUMBER_TYPE_MIN", f"int value should be greater than or equal to {low}.")}
        )
    if value > high:
        raise invalid_form_body(
            {name: field_error("NUMBER_TYPE_MAX", f"int value should be less than or equal to {high}.")}
        )
    return value


async def _read_json(request: web.Request) -> Json:
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None
    return body if isinstance(body, dict) else {}


async def read_message_body(request: web.Request) -> tuple[Json, list[tuple[str, bytes]]]:
    """A message create/edit body: plain JSON, or multipart with ``payload_json`` plus files."""
    if not request.content_type.startswith("multipart/"):
        return await _read_json(request), []
    body: Json = {}
    uploads: list[tuple[str, bytes]] = []
    reader = await request.multipart()
    async for part in reader:
        if part.name == "payload_json":
            body = json.loads(await part.text())
        elif part.filename is not None:
            uploads.append((part.filename, bytes(await part.read())))
    return body, uploads
