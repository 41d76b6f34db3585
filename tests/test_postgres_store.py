"""What only the PostgreSQL engine does: its errors in one line, a held row lock as StoreBusy, its schema version."""

from __future__ import annotations

import asyncpg
import pytest
from postgres import PostgresServer
from test_store import closing_quiz, right

from bot.store import Store, StoreBusy, StoreError
from bot.store.engine import redacted


@pytest.fixture
def url(postgres_url: str) -> str:
    return postgres_url


async def test_a_server_that_is_not_there_is_one_line_that_says_what_to_check(
    postgres_server: PostgresServer,
) -> None:
    closed = f"postgresql://postgres:secret@127.0.0.1:{postgres_server.port + 1}/x"  # nothing listens there
    with pytest.raises(StoreError) as error:
        await Store.open(closed)
    message = str(error.value)
    assert "\n" not in message and "is PostgreSQL running there?" in message
    assert "secret" not in message


async def test_a_missing_database_says_to_create_it(postgres_server: PostgresServer) -> None:
    with pytest.raises(StoreError, match="createdb"):
        await Store.open(postgres_server.url("no_such_database"))


async def test_a_newer_schema_is_refused(url: str) -> None:
    await (await Store.open(url)).close()
    connection = await asyncpg.connect(url)
    await connection.execute("INSERT INTO schema_version VALUES (99)")
    await connection.close()
    with pytest.raises(StoreError, match="newer than this bot"):
        await Store.open(url)


async def test_a_row_locked_past_the_timeout_is_store_busy_and_nothing_is_written(url: str) -> None:
    store = await Store.open(url, busy_timeout_ms=100)
    quiz = await closing_quiz(store, 1)
    holder = await asyncpg.connect(url)
    try:
        async with holder.transaction():
            await holder.execute("SELECT 1 FROM quizzes WHERE id = $1 FOR UPDATE", quiz.id)
            with pytest.raises(StoreBusy, match="lock timeout"):
                await store.record_results(quiz, [right(1)], at=200.0)
        assert await store.record_results(quiz, [right(1)], at=200.0)  # once the lock is gone
        assert [(s.user_id, s.answered) for s in await store.leaderboard(1, 10)] == [(1, 1)]
    finally:
        await holder.close()
        await store.close()


async def test_a_review_finds_its_card_by_the_whole_key_before_the_planner_has_statistics(url: str) -> None:
    # Taken by another index, the lookup read every card of the question for each review (issue 15's figures).
    store = await Store.open(url)
    try:
        quiz = await closing_quiz(store, 1)
        assert await store.record_results(quiz, [right(user) for user in range(200)], at=200.0)
        plan = [
            line
            for (line,) in await store.engine.fetch(
                f"EXPLAIN {store.engine.sql.INSERT_REVIEW}", [3], [300.0], [None], [1], [7], ["ml/q"]
            )
        ]
    finally:
        await store.close()
    conditions = next(line for line in plan if "Index Cond" in line)
    assert all(column in conditions for column in ("guild_id", "user_id", "question_id")), plan


def test_a_password_is_left_out_of_messages() -> None:
    assert redacted("postgresql://bot:hunter2@db.example:5433/quiz") == "postgresql://bot@db.example:5433/quiz"
    assert redacted("postgresql://bot@db/quiz") == "postgresql://bot@db/quiz"
