"""End-to-end tests of the fake Discord server against the real discord.py client."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.ext import commands
from fakediscord import FakeDiscord, Guild, TextChannel, User
from fakediscord.clients import record_events, wait_ready
from fakediscord.mentions import compute_pings

BASE_INTENTS = discord.Intents(guilds=True, guild_messages=True, guild_reactions=True)


class World:
    """A started server with one guild, one channel and two members."""

    def __init__(self, server: FakeDiscord) -> None:
        self.guild: Guild = server.add_guild("Study Group")
        self.channel: TextChannel = server.add_text_channel(self.guild, "quiz")
        self.alice: User = server.add_member(self.guild, "alice")
        self.bob: User = server.add_member(self.guild, "bob")


@pytest.fixture
async def server() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    original_base, original_gateway = (
        discord.http.Route.BASE,
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
    )
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield fake
    finally:
        discord.http.Route.BASE = original_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = original_gateway
        await fake.close()
    assert fake.internal_errors == []


@pytest.fixture
def world(server: FakeDiscord) -> World:
    return World(server)


ClientFactory = Callable[..., Awaitable[discord.Client]]


@pytest.fixture
async def run_client() -> AsyncIterator[ClientFactory]:
    """Start clients that are ready on return; closed and awaited at teardown so errors surface."""
    running: list[tuple[discord.Client, asyncio.Task[None]]] = []

    async def start(client: discord.Client | None = None, **kwargs: object) -> discord.Client:
        if client is None:
            client = discord.Client(intents=kwargs.pop("intents", BASE_INTENTS), guild_ready_timeout=0.1, **kwargs)
        task = asyncio.create_task(client.start("test-token"))
        running.append((client, task))
        await wait_ready(client, task)
        return client

    yield start
    for client, task in reversed(running):
        await client.close()
        await task


async def test_login_sees_guild_channels_and_members(
    server: FakeDiscord, world: World, run_client: ClientFactory
) -> None:
    intents = BASE_INTENTS | discord.Intents(members=True)
    client = await run_client(intents=intents)

    assert client.user is not None and client.user.id == server.bot_user.id
    assert client.application_id == server.application_id
    guild = client.get_guild(world.guild.id)
    assert guild is not None and guild.name == "Study Group"
    assert [channel.name for channel in guild.text_channels] == ["quiz"]
    assert {member.name for member in guild.members} >= {"alice", "bob", server.bot_user.name}
    assert server.identify_count == 1


def _text_channel(client: discord.Client, world: World) -> discord.TextChannel:
    channel = client.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_send_message_and_embed(server: FakeDiscord, world: World, run_client: ClientFactory) -> None:
    client = await run_client()
    channel = _text_channel(client, world)

    sent = await channel.send(
        "Question 1", embed=discord.Embed(title="Neural networks", description="What is a perceptron?")
    )

    [stored] = server.messages(world.channel)
    assert stored.id == sent.id and stored.author is server.bot_user
    assert stored.content == "Question 1"
    assert stored.embeds[0]["title"] == "Neural networks"
    assert sent.embeds[0].description == "What is a perceptron?"


async def test_limit_violation_is_http_400(server: FakeDiscord, world: World, run_client: ClientFactory) -> None:
    client = await run_client()
    channel = _text_channel(client, world)

    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    embed = discord.Embed(title="t").add_field(name="empty value", value="")
    with pytest.raises(discord.HTTPException) as empty_field:
        await channel.send(embed=embed)

    assert too_long.value.status == 400 and too_long.value.code == 50035
    assert "content" in str(too_long.value)
    assert empty_field.value.status == 400 and "embeds.0.fields.0.value" in str(empty_field.value)
    assert server.messages(world.channel) == []


async def test_user_reaction_arrives_as_raw_event(server: FakeDiscord, world: World, run_client: ClientFactory) -> None:
    client = await run_client()
    added = record_events(client, "raw_reaction_add")
    sent = await _text_channel(client, world).send("Pick one")

    await server.react(world.alice, server.message(sent.id), "🇦")

    [event] = await server.wait_for(lambda: [e for e in added if e.user_id == world.alice.id])
    assert isinstance(event, discord.RawReactionActionEvent)
    assert str(event.emoji) == "🇦" and event.message_id == sent.id
    assert event.member is not None and event.member.name == "alice"
    assert server.message(sent.id).reactions == {"🇦": [world.alice.id]}


async def test_reaction_users_paginate(server: FakeDiscord, world: World, run_client: ClientFactory) -> None:
    client = await run_client()
    sent = await _text_channel(client, world).send("Popular question")
    message = server.message(sent.id)
    voters = [server.add_member(world.guild, f"voter{i}") for i in range(150)]
    for voter in voters:
        await server.react(voter, message, "🇧")

    fetched = await _text_channel(client, world).fetch_message(sent.id)
    users = [user async for user in fetched.reactions[0].users()]

    # discord.py yields each page in reverse; the server pages by ascending user id.
    assert sorted(user.id for user in users) == sorted(voter.id for voter in voters)
    pages = server.requests_matching("GET /channels/{c}/messages/{m}/reactions/{e}")
    assert [page.query.get("after") for page in pages] == [None, str(sorted(v.id for v in voters)[99])]


async def test_slash_command_ephemeral_response(server: FakeDiscord, world: World, run_client: ClientFactory) -> None:
    bot = commands.Bot(command_prefix="!", intents=BASE_INTENTS, guild_ready_timeout=0.1)
    calls: list[tuple[str, int]] = []

    @bot.tree.command(name="quiz", description="Start a quiz")
    async def quiz(interaction: discord.Interaction, question: str, duration: int = 30) -> None:
        calls.append((question, duration))
        await interaction.response.send_message(f"Starting {question}", ephemeral=True)

    await run_client(bot)
    await bot.tree.sync()
    ix = await server.invoke(world.alice, world.channel, "quiz", question="ml/x", duration=5)
    callback = await ix.wait_response()

    assert calls == [("ml/x", 5)]
    assert callback.type == 4 and ix.ephemeral and ix.content == "Starting ml/x"
    assert ix.responded_at is not None and ix.responded_at >= ix.created_at
    assert server.messages(world.channel) == []
    assert [command.name for command in server.commands()] == ["quiz"]


async def test_subcommand_user_option_defer_followup_and_autocomplete(
    server: FakeDiscord, world: World, run_client: ClientFactory
) -> None:
    bot = commands.Bot(command_prefix="!", intents=BASE_INTENTS, guild_ready_timeout=0.1)
    schedule = app_commands.Group(name="schedule", description="Scheduled quizzes")

    @schedule.command(name="add", description="Schedule a quiz")
    async def add(interaction: discord.Interaction, question: str, host: discord.Member) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content=f"{question} hosted by {host.mention}")
        await interaction.followup.send("Only you can see this", ephemeral=True)

    @add.autocomplete("question")
    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=q, value=q) for q in ("arya", "aryan", "bran") if q.startswith(current)]

    bot.tree.add_command(schedule, guild=discord.Object(world.guild.id))
    await run_client(bot)
    await bot.tree.sync(guild=discord.Object(world.guild.id))

    choices = await server.autocomplete(world.alice, world.channel, "schedule add", focused="question", question="ary")
    ix = await server.invoke(world.alice, world.channel, "schedule add", question="arya", host=world.bob)
    await server.wait_for(lambda: ix.followups)

    assert [choice["value"] for choice in choices] == ["arya", "aryan"]
    assert (await ix.wait_response()).type == 5 and not ix.ephemeral
    [public] = server.messages(world.channel)
    assert public is ix.original and public.content == f"arya hosted by {world.bob.mention}"
    assert public.pings.users == {world.bob.id}
    assert [followup.ephemeral for followup in ix.followups] == [True]


async def test_everyone_pings_unless_allowed_mentions_none(
    server: FakeDiscord, world: World, run_client: ClientFactory
) -> None:
    loud = await run_client()
    await _text_channel(loud, world).send("@everyone quiz time")
    await loud.close()
    quiet = await run_client(allowed_mentions=discord.AllowedMentions.none())
    await _text_channel(quiet, world).send(f"@everyone quiz time, {world.alice.mention}")

    loud_message, quiet_message = server.messages(world.channel)
    assert loud_message.pings.everyone and loud_message.allowed_mentions is None
    assert not quiet_message.pings
    assert quiet_message.allowed_mentions == {"parse": []}


async def test_missing_add_reactions_is_forbidden(server: FakeDiscord, world: World, run_client: ClientFactory) -> None:
    client = await run_client()
    sent = await _text_channel(client, world).send("React to me")
    server.set_overwrite(world.channel, world.guild.everyone_role, deny=discord.Permissions(add_reactions=True))
    await server.react(world.alice, server.message(sent.id), "🇧")

    with pytest.raises(discord.Forbidden) as forbidden:
        await sent.add_reaction("🇦")
    await sent.add_reaction("🇧")  # joining an existing reaction needs no Add Reactions

    assert forbidden.value.code == 50013
    assert not server.bot_permissions(world.channel).add_reactions
    assert server.message(sent.id).reactions == {"🇧": [world.alice.id, server.bot_user.id]}


async def test_reaction_rate_limit_paces_without_429(
    server: FakeDiscord, world: World, run_client: ClientFactory
) -> None:
    client = await run_client()
    sent = await _text_channel(client, world).send("Options")

    for emoji in ("🇦", "🇧", "🇨", "🇩"):
        await sent.add_reaction(emoji)

    puts = server.requests_matching("PUT /channels/{c}/messages/{m}/reactions/{e}/@me")
    assert [put.status for put in puts] == [204] * 4
    assert all(later.at - earlier.at >= 0.25 for earlier, later in itertools.pairwise(puts))
    assert list(server.message(sent.id).reactions) == ["🇦", "🇧", "🇨", "🇩"]


async def test_injected_429_is_retried_transparently(
    server: FakeDiscord, world: World, run_client: ClientFactory
) -> None:
    client = await run_client()
    server.fail_next("POST", "/channels/{c}/messages", status=429, retry_after=0.1)

    await _text_channel(client, world).send("after a rate limit")

    statuses = [r.status for r in server.requests_matching("POST /channels/{c}/messages")]
    assert statuses == [429, 200] and server.pending_faults == 0
    assert [m.content for m in server.messages(world.channel)] == ["after a rate limit"]


async def test_resume_replays_missed_events(server: FakeDiscord, world: World, run_client: ClientFactory) -> None:
    client = await run_client()
    added = record_events(client, "raw_reaction_add")
    sent = await _text_channel(client, world).send("Resumable")
    message = server.message(sent.id)

    async with server.gateway_outage(resumable=True):
        await server.react(world.alice, message, "🇦")
        await server.react(world.bob, message, "🇧")
        assert not added

    await server.wait_for(lambda: len(added) == 2)
    assert server.resume_count == 1 and server.identify_count == 1


class ImmediateReidentifyClient(discord.Client):
    """discord.py sleeps 5 s before every non-initial IDENTIFY; tests need not wait."""

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


async def test_invalidated_session_reidentifies_and_loses_events(
    server: FakeDiscord, world: World, run_client: ClientFactory
) -> None:
    client = await run_client(ImmediateReidentifyClient(intents=BASE_INTENTS, guild_ready_timeout=0.1))
    added = record_events(client, "raw_reaction_add")
    sent = await _text_channel(client, world).send("Not resumable")
    message = server.message(sent.id)

    async with server.gateway_outage(resumable=False):
        await server.react(world.alice, message, "🇦")

    await server.wait_identified(2)
    await server.wait_connected()
    await server.react(world.bob, message, "🇧")
    await server.wait_for(lambda: added)
    assert [event.user_id for event in added] == [world.bob.id]
    assert server.resume_count == 0


async def test_twenty_first_distinct_reaction_is_rejected(
    server: FakeDiscord, world: World, run_client: ClientFactory
) -> None:
    client = await run_client()
    sent = await _text_channel(client, world).send("Too many options")
    for offset in range(20):
        await server.react(world.alice, server.message(sent.id), chr(0x1F1E6 + offset))

    with pytest.raises(discord.HTTPException) as rejected:
        await sent.add_reaction("🚀")

    assert rejected.value.status == 400 and rejected.value.code == 30010
    assert len(server.message(sent.id).reactions) == 20


async def test_embeds_dropped_without_embed_links_and_hidden_channel_is_missing_access(
    server: FakeDiscord, world: World, run_client: ClientFactory
) -> None:
    client = await run_client()
    channel = _text_channel(client, world)
    server.set_overwrite(world.channel, server.bot_user, deny=discord.Permissions(embed_links=True))

    await channel.send("text survives", embed=discord.Embed(title="dropped"))
    server.set_overwrite(world.channel, world.guild.everyone_role, deny=discord.Permissions(view_channel=True))
    with pytest.raises(discord.Forbidden) as hidden:
        await channel.send("nobody sees this")

    [stored] = server.messages(world.channel)
    assert stored.content == "text survives" and stored.embeds == []
    assert hidden.value.code == 50001


async def test_reply_pings_author_unless_disabled(server: FakeDiscord, world: World, run_client: ClientFactory) -> None:
    client = await run_client()
    question = await server.send_user_message(world.alice, world.channel, "When is the quiz?")
    partial = _text_channel(client, world).get_partial_message(question.id)

    loud = await partial.reply("Now!")
    quiet = await partial.reply("Now, quietly.", mention_author=False)

    assert server.message(loud.id).pings.users == {world.alice.id}
    assert server.message(quiet.id).pings.users == set()
    assert server.message(loud.id).reference == {
        "type": 0,
        "message_id": str(question.id),
        "channel_id": str(world.channel.id),
        "guild_id": str(world.guild.id),
    }


async def test_message_content_needs_the_intent(server: FakeDiscord, world: World, run_client: ClientFactory) -> None:
    without_intent = await run_client()
    seen = record_events(without_intent, "message")
    await server.send_user_message(world.alice, world.channel, "answer: B")
    await server.send_user_message(world.alice, world.channel, f"<@{server.bot_user.id}> answer: C")
    await server.wait_for(lambda: len(seen) == 2)
    await without_intent.close()

    with_intent = await run_client(intents=BASE_INTENTS | discord.Intents(message_content=True))
    seen_with_intent = record_events(with_intent, "message")
    await server.send_user_message(world.bob, world.channel, "answer: D")
    await server.wait_for(lambda: seen_with_intent)

    assert [message.content for message in seen] == ["", f"<@{server.bot_user.id}> answer: C"]
    assert [message.content for message in seen_with_intent] == ["answer: D"]


async def test_unknown_message_and_route(server: FakeDiscord, world: World, run_client: ClientFactory) -> None:
    client = await run_client()
    channel = _text_channel(client, world)

    with pytest.raises(discord.NotFound) as missing:
        await channel.fetch_message(1)
    with pytest.raises(discord.NotFound) as no_route:
        await client.http.request(discord.http.Route("GET", "/no/such/route"))

    assert missing.value.code == 10008
    assert no_route.value.text == "404: Not Found"


async def test_second_interaction_response_is_40060(
    server: FakeDiscord, world: World, run_client: ClientFactory
) -> None:
    bot = commands.Bot(command_prefix="!", intents=BASE_INTENTS, guild_ready_timeout=0.1)

    @bot.tree.command(name="ping", description="Answer once")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    await run_client(bot)
    await bot.tree.sync()
    ix = await server.invoke(world.alice, world.channel, "ping")
    await ix.wait_response()

    url = f"{server.api_base}/interactions/{ix.id}/{ix.token}/callback"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json={"type": 4, "data": {"content": "again"}}) as reply,
    ):
        assert reply.status == 400
        assert (await reply.json())["code"] == 40060
    assert [message.content for message in server.messages(world.channel)] == ["pong"]
    assert not ix.ephemeral and server.messages(world.channel)[0].author is server.bot_user


async def test_history_is_newest_first(server: FakeDiscord, world: World, run_client: ClientFactory) -> None:
    client = await run_client()
    channel = _text_channel(client, world)
    for text in ("one", "two", "three"):
        await channel.send(text)

    newest = [message.content async for message in channel.history(limit=2)]
    oldest = [message.content async for message in channel.history(limit=5, oldest_first=True)]

    assert newest == ["three", "two"]
    assert oldest == ["one", "two", "three"]


async def test_dispatch_many_reaches_the_client(server: FakeDiscord, world: World, run_client: ClientFactory) -> None:
    client = await run_client()
    added = record_events(client, "raw_reaction_add")
    event = {
        "user_id": str(world.alice.id),
        "channel_id": str(world.channel.id),
        "message_id": "1",
        "guild_id": str(world.guild.id),
        "emoji": {"id": None, "name": "🇦"},
        "burst": False,
        "type": 0,
    }

    sent = await server.dispatch_many([("MESSAGE_REACTION_ADD", event)] * 2000)

    await server.wait_for(lambda: len(added) == sent == 2000)


async def test_malformed_dispatch_fails_the_client(server: FakeDiscord, world: World) -> None:
    client = discord.Client(intents=BASE_INTENTS, guild_ready_timeout=0.1)
    task = asyncio.create_task(client.start("test-token"))
    await wait_ready(client, task)

    await server.dispatch("MESSAGE_REACTION_ADD", {"emoji": {"id": None, "name": "🇦"}})

    with pytest.raises(KeyError):
        await asyncio.wait_for(task, timeout=5)
    await client.close()


@pytest.mark.parametrize(
    ("content", "allowed_mentions", "expected"),
    [
        ("<@1> <@!2> <@&10> @here", None, (True, {1, 2}, {10})),
        ("<@1> <@2> <@&10> @everyone", {"parse": ["users"]}, (False, {1, 2}, set())),
        ("<@1> <@2> <@&10>", {"parse": [], "users": ["2"], "roles": ["10"]}, (False, {2}, {10})),
        ("<@1> <@&10> @everyone", {"parse": ["everyone", "roles"]}, (True, set(), {10})),
        ("<@99> <@&99>", None, (False, set(), set())),
    ],
)
def test_ping_rules(content: str, allowed_mentions: dict | None, expected: tuple[bool, set, set]) -> None:
    pings = compute_pings(content, allowed_mentions, member_ids={1, 2, 3}, role_ids={10})

    assert (pings.everyone, set(pings.users), set(pings.roles)) == expected


@pytest.mark.parametrize(
    ("allowed_mentions", "replied_author_pinged"),
    [(None, True), ({"parse": []}, False), ({"parse": [], "replied_user": True}, True)],
)
def test_reply_ping_rules(allowed_mentions: dict | None, replied_author_pinged: bool) -> None:
    pings = compute_pings("thanks", allowed_mentions, member_ids={1}, role_ids=(), replied_author_id=1)

    assert (1 in pings.users) is replied_author_pinged
