"""CPU cost per reaction event: the bot with an open quiz against a bare discord.py client.

    python bench/reaction_cpu.py [--runs 5] [--events 100000]

The loopback Discord runs in this process; each client runs in a child process of its own (this
script with `--client`), so the server's cost is never counted. Per run, each of three clients:

(a) bare: a `discord.Client` with the bot's intents and no-op `on_raw_reaction_add/remove`; the
    events target a member's message in the channel, which the client has cached, as the bot has
    its question;
(a') cog: the same with the bot's framework, a `commands.Bot` whose cog has the no-op listeners
    (the bot's own cost is (b) - (a'), the framework's (a') - (a));
(b) bot: the real `QuizBot` (store on a fresh SQLite file, shipped bank) with `/quiz` open on the
    seed question; the events target the question.

The events: 100,000 MESSAGE_REACTION_ADD/REMOVE payloads, exactly as the server builds them, from
10,000 members on the options' letters (random; an add if the member has not picked that letter,
else a remove, so every event changes a pick), sent back to back with `server.dispatch_many`. A
TYPING_START before and after them marks the interval: the child reads `time.process_time()`
(all its threads, so aiosqlite's writer too) and `time.thread_time()` (the event loop's thread) at
the first mark, and after the second mark closes the client (for the bot this writes every pending
pick) and reads them again. Reported: CPU per event, the share outside the event loop's thread,
the ratio (b) / (a), and for the bot that its stored picks match the events.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

import discord
from discord.ext import commands
from measured_child import Marks, child, mark, measured, run_child

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakediscord import FakeDiscord, User  # noqa: E402
from harness import SEED_ID, StudyGroup, start_quiz  # noqa: E402

from bot.client import intents  # noqa: E402
from bot.render import letter  # noqa: E402

K = 4
MEMBERS = 10_000


# -- the child: one client, measuring itself --------------------------------------------------


class BareClient(discord.Client):
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        pass

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        pass


class NoOpAnswers(commands.Cog):
    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        pass

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        pass


async def bare_client(marks: Marks) -> discord.Client:
    client = BareClient(intents=intents(), guild_ready_timeout=0.05)
    client.on_raw_typing = marks.on_raw_typing
    return client


async def cog_client(marks: Marks) -> discord.Client:
    client = commands.Bot(commands.when_mentioned, intents=intents(), help_command=None, guild_ready_timeout=0.05)
    await client.add_cog(NoOpAnswers())
    client.add_listener(marks.on_raw_typing, "on_raw_typing")
    return client


# -- the parent: the server, the events, the runs ----------------------------------------------


def reaction_events(server: FakeDiscord, message, members, count: int, seed: int):
    """`count` add/remove events that each change someone's pick; and the picks they leave."""
    rng = random.Random(seed)
    picks: dict[int, set[int]] = {}
    events = []
    for _ in range(count):
        user, option = rng.choice(members), rng.randrange(K)
        chosen = picks.setdefault(user.id, set())
        added = option not in chosen
        (chosen.add if added else chosen.discard)(option)
        events.append(server.reaction_event(user, message, letter(option), added=added))
    return events, {(user, option) for user, options in picks.items() for option in options}


async def measure(
    server: FakeDiscord, group: StudyGroup, crowd: list[User], kind: str, events: int, seed: int, tmp: Path
) -> dict:
    database = tmp / f"{kind}-{seed}.sqlite3"
    async with child(__file__, kind, server, database) as process:
        channel = server.add_text_channel(group.guild, f"{kind}-{seed}")
        if kind != "bot":
            message = await server.send_user_message(group.members[0], channel, "answer here")
        else:
            _, message = await start_quiz(server, group, channel, question=SEED_ID, duration=3600)
        batch, final = reaction_events(server, message, crowd, events, seed)
        marked = mark(channel, group.moderator)
        await server.dispatch_many([marked, *batch, marked])
        result = await measured(process)
    if kind == "bot":
        db = sqlite3.connect(database)
        assert set(db.execute("SELECT user_id, option FROM selections")) == final
        db.close()
    return result


async def main(runs: int, events: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeDiscord() as server:
            group = StudyGroup(server)
            crowd = group.add_members(MEMBERS)
            results = {"bare": [], "cog": [], "bot": []}
            for run in range(runs):
                for kind in results:
                    results[kind].append(await measure(server, group, crowd, kind, events, run, Path(tmp)))
    per_event = {kind: statistics.median(r["cpu"] for r in rows) / events for kind, rows in results.items()}
    print(f"{events:,} reaction events from {MEMBERS:,} members, {runs} runs, each client in its own process")
    for label, (kind, rows) in zip(("(a) ", "(a')", "(b) "), results.items(), strict=True):
        wall = statistics.median(r["wall"] for r in rows)
        others = statistics.median(r["other_threads"] for r in rows) / events
        print(
            f"{label} {kind:4}: CPU median {per_event[kind] * 1e6:5.1f} us per event "
            f"({per_event[kind] * events:.2f} s; {others * 1e6:.1f} us outside the event loop's thread), "
            f"wall {wall:.2f} s ({events / wall:,.0f} events/s)"
        )
    bare, cog, bot = (per_event[kind] for kind in results)
    print(
        f"ratio (b) / (a) = {bot / bare:.3f} (target <= 1.25); "
        f"(a') / (a) = {cog / bare:.2f}, (b) / (a') = {bot / cog:.2f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--client", nargs=4, metavar=("KIND", "API", "GATEWAY", "DATABASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        asyncio.run(run_child(*args.client, others={"bare": bare_client, "cog": cog_client}))
    else:
        asyncio.run(main(args.runs, args.events))
