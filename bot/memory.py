"""Memory cards: how well a member remembers a question, scheduled with FSRS. Pure.

Every graded answer, in a group quiz or in the private `/review` drill, is one FSRS review of the
member's card for that question: a wrong answer is Again, a partial one (some correct picks, not
the exact set) Hard, an exact one Good. Times are epoch seconds like the rest of the bot; the
conversion to the UTC datetimes `fsrs` wants stays here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from fsrs import Card, Rating, Scheduler, State

from bot.questions import Question

DEFAULT_PARAMETERS: tuple[float, ...] = tuple(Scheduler().parameters)
DEFAULT_RETENTION = 0.9


class Outcome(StrEnum):
    WRONG = "wrong"
    PARTIAL = "partial"
    EXACT = "exact"


RATINGS = {Outcome.WRONG: Rating.Again, Outcome.PARTIAL: Rating.Hard, Outcome.EXACT: Rating.Good}


def outcome(selected: frozenset[int], correct: frozenset[int]) -> Outcome:
    if selected == correct:
        return Outcome.EXACT
    return Outcome.PARTIAL if selected & correct else Outcome.WRONG


def rating(selected: frozenset[int], correct: frozenset[int]) -> Rating:
    return RATINGS[outcome(selected, correct)]


@dataclass(frozen=True)
class Memory:
    """One member's card for one question, as FSRS left it after the last review."""

    state: int  # fsrs.State: learning, review, relearning
    step: int | None  # the learning step, None once in review
    stability: float  # days until recall drops to 90%
    difficulty: float
    due: float
    last_review: float
    reviews: int  # how many reviews made it; also guards a drill answer against being counted twice

    @property
    def learned(self) -> bool:
        """Past its learning steps: FSRS schedules it in days now."""
        return self.state == State.Review


def make_scheduler(parameters: Sequence[float] = DEFAULT_PARAMETERS, retention: float = DEFAULT_RETENTION) -> Scheduler:
    # No fuzzing: a card's schedule must follow from its reviews alone, so that replaying the
    # history gives the same cards as live grading did.
    return Scheduler(parameters=parameters, desired_retention=retention, enable_fuzzing=False)


def scheduler_to_json(scheduler: Scheduler) -> str:
    """What the store keeps, so that a newer `fsrs` with other defaults never reinterprets old cards."""
    settings = scheduler.to_dict()
    del settings["desired_retention"]  # the config's to choose
    return json.dumps(settings)


def scheduler_from_json(text: str, retention: float) -> Scheduler:
    return Scheduler.from_dict({**json.loads(text), "desired_retention": retention})


def review(scheduler: Scheduler, memory: Memory | None, grade: Rating, at: float) -> Memory:
    """The card after one review at `at`; `memory` None is a first sight of the question."""
    card = Card(card_id=0, due=_moment(at)) if memory is None else _card(memory)
    card, _ = scheduler.review_card(card, grade, review_datetime=_moment(at))
    assert card.stability is not None and card.difficulty is not None and card.last_review is not None
    return Memory(
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due.timestamp(),
        last_review=card.last_review.timestamp(),
        reviews=(memory.reviews if memory else 0) + 1,
    )


def review_all(
    scheduler: Scheduler, known: Mapping[int, Memory], grades: Mapping[int, Rating], at: float
) -> dict[int, Memory]:
    """Each member's card after one review at `at`; members who share a card and a grade share the work.

    After a group quiz many members hold the same card (same answers at the same times), so a crowd
    of 10,000 costs a handful of FSRS computations instead of 10,000.
    """
    done: dict[tuple[Memory | None, Rating], Memory] = {}
    cards = {}
    for user, grade in grades.items():
        key = (known.get(user), grade)
        if key not in done:
            done[key] = review(scheduler, *key, at)
        cards[user] = done[key]
    return cards


def retrievability(scheduler: Scheduler, memory: Memory, at: float) -> float:
    """The chance, by FSRS's forgetting curve, that the member recalls the answer at `at`."""
    return scheduler.get_card_retrievability(_card(memory), current_datetime=_moment(at))


def curve(scheduler: Scheduler) -> tuple[float, float]:
    """(factor, decay) of the forgetting curve R = (1 + factor * days / stability) ** decay, for SQL."""
    decay = -scheduler.parameters[20]
    return 0.9 ** (1 / decay) - 1, decay


class Pick(StrEnum):
    """How a quiz without a named question chooses one."""

    LEAST_RECENT = "least-recent"  # the one this server saw longest ago, never-asked first
    REVIEW = "review"  # the one the group is closest to forgetting


PICK_NAMES = {
    Pick.LEAST_RECENT: "least recently asked",
    Pick.REVIEW: "review: what the group is closest to forgetting",
}


def most_forgotten(
    candidates: Sequence[Question], recall: Mapping[str, float], last_asked: Mapping[str, float]
) -> Question | None:
    """The candidate with the lowest mean retrievability (ties: least recently asked); None if none has cards."""
    answered = [q for q in candidates if q.id in recall]
    if not answered:
        return None
    return min(answered, key=lambda q: (recall[q.id], last_asked.get(q.id, float("-inf")), q.id))


def _moment(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)


def _card(memory: Memory) -> Card:
    return Card(
        card_id=0,
        state=State(memory.state),
        step=memory.step,
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=_moment(memory.due),
        last_review=_moment(memory.last_review),
    )
