"""Formulas and figures: what typesetting costs, in posting, in `validate` and in memory.

    python bench/media.py [--runs 7] [--files 10000]

1. Posting: the question messages of a question with 6 formulas and a figure, made (typeset, read)
   and sent by the real discord.py client to the loopback Discord, against the same question with
   the formulas written as plain words and no figure. Cold: the layout caches emptied before each
   run (the first post after a start without a bank load); warm: as posted after `validate` or a
   bank load, which lay every formula out.
2. Render time per formula: each formula of the shipped bank typeset alone into a PNG, cold.
3. `validate` (`load_bank`, forked workers as the command uses) on a bank of `--files` generated
   questions where one in ten has two formulas, against the same bank with words in their place.
4. Memory: the resident set size of a fresh process before and after importing the renderer, and
   after typesetting every formula of the shipped bank.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import discord  # noqa: E402
import yarl  # noqa: E402
from fakediscord import FakeDiscord  # noqa: E402
from fakediscord.clients import wait_ready  # noqa: E402

from bot import formulas, render  # noqa: E402
from bot.bank import load_bank  # noqa: E402
from bot.cogs.replies import with_files  # noqa: E402
from bot.math_spans import find_spans  # noqa: E402

SIX_FORMULAS = r"""# Attention, softmax and a figure

The logits are $z = (2, 1, 0)$ and the temperature is T:

$$p_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}}$$

Attention scales by the key size: $\mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V$.

{figure}

**Which is right?**

- [x] $p_1 \approx 0.867$ at $T = 0.5$
- [ ] $\begin{pmatrix} 0.5 & 0.3 \\ 0.2 & 0.8 \end{pmatrix}$ is a confusion matrix
- [ ] Nothing

## Answer

Because.
"""
PLAIN = SIX_FORMULAS
for tex in ("$z = (2, 1, 0)$", "$$p_i = \\frac{e^{z_i / T}}{\\sum_j e^{z_j / T}}$$"):
    PLAIN = PLAIN.replace(tex, "the logits")
PLAIN = PLAIN.replace("$\\mathrm{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)V$", "softmax of the scores")
PLAIN = PLAIN.replace("$p_1 \\approx 0.867$ at $T = 0.5$", "about 0.867").replace("{figure}", "")
PLAIN = PLAIN.replace("$\\begin{pmatrix} 0.5 & 0.3 \\\\ 0.2 & 0.8 \\end{pmatrix}$", "a matrix")


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bank_of(folder: Path, texts: dict[str, str]) -> dict:
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "questions" / "figures" / "confusion-matrix.png", folder / "figures" / "cm.png")
    (folder / "q").mkdir(exist_ok=True)
    for name, text in texts.items():
        (folder / "q" / f"{name}.md").write_text(text)
    bank = load_bank([folder])
    assert not [p for p in bank.problems if p.severity == "error"], bank.problems
    return {name: bank.get(f"q/{name}") for name in texts}


async def posting(runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        figure = "![a confusion matrix](../figures/cm.png)"
        questions = bank_of(Path(tmp), {"math": SIX_FORMULAS.replace("{figure}", figure), "plain": PLAIN})
        assert (
            len(find_spans(questions["math"].body + questions["math"].prompt))
            + sum(len(find_spans(o.text)) for o in questions["math"].options)
            == 6
        )
        async with FakeDiscord() as server:
            guild = server.add_guild("Bench")
            channel_model = server.add_text_channel(guild, "quiz")
            discord.http.Route.BASE = server.api_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)
            client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
            task = asyncio.create_task(client.start("bench-token"))
            await wait_ready(client, task)
            channel = client.get_channel(channel_model.id)

            async def post(question) -> float:
                start = time.perf_counter()
                for message in render.question_posts(question, 1_800_000_000):
                    await channel.send(**await with_files(message))
                return time.perf_counter() - start

            found: dict[str, list[float]] = {"plain": [], "math, cold": [], "math, warm": []}
            for _ in range(runs):
                found["plain"].append(await post(questions["plain"]))
                formulas._laid_out.cache_clear()
                formulas.compose.cache_clear()
                found["math, cold"].append(await post(questions["math"]))
                formulas.compose.cache_clear()  # the layouts stay: as after a bank load
                found["math, warm"].append(await post(questions["math"]))
            await client.close()
            await task
    return {name: median_ms(samples) for name, samples in found.items()}


def per_formula(runs: int) -> list[float]:
    files = (ROOT / "questions").rglob("*.md")
    shipped = sorted({(s.tex, s.display) for path in files for s in find_spans(path.read_text())})
    times = []
    for tex, display in shipped:
        samples = []
        for _ in range(runs):
            formulas._laid_out.cache_clear()
            formulas.compose.cache_clear()
            start = time.perf_counter()
            formulas.compose((("", f"$${tex}$$" if display else f"${tex}$"),))
            samples.append(time.perf_counter() - start)
        times.append(median_ms(samples))
    return times


def generate(folder: Path, files: int, with_math: bool) -> None:
    for n in range(files):
        topic = folder / f"t{n % 20}"
        topic.mkdir(parents=True, exist_ok=True)
        if n % 10 == 0 and with_math:
            extra = (
                f"The score is $s_{{{n}}} = \\frac{{q \\cdot k_{{{n}}}}}{{\\sqrt{{d}}}}$"
                f" and $$\\sum_i w_i^{{{n % 7 + 2}}}$$"
            )
        else:
            extra = f"The score is s {n} equals q dot k over root d and the sum of w to the power {n % 7 + 2}"
        options = "\n".join(f"- [{'x' if i == n % 4 else ' '}] Option {i} of question {n}." for i in range(4))
        (topic / f"q{n}.md").write_text(
            f"# Question {n}\n\nA story about model {n}.\n\n{extra}\n\n"
            f"**Which one?**\n\n{options}\n\n## Answer\n\nIt is.\n"
        )


def validating(files: int, runs: int) -> dict[str, float]:
    found = {}
    for with_math in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            generate(Path(tmp), files, with_math)
            samples = []
            for _ in range(runs):
                formulas._laid_out.cache_clear()
                start = time.perf_counter()
                bank = load_bank([Path(tmp)], processes=os.cpu_count() or 1)
                samples.append(time.perf_counter() - start)
                assert len(bank.questions) == files, bank.problems[:3]
            found["1 in 10 with math" if with_math else "no math"] = median_ms(samples)
    return found


RSS_PROBE = """
import resource, sys
from pathlib import Path
sys.path.insert(0, {root!r})
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize() / 2**20
import discord, yaml, aiosqlite, pyromark
before = rss()
import ziamath, ziafont, resvg_py
from bot import formulas
from bot.math_spans import find_spans
imported = rss()
for p in Path({root!r}, "questions").rglob("*.md"):
    for s in find_spans(p.read_text()):
        formulas.compose((("", f"${{s.tex}}$"),))
print(before, imported, rss())
"""


def memory() -> tuple[float, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", RSS_PROBE.format(root=str(ROOT))], capture_output=True, text=True, check=True
    ).stdout
    before, imported, rendered = map(float, out.split())
    return before, imported, rendered


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--files", type=int, default=10_000)
    args = parser.parse_args()

    posted = asyncio.run(posting(args.runs))
    base = posted["plain"]
    print(f"posting, median of {args.runs}:")
    for name, ms in posted.items():
        print(f"  {name:12s} {ms:8.1f} ms  ({ms / base:.1f}x plain)")
    times = per_formula(args.runs)
    print(
        f"render per formula ({len(times)} formulas of the shipped bank, cold):"
        f" median {statistics.median(times):.1f} ms, slowest {max(times):.1f} ms"
    )
    checked = validating(args.files, max(1, args.runs // 2))
    print(f"validate {args.files:,} files, median of {max(1, args.runs // 2)}:")
    for name, ms in checked.items():
        print(f"  {name:18s} {ms / 1000:6.2f} s  ({ms / checked['no math']:.2f}x no math)")
    before, imported, rendered = memory()
    print(
        f"RSS: {before:.0f} MB with discord.py and friends; +{imported - before:.0f} MB importing the renderer; "
        f"+{rendered - imported:.0f} MB more after typesetting the bank's formulas"
    )


if __name__ == "__main__":
    main()
