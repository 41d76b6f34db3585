"""The engines a benchmark runs on (`--engine sqlite|postgres|both`), and PostgreSQL given the same data.

A benchmark fills a SQLite file once; each PostgreSQL database it needs is a copy of that file made
by `quizbot migrate-db`'s own code (COPY, in one transaction), so both engines answer over the same
rows. The server is the tests' throwaway one (tests/postgres.py) with fsync on: commits reach the
disk, as SQLite's do in WAL mode. Its other settings are PostgreSQL's defaults.
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from postgres import PostgresServer, find_binaries  # noqa: E402

from bot.store import Store  # noqa: E402
from bot.store.copy_to_postgres import copy_to_postgres  # noqa: E402

ENGINES = ("sqlite", "postgres")


def add_engine_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=(*ENGINES, "both"), default="both", help="default: both, side by side")


def chosen(args: argparse.Namespace) -> tuple[str, ...]:
    return ENGINES if args.engine == "both" else (args.engine,)


@contextmanager
def postgres_server(engines: Sequence[str]) -> Iterator[PostgresServer | None]:
    """A durable throwaway server while the benchmark runs, when it runs on PostgreSQL at all."""
    if "postgres" not in engines:
        yield None
        return
    binaries = find_binaries()
    if binaries is None:
        raise SystemExit("no PostgreSQL server binaries (initdb) found: apt-get install postgresql, or --engine sqlite")
    server = PostgresServer(binaries, durable=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def postgres_copy(sqlite_file: Path, server: PostgresServer) -> tuple[str, float]:
    """A new database holding what `sqlite_file` holds, vacuumed and analyzed; its URL and the seconds it took.

    VACUUM ANALYZE is what autovacuum does by itself within a minute or so of a bulk load (statistics
    for the planner, the visibility map for index-only scans); run here so that the figures do not
    depend on whether it has come round yet, nor share the CPUs with it.
    """
    started = time.perf_counter()
    url = server.new_database()
    await copy_to_postgres(sqlite_file, url)
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
    return url, time.perf_counter() - started


async def each_engine(
    engines: Sequence[str], sqlite_file: Path, server: PostgresServer | None
) -> AsyncIterator[tuple[str, Path | str]]:
    """Each chosen engine with the database to measure on it: the file itself, or a copy of it."""
    for engine in engines:
        target: Path | str = sqlite_file
        if engine == "postgres":
            target, seconds = await postgres_copy(sqlite_file, server)
            print(f"postgres: copied by COPY, vacuumed and analyzed in {seconds:.0f} s")
        yield engine, target


async def plan(store: Store, statement: str, *parameters: Any) -> list[str]:
    """The engine's query plan for one of its store statements (by name), with these parameters."""
    sql = getattr(store.engine.sql, statement)
    if store.engine.sql.__name__.endswith("sqlite_sql"):
        return [row[-1] for row in await store.engine.fetch(f"EXPLAIN QUERY PLAN {sql}", *parameters)]
    return [row[0] for row in await store.engine.fetch(f"EXPLAIN {sql}", *parameters)]


class PlainDriver:
    """The engine's driver with nothing of the bot's around it: sqlite3 in this thread, or one asyncpg connection."""

    def __init__(self, engine: str, target: Path | str) -> None:
        self.engine = engine
        self.target = target
        self._sqlite: sqlite3.Connection | None = None
        self._postgres: asyncpg.Connection | None = None

    async def __aenter__(self) -> PlainDriver:
        if self.engine == "sqlite":
            self._sqlite = sqlite3.connect(self.target)
        else:
            self._postgres = await asyncpg.connect(self.target)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        if self._postgres is not None:
            await self._postgres.close()

    async def fetch(self, sql: str, *parameters: Any) -> list:
        if self._sqlite is not None:
            return self._sqlite.execute(sql, parameters).fetchall()
        return await self._postgres.fetch(sql, *parameters)


def p99(times: Sequence[float]) -> float:
    """The 99th percentile (nearest rank) of all the timed calls."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]
