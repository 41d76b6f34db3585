"""Fixtures: a loopback Discord, a study group on it, a bot runner; a store on each engine."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import discord
import pytest
from fakediscord import FakeDiscord
from harness import BotRunner, FakeClock, StudyGroup
from postgres import INSTALL_HINT, PostgresServer, find_binaries

from bot.store import Store


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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the whole session, or every test using it skipped."""
    binaries = find_binaries()
    if binaries is None:
        pytest.skip(INSTALL_HINT)
    server = PostgresServer(binaries)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh, empty PostgreSQL database of this test's own."""
    return postgres_server.new_database()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """An empty database on each engine: a SQLite file, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return tmp_path / "quiz.sqlite3"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
async def store(database: Path | str) -> AsyncIterator[Store]:
    store = await Store.open(database)
    yield store
    await store.close()


def pytest_terminal_summary(terminalreporter) -> None:
    """Skipped PostgreSQL tests are said in one line, with how to install the server."""
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if INSTALL_HINT in str(report.longrepr)]
    if skipped:
        terminalreporter.write_line(f"{INSTALL_HINT}: {len(skipped)} tests")
