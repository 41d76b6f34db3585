"""The `/leaderboard` query: top 10 of one guild, with 1,000,000 result rows across 100 guilds.

    python bench/leaderboard_query.py [--runs 7] [--calls 200]

The database is filled once: `Store.open` creates the real schema and indexes, then the statement
shapes of `Store.create_quiz` and `Store.record_results` write 100 guilds of 1,000 members, 100
quizzes per guild and 100 participants per quiz drawn from its guild (1,000,000 `results` rows,
100,000 `points` rows and 10,000 `quizzes` rows holding the seed question). Each run times
`--calls` lookups of a random guild's top 10 (`Store.leaderboard`) plus a random member's rank
(`Store.standing`), which is what `/leaderboard` asks the store, and reports the median per
lookup. Baselines in the same run: the same SQL through plain `sqlite3` (no aiosqlite thread hop),
and two `SELECT 1` round trips through aiosqlite (the floor of two queries from the bot's event
loop). The statements are captured as the store runs them, and their `EXPLAIN QUERY PLAN` is printed.
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

import aiosqlite

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


async def capture(path: Path, pairs: list[tuple[int, int]]) -> list[str]:
    """The SQL the store runs for each lookup, with its values bound (untimed pass)."""
    store = await Store.open(path)
    statements: list[str] = []
    await store.engine.connection.set_trace_callback(statements.append)
    for guild, user in pairs:
        await leaderboard_command(store, guild, user)
    await store.close()
    return statements


async def time_store(path: Path, pairs: list[tuple[int, int]]) -> float:
    store = await Store.open(path)
    times = []
    for guild, user in pairs:
        started = time.perf_counter()
        await leaderboard_command(store, guild, user)
        times.append(time.perf_counter() - started)
    await store.close()
    return statistics.median(times)


def time_plain(path: Path, statements: list[str]) -> float:
    """The captured statements replayed through plain sqlite3, two per lookup."""
    db = sqlite3.connect(path)
    times = []
    for leaderboard, standing in zip(statements[::2], statements[1::2], strict=True):
        started = time.perf_counter()
        db.execute(leaderboard).fetchall()
        db.execute(standing).fetchall()
        times.append(time.perf_counter() - started)
    db.close()
    return statistics.median(times)


async def time_round_trips(path: Path, calls: int) -> float:
    times = []
    async with aiosqlite.connect(path) as db:
        for _ in range(calls):
            started = time.perf_counter()
            for _ in range(2):
                async with db.execute("SELECT 1") as cursor:
                    await cursor.fetchall()
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "quiz.sqlite3"
        started = time.perf_counter()
        fill(path)
        filled = time.perf_counter() - started
        db = sqlite3.connect(path)
        counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("results", "points")}
        statements = asyncio.run(capture(path, lookups(1, seed=0)))
        for statement in statements:
            print(statement)
            for row in db.execute(f"EXPLAIN QUERY PLAN {statement}"):
                print("   ", row[-1])
        db.close()
        runs = []
        for run in range(args.runs):
            pairs = lookups(args.calls, seed=run)
            captured = asyncio.run(capture(path, pairs))
            runs.append(
                {
                    "store": asyncio.run(time_store(path, pairs)),
                    "plain": time_plain(path, captured),
                    "round_trips": asyncio.run(time_round_trips(path, args.calls)),
                }
            )
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print(
        f"{counts['results']:,} results rows, {counts['points']:,} points rows, {GUILDS} guilds "
        f"(filled in {filled:.0f} s); {args.runs} runs of {args.calls} lookups"
    )
    print(f"leaderboard + standing via Store:  median {median['store'] * 1000:.3f} ms  (target < 10 ms)")
    print(
        f"baseline, same SQL via plain sqlite3: median {median['plain'] * 1000:.3f} ms  "
        f"(store / plain = {median['store'] / median['plain']:.1f}x)"
    )
    print(
        f"baseline, 2 x SELECT 1 via aiosqlite: median {median['round_trips'] * 1000:.3f} ms  "
        f"(store / round trips = {median['store'] / median['round_trips']:.1f}x)"
    )


if __name__ == "__main__":
    main()
