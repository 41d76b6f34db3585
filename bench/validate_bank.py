"""`quizbot validate` on 10,000 files with the bank-level lints on (median of 5 runs).

    python bench/validate_bank.py [--files 10000] [--runs 5]

The files are generated questions of the shipped questions' size (about 2.8 KB: a story, a code
block, a bold prompt, 4 options, an answer and reading links), each with its own words so that the
near-duplicate lint has real work: every prompt shares the common words of the language with the
others (words follow Zipf's law), none is a copy. Correct options and their lengths are placed
at random, as in a fair bank.
Each run is the real command in a fresh process; inside the same process the script also times
`load_bank` and `lint_bank` apart. The baseline is reading and decoding every file.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bank_load import arguments, fresh_run, read_everything, write_question  # noqa: E402  (beside this script)

from bot.bank import load_bank  # noqa: E402
from bot.lints import lint_bank  # noqa: E402


def generate(target: Path, files: int) -> int:
    rng = random.Random(1)
    # Words are drawn with Zipf's law (the n-th most common word n times rarer than the first), as
    # in written language: a few words are in every question, most in a handful.
    vocabulary = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 9))) for _ in range(50_000)]
    weights = list(accumulate(1 / rank for rank in range(1, len(vocabulary) + 1)))

    def sentence(words: int) -> str:
        return " ".join(rng.choices(vocabulary, cum_weights=weights, k=words)).capitalize() + "."

    total = 0
    for n in range(files):
        correct = set(rng.sample(range(4), rng.choice((1, 1, 2))))
        options = "\n".join(f"- [{'x' if i in correct else ' '}] {sentence(rng.randint(6, 16))}" for i in range(4))
        story = "\n\n".join(" ".join(sentence(rng.randint(8, 20)) for _ in range(4)) for _ in range(3))
        code = "\n".join(f"{rng.choice(vocabulary)} = {rng.randint(0, 999)}" for _ in range(8))
        answer = "\n\n".join(" ".join(sentence(rng.randint(8, 20)) for _ in range(4)) for _ in range(2))
        text = (
            f"---\ntags: [topic-{n % 50}]\ndifficulty: medium\n---\n# Question {n}: {sentence(5)}\n\n"
            f"{story}\n\n```python\n{code}\n```\n\n**Which {'two' if len(correct) == 2 else 'one'} of these "
            f"{rng.choice(vocabulary)} statements is right?**\n\n{options}\n\n## Answer\n\n{answer}\n\n"
            f"## Reading\n\n- [{sentence(4)}](https://example.org/{n})\n"
        )
        total += write_question(target, n, text)
    return total


def one_run(folder: Path) -> dict:
    baseline = read_everything(folder)
    started = time.perf_counter()
    bank = load_bank([folder], processes=2)
    gc.freeze()  # as `quizbot validate` does
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    problems = lint_bank(bank, where=str(folder))
    linted = time.perf_counter() - started
    assert len(bank.questions) == bank.files and not bank.problems and not problems, problems[:3]
    return {"baseline": baseline, "load": loaded, "lint": linted}


def main() -> None:
    args = arguments()
    if args.one_run:
        print(json.dumps(one_run(args.one_run)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        size = generate(Path(tmp), args.files)
        command = []
        parts = []
        for _ in range(args.runs):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "bot", "validate", "--strict", tmp], capture_output=True)
            command.append(time.perf_counter() - started)
            assert done.returncode == 0, done.stdout[-2000:]
            parts.append(fresh_run(__file__, tmp))
    median = {key: statistics.median(run[key] for run in parts) for key in parts[0]}
    total = statistics.median(command)
    print(f"{args.files} files, {size / 1e6:.1f} MB of markdown, {args.runs} runs, fresh process each")
    print(f"quizbot validate --strict (whole command): median {total:.2f} s")
    print(f"  load_bank (2 processes):  median {median['load']:.2f} s")
    print(f"  lint_bank (all lints):    median {median['lint']:.2f} s")
    print(
        f"baseline (read only):       median {median['baseline']:.2f} s  "
        f"(validate / baseline = {total / median['baseline']:.1f}x; "
        f"lints / load = {median['lint'] / median['load']:.2f})"
    )


if __name__ == "__main__":
    main()
