"""The `/leaderboard` query: top 10 of one guild, with 1,000,000 result rows across 100 guilds.

    python bench/leaderboard_query.py [--runs 7] [--calls 200] [--engine sqlite|postgres|both]

The database is filled once: `Store.open` creates the real schema and indexes, then the statement
shapes of `Store.create_quiz` and `Store.record_results` write 100 guilds of 1,000 members, 100
quizzes per guild and 100 participants per quiz drawn from its guild (1,000,000 `results` rows,
100,000 `points` rows and 10,000 `quizzes` rows holding the seed question). Each run times
`--calls` lookups of a random guild's top 10 (`Store.leaderboard`) plus a random member's rank
(`Store.standing`), which is what `/leaderboard` asks the store, and reports the median and the
99th percentile per lookup. PostgreSQL gets a copy of the same file (see `bench/engines.py`).
Baselines on each engine in the same run: the same statements through the bare driver (plain
`sqlite3`, no aiosqlite thread hop; one asyncpg connection, no pool), and two `SELECT 1` round trips
through the store's engine (the floor of two queries from the bot's event loop). The engine's plan
of each statement is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from engines import PlainDriver, add_engine_option, chosen, each_engine, p99, plan, postgres_server  # noqa: E402

from bot.bank import load_bank  # noqa: E402
from bot.store import Store  # noqa: E402

SEED_ID = "neural-networks/arya-confusion"
GUILDS, MEMBERS, QUIZZES, PARTICIPANTS = 100, 1_000, 100, 100
TOP = 10


def member(guild: int, n: int) -> int:
    return guild * 1_000_000 + n


async def create(path: Path) -> None:
    store = await Store.open(path)
    await store.close()


def fill(path: Path) -> None:
    """Quizzes, results and points as the store writes them (one transaction, for speed)."""
    asyncio.run(create(path))
    question_json = json.dumps(asdict(load_bank([ROOT / "questions"]).get(SEED_ID)), ensure_ascii=False)
    rng = random.Random(6)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    for guild in range(1, GUILDS + 1):
        for n in range(QUIZZES):
            started = 1_700_000_000.0 + n * 3600
            quiz_id = db.execute(
                "INSERT INTO quizzes (guild_id, channel_id, message_id, question_id, question_json, scoring,"
                " started_by, started_at, deadline, state, closed_at)"
                " VALUES (?, ?, ?, ?, ?, 'exact', ?, ?, ?, 'announced', ?)",
                (
                    guild,
                    guild,
                    guild * 1_000 + n,
                    SEED_ID,
                    question_json,
                    member(guild, 0),
                    started,
                    started + 60,
                    started + 60,
                ),
            ).lastrowid
            rows = []
            for user in rng.sample(range(MEMBERS), PARTICIPANTS):
                exact = rng.random() < 0.35
                selected = "0,3" if exact else rng.choice(["0", "3", "0,1,3", "1,2"])
                rows.append((quiz_id, guild, member(guild, user), selected, float(exact), int(exact), started))
            db.executemany(
                "INSERT INTO results (quiz_id, guild_id, user_id, selected, points, exact, graded_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            db.executemany(
                "INSERT INTO points (guild_id, user_id, points, answered, exact) VALUES (?, ?, ?, 1, ?)"
                " ON CONFLICT (guild_id, user_id) DO UPDATE SET points = points + excluded.points,"
                " answered = answered + 1, exact = exact + excluded.exact",
                [(g, user, points, exact) for _, g, user, _, points, exact, _ in rows],
            )
    db.execute("COMMIT")  # no ANALYZE: the bot never runs it, so the planner has no statistics
    db.close()


def lookups(calls: int, seed: int) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    return [(g := rng.randint(1, GUILDS), member(g, rng.randrange(MEMBERS))) for _ in range(calls)]


async def leaderboard_command(store: Store, guild: int, user: int) -> None:
    top = await store.leaderboard(guild, TOP)
    me = await store.standing(guild, user)
    assert len(top) == TOP and (me is None or me.user_id == user)


async def timed(call, pairs: list[tuple[int, int]]) -> list[float]:
    times = []
    for guild, user in pairs:
        started = time.perf_counter()
        await call(guild, user)
        times.append(time.perf_counter() - started)
    return times


async def one_run(engine: str, target: Path | str, pairs: list[tuple[int, int]]) -> dict[str, list[float]]:
    store = await Store.open(target)
    sql = store.engine.sql
    try:
        async with PlainDriver(engine, target) as plain:

            async def bare(guild: int, user: int) -> None:
                await plain.fetch(sql.LEADERBOARD, guild, TOP)
                await plain.fetch(sql.STANDING, guild, user)

            async def round_trips(guild: int, user: int) -> None:
                for _ in range(2):
                    await store.engine.fetchrow("SELECT 1")

            return {
                "store": await timed(lambda g, u: leaderboard_command(store, g, u), pairs),
                "plain": await timed(bare, pairs),
                "round_trips": await timed(round_trips, pairs),
            }
    finally:
        await store.close()


async def print_plans(target: Path | str) -> None:
    store = await Store.open(target)
    try:
        for statement, parameters in (("LEADERBOARD", (50, TOP)), ("STANDING", (50, member(50, 776)))):
            print(f"  {statement}:")
            for line in await plan(store, statement, *parameters):
                print(f"      {line}")
    finally:
        await store.close()


async def measure(engine: str, target: Path | str, runs: int, calls: int) -> None:
    await print_plans(target)
    results = [await one_run(engine, target, lookups(calls, seed=run)) for run in range(runs)]
    median = {key: statistics.median(statistics.median(r[key]) for r in results) for key in results[0]}
    tail = p99([t for r in results for t in r["store"]])
    print(f"  leaderboard + standing via Store:  median {median['store'] * 1000:.3f} ms, p99 {tail * 1000:.3f} ms")
    print(
        f"  baseline, same SQL via the bare driver: median {median['plain'] * 1000:.3f} ms  "
        f"(store / plain = {median['store'] / median['plain']:.1f}x)"
    )
    print(
        f"  baseline, 2 x SELECT 1 via the engine: median {median['round_trips'] * 1000:.3f} ms  "
        f"(store / round trips = {median['store'] / median['round_trips']:.1f}x)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--calls", type=int, default=200)
    add_engine_option(parser)
    args = parser.parse_args()
    engines = chosen(args)
    with tempfile.TemporaryDirectory() as tmp, postgres_server(engines) as server:
        path = Path(tmp) / "quiz.sqlite3"
        started = time.perf_counter()
        await asyncio.to_thread(fill, path)
        db = sqlite3.connect(path)
        counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("results", "points")}
        db.close()
        print(
            f"{counts['results']:,} results rows, {counts['points']:,} points rows, {GUILDS} guilds "
            f"(SQLite filled in {time.perf_counter() - started:.0f} s); {args.runs} runs of {args.calls} lookups"
        )
        async for engine, target in each_engine(engines, path, server):
            print(f"{engine} (target < 10 ms):")
            await measure(engine, target, args.runs, args.calls)


if __name__ == "__main__":
    asyncio.run(main())
