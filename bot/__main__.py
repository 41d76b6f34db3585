"""Command line: `quizbot run` starts the bot, `quizbot validate` checks a question bank.

This is the one place that wires configuration, storage, the question bank and the Discord client.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.bank import load_bank


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="quizbot", description="A Discord quiz bot for study groups.")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check question files and report every problem")
    validate.add_argument("paths", nargs="*", type=Path, default=[Path("questions")], metavar="PATH")
    validate.add_argument("--strict", action="store_true", help="fail on warnings too")
    args = parser.parse_args(argv)
    return _validate(args.paths, strict=args.strict)


def _validate(paths: list[Path], *, strict: bool) -> int:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"quizbot validate: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    bank = load_bank(paths)
    for problem in bank.problems:
        print(problem)
    print(
        f"{len(bank.questions)} questions ok, {bank.errors} errors, {bank.warnings} warnings in {bank.files} files"
    )
    failed = bank.errors or (strict and bank.warnings)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
