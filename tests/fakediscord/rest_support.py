"""Shared helpers for REST handlers: exact JSON responses, body parsing, path parameters."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from aiohttp import web

from .errors import DiscordError
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


def int_query(request: web.Request, name: str, *, default: int) -> int:
    """An integer query parameter; its type and range were checked against Discord's description."""
    raw = request.query.get(name)
    return default if raw is None else int(raw)


@dataclasses.dataclass(frozen=True)
class RequestBody:
    """A request body as Discord reads it: the JSON text (plain, or a multipart form's
    ``payload_json``; ``None`` without one) and the uploaded files."""

    text: str | None
    uploads: list[tuple[str, bytes]]

    def json(self) -> Any:
        if self.text is None:
            return None
        try:
            return json.loads(self.text)
        except json.JSONDecodeError:
            raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None


_BODY_KEY = web.RequestKey("fakediscord.body", RequestBody)


async def request_body(request: web.Request) -> RequestBody:
    """Read once, for the middleware's checks and then the handler (a multipart stream reads only once)."""
    if _BODY_KEY not in request:
        request[_BODY_KEY] = await _read_body(request)
    return request[_BODY_KEY]


async def _read_body(request: web.Request) -> RequestBody:
    if not request.body_exists:
        return RequestBody(None, [])
    if not request.content_type.startswith("multipart/"):
        text = await request.text() if request.content_type == JSON_CONTENT_TYPE else None
        return RequestBody(text, [])
    text = None
    uploads: list[tuple[str, bytes]] = []
    reader = await request.multipart()
    async for part in reader:
        if part.name == "payload_json":
            text = await part.text()
        elif part.filename is not None:
            uploads.append((part.filename, bytes(await part.read())))
    return RequestBody(text, uploads)


async def read_message_body(request: web.Request) -> tuple[Json, list[tuple[str, bytes]]]:
    """A message create/edit body: plain JSON, or multipart with ``payload_json`` plus files."""
    body = await request_body(request)
    data = body.json()
    return (data if isinstance(data, dict) else {}), body.uploads
