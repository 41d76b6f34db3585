"""Grade and persist one quiz with 10,000 participants (median of 7 runs).

    python bench/grade_persist.py [--participants 10000] [--runs 7]

Each run creates a fresh SQLite file in a temp dir with `Store.open` (WAL, as the bot runs it) and
opens a quiz for the seed question. The same members already hold points from an earlier quiz, so
the points upsert takes its update path as on a server with history. Timed, as the close does it:
`Store.freeze_answers` (the picks to grade, written once), `grade` on random non-empty picks, then
`Store.record_results`. Baseline in the same run: a second file prepared the same way gets the same
picks, the quiz's state changes, the same `results` rows (read back from the first file) and points
upserts from plain `sqlite3` (`executemany`, foreign keys on, one transaction each): the floor any
store pays for writing them.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.bank import load_bank  # noqa: E402
from bot.grading import Scoring, grade  # noqa: E402
from bot.store import Quiz, Store  # noqa: E402

SEED_ID = "neural-networks/arya-confusion"
GUILD = 1


async def prepared(path: Path, question, selections: dict[int, frozenset[int]]) -> tuple[Store, Quiz]:
    """A fresh store whose members already have points, and an open quiz to grade."""
    store = await Store.open(path)
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


async def one_run(folder: Path, question, selections: dict[int, frozenset[int]]) -> dict:
    store, quiz = await prepared(folder / "quiz.sqlite3", question, selections)
    started = time.perf_counter()
    quiz = await store.freeze_answers(quiz, selections, 120.0)
    frozen = time.perf_counter()
    results = grade(selections, question.correct, quiz.scoring)
    graded = time.perf_counter()
    assert await store.record_results(quiz, results, 120.0)
    done = time.perf_counter()
    await store.close()
    other, _ = await prepared(folder / "baseline.sqlite3", question, selections)
    await other.close()
    return {
        "total": done - started,
        "freeze": frozen - started,
        "grade": graded - frozen,
        "record": done - graded,
        "baseline": write_plainly(folder / "quiz.sqlite3", folder / "baseline.sqlite3", quiz.id),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    question = load_bank([ROOT / "questions"]).get(SEED_ID)
    rng = random.Random(5)
    options = range(len(question.options))
    selections = {
        1000 + n: frozenset(rng.sample(options, rng.randint(1, len(options)))) for n in range(args.participants)
    }
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(asyncio.run(one_run(Path(tmp), question, selections)))
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print(f"{args.participants} participants, {args.runs} runs, fresh SQLite file (WAL) each")
    print(f"freeze + grade + record_results: median {median['total'] * 1000:.0f} ms  (target < 500 ms)")
    print(f"  freeze_answers:       median {median['freeze'] * 1000:.1f} ms")
    print(f"  grade:                median {median['grade'] * 1000:.1f} ms")
    print(f"  record_results:       median {median['record'] * 1000:.1f} ms")
    print(
        f"baseline (plain sqlite3, same rows): median {median['baseline'] * 1000:.1f} ms  "
        f"(total / baseline = {median['total'] / median['baseline']:.1f}x)"
    )


if __name__ == "__main__":
    main()
