"""Shuffled quizzes in the store: the order is kept, and what is counted across quizzes is by the file's option."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from fsrs import Rating
from raw_sql import rows, script
from test_shuffle import FILE  # options w0 r1 w2 w3: 🇧 is right

from bot.grading import Result, Scoring, grade
from bot.memory import make_scheduler, review
from bot.store import Quiz, Store
from bot.store.sqlite_sql import MIGRATIONS


async def new_quiz(store: Store, started_at: float, order: tuple[int, ...] | None) -> Quiz:
    quiz = await store.create_quiz(
        guild_id=1,
        channel_id=10,
        started_by=5,
        question=FILE,
        scoring=Scoring.EXACT,
        started_at=started_at,
        deadline=started_at + 60,
        order=order,
    )
    return await store.mark_open(await store.add_question_part(quiz, int(started_at)))


async def play(store: Store, started_at: float, order: tuple[int, ...], picks: dict[int, set[int]]):
    """One quiz shown in `order`, answered with `picks` (places on the message), graded."""
    quiz = await new_quiz(store, started_at, order)
    selections = {user: frozenset(places) for user, places in picks.items()}
    quiz = await store.freeze_answers(quiz, selections, read_at=quiz.deadline)
    results = grade(await store.selections(quiz.id), quiz.question.correct, quiz.scoring)
    assert await store.record_results(quiz, results, at=quiz.deadline)
    return quiz, results


async def test_a_quiz_keeps_the_question_as_posted_and_its_order(store: Store) -> None:
    quiz = await new_quiz(store, 100.0, (2, 0, 1, 3))
    loaded = await store.quiz(quiz.id)
    assert loaded == quiz
    assert loaded.option_order == (2, 0, 1, 3)
    assert [o.text for o in loaded.question.options] == ["w2", "w0", "r1", "w3"]


async def test_without_an_order_a_quiz_shows_the_files(store: Store) -> None:
    quiz = await new_quiz(store, 100.0, None)
    assert (await store.quiz(quiz.id)).question == FILE
    assert quiz.option_order == (0, 1, 2, 3)


async def test_results_read_back_at_their_places_on_the_message(store: Store) -> None:
    # Shown as w2 w0 r1 w3: ana picks 🇨 (r1), ben 🇦 (w2).
    quiz, results = await play(store, 100.0, (2, 0, 1, 3), {7: {2}, 8: {0}})
    assert results == [Result(7, frozenset({2}), 1.0, True), Result(8, frozenset({0}), 0.0, False)]
    assert await store.results(quiz.id) == results


async def test_stored_results_are_by_the_files_option(store: Store, database: Path | str) -> None:
    await play(store, 100.0, (2, 0, 1, 3), {7: {2}, 8: {0, 3}})
    assert await rows(database, "SELECT user_id, selected FROM results ORDER BY user_id") == [(7, "1"), (8, "2,3")]
    assert await rows(database, "SELECT option, picks FROM option_picks ORDER BY option") == [(1, 1), (2, 1), (3, 1)]


async def test_question_stats_count_the_files_options_across_orders(store: Store) -> None:
    # w2 is the trap, shown as 🇦 and then as 🇩; counted by place the picks would be {0: 3, 1: 1, 2: 1, 3: 1}.
    await play(store, 100.0, (2, 0, 1, 3), {7: {2}, 8: {0}, 9: {0}})
    await play(store, 200.0, (3, 1, 0, 2), {7: {1}, 8: {3}, 9: {0}})
    (stats,) = await store.question_stats(1)
    assert stats.question == FILE  # the last quiz's question, back in the file's order
    assert stats.picks == {1: 2, 2: 3, 3: 1}
    assert (stats.asked, stats.answers, stats.exact) == (2, 6, 2)


async def test_memory_cards_are_rated_by_what_members_picked_as_shown_live_and_replayed(
    store: Store, database: Path | str
) -> None:
    # Shown as w2 w0 r1 w3, then as w3 r1 w0 w2: 7 picks r1 both times, 8 picks w2 both times.
    await play(store, 100.0, (2, 0, 1, 3), {7: {2}, 8: {0}})
    await play(store, 200.0, (3, 1, 0, 2), {7: {1}, 8: {3}})
    live = {user: (await store.due_card(1, user, 1e12)).memory for user in (7, 8)}
    scheduler = make_scheduler()
    for user, rated in ((7, Rating.Good), (8, Rating.Again)):
        assert live[user] == review(scheduler, review(scheduler, None, rated, 160.0), rated, 260.0)
    await store.close()
    await script(  # as an upgraded database starts: replayed
        database,
        "DELETE FROM memory_reviews; DELETE FROM memory_cards; DELETE FROM memory_scheduler;"
        " DELETE FROM memory_recall;",
    )
    reopened = await Store.open(database)
    try:
        assert {user: (await reopened.due_card(1, user, 1e12)).memory for user in (7, 8)} == live
        assert (await reopened.card(1)).question == FILE  # drilled in the file's order
    finally:
        await reopened.close()


async def test_quizzes_from_before_shuffling_keep_the_files_order(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript("\n".join(MIGRATIONS[:3]) + "\nPRAGMA user_version = 3;")
        question = json.dumps({**FILE.__dict__, "options": [o.__dict__ for o in FILE.options]})
        db.execute(
            "INSERT INTO quizzes (id, guild_id, channel_id, message_id, question_id, question_json, scoring,"
            " started_by, started_at, deadline, state) VALUES (1, 1, 10, 100, 'q', ?, 'exact', 5, 0.0, 60.0,"
            " 'announced')",
            (question,),
        )
        db.executemany(
            "INSERT INTO results VALUES (1, 1, ?, ?, ?, ?, 60.0, NULL)", [(7, "1", 1.0, 1), (8, "2", 0.0, 0)]
        )
        db.executemany("INSERT INTO option_picks VALUES (1, ?, 1)", [(1,), (2,)])
    store = await Store.open(path)
    try:
        assert await store.schema_version() == len(MIGRATIONS)
        old = await store.quiz(1)
        assert (old.option_order, old.question) == ((0, 1, 2, 3), FILE)
        assert await store.results(1) == [Result(7, frozenset({1}), 1.0, True), Result(8, frozenset({2}), 0.0, False)]
        (stats,) = await store.question_stats(1)
        assert (stats.question, stats.picks) == (FILE, {1: 1, 2: 1})
    finally:
        await store.close()
