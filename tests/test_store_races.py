"""Two stores on one database, as two bot processes would be: each promise holds across them.

On PostgreSQL the racers run at once on their own connections; a third connection holds the row
they race for, so that all are waiting on it when it is let go (READ COMMITTED then re-reads it).
On SQLite the file's write lock takes them one at a time; the promises must hold all the same.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from raw_sql import rows
from test_store import QUESTION, closing_quiz, new_quiz, right, wrong

from bot.store import ChannelBusy, Store

RACERS = 4


@pytest.fixture
async def stores(database: Path | str) -> AsyncIterator[list[Store]]:
    first = await Store.open(database)
    second = await Store.open(database)
    yield [first, second]
    await first.close()
    await second.close()


@asynccontextmanager
async def racing(database: Path | str, table: str, row_id: int, calls: list[Awaitable]) -> AsyncIterator[list]:
    """Start `calls` at once; on PostgreSQL, while a third connection holds the row they race for.

    The row is let go once every racer waits on it (as `pg_stat_activity` shows), so none is late.
    """
    if isinstance(database, Path):
        yield [asyncio.ensure_future(call) for call in calls]
        return
    holder, watcher = await asyncpg.connect(database), await asyncpg.connect(database)
    try:
        async with holder.transaction():
            await holder.execute(f"SELECT 1 FROM {table} WHERE id = $1 FOR UPDATE", row_id)
            tasks = [asyncio.ensure_future(call) for call in calls]
            while await watcher.fetchval(WAITING) < len(calls):  # outside a transaction: a fresh look each time
                await asyncio.sleep(0.01)
            yield tasks
    finally:
        await holder.close()
        await watcher.close()


WAITING = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"


async def test_a_quiz_is_graded_once_however_many_graders_race(stores: list[Store], database: Path | str) -> None:
    quiz = await closing_quiz(stores[0], 1)
    results = [right(1), wrong(2)]
    graders = [stores[i % 2].record_results(quiz, results, at=200.0) for i in range(RACERS)]
    async with racing(database, "quizzes", quiz.id, graders) as tasks:
        pass
    outcomes = await asyncio.gather(*tasks)
    assert sorted(outcomes) == [False] * (RACERS - 1) + [True]
    board = await stores[1].leaderboard(1, 10)
    assert [(s.user_id, s.points, s.answered) for s in board] == [(1, 1.0, 1), (2, 0.0, 1)]
    assert await stores[0].results(quiz.id) == results


async def test_a_slot_is_claimed_by_one_racer(stores: list[Store], database: Path | str) -> None:
    made = await stores[0].add_schedule(
        guild_id=1, channel_id=10, days="daily", at="09:00", zone="UTC", topic=None, duration=None,
        created_by=5, created_at=50.0,
    )  # fmt: skip
    seen = [(await store.schedules())[0] for store in stores]  # both read it before either claims
    claims = [stores[i % 2].claim_slot(seen[i % 2], 1000.0) for i in range(RACERS)]
    async with racing(database, "schedules", made.id, claims) as tasks:
        pass
    assert sorted(await asyncio.gather(*tasks)) == [False] * (RACERS - 1) + [True]
    assert (await stores[1].schedules())[0].last_fired == 1000.0


async def test_two_quizzes_started_at_once_in_one_channel_one_is_refused(stores: list[Store]) -> None:
    outcomes = await asyncio.gather(
        *(new_quiz(stores[i % 2], channel=10) for i in range(RACERS)), return_exceptions=True
    )
    refused = [outcome for outcome in outcomes if isinstance(outcome, ChannelBusy)]
    started_quizzes = [outcome for outcome in outcomes if not isinstance(outcome, BaseException)]
    assert (len(started_quizzes), len(refused)) == (1, RACERS - 1)
    assert started_quizzes[0].question == QUESTION


async def test_processes_starting_at_once_migrate_and_replay_once(database: Path | str) -> None:
    outcomes = await asyncio.gather(Store.open(database), Store.open(database), return_exceptions=True)
    opened = [outcome for outcome in outcomes if isinstance(outcome, Store)]
    try:  # an open store left unclosed would keep its driver's thread, and pytest, alive at exit
        assert len(opened) == 2, outcomes
        first, second = opened
        assert await first.schema_version() == await second.schema_version() == len(first.engine.sql.MIGRATIONS)
        assert await rows(database, "SELECT COUNT(*) FROM memory_scheduler") == [(1,)]
    finally:
        for store in opened:
            await store.close()


async def test_a_sqlite_file_opened_while_another_connection_writes_its_schema_waits_for_it(tmp_path: Path) -> None:
    # Switching a file to WAL ignores the busy timeout: while another connection writes to it in the
    # journal mode a new file starts in, the switch failed at once ("database is locked").
    path = tmp_path / "quiz.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("CREATE TABLE being_created (id INTEGER)")
    opening = asyncio.create_task(Store.open(path, busy_timeout_ms=5000))
    await asyncio.sleep(0.2)  # the open is under way, waiting for the file
    writer.execute("COMMIT")
    writer.close()
    store = await opening
    try:
        assert await store.schema_version() == len(store.engine.sql.MIGRATIONS)
    finally:
        await store.close()
