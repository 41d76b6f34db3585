"""The loopback Discord's shards: GET /gateway/bot, IDENTIFY's ``shard``, per-shard event routing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
import yarl
from fakediscord import FakeDiscord, Guild, TextChannel, User
from fakediscord.clients import record_events, wait_ready
from fakediscord.snowflakes import SnowflakeFactory, shard_of

INTENTS = discord.Intents(guilds=True, guild_messages=True, guild_reactions=True)


class Server:
    """A guild with a channel and a member on each of two shards."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.guilds: list[Guild] = [fake.add_guild(f"shard {n} group", shard=n) for n in range(2)]
        self.channels: list[TextChannel] = [fake.add_text_channel(guild, "quiz") for guild in self.guilds]
        self.members: list[User] = [fake.add_member(guild, "ana") for guild in self.guilds]


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(shard_count=2) as server:
        monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
        yield server
    assert server.internal_errors == []


@pytest.fixture
def world(fake: FakeDiscord) -> Server:
    return Server(fake)


class Clients:
    """Sharded clients started by a test; closed and awaited at teardown so their errors surface."""

    def __init__(self) -> None:
        self._running: list[tuple[discord.AutoShardedClient, asyncio.Task[None]]] = []

    async def start(self, **options: object) -> discord.AutoShardedClient:
        client = discord.AutoShardedClient(intents=INTENTS, guild_ready_timeout=0.05, **options)
        task = asyncio.create_task(client.start("test-token"))
        self._running.append((client, task))
        await wait_ready(client, task)
        return client

    async def close(self) -> None:
        for client, task in reversed(self._running):
            await client.close()
            await task


@pytest.fixture
async def clients() -> AsyncIterator[Clients]:
    started = Clients()
    yield started
    await started.close()


@pytest.mark.parametrize(("shard", "count"), [(0, 1), (0, 2), (1, 2), (3, 4), (7, 8)])
def test_next_on_shard_gives_increasing_ids_on_that_shard(shard: int, count: int) -> None:
    ids = SnowflakeFactory()
    made = [ids.next_on_shard(shard, count) for _ in range(5)] + [ids.next()]
    assert all(shard_of(i, count) == shard for i in made[:5])
    assert made == sorted(set(made))


async def test_gateway_bot_recommends_the_shard_count_as_discord_describes_it(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as http:
        response = await http.get(f"{fake.api_base}/gateway/bot", headers={"Authorization": "Bot t"})
        body = await response.json()
    assert response.status == 200
    assert body["shards"] == 2 and body["url"] == fake.gateway_url
    assert set(body["session_start_limit"]) == {"total", "remaining", "reset_after", "max_concurrency"}
    # the answer is checked against tests/discord_spec; the fixture asserts no mismatch was kept


async def test_a_client_without_a_shard_count_takes_the_recommendation_and_runs_every_shard(
    fake: FakeDiscord, world: Server, clients: Clients
) -> None:
    client = await clients.start()

    assert client.shard_count == 2
    assert sorted(fake.identified_shards) == [[0, 2], [1, 2]]
    assert fake.connected_shards == {0, 1}
    assert {guild.id: guild.shard_id for guild in client.guilds} == {world.guilds[0].id: 0, world.guilds[1].id: 1}


async def test_each_guilds_events_reach_only_the_session_of_its_shard(
    fake: FakeDiscord, world: Server, clients: Clients
) -> None:
    shard0 = await clients.start(shard_count=2, shard_ids=[0])
    shard1 = await clients.start(shard_count=2, shard_ids=[1])
    reactions = [record_events(client, "raw_reaction_add") for client in (shard0, shard1)]
    messages = [record_events(client, "message") for client in (shard0, shard1)]

    for n in range(2):
        posted = await fake.send_user_message(world.members[n], world.channels[n], "hello")
        await fake.react(world.members[n], posted, "🇦")
    late = fake.add_guild("joined later", shard=1)
    # A last message on each shard: a socket keeps its order, so whatever was misrouted came before it.
    for n in range(2):
        await fake.send_user_message(world.members[n], world.channels[n], "last")
    await fake.wait_for(lambda: all(len(received) >= 2 for received in messages))

    assert [g.id for g in shard0.guilds] == [world.guilds[0].id]
    assert sorted(g.id for g in shard1.guilds) == sorted([world.guilds[1].id, late.id])
    assert [[event.guild_id for event in received] for received in reactions] == [[g.id] for g in world.guilds]
    assert [[m.guild.id for m in received] for received in messages] == [[g.id] * 2 for g in world.guilds]


async def test_a_shards_session_is_dropped_and_resumed_alone(
    fake: FakeDiscord, world: Server, clients: Clients
) -> None:
    client = await clients.start()
    reactions = record_events(client, "raw_reaction_add")
    message = await fake.send_user_message(world.members[1], world.channels[1], "question")

    async with fake.gateway_outage(resumable=True, shard=1):
        assert fake.connected_shards == {0}
        await fake.react(world.members[1], message, "🇧")
    await fake.wait_for(lambda: reactions, description="the reaction replayed on shard 1's RESUME")

    assert fake.resume_count == 1 and fake.identify_count == 2
    assert fake.connected_shards == {0, 1}


async def _identify(fake: FakeDiscord, payload: dict) -> tuple[int | None, str]:
    """Send one IDENTIFY on a raw websocket; the close code and reason the server answers with."""
    async with aiohttp.ClientSession() as http, http.ws_connect(fake.gateway_url) as ws:
        hello = await ws.receive_json()
        assert hello["op"] == 10
        await ws.send_str(json.dumps({"op": 2, "d": {"token": "t", "intents": 1, "properties": {}, **payload}}))
        message = await ws.receive(timeout=5)
        if message.type is aiohttp.WSMsgType.CLOSE:
            return ws.close_code, message.extra or ""
        return None, json.loads(message.data)["t"]


@pytest.mark.parametrize(
    ("payload", "answer"),
    [
        ({"shard": [1, 2]}, (None, "READY")),
        ({}, (4011, "Sharding required")),
        ({"shard": [0, 1]}, (4011, "Sharding required")),
        ({"shard": [2, 2]}, (4010, "Invalid shard")),
        ({"shard": [-1, 2]}, (4010, "Invalid shard")),
        ({"shard": [0, 3]}, (4010, "Invalid shard")),
        ({"shard": [0, 0]}, (4010, "Invalid shard")),
        ({"shard": ["0", 2]}, (4010, "Invalid shard")),
        ({"shard": [0]}, (4010, "Invalid shard")),
    ],
    ids=["fits", "absent", "too few", "id = count", "negative id", "other count", "zero count", "text", "one number"],
)
async def test_an_identify_whose_shard_does_not_fit_is_closed_like_discord(
    fake: FakeDiscord, payload: dict, answer: tuple[int | None, str]
) -> None:
    assert await _identify(fake, payload) == answer


async def test_discord_py_stops_with_the_close_code_of_a_refused_shard(fake: FakeDiscord) -> None:
    client = discord.AutoShardedClient(intents=INTENTS, shard_count=3, shard_ids=[2])
    with pytest.raises(discord.ConnectionClosed) as refused:
        await asyncio.wait_for(client.start("test-token"), 10)
    assert refused.value.code == 4010
    await client.close()
