"""Every SQL statement of the bot, over one SQLite file (aiosqlite, WAL).

The rest of the program sees model objects, never rows. The schema evolves by numbered
migrations keyed on `PRAGMA user_version`, so an older database file moves forward in place.

A quiz moves through explicit states so that a crash at any point is recoverable and points are
counted exactly once:

    posting -> open -> closing -> graded -> announced
        \\-------\\--------\\-> cancelled

`posting`: the channel is claimed and the question's messages are being sent (each one's id is
written as it is posted, so a restart can take them down). `closing`: the deadline has passed and
the answers are frozen as read at `answers_read_at`. `graded`: results and points are written, in
the same transaction as the state change; the result is rendered once and its messages are
recorded as they are posted, so a restart posts only what is missing. `problem` records why a
step ended for good (the message or channel gone, access lost).

A quiz keeps its question as posted, with the options in the order shown, and that order (see
`bot.option_order`). Picks while it runs and its grading use the posted places; results and
option picks are written by the file's option index, so whatever is counted across quizzes
refers to the same option however each quiz showed it. Only this module maps between the two.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path

import aiosqlite
from fsrs import Rating, Scheduler, State

from bot import memory, option_order
from bot.grading import Result, Scoring
from bot.memory import Memory, Pick
from bot.questions import Option, Question


class StoreError(Exception):
    """The database cannot be used; the message says why in one line."""


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


MIGRATIONS: tuple[str, ...] = (
    # 1: quizzes, the picks collected while they run, graded results, and running totals.
    """
    CREATE TABLE quizzes (
        id            INTEGER PRIMARY KEY,
        guild_id      INTEGER NOT NULL,
        channel_id    INTEGER NOT NULL,
        message_id    INTEGER UNIQUE,
        question_id   TEXT    NOT NULL,
        question_json TEXT    NOT NULL,
        scoring       TEXT    NOT NULL,
        started_by    INTEGER NOT NULL,
        started_at    REAL    NOT NULL,
        deadline      REAL    NOT NULL,
        state         TEXT    NOT NULL,
        closed_at     REAL,
        cancel_reason TEXT
    );
    CREATE UNIQUE INDEX quizzes_one_running_per_channel
        ON quizzes (channel_id) WHERE state IN ('posting', 'open');
    CREATE INDEX quizzes_unfinished ON quizzes (state) WHERE state IN ('posting', 'open', 'graded');
    CREATE INDEX quizzes_asked ON quizzes (guild_id, question_id, started_at);

    CREATE TABLE selections (
        quiz_id INTEGER NOT NULL REFERENCES quizzes (id),
        user_id INTEGER NOT NULL,
        option  INTEGER NOT NULL,
        PRIMARY KEY (quiz_id, user_id, option)
    ) WITHOUT ROWID;

    CREATE TABLE results (
        quiz_id   INTEGER NOT NULL REFERENCES quizzes (id),
        guild_id  INTEGER NOT NULL,
        user_id   INTEGER NOT NULL,
        selected  TEXT    NOT NULL,
        points    REAL    NOT NULL,
        exact     INTEGER NOT NULL,
        graded_at REAL    NOT NULL,
        PRIMARY KEY (quiz_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX results_by_member ON results (guild_id, user_id);

    CREATE TABLE points (
        guild_id INTEGER NOT NULL,
        user_id  INTEGER NOT NULL,
        points   REAL    NOT NULL,
        answered INTEGER NOT NULL,
        exact    INTEGER NOT NULL,
        PRIMARY KEY (guild_id, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX points_ranking ON points (guild_id, points DESC, user_id);
    """,
    # 2: what statistics, seasons, personal review and schedules need.
    """
    ALTER TABLE results ADD COLUMN topic TEXT;
    UPDATE results SET topic = (
        SELECT json_extract(question_json, '$.topic') FROM quizzes WHERE quizzes.id = results.quiz_id
    );
    -- Covering: a period's leaderboard sums without touching the table.
    CREATE INDEX results_by_time ON results (guild_id, graded_at, user_id, points, exact);
    CREATE INDEX results_by_member_time ON results (guild_id, user_id, graded_at);

    CREATE TABLE option_picks (
        quiz_id INTEGER NOT NULL REFERENCES quizzes (id),
        option  INTEGER NOT NULL,
        picks   INTEGER NOT NULL,
        PRIMARY KEY (quiz_id, option)
    ) WITHOUT ROWID;
    INSERT INTO option_picks
        SELECT quiz_id, option, COUNT(*) FROM selections
        WHERE quiz_id IN (SELECT id FROM quizzes WHERE state IN ('graded', 'announced'))
        GROUP BY quiz_id, option;

    CREATE TABLE seasons (
        guild_id   INTEGER NOT NULL,
        number     INTEGER NOT NULL,
        started_at REAL    NOT NULL,
        started_by INTEGER NOT NULL,
        PRIMARY KEY (guild_id, number)
    ) WITHOUT ROWID;

    CREATE TABLE schedules (
        id         INTEGER PRIMARY KEY,
        guild_id   INTEGER NOT NULL,
        channel_id INTEGER NOT NULL,
        days       TEXT    NOT NULL,
        at         TEXT    NOT NULL,
        zone       TEXT    NOT NULL,
        topic      TEXT,
        duration   INTEGER,
        created_by INTEGER NOT NULL,
        created_at REAL    NOT NULL,
        last_fired REAL
    );
    CREATE INDEX schedules_by_guild ON schedules (guild_id);
    """,
    # 3: a close that survives anything: frozen answers, posting progress, the reason a step gave up.
    """
    ALTER TABLE quizzes ADD COLUMN question_parts  TEXT    NOT NULL DEFAULT '[]';
    ALTER TABLE quizzes ADD COLUMN lettered        INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE quizzes ADD COLUMN answers_read_at REAL;
    ALTER TABLE quizzes ADD COLUMN result_posts    TEXT;
    ALTER TABLE quizzes ADD COLUMN result_parts    TEXT    NOT NULL DEFAULT '[]';
    ALTER TABLE quizzes ADD COLUMN problem         TEXT;
    UPDATE quizzes SET question_parts = json_array(message_id) WHERE message_id IS NOT NULL;
    DROP INDEX quizzes_one_running_per_channel;
    CREATE UNIQUE INDEX quizzes_one_running_per_channel
        ON quizzes (channel_id) WHERE state IN ('posting', 'open', 'closing');
    DROP INDEX quizzes_unfinished;
    CREATE INDEX quizzes_unfinished ON quizzes (state) WHERE state IN ('posting', 'open', 'closing', 'graded');
    """,
    # 4: the order each quiz showed its options in (a JSON array: place -> index in the file).
    # Quizzes before it showed the file's order; their results and picks are by file index already.
    """
    ALTER TABLE quizzes ADD COLUMN option_order TEXT;
    UPDATE quizzes SET option_order = (SELECT json_group_array(key) FROM json_each(question_json, '$.options'));
    """,
    # 5: memory cards, one per member and question, with every review and the scheduler that made them.
    # `memory_scheduler` starts empty: filling it is the sign that past results were replayed.
    """
    CREATE TABLE memory_cards (
        id          INTEGER PRIMARY KEY,
        guild_id    INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        question_id TEXT    NOT NULL,
        state       INTEGER NOT NULL,
        step        INTEGER,
        stability   REAL    NOT NULL,
        difficulty  REAL    NOT NULL,
        due         REAL    NOT NULL,
        last_review REAL    NOT NULL,
        reviews     INTEGER NOT NULL,
        UNIQUE (guild_id, user_id, question_id)
    );
    CREATE INDEX memory_cards_due ON memory_cards (guild_id, user_id, due);
    CREATE INDEX memory_cards_by_question ON memory_cards (guild_id, question_id, last_review, stability);

    CREATE TABLE memory_reviews (
        card_id     INTEGER NOT NULL REFERENCES memory_cards (id),
        number      INTEGER NOT NULL,  -- the card's first review is 1: a first sight, not a recall
        rating      INTEGER NOT NULL,
        reviewed_at REAL    NOT NULL,
        quiz_id     INTEGER REFERENCES quizzes (id),  -- NULL: answered in the /review drill
        PRIMARY KEY (card_id, number)
    ) WITHOUT ROWID;

    CREATE TABLE memory_scheduler (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        settings TEXT NOT NULL
    );

    -- Each question's mean retrievability over its cards, as of `as_of` (NULL: a card changed since):
    -- `pick:review` reads this instead of a million cards, recomputing only what is stale.
    CREATE TABLE memory_recall (
        guild_id    INTEGER NOT NULL,
        question_id TEXT    NOT NULL,
        recall      REAL,
        as_of       REAL,
        PRIMARY KEY (guild_id, question_id)
    ) WITHOUT ROWID;

    ALTER TABLE schedules ADD COLUMN pick TEXT NOT NULL DEFAULT 'least-recent';
    """,
    # 6: how a quiz takes answers; in 'private' mode `selections` holds each member's stored menu choice.
    """
    ALTER TABLE quizzes ADD COLUMN answers TEXT NOT NULL DEFAULT 'reactions';
    """,
)

_QUIZ_COLUMNS = (
    "id, guild_id, channel_id, message_id, question_json, scoring, started_by, started_at, deadline, state,"
    " question_parts, lettered, answers_read_at, result_posts, result_parts, option_order, answers"
)


# Retrievability moves by whole days (FSRS counts elapsed days), so an hour-old mean is close enough.
RECALL_MAX_AGE = 3600.0
RECALL_STEP = 1  # old means recomputed after each answer: a few ms, off the path of `pick:review`


class Store:
    BUSY_TIMEOUT_MS = 5000  # how long a statement waits for another writer before giving up

    def __init__(self, db: aiosqlite.Connection, path: Path | str) -> None:
        self._db = db
        self._path = Path(path)
        self._identity = _identity(self._path)
        # One connection serves every coroutine: a write issued while another coroutine's transaction
        # is open would silently join it, so every write runs in its own transaction, one at a time.
        self._write_lock = asyncio.Lock()
        self.scheduler: Scheduler  # set by open(), from the settings the database keeps

    @classmethod
    async def open(
        cls, path: Path | str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS, retention: float = memory.DEFAULT_RETENTION
    ) -> Store:
        """Open (creating if needed) and migrate the database, or raise StoreError with the reason.

        `retention`: the share of reviews FSRS aims to have answered right (`quiz.desired_retention`).
        """
        db = None
        try:
            # Try the file once directly: when aiosqlite fails to open one, its worker thread outlives
            # the event loop and prints a traceback at exit, burying the one line that explains.
            await asyncio.to_thread(lambda: sqlite3.connect(path).close())
            db = await aiosqlite.connect(path, isolation_level=None)
            await db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute("PRAGMA foreign_keys = ON")
            store = cls(db, path)
            await store._migrate()
            await store._start_memory(retention)
        except sqlite3.Error as error:
            if db is not None:
                await db.close()
            raise StoreError(f"database {path}: {_explain(error)}") from None
        return store

    async def close(self) -> None:
        await self._db.close()

    async def schema_version(self) -> int:
        async with self._db.execute("PRAGMA user_version") as cursor:
            (version,) = await cursor.fetchone()
        return version

    async def _migrate(self) -> None:
        version = await self.schema_version()
        if version > len(MIGRATIONS):
            raise sqlite3.DatabaseError(f"schema version {version} is newer than this bot ({len(MIGRATIONS)})")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # executescript commits first, so the version bump rides in the same script.
            await self._db.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")

    async def _start_memory(self, retention: float) -> None:
        """Load the scheduler's settings; the first time, save them and replay past results into cards."""
        async with self._transaction() as db:
            async with db.execute("SELECT settings FROM memory_scheduler") as cursor:
                row = await cursor.fetchone()
            first = row is None
            settings = memory.scheduler_to_json(memory.make_scheduler()) if first else row[0]
            self.scheduler = memory.scheduler_from_json(settings, retention)
            if first:
                await db.execute("INSERT INTO memory_scheduler VALUES (1, ?)", (settings,))
                await self._replay_results(db)

    async def _replay_results(self, db: aiosqlite.Connection) -> None:
        """Every graded answer so far, in time order, as the reviews live grading would have made."""
        cards: dict[tuple[int, int, str], Memory] = {}
        reviews: list[tuple[tuple[int, int, str], int, int, float, int]] = []
        correct: dict[int, frozenset[int]] = {}
        async with db.execute(
            "SELECT r.quiz_id, r.guild_id, r.user_id, r.selected, r.graded_at, q.question_id, q.question_json,"
            " q.option_order FROM results AS r JOIN quizzes AS q ON q.id = r.quiz_id"
            " ORDER BY r.graded_at, r.quiz_id, r.user_id"
        ) as cursor:
            async for quiz_id, guild_id, user_id, selected, at, question_id, question_json, order in cursor:
                if quiz_id not in correct:  # the question as posted, so compared with the picks as posted
                    correct[quiz_id] = _question_from_json(question_json).correct
                key = (guild_id, user_id, question_id)
                grade = memory.rating(_posted_options(selected, order), correct[quiz_id])
                cards[key] = memory.review(self.scheduler, cards.get(key), grade, at)
                reviews.append((key, cards[key].reviews, int(grade), at, quiz_id))
        ids = {key: number for number, key in enumerate(cards, start=1)}
        await db.executemany(
            f"INSERT INTO memory_cards ({_CARD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(ids[key], *key, *_memory_row(card)) for key, card in cards.items()],
        )
        await db.executemany(
            "INSERT INTO memory_reviews VALUES (?, ?, ?, ?, ?)", [(ids[key], *rest) for key, *rest in reviews]
        )
        await db.executemany(
            "INSERT INTO memory_recall VALUES (?, ?, NULL, NULL)",
            sorted({(guild, question) for guild, _, question in cards}),
        )

    def _check_file(self) -> None:
        # SQLite keeps writing to a file deleted under it; everything written would vanish at exit.
        if _identity(self._path) != self._identity:
            raise DatabaseGone(
                f"database {self._path} was deleted or replaced while the bot was running; "
                "restore it from a backup, then restart the bot"
            )

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            self._check_file()
            if self._db.in_transaction:  # left open by a write cancelled mid-way (at shutdown)
                await self._db.execute("ROLLBACK")
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                await self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:  # also when COMMIT itself failed (busy, disk full)
                    await self._db.execute("ROLLBACK")
                raise

    # -- quizzes --------------------------------------------------------------------------------

    async def create_quiz(
        self,
        *,
        guild_id: int,
        channel_id: int,
        started_by: int,
        question: Question,
        scoring: Scoring,
        started_at: float,
        deadline: float,
        order: Sequence[int] | None = None,
        answers: str = "reactions",
    ) -> Quiz:
        """Claim the channel for a new quiz (state `posting`); ChannelBusy if one is running there.

        `question` as in the file; `order`: the places to show its options in (default: the file's).
        """
        order = tuple(order) if order is not None else option_order.identity(len(question.options))
        question = option_order.as_posted(question, order)
        try:
            async with self._transaction() as db:
                cursor = await db.execute(
                    "INSERT INTO quizzes (guild_id, channel_id, question_id, question_json, scoring, started_by,"
                    " started_at, deadline, state, lettered, option_order, answers)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                    (
                        guild_id,
                        channel_id,
                        question.id,
                        _question_to_json(question),
                        scoring.value,
                        started_by,
                        started_at,
                        deadline,
                        QuizState.POSTING.value,
                        json.dumps(order),
                        answers,
                    ),
                )
        except sqlite3.IntegrityError:
            raise ChannelBusy(channel_id) from None
        return Quiz(
            cursor.lastrowid,
            guild_id,
            channel_id,
            None,
            question,
            order,
            scoring,
            started_by,
            started_at,
            deadline,
            QuizState.POSTING,
            answers=answers,
        )

    async def add_question_part(self, quiz: Quiz, message_id: int) -> Quiz:
        """Remember one posted message of the question, before anything else happens to it."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE quizzes SET question_parts = json_insert(question_parts, '$[#]', ?) WHERE id = ?",
                (message_id, quiz.id),
            )
        return replace(quiz, question_parts=(*quiz.question_parts, message_id))

    async def mark_open(self, quiz: Quiz) -> Quiz:
        """The question is up: its last message, which carries the letters, is the quiz's message."""
        message_id = quiz.question_parts[-1]
        async with self._transaction() as db:
            await db.execute(
                "UPDATE quizzes SET message_id = ?, state = ? WHERE id = ? AND state = ?",
                (message_id, QuizState.OPEN.value, quiz.id, QuizState.POSTING.value),
            )
        return replace(quiz, message_id=message_id, state=QuizState.OPEN)

    async def mark_lettered(self, quiz_id: int) -> None:
        async with self._transaction() as db:
            await db.execute("UPDATE quizzes SET lettered = 1 WHERE id = ?", (quiz_id,))

    async def cancel(self, quiz_id: int, reason: str, at: float) -> bool:
        """Cancel a quiz that has not been graded; False if it was already past that point."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE quizzes SET state = ?, cancel_reason = ?, closed_at = ? WHERE id = ? AND state IN (?, ?, ?)",
                (QuizState.CANCELLED.value, reason, at, quiz_id, *_BEFORE_GRADING),
            )
        return cursor.rowcount == 1

    async def unfinished_quizzes(self) -> list[Quiz]:
        """Quizzes a restart must pick up: still posting, open, closing, or graded but not announced."""
        async with self._db.execute(
            f"SELECT {_QUIZ_COLUMNS} FROM quizzes WHERE state IN (?, ?, ?, ?) ORDER BY deadline",
            (*_BEFORE_GRADING, QuizState.GRADED.value),
        ) as cursor:
            return [_quiz(row) async for row in cursor]

    async def quiz(self, quiz_id: int) -> Quiz | None:
        async with self._db.execute(f"SELECT {_QUIZ_COLUMNS} FROM quizzes WHERE id = ?", (quiz_id,)) as cursor:
            row = await cursor.fetchone()
        return _quiz(row) if row else None

    async def last_asked(self, guild_id: int) -> dict[str, float]:
        """When each question was last asked in a guild (cancelled quizzes do not count)."""
        async with self._db.execute(
            "SELECT question_id, MAX(started_at) FROM quizzes WHERE guild_id = ? AND state != ? GROUP BY question_id",
            (guild_id, QuizState.CANCELLED.value),
        ) as cursor:
            return {qid: at async for qid, at in cursor}

    # -- selections -----------------------------------------------------------------------------

    async def apply_selection_changes(self, changes: Iterable[SelectionChange]) -> None:
        """Persist reaction adds and removes in one transaction; for each pick the last change wins.

        Changes for a quiz that is no longer open are dropped: its answers are frozen.
        """
        final = {(c.quiz_id, c.user_id, c.option): c.added for c in changes}
        quiz_ids = sorted({quiz_id for quiz_id, _, _ in final})
        async with self._transaction() as db:
            marks = ", ".join("?" * len(quiz_ids))
            async with db.execute(
                f"SELECT id FROM quizzes WHERE state = ? AND id IN ({marks})", (QuizState.OPEN.value, *quiz_ids)
            ) as cursor:
                open_ids = {quiz_id async for (quiz_id,) in cursor}
            live = {key: added for key, added in final.items() if key[0] in open_ids}
            await db.executemany(
                "INSERT OR IGNORE INTO selections VALUES (?, ?, ?)", [key for key, added in live.items() if added]
            )
            await db.executemany(
                "DELETE FROM selections WHERE quiz_id = ? AND user_id = ? AND option = ?",
                [key for key, added in live.items() if not added],
            )

    async def replace_choice(self, quiz_id: int, user_id: int, options: frozenset[int], at: float) -> bool:
        """A member's private answer replaces their last; False (nothing stored) once the quiz has closed.

        Committed before it returns: the caller acknowledges the member only after this.
        """
        async with self._transaction() as db:
            async with db.execute(
                "SELECT 1 FROM quizzes WHERE id = ? AND state = ? AND deadline > ?", (quiz_id, QuizState.OPEN.value, at)
            ) as found:
                if await found.fetchone() is None:
                    return False
            await db.execute("DELETE FROM selections WHERE quiz_id = ? AND user_id = ?", (quiz_id, user_id))
            await db.executemany(
                "INSERT INTO selections VALUES (?, ?, ?)", [(quiz_id, user_id, option) for option in sorted(options)]
            )
        return True

    async def freeze_answers(self, quiz: Quiz, selections: Mapping[int, frozenset[int]], read_at: float) -> Quiz:
        """Store the answers to grade, as known at `read_at`, and stop taking any more (state `closing`)."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE quizzes SET state = ?, answers_read_at = ? WHERE id = ? AND state = ?",
                (QuizState.CLOSING.value, read_at, quiz.id, QuizState.OPEN.value),
            )
            if cursor.rowcount == 1:
                await db.execute("DELETE FROM selections WHERE quiz_id = ?", (quiz.id,))
                await db.executemany(
                    "INSERT INTO selections VALUES (?, ?, ?)",
                    [(quiz.id, user, option) for user, options in selections.items() for option in options],
                )
        return replace(quiz, state=QuizState.CLOSING, answers_read_at=read_at)

    async def selections(self, quiz_id: int) -> dict[int, frozenset[int]]:
        picks: dict[int, set[int]] = {}
        async with self._db.execute("SELECT user_id, option FROM selections WHERE quiz_id = ?", (quiz_id,)) as cursor:
            async for user_id, option in cursor:
                picks.setdefault(user_id, set()).add(option)
        return {user: frozenset(options) for user, options in picks.items()}

    # -- grading --------------------------------------------------------------------------------

    async def record_results(self, quiz: Quiz, results: Iterable[Result], at: float) -> bool:
        """Write results and add points, exactly once: False if the quiz was not closing."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE quizzes SET state = ?, closed_at = ? WHERE id = ? AND state = ?",
                (QuizState.GRADED.value, at, quiz.id, QuizState.CLOSING.value),
            )
            if cursor.rowcount != 1:
                return False
            topic = quiz.question.topic
            in_file = [(r, option_order.to_file(quiz.option_order, r.selected)) for r in results]
            rows = [
                (quiz.id, quiz.guild_id, r.user_id, _options_to_text(selected), r.points, int(r.exact), at, topic)
                for r, selected in in_file
            ]
            await db.executemany(
                "INSERT INTO results (quiz_id, guild_id, user_id, selected, points, exact, graded_at, topic)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            await db.executemany(
                "INSERT INTO points (guild_id, user_id, points, answered, exact) VALUES (?, ?, ?, 1, ?)"
                " ON CONFLICT (guild_id, user_id) DO UPDATE SET points = points + excluded.points,"
                " answered = answered + 1, exact = exact + excluded.exact",
                [(guild, user, points, exact) for _, guild, user, _, points, exact, _, _ in rows],
            )
            picks = Counter(option for _, selected in in_file for option in selected)
            await db.executemany("INSERT INTO option_picks VALUES (?, ?, ?)", [(quiz.id, *p) for p in picks.items()])
            correct = quiz.question.correct
            grades = {r.user_id: memory.rating(r.selected, correct) for r in results}
            await self._review_cards(db, quiz.guild_id, quiz.question.id, grades, at, quiz.id)
        await self.refresh_recall(quiz.guild_id, at)
        return True

    async def _review_cards(
        self,
        db: aiosqlite.Connection,
        guild_id: int,
        question_id: str,
        grades: Mapping[int, Rating],
        at: float,
        quiz_id: int | None,
    ) -> None:
        """One FSRS review of each member's card for the question (created at the first sight)."""
        async with db.execute(
            f"SELECT user_id, {_MEMORY_COLUMNS} FROM memory_cards WHERE guild_id = ? AND question_id = ?",
            (guild_id, question_id),
        ) as cursor:
            rows = await cursor.fetchall()  # at once: row by row costs a thread hop each
        alike: dict[tuple, Memory] = {}  # one object per distinct card, so that equal cards are reviewed once
        known = {}
        for user, *fields in rows:
            card = tuple(fields)
            known[user] = alike.get(card) or alike.setdefault(card, Memory(*card))
        cards = memory.review_all(self.scheduler, known, grades, at)
        await db.executemany(
            f"INSERT INTO memory_cards ({_CARD_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (guild_id, user_id, question_id) DO UPDATE SET state = excluded.state,"
            " step = excluded.step, stability = excluded.stability, difficulty = excluded.difficulty,"
            " due = excluded.due, last_review = excluded.last_review, reviews = excluded.reviews",
            [(guild_id, user, question_id, *_memory_row(card)) for user, card in cards.items()],
        )
        await db.executemany(
            "INSERT INTO memory_reviews SELECT id, reviews, ?, ?, ? FROM memory_cards"
            " WHERE guild_id = ? AND user_id = ? AND question_id = ?",
            [(int(grades[user]), at, quiz_id, guild_id, user, question_id) for user in cards],
        )
        await db.execute(
            "INSERT INTO memory_recall VALUES (?, ?, NULL, NULL) ON CONFLICT DO UPDATE SET as_of = NULL",
            (guild_id, question_id),
        )

    async def results(self, quiz_id: int) -> list[Result]:
        """The quiz's results, with the options at their places on its message."""
        async with self._db.execute(
            "SELECT r.user_id, r.selected, r.points, r.exact, q.option_order FROM results AS r"
            " JOIN quizzes AS q ON q.id = r.quiz_id WHERE r.quiz_id = ? ORDER BY r.user_id",
            (quiz_id,),
        ) as cursor:
            return [
                Result(user, _posted_options(selected, order), points, bool(exact))
                async for user, selected, points, exact, order in cursor
            ]

    async def set_result_posts(self, quiz: Quiz, posts: str) -> Quiz:
        """Keep the result as first rendered, so a retry or a restart posts the same thing."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE quizzes SET result_posts = COALESCE(result_posts, ?) WHERE id = ?", (posts, quiz.id)
            )
        return await self.quiz(quiz.id)

    async def add_result_part(self, quiz: Quiz, message_id: int) -> Quiz:
        async with self._transaction() as db:
            await db.execute(
                "UPDATE quizzes SET result_parts = json_insert(result_parts, '$[#]', ?) WHERE id = ?",
                (message_id, quiz.id),
            )
        return replace(quiz, result_parts=(*quiz.result_parts, message_id))

    async def mark_announced(self, quiz_id: int, problem: str | None = None) -> None:
        """The result is posted, or (with `problem`) can never be."""
        async with self._transaction() as db:
            await db.execute(
                "UPDATE quizzes SET state = ?, problem = ? WHERE id = ? AND state = ?",
                (QuizState.ANNOUNCED.value, problem, quiz_id, QuizState.GRADED.value),
            )

    async def problem(self, quiz_id: int) -> str | None:
        """Why the quiz ended abnormally: its cancel reason or the step that gave up."""
        async with self._db.execute(
            "SELECT COALESCE(problem, cancel_reason) FROM quizzes WHERE id = ?", (quiz_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    # -- leaderboard ----------------------------------------------------------------------------

    async def leaderboard(
        self, guild_id: int, limit: int, since: float | None = None, until: float | None = None
    ) -> list[Standing]:
        """The top `limit` members by points, all time or for results graded in [since, until).

        Tied members share a rank (1, 2, 2, 4). All time reads the running totals; a period sums
        that period's results through the (guild_id, graded_at) index.
        """
        if since is None and until is None:
            query = (
                "SELECT user_id, points, answered, exact FROM points WHERE guild_id = ?"
                " ORDER BY points DESC, user_id LIMIT ?"
            )
            parameters: tuple = (guild_id, limit)
        else:
            query = (
                f"SELECT user_id, SUM(points) AS total, COUNT(*), SUM(exact) FROM results WHERE guild_id = ?"
                f" AND {_PERIOD} GROUP BY user_id ORDER BY total DESC, user_id LIMIT ?"
            )
            parameters = (guild_id, *_bounds(since, until), limit)
        async with self._db.execute(query, parameters) as cursor:
            rows = await cursor.fetchall()
        standings: list[Standing] = []
        for position, (user_id, points, answered, exact) in enumerate(rows, start=1):
            tied = standings and standings[-1].points == points
            standings.append(Standing(standings[-1].rank if tied else position, user_id, points, answered, exact))
        return standings

    async def standing(
        self, guild_id: int, user_id: int, since: float | None = None, until: float | None = None
    ) -> Standing | None:
        """One member's rank and totals, all time or for a period."""
        if since is None and until is None:
            query = (
                "SELECT points, answered, exact, (SELECT COUNT(*) FROM points AS better"
                " WHERE better.guild_id = me.guild_id AND better.points > me.points)"
                " FROM points AS me WHERE guild_id = ? AND user_id = ?"
            )
            parameters: tuple = (guild_id, user_id)
        else:
            query = (
                f"WITH totals AS (SELECT user_id, SUM(points) AS points, COUNT(*) AS answered, SUM(exact) AS exact"
                f" FROM results WHERE guild_id = ? AND {_PERIOD} GROUP BY user_id)"
                " SELECT points, answered, exact,"
                " (SELECT COUNT(*) FROM totals AS better WHERE better.points > me.points)"
                " FROM totals AS me WHERE user_id = ?"
            )
            parameters = (guild_id, *_bounds(since, until), user_id)
        async with self._db.execute(query, parameters) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        points, answered, exact, better = row
        return Standing(better + 1, user_id, points, answered, exact)

    # -- seasons --------------------------------------------------------------------------------

    async def start_season(self, guild_id: int, started_by: int, at: float) -> int:
        """Start the next season; returns its number. Season 1 is everything before the first."""
        async with self._transaction() as db:
            async with db.execute("SELECT COALESCE(MAX(number), 1) FROM seasons WHERE guild_id = ?", (guild_id,)) as c:
                (current,) = await c.fetchone()
            await db.execute("INSERT INTO seasons VALUES (?, ?, ?, ?)", (guild_id, current + 1, at, started_by))
        return current + 1

    async def season_starts(self, guild_id: int) -> dict[int, float]:
        """When each season began: season 1 at 0, later ones when a moderator started them."""
        async with self._db.execute(
            "SELECT number, started_at FROM seasons WHERE guild_id = ? ORDER BY number", (guild_id,)
        ) as cursor:
            return {1: 0.0, **{number: at async for number, at in cursor}}

    # -- statistics -----------------------------------------------------------------------------

    async def member_stats(self, guild_id: int, user_id: int) -> MemberStats | None:
        standing = await self.standing(guild_id, user_id)
        if standing is None:
            return None
        async with self._db.execute(
            "SELECT exact, graded_at FROM results WHERE guild_id = ? AND user_id = ? ORDER BY graded_at, quiz_id",
            (guild_id, user_id),
        ) as cursor:
            rows = await cursor.fetchall()
        history = tuple(bool(exact) for exact, _ in rows)
        async with self._db.execute(
            "SELECT COALESCE(topic, ''), COUNT(*), SUM(exact) FROM results WHERE guild_id = ? AND user_id = ?"
            " GROUP BY topic ORDER BY COUNT(*) DESC, topic",
            (guild_id, user_id),
        ) as cursor:
            topics = tuple([(topic, answered, exact) async for topic, answered, exact in cursor])
        graded_at = tuple(at for _, at in rows)
        return MemberStats(standing.points, standing.answered, standing.exact, history, topics, graded_at)

    async def question_stats(self, guild_id: int) -> list[QuestionStats]:
        """Every question asked in a guild with its answers, hardest (lowest share right) first."""
        async with self._db.execute(
            "SELECT s.question_id, s.asked, s.answers, s.exact, latest.question_json, latest.option_order FROM"
            " (SELECT q.question_id, COUNT(DISTINCT q.id) AS asked, COUNT(r.user_id) AS answers,"
            "  COALESCE(SUM(r.exact), 0) AS exact, (SELECT latest.id FROM quizzes AS latest"
            "   WHERE latest.guild_id = q.guild_id AND latest.question_id = q.question_id"
            "   ORDER BY latest.started_at DESC LIMIT 1) AS latest_id"
            "  FROM quizzes AS q LEFT JOIN results AS r ON r.quiz_id = q.id"
            "  WHERE q.guild_id = ? AND q.state IN (?, ?) GROUP BY q.question_id) AS s"
            " JOIN quizzes AS latest ON latest.id = s.latest_id",
            (guild_id, QuizState.GRADED.value, QuizState.ANNOUNCED.value),
        ) as cursor:
            rows = await cursor.fetchall()
        async with self._db.execute(
            "SELECT q.question_id, o.option, SUM(o.picks) FROM option_picks AS o JOIN quizzes AS q ON q.id = o.quiz_id"
            " WHERE q.guild_id = ? GROUP BY q.question_id, o.option",
            (guild_id,),
        ) as cursor:
            picks: dict[str, dict[int, int]] = {}
            async for question_id, option, count in cursor:
                picks.setdefault(question_id, {})[option] = count
        stats = [
            QuestionStats(
                option_order.as_in_file(_question_from_json(latest), json.loads(order)),
                asked,
                answers,
                exact,
                picks.get(qid, {}),
            )
            for qid, asked, answers, exact, latest, order in rows
        ]
        return sorted(stats, key=lambda s: (s.share_right, -s.answers, s.question.id))

    async def due_card(self, guild_id: int, user_id: int, at: float) -> MemoryCard | None:
        """The member's most overdue card at `at`, or None when nothing is due."""
        return await self._one_card(
            "WHERE c.guild_id = ? AND c.user_id = ? AND c.due <= ? ORDER BY c.due, c.id LIMIT 1",
            (guild_id, user_id, at),
        )

    async def card(self, card_id: int) -> MemoryCard | None:
        return await self._one_card("WHERE c.id = ?", (card_id,))

    async def _one_card(self, where: str, parameters: tuple) -> MemoryCard | None:
        async with self._db.execute(
            f"SELECT c.id, c.guild_id, c.user_id, {_CARD_MEMORY_COLUMNS}, q.question_json, q.option_order"
            " FROM memory_cards AS c JOIN quizzes AS q ON q.id = (SELECT latest.id FROM quizzes AS latest"
            "  WHERE latest.guild_id = c.guild_id AND latest.question_id = c.question_id"
            f"  ORDER BY latest.started_at DESC LIMIT 1) {where}",
            parameters,
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        card_id, guild_id, user_id, *fields, question, order = row
        in_file = option_order.as_in_file(_question_from_json(question), json.loads(order))
        return MemoryCard(card_id, guild_id, user_id, in_file, Memory(*fields))

    async def review_in_drill(self, card: MemoryCard, grade: Rating, at: float) -> Memory | None:
        """Review a card answered in the drill, exactly like a group answer but without points.

        None when the card changed since it was shown (answered already, or in a quiz meanwhile):
        one showing of a card counts once.
        """
        async with self._transaction() as db:
            async with db.execute(
                "SELECT question_id FROM memory_cards WHERE id = ? AND reviews = ?", (card.id, card.memory.reviews)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            await self._review_cards(db, card.guild_id, row[0], {card.user_id: grade}, at, None)
        await self.refresh_recall(card.guild_id, at)
        return await self._memory(card.id)

    async def _memory(self, card_id: int) -> Memory:
        async with self._db.execute(f"SELECT {_MEMORY_COLUMNS} FROM memory_cards WHERE id = ?", (card_id,)) as cursor:
            return Memory(*await cursor.fetchone())

    async def memory_summary(self, guild_id: int, user_id: int, at: float) -> MemorySummary:
        async with self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(due <= ?), 0), COALESCE(SUM(state = ?), 0),"
            " MIN(CASE WHEN due > ? THEN due END) FROM memory_cards WHERE guild_id = ? AND user_id = ?",
            (at, State.Review.value, at, guild_id, user_id),
        ) as cursor:
            cards, due, learned, next_due = await cursor.fetchone()
        async with self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(r.rating >= ?), 0) FROM memory_cards AS c"
            " JOIN memory_reviews AS r ON r.card_id = c.id AND r.number > 1 WHERE c.guild_id = ? AND c.user_id = ?",
            (Rating.Good.value, guild_id, user_id),
        ) as cursor:
            recalls, recalled = await cursor.fetchone()
        return MemorySummary(cards, due, learned, next_due, recalls, recalled)

    async def mean_recall(self, guild_id: int, at: float) -> dict[str, float]:
        """Each question's mean retrievability over the members who have answered it here.

        Means whose cards changed are recomputed first; older ones are used as stored, since an hour
        of decay lowers every question's mean alike and rarely changes which is lowest (measured in
        BENCHMARKS.md). `refresh_recall` brings them up to date in small steps after answers.
        """
        async with self._db.execute(
            "SELECT question_id FROM memory_recall WHERE guild_id = ? AND as_of IS NULL", (guild_id,)
        ) as cursor:
            changed = [question_id async for (question_id,) in cursor]
        await self._recompute_recall(guild_id, at, changed)
        async with self._db.execute(
            "SELECT question_id, recall FROM memory_recall WHERE guild_id = ?", (guild_id,)
        ) as cursor:
            return {question_id: recall async for question_id, recall in cursor}

    async def refresh_recall(
        self, guild_id: int, at: float, max_age: float = RECALL_MAX_AGE, step: int = RECALL_STEP
    ) -> list[str]:
        """Recompute up to `step` of the server's means older than `max_age`, oldest first: those recomputed."""
        async with self._db.execute(
            "SELECT question_id FROM memory_recall WHERE guild_id = ? AND as_of < ?"
            " ORDER BY as_of, question_id LIMIT ?",
            (guild_id, at - max_age, step),
        ) as cursor:
            old = [question_id async for (question_id,) in cursor]
        await self._recompute_recall(guild_id, at, old)
        return old

    async def _recompute_recall(self, guild_id: int, at: float, question_ids: list[str]) -> None:
        # One question per transaction (about 4 ms at 10,000 cards), so the write lock is never held long.
        factor, decay = memory.curve(self.scheduler)
        for question_id in question_ids:
            async with self._transaction() as db:
                await db.execute(
                    "UPDATE memory_recall SET as_of = ?, recall = (SELECT AVG(pow(1 + ? * max(0,"
                    " CAST((? - last_review) / 86400 AS INTEGER)) / stability, ?)) FROM memory_cards"
                    " WHERE guild_id = ? AND question_id = ?) WHERE guild_id = ? AND question_id = ?",
                    (at, factor, at, decay, guild_id, question_id, guild_id, question_id),
                )

    # -- schedules ------------------------------------------------------------------------------

    async def add_schedule(
        self,
        *,
        guild_id: int,
        channel_id: int,
        days: str,
        at: str,
        zone: str,
        topic: str | None,
        duration: int | None,
        created_by: int,
        created_at: float,
        pick: Pick = Pick.LEAST_RECENT,
    ) -> Schedule:
        values = (guild_id, channel_id, days, at, zone, topic, duration, created_by, created_at)
        async with self._transaction() as db:
            cursor = await db.execute(
                "INSERT INTO schedules (guild_id, channel_id, days, at, zone, topic, duration, created_by,"
                " created_at, pick) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, pick.value),
            )
        return Schedule(cursor.lastrowid, *values, None, pick)

    async def schedules(self, guild_id: int | None = None) -> list[Schedule]:
        """A guild's schedules, or every schedule when no guild is given."""
        where, parameters = ("WHERE guild_id = ?", (guild_id,)) if guild_id is not None else ("", ())
        async with self._db.execute(f"SELECT * FROM schedules {where} ORDER BY id", parameters) as cursor:
            return [Schedule(*row, Pick(pick)) async for *row, pick in cursor]

    async def remove_schedule(self, guild_id: int, schedule_id: int) -> bool:
        async with self._transaction() as db:
            cursor = await db.execute("DELETE FROM schedules WHERE guild_id = ? AND id = ?", (guild_id, schedule_id))
        return cursor.rowcount == 1

    async def mark_fired(self, schedule_id: int, slot: float) -> None:
        async with self._transaction() as db:
            await db.execute("UPDATE schedules SET last_fired = ? WHERE id = ?", (slot, schedule_id))


_PERIOD = "graded_at >= ? AND graded_at < ?"
_MEMORY_COLUMNS = "state, step, stability, difficulty, due, last_review, reviews"
_CARD_MEMORY_COLUMNS = ", ".join(f"c.{column}" for column in _MEMORY_COLUMNS.split(", "))  # beside quizzes.state
_CARD_COLUMNS = f"id, guild_id, user_id, question_id, {_MEMORY_COLUMNS}"
_BEFORE_GRADING = (QuizState.POSTING.value, QuizState.OPEN.value, QuizState.CLOSING.value)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return (status.st_dev, status.st_ino)


def _bounds(since: float | None, until: float | None) -> tuple[float, float]:
    return (since if since is not None else float("-inf"), until if until is not None else float("inf"))


def _explain(error: sqlite3.Error) -> str:
    text = str(error)
    if "file is not a database" in text or "malformed" in text:
        return f"{text} (the file is corrupt or not a quizbot database; restore a backup or choose another path)"
    if "readonly" in text:
        return f"{text} (the bot needs write access to the file and its folder)"
    if "locked" in text or "busy" in text:
        return f"{text} (another process holds the database; stop it or choose another path)"
    if "unable to open" in text:
        return f"{text} (check that the folder exists and is writable)"
    return text


def _question_to_json(question: Question) -> str:
    return json.dumps(asdict(question), ensure_ascii=False)


def _question_from_json(text: str) -> Question:
    data = json.loads(text)
    data["options"] = tuple(Option(**option) for option in data["options"])
    data["tags"] = tuple(data["tags"])
    return Question(**data)


def _memory_row(card: Memory) -> tuple:
    return (card.state, card.step, card.stability, card.difficulty, card.due, card.last_review, card.reviews)


def _options_to_text(options: frozenset[int]) -> str:
    return ",".join(str(i) for i in sorted(options))


def _posted_options(text: str, order: str) -> frozenset[int]:
    """Stored options (file indexes) -> their places on the quiz's message."""
    return option_order.to_posted(json.loads(order), (int(i) for i in text.split(",") if i))


def _quiz(row: tuple) -> Quiz:
    quiz_id, guild, channel, message, question, scoring, by, started, deadline, state, *progress = row
    question_parts, lettered, read_at, result_posts, result_parts, order, answers = progress
    return Quiz(
        quiz_id,
        guild,
        channel,
        message,
        _question_from_json(question),
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
