"""Starting the bot: Discord unreachable or unavailable, bad config files. One line, never a traceback."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from pathlib import Path

import pytest
from fakediscord import FakeDiscord
from harness import BotRunner, FakeClock
from test_config import alias_bomb
from test_faults import run_cli

import bot.__main__ as cli


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_discord_unreachable_at_start_is_retried_then_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(cli, "START_RETRY_DELAYS", (0.0, 0.0))
    url = f"http://127.0.0.1:{closed_port()}/api/v10"
    code, lines = run_cli(tmp_path, monkeypatch, capsys, f"discord:\n  api_base_url: {url}\n")
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith(f"quizbot: cannot reach Discord at {url} (")
    assert lines[0].endswith("; check the network, then start again")
    retries = [r for r in caplog.records if "trying again in 0 s" in r.getMessage()]
    assert len(retries) == 2 and all(r.exc_info is None for r in retries)


async def test_discord_unavailable_at_start_is_retried_until_it_answers(
    server: FakeDiscord, tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "START_RETRY_DELAYS", (0.0, 0.0, 0.0))
    server.fail_next("GET", "/users/@me", status=503, times=2)
    runner = BotRunner(server, tmp_path / "q.sqlite3", clock)
    serving = asyncio.create_task(cli._serve(runner.config(), "test-token", runner.bank))
    await server.wait_identified(1)
    os.kill(os.getpid(), signal.SIGTERM)  # as a service manager stops it
    assert await asyncio.wait_for(serving, 10) == 0
    assert [r.status for r in server.requests_matching("GET /users/@me")] == [503, 503, 200]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (f"quiz:\n  duration_seconds: {alias_bomb()}\n", "quiz.duration_seconds: must be a whole number, not [["),
        ("discord:\n  token: MTIz.secret\n", "discord.token: put the token in the DISCORD_TOKEN environment variable"),
    ],
    ids=["alias bomb", "token in the file"],
)
def test_a_hostile_config_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, config: str, message: str
) -> None:
    code, lines = run_cli(tmp_path, monkeypatch, capsys, config)
    assert code == 1
    assert len(lines) == 1 and message in lines[0] and "secret" not in lines[0]
