"""Grade and persist one quiz with 10,000 participants (median of 7 runs), on SQLite and PostgreSQL.

    python bench/grade_persist.py [--participants 10000] [--runs 7] [--engine sqlite|postgres|both]

Each run creates a fresh database with `Store.open` (a SQLite file in a temp dir, WAL, as the bot
runs it; or a new database on a throwaway PostgreSQL, see `bench/engines.py`) and opens a quiz for
the seed question. The same members already hold points from an earlier quiz, so
the points upsert takes its update path as on a server with history. Timed, as the close does it:
`Store.freeze_answers` (the picks to grade, written once), `grade` on random non-empty picks, then
`Store.record_results`. Baseline in the same run: a second file prepared the same way gets the same
picks, the quiz's state changes, the same `results` rows (read back from the first file) and points
upserts from plain `sqlite3` (`executemany`, foreign keys on, one transaction each), or on
PostgreSQL from one bare asyncpg connection by `executemany`, a statement per row (the store sends
each batch once, by columns: see `bot.store.postgres_sql.ByColumns`).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from engines import add_engine_option, chosen, postgres_server  # noqa: E402

from bot.bank import load_bank  # noqa: E402
from bot.grading import Scoring, grade  # noqa: E402
from bot.store import Quiz, QuizState, Store, postgres_sql  # noqa: E402

SEED_ID = "neural-networks/arya-confusion"
GUILD = 1


async def prepared(target: Path | str, question, selections: dict[int, frozenset[int]]) -> tuple[Store, Quiz]:
    """A fresh store whose members already have points, and an open quiz to grade."""
    store = await Store.open(target)
    quizzes = []
    for n in (1, 2):
        quiz = await store.create_quiz(
            guild_id=GUILD,
            channel_id=n,
            started_by=1,
            question=question,
            scoring=Scoring.EXACT,
            started_at=0.0,
            deadline=60.0,
        )
        quizzes.append(await store.mark_open(await store.add_question_part(quiz, n)))
    earlier = await store.freeze_answers(quizzes[0], selections, 60.0)
    await store.record_results(earlier, grade(selections, question.correct, Scoring.EXACT), 60.0)
    return store, quizzes[1]


def write_plainly(source: Path, target: Path, quiz_id: int) -> float:
    """Seconds for plain sqlite3 to write into `target` the results the store wrote into `source`."""
    read = sqlite3.connect(source)
    rows = read.execute("SELECT * FROM results WHERE quiz_id = ?", (quiz_id,)).fetchall()
    picks = read.execute("SELECT * FROM selections WHERE quiz_id = ?", (quiz_id,)).fetchall()
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    columns = [column for _, column, *_ in db.execute("PRAGMA table_info(results)")]
    guild, user, points, exact = (columns.index(name) for name in ("guild_id", "user_id", "points", "exact"))
    started = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE quizzes SET state = 'closing', answers_read_at = 60.0 WHERE id = ?", (quiz_id,))
    db.execute("DELETE FROM selections WHERE quiz_id = ?", (quiz_id,))
    db.executemany("INSERT INTO selections VALUES (?, ?, ?)", picks)
    db.execute("COMMIT")
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE quizzes SET state = 'graded', closed_at = 120.0 WHERE id = ?", (quiz_id,))
    db.executemany(f"INSERT INTO results VALUES ({', '.join('?' * len(columns))})", rows)
    db.executemany(
        "INSERT INTO points (guild_id, user_id, points, answered, exact) VALUES (?, ?, ?, 1, ?)"
        " ON CONFLICT (guild_id, user_id) DO UPDATE SET points = points + excluded.points,"
        " answered = answered + 1, exact = exact + excluded.exact",
        [(row[guild], row[user], row[points], row[exact]) for row in rows],
    )
    db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return seconds


# The bare driver's writes as executemany sends them, a statement per row (the store's batch by columns).
PLAIN_INSERT_SELECTION = "INSERT INTO selections VALUES ($1, $2, $3)"
PLAIN_INSERT_RESULT = "INSERT INTO results VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
PLAIN_ADD_POINTS = (
    "INSERT INTO points AS p VALUES ($1, $2, $3, 1, $4) ON CONFLICT (guild_id, user_id)"
    " DO UPDATE SET points = p.points + EXCLUDED.points, answered = p.answered + 1, exact = p.exact + EXCLUDED.exact"
)


async def write_plainly_postgres(source: str, target: str, quiz_id: int) -> float:
    """Seconds for a bare asyncpg connection to write into `target` what the store wrote into `source`."""
    read = await asyncpg.connect(source)
    results = await read.fetch(
        "SELECT quiz_id, guild_id, user_id, selected, points, exact, graded_at, topic FROM results WHERE quiz_id = $1",
        quiz_id,
    )
    picks = await read.fetch("SELECT quiz_id, user_id, option FROM selections WHERE quiz_id = $1", quiz_id)
    await read.close()
    db = await asyncpg.connect(target)
    sql = postgres_sql
    started = time.perf_counter()
    async with db.transaction():
        await db.execute(sql.FREEZE_ANSWERS, QuizState.CLOSING.value, 60.0, quiz_id, QuizState.OPEN.value)
        await db.execute(sql.CLEAR_SELECTIONS, quiz_id)
        await db.executemany(PLAIN_INSERT_SELECTION, picks)
    async with db.transaction():
        await db.execute(sql.MARK_GRADED, QuizState.GRADED.value, 120.0, quiz_id, QuizState.CLOSING.value)
        await db.executemany(PLAIN_INSERT_RESULT, results)
        points = [(r["guild_id"], r["user_id"], r["points"], r["exact"]) for r in results]
        await db.executemany(PLAIN_ADD_POINTS, points)
    seconds = time.perf_counter() - started
    await db.close()
    return seconds


async def analyze(url: str) -> None:
    db = await asyncpg.connect(url)
    await db.execute("ANALYZE")
    await db.close()


async def one_run(
    targets: tuple[Path | str, Path | str], question, selections: dict[int, frozenset[int]], *, analyzed: bool
) -> dict:
    """`targets`: two fresh databases of one engine, for the store and for the baseline.

    `analyzed` (PostgreSQL): the planner has statistics of the earlier quiz's rows, as autovacuum
    leaves them about a minute after it; without, the planner knows only the tables' sizes.
    """
    measured, baseline = targets
    store, quiz = await prepared(measured, question, selections)
    if analyzed:
        await analyze(measured)
    started = time.perf_counter()
    quiz = await store.freeze_answers(quiz, selections, 120.0)
    frozen = time.perf_counter()
    results = grade(selections, question.correct, quiz.scoring)
    graded = time.perf_counter()
    assert await store.record_results(quiz, results, 120.0)
    done = time.perf_counter()
    await store.close()
    other, _ = await prepared(baseline, question, selections)
    await other.close()
    if isinstance(measured, str):
        plain = await write_plainly_postgres(measured, baseline, quiz.id)
    else:
        plain = write_plainly(measured, baseline, quiz.id)
    return {
        "total": done - started,
        "freeze": frozen - started,
        "grade": graded - frozen,
        "record": done - graded,
        "baseline": plain,
    }


def report(engine: str, participants: int, runs: list[dict]) -> None:
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print(f"{engine}: {participants} participants, {len(runs)} runs, a fresh database each")
    print(f"  freeze + grade + record_results: median {median['total'] * 1000:.0f} ms  (target < 500 ms)")
    print(f"    freeze_answers:       median {median['freeze'] * 1000:.1f} ms")
    print(f"    grade:                median {median['grade'] * 1000:.1f} ms")
    print(f"    record_results:       median {median['record'] * 1000:.1f} ms")
    print(
        f"  baseline (bare driver, same rows): median {median['baseline'] * 1000:.1f} ms  "
        f"(total / baseline = {median['total'] / median['baseline']:.1f}x)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    add_engine_option(parser)
    args = parser.parse_args()
    engines = chosen(args)
    question = load_bank([ROOT / "questions"]).get(SEED_ID)
    rng = random.Random(5)
    options = range(len(question.options))
    selections = {
        1000 + n: frozenset(rng.sample(options, rng.randint(1, len(options)))) for n in range(args.participants)
    }
    cases = [
        (engine, analyzed) for engine in engines for analyzed in ((False, True) if engine == "postgres" else (False,))
    ]
    with postgres_server(engines) as server:
        for engine, analyzed in cases:
            runs = []
            for _ in range(args.runs):
                with tempfile.TemporaryDirectory() as tmp:
                    if engine == "sqlite":
                        targets = (Path(tmp) / "quiz.sqlite3", Path(tmp) / "baseline.sqlite3")
                    else:
                        targets = (server.new_database(), server.new_database())
                    runs.append(await one_run(targets, question, selections, analyzed=analyzed))
            report(f"{engine}{', analyzed' if analyzed else ''}", args.participants, runs)


if __name__ == "__main__":
    asyncio.run(main())
