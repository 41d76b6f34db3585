"""`quizbot migrate-db` end to end: a real SQLite file copied into a real PostgreSQL, through the CLI."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from test_store import QUESTION, graded_quiz, new_quiz, right, wrong

from bot.__main__ import main
from bot.store import QuizState, Store

OTHER = QUESTION.__class__(**{**QUESTION.__dict__, "id": "ml/other", "topic": "other"})


async def history(path: Path) -> None:
    """Two graded quizzes (cards, reviews, picks), one still open, a season and a fired schedule."""
    store = await Store.open(path)
    await graded_quiz(store, 1, 1000.0, [right(1), wrong(2)])
    await graded_quiz(store, 2, 2000.0, [wrong(1), right(2), right(3)], question=OTHER)
    await new_quiz(store, channel=3, started_at=3000.0)
    await store.start_season(1, started_by=5, at=2500.0)
    made = await store.add_schedule(
        guild_id=1, channel_id=4, days="daily", at="09:00", zone="UTC", topic=None, duration=None,
        created_by=5, created_at=50.0,
    )  # fmt: skip
    await store.claim_slot(made, 1234.0)
    await store.close()


async def everything(target: Path | str) -> tuple:
    """What the bot can read back, engine aside."""
    store = await Store.open(target)
    try:
        return (
            await store.leaderboard(1, 10),
            await store.leaderboard(1, 10, since=1500.0),
            await store.question_stats(1),
            await store.member_stats(1, 1),
            await store.unfinished_quizzes(),
            await store.schedules(),
            await store.season_starts(1),
            [await store.card(card_id) for card_id in range(1, 6)],
            await store.memory_summary(1, 2, 5000.0),
            await store.mean_recall(1, 5000.0),
        )
    finally:
        await store.close()


def migrate(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["migrate-db", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "quiz.sqlite3"
    asyncio.run(history(path))
    return path


def test_every_table_is_copied_and_reads_back_the_same(sqlite_file: Path, postgres_url: str, capsys) -> None:
    url = postgres_url
    code, out, _ = migrate(capsys, str(sqlite_file), url)
    assert code == 0
    assert "quizzes: 3 rows" in out and "results: 5 rows" in out and "memory_reviews: 5 rows" in out
    assert out.splitlines()[-1].startswith("copied ") and "11 tables" in out
    assert asyncio.run(everything(url)) == asyncio.run(everything(sqlite_file))


def test_new_rows_after_a_copy_get_fresh_ids(sqlite_file: Path, postgres_url: str, capsys) -> None:
    url = postgres_url
    assert migrate(capsys, str(sqlite_file), url)[0] == 0

    async def add() -> tuple[int, int, QuizState]:
        store = await Store.open(url)
        try:
            quiz = await new_quiz(store, channel=9)
            schedule = await store.add_schedule(
                guild_id=1, channel_id=9, days="daily", at="10:00", zone="UTC", topic=None, duration=None,
                created_by=5, created_at=60.0,
            )  # fmt: skip
            return quiz.id, schedule.id, (await store.quiz(3)).state
        finally:
            await store.close()

    assert asyncio.run(add()) == (4, 2, QuizState.POSTING)  # after the copied ids; the copied quiz intact


def test_a_target_with_data_is_refused_and_named_unless_forced(sqlite_file: Path, postgres_url: str, capsys) -> None:
    url = postgres_url
    assert migrate(capsys, str(sqlite_file), url)[0] == 0
    code, out, err = migrate(capsys, str(sqlite_file), url)
    assert (code, out) == (1, "")
    assert err.strip() == (
        f"quizbot migrate-db: {url} is not empty (quizzes 3, results 5, points 3, option_picks 6,"
        " seasons 1, schedules 1, memory_cards 5, memory_reviews 5, memory_scheduler 1, memory_recall 2 rows);"
        " add --force to replace what it holds"
    )
    code, _, _ = migrate(capsys, str(sqlite_file), url, "--force")
    assert code == 0
    assert asyncio.run(everything(url)) == asyncio.run(everything(sqlite_file))


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        ("missing.sqlite3", "postgresql://x@127.0.0.1/y", "missing.sqlite3: no such file"),
        (None, "sqlite:///other.db", "sqlite:///other.db: the target must be a postgresql:// URL"),
    ],
)
def test_bad_arguments_are_one_line(
    source: str | None, target: str, message: str, sqlite_file: Path, tmp_path: Path, capsys
) -> None:
    code, _, err = migrate(capsys, str(tmp_path / source) if source else str(sqlite_file), target)
    assert code == 1 and err.strip().endswith(message) and len(err.strip().splitlines()) == 1
