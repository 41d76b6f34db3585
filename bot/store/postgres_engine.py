"""The PostgreSQL engine: a pool of asyncpg connections, each write in its own READ COMMITTED transaction.

Nothing here keeps a promise in this process's memory: several bot processes may share the database,
so one running quiz per channel, grading once and firing a slot once rest on the database (see
`bot.store.postgres_sql`). `lock_timeout` plays the part of SQLite's busy timeout.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import asyncpg

from bot.store import postgres_sql
from bot.store.engine import redacted
from bot.store.models import Duplicate, StoreBusy, StoreError

POOL_SIZE = 10

# What a later attempt may get past: the server down or restarting, a lock held past `lock_timeout`,
# a deadlock or serialization failure, a full disk, too many connections.
_BUSY = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,  # the connection closed under a query
    asyncpg.exceptions.TransactionRollbackError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.ObjectNotInPrerequisiteStateError,
    OSError,
    TimeoutError,
)


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except asyncpg.UniqueViolationError as error:
        raise Duplicate(str(error)) from error
    except _BUSY as error:
        raise StoreBusy(str(error) or type(error).__name__) from error
    except asyncpg.PostgresError as error:
        raise StoreError(str(error)) from error


def _count(status: str) -> int:
    """Rows changed, from a command tag such as `UPDATE 1` or `INSERT 0 1`."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class _Session:
    """Statements on a pool (each on any free connection) or on one connection (inside a transaction)."""

    def __init__(self, on: asyncpg.Pool | asyncpg.Connection) -> None:
        self._on = on

    async def fetch(self, sql: str, *args: Any) -> list[Sequence]:
        with _translated():
            return await self._on.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> Sequence | None:
        with _translated():
            return await self._on.fetchrow(sql, *args)

    async def execute(self, sql: str, *args: Any) -> int:
        with _translated():
            return _count(await self._on.execute(sql, *args))

    async def executemany(self, sql: str, rows: Iterable[Sequence]) -> None:
        rows = list(rows)
        if not rows:
            return
        with _translated():
            if isinstance(sql, postgres_sql.ByColumns):
                columns = [list(column) for column in zip(*rows, strict=True)]
                await self._on.execute(str(sql), *columns)  # str(): asyncpg refuses a subclass
            else:
                await self._on.executemany(sql, rows)

    async def copy_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        """Many rows at once by COPY: for moving a whole database over."""
        with _translated():
            await self._on.copy_records_to_table(table, columns=list(columns), records=rows)


@contextmanager
def _connecting() -> Iterator[None]:
    """A failed connect as a StoreError whose one line says what to do about it."""
    try:
        with _translated():
            yield
    except StoreError as error:
        raise type(error)(explain(str(error))) from None
    except ValueError as error:  # asyncpg's word on a URL it cannot parse
        raise StoreError(f"not a PostgreSQL URL: {error}") from None


class HeldConnection(_Session):
    """One connection outside the pool, kept for the process's life: what its session holds (advisory
    locks) lasts exactly as long, and PostgreSQL ends both when the process dies and its socket closes."""

    sql = postgres_sql

    def __init__(self, connection: asyncpg.Connection, on_lost: Callable[[], None]) -> None:
        super().__init__(connection)
        self._connection = connection
        self._on_lost = on_lost
        self._closing = False
        connection.add_termination_listener(self._ended)

    @classmethod
    async def connect(cls, url: str, *, on_lost: Callable[[], None]) -> HeldConnection:
        """``on_lost`` runs if the connection ends otherwise than by `close` (server restart, network)."""
        with _connecting():
            connection = await asyncpg.connect(url)
        return cls(connection, on_lost)

    def _ended(self, _connection: asyncpg.Connection) -> None:
        if not self._closing:
            self._on_lost()

    async def close(self) -> None:
        self._closing = True
        await self._connection.close()


class PostgresEngine(_Session):
    sql = postgres_sql

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        super().__init__(pool)
        self._pool = pool
        self.where = redacted(url)

    @classmethod
    async def open(cls, url: str, *, busy_timeout_ms: int, pool_size: int = POOL_SIZE) -> PostgresEngine:
        settings = {"lock_timeout": f"{int(busy_timeout_ms)}ms"}
        with _connecting():
            pool = await asyncpg.create_pool(url, min_size=1, max_size=pool_size, server_settings=settings)
        return cls(pool, url)

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Session]:
        with _translated():
            async with self._pool.acquire() as connection, connection.transaction():
                yield _Session(connection)

    async def schema_version(self) -> int:
        (version,) = await self.fetchrow(self.sql.SCHEMA_VERSION)  # the table exists once migrate() ran
        return version

    async def migrate(self) -> None:
        """Bring the schema up to date, in one transaction that a second process starting at once waits for."""
        async with self.transaction() as db:
            await db.fetch(self.sql.LOCK_MIGRATIONS)
            await db.execute(self.sql.CREATE_SCHEMA_VERSION)
            (version,) = await db.fetchrow(self.sql.SCHEMA_VERSION)
            migrations = self.sql.MIGRATIONS
            if version > len(migrations):
                raise StoreError(f"schema version {version} is newer than this bot ({len(migrations)})")
            for number, script in enumerate(migrations[version:], start=version + 1):
                await db.execute(script)
                await db.execute(self.sql.SET_SCHEMA_VERSION, number)

    def explain(self, problem: str) -> str:
        return explain(problem)


def explain(problem: str) -> str:
    """asyncpg's message with what to do about it."""
    if "Connect call failed" in problem or "Connection refused" in problem or "No such file" in problem:
        return f"{problem} (is PostgreSQL running there? check the host and port in database.url)"
    if "does not exist" in problem and "database" in problem:
        return f"{problem} (create it first: createdb NAME)"
    if "password" in problem or "authentication" in problem:
        return f"{problem} (check the user and password in database.url)"
    return problem
