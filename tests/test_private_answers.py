"""Private answers: the menu's labels and ids, what members are told, and the store's choices."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_store import open_quiz

from bot import private_answers
from bot.store import Choice, Store
from bot.store.sqlite_sql import MIGRATIONS


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["yes", "no"], ["🇦 yes", "🇧 no"]),
        (["two\n  lines"], ["🇦 two lines"]),
        (["x" * 200], ["🇦 " + "x" * 97 + "…"]),
    ],
)
def test_labels_are_letter_and_the_start_of_each_option(options: list[str], expected: list[str]) -> None:
    labels = private_answers.labels(options)
    assert labels == expected and all(len(label) <= private_answers.LABEL_LIMIT for label in labels)


@pytest.mark.parametrize(
    ("values", "options", "expected"),
    [
        (["0", "3"], 4, frozenset({0, 3})),
        (["2"], 3, frozenset({2})),
        (["4"], 4, None),  # not one of the menu's options: a forged or outdated menu
        (["-1"], 4, None),
        (["a"], 4, None),
        ([], 4, None),
    ],
)
def test_picks_accept_only_the_menus_values(values: list[str], options: int, expected: frozenset | None) -> None:
    assert private_answers.picks(values, options) == expected


@pytest.mark.parametrize(
    ("custom_id", "quiz"), [("quiz:12:answer", 12), ("quiz:x:answer", None), ("review:pick:1", None)]
)
def test_the_menu_id_carries_the_quiz(custom_id: str, quiz: int | None) -> None:
    assert private_answers.quiz_of(custom_id) == quiz
    if quiz is not None:
        assert private_answers.menu_id(quiz) == custom_id


@pytest.mark.parametrize(
    ("chosen", "text"),
    [
        (frozenset({3, 0}), "Your answer: 🇦 🇩 — you can change it until <t:1700:R>."),
        (frozenset({1}), "Your answer: 🇧 — you can change it until <t:1700:R>."),
    ],
)
def test_acknowledgement_names_the_letters_in_order(chosen: frozenset[int], text: str) -> None:
    assert private_answers.acknowledged(chosen, 1700) == text


async def test_a_choice_replaces_the_last_and_none_is_taken_after_the_deadline(store: Store) -> None:
    quiz = await open_quiz(store, message_id=500)  # deadline 160
    assert await store.replace_choices([Choice(quiz.id, 7, frozenset({0, 1, 2}), at=120.0)]) == [True]
    assert await store.replace_choices([Choice(quiz.id, 7, frozenset({3}), at=130.0)]) == [True]
    assert await store.replace_choices([Choice(quiz.id, 8, frozenset({0}), at=140.0)]) == [True]
    assert await store.replace_choices([Choice(quiz.id, 8, frozenset({1}), at=160.0)]) == [False]
    assert await store.selections(quiz.id) == {7: frozenset({3}), 8: frozenset({0})}


async def test_no_choice_is_taken_once_the_answers_are_frozen(store: Store) -> None:
    quiz = await open_quiz(store, message_id=501)
    await store.freeze_answers(quiz, {}, read_at=120.0)  # ended early
    assert await store.replace_choices([Choice(quiz.id, 7, frozenset({0}), at=121.0)]) == [False]
    assert await store.selections(quiz.id) == {}


async def test_a_batch_is_decided_choice_by_choice_and_a_members_later_choice_wins(store: Store) -> None:
    first = await open_quiz(store, message_id=502, channel=10)  # deadline 160
    second = await open_quiz(store, message_id=503, channel=11)
    await store.replace_choices([Choice(first.id, 7, frozenset({2}), at=110.0)])
    batch = [
        Choice(first.id, 7, frozenset({0, 1}), at=120.0),  # replaces 7's earlier choice, then is replaced
        Choice(second.id, 7, frozenset({1}), at=120.0),  # the same member in another quiz: its own answer
        Choice(first.id, 8, frozenset({3}), at=170.0),  # after the deadline: not taken
        Choice(first.id, 7, frozenset({3}), at=121.0),
        Choice(999, 9, frozenset({0}), at=120.0),  # no such quiz
    ]
    assert await store.replace_choices(batch) == [True, True, False, True, False]
    assert await store.selections(first.id) == {7: frozenset({3})}
    assert await store.selections(second.id) == {7: frozenset({1})}


@pytest.mark.parametrize("answers", ["private", "reactions", None])
async def test_a_schedule_keeps_its_answer_mode_or_none_to_follow_the_config(store: Store, answers: str | None) -> None:
    made = await store.add_schedule(
        guild_id=1, channel_id=10, days="mon", at="19:00", zone="UTC", topic=None, duration=None,
        created_by=5, created_at=50.0, answers=answers,
    )  # fmt: skip
    assert made.answers == answers
    assert await store.schedules(1) == [made]


async def test_a_schedule_from_before_migration_7_follows_the_config(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript("\n".join(MIGRATIONS[:6]) + "\nPRAGMA user_version = 6;")
        db.execute(
            "INSERT INTO schedules (guild_id, channel_id, days, at, zone, created_by, created_at)"
            " VALUES (1, 10, 'mon', '19:00', 'UTC', 5, 50.0)"
        )
    store = await Store.open(path)
    try:
        assert await store.schema_version() == len(MIGRATIONS) == 7
        (schedule,) = await store.schedules(1)
        assert (schedule.days, schedule.answers) == ("mon", None)
    finally:
        await store.close()
