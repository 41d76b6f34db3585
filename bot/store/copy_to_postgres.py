"""`quizbot migrate-db`: every table of a SQLite database copied into an empty PostgreSQL one, counts checked.

The SQLite file is brought to the latest schema first (as opening it in the bot would), then read in
one read transaction, so a bot still running on it is copied as of one moment (and keeps writing).
The target is written in one transaction too: a copy that fails midway leaves it as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.store.engine import is_postgres, open_engine, redacted
from bot.store.models import StoreError
from bot.store.postgres_engine import PostgresEngine
from bot.store.sqlite_engine import SqliteEngine


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int


class TargetNotEmpty(StoreError):
    """The PostgreSQL database already holds rows; copying would mix two histories."""


async def copy_to_postgres(sqlite_file: Path, url: str, *, force: bool = False) -> list[Copied]:
    """Copy every table; TargetNotEmpty (naming what was found) unless the target is empty or `force`."""
    if not sqlite_file.is_file():
        raise StoreError(f"{sqlite_file}: no such file")
    if not is_postgres(url):
        raise StoreError(f"{url}: the target must be a postgresql:// URL")
    source = await open_engine(sqlite_file, busy_timeout_ms=5000)
    try:
        await source.migrate()
        try:
            target = await open_engine(url, busy_timeout_ms=5000)
        except StoreError as error:
            raise StoreError(f"{redacted(url)}: {error}") from None
        try:
            await target.migrate()
            return await _copy(source, target, force=force)
        finally:
            await target.close()
    finally:
        await source.close()


async def _copy(source: SqliteEngine, target: PostgresEngine, *, force: bool) -> list[Copied]:
    tables = target.sql.TABLES
    found = {table: await _count(target, table) for table in tables}
    if any(found.values()) and not force:
        rows = ", ".join(f"{table} {count:,}" for table, count in found.items() if count)
        raise TargetNotEmpty(f"{target.where} is not empty ({rows} rows); add --force to replace what it holds")
    copied = []
    async with source.snapshot() as read, target.transaction() as write:
        await write.execute(target.sql.EMPTY_TABLES)
        for table in tables:
            types = {name: kind for name, kind in await write.fetch(target.sql.COLUMNS, table)}
            rows = await read.fetch(source.sql.ALL_ROWS.format(columns=", ".join(types), table=table))
            await write.copy_rows(table, list(types), [_as_typed(row, types.values()) for row in rows])
            written = (await write.fetchrow(target.sql.COUNT_ROWS.format(table=table)))[0]
            if written != len(rows):
                raise StoreError(f"{table}: {len(rows):,} rows read but {written:,} written; nothing was copied")
            copied.append(Copied(table, written))
        for statement in target.sql.AFTER_EXPLICIT_IDS:
            await write.fetch(statement)
    return copied


async def _count(engine: PostgresEngine, table: str) -> int:
    return (await engine.fetchrow(engine.sql.COUNT_ROWS.format(table=table)))[0]


def _as_typed(row: Sequence, kinds: Iterable[str]) -> tuple:
    """SQLite keeps booleans as 0 and 1; COPY wants them as booleans."""
    return tuple(
        bool(value) if kind == "boolean" and value is not None else value
        for value, kind in zip(row, kinds, strict=True)
    )
