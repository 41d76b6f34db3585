"""`/review` and `pick:review` at 1,000,000 memory cards: one server, 10,000 members, 100 questions each.

    python bench/review_cards.py [--runs 7] [--calls 200]

The database is filled once: `Store.open` creates the real schema, then the statement shapes of the
store write 100 asked questions (a quiz row each) and a card per member and question (stability
log-normal around 4.5 days, last review in the past 60 days, due one stability later). Each run
times, per call (median):

- `/review`: `Store.due_card` and `Store.memory_summary` for a random member (what the drill's first
  screen asks);
- `pick:review`: `Store.last_asked`, `Store.mean_recall` and `most_forgotten` over the 100 questions
  (what `Quizmaster.choose` does), three ways: every question's mean fresh; one question's cards
  changed since (a quiz closed: its mean is recomputed from its 10,000 cards); every mean stale (the
  first pick after an hour without one: all 1,000,000 cards read, `--calls` / 20 times);
- baseline: two `SELECT 1` round trips through aiosqlite (the floor of two queries from the bot).
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
from collections.abc import Awaitable, Callable
from dataclasses import asdict, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.bank import load_bank  # noqa: E402
from bot.memory import most_forgotten  # noqa: E402
from bot.store import Store  # noqa: E402

SEED_ID = "neural-networks/arya-confusion"
GUILD, MEMBERS, QUESTIONS = 1, 10_000, 100
NOW = 1_800_000_000.0
DAY = 86_400.0
SEED = replace(load_bank([ROOT / "questions"]).get(SEED_ID), id="")
ASKED = [replace(SEED, id=f"topic/q{n:03d}") for n in range(QUESTIONS)]


async def create(path: Path) -> None:
    await (await Store.open(path)).close()


def fill(path: Path) -> None:
    asyncio.run(create(path))
    rng = random.Random(12)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    for n, question in enumerate(ASKED):
        started = NOW - 60 * DAY + n * 3600
        db.execute(
            "INSERT INTO quizzes (guild_id, channel_id, message_id, question_id, question_json, scoring, started_by,"
            " started_at, deadline, state, closed_at) VALUES (?, 1, ?, ?, ?, 'exact', 1, ?, ?, 'announced', ?)",
            (GUILD, n + 1, question.id, json.dumps(asdict(question)), started, started + 60, started + 60),
        )
    rows = []
    for user in range(MEMBERS):
        for question in ASKED:
            stability = rng.lognormvariate(1.5, 1.0)
            last = NOW - rng.uniform(0, 60) * DAY
            rows.append((GUILD, user + 1, question.id, 2, None, stability, 5.0, last + stability * DAY, last, 3))
    db.executemany(
        "INSERT INTO memory_cards (guild_id, user_id, question_id, state, step, stability, difficulty, due,"
        " last_review, reviews) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    db.executemany("INSERT INTO memory_recall VALUES (?, ?, NULL, NULL)", [(GUILD, q.id) for q in ASKED])
    db.execute("COMMIT")
    db.close()


async def review(store: Store, rng: random.Random) -> None:
    user = rng.randrange(MEMBERS) + 1
    await store.due_card(GUILD, user, NOW)
    await store.memory_summary(GUILD, user, NOW)


async def pick(store: Store) -> None:
    last_asked = await store.last_asked(GUILD)
    assert most_forgotten(ASKED, await store.mean_recall(GUILD, NOW), last_asked) is not None


async def stale(store: Store, which: list[str]) -> None:
    """Untimed: mark means stale as a card change does."""
    async with store._transaction() as db:
        await db.executemany("UPDATE memory_recall SET as_of = NULL WHERE question_id = ?", [(q,) for q in which])


async def baseline(store: Store) -> None:
    await store.schema_version()
    await store.schema_version()


async def timed(calls: int, step: Callable[[], Awaitable[None]], before: Callable[[], Awaitable[None]] | None = None):
    times = []
    for _ in range(calls):
        if before is not None:
            await before()
        started = time.perf_counter()
        await step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def one_run(path: Path, calls: int, rng: random.Random) -> dict[str, float]:
    store = await Store.open(path)
    try:
        await pick(store)  # every mean computed once: fresh from here
        return {
            "/review: due card + summary": await timed(calls, lambda: review(store, rng)),
            "pick:review, means fresh": await timed(calls, lambda: pick(store)),
            "pick:review, one question changed": await timed(
                calls, lambda: pick(store), lambda: stale(store, [rng.choice(ASKED).id])
            ),
            "pick:review, every mean stale": await timed(
                max(1, calls // 20), lambda: pick(store), lambda: stale(store, [q.id for q in ASKED])
            ),
            "baseline: two SELECT 1": await timed(calls, lambda: baseline(store)),
        }
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cards.sqlite3"
        started = time.perf_counter()
        fill(path)
        print(f"filled {MEMBERS * QUESTIONS:,} cards in {time.perf_counter() - started:.1f} s")
        runs = [asyncio.run(one_run(path, args.calls, rng)) for _ in range(args.runs)]
    base = statistics.median(run["baseline: two SELECT 1"] for run in runs)
    print(f"median of {args.runs} runs, {args.calls} calls each")
    for name in runs[0]:
        median = statistics.median(run[name] for run in runs)
        print(f"{name:38} {median * 1000:9.2f} ms  {median / base:8.1f}x baseline")


if __name__ == "__main__":
    main()
