"""What the store needs from a database engine, and choosing one from `database.url` (or a file path).

An engine runs its own SQL module's statements (`engine.sql`) and turns its driver's errors into the
store's exceptions (`StoreBusy` when the same call may succeed later), so nothing above it imports
sqlite3 or asyncpg.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from bot.store.models import StoreError

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


class Connection(Protocol):
    async def fetch(self, sql: str, *args: Any) -> list[Sequence]: ...

    async def fetchrow(self, sql: str, *args: Any) -> Sequence | None: ...

    async def execute(self, sql: str, *args: Any) -> int:
        """Run a write; returns how many rows it changed."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Sequence]) -> None: ...


class Engine(Connection, Protocol):
    sql: ModuleType  # the engine's statements, by name
    where: str  # what to name in messages: the file, or the URL without its password

    def transaction(self) -> AbstractAsyncContextManager[Connection]: ...

    async def migrate(self) -> None: ...

    async def schema_version(self) -> int: ...

    def explain(self, problem: str) -> str:
        """The driver's message with what to do about it."""
        ...

    async def close(self) -> None: ...


def is_postgres(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(POSTGRES_PREFIXES)


def sqlite_path(target: str | Path) -> Path:
    """`sqlite:///path` or a plain path -> the file (`sqlite:////abs` and `sqlite:///rel` as usual)."""
    return Path(target.removeprefix(SQLITE_PREFIX)) if isinstance(target, str) else target


async def open_engine(target: str | Path, *, busy_timeout_ms: int) -> Engine:
    """Connect to `target` (a SQLite file or a PostgreSQL URL); StoreError when that is impossible."""
    if is_postgres(target):
        from bot.store.postgres_engine import PostgresEngine  # here: each engine module imports this one

        return await PostgresEngine.open(str(target), busy_timeout_ms=busy_timeout_ms)
    if isinstance(target, str) and "://" in target and not target.startswith(SQLITE_PREFIX):
        raise StoreError(f"{target.split('://')[0]}:// is not a database this bot knows (sqlite:/// or postgresql://)")
    from bot.store.sqlite_engine import SqliteEngine

    return await SqliteEngine.open(sqlite_path(target), busy_timeout_ms=busy_timeout_ms)


def redacted(url: str) -> str:
    """The URL without its password, to name in messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
