"""Private answers under load: 1,000 members choose in a private quiz's menu at once.

    python bench/private_answers.py [--members 1000] [--runs 3]

Runs the real bot (SQLite file, every choice committed before it is acknowledged) against the
loopback Discord. Each run sends one menu choice per member back to back, then waits for every
acknowledgement. Latency: from the interaction's creation to the arrival of its callback at the
server (Discord's limit is 3 s). CPU: process time of the whole run (bot, loopback server and
client all share this process) divided by the members.

Baseline, measured in the same process on the same message: a bare discord.py client whose
`on_interaction` only answers with an ephemeral message, nothing stored.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import discord

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakediscord import FakeDiscord  # noqa: E402
from fakediscord.clients import wait_ready  # noqa: E402
from harness import SEED_ID, BotRunner, FakeClock, StudyGroup, bot_messages  # noqa: E402

from bot.client import intents, use_endpoints  # noqa: E402

DEADLINE_RULE = 3.0  # seconds Discord gives an interaction to be acknowledged


class BareClient(discord.Client):
    """Acknowledges every component interaction privately, and does nothing else."""

    def __init__(self) -> None:
        super().__init__(intents=intents(), guild_ready_timeout=0.05)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


async def burst(server: FakeDiscord, question, members, custom_id: str) -> dict:
    cpu, wall = time.process_time(), time.monotonic()
    picks = [sorted({str(n % 4), "3"}) for n in range(len(members))]
    records = [await server.select(member, question, custom_id, p) for member, p in zip(members, picks, strict=True)]
    responses = [await record.wait_response(timeout=30) for record in records]
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    latencies = sorted(r.at - record.created_at for r, record in zip(responses, records, strict=True))
    return {
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "late": sum(1 for x in latencies if x > DEADLINE_RULE),
        "cpu": cpu / len(members),
        "wall": wall,
    }


async def main(count: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeDiscord() as server:
            group = StudyGroup(server)
            members = group.add_members(count)
            runner = BotRunner(server, Path(tmp) / "quiz.sqlite3", FakeClock(), answers="private")
            use_endpoints(runner.config().discord)
            bot = await runner.start()
            ix = await server.invoke(group.moderator, group.channel, "quiz", question=SEED_ID, duration=3600)
            await ix.wait_response()
            await server.wait_for(lambda: ix.followups, description="the note to the moderator")
            question = bot_messages(server, group.channel)[-1]
            custom_id = question.components[0]["components"][0]["custom_id"]
            ours = [await burst(server, question, members, custom_id) for _ in range(runs)]
            stored = await bot.store.selections(int(custom_id.split(":")[1]))
            assert len(stored) == count, f"{len(stored)} of {count} answers stored"
            await runner.stop_all()

            bare = BareClient()
            task = asyncio.create_task(bare.start("test-token"))
            await wait_ready(bare, task)
            base = [await burst(server, question, members, custom_id) for _ in range(runs)]
            await bare.close()
            await task

    def median(results: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in results)

    print(f"{count} members, {runs} runs, medians:")
    for name, results in (("bot (stored, then acked)", ours), ("bare discord.py ack", base)):
        print(
            f"  {name:25} ack p50 {median(results, 'p50') * 1000:7.1f} ms  p99 {median(results, 'p99') * 1000:7.1f} ms"
            f"  over 3 s: {sum(r['late'] for r in results)}  CPU/answer {median(results, 'cpu') * 1000:.3f} ms"
            f"  all {count} in {median(results, 'wall'):.2f} s"
        )
    ratio = median(ours, "cpu") / median(base, "cpu")
    print(f"CPU per answer, bot / bare: {ratio:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.members, arguments.runs))
