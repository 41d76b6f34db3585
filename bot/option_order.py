"""The order a quiz shows a question's options in, and the way back to the file's order. Pure.

An order is a tuple mapping each place on the message to the index of the option in the file:
`(2, 0, 1)` shows the file's third option as 🇦. A quiz keeps the question as posted, so a letter
means what members saw; whatever is counted across quizzes is kept by the file's index.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import replace

from bot.questions import Question


def identity(count: int) -> tuple[int, ...]:
    return tuple(range(count))


def choose(question: Question, rng: random.Random, *, shuffle: bool) -> tuple[int, ...]:
    """A fresh order when shuffling is on and the question allows it, else the file's."""
    order = list(identity(len(question.options)))
    if shuffle and question.shuffle:
        rng.shuffle(order)
    return tuple(order)


def as_posted(question: Question, order: Sequence[int]) -> Question:
    return replace(question, options=tuple(question.options[index] for index in order))


def as_in_file(question: Question, order: Sequence[int]) -> Question:
    """Undo `as_posted`."""
    by_index = dict(zip(order, question.options, strict=True))
    return replace(question, options=tuple(by_index[index] for index in range(len(order))))


def to_file(order: Sequence[int], places: Iterable[int]) -> frozenset[int]:
    """Options picked by their place on the message -> by their index in the file."""
    return frozenset(order[place] for place in places)


def to_posted(order: Sequence[int], indexes: Iterable[int]) -> frozenset[int]:
    """Undo `to_file`."""
    place = {index: at for at, index in enumerate(order)}
    return frozenset(place[index] for index in indexes)
