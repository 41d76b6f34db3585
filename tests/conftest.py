"""Fixtures for end-to-end tests: a loopback Discord, a study group on it, and a bot runner."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
from fakediscord import FakeDiscord
from harness import BotRunner, FakeClock, StudyGroup


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    # The bot points discord.py's class-level endpoints at the server; restore them afterwards.
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    )
    async with FakeDiscord() as fake:
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
