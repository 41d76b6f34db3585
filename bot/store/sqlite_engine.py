"""The SQLite engine: one aiosqlite connection (WAL), one write at a time, numbered by `PRAGMA user_version`."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.store import sqlite_sql
from bot.store.models import DatabaseGone, Duplicate, StoreBusy, StoreError


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except sqlite3.IntegrityError as error:
        raise (Duplicate if "UNIQUE" in str(error) else StoreError)(str(error)) from error
    except sqlite3.OperationalError as error:  # locked past the busy timeout, disk full, I/O
        raise StoreBusy(str(error)) from error
    except sqlite3.Error as error:
        raise StoreError(str(error)) from error


class SqliteEngine:
    sql = sqlite_sql

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        self.where = str(path)
        self._identity = _identity(path)
        # One connection serves every coroutine: a write issued while another coroutine's transaction
        # is open would silently join it, so every write runs in its own transaction, one at a time.
        self._write_lock = asyncio.Lock()

    @property
    def connection(self) -> aiosqlite.Connection:
        """The driver's connection, for tests that set SQLite's own limits on it."""
        return self._db

    @classmethod
    async def open(cls, path: Path, *, busy_timeout_ms: int) -> SqliteEngine:
        db = None
        try:
            # Try the file once directly: when aiosqlite fails to open one, its worker thread outlives
            # the event loop and prints a traceback at exit, burying the one line that explains.
            await asyncio.to_thread(lambda: sqlite3.connect(path).close())
            db = await aiosqlite.connect(path, isolation_level=None)
            await db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            await _switch_to_wal(db, busy_timeout_ms)
            await db.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as error:
            if db is not None:
                await db.close()
            raise StoreError(explain(str(error))) from None
        return cls(db, path)

    async def close(self) -> None:
        await self._db.close()

    async def fetch(self, sql: str, *args: Any) -> list[Sequence]:
        with _translated():  # one thread hop, not three (execute, fetch, close): under a burst each waits its turn
            return list(await self._db.execute_fetchall(sql, args))

    async def fetchrow(self, sql: str, *args: Any) -> Sequence | None:
        with _translated():
            async with self._db.execute(sql, args) as cursor:
                return await cursor.fetchone()

    async def execute(self, sql: str, *args: Any) -> int:
        with _translated():
            cursor = await self._db.execute(sql, args)  # not closed: that would cost another thread hop per write
            return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence]) -> None:
        with _translated():
            await self._db.executemany(sql, rows)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteEngine]:
        async with self._write_lock:
            self._check_file()
            with _translated():
                if self._db.in_transaction:  # left open by a write cancelled mid-way (at shutdown)
                    await self._db.execute("ROLLBACK")
                await self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self
                    await self._db.execute("COMMIT")
                except BaseException:
                    if self._db.in_transaction:  # also when COMMIT itself failed (busy, disk full)
                        await self._db.execute("ROLLBACK")
                    raise

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[SqliteEngine]:
        """Reads that all see one moment of the file, without holding up its writers (WAL)."""
        async with self._write_lock:  # this connection's other coroutines must not join the transaction
            with _translated():
                await self._db.execute("BEGIN")
                try:
                    yield self
                finally:
                    await self._db.execute("ROLLBACK")

    async def schema_version(self) -> int:
        (version,) = await self.fetchrow("PRAGMA user_version")
        return version

    async def migrate(self) -> None:
        version = await self.schema_version()
        migrations = self.sql.MIGRATIONS
        if version > len(migrations):
            raise StoreError(f"schema version {version} is newer than this bot ({len(migrations)})")
        for number, script in enumerate(migrations[version:], start=version + 1):
            # executescript commits first, so the version bump rides in the same script.
            step = f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            try:
                with _translated():
                    await self._db.executescript(step)
            except StoreError:
                if self._db.in_transaction:
                    await self._db.execute("ROLLBACK")
                if await self.schema_version() < number:
                    raise
                # Another process opening the new file at the same moment made this step first.

    def explain(self, problem: str) -> str:
        return explain(problem)

    def _check_file(self) -> None:
        # SQLite keeps writing to a file deleted under it; everything written would vanish at exit.
        if _identity(self.path) != self._identity:
            raise DatabaseGone(
                f"database {self.path} was deleted or replaced while the bot was running; "
                "restore it from a backup, then restart the bot"
            )


async def _switch_to_wal(db: aiosqlite.Connection, busy_timeout_ms: int) -> None:
    # The switch takes the file's lock without waiting for it (the busy timeout does not apply), so a
    # second connection opening the file while the first creates the schema fails at once: wait here.
    deadline = time.monotonic() + busy_timeout_ms / 1000
    while True:
        try:
            await db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            await asyncio.sleep(0.01)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return (status.st_dev, status.st_ino)


def explain(problem: str) -> str:
    """SQLite's message with what to do about it."""
    if "file is not a database" in problem or "malformed" in problem:
        return f"{problem} (the file is corrupt or not a quizbot database; restore a backup or choose another path)"
    if "readonly" in problem:
        return f"{problem} (the bot needs write access to the file and its folder)"
    if "locked" in problem or "busy" in problem:
        return f"{problem} (another process holds the database; stop it or choose another path)"
    if "unable to open" in problem:
        return f"{problem} (check that the folder exists and is writable)"
    return problem
