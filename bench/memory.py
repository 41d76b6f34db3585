"""Memory of the running bot: 10,000 questions loaded and 50 open quizzes (median of 5 runs).

    python bench/memory.py [--files 10000] [--quizzes 50] [--runs 5]

The bot is the real `quizbot run` process (config pointing at the loopback Discord, which runs in
this process, questions generated as in `bench/bank_load.py`); its resident memory is VmRSS from
/proc/PID/status, read when it is idle at each step:

1. ready: the bank loaded, connected, commands synced (it has answered an autocomplete);
2. after `/quiz` in 50 channels, each question posted with all its letters;
3. after 100 members answered each of those quizzes (random non-empty picks).

Per-quiz overhead = (2 - 1) / 50; per-participant = (3 - 2) / 5,000. Baseline in the same run: a
bare discord.py client process with the bot's intents, connected to the same server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bank_load import generate  # noqa: E402
from fakediscord import FakeDiscord  # noqa: E402
from harness import StudyGroup, start_quiz  # noqa: E402

from bot.bank import load_bank  # noqa: E402

PARTICIPANTS = 100
BARE_CLIENT = """
import asyncio, sys
import discord, yarl
discord.http.Route.BASE = sys.argv[1]
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(sys.argv[2])
intents = discord.Intents.none()
intents.guilds = intents.guild_reactions = intents.guild_messages = True  # the bot's intents

async def main():
    client = discord.Client(intents=intents, guild_ready_timeout=0.05)
    task = asyncio.create_task(client.start("test-token"))
    await asyncio.create_task(client.wait_until_ready())  # runs once start() has set the client up
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.read)  # until the parent closes our stdin
    await client.close()
    await task

asyncio.run(main())
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


async def idle_rss(pid: int) -> float:
    await asyncio.sleep(1.0)  # let the client finish what it was doing
    return rss_mb(pid)


async def bare_client(server: FakeDiscord) -> float:
    child = subprocess.Popen(
        [sys.executable, "-c", BARE_CLIENT, server.api_base, server.gateway_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert await asyncio.to_thread(child.stdout.readline) == "ready\n"
        return await idle_rss(child.pid)
    finally:
        child.stdin.close()
        child.wait(timeout=30)


async def bot(server: FakeDiscord, group: StudyGroup, crowd: list, questions: list, tmp: Path, run: int) -> dict:
    config = tmp / f"config-{run}.yaml"
    config.write_text(
        f"discord:\n  api_base_url: {server.api_base}\n  gateway_url: {server.gateway_url}\n"
        f"database:\n  path: quiz-{run}.sqlite3\nquestions:\n  path: bank\n",
        encoding="utf-8",
    )
    identified = server.identify_count
    child = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        cwd=ROOT,
        env={**os.environ, "DISCORD_TOKEN": "test-token"},
        stderr=subprocess.DEVNULL,
    )
    try:
        await server.wait_identified(identified + 1, timeout=60)
        await group.settle()
        ready = await idle_rss(child.pid)

        channels = [server.add_text_channel(group.guild, f"run{run}-quiz{n}") for n in range(len(questions))]
        posted = await asyncio.gather(
            *(
                start_quiz(server, group, channel, len(question.options), question=question.id, duration=86_400)
                for channel, question in zip(channels, questions, strict=True)
            )
        )
        opened = await idle_rss(child.pid)

        rng = random.Random(run)
        for (_, message), question in zip(posted, questions, strict=True):
            k = len(question.options)
            await group.react_many(message, {user: rng.sample(range(k), rng.randint(1, k)) for user in crowd})
        await group.settle()
        answered = await idle_rss(child.pid)
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=30)
    return {"ready": ready, "opened": opened, "answered": answered}


async def main(files: int, quizzes: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bank").mkdir()
        generate(Path(tmp) / "bank", files)
        bank = load_bank([Path(tmp) / "bank"], processes=os.cpu_count() or 1)
        questions = random.Random(7).sample(sorted(bank.questions.values(), key=lambda q: q.id), quizzes)
        async with FakeDiscord() as server:
            group = StudyGroup(server)
            crowd = group.add_members(PARTICIPANTS)
            results = []
            for run in range(runs):
                results.append(
                    {"bare": await bare_client(server), **await bot(server, group, crowd, questions, Path(tmp), run)}
                )
    median = {key: statistics.median(r[key] for r in results) for key in results[0]}
    spread = {key: max(r[key] for r in results) - min(r[key] for r in results) for key in results[0]}
    print(f"{files:,} questions, {quizzes} open quizzes, {runs} runs, VmRSS from /proc/PID/status (median, spread)")
    print(f"baseline, bare discord.py client: {median['bare']:6.1f} MB  ({spread['bare']:.1f})")
    print(
        f"bot ready, bank loaded:           {median['ready']:6.1f} MB  ({spread['ready']:.1f}); "
        f"{median['ready'] / median['bare']:.1f}x baseline, +{median['ready'] - median['bare']:.1f} MB"
    )
    per_quiz = (median["opened"] - median["ready"]) / quizzes * 1024
    print(
        f"{quizzes} quizzes open:                  {median['opened']:6.1f} MB  ({spread['opened']:.1f}); "
        f"{per_quiz:.0f} KB per quiz"
    )
    per_participant = (median["answered"] - median["opened"]) / (quizzes * PARTICIPANTS) * 1024 * 1024
    print(
        f"{PARTICIPANTS} participants in each:        {median['answered']:6.1f} MB  ({spread['answered']:.1f}); "
        f"{per_participant:.0f} bytes per participant"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--quizzes", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.files, args.quizzes, args.runs))
