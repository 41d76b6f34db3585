"""SQL straight to a test's database, past the store, on either engine: to look at rows or stage a state."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg


async def rows(database: Path | str, query: str) -> list[tuple]:
    if isinstance(database, Path):
        with sqlite3.connect(database) as db:
            return db.execute(query).fetchall()
    connection = await asyncpg.connect(database)
    try:
        return [tuple(record) for record in await connection.fetch(query)]
    finally:
        await connection.close()


async def script(database: Path | str, statements: str) -> None:
    """Several statements separated by semicolons, without parameters."""
    if isinstance(database, Path):
        with sqlite3.connect(database) as db:
            db.executescript(statements)
        return
    connection = await asyncpg.connect(database)
    try:
        await connection.execute(statements)
    finally:
        await connection.close()
