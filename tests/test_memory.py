"""Memory cards, pure: outcome -> rating, and how one FSRS review moves a card (injected times)."""

from __future__ import annotations

import pytest
from fsrs import Rating, State

from bot.memory import (
    Memory,
    Outcome,
    make_scheduler,
    most_forgotten,
    outcome,
    rating,
    retrievability,
    review,
    review_all,
)
from bot.questions import Option, Question

NOW = 1_800_000_000.0
DAY = 86_400.0
CORRECT = frozenset({0, 3})


@pytest.mark.parametrize(
    ("selected", "expected", "grade"),
    [
        (frozenset({0, 3}), Outcome.EXACT, Rating.Good),
        (frozenset({0}), Outcome.PARTIAL, Rating.Hard),  # one of the two
        (frozenset({0, 1}), Outcome.PARTIAL, Rating.Hard),  # one right, one wrong
        (frozenset({0, 1, 2, 3}), Outcome.PARTIAL, Rating.Hard),  # everything: not the exact set
        (frozenset({1}), Outcome.WRONG, Rating.Again),
        (frozenset({1, 2}), Outcome.WRONG, Rating.Again),
    ],
)
def test_outcome_and_rating(selected: frozenset[int], expected: Outcome, grade: Rating) -> None:
    assert outcome(selected, CORRECT) is expected
    assert rating(selected, CORRECT) is grade


def learned_card() -> Memory:
    """A card answered right three times, days apart: in review, due days out."""
    scheduler = make_scheduler()
    card = None
    for at in (NOW, NOW + 600, NOW + 2 * DAY):
        card = review(scheduler, card, Rating.Good, at)
    assert card is not None and card.learned
    return card


@pytest.mark.parametrize(
    ("before", "grade", "due_within"),
    [
        (None, Rating.Again, (0, DAY)),  # a first miss comes back within a day (a minute: FSRS's first step)
        (None, Rating.Good, (0, DAY)),  # a first right answer: the next learning step
        ("learned", Rating.Again, (0, DAY)),  # a lapse comes back within a day
        ("learned", Rating.Good, (2 * DAY, 365 * DAY)),  # recalled: days out
    ],
)
def test_a_review_schedules_the_card(before: str | None, grade: Rating, due_within: tuple[float, float]) -> None:
    card = learned_card() if before else None
    at = (card.due if card else NOW) + 3600
    after = review(make_scheduler(), card, grade, at)
    low, high = due_within
    assert low < after.due - at <= high
    assert after.last_review == at
    assert after.reviews == (card.reviews if card else 0) + 1


def test_a_right_answer_moves_the_due_date_further_out_than_a_miss() -> None:
    card = learned_card()
    at = card.due
    right, miss = (review(make_scheduler(), card, grade, at) for grade in (Rating.Good, Rating.Again))
    assert right.due > card.due + DAY > miss.due
    assert (miss.state, right.state) == (State.Relearning, State.Review)


@pytest.mark.parametrize("retention", [0.8, 0.9, 0.95])
def test_higher_desired_retention_brings_cards_back_sooner(retention: float) -> None:
    card = learned_card()
    base = review(make_scheduler(retention=0.9), card, Rating.Good, card.due)
    chosen = review(make_scheduler(retention=retention), card, Rating.Good, card.due)
    assert (chosen.due < base.due) == (retention > 0.9) and (chosen.due > base.due) == (retention < 0.9)


def test_retrievability_falls_as_days_pass() -> None:
    card = learned_card()
    scheduler = make_scheduler()
    recall = [retrievability(scheduler, card, card.last_review + days * DAY) for days in (0, 1, 5, 30)]
    assert recall[0] == 1.0
    assert recall == sorted(recall, reverse=True) and len(set(recall)) == 4


def asked(qid: str) -> Question:
    return Question(id=qid, title=qid, body="", prompt="?", options=(Option("a", True), Option("b", False)))


Q1, Q2, Q3 = asked("q1"), asked("q2"), asked("q3")


@pytest.mark.parametrize(
    ("recall", "last_asked", "expected"),
    [
        ({"q1": 0.9, "q2": 0.4, "q3": 0.7}, {}, Q2),  # the lowest mean retrievability
        ({"q1": 0.5, "q2": 0.5}, {"q1": 300.0, "q2": 200.0}, Q2),  # tie: least recently asked
        ({"q1": 0.5, "q2": 0.5}, {"q1": 100.0, "q2": 200.0}, Q1),
        ({"q3": 0.99}, {"q3": 1.0}, Q3),  # only questions with cards count
        ({"elsewhere": 0.1}, {}, None),  # nothing among the candidates was answered
        ({}, {}, None),
    ],
)
def test_most_forgotten(recall: dict, last_asked: dict, expected: Question | None) -> None:
    assert most_forgotten([Q1, Q2, Q3], recall, last_asked) == expected


def test_reviewing_a_crowd_gives_each_member_what_a_single_review_gives() -> None:
    scheduler = make_scheduler()
    first = review(scheduler, None, Rating.Again, NOW)
    known = {1: first, 2: first, 3: review(scheduler, first, Rating.Good, NOW + 600)}
    grades = {1: Rating.Good, 2: Rating.Again, 3: Rating.Good, 4: Rating.Hard}
    at = NOW + 2 * DAY
    assert review_all(scheduler, known, grades, at) == {
        user: review(scheduler, known.get(user), grade, at) for user, grade in grades.items()
    }
