"""Command line: `quizbot run` starts the bot, `validate` checks a question bank, `import` converts other formats.

This is the one place that wires configuration, storage, the question bank and the Discord client.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import sys
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

import aiohttp
import discord

from bot import collector, ownership
from bot.bank import QuestionBank, load_bank
from bot.client import QuizBot, use_endpoints
from bot.config import Config, ConfigError, load_config, token_from_environment
from bot.importers import FORMATS
from bot.importers.folder import import_sources
from bot.lints import lint_bank
from bot.problems import Severity, count
from bot.quiz import SystemClock
from bot.store import Store, StoreError
from bot.store.copy_to_postgres import copy_to_postgres
from bot.store.engine import redacted

log = logging.getLogger("bot")

# Discord unreachable or unavailable at start: try again after these pauses (seconds, about a minute
# in all), then exit 1 so that a supervisor restarts the bot or a person sees why.
START_RETRY_DELAYS = (2.0, 4.0, 8.0, 16.0, 30.0)
UNREACHABLE = (OSError, aiohttp.ClientError, TimeoutError, discord.DiscordServerError)
# Gateway close codes that no retry can mend: the shard settings in the file must change.
REFUSED_SHARD = {
    4010: "Discord refused the shards (close code 4010, invalid shard): check discord.shard_count and "
    "discord.shard_ids",
    4011: "Discord requires more shards for this many servers (close code 4011): raise discord.shard_count, "
    "or leave it out to take Discord's recommendation",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="quizbot", description="A Discord quiz bot for study groups.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="connect to Discord and run quizzes")
    run.add_argument("--config", type=Path, default=Path("config.yaml"), help="default: ./config.yaml")
    validate = commands.add_parser("validate", help="check question files and report every problem")
    validate.add_argument("paths", nargs="*", type=Path, default=[Path("questions")], metavar="PATH")
    validate.add_argument("--strict", action="store_true", help="fail on warnings too")
    convert = commands.add_parser(
        "import",
        help="convert other question formats into one file per question",
        description="Write one question file per converted question (never overwriting), report what "
        "could not be converted with its source line, and exit 1 if anything was skipped.",
    )
    convert.add_argument("format", choices=sorted(FORMATS), help="the source format")
    convert.add_argument("sources", nargs="+", type=Path, metavar="SOURCE")
    convert.add_argument("--into", type=Path, required=True, metavar="FOLDER", help="where to write the files")
    migrate = commands.add_parser(
        "migrate-db",
        help="copy a SQLite database into an empty PostgreSQL one",
        description="Copy every table of SQLITE_FILE into the PostgreSQL database at POSTGRES_URL (which must "
        "exist, e.g. by createdb, and be empty unless --force), check the row counts, and print them.",
    )
    migrate.add_argument("sqlite_file", type=Path, metavar="SQLITE_FILE")
    migrate.add_argument("postgres_url", metavar="POSTGRES_URL", help="postgresql://user[:password]@host[:port]/db")
    migrate.add_argument("--force", action="store_true", help="replace whatever the target already holds")
    args = parser.parse_args(argv)
    if args.command == "migrate-db":
        return _migrate_db(args.sqlite_file, args.postgres_url, force=args.force)
    if args.command == "run":
        return _run(args.config)
    if args.command == "import":
        return _import(args.format, args.sources, args.into)
    return _validate(args.paths, strict=args.strict)


def _validate(paths: list[Path], *, strict: bool) -> int:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"quizbot validate: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    bank = load_bank(paths, processes=os.cpu_count() or 1)
    gc.freeze()  # the lints make many small objects: spare the collector re-scanning the whole bank for them
    problems = [*bank.problems, *lint_bank(bank, where=", ".join(map(str, paths)))]
    gc.unfreeze()
    for problem in problems:
        print(problem)
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    summary = (
        f"{count(len(bank.questions), 'question')} ok, {count(errors, 'error')}, "
        f"{count(warnings, 'warning')} in {count(bank.files, 'file')}"
    )
    if strict and warnings and not errors:
        summary += " — failed because --strict counts warnings as errors"
    print(summary)
    return 1 if errors or (strict and warnings) else 0


def _import(form: str, sources: list[Path], into: Path) -> int:
    missing = [str(p) for p in sources if not p.is_file()]
    if missing:
        print(f"quizbot import: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    report = import_sources(form, sources, into)
    for line in report.skipped:
        print(f"skipped: {line}")
    print(f"wrote {count(len(report.written), 'question file')} to {into}; skipped {len(report.skipped):,}")
    return 1 if report.skipped else 0


def _migrate_db(sqlite_file: Path, url: str, *, force: bool) -> int:
    try:
        copied = asyncio.run(copy_to_postgres(sqlite_file, url, force=force))
    except StoreError as error:
        print(f"quizbot migrate-db: {error}", file=sys.stderr)
        return 1
    for table in copied:
        print(f"{table.table}: {table.rows:,} rows")
    total = sum(table.rows for table in copied)
    print(f"copied {total:,} rows in {len(copied)} tables to {redacted(url)}; every count matches")
    return 0


def _run(config_path: Path) -> int:
    collector.set_for_bursts()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("discord.client", "discord.shard"):
        logging.getLogger(name).addFilter(_one_line_reconnects)
    try:
        token = token_from_environment()
        config = load_config(config_path)
        if not config.questions_path.is_dir():
            raise ConfigError(f"questions.path: {config.questions_path} is not a folder")
    except ConfigError as error:
        print(f"quizbot: {error}", file=sys.stderr)
        return 1
    bank = load_bank([config.questions_path], processes=os.cpu_count() or 1)  # no threads yet
    for problem in bank.problems:
        log.warning("%s", problem)
    log.info("loaded %d questions from %s", len(bank.questions), config.questions_path)
    return asyncio.run(_serve(config, token, bank))


async def _serve(config: Config, token: str, bank: QuestionBank) -> int:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    bot: QuizBot | None = None
    closing: asyncio.Task | None = None  # held: a task nothing refers to may be collected unfinished

    def stop() -> None:
        # Close like a clean logout: timers stop, pending picks are written, open quizzes resume later.
        nonlocal closing
        stopping.set()
        if bot is not None:
            closing = asyncio.create_task(bot.close())

    lost: str | None = None  # why the shards stopped being this process's, if they did

    def locks_lost() -> None:
        nonlocal lost
        lost = "the connection holding this process's shard locks closed (PostgreSQL restarted?); start it again"
        stop()

    try:
        # A SQLite file serves one process; on PostgreSQL each shard is run by one process.
        held = await ownership.hold(config, on_lost=locks_lost)
    except (ownership.LockError, StoreError) as error:
        print(f"quizbot: {error}", file=sys.stderr)
        return 1
    try:
        store = await Store.open(config.database, retention=config.quiz.desired_retention)
    except StoreError as error:
        await held.close()
        print(f"quizbot: {error}", file=sys.stderr)
        return 1
    use_endpoints(config.discord)

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop)
    try:
        # Once connected, discord.py reconnects by itself; before that, an outage ends `start`.
        for delay in (*START_RETRY_DELAYS, None):
            bot = QuizBot(config=config, store=store, bank=bank, clock=SystemClock())
            if stopping.is_set():  # the shard locks went while the store opened: start nothing
                break
            try:
                await bot.start(token)
                break
            except discord.LoginFailure:
                print(
                    "quizbot: Discord refused the token in DISCORD_TOKEN; copy it again from the portal",
                    file=sys.stderr,
                )
                return 1
            except discord.ConnectionClosed as error:
                if error.code not in REFUSED_SHARD:
                    raise
                print(f"quizbot: {REFUSED_SHARD[error.code]}", file=sys.stderr)
                return 1
            except UNREACHABLE as error:
                # A gateway that cannot be reached is retried by discord.py itself; REST failures end up here.
                reason = f"cannot reach Discord ({_why(error)})"
                if delay is None:
                    print(f"quizbot: {reason}; check the network, then start again", file=sys.stderr)
                    return 1
                log.warning("%s; trying again in %g s", reason, delay)
            finally:
                if not bot.is_closed():
                    await bot.close()
            with suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), delay)
            if stopping.is_set():
                break
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        await store.close()
        await held.close()
    if bot.failure is not None or lost is not None:
        print(f"quizbot: stopped: {bot.failure or lost}", file=sys.stderr)
        return 1
    log.info("stopped cleanly")
    return 0


def _why(error: BaseException) -> str:
    return str(error) or type(error).__name__


def _one_line_reconnects(record: logging.LogRecord) -> bool:
    """discord.py logs every failed (re)connect with a traceback; its cause fits on the line."""
    retrying = record.getMessage().startswith(("Attempting a reconnect", "Failed to connect for shard_id"))
    if record.exc_info and record.exc_info[1] and retrying:
        record.msg, record.args = f"{record.getMessage()}: {_why(record.exc_info[1])}", ()
        record.exc_info = None
    return True


if __name__ == "__main__":
    sys.exit(main())
