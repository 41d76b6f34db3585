"""What holding the loopback Discord to Discord's API description costs a request.

    python bench/spec_checks.py [--runs 5] [--posts 200]

A bare discord.py client posts a question-sized message (content plus an embed with four fields)
``--posts`` times per run, against the loopback Discord with its spec checks (each request's
parameters and body, each answer against its response schema) and, as the baseline in the same
process, with both checks replaced by no-ops. Runs alternate the two. Also timed: compiling the
description (once per test process) and the checks of one such request and its answer alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import discord
import yarl

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests")]

from fakediscord import FakeDiscord  # noqa: E402
from fakediscord.clients import wait_ready  # noqa: E402
from fakediscord.spec import SPEC_FILE, DiscordSpec, Operation, discord_spec  # noqa: E402

EMBED = discord.Embed(
    title="Spam filter trade-offs",
    description="Omar's spam filter flags 120 emails; 80 of them are spam. " * 8,
)
for letter in "ABCD":
    EMBED.add_field(name=f"Option {letter}", value="Recall is 0.80 because 80 of 100 spam emails are flagged. ")


@contextlib.contextmanager
def checks_off() -> Iterator[None]:
    request, response = Operation.check_request, Operation.check_response
    Operation.check_request = lambda self, *args: {}  # type: ignore[method-assign]
    Operation.check_response = lambda self, *args: []  # type: ignore[method-assign]
    try:
        yield
    finally:
        Operation.check_request, Operation.check_response = request, response


async def post_many(channel: discord.TextChannel, posts: int) -> float:
    """Median seconds per message post."""
    times = []
    for n in range(posts):
        started = time.perf_counter()
        await channel.send(f"Question {n}", embed=EMBED)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def compile_time() -> float:
    document = SPEC_FILE.read_text(encoding="utf-8")
    started = time.perf_counter()
    DiscordSpec(json.loads(document))
    return time.perf_counter() - started


def check_time(repeats: int = 1000) -> float:
    operation, path_values = discord_spec().operation("POST", "/channels/1/messages")
    body = {"content": "Question 1", "embeds": [EMBED.to_dict()], "allowed_mentions": {"parse": []}}
    answer = json.dumps(
        {
            "id": "2",
            "channel_id": "1",
            "author": {
                "id": "3",
                "username": "QuizBot",
                "discriminator": "0",
                "global_name": None,
                "avatar": None,
                "public_flags": 0,
                "flags": 0,
                "primary_guild": None,
            },
            "content": "Question 1",
            "timestamp": "2026-12-04T03:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [{"type": "rich", **EMBED.to_dict()}],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }
    ).encode()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        assert operation.check_request(path_values, {}, body) == {}
        assert operation.check_response(200, answer) == []
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def main(runs: int, posts: int) -> None:
    compiled = statistics.median(compile_time() for _ in range(runs))
    checked = check_time()
    on: list[float] = []
    off: list[float] = []
    async with FakeDiscord() as server:
        guild = server.add_guild("Bench")
        channel = server.add_text_channel(guild, "quiz")
        discord.http.Route.BASE = server.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)
        client = discord.Client(intents=discord.Intents(guilds=True), guild_ready_timeout=0.05)
        task = asyncio.create_task(client.start("test-token"))
        await wait_ready(client, task)
        target = client.get_channel(channel.id)
        assert isinstance(target, discord.TextChannel)
        for _ in range(runs):
            on.append(await post_many(target, posts))
            with checks_off():
                off.append(await post_many(target, posts))
        await client.close()
        await task
        assert server.internal_errors == []
    with_checks, without = statistics.median(on), statistics.median(off)
    print(f"compiling the description: median {compiled * 1000:.0f} ms ({runs} runs, once per process)")
    print(f"checks of one message create and its answer alone: median {checked * 1e6:.0f} µs (1000 calls)")
    print(
        f"message post round trip, {runs} runs x {posts} posts: with checks median {with_checks * 1000:.2f} ms, "
        f"without {without * 1000:.2f} ms, ratio {with_checks / without:.2f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--posts", type=int, default=200)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.runs, arguments.posts))
