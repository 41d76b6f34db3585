"""A `/review` drill step, from the click on Submit to the verdict, with the database idle or busy.

    python bench/drill_step.py [--runs 7] [--hold 2.0]

The real bot against the loopback Discord, on a FakeClock. A member misses the seed question in a
group quiz; each run moves the clock to the card's due date, opens `/review`, picks the options in
the menu and clicks Submit. Timed: from the click to Discord's acknowledgement (Discord allows 3 s)
and to the edit that shows the verdict. Busy: another connection holds the database's write lock
for `--hold` seconds from just before the click (a backup, or an administrator's `sqlite3` session);
the store waits for it (busy timeout 5 s). Baseline in the same run: the same step, database idle.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakediscord import FakeDiscord  # noqa: E402
from harness import SEED_ID, BotRunner, FakeClock, StudyGroup, start_quiz  # noqa: E402


def hold_write_lock(path: Path, seconds: float, held: threading.Event) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    held.set()
    time.sleep(seconds)
    db.execute("ROLLBACK")
    db.close()


def custom_id(message, prefix: str) -> str:
    return next(
        c["custom_id"] for row in message.components for c in row["components"] if c["custom_id"].startswith(prefix)
    )


async def step(server: FakeDiscord, group: StudyGroup, runner: BotRunner, bot, clock: FakeClock, hold: float):
    ana = group.members[0]
    card = await bot.store.card(1)
    clock.advance(max(0.0, card.memory.due - clock.now()))
    ix = await server.invoke(ana, group.channel, "review")
    await server.wait_for(lambda: ix.followups, description="the drill")
    drill = ix.followups[0]
    chosen = await server.select(ana, drill, custom_id(drill, "review:pick:"), ["0", "3"])
    await chosen.wait_response()
    lock = None
    if hold:
        held = threading.Event()
        lock = asyncio.create_task(asyncio.to_thread(hold_write_lock, runner.database, hold, held))
        await asyncio.to_thread(held.wait)
    started = time.monotonic()
    press = await server.click(ana, drill, custom_id(drill, "review:submit:"))
    await press.wait_response(timeout=10)
    acknowledged = time.monotonic() - started
    await server.wait_for(lambda: drill.embeds and drill.embeds[0]["title"].startswith("✅"), timeout=10)
    answered = time.monotonic() - started
    if lock is not None:
        await lock
    return acknowledged, answered


async def main(runs: int, hold: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeDiscord() as server:
            group = StudyGroup(server)
            clock = FakeClock()
            runner = BotRunner(server, Path(tmp) / "quiz.sqlite3", clock)
            bot = await runner.start()
            try:
                _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
                await group.react(group.members[0], question, 1)
                await group.settle()
                clock.advance(60)
                await server.wait_for(lambda: question.content.startswith("🔒"))
                figures = {"idle": [], "busy": []}
                for _ in range(runs):
                    figures["idle"].append(await step(server, group, runner, bot, clock, 0.0))
                    figures["busy"].append(await step(server, group, runner, bot, clock, hold))
            finally:
                await runner.stop_all()
    print(f"median of {runs} steps each; busy: the write lock held {hold:.1f} s by another connection")
    idle_answer = statistics.median(a for _, a in figures["idle"])
    for name, steps in figures.items():
        ack = statistics.median(a for a, _ in steps)
        answer = statistics.median(a for _, a in steps)
        print(
            f"{name:5} click -> acknowledged {ack * 1000:8.1f} ms   click -> verdict {answer * 1000:8.1f} ms"
            f"   ({answer / idle_answer:.1f}x idle)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--hold", type=float, default=2.0)
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.hold))
