"""Private answers under load: 1,000 members choose in a private quiz's menu within a few seconds.

    python bench/private_answers.py [--members 1000] [--runs 5] [--over 0] [--rtt 0] [--spec-checks]

The loopback Discord runs in this process, its spec checks off unless `--spec-checks` (they cost
it about 2.5 ms a callback and make it, not the client, the bottleneck; the tests keep them on).
Each client runs in a child process of its own (bench/measured_child.py), one after the other:

bot:  the real `QuizBot` (a fresh SQLite file, WAL, synchronous FULL, every choice committed before
      it is acknowledged) with `/quiz answers:private` open on the seed question;
bare: a `discord.Client` with the bot's intents whose `on_interaction` only answers privately,
      storing nothing, sent the same choices on the same message;
bare pooled: the same, over at most as many connections as the bot (`REST_CONNECTIONS`): what the
      bot's own work costs, the transport being equal.

Each member sends one menu choice; `--over 0` sends them back to back (as fast as the server can
build them), `--over 5` spreads them evenly across 5 s. `--rtt 0.1` holds the answer to every callback 0.1 s,
like a round trip to Discord, so a reply occupies its connection that long. Latency: from the interaction's creation
to the arrival of its callback at the server. Discord refuses a callback later than 3 s, and so does
the loopback: such an interaction is never answered (the member sees "interaction failed") and is
counted late. A choice still being stored after 2 s is deferred ("thinking…") and counted too.
CPU: the child's process time (all threads, aiosqlite's too) from a TYPING_START sent before the
first choice until it has closed after one sent after the last answer, per member; the share of it
spent collecting garbage; and how many TCP connections the client's callbacks came on.
The clients take turns, and each run's bot / bare ratios are pairs: the script reports the median
pair and the range, since a run's figures move with what else the machine does.
After each bot run the script checks that every acknowledged choice is in its database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import discord
from measured_child import Marks, child, mark, measured, run_child
from spec_checks import checks_off

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakediscord import FakeDiscord, User  # noqa: E402
from fakediscord.interactions import InteractionRecord  # noqa: E402
from harness import SEED_ID, StudyGroup, bot_messages  # noqa: E402

from bot.client import REST_CONNECTIONS, intents  # noqa: E402

DEADLINE_RULE = 3.0  # seconds Discord gives an interaction to be acknowledged
GRACE = 0.5  # after which a callback still in flight would be refused as well
DEFERRED = 5  # the callback of a choice whose write took over 2 s: "thinking…", the answer follows


# -- the child: one client, measuring itself --------------------------------------------------


class BareClient(discord.Client):
    """Acknowledges every component interaction privately, and does nothing else."""

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


async def bare_client(marks: Marks, **options) -> discord.Client:
    client = BareClient(intents=intents(), guild_ready_timeout=0.05, **options)
    client.on_raw_typing = marks.on_raw_typing
    return client


async def pooled_client(marks: Marks) -> discord.Client:
    return await bare_client(marks, connector=aiohttp.TCPConnector(limit=REST_CONNECTIONS))


# -- the parent: the server, the choices, the runs ---------------------------------------------


async def choices(server: FakeDiscord, question, members, custom_id: str, over: float) -> list[InteractionRecord]:
    """Every member chooses once (two letters, varied), evenly spread across `over` seconds."""
    start = time.monotonic()
    records = []
    for n, member in enumerate(members):
        if over:
            await asyncio.sleep(max(0.0, start + over * n / len(members) - time.monotonic()))
        records.append(await server.select(member, question, custom_id, sorted({str(n % 4), "3"})))
    return records


async def answered(records: list[InteractionRecord]) -> list[float | None]:
    """Each interaction's acknowledgement latency, or None when it came too late for Discord."""
    latencies: list[float | None] = []
    for record in records:
        try:
            left = record.created_at + DEADLINE_RULE + GRACE - time.monotonic()
            response = await record.wait_response(timeout=max(left, 0.01))
            latencies.append(response.at - record.created_at)
        except TimeoutError:
            latencies.append(None)
    return latencies


async def measure(
    server: FakeDiscord, group: StudyGroup, crowd: list[User], kind: str, target: dict, tmp: Path, over: float
) -> dict:
    """One client's run; the bot's posts the question into `target`, where the bare client finds it."""
    database = tmp / f"{kind}-{time.monotonic_ns()}.sqlite3"
    async with child(__file__, kind, server, database) as process:
        if kind == "bot":
            target["channel"] = channel = server.add_text_channel(group.guild, f"quiz-{time.monotonic_ns()}")
            ix = await server.invoke(
                group.moderator, channel, "quiz", question=SEED_ID, duration=3600, answers="private"
            )
            await ix.wait_response()
            await server.wait_for(lambda: ix.followups, description="the note to the moderator")
            target["question"] = bot_messages(server, channel)[-1]
            target["custom_id"] = target["question"].components[0]["components"][0]["custom_id"]
        marked = mark(target["channel"], group.moderator)
        await server.dispatch_many([marked])
        records = await choices(server, target["question"], crowd, target["custom_id"], over)
        latencies = await answered(records)
        callbacks = await server.answered_callbacks(records, timeout=10)  # the client stops with nothing in flight
        await server.dispatch_many([marked])
        result = await measured(process)
    acked = [ms for ms in latencies if ms is not None]
    if kind == "bot":  # every acknowledged choice is in the database
        db = sqlite3.connect(database)
        stored = {user for (user,) in db.execute("SELECT DISTINCT user_id FROM selections")}
        db.close()
        acked_users = {r.user.id for r, ms in zip(records, latencies, strict=True) if ms is not None}
        assert acked_users <= stored, f"{len(acked_users - stored)} acknowledged answers not stored"
    peers = {request.peer for request in callbacks}
    ends = [r.responded_at for r in records if r.responded_at is not None]
    return {
        "p50": statistics.median(acked) if acked else float("nan"),
        "p99": sorted(acked)[max(0, int(len(acked) * 0.99) - 1)] if acked else float("nan"),
        "late": latencies.count(None),
        "deferred": sum(1 for r in records if r.response is not None and r.response.type == DEFERRED),
        "cpu": result["cpu"] / len(records),
        "other_threads": result["other_threads"] / len(records),
        "gc": result["gc"] / result["cpu"],
        "switches": result["switches"] / len(records),
        "connections": len(peers),
        "span": max(ends, default=records[-1].created_at) - records[0].created_at,
    }


async def main(count: int, runs: int, over: float, rtt: float, spec_checks: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp, contextlib.nullcontext() if spec_checks else checks_off():
        async with FakeDiscord() as server:
            results: dict[str, list[dict]] = {"bot": [], "bare": [], "bare pooled": []}
            if rtt:
                every = len(results) * runs * count + runs  # each client's callbacks in each run, and /quiz's
                server.slow_next("POST", "/interactions/{i}/{token}/callback", rtt, times=every)
            group = StudyGroup(server)
            crowd = group.add_members(count)
            for _ in range(runs):
                target: dict = {}
                for kind, rows in results.items():  # bare answers on the question the bot just posted
                    rows.append(await measure(server, group, crowd, kind, target, Path(tmp), over))

    def median(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    sent = "back to back" if not over else f"spread over {over:g} s"
    checks = "on" if spec_checks else "off"
    print(f"{count} members, one choice each, {sent}, round trip {rtt * 1000:g} ms; loopback spec checks {checks}")
    print(f"{runs} runs; medians:")
    for kind, rows in results.items():
        print(
            f"  {kind:11}: ack p50 {median(rows, 'p50') * 1000:7.1f} ms  p99 {median(rows, 'p99') * 1000:7.1f} ms"
            f"  late (> 3 s, refused): {sum(r['late'] for r in rows)}, deferred: {sum(r['deferred'] for r in rows)}"
            f"  CPU/answer {median(rows, 'cpu') * 1000:.3f} ms ({median(rows, 'other_threads') * 1000:.3f} off-loop,"
            f" {median(rows, 'gc'):.0%} collecting garbage, {median(rows, 'switches'):.1f} context switches)"
            f"  connections {median(rows, 'connections'):.0f}"
            f"  first choice to last ack {median(rows, 'span'):.2f} s"
        )
    bot = results["bot"]
    for kind in ("bare", "bare pooled"):
        bare = results[kind]
        pairs = sorted(b["cpu"] / a["cpu"] for b, a in zip(bot, bare, strict=True))
        print(
            f"ratio bot / {kind}: CPU per answer {statistics.median(pairs):.2f}x"
            f" (runs {pairs[0]:.2f}-{pairs[-1]:.2f}x; target <= 1.5x),"
            f" p50 {median(bot, 'p50') / median(bare, 'p50'):.2f}x, p99 {median(bot, 'p99') / median(bare, 'p99'):.2f}x"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--over", type=float, default=0.0, help="seconds to spread the choices across")
    parser.add_argument("--rtt", type=float, default=0.0, help="seconds each callback's answer is held")
    parser.add_argument("--spec-checks", action="store_true", help="keep the loopback's OpenAPI checks on")
    parser.add_argument("--client", nargs=4, metavar=("KIND", "API", "GATEWAY", "DATABASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        asyncio.run(run_child(*args.client, others={"bare": bare_client, "bare pooled": pooled_client}))
    else:
        asyncio.run(main(args.members, args.runs, args.over, args.rtt, args.spec_checks))
