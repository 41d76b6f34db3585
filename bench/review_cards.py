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
  changed since (a quiz closed: its mean is recomputed from its 10,000 cards); every mean over an
  hour old (used as stored);
- before: every mean recomputed from all 1,000,000 cards, then the pick (what the first pick an hour
  after the last did before the means were refreshed after answers), `--calls` / 20 times;
- a refresh step: `Store.refresh_recall` recomputing the oldest mean from its 10,000 cards (what
  each answer does after its transaction);
- baseline: two `SELECT 1` round trips through aiosqlite (the floor of two queries from the bot).

Then, untimed, how often a pick with hour-old means chooses another question than one with fresh
means: at `--moments` random moments in the next 30 days, the lowest of all 100 means and of a random
10-question topic, each computed as of the moment and as of an hour before.
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
from bot.memory import curve, make_scheduler, most_forgotten  # noqa: E402
from bot.store import RECALL_MAX_AGE, Store  # noqa: E402

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
    order = json.dumps(list(range(len(SEED.options))))  # as in the file
    for n, question in enumerate(ASKED):
        started = NOW - 60 * DAY + n * 3600
        db.execute(
            "INSERT INTO quizzes (guild_id, channel_id, message_id, question_id, question_json, scoring, started_by,"
            " started_at, deadline, state, closed_at, option_order)"
            " VALUES (?, 1, ?, ?, ?, 'exact', 1, ?, ?, 'announced', ?, ?)",
            (GUILD, n + 1, question.id, json.dumps(asdict(question)), started, started + 60, started + 60, order),
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
    async with store.engine.transaction() as db:
        await db.executemany("UPDATE memory_recall SET as_of = NULL WHERE question_id = ?", [(q,) for q in which])


async def age(store: Store) -> None:
    """Untimed: make every mean over an hour old."""
    async with store.engine.transaction() as db:
        await db.execute("UPDATE memory_recall SET as_of = ?", NOW - 2 * RECALL_MAX_AGE)


async def refresh(store: Store) -> None:
    assert len(await store.refresh_recall(GUILD, NOW)) == 1


async def recompute_all(store: Store) -> None:
    """What the first pick an hour after the last did before: every mean from all the cards."""
    assert len(await store.refresh_recall(GUILD, NOW, step=QUESTIONS)) == QUESTIONS
    await pick(store)


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
            "pick:review, every mean an hour old": await timed(calls, lambda: pick(store), lambda: age(store)),
            "refresh step after an answer": await timed(calls, lambda: refresh(store), lambda: age(store)),
            "before: every mean recomputed at the pick": await timed(
                max(1, calls // 20), lambda: recompute_all(store), lambda: age(store)
            ),
            "baseline: two SELECT 1": await timed(calls, lambda: baseline(store)),
        }
    finally:
        await store.close()


def means(db: sqlite3.Connection, at: float) -> dict[str, float]:
    factor, decay = curve(make_scheduler())
    query = (
        "SELECT question_id, AVG(pow(1 + ? * max(0, CAST((? - last_review) / 86400 AS INTEGER)) / stability, ?))"
        " FROM memory_cards GROUP BY question_id"
    )
    return dict(db.execute(query, (factor, at, decay)))


def differing_picks(path: Path, moments: int, rng: random.Random) -> tuple[int, int]:
    """(of all 100, of a 10-question topic): at how many moments an hour-old mean picks another question."""
    db = sqlite3.connect(path)
    differ = [0, 0]
    for _ in range(moments):
        at = NOW + rng.uniform(0, 30) * DAY
        fresh, old = means(db, at), means(db, at - RECALL_MAX_AGE)
        topic = rng.sample(ASKED, 10)
        for n, candidates in enumerate((ASKED, topic)):
            differ[n] += most_forgotten(candidates, fresh, {}) != most_forgotten(candidates, old, {})
    db.close()
    return differ[0], differ[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--moments", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cards.sqlite3"
        started = time.perf_counter()
        fill(path)
        print(f"filled {MEMBERS * QUESTIONS:,} cards in {time.perf_counter() - started:.1f} s")
        runs = [asyncio.run(one_run(path, args.calls, rng)) for _ in range(args.runs)]
        differ = differing_picks(path, args.moments, rng)
    base = statistics.median(run["baseline: two SELECT 1"] for run in runs)
    print(f"median of {args.runs} runs, {args.calls} calls each")
    for name in runs[0]:
        median = statistics.median(run[name] for run in runs)
        print(f"{name:44} {median * 1000:9.2f} ms  {median / base:8.1f}x baseline")
    print(f"hour-old means pick another question at {differ[0]} of {args.moments} moments (all 100 questions),")
    print(f"{differ[1]} of {args.moments} (a random 10-question topic)")


if __name__ == "__main__":
    main()
