"""What one bot process owns for its life, held by locks that end when it dies, SIGKILL included.

On SQLite the process owns the database file: a flock on `<file>.lock`, dropped by the operating
system with the process. On PostgreSQL several processes share the database, each running some
shards; a process owns its shards by session-level advisory locks on a connection of its own,
dropped by PostgreSQL when that connection closes. Either way no two processes grade the same
quizzes or fire the same schedules, and a crashed process never leaves a lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Protocol

from bot.config import Config
from bot.shards import Shards
from bot.store.postgres_engine import HeldConnection


class LockError(Exception):
    """What this process would own is owned by another; the message says which, in one line."""


class Held(Protocol):
    async def close(self) -> None: ...


async def hold(config: Config, *, on_lost: Callable[[], None]) -> Held:
    """Claim the SQLite file, or this process's shards on PostgreSQL; keep the result until the process ends.

    ``on_lost`` runs if PostgreSQL drops the locks' connection while the bot runs (the shards may then
    be taken by another process, so the bot must stop).
    """
    if config.database_url is None:
        return _File(hold_file(config.database_path))
    shards = Shards(config.discord.shard_count, config.discord.shard_ids)
    return await hold_shards(config.database_url, shards, on_lost=on_lost)


async def hold_shards(url: str, shards: Shards, *, on_lost: Callable[[], None]) -> HeldConnection:
    connection = await HeldConnection.connect(url, on_lost=on_lost)
    try:
        refusal = await _refusal(connection, shards)
    except BaseException:
        await connection.close()
        raise
    if refusal is not None:
        await connection.close()  # whatever it did take goes with it
        raise LockError(refusal)
    return connection


async def _refusal(db: HeldConnection, shards: Shards) -> str | None:
    """Take the locks ``shards`` needs; None when all were free, else why not."""
    if shards.ids is None:  # every shard, however many Discord recommends
        if await _granted(db, db.sql.OWN_EVERY_SHARD):
            return None
        return (
            "another quizbot process already runs shards on this database; stop it first, or give each "
            "process discord.shard_count and its own discord.shard_ids"
        )
    if not await _granted(db, db.sql.SHARE_THE_BOT):
        return "another quizbot process runs every shard on this database (it has no discord.shard_ids); stop it first"
    taken = [shard for shard in shards.ids if not await _granted(db, db.sql.OWN_SHARD, shards.count, shard)]
    if not taken:
        return None
    named = f"shard {taken[0]} of {shards.count} is" if len(taken) == 1 else (
        f"shards {', '.join(map(str, taken))} of {shards.count} are"
    )  # fmt: skip
    return f"{named} already run by another quizbot process; stop it first or give this one other discord.shard_ids"


async def _granted(db: HeldConnection, statement: str, *args: int) -> bool:
    (granted,) = await db.fetchrow(statement, *args)
    return granted


class _File:
    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle

    async def close(self) -> None:
        self._handle.close()


def hold_file(database: Path) -> IO[str]:
    """Lock `<database>.lock` for this process's lifetime; keep the returned file open."""
    path = database.with_name(database.name + ".lock")
    try:
        handle = path.open("a+")
    except OSError as error:
        raise LockError(
            f"database {database}: unable to open {path.name} ({error.strerror}); "
            "check that the folder exists and is writable"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise LockError(
            f"database {database} is in use by another quizbot process (pid {holder}); "
            "stop that one first, or give this one its own database.path"
        ) from None
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
