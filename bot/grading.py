"""Selections + the correct set -> points. Pure and synchronous.

A selection is the set of option indexes a member has reacted with when the quiz closes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Scoring(StrEnum):
    EXACT = "exact"  # all or nothing: the selected set must equal the correct set
    PARTIAL = "partial"  # credit for each correct pick, minus each wrong one


@dataclass(frozen=True)
class Result:
    user_id: int
    selected: frozenset[int]
    points: float
    exact: bool  # picked exactly the correct options


def score(selected: frozenset[int], correct: frozenset[int], scoring: Scoring) -> float:
    if scoring is Scoring.EXACT:
        return 1.0 if selected == correct else 0.0
    hits = len(selected & correct)
    misses = len(selected - correct)
    return max(0.0, (hits - misses) / len(correct))


def grade(selections: Mapping[int, frozenset[int]], correct: frozenset[int], scoring: Scoring) -> list[Result]:
    """One result per participant, ordered by user id; a member with no pick did not take part."""
    return [
        Result(user_id, selected, score(selected, correct, scoring), selected == correct)
        for user_id, selected in sorted(selections.items())
        if selected
    ]


def pick_counts(selections: Mapping[int, frozenset[int]], options: int) -> list[int]:
    """How many members picked each option."""
    counts = [0] * options
    for selected in selections.values():
        for index in selected:
            counts[index] += 1
    return counts


def streaks(history: Sequence[bool]) -> tuple[int, int]:
    """(current, best) runs of exactly-right answers in a member's history, oldest first."""
    best = run = 0
    for exact in history:
        run = run + 1 if exact else 0
        best = max(best, run)
    return run, best
