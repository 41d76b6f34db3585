"""A client that measures its own CPU in a child process, between two TYPING_START marks from the parent.

The benchmarks run the loopback Discord in their own process and each client in a child (the
benchmark script again, with `--client`), so the server's work is never counted as the client's.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import resource
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path

import discord

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakediscord import FakeDiscord, TextChannel, User  # noqa: E402
from fakediscord.clients import wait_ready  # noqa: E402
from harness import SHIPPED_QUESTIONS  # noqa: E402

from bot import collector  # noqa: E402
from bot.bank import load_bank  # noqa: E402
from bot.client import QuizBot, use_endpoints  # noqa: E402
from bot.config import parse_config  # noqa: E402
from bot.quiz import SystemClock  # noqa: E402
from bot.store import Store  # noqa: E402


def clocks() -> tuple[float, float, float, int]:
    """CPU of all threads, of this one, wall time, and context switches (each a wake-up of a thread)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return time.process_time(), time.thread_time(), time.perf_counter(), usage.ru_nvcsw + usage.ru_nivcsw


class Marks:
    """The clocks at the first TYPING_START; set `done` at the second. In between, the CPU spent
    collecting garbage is added up: where a client keeps many objects alive, it is a large share."""

    def __init__(self) -> None:
        self.started: tuple[float, float, float, int] | None = None
        self.done = asyncio.Event()
        self.collecting = 0.0
        self._collection_began = 0.0

    async def on_raw_typing(self, _payload: discord.RawTypingEvent) -> None:
        if self.started is None:
            self.started = clocks()
            gc.callbacks.append(self._on_collection)
        else:
            gc.callbacks.remove(self._on_collection)
            self.done.set()

    def _on_collection(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._collection_began = time.process_time()
        else:
            self.collecting += time.process_time() - self._collection_began


async def run_child(
    kind: str, api: str, gateway: str, database: str, others: Mapping[str, Callable[[Marks], Awaitable[discord.Client]]]
) -> None:
    """In the child: the client `kind` names, measured; `bot` is the real bot on a fresh database with
    the shipped questions, any other is made by `others[kind]`, which connects it to the marks."""
    config = parse_config({"discord": {"api_base_url": api, "gateway_url": gateway}, "database": {"path": database}})
    use_endpoints(config.discord)
    marks = Marks()
    store = None
    if kind == "bot":
        collector.set_for_bursts()  # as `quizbot run` does
        store = await Store.open(config.database_path)
        client = QuizBot(config=config, store=store, bank=load_bank([SHIPPED_QUESTIONS]), clock=SystemClock())
        client.add_listener(marks.on_raw_typing, "on_raw_typing")
    else:
        client = await others[kind](marks)
    await _run_measured(client, marks, store)


def mark(channel: TextChannel, user: User) -> tuple[str, dict]:
    data = {"channel_id": str(channel.id), "guild_id": str(channel.guild_id), "user_id": str(user.id)}
    return "TYPING_START", data | {"timestamp": int(time.time())}


async def _run_measured(client: discord.Client, marks: Marks, store: Store | None = None) -> None:
    """In the child: connect, say "ready", and after the second mark close (the bot writes what is
    pending) and print the CPU since the first as JSON: all threads, those off the event loop's,
    garbage collection's, the wall time and the context switches."""
    task = asyncio.create_task(client.start("test-token"))
    await wait_ready(client, task)
    print("ready", flush=True)
    await marks.done.wait()
    await client.close()
    cpu, loop_thread, wall, switches = (end - start for end, start in zip(clocks(), marks.started, strict=True))
    await task
    if store is not None:
        await store.close()
    off_loop = cpu - loop_thread
    figures = {"cpu": cpu, "other_threads": off_loop, "gc": marks.collecting, "wall": wall, "switches": switches}
    print(json.dumps(figures), flush=True)


@contextlib.asynccontextmanager
async def child(script: str, kind: str, server: FakeDiscord, database: Path) -> AsyncIterator[subprocess.Popen]:
    """In the parent: `script --client kind …` started, connected and ready."""
    process = subprocess.Popen(
        [sys.executable, script, "--client", kind, server.api_base, server.gateway_url, str(database)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert await asyncio.to_thread(process.stdout.readline) == "ready\n"
        yield process
    finally:
        process.wait(timeout=30)


async def measured(process: subprocess.Popen) -> dict:
    """The child's figures, once the parent has sent the second mark."""
    return json.loads(await asyncio.to_thread(process.stdout.readline))
