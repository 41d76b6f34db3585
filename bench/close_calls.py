"""Closing a quiz when no gateway event was missed: REST calls from the deadline to the announcement.

    python bench/close_calls.py [--runs 5] [--participants 10 1000 10000]

The real bot against the loopback Discord, on a FakeClock. For each N, each run opens the seed
question (k = 4 options) in a fresh channel; N members react with random non-empty picks (the events
go out back to back through `StudyGroup.react_many`, every one delivered), and the run waits until
the bot has handled them all. Then the clock moves to the deadline. Counted: the requests in the
server's request log from that moment until the question message is edited to "Closed", the last
REST call of the announcement; timed: the same interval, up to that edit's arrival. Baseline in the
same run: N = 10, the smallest quiz; the calls must not grow with N.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakediscord import FakeDiscord  # noqa: E402
from harness import SEED_ID, FakeClock, StudyGroup, bot_messages, embed_text, per_size, start_quiz  # noqa: E402

K = 4
DURATION = 60


async def close_once(server: FakeDiscord, group: StudyGroup, clock: FakeClock, crowd, rng) -> dict:
    channel = server.add_text_channel(group.guild, f"quiz-{len(group.guild.channels)}")
    _, question = await start_quiz(server, group, channel, K, question=SEED_ID, duration=DURATION)
    picks = {user: rng.sample(range(K), rng.randint(1, K)) for user in crowd}
    await group.react_many(question, picks)
    await group.settle()  # the bot has handled every reaction event

    mark = len(server.requests)
    deadline = time.monotonic()
    clock.advance(DURATION)
    await server.wait_for(lambda: question.content.startswith("🔒 Closed"), timeout=120)
    calls = server.requests[mark:]
    answered = re.search(r"of (\d+) got it exactly right|\((\d+) answered\)", embed_text(bot_messages(server, channel)))
    assert answered and int(answered.group(1) or answered.group(2)) == len(crowd)
    return {"calls": len(calls), "seconds": calls[-1].at - deadline, "routes": [r.route for r in calls]}


async def main(runs: int, sizes: list[int]) -> None:
    results = await per_size(close_once, sizes, runs, seed=2)
    baseline = results[sizes[0]]
    base_calls = statistics.median(r["calls"] for r in baseline)
    base_seconds = statistics.median(r["seconds"] for r in baseline)
    print(f"k = {K} options, {runs} runs per size; target: calls <= k + 3 = {K + 3}, independent of N")
    for n, rows in results.items():
        calls = statistics.median(r["calls"] for r in rows)
        seconds = statistics.median(r["seconds"] for r in rows)
        print(
            f"N = {n:>6,}: calls median {calls:g} (min {min(r['calls'] for r in rows)}, "
            f"max {max(r['calls'] for r in rows)}; {calls / base_calls:.2f}x N = {sizes[0]}), "
            f"deadline -> announced median {seconds * 1000:.0f} ms ({seconds / base_seconds:.1f}x N = {sizes[0]})"
        )
        for route, count in collections.Counter(results[n][0]["routes"]).items():
            print(f"    {count} x {route}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--participants", type=int, nargs="+", default=[10, 1_000, 10_000])
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.participants))
