"""Fixtures for end-to-end tests: a loopback Discord, a study group on it, and a bot runner."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
from fakediscord import FakeDiscord
from harness import BotRunner, FakeClock, StudyGroup


@pytest.fixture
def shard_count() -> int:
    """How many shards the loopback Discord requires; modules of sharded tests override this fixture."""
    return 1


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch, shard_count: int) -> AsyncIterator[FakeDiscord]:
    # The bot points discord.py's class-level endpoints at the server; restore them afterwards.
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    )
    async with FakeDiscord(shard_count=shard_count) as fake:
        yield fake
    assert fake.internal_errors == []


@pytest.fixture
def group(server: FakeDiscord) -> StudyGroup:
    return StudyGroup(server)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def runner(server: FakeDiscord, tmp_path: Path, clock: FakeClock) -> AsyncIterator[BotRunner]:
    runner = BotRunner(server, tmp_path / "quiz.sqlite3", clock)
    yield runner
    await runner.stop_all()
