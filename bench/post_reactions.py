"""Posting a question: from `/quiz` to the last option letter placed, against the reaction rate limit.

    python bench/post_reactions.py [--runs 5]

Runs the real bot against the loopback Discord, which allows one reaction PUT per 250 ms per
channel and says so in `X-RateLimit-*` headers, as Discord does. Two generated questions, with
k = 4 and k = 10 options (same body and option lengths). Each run posts each question in a fresh
channel; the time is from just before `server.invoke` to the arrival of the last reaction PUT in the
server's request log.

Floor, measured in the same process first: a bare discord.py client answers a slash command with
the same question message as its interaction response, timed from `server.invoke` to the arrival of
that response (one message post). The floor for k options is that time plus (k - 1) x 250 ms.
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
from discord import app_commands

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakediscord import FakeDiscord  # noqa: E402
from fakediscord.clients import wait_ready  # noqa: E402
from harness import BotRunner, FakeClock, StudyGroup, start_quiz  # noqa: E402

from bot.bank import QuestionBank, load_bank  # noqa: E402
from bot.client import intents, use_endpoints  # noqa: E402
from bot.render import question_posts  # noqa: E402

INTERVAL = 0.25  # the server's reaction rate limit, one PUT per channel per 250 ms
SIZES = (4, 10)
CALLBACK = "POST /interactions/{i}/{token}/callback"
REACTION_PUT = "PUT /channels/{c}/messages/{m}/reactions/{e}/@me"


def question_bank(folder: Path) -> QuestionBank:
    for k in SIZES:
        options = "\n".join(f"- [{'x' if i < 2 else ' '}] Statement number {i + 1} about the model." for i in range(k))
        (folder / "bench").mkdir(exist_ok=True)
        (folder / "bench" / f"options-{k}.md").write_text(
            f"# A question with {k} options\n\nArya trains a classifier and compares the results.\n\n"
            f"**Which of the following statements are correct?**\n\n{options}\n\n## Answer\n\nThe first two.\n",
            encoding="utf-8",
        )
    bank = load_bank([folder])
    assert not bank.problems, bank.problems
    return bank


class BareClient(discord.Client):
    """A client whose `/post` answers with the question as the interaction response, nothing else."""

    def __init__(self, bank: QuestionBank) -> None:
        super().__init__(intents=intents(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(name="post", description="Post a question")
        async def post(interaction: discord.Interaction, question: str) -> None:
            (message,) = question_posts(bank.get(question), deadline=2_000_000_000)
            embeds = [discord.Embed.from_dict(e) for e in message.embeds]
            await interaction.response.send_message(message.content, embeds=embeds)

    async def setup_hook(self) -> None:
        await self.tree.sync()


def arrivals(server: FakeDiscord, route: str, channel_id: int | None = None) -> list[float]:
    return [
        r.at
        for r in server.requests
        if r.route == route and r.status < 300 and (channel_id is None or f"/channels/{channel_id}/" in r.path)
    ]


async def one_message_post(server: FakeDiscord, group: StudyGroup) -> float:
    seen = len(arrivals(server, CALLBACK))
    started = time.monotonic()
    ix = await server.invoke(group.moderator, group.channel, "post", question="bench/options-10")
    await ix.wait_response()
    return arrivals(server, CALLBACK)[seen] - started


async def quiz_post(server: FakeDiscord, group: StudyGroup, k: int) -> dict:
    channel = server.add_text_channel(group.guild, f"quiz-{len(group.guild.channels)}")
    started = time.monotonic()
    await start_quiz(server, group, channel, k, question=f"bench/options-{k}", duration=3600)
    puts = arrivals(server, REACTION_PUT, channel.id)
    limited = sum(1 for r in server.requests if r.status == 429 and f"/channels/{channel.id}/" in r.path)
    return {"last": puts[-1] - started, "first": puts[0] - started, "429s": limited}


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bank = question_bank(Path(tmp))
        async with FakeDiscord() as server:
            group = StudyGroup(server)
            runner = BotRunner(server, Path(tmp) / "quiz.sqlite3", FakeClock())
            runner.bank = bank
            use_endpoints(runner.config().discord)

            bare = BareClient(bank)
            task = asyncio.create_task(bare.start("test-token"))
            await wait_ready(bare, task)
            posts = [await one_message_post(server, group) for _ in range(runs)]
            await bare.close()
            await task

            await runner.start()
            try:
                quizzes = {k: [await quiz_post(server, group, k) for _ in range(runs)] for k in SIZES}
            finally:
                await runner.stop_all()
    post = statistics.median(posts)
    print(f"{runs} runs; one message post (bare client, interaction -> response): median {post * 1000:.1f} ms")
    for k, results in quizzes.items():
        last = statistics.median(r["last"] for r in results)
        first = statistics.median(r["first"] for r in results)
        floor = post + (k - 1) * INTERVAL
        print(
            f"k = {k:2}: interaction -> last reaction median {last * 1000:.0f} ms "
            f"(first reaction at {first * 1000:.0f} ms), floor {floor * 1000:.0f} ms, "
            f"ratio {last / floor:.3f} (target <= 1.1), 429s: {sum(r['429s'] for r in results)}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main(parser.parse_args().runs))
