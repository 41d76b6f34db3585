"""Grading: one row per case, the seed question's two-correct answer key included."""

from __future__ import annotations

import pytest

from bot.grading import Result, Scoring, grade, pick_counts, score

SEED = frozenset({0, 3})  # A and D are correct

EXACT, PARTIAL = Scoring.EXACT, Scoring.PARTIAL


@pytest.mark.parametrize(
    ("selected", "correct", "scoring", "points"),
    [
        ({0, 3}, SEED, EXACT, 1.0),
        ({0}, SEED, EXACT, 0.0),
        ({0, 1, 3}, SEED, EXACT, 0.0),
        ({1, 2}, SEED, EXACT, 0.0),
        ({0, 3}, SEED, PARTIAL, 1.0),
        ({0}, SEED, PARTIAL, 0.5),
        ({0, 1, 3}, SEED, PARTIAL, 0.5),
        ({0, 1}, SEED, PARTIAL, 0.0),
        ({1, 2}, SEED, PARTIAL, 0.0),  # floored at zero, never negative
        ({0, 1, 2, 3}, SEED, PARTIAL, 0.0),
        ({2}, frozenset({2}), EXACT, 1.0),
        ({2}, frozenset({2}), PARTIAL, 1.0),
        ({1}, frozenset({2}), PARTIAL, 0.0),
        ({0, 1}, frozenset({0, 1, 2}), PARTIAL, 2 / 3),
        ({0, 1, 3}, frozenset({0, 1, 2}), PARTIAL, 1 / 3),
    ],
)
def test_score(selected: set[int], correct: frozenset[int], scoring: Scoring, points: float) -> None:
    assert score(frozenset(selected), correct, scoring) == pytest.approx(points)


def test_grade_skips_members_without_picks_and_orders_by_user() -> None:
    selections = {30: frozenset({0, 3}), 10: frozenset({0}), 20: frozenset()}
    assert grade(selections, SEED, EXACT) == [
        Result(10, frozenset({0}), 0.0, False),
        Result(30, frozenset({0, 3}), 1.0, True),
    ]


def test_exact_flag_is_independent_of_scoring() -> None:
    results = grade({1: frozenset({0, 3}), 2: frozenset({0})}, SEED, PARTIAL)
    assert [(r.points, r.exact) for r in results] == [(1.0, True), (0.5, False)]


def test_pick_counts() -> None:
    selections = {1: frozenset({0, 3}), 2: frozenset({0}), 3: frozenset({0, 1, 3}), 4: frozenset()}
    assert pick_counts(selections, 4) == [3, 1, 0, 2]
