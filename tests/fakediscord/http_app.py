"""The aiohttp application: routing, request log, auth, injected faults, rate limits and
the checks against Discord's published API description.

Handlers only implement behaviour; this middleware gives every REST answer Discord's
envelope (exact JSON content type, error bodies, rate-limit headers), rejects requests the
description does not allow (404/405, or 400 50035 with the errors tree), holds every answer
to the documented response schema (a mismatch is kept in ``internal_errors``) and records it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .errors import DiscordError, invalid_form_body, not_found_route, unauthorized
from .faults import FaultInjector
from .ratelimits import RateLimited, ReactionRateLimiter, generous_headers
from .rest_support import RequestBody, json_reply, request_body, snowflake_param
from .spec import Operation, SpecMismatch, discord_spec

API_PREFIX = "/api/v10"
GATEWAY_PATH = "/gateway"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclasses.dataclass(frozen=True)
class RequestRecord:
    """One REST request as the server saw it.

    ``template`` uses the short placeholder names of the route table, e.g.
    ``/channels/{c}/messages/{m}/reactions/{e}/@me``; ``route`` prefixes the method.
    ``at`` is ``time.monotonic()`` when the request arrived; ``peer``, the client's end of the TCP
    connection it came on (each connection has its own; on Discord each is a TLS handshake).
    """

    method: str
    path: str
    template: str
    status: int
    at: float
    query: dict[str, str]
    body: Any
    peer: tuple[str, int] | None

    @property
    def route(self) -> str:
        return f"{self.method} {self.template}"


class RouteTable:
    """Registers handlers under the API prefix and remembers which are special."""

    def __init__(self, app: web.Application) -> None:
        self._app = app
        self.unauthenticated: set[str] = set()
        self.reaction_limited: set[str] = set()

    def add(
        self,
        method: str,
        template: str,
        handler: Handler,
        *,
        authenticated: bool = True,
        reaction_bucket: bool = False,
    ) -> None:
        """``authenticated=False`` for webhook-token routes; ``reaction_bucket`` for reaction writes."""
        self._app.router.add_route(method, API_PREFIX + template, handler)
        key = f"{method} {template}"
        if not authenticated:
            self.unauthenticated.add(key)
        if reaction_bucket:
            self.reaction_limited.add(key)


def _template(request: web.Request) -> str | None:
    resource = request.match_info.route.resource
    if resource is None or not resource.canonical.startswith(API_PREFIX):
        return None
    return resource.canonical.removeprefix(API_PREFIX)


class NotServed(Exception):
    """The bot used a route Discord has and the loopback Discord does not implement."""


class RestMiddleware:
    """The per-request pipeline; see the module docstring."""

    def __init__(
        self,
        routes: RouteTable,
        faults: FaultInjector,
        reaction_limiter: ReactionRateLimiter,
        log: list[RequestRecord],
        internal_errors: list[Exception],
        token: str | None,
    ) -> None:
        self._routes = routes
        self._faults = faults
        self._limiter = reaction_limiter
        self._log = log
        self._internal_errors = internal_errors
        self._token = token
        self._spec = discord_spec()

    @web.middleware
    async def handle(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == GATEWAY_PATH:
            return await handler(request)
        if self._faults.refusing:  # as if Discord were unreachable: the client sees the connection drop
            self._faults.refused += 1
            request.transport.close()
            return web.Response(status=503)
        arrived = time.monotonic()
        peer = request.transport.get_extra_info("peername") if request.transport else None
        template = _template(request)
        body = RequestBody(None, [])
        operation: Operation | None = None
        try:
            body = await request_body(request)
            if not request.path.startswith(API_PREFIX + "/"):
                raise not_found_route()
            operation, path_values = self._spec.operation(request.method, request.path.removeprefix(API_PREFIX))
            response = await self._respond(request, handler, template, operation, path_values, body)
        except DiscordError as error:
            response = json_reply(error.body(), status=error.status)
        except RateLimited as limited:
            response = json_reply(limited.body(), status=429, headers=limited.headers)
        except Exception as bug:
            # Not 500: discord.py retries 5xx for ~25 s before failing. A 400 fails the
            # bot's call at once, and the exception is kept for the test to inspect.
            self._internal_errors.append(bug)
            response = json_reply({"code": 0, "message": f"fakediscord internal error: {bug!r}"}, status=400)
        if operation is not None and operation.served:
            self._check_response(operation, request, response)
        if delay := self._faults.delay(request.method, template or "", request.path.removeprefix(API_PREFIX)):
            await asyncio.sleep(delay)  # done, but the caller hears of it late: its events arrive first
        self._log.append(
            RequestRecord(
                method=request.method,
                path=request.path.removeprefix(API_PREFIX),
                template=template or request.path.removeprefix(API_PREFIX),
                status=response.status,
                at=arrived,
                query=dict(request.query),
                body=_decode(body.text),
                peer=peer,
            )
        )
        return response

    async def _respond(
        self,
        request: web.Request,
        handler: Handler,
        template: str | None,
        operation: Operation,
        path_values: dict[str, str],
        body: RequestBody,
    ) -> web.StreamResponse:
        if template is None or not operation.served:
            self._internal_errors.append(
                NotServed(f"{operation} is in Discord's API but not served by fakediscord (see strip.py SERVED)")
            )
            raise not_found_route()
        key = f"{request.method} {template}"
        if key not in self._routes.unauthenticated:
            self._authenticate(request)
        failure = self._faults.take(request.method, template, request.path.removeprefix(API_PREFIX))
        if failure is not None:
            raise failure
        if key in self._routes.reaction_limited:
            headers = self._limiter.acquire(snowflake_param(request, "c"))
        else:
            headers = generous_headers(template)
        try:
            form_errors = operation.check_request(path_values, request.query, body.json())
            if form_errors:
                raise invalid_form_body(form_errors)
            response = await handler(request)
        except DiscordError as error:
            response = json_reply(error.body(), status=error.status)
        response.headers.update(headers)
        return response

    def _check_response(self, operation: Operation, request: web.Request, response: web.StreamResponse) -> None:
        """Discord's description does not cover 5xx answers (its servers failing), so neither does this."""
        if response.status >= 500 or not isinstance(response, web.Response):
            return
        mismatches = operation.check_response(response.status, response.body or b"")
        if mismatches:
            where = f"{request.method} {request.path} -> {response.status}"
            self._internal_errors.append(SpecMismatch(f"{where} ({operation.operation_id}): {'; '.join(mismatches)}"))

    def _authenticate(self, request: web.Request) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bot" or not token or (self._token is not None and token != self._token):
            raise unauthorized()


def _decode(text: str | None) -> Any:
    """The JSON body for the log; malformed bodies are kept as text."""
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
