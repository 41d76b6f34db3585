"""Front matter with thousands of unknown keys: parse time against the YAML load alone (median of 5).

    python bench/front_matter_keys.py [--keys 8000] [--runs 5]

Every unknown key is reported with its line and a did-you-mean, so the cost of the report per key
must not grow with the number of keys. The baseline is PyYAML loading the same front matter, which
any parser of the file pays.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.questions import parse_question

QUESTION = "# T\n\n**Which one?**\n\n- [x] a\n- [ ] b\n\n## Answer\n\nBecause.\n"


def median_seconds(run, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=8000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    front = "\n".join(f"unknown_{n}: {n}" for n in range(args.keys))
    text = f"---\n{front}\n---\n{QUESTION}"
    parsed = parse_question(text, path="q.md", qid="q")
    assert len(parsed.problems) == args.keys
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    baseline = median_seconds(lambda: yaml.load(front, Loader=loader), args.runs)
    seconds = median_seconds(lambda: parse_question(text, path="q.md", qid="q"), args.runs)
    print(f"{args.keys} unknown front-matter keys, {args.runs} runs")
    print(f"parse_question:          median {seconds * 1000:.0f} ms")
    print(f"baseline (YAML load only): median {baseline * 1000:.0f} ms  (parse / baseline = {seconds / baseline:.1f}x)")


if __name__ == "__main__":
    main()
