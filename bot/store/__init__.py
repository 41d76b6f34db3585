"""The bot's data, over SQLite (one file, the default) or PostgreSQL (several processes sharing one).

Layout: `models` (what the store hands out, its exceptions), `store` (the logic, written once, with
`memory_cards` as its base class), `rows` (model <-> column values), `copy_to_postgres` (`quizbot
migrate-db`), and per engine a SQL module (`sqlite_sql`, `postgres_sql`: every
statement and the numbered migrations) and a thin connection adapter (`sqlite_engine`,
`postgres_engine`) that also turns the driver's errors into the store's.
"""

from bot.store.memory_cards import RECALL_MAX_AGE, RECALL_STEP
from bot.store.models import (
    RUNNING_STATES,
    ChannelBusy,
    Choice,
    DatabaseGone,
    Duplicate,
    MemberStats,
    MemoryCard,
    MemorySummary,
    QuestionStats,
    Quiz,
    QuizState,
    Schedule,
    SelectionChange,
    Standing,
    StoreBusy,
    StoreError,
)
from bot.store.store import Store

__all__ = [
    "RECALL_MAX_AGE",
    "RECALL_STEP",
    "RUNNING_STATES",
    "ChannelBusy",
    "Choice",
    "DatabaseGone",
    "Duplicate",
    "MemberStats",
    "MemoryCard",
    "MemorySummary",
    "QuestionStats",
    "Quiz",
    "QuizState",
    "Schedule",
    "SelectionChange",
    "Standing",
    "Store",
    "StoreBusy",
    "StoreError",
]
