"""Starting the bot: Discord unreachable or unavailable, bad config files. One line, never a traceback."""

from __future__ import annotations

import asyncio
import gc
import os
import re
import signal
import socket
import sys
from pathlib import Path

import pytest
from fakediscord import FakeDiscord
from harness import BotRunner, FakeClock
from test_config import alias_bomb
from test_faults import run_cli

import bot.__main__ as cli
from bot.collector import YOUNG_OBJECTS


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_discord_unreachable_at_start_is_retried_then_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(cli, "START_RETRY_DELAYS", (0.0, 0.0))
    host = f"127.0.0.1:{closed_port()}"
    url = f"http://{host}/api/v10"
    code, lines = run_cli(tmp_path, monkeypatch, capsys, f"discord:\n  api_base_url: {url}\n")
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith(f"quizbot: cannot reach Discord (Cannot connect to host {host}")
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


def test_quizbot_run_collects_the_youngest_objects_in_bigger_steps_and_keeps_the_older_ratios(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    older = gc.get_threshold()[1:]
    thresholds: list[tuple[int, ...]] = []
    monkeypatch.setattr(gc, "set_threshold", lambda *given: thresholds.append(given))
    run_cli(tmp_path, monkeypatch, capsys, "discord:\n  token: MTIz.secret\n")  # stops at the config
    assert thresholds[0] == (YOUNG_OBJECTS, *older)


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


async def test_a_gateway_that_cannot_be_reached_is_retried_with_one_line_each(
    server: FakeDiscord, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    # With a shard count the configured gateway is used; without one, Discord's /gateway/bot names it.
    config.write_text(
        f"discord:\n  api_base_url: {server.api_base}\n  gateway_url: ws://127.0.0.1:{closed_port()}\n"
        f"  shard_count: 1\ndatabase:\n  path: {tmp_path / 'q.sqlite3'}\n",
        encoding="utf-8",
    )
    (tmp_path / "questions").mkdir()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config),
        env={**os.environ, "DISCORD_TOKEN": "test-token"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    seen: list[str] = []
    try:
        while sum("Failed to connect for shard_id: 0" in line for line in seen) < 2:
            line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
            assert line, "".join(seen)  # the bot exited before retrying twice
            seen.append(line)
        process.send_signal(signal.SIGTERM)
        seen += (await asyncio.wait_for(process.communicate(), 20))[0].decode().splitlines()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = "".join(seen)
    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert re.search(r"Failed to connect for shard_id: 0\. Retrying\.\.\.: Cannot connect to host 127\.0\.0\.1", output)
