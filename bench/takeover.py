"""A process of a sharded bot taking over its shard's 1,000 open quizzes after a restart, on SQLite and PostgreSQL.

    python bench/takeover.py [--quizzes 1000] [--runs 5] [--engine sqlite|postgres|both]

The bot runs 2 shards; the database holds `--quizzes` open quizzes (lettered, deadlines an hour
ahead) in 100 servers of each shard, as processes that died mid-quiz leave them, and the process
timed runs shard 0. PostgreSQL gets a copy of the same SQLite file (see `bench/engines.py`). Each
run times, from a fresh start:
  - the store part: `Store.open` (connect, schema check, memory settings) and `Store.unfinished_quizzes`
    for shard 0 (the query keeps its servers' quizzes), beside the same for every shard (the baseline:
    what recovery read before the query took the shards);
  - `Quizmaster.recover` on that store: everything the bot does for each quiz at start (track it,
    start its timer), with no Discord call needed since none is due yet;
  - the whole bot against the loopback Discord (tests/harness.py `BotRunner`, shard 0 of 2): start to
    ready, with the quizzes, against the same on an empty database of the same engine (the baseline).
Quizzes whose deadline passed while no process ran are not in it: each is closed over REST (reaction
lists read, result posted), which `bench/close_calls.py` and `bench/close_after_gap.py` measure.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]

from engines import add_engine_option, chosen, postgres_copy, postgres_server  # noqa: E402
from fakediscord import FakeDiscord  # noqa: E402
from harness import SEED_ID, BotRunner, FakeClock  # noqa: E402

from bot.bank import load_bank  # noqa: E402
from bot.config import QuizConfig  # noqa: E402
from bot.grading import Scoring  # noqa: E402
from bot.quiz import Quizmaster  # noqa: E402
from bot.shards import Shards, shard_of  # noqa: E402
from bot.store import Store  # noqa: E402

SHARDS = 2
GUILDS = 100 * SHARDS  # 100 on each shard
NOW = FakeClock().now()
OWN = Shards(SHARDS, (0,))


def guild(n: int) -> int:
    return n << 22  # a snowflake whose shard is n % SHARDS


async def fill(path: Path, quizzes: int) -> None:
    """Open quizzes of every shard as the bot leaves them once posted and lettered, each in its own channel."""
    question = load_bank([ROOT / "questions"]).get(SEED_ID)
    store = await Store.open(path)
    try:
        for n in range(quizzes * SHARDS):
            quiz = await store.create_quiz(
                guild_id=guild(n % GUILDS),
                channel_id=10_000 + n,
                started_by=1,
                question=question,
                scoring=Scoring.EXACT,
                started_at=NOW - 60,
                deadline=NOW + 3600,
            )
            quiz = await store.mark_open(await store.add_question_part(quiz, 1_000_000 + n))
            await store.mark_lettered(quiz.id)
    finally:
        await store.close()


async def store_part(target: Path | str, quizzes: int) -> dict[str, float]:
    started = time.perf_counter()
    store = await Store.open(target)
    opened = time.perf_counter()
    await store.unfinished_quizzes(OWN)  # untimed: the first query of a connection pays for both to come
    warm = time.perf_counter()
    everyone = await store.unfinished_quizzes()
    listed_all = time.perf_counter()
    own = await store.unfinished_quizzes(OWN)
    listed = time.perf_counter()
    assert (len(everyone), len(own)) == (quizzes * SHARDS, quizzes)
    # No Discord call is due, so no client is needed.
    quizmaster = Quizmaster(None, store, QuizConfig(), FakeClock(), random.Random(1), shards=OWN)
    await quizmaster.recover()
    recovered = time.perf_counter()
    assert all(shard_of(quiz.guild_id, SHARDS) == 0 for quiz in (r.quiz for r in quizmaster._by_channel.values()))
    assert len(quizmaster._by_channel) == quizzes
    await quizmaster.shutdown()
    await store.close()
    return {
        "open": opened - started,
        "unfinished, every shard": listed_all - warm,
        "unfinished": listed - listed_all,
        "recover": recovered - listed,  # unfinished_quizzes again, then tracking each quiz
    }


async def bot_start(server: FakeDiscord, target: Path | str) -> float:
    runner = BotRunner(server, target, FakeClock(), discord_config={"shard_count": SHARDS, "shard_ids": list(OWN.ids)})
    started = time.perf_counter()
    bot = await runner.start()
    seconds = time.perf_counter() - started
    await runner.stop(bot)
    return seconds


async def measure(engine: str, target: Path | str, empty: Path | str, args) -> None:
    runs = []
    async with FakeDiscord(shard_count=SHARDS) as discord_server:
        for _ in range(args.runs):
            run = await store_part(target, args.quizzes)
            run["bot"] = await bot_start(discord_server, target)
            run["bot, empty database"] = await bot_start(discord_server, empty)
            runs.append(run)
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print(
        f"{engine}: {args.quizzes:,} open quizzes on each of {SHARDS} shards, shard 0 taken over; "
        f"{args.runs} runs, medians"
    )
    print(f"  Store.open:                         {median['open'] * 1000:8.1f} ms")
    every = median["unfinished, every shard"]
    print(
        f"  Store.unfinished_quizzes(shard 0):  {median['unfinished'] * 1000:8.1f} ms, against {every * 1000:.1f} ms"
        f" for every shard's ({median['unfinished'] / every:.2f}x)"
    )
    print(f"  Quizmaster.recover (lists again):   {median['recover'] * 1000:8.1f} ms")
    print(
        f"  bot start to ready, loopback Discord: {median['bot'] * 1000:6.1f} ms, against "
        f"{median['bot, empty database'] * 1000:.1f} ms on an empty database "
        f"(+{(median['bot'] - median['bot, empty database']) * 1000:.1f} ms)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quizzes", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    add_engine_option(parser)
    args = parser.parse_args()
    engines = chosen(args)
    with tempfile.TemporaryDirectory() as tmp, postgres_server(engines) as server:
        path, empty = Path(tmp) / "quizzes.sqlite3", Path(tmp) / "empty.sqlite3"
        await fill(path, args.quizzes)
        await fill(empty, 0)
        for engine in engines:
            if engine == "sqlite":
                await measure(engine, path, empty, args)
            else:
                target, _ = await postgres_copy(path, server)
                await measure(engine, target, (await postgres_copy(empty, server))[0], args)


if __name__ == "__main__":
    asyncio.run(main())
