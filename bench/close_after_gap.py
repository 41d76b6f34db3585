"""Closing a quiz after a gateway gap: the bot reconciles from the message's reaction lists.

    python bench/close_after_gap.py [--runs 5] [--participants 10 1000 10000]

The real bot against the loopback Discord, on a FakeClock. For each N, each run opens the seed
question (k = 4 options) in a fresh channel. Half of N members react with random non-empty picks
while the bot is connected; the other half react during `server.gateway_outage(resumable=False)`,
so their events are lost and the bot re-IDENTIFies (a new session: it cannot trust its own picks).
After the bot is back, the clock moves to the deadline. Counted, from that moment until the
question message is edited to "Closed": the reconciliation reads (the message fetch and the
reaction-list pages) and the announcement calls. The reads are compared with the pages needed,
1 fetch + sum over options of ceil(users/100), where an option's users include the bot's own
reaction. Timed: the deadline to the last page, and to the announcement. The grade must count
every member. Baseline in the same run: the same close with N = 10.
"""

from __future__ import annotations

import argparse
import asyncio
import math
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
READS = ("GET /channels/{c}/messages/{m}", "GET /channels/{c}/messages/{m}/reactions/{e}")


async def close_once(server: FakeDiscord, group: StudyGroup, clock: FakeClock, crowd, rng) -> dict:
    channel = server.add_text_channel(group.guild, f"quiz-{len(group.guild.channels)}")
    _, question = await start_quiz(server, group, channel, K, question=SEED_ID, duration=DURATION)
    picks = {user: rng.sample(range(K), rng.randint(1, K)) for user in crowd}
    seen, missed = list(picks.items())[: len(crowd) // 2], list(picks.items())[len(crowd) // 2 :]
    await group.react_many(question, dict(seen))
    identified = server.identify_count
    async with server.gateway_outage(resumable=False):
        await group.react_many(question, dict(missed))
    await server.wait_identified(identified + 1)
    await group.settle()  # back, with a new session

    needed = 1 + sum(math.ceil(len(users) / 100) for users in question.reactions.values())
    mark = len(server.requests)
    deadline = time.monotonic()
    clock.advance(DURATION)
    await server.wait_for(lambda: question.content.startswith("🔒 Closed"), timeout=120)
    calls = server.requests[mark:]
    reads = [r for r in calls if r.route in READS]
    answered = re.search(r"of (\d+) got it exactly right|\((\d+) answered\)", embed_text(bot_messages(server, channel)))
    assert answered and int(answered.group(1) or answered.group(2)) == len(crowd)
    return {
        "reads": len(reads),
        "needed": needed,
        "others": len(calls) - len(reads),
        "read_seconds": reads[-1].at - deadline,
        "seconds": calls[-1].at - deadline,
    }


async def main(runs: int, sizes: list[int]) -> None:
    results = await per_size(close_once, sizes, runs, seed=3)
    base = statistics.median(r["seconds"] for r in results[sizes[0]])
    print(f"k = {K} options, {runs} runs per size; target: reads <= 1 fetch + pages needed")
    for n, rows in results.items():
        median = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
        excess = max(r["reads"] - r["needed"] for r in rows)
        print(
            f"N = {n:>6,}: reads median {median['reads']:g} (needed {median['needed']:g}; "
            f"most over in any run: {excess}), other calls {median['others']:g}; "
            f"deadline -> last page {median['read_seconds'] * 1000:.0f} ms, "
            f"-> announced {median['seconds'] * 1000:.0f} ms ({median['seconds'] / base:.1f}x N = {sizes[0]})"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--participants", type=int, nargs="+", default=[10, 1_000, 10_000])
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.participants))
