"""The store on both engines (the `store` fixture): migrations, the quiz states, exactly-once grading."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.grading import Result, Scoring
from bot.questions import Option, Question
from bot.shards import ALL_SHARDS, Shards
from bot.store import ChannelBusy, Quiz, QuizState, SelectionChange, Store, StoreError
from bot.store.sqlite_sql import MIGRATIONS

QUESTION = Question(
    id="ml/q",
    title="Q",
    body="body",
    prompt="Which two?",
    options=(Option("a", True), Option("b", False), Option("c", False), Option("d", True)),
    explanation="why",
    reading="- [x](https://example.org)",
    topic="ml",
    tags=("t",),
)


async def new_quiz(store: Store, channel: int = 10, guild: int = 1, started_at: float = 100.0):
    return await store.create_quiz(
        guild_id=guild,
        channel_id=channel,
        started_by=5,
        question=QUESTION,
        scoring=Scoring.EXACT,
        started_at=started_at,
        deadline=started_at + 60,
    )


async def open_quiz(store: Store, message_id: int, channel: int = 10, **values) -> Quiz:
    """A quiz posted as one message and open for answers."""
    quiz = await new_quiz(store, channel=channel, **values)
    return await store.mark_open(await store.add_question_part(quiz, message_id))


async def closing_quiz(store: Store, message_id: int, channel: int = 10, **values) -> Quiz:
    """A quiz past its deadline with its answers frozen, ready to be graded."""
    quiz = await open_quiz(store, message_id, channel, **values)
    return await store.freeze_answers(quiz, {}, read_at=quiz.deadline)


async def test_new_database_is_migrated_to_the_latest_schema(store: Store) -> None:
    assert await store.schema_version() == len(store.engine.sql.MIGRATIONS)


def test_the_sqlite_schema_is_at_version_7() -> None:
    assert len(MIGRATIONS) == 7  # a new migration: test the upgrade of a file made by the one before


async def test_quiz_round_trips_with_the_question_as_posted(store: Store) -> None:
    quiz = await new_quiz(store)
    quiz = await store.add_question_part(quiz, 776)
    quiz = await store.mark_open(await store.add_question_part(quiz, 777))
    loaded = await store.quiz(quiz.id)
    assert loaded == quiz
    assert loaded.question == QUESTION
    assert (loaded.message_id, loaded.question_parts, loaded.state) == (777, (776, 777), QuizState.OPEN)


async def test_one_running_quiz_per_channel(store: Store) -> None:
    first = await new_quiz(store, channel=10)
    with pytest.raises(ChannelBusy):
        await new_quiz(store, channel=10)
    await new_quiz(store, channel=11)  # another channel is free
    await store.cancel(first.id, "test", at=1.0)
    await new_quiz(store, channel=10)  # free again once the first is over


async def test_selection_changes_apply_in_order(store: Store) -> None:
    quiz = await open_quiz(store, 1)
    changes = [
        (1, 0, True),
        (1, 3, True),
        (2, 0, True),
        (2, 0, False),
        (2, 0, True),
        (3, 1, True),
        (3, 1, False),
    ]
    await store.apply_selection_changes(SelectionChange(quiz.id, u, o, a) for u, o, a in changes)
    assert await store.selections(quiz.id) == {1: frozenset({0, 3}), 2: frozenset({0})}
    frozen = await store.freeze_answers(quiz, {4: frozenset({1, 2})}, read_at=170.0)
    assert (frozen.state, frozen.answers_read_at) == (QuizState.CLOSING, 170.0)
    assert await store.selections(quiz.id) == {4: frozenset({1, 2})}
    await store.apply_selection_changes([SelectionChange(quiz.id, 5, 0, True)])  # late: dropped
    assert await store.selections(quiz.id) == {4: frozenset({1, 2})}
    assert await store.quiz(quiz.id) == frozen


async def test_results_are_recorded_exactly_once(store: Store) -> None:
    quiz = await closing_quiz(store, 1)
    results = [Result(1, frozenset({0, 3}), 1.0, True), Result(2, frozenset({0}), 0.0, False)]
    assert await store.record_results(quiz, results, at=200.0)
    assert not await store.record_results(quiz, results, at=201.0)
    assert await store.results(quiz.id) == results
    board = await store.leaderboard(1, 10)
    assert [(s.rank, s.user_id, s.points, s.answered, s.exact) for s in board] == [
        (1, 1, 1.0, 1, 1),
        (2, 2, 0.0, 1, 0),
    ]
    assert (await store.quiz(quiz.id)).state is QuizState.GRADED
    await store.mark_announced(quiz.id)
    assert await store.unfinished_quizzes() == []


async def test_a_graded_quiz_cannot_be_cancelled(store: Store) -> None:
    quiz = await closing_quiz(store, 1)
    await store.record_results(quiz, [], at=1.0)
    assert not await store.cancel(quiz.id, "late", at=2.0)


async def test_leaderboard_sums_across_quizzes_and_shares_tied_ranks(store: Store) -> None:
    for n, winners in enumerate([{1, 2, 3}, {1, 2}, {4}]):
        quiz = await closing_quiz(store, n, channel=n)
        results = [Result(u, frozenset({0}), 1.0 if u in winners else 0.0, u in winners) for u in (1, 2, 3, 4)]
        await store.record_results(quiz, results, at=float(n))
    board = await store.leaderboard(1, 10)
    assert [(s.rank, s.user_id, s.points) for s in board] == [
        (1, 1, 2.0),
        (1, 2, 2.0),
        (3, 3, 1.0),
        (3, 4, 1.0),
    ]
    assert board[0].accuracy == pytest.approx(2 / 3)
    assert [s.user_id for s in await store.leaderboard(1, 2)] == [1, 2]
    me = await store.standing(1, 4)
    assert (me.rank, me.points, me.answered) == (3, 1.0, 3)
    assert await store.standing(1, 99) is None
    assert await store.leaderboard(2, 10) == []


async def test_unfinished_quizzes_are_those_a_restart_must_resume(store: Store) -> None:
    posting = await new_quiz(store, channel=1)
    opened = await open_quiz(store, 2, channel=2)
    closing = await closing_quiz(store, 3, channel=3)
    graded = await closing_quiz(store, 5, channel=5)
    await store.record_results(graded, [], at=1.0)
    cancelled = await new_quiz(store, channel=4)
    await store.cancel(cancelled.id, "x", at=1.0)
    assert {q.id for q in await store.unfinished_quizzes()} == {posting.id, opened.id, closing.id, graded.id}


# Snowflakes of real size (up to 2**63 - 1) and small ids, so that the shift and the remainder both matter.
GUILDS = (1, 1 << 22, 3 << 22, 7 << 22 | 12345, 81_384_788_765_712_384, 1_100_000_000_000_000_000, 2**63 - 1)


SOME_SHARDS = (ALL_SHARDS, Shards(2, (0,)), Shards(2, (1,)), Shards(3, (0, 2)), Shards(8, (4, 5, 6, 7)))


@pytest.mark.parametrize("shards", SOME_SHARDS)
async def test_unfinished_quizzes_of_some_shards_are_those_bot_shards_gives_them(store: Store, shards: Shards) -> None:
    # The query repeats bot.shards' formula in SQL: both must choose the same servers.
    quizzes = [await open_quiz(store, n, channel=n, guild=guild) for n, guild in enumerate(GUILDS, start=1)]
    listed = {quiz.id for quiz in await store.unfinished_quizzes(shards)}
    assert listed == {quiz.id for quiz in quizzes if shards.owns(quiz.guild_id)}


async def test_last_asked_ignores_cancelled_quizzes(store: Store) -> None:
    await open_quiz(store, 1, channel=1, started_at=50.0)
    cancelled = await new_quiz(store, channel=2, started_at=70.0)
    await store.cancel(cancelled.id, "x", at=1.0)
    assert await store.last_asked(1) == {"ml/q": 50.0}


async def test_data_survives_reopening_the_database(database: Path | str) -> None:
    store = await Store.open(database)
    quiz = await new_quiz(store)
    await store.close()
    store = await Store.open(database)
    assert (await store.quiz(quiz.id)).question == QUESTION
    await store.close()


async def test_corrupt_file_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="corrupt or not a quizbot database"):
        await Store.open(path)


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer than this bot"):
        await Store.open(path)


async def graded_quiz(store: Store, channel: int, at: float, results: list[Result], question: Question = QUESTION):
    quiz = await store.create_quiz(
        guild_id=1, channel_id=channel, started_by=5, question=question, scoring=Scoring.EXACT,
        started_at=at, deadline=at + 60,
    )  # fmt: skip
    quiz = await store.mark_open(await store.add_question_part(quiz, channel))
    quiz = await store.freeze_answers(quiz, {}, read_at=at + 60)
    assert await store.record_results(quiz, results, at=at + 60)
    return quiz


def right(user: int) -> Result:
    return Result(user, frozenset({0, 3}), 1.0, True)


def wrong(user: int, picks: frozenset[int] = frozenset({1})) -> Result:
    return Result(user, picks, 0.0, False)


async def test_leaderboard_for_a_period_counts_only_its_results(store: Store) -> None:
    await graded_quiz(store, 1, 1000.0, [right(1), wrong(2)])
    await graded_quiz(store, 2, 5000.0, [wrong(1), right(2)])
    await graded_quiz(store, 3, 9000.0, [wrong(1), right(2)])
    assert [(s.user_id, s.points) for s in await store.leaderboard(1, 10, since=4000.0)] == [(2, 2.0), (1, 0.0)]
    assert [(s.user_id, s.points) for s in await store.leaderboard(1, 10, since=0, until=4000.0)] == [
        (1, 1.0),
        (2, 0.0),
    ]
    me = await store.standing(1, 1, since=4000.0)
    assert (me.rank, me.points, me.answered) == (2, 0.0, 2)
    assert await store.standing(1, 3, since=4000.0) is None


async def test_seasons_are_numbered_and_remembered(store: Store) -> None:
    assert await store.season_starts(1) == {1: 0.0}
    assert await store.start_season(1, started_by=5, at=100.0) == 2
    assert await store.start_season(1, started_by=5, at=200.0) == 3
    assert await store.season_starts(1) == {1: 0.0, 2: 100.0, 3: 200.0}
    assert await store.season_starts(2) == {1: 0.0}


async def test_member_stats_history_and_topics(store: Store) -> None:
    other = Question(**{**QUESTION.__dict__, "id": "stats/q", "topic": "stats"})
    await graded_quiz(store, 1, 100.0, [right(1)])
    await graded_quiz(store, 2, 200.0, [wrong(1)], question=other)
    await graded_quiz(store, 3, 300.0, [right(1)])
    stats = await store.member_stats(1, 1)
    assert (stats.points, stats.answered, stats.exact) == (2.0, 3, 2)
    assert stats.history == (True, False, True)
    assert stats.topics == (("ml", 2, 2), ("stats", 1, 0))
    assert await store.member_stats(1, 99) is None


async def test_question_stats_hardest_first_with_option_picks(store: Store) -> None:
    easy = Question(**{**QUESTION.__dict__, "id": "ml/easy", "title": "Easy"})
    await graded_quiz(store, 1, 100.0, [right(1), right(2)], question=easy)
    await graded_quiz(store, 2, 200.0, [right(1), wrong(2, frozenset({1})), wrong(3, frozenset({1, 2}))])
    await graded_quiz(store, 3, 300.0, [wrong(1, frozenset({2}))])
    hard, simple = await store.question_stats(1)
    assert (hard.question.id, hard.asked, hard.answers, hard.exact) == ("ml/q", 2, 4, 1)
    assert hard.picks == {0: 1, 1: 2, 2: 2, 3: 1}
    assert hard.share_right == 0.25
    assert (simple.question.title, simple.share_right) == ("Easy", 1.0)


async def test_schedules_round_trip(store: Store) -> None:
    made = await store.add_schedule(
        guild_id=1, channel_id=10, days="mon,fri", at="19:00", zone="Europe/Berlin", topic="ml", duration=90,
        created_by=5, created_at=50.0,
    )  # fmt: skip
    assert await store.schedules(1) == [made] == await store.schedules()
    assert await store.claim_slot(made, 1234.0)
    assert (await store.schedules(1))[0].last_fired == 1234.0
    assert not await store.remove_schedule(2, made.id)  # another guild's id does nothing
    assert await store.remove_schedule(1, made.id)
    assert await store.schedules() == []


async def test_a_slot_is_claimed_only_from_the_last_fired_the_claimer_read(store: Store) -> None:
    made = await store.add_schedule(
        guild_id=1, channel_id=10, days="daily", at="09:00", zone="UTC", topic=None, duration=None,
        created_by=5, created_at=50.0,
    )  # fmt: skip
    assert await store.claim_slot(made, 1000.0)
    assert not await store.claim_slot(made, 1000.0)  # read before the first claim: lost
    (fired,) = await store.schedules()
    assert not await store.claim_slot(fired, 1000.0)  # the same slot again: never twice
    assert await store.claim_slot(fired, 500.0)  # an earlier slot, after the clock ran ahead: allowed
    assert (await store.schedules())[0].last_fired == 500.0


async def test_a_database_made_by_schema_1_migrates_forward_without_losing_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
        question = json.dumps({**QUESTION.__dict__, "options": [o.__dict__ for o in QUESTION.options]})
        db.execute(
            "INSERT INTO quizzes VALUES (1, 1, 10, 100, 'ml/q', ?, 'exact', 5, 0.0, 60.0, 'announced', 60.0, NULL)",
            (question,),
        )
        db.executemany("INSERT INTO selections VALUES (1, ?, ?)", [(7, 0), (7, 3), (8, 1)])
        db.executemany("INSERT INTO results VALUES (1, 1, ?, ?, ?, ?, 60.0)", [(7, "0,3", 1.0, 1), (8, "1", 0.0, 0)])
        db.executemany("INSERT INTO points VALUES (1, ?, ?, 1, ?)", [(7, 1.0, 1), (8, 0.0, 0)])
        db.execute(  # a quiz still running when the bot was upgraded
            "INSERT INTO quizzes VALUES (2, 1, 11, 200, 'ml/q', ?, 'exact', 5, 0.0, 60.0, 'open', NULL, NULL)",
            (question,),
        )
    store = await Store.open(path)
    try:
        assert await store.schema_version() == len(MIGRATIONS)
        running = await store.quiz(2)
        assert (running.state, running.question_parts, running.lettered) == (QuizState.OPEN, (200,), True)
        assert [(s.user_id, s.points) for s in await store.leaderboard(1, 10)] == [(7, 1.0), (8, 0.0)]
        assert await store.results(1) == [right(7), Result(8, frozenset({1}), 0.0, False)]
        (stats,) = await store.question_stats(1)
        assert stats.picks == {0: 1, 1: 1, 3: 1}  # back-filled from the stored picks
        assert (await store.member_stats(1, 7)).topics == (("ml", 1, 1),)  # topic back-filled from the question
    finally:
        await store.close()
