"""What the store hands out: model objects, quiz states, and its own exceptions (never an engine's)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.grading import Scoring
from bot.memory import Memory, Pick
from bot.questions import Question


class StoreError(Exception):
    """The database cannot be used; the message says why in one line."""


class StoreBusy(StoreError):
    """The database cannot answer right now (locked, busy, full, connection lost): the same call may succeed later."""


class Duplicate(StoreError):
    """A write broke a uniqueness rule of the schema."""


class DatabaseGone(StoreError):
    """The database file was deleted or replaced while the bot had it open: writes would be lost."""


class ChannelBusy(Exception):
    """The channel already has a running quiz."""


class QuizState(StrEnum):
    POSTING = "posting"
    OPEN = "open"
    CLOSING = "closing"
    GRADED = "graded"
    ANNOUNCED = "announced"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Quiz:
    id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    question: Question  # as it was posted: grading never depends on the bank after that
    option_order: tuple[int, ...]  # each place on the message -> that option's index in the file
    scoring: Scoring
    started_by: int
    started_at: float
    deadline: float
    state: QuizState
    question_parts: tuple[int, ...] = ()  # the question's messages as posted; the last carries the letters
    lettered: bool = False  # every option letter is on the message
    answers_read_at: float | None = None  # when the answers were frozen for grading
    result_posts: str | None = None  # the result as rendered when it was graded (JSON)
    result_parts: tuple[int, ...] = ()  # the result's messages posted so far
    answers: str = "reactions"  # 'reactions' or 'private' (a menu whose choices are stored as made)

    @property
    def running(self) -> bool:
        """Claims its channel: not yet graded or cancelled."""
        return self.state in RUNNING_STATES


RUNNING_STATES = frozenset({QuizState.POSTING, QuizState.OPEN, QuizState.CLOSING})


@dataclass(frozen=True)
class Standing:
    rank: int
    user_id: int
    points: float
    answered: int
    exact: int

    @property
    def accuracy(self) -> float:
        return self.exact / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class MemberStats:
    points: float
    answered: int
    exact: int
    history: tuple[bool, ...]  # exact or not, oldest first: streaks are computed from it
    topics: tuple[tuple[str, int, int], ...]  # (topic, answered, exact), most answered first
    graded_at: tuple[float, ...] = ()  # when each answer of `history` was graded


@dataclass(frozen=True)
class QuestionStats:
    question: Question  # as last posted, with its options in the file's order
    asked: int
    answers: int
    exact: int
    picks: dict[int, int]  # option (index in the file) -> how many members picked it, over every time it was asked

    @property
    def share_right(self) -> float:
        return self.exact / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class Schedule:
    id: int
    guild_id: int
    channel_id: int
    days: str
    at: str
    zone: str
    topic: str | None
    duration: int | None
    created_by: int
    created_at: float
    last_fired: float | None
    pick: Pick = Pick.LEAST_RECENT
    answers: str | None = None  # 'reactions' or 'private' for its quizzes; None: the server's config


@dataclass(frozen=True)
class MemoryCard:
    id: int
    guild_id: int
    user_id: int
    question: Question  # as last posted in the guild
    memory: Memory


@dataclass(frozen=True)
class MemorySummary:
    cards: int
    due: int  # due now
    learned: int
    next_due: float | None
    recalls: int  # reviews after a card's first sight
    recalled: int  # ... answered exactly right

    @property
    def retention(self) -> float | None:
        """The measured share of reviews answered right (first sights are not recalls)."""
        return self.recalled / self.recalls if self.recalls else None


@dataclass(frozen=True)
class SelectionChange:
    quiz_id: int
    user_id: int
    option: int
    added: bool


@dataclass(frozen=True)
class Choice:
    """A member's private answer: every option they chose in the menu, at `at`."""

    quiz_id: int
    user_id: int
    options: frozenset[int]
    at: float
