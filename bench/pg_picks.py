"""Pick changes written per second by two bot processes sharing one PostgreSQL, written as the bot writes them.

    python bench/pg_picks.py [--seconds 10] [--rate 40000] [--quizzes 20] [--members 10000]

Each OS process opens its own Store and its own open quizzes (a guild of its own), then for
`--seconds` offers reaction adds and removes at `--rate` per second (each toggles a random member's
pick of a random option on one of its quizzes) to a loop that writes as `Quizmaster._write_picks`
does: take everything pending, write it with one `Store.apply_selection_changes`, repeat. A batch is
therefore whatever arrived during the last write, so under load batches grow until the writer keeps
up or the database is saturated. Reported per case: changes written per second over the window
(the processes' rates summed), the batch sizes, the 99th percentile of a batch's write, and the
backlog left at the end (a backlog that grows means the offered rate is above what is written).
Baselines in the same run: one process alone on PostgreSQL (the ratio two / one) and on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from engines import p99, postgres_server  # noqa: E402

from bot.bank import load_bank  # noqa: E402
from bot.grading import Scoring  # noqa: E402
from bot.store import SelectionChange, Store  # noqa: E402

SEED_ID = "neural-networks/arya-confusion"


async def open_quizzes(store: Store, process: int, count: int) -> tuple[list[int], int]:
    """`count` open quizzes in the process's own guild; their ids and how many options each has."""
    question = load_bank([ROOT / "questions"]).get(SEED_ID)
    ids = []
    for n in range(count):
        quiz = await store.create_quiz(
            guild_id=process + 1,
            channel_id=(process + 1) * 1_000 + n,
            started_by=1,
            question=question,
            scoring=Scoring.EXACT,
            started_at=0.0,
            deadline=1e12,
        )
        quiz = await store.mark_open(await store.add_question_part(quiz, (process + 1) * 1_000_000 + n))
        ids.append(quiz.id)
    return ids, len(question.options)


async def offer(pending: list[SelectionChange], quizzes: list[int], options: int, members: int, args, rng) -> None:
    """Reactions at `args.rate` per second for `args.seconds`, each toggling one pick."""
    picked: set[tuple[int, int, int]] = set()
    started = time.perf_counter()
    offered = 0
    while (elapsed := time.perf_counter() - started) < args.seconds:
        for _ in range(int(elapsed * args.rate) - offered):
            key = (rng.choice(quizzes), rng.randrange(members), rng.randrange(options))
            added = key not in picked
            (picked.add if added else picked.discard)(key)
            pending.append(SelectionChange(*key, added))
        offered = int(elapsed * args.rate)
        await asyncio.sleep(0.001)


async def write_behind(store: Store, pending: list[SelectionChange], offering: asyncio.Task) -> dict:
    """The bot's pick writer, until the offering ends; what it wrote and how."""
    batches, latencies = [], []
    started = time.perf_counter()
    while not offering.done():
        if not pending:
            await asyncio.sleep(0.001)
            continue
        count = len(pending)
        began = time.perf_counter()
        await store.apply_selection_changes(pending[:count])
        latencies.append(time.perf_counter() - began)
        batches.append(count)
        del pending[:count]
    elapsed = time.perf_counter() - started
    return {
        "written": sum(batches),
        "seconds": elapsed,
        "batches": batches,
        "latencies": latencies,
        "left": len(pending),
    }


async def work(target: Path | str, process: int, args, barrier) -> dict:
    store = await Store.open(target)
    try:
        quizzes, options = await open_quizzes(store, process, args.quizzes)
        await asyncio.to_thread(barrier.wait)  # every process starts offering at once
        pending: list[SelectionChange] = []
        offering = asyncio.create_task(offer(pending, quizzes, options, args.members, args, random.Random(process)))
        written = await write_behind(store, pending, offering)
        await offering
        return written
    finally:
        await store.close()


def worker(target: Path | str, process: int, args, barrier, results) -> None:
    results.put(asyncio.run(work(target, process, args, barrier)))


def run_case(target: Path | str, processes: int, args) -> list[dict]:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(processes), context.Queue()
    asyncio.run(migrated(target))  # before the processes start, so none of them waits on the other's migration
    started = [context.Process(target=worker, args=(target, n, args, barrier, results)) for n in range(processes)]
    for process in started:
        process.start()
    done = [results.get() for _ in started]
    for process in started:
        process.join()
    return done


async def migrated(target: Path | str) -> None:
    store = await Store.open(target)
    await store.close()


def report(label: str, done: list[dict], offered: float) -> float:
    rate = sum(d["written"] / d["seconds"] for d in done)
    batches = [b for d in done for b in d["batches"]]
    slowest = p99([t for d in done for t in d["latencies"]])
    print(
        f"  {label:<28} {rate:9,.0f} changes/s written (offered {offered:,.0f}/s); batches: median "
        f"{statistics.median(batches):,.0f}, max {max(batches):,}; p99 write {slowest * 1000:.0f} ms; "
        f"backlog at the end {sum(d['left'] for d in done):,}"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=40_000, help="changes offered per second, per process")
    parser.add_argument("--quizzes", type=int, default=20, help="open quizzes per process")
    parser.add_argument("--members", type=int, default=10_000, help="members reacting, per process")
    args = parser.parse_args()
    print(
        f"{args.seconds:.0f} s per case; each process: {args.quizzes} open quizzes, {args.members:,} members, "
        f"{args.rate:,.0f} changes offered per second (target: >= 20,000 written per second with two processes)"
    )
    with tempfile.TemporaryDirectory() as tmp, postgres_server(["postgres"]) as server:
        two = report("postgres, two processes", run_case(server.new_database(), 2, args), 2 * args.rate)
        one = report("postgres, one process", run_case(server.new_database(), 1, args), args.rate)
        report("sqlite, one process", run_case(Path(tmp) / "picks.sqlite3", 1, args), args.rate)
    print(f"  two processes / one process: {two / one:.2f}x")


if __name__ == "__main__":
    main()
