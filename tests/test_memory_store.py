"""Memory cards in the store: updated with each graded result, replayed once from history, drilled."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from fsrs import Rating
from raw_sql import rows, script
from test_store import QUESTION, graded_quiz, right, wrong

from bot.grading import Result
from bot.memory import make_scheduler, retrievability, review
from bot.store import Store

DAY = 86_400.0
OTHER = replace(QUESTION, id="ml/other")


def partial(user: int) -> Result:
    return Result(user, frozenset({0}), 0.0, False)


async def cards(database: Path | str) -> set[tuple]:
    """Every card and review, keyed by member and question (ids may differ between databases)."""
    found = await rows(
        database,
        "SELECT c.guild_id, c.user_id, c.question_id, c.state, c.step, c.stability, c.difficulty, c.due,"
        " c.last_review, c.reviews, r.number, r.rating, r.reviewed_at, r.quiz_id"
        " FROM memory_cards AS c JOIN memory_reviews AS r ON r.card_id = c.id",
    )
    return set(found)


async def test_a_graded_result_reviews_each_members_card(store: Store) -> None:
    await graded_quiz(store, 1, 1000.0, [right(1), partial(2), wrong(3)])
    at = 1060.0
    scheduler = make_scheduler()
    for user, grade in ((1, Rating.Good), (2, Rating.Hard), (3, Rating.Again)):
        summary = await store.memory_summary(1, user, at)
        assert (summary.cards, summary.due) == (1, 0)
        assert summary.next_due == review(scheduler, None, grade, at).due
    due = await store.due_card(1, 3, at + 60)
    assert due is not None and (due.user_id, due.question) == (3, QUESTION)


async def test_a_later_answer_reviews_the_same_card_again(store: Store) -> None:
    await graded_quiz(store, 1, 1000.0, [wrong(1)])
    await graded_quiz(store, 2, 1000.0 + 3 * DAY, [right(1)])
    scheduler = make_scheduler()
    expected = review(scheduler, review(scheduler, None, Rating.Again, 1060.0), Rating.Good, 1060.0 + 3 * DAY)
    card = await store.due_card(1, 1, expected.due)
    assert card is not None and card.memory == expected
    assert (await store.memory_summary(1, 1, 0)).recalls == 1  # the first sight is not a recall


async def test_replaying_past_results_gives_the_cards_live_grading_made(database: Path | str) -> None:
    store = await Store.open(database)
    history = [
        (1000.0, QUESTION, [right(1), wrong(2), partial(3)]),
        (1000.0 + 0.5 * DAY, OTHER, [wrong(1), right(2)]),
        (1000.0 + 2 * DAY, QUESTION, [wrong(1), right(2), right(3)]),
        (1000.0 + 9 * DAY, QUESTION, [right(1), partial(2)]),
    ]
    for channel, (at, question, results) in enumerate(history, start=1):
        await graded_quiz(store, channel, at, results, question)
    await store.close()
    live = await cards(database)
    assert len(live) == 10
    await script(  # as a database upgraded to the memory schema starts
        database,
        "DELETE FROM memory_reviews; DELETE FROM memory_cards; DELETE FROM memory_scheduler;"
        " DELETE FROM memory_recall;",
    )
    store = await Store.open(database)
    await store.close()
    assert await cards(database) == live
    store = await Store.open(database)  # replayed once: opening again changes nothing
    await store.close()
    assert await cards(database) == live


async def test_a_drill_answer_reviews_the_card_once(store: Store) -> None:
    await graded_quiz(store, 1, 1000.0, [wrong(1)])
    card = await store.due_card(1, 1, 1200.0)
    assert card is not None
    after = await store.review_in_drill(card, Rating.Good, 1200.0)
    assert after == review(make_scheduler(), card.memory, Rating.Good, 1200.0)
    assert await store.review_in_drill(card, Rating.Good, 1201.0) is None  # the same showing again
    assert await store.due_card(1, 1, 1200.0) is None
    assert [(s.points, s.answered) for s in await store.leaderboard(1, 10)] == [(0.0, 1)]  # no points from drills
    summary = await store.memory_summary(1, 1, 1200.0)
    assert (summary.recalls, summary.recalled, summary.retention) == (1, 1, 1.0)


async def test_mean_recall_is_lowest_for_the_question_the_group_is_forgetting(store: Store) -> None:
    await graded_quiz(store, 1, 1000.0, [right(1), right(2)])
    await graded_quiz(store, 2, 1000.0, [wrong(1), right(2)], OTHER)
    recall = await store.mean_recall(1, 1000.0 + 3 * DAY)
    assert set(recall) == {QUESTION.id, OTHER.id}
    assert 0 < recall[OTHER.id] < recall[QUESTION.id] < 1
    at = 1000.0 + 3 * DAY
    first = [(await store.card(card_id)).memory for card_id in (1, 2)]  # QUESTION's cards
    assert recall[QUESTION.id] == pytest.approx(sum(retrievability(store.scheduler, m, at) for m in first) / 2)
    assert await store.mean_recall(2, 1000.0) == {}  # another guild


async def test_a_pick_uses_old_means_as_stored_and_recomputes_changed_ones(store: Store) -> None:
    await graded_quiz(store, 1, 1000.0, [right(1)])
    await graded_quiz(store, 2, 1000.0, [right(1)], OTHER)
    at = 1000.0 + 3 * DAY
    first = await store.mean_recall(1, at)
    assert await store.mean_recall(1, at + 10 * DAY) == first  # ten days old: used as stored, not re-read
    await graded_quiz(store, 3, at + 10 * DAY, [wrong(1)])  # a card of QUESTION changed
    now = at + 10 * DAY + 120
    card = (await store.card(1)).memory
    assert (await store.mean_recall(1, now))[QUESTION.id] == pytest.approx(retrievability(store.scheduler, card, now))


async def test_refresh_recomputes_the_oldest_means_a_step_at_a_time(store: Store) -> None:
    await graded_quiz(store, 1, 1000.0, [right(1)])
    await graded_quiz(store, 2, 1000.0, [right(1)], OTHER)
    at = 1000.0 + 3 * DAY
    first = await store.mean_recall(1, at)
    later = at + 10 * DAY
    assert await store.refresh_recall(1, later) == [OTHER.id]  # one per step; ties by id
    assert await store.refresh_recall(1, later + 60) == [QUESTION.id]
    assert await store.refresh_recall(1, later + 120) == []  # both fresh now
    refreshed = await store.mean_recall(1, later + 120)
    assert all(refreshed[q] < first[q] for q in first)
    other = (await store.card(2)).memory
    assert refreshed[OTHER.id] == pytest.approx(retrievability(store.scheduler, other, later))
    assert await store.refresh_recall(1, later + 3600, step=5) == []  # an hour old is still fresh
    assert await store.refresh_recall(1, later + 3661, step=5) == [OTHER.id, QUESTION.id]


async def test_an_answer_refreshes_an_old_mean(store: Store) -> None:
    await graded_quiz(store, 1, 1000.0, [right(1)])
    await graded_quiz(store, 2, 1000.0, [right(2)], OTHER)
    at = 1000.0 + 3 * DAY
    first = await store.mean_recall(1, at)
    card = await store.due_card(1, 1, at + 10 * DAY)
    assert card is not None and card.question.id == QUESTION.id
    await store.review_in_drill(card, Rating.Good, at + 10 * DAY)  # QUESTION changed; OTHER is old
    assert await store.refresh_recall(1, at + 10 * DAY) == []  # the answer refreshed OTHER already
    other = (await store.card(2)).memory
    refreshed = await store.mean_recall(1, at + 10 * DAY)
    assert refreshed[OTHER.id] < first[OTHER.id]
    assert refreshed[OTHER.id] == pytest.approx(retrievability(store.scheduler, other, at + 10 * DAY))


async def test_a_closed_quiz_refreshes_an_old_mean(store: Store) -> None:
    await graded_quiz(store, 1, 1000.0, [right(1)])
    await graded_quiz(store, 2, 1000.0, [right(2)], OTHER)
    at = 1000.0 + 3 * DAY
    await store.mean_recall(1, at)
    await graded_quiz(store, 3, at + 10 * DAY, [wrong(1)])  # QUESTION changed; OTHER is old
    assert await store.refresh_recall(1, at + 10 * DAY + 60) == []  # the close refreshed OTHER already
