"""Between model objects and the values the engines store: JSON columns, option lists, quiz rows.

Shared by both engines: a row is any sequence of column values (a tuple from SQLite, a record from
asyncpg), in the order of the engine's `QUIZ_COLUMNS`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from bot import option_order
from bot.grading import Scoring
from bot.memory import Memory
from bot.questions import Option, Question
from bot.store.models import Quiz, QuizState


def question_to_json(question: Question) -> str:
    return json.dumps(asdict(question), ensure_ascii=False)


def question_from_json(text: str) -> Question:
    data = json.loads(text)
    data["options"] = tuple(Option(**option) for option in data["options"])
    data["tags"] = tuple(data["tags"])
    return Question(**data)


def question_in_file(question_json: str, order: str) -> Question:
    """A stored question (as posted) back in the file's order."""
    return option_order.as_in_file(question_from_json(question_json), json.loads(order))


def memory_row(card: Memory) -> tuple:
    return (card.state, card.step, card.stability, card.difficulty, card.due, card.last_review, card.reviews)


def options_to_text(options: frozenset[int]) -> str:
    return ",".join(str(i) for i in sorted(options))


def posted_options(text: str, order: str) -> frozenset[int]:
    """Stored options (file indexes) -> their places on the quiz's message."""
    return option_order.to_posted(json.loads(order), (int(i) for i in text.split(",") if i))


def quiz_from_row(row: Sequence) -> Quiz:
    quiz_id, guild, channel, message, question, scoring, by, started, deadline, state, *progress = row
    question_parts, lettered, read_at, result_posts, result_parts, order, answers = progress
    return Quiz(
        quiz_id,
        guild,
        channel,
        message,
        question_from_json(question),
        tuple(json.loads(order)),
        Scoring(scoring),
        by,
        started,
        deadline,
        QuizState(state),
        tuple(json.loads(question_parts)),
        bool(lettered),
        read_at,
        result_posts,
        tuple(json.loads(result_parts)),
        answers,
    )
