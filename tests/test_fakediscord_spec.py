"""The loopback Discord held to Discord's published API description (tests/discord_spec).

Tables check the compiled description directly; end-to-end tests send requests through the
real discord.py client and read what the server answered and recorded.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands
from discord.http import Route
from discord_spec.strip import DEFAULT_SOURCE, SERVED, TARGET, dump, strip_document
from fakediscord import FakeDiscord, Guild, TextChannel
from fakediscord.clients import wait_ready
from fakediscord.spec import SpecMismatch, discord_spec

# -- the vendored description ------------------------------------------------------------


@pytest.mark.skipif(not DEFAULT_SOURCE.exists(), reason="Discord's full description is not beside the repository")
def test_vendored_description_is_what_strip_py_makes_of_the_source() -> None:
    stripped = dump(strip_document(json.loads(DEFAULT_SOURCE.read_text(encoding="utf-8"))))

    assert stripped == TARGET.read_text(encoding="utf-8"), "rerun: python tests/discord_spec/strip.py"


def test_vendored_description_has_no_prose() -> None:
    document = json.loads(TARGET.read_text(encoding="utf-8"))
    text = json.dumps([document["paths"], document["components"]], separators=(",", ":"))

    # "description" and "title" survive as field names (an embed's), never with prose as their value.
    assert not re.search(r'"(description|summary|title|format)":"', text)


def _normalised(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", template)


async def test_fakediscord_serves_exactly_the_operations_strip_py_keeps(server: FakeDiscord) -> None:
    served = {
        f"{route.method} {_normalised(route.resource.canonical.removeprefix('/api/v10'))}"
        for route in server._app.router.routes()
        if route.resource is not None and route.resource.canonical.startswith("/api/v10/")
    }
    kept = {f"{op.method} {_normalised(op.path)}" for op in discord_spec().operations() if op.served}

    assert served == kept
    assert {op.operation_id for op in discord_spec().operations() if op.served} == SERVED


# -- requests --------------------------------------------------------------------------------


def _leaf(code: str, message: str) -> dict[str, Any]:
    return {"_errors": [{"code": code, "message": message}]}


@pytest.mark.parametrize(
    ("method", "path", "query", "body", "errors"),
    [
        ("POST", "/channels/1/messages", {}, {"content": "hi"}, {}),
        # Discord reads snowflakes sent as numbers and integers sent as digit strings.
        ("POST", "/channels/1/messages", {}, {"content": "hi", "message_reference": {"message_id": 5}}, {}),
        ("PUT", "/applications/1/commands", {}, [{"name": "quiz", "default_member_permissions": "8192"}], {}),
        (
            "POST",
            "/channels/1/messages",
            {},
            {"content": 5},
            {"content": _leaf("STRING_TYPE_CONVERT", 'Could not interpret "5" as string.')},
        ),
        (
            "POST",
            "/channels/1/messages",
            {},
            {"embeds": [{"title": "t" * 257, "fields": [{"name": "n"}]}]},
            {
                "embeds": {
                    "0": {
                        "title": _leaf("BASE_TYPE_MAX_LENGTH", "Must be 256 or fewer in length."),
                        "fields": {"0": {"value": _leaf("BASE_TYPE_REQUIRED", "This field is required")}},
                    }
                }
            },
        ),
        (
            "POST",
            "/channels/1/messages",
            {},
            {"allowed_mentions": {"parse": ["nobody"]}},
            {
                "allowed_mentions": {
                    "parse": {"0": _leaf("BASE_TYPE_CHOICES", "Value must be one of {users, roles, everyone}.")}
                }
            },
        ),
        (
            "POST",
            "/channels/1/messages",
            {},
            {"message_reference": {"channel_id": "1"}},
            {"message_reference": {"message_id": _leaf("BASE_TYPE_REQUIRED", "This field is required")}},
        ),
        (
            "GET",
            "/channels/general/messages",
            {"limit": "500", "after": "x"},
            None,
            {
                "channel_id": _leaf("NUMBER_TYPE_COERCE", 'Value "general" is not snowflake.'),
                "after": _leaf("NUMBER_TYPE_COERCE", 'Value "x" is not snowflake.'),
                "limit": _leaf("NUMBER_TYPE_MAX", "int value should be less than or equal to 100."),
            },
        ),
        ("GET", "/channels/1/messages", {"limit": "50", "unknown": "ignored"}, None, {}),
        (
            "POST",
            "/interactions/1/token/callback",
            {"with_response": "1"},
            {"type": 4, "data": {"content": "x" * 2001}},
            {"data": {"content": _leaf("BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")}},
        ),
        (
            "POST",
            "/interactions/1/token/callback",
            {},
            {"type": 3},
            {"type": _leaf("BASE_TYPE_CHOICES", "Value must be one of {1, 4, 5, 6, 7, 8, 9, 12, 13}.")},
        ),
        (
            "POST",
            "/channels/1/messages/2/threads",
            {},
            {"name": "", "auto_archive_duration": 30},
            {
                "name": _leaf("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."),
                "auto_archive_duration": _leaf("BASE_TYPE_CHOICES", "Value must be one of {60, 1440, 4320, 10080}."),
            },
        ),
        (
            "POST",
            "/channels/1/messages/2/threads",
            {},
            None,
            {"name": _leaf("BASE_TYPE_REQUIRED", "This field is required")},
        ),
    ],
)
def test_request_check_gives_discords_errors_tree(
    method: str, path: str, query: dict[str, str], body: Any, errors: dict[str, Any]
) -> None:
    operation, path_values = discord_spec().operation(method, path)

    assert operation.check_request(path_values, query, body) == errors


@pytest.mark.parametrize(
    ("method", "path", "operation_id"),
    [
        ("GET", "/users/@me", "get_my_user"),
        ("GET", "/users/42", "get_user"),
        ("PATCH", "/webhooks/1/token/messages/@original", "update_original_webhook_message"),
        ("PATCH", "/webhooks/1/token/messages/3", "update_webhook_message"),
        ("PUT", "/channels/1/messages/2/reactions/%F0%9F%87%A6/@me", "add_my_message_reaction"),
        ("DELETE", "/channels/1/messages/2/reactions/🇦/7", "delete_user_message_reaction"),
    ],
)
def test_the_most_literal_route_wins(method: str, path: str, operation_id: str) -> None:
    operation, _ = discord_spec().operation(method, path)

    assert operation.operation_id == operation_id


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/channels/1/nonsense", 404), ("GET", "/nowhere", 404), ("POST", "/users/@me", 405)],
)
def test_routes_and_methods_discord_does_not_have(method: str, path: str, status: int) -> None:
    with pytest.raises(Exception) as refused:
        discord_spec().operation(method, path)

    assert getattr(refused.value, "status", None) == status


# -- answers ----------------------------------------------------------------------------------

USER = {
    "id": "1",
    "username": "ana",
    "discriminator": "0",
    "global_name": "ana",
    "avatar": None,
    "public_flags": 0,
    "flags": 0,
    "primary_guild": None,
}


@pytest.mark.parametrize(
    ("method", "path", "status", "body", "mismatches"),
    [
        ("GET", "/users/1", 200, USER, []),
        ("GET", "/users/1", 200, {k: v for k, v in USER.items() if k != "flags"}, ["(body): 'flags' is a required"]),
        ("GET", "/users/1", 201, USER, ["status 201 is not documented"]),
        ("GET", "/users/1", 404, {"code": 10013, "message": "Unknown User"}, []),
        ("GET", "/users/1", 429, {"message": "slow", "retry_after": 1, "global": False}, ["(body): 'code' is a"]),
        ("GET", "/users/1", 429, {"code": 0, "message": "slow", "retry_after": 1, "global": False}, []),
        ("DELETE", "/channels/1/messages/2", 204, None, []),
        ("DELETE", "/channels/1/messages/2", 204, {}, ["status 204 has no body on Discord"]),
        # Discord's documentation over its description: field errors carry string codes.
        ("POST", "/channels/1/messages", 400, {"code": 50035, "message": "Invalid Form Body", "errors": {}}, []),
        (
            "POST",
            "/channels/1/messages",
            400,
            {"code": 50035, "message": "Invalid Form Body", "errors": {"content": _leaf("BASE_TYPE_REQUIRED", "x")}},
            [],
        ),
    ],
)
def test_answer_check_names_what_discord_would_never_send(
    method: str, path: str, status: int, body: Any, mismatches: list[str]
) -> None:
    operation, _ = discord_spec().operation(method, path)
    raw = b"" if body is None else json.dumps(body).encode()

    found = operation.check_response(status, raw)

    assert len(found) == len(mismatches)
    assert all(found_one.startswith(expected) for found_one, expected in zip(found, mismatches, strict=True))


# -- end to end -------------------------------------------------------------------------------


@pytest.fixture
def guild(server: FakeDiscord) -> Guild:
    return server.add_guild("Study Group")


@pytest.fixture
def channel(server: FakeDiscord, guild: Guild) -> TextChannel:
    return server.add_text_channel(guild, "quiz")


@pytest.fixture
async def client(server: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[commands.Bot]:
    """A started discord.py bot on the loopback Discord (closed and awaited at teardown)."""
    monkeypatch.setattr(Route, "BASE", server.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    bot = commands.Bot(command_prefix="!", intents=discord.Intents(guilds=True), guild_ready_timeout=0.05)
    task = asyncio.create_task(bot.start("test-token"))
    await wait_ready(bot, task)
    yield bot
    await bot.close()
    await task


async def test_a_body_that_breaks_the_spec_is_refused_and_nothing_is_posted(
    server: FakeDiscord, channel: TextChannel, client: commands.Bot
) -> None:
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel.id)

    with pytest.raises(discord.HTTPException) as refused:
        await client.http.request(route, json={"content": "hi", "embeds": [{"title": 7}], "tts": "loud"})

    assert refused.value.status == 400 and refused.value.code == 50035
    assert "In embeds.0.title: Could not interpret" in refused.value.text
    assert 'In tts: Value "loud" is not bool.' in refused.value.text
    assert server.messages(channel) == []
    assert server.requests[-1].status == 400 and server.requests[-1].body["tts"] == "loud"


async def test_a_multipart_payload_json_is_checked_like_a_json_body(
    server: FakeDiscord, channel: TextChannel, client: commands.Bot
) -> None:
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel.id)
    upload = discord.File(io.BytesIO(b"id,label\n1,spam\n"), filename="data.csv")
    form = [
        {"name": "payload_json", "value": json.dumps({"content": "x", "attachments": "data.csv"})},
        {"name": "files[0]", "value": upload.fp, "filename": upload.filename, "content_type": "text/csv"},
    ]

    with pytest.raises(discord.HTTPException) as refused:
        await client.http.request(route, files=[upload], form=form)

    assert refused.value.code == 50035 and "In attachments: Only iterables" in refused.value.text
    assert server.messages(channel) == []


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        ("GET", "/channels/{channel_id}/nonsense", 404, "404: Not Found"),
        ("PUT", "/channels/{channel_id}/messages", 405, "405: Method Not Allowed"),
        ("GET", "/channels/{channel_id}/messages?limit=0", 400, "In limit: int value should be greater"),
    ],
)
async def test_routes_methods_and_queries_discord_does_not_have_are_refused(
    server: FakeDiscord, channel: TextChannel, client: commands.Bot, method: str, path: str, status: int, message: str
) -> None:
    with pytest.raises(discord.HTTPException) as refused:
        await client.http.request(Route(method, path, channel_id=channel.id))

    assert refused.value.status == status and message in refused.value.text


async def test_a_route_discord_has_but_fakediscord_lacks_is_named(
    server: FakeDiscord, channel: TextChannel, client: commands.Bot
) -> None:
    with pytest.raises(discord.NotFound):
        await client.http.request(Route("GET", "/channels/{channel_id}/pins", channel_id=channel.id))

    [gap] = server.internal_errors
    assert "GET /channels/{channel_id}/pins" in str(gap) and "not served by fakediscord" in str(gap)
    server.internal_errors.clear()


async def test_an_answer_that_breaks_the_spec_is_kept_as_an_internal_error(
    server: FakeDiscord, client: commands.Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fakediscord import rest_identity

    real = rest_identity.user_payload
    monkeypatch.setattr(rest_identity, "user_payload", lambda user: {**real(user), "flags": "none"})

    await client.fetch_user(server.bot_user.id)

    [mismatch] = server.internal_errors
    assert isinstance(mismatch, SpecMismatch)
    assert "(get_user)" in str(mismatch) and "flags: 'none' is not of type 'integer'" in str(mismatch)
    server.internal_errors.clear()


# -- the first follow-up after a deferral ----------------------------------------------------


@pytest.mark.parametrize(("ephemeral_defer", "in_channel"), [(False, True), (True, False)])
async def test_first_followup_after_a_defer_replaces_the_thinking_message_and_keeps_its_visibility(
    server: FakeDiscord,
    guild: Guild,
    channel: TextChannel,
    client: commands.Bot,
    ephemeral_defer: bool,
    in_channel: bool,
) -> None:
    @client.tree.command(name="check", description="Defer, then answer twice privately")
    async def check(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=ephemeral_defer, thinking=True)
        await interaction.followup.send("first, asked to be private", ephemeral=True)
        await interaction.followup.send("second, private", ephemeral=True)

    await client.tree.sync()
    member = server.add_member(guild, "ana")
    ix = await server.invoke(member, channel, "check")
    await server.wait_for(lambda: len(ix.followups) == 2)

    first, second = ix.followups
    assert [m.content for m in server.messages(channel)] == (["first, asked to be private"] if in_channel else [])
    assert first.ephemeral is not in_channel and second.ephemeral
    assert first is ix.original and first.content == "first, asked to be private"


@pytest.mark.parametrize(("length", "status"), [(100, 200), (101, 400)])
async def test_autocomplete_choice_values_are_held_to_discords_documented_100_characters(
    server: FakeDiscord, guild: Guild, channel: TextChannel, client: commands.Bot, length: int, status: int
) -> None:
    @client.tree.command(name="pick", description="Pick a question")
    async def pick(interaction: discord.Interaction, question: str) -> None:
        await interaction.response.send_message(question)

    @pick.autocomplete("question")
    async def suggest(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name="a long id", value="q" * length)]

    await client.tree.sync()
    typing = asyncio.create_task(
        server.autocomplete(server.add_member(guild, "ana"), channel, "pick", focused="question", question="")
    )
    [answer] = await server.wait_for(lambda: server.requests_matching("POST /interactions/{i}/{token}/callback"))
    typing.cancel()

    assert answer.status == status and answer.body["data"]["choices"][0]["value"] == "q" * length
