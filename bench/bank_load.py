"""Bank load: 10,000 question files, time and peak memory (median of 5 runs).

    python bench/bank_load.py [--files 10000] [--runs 5]

The files are the shipped questions copied round-robin into topic folders (so sizes and structure
are those of real questions), each with its own title. Each run loads the bank in a fresh process;
the baseline in the same process only reads and decodes every file, the floor any loader pays.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.bank import load_bank  # noqa: E402


def write_question(target: Path, n: int, text: str) -> int:
    """Question `n` into one of 10 topic folders; its size in bytes."""
    path = target / f"topic-{n % 10}" / f"q{n:05}.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return len(text.encode())


def generate(target: Path, files: int) -> int:
    templates = sorted((ROOT / "questions").rglob("*.md"))
    return sum(
        write_question(
            target, n, templates[n % len(templates)].read_text(encoding="utf-8").replace("\n# ", f"\n# #{n} ", 1)
        )
        for n in range(files)
    )


def read_everything(folder: Path) -> float:
    """Seconds to read and decode every file: the floor any loader pays."""
    started = time.perf_counter()
    for path in folder.rglob("*.md"):
        path.read_bytes().decode("utf-8-sig")
    return time.perf_counter() - started


def one_run(folder: Path) -> dict:
    """In a fresh process: the read-only baseline, then the real load."""
    baseline = read_everything(folder)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    bank = load_bank([folder], processes=os.cpu_count() or 1)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest parsing worker
    assert len(bank.questions) == bank.files and not bank.problems
    started = time.perf_counter()
    load_bank([folder], processes=1)
    serial = time.perf_counter() - started
    return {
        "seconds": seconds,
        "serial": serial,
        "baseline": baseline,
        "peak_mb": peak / 1024,
        "growth_mb": (peak - rss_before) / 1024,
        "worker_mb": worker_peak / 1024,
    }


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--one-run", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def fresh_run(script: str, folder: str) -> dict:
    """The figures of `script --one-run folder`, run in a new process (nothing cached, nothing imported)."""
    done = subprocess.run([sys.executable, script, "--one-run", folder], check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def main() -> None:
    args = arguments()
    if args.one_run:
        print(json.dumps(one_run(args.one_run)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        size = generate(Path(tmp), args.files)
        runs = [fresh_run(__file__, tmp) for _ in range(args.runs)]
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print(f"{args.files} files, {size / 1e6:.1f} MB of markdown, {args.runs} runs, fresh process each")
    print(f"load_bank:           median {median['seconds']:.2f} s ({os.cpu_count()} processes)")
    print(f"load_bank, 1 process: median {median['serial']:.2f} s")
    print(
        f"baseline (read only): median {median['baseline']:.2f} s  (load / baseline = "
        f"{median['seconds'] / median['baseline']:.1f}x)"
    )
    print(
        f"peak RSS:            median {median['peak_mb']:.0f} MB in the loading process (the load added "
        f"{median['growth_mb']:.0f} MB), {median['worker_mb']:.0f} MB in the largest worker"
    )


if __name__ == "__main__":
    main()
