"""A loopback, Discord-shaped server (REST + gateway on 127.0.0.1) for end-to-end tests
that run the real discord.py client.

Point discord.py at it with ``discord.http.Route.BASE = server.api_base`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)``.

Discord behaviours the server enforces, with Discord's status codes and error bodies:

* Message limits (channel messages, edits, interaction responses, follow-ups): content
  <= 2000 characters; <= 10 embeds; embed title <= 256, description <= 4096, <= 25
  fields, field name <= 256 and value <= 1024 (both non-empty), footer text <= 2048,
  author name <= 256, <= 6000 characters across all embeds of a message -> 400 50035
  Invalid Form Body with the offending field path in ``errors``. A message with no
  content, embeds or attachments -> 400 50006. ``allowed_mentions`` mixing ``parse``
  with an explicit id list of the same kind -> 400 50035. Replying to an unknown
  message -> 400 50035 unless ``fail_if_not_exists`` is false.
* Reactions: <= 20 distinct emoji per message (a 21st -> 400 30010); reaction users
  are listed by ascending user id, paged with ``after``, ``limit`` 1-100 (default 25).
* Bot permissions per channel (Discord's algorithm: @everyone, roles, Administrator,
  then overwrites for @everyone, roles and the member; no View Channel denies
  everything; no Send Messages also removes Embed Links, Attach Files and Mention
  Everyone). Without View Channel -> 403 50001 Missing Access; otherwise a missing
  permission -> 403 50013: Send Messages to post (or trigger typing), Attach Files to
  upload, Read Message History to fetch a message, reply, list reaction users or react
  at all (history without it is an empty list, as on Discord), Add Reactions to add an
  emoji not yet on the message, Manage Messages to delete others' messages or remove
  others' reactions. Editing another user's message -> 403 50005.
* Without Embed Links a message is still posted but its embeds are silently dropped,
  as Discord does.
* Interaction responses and follow-ups are webhook executions: no channel permission
  checks. The initial response must come within the deadline (default 3 s) -> else
  404 10062 Unknown interaction; a second initial response -> 400 40060 "Interaction has
  already been acknowledged."; a callback type that does not fit the interaction
  -> 400 50035; follow-ups before the acknowledgement -> 404 10015 Unknown Webhook.
  Ephemeral (flags & 64) messages never appear in the channel. The first follow-up after
  a deferral replaces the "thinking" message and keeps the deferral's visibility: after a
  public defer it is posted in the channel whatever its flags (later ones may be ephemeral).
  Autocomplete answers: at most 25 choices, names of 1 to 100 characters (from the spec) and
  string values of at most 100 (Discord's documentation; its description says 6000).
* Message components (see ``components``): <= 5 action rows, each 1-5 buttons or one
  string select; custom ids <= 100 characters and unique in the message; a select holds
  1-25 options (label, value, description <= 100 each, values unique), ``min_values``
  0-25, ``max_values`` 1-25 and at most the options -> 400 50035. ``click``/``select``
  send a component interaction (type 3) only for what a user could do (an enabled
  component of that type, listed values within min/max; ``ComponentError`` otherwise); it
  may be answered 4, 5, 6 (deferred update: ``@original`` is then the component's
  message) or 7 (update that message in place; an ephemeral one stays ephemeral).
* Pings: every created message records who Discord would notify (``message.pings``),
  from its content and ``allowed_mentions`` (see ``mentions``), plus the replied-to
  author for replies.
* Threads: starting a public thread from a message needs Create Public Threads (403
  50013 otherwise), a name of 1 to 100 characters and an archive duration Discord offers
  (400 50035 otherwise), and works once per message (400 160004 the second time).
* Rate limits: reaction PUT/DELETE routes share one bucket per channel allowing one
  request per 250 ms, advertised with ``X-RateLimit-*`` headers; an early request gets
  429 with ``Via``, ``Retry-After`` and ``{"code": 0, "message", "retry_after", "global"}``. Other routes send
  generous headers.
* Auth: bot routes need ``Authorization: Bot <token>`` (401 otherwise).
* Slash commands: ``invoke``/``autocomplete`` build INTERACTION_CREATE only for commands
  registered through the bulk-overwrite routes, with values checked against the
  registered schema (types, required options, choices, min/max) like Discord's client.
* Gateway: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeat ACKs, intents (events
  are only sent for the intents identified with; without Message Content, other users'
  messages arrive with empty content unless they mention the bot; without Guild
  Presences, GUILD_CREATE lists only the bot and op 8 serves member chunks), RESUME
  with replay of missed events, op 9 invalid session. A client closing with 1000/1001
  ends its session.
* Shards: ``FakeDiscord(shard_count=N)`` recommends N in ``GET /gateway/bot``; one session
  per shard (from any number of clients or processes), each guild's events (GUILD_CREATE,
  READY's guild list, messages, reactions, interactions, member chunks) go only to shard
  ``(guild_id >> 22) % N``, and READY echoes ``shard``. An IDENTIFY with fewer shards than
  N (or none, when N > 1) is closed with 4011 Sharding required; a shard id outside
  ``[0, N)``, another count or a malformed ``shard`` with 4010 Invalid shard.
* Discord's published API description (``tests/discord_spec/openapi.json``, see ``spec``):
  a path Discord does not have -> 404 ``{"code": 0, "message": "404: Not Found"}``, a
  method it does not have on that path -> 405 ``{"code": 0, "message": "405: Method Not
  Allowed"}``; path and query parameters and the JSON body (or a multipart form's
  ``payload_json``) are checked against the documented schemas -> 400 50035 Invalid Form
  Body with Discord's errors tree (e.g. ``Value "x" is not snowflake.``, ``This field is
  required``); unknown query parameters and body fields are ignored, as on Discord. A route
  Discord has but this server does not serve -> 404, and the gap is kept in
  ``internal_errors``. Every answer (but 5xx) is checked against the documented response
  schema for its status; a mismatch is kept in ``internal_errors`` as ``SpecMismatch``, so
  a test that asserts that list is empty fails on it.
* Unknown channel, message, user, member, guild -> 404 with 10003, 10008, 10013, 10007,
  10004.
"""

from .command_options import CommandNotRegistered
from .faults import FaultRule
from .http_app import RequestRecord
from .interactions import InteractionCallback, InteractionRecord
from .models import ApplicationCommand, Guild, Message, Pings, Role, TextChannel, User
from .permissions import QUIZ_BOT_PERMISSIONS, Permission
from .server import FakeDiscord

__all__ = [
    "QUIZ_BOT_PERMISSIONS",
    "ApplicationCommand",
    "CommandNotRegistered",
    "FakeDiscord",
    "FaultRule",
    "Guild",
    "InteractionCallback",
    "InteractionRecord",
    "Message",
    "Permission",
    "Pings",
    "RequestRecord",
    "Role",
    "TextChannel",
    "User",
]
