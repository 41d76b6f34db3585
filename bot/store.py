"""Every SQL statement of the bot, over one SQLite file (aiosqlite, WAL).

The rest of the program sees model objects, never rows. The schema evolves by numbered
migrations keyed on `PRAGMA user_version`, so an older database file moves forward in place.

A quiz moves through explicit states so that a crash at any point is recoverable and points are
counted exactly once:

    posting -> open -> graded -> announced
        \\-------\\-> cancelled

`posting`: the channel is claimed and the message is being sent. `graded`: results and points
are written, in the same transaction as the state change, but the result may not be posted yet.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

import aiosqlite

from bot.grading import Result, Scoring
from bot.questions import Option, Question


class StoreError(Exception):
    """The database cannot be used; the message says why in one line."""


class ChannelBusy(Exception):
    """The channel already has a running quiz."""


class QuizState(StrEnum):
    POSTING = "posting"
    OPEN = "open"
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
    scoring: Scoring
    started_by: int
    started_at: float
    deadline: float
    state: QuizState


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
)

_QUIZ_COLUMNS = "id, guild_id, channel_id, message_id, question_json, scoring, started_by, started_at, deadline, state"


class Store:
    BUSY_TIMEOUT_MS = 5000  # how long a statement waits for another writer before giving up

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db
        # One connection serves every coroutine: a write issued while another coroutine's transaction
        # is open would silently join it, so every write runs in its own transaction, one at a time.
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        """Open (creating if needed) and migrate the database, or raise StoreError with the reason."""
        db = None
        try:
            # Try the file once directly: when aiosqlite fails to open one, its worker thread outlives
            # the event loop and prints a traceback at exit, burying the one line that explains.
            await asyncio.to_thread(lambda: sqlite3.connect(path).close())
            db = await aiosqlite.connect(path, isolation_level=None)
            await db.execute(f"PRAGMA busy_timeout = {int(cls.BUSY_TIMEOUT_MS)}")
            await db.execute("PRAGMA journal_mode = WAL")
            await db.execute("PRAGMA foreign_keys = ON")
            store = cls(db)
            await store._migrate()
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

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            await self._db.execute("COMMIT")

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
    ) -> Quiz:
        """Claim the channel for a new quiz (state `posting`); ChannelBusy if one is running there."""
        try:
            async with self._transaction() as db:
                cursor = await db.execute(
                    "INSERT INTO quizzes (guild_id, channel_id, question_id, question_json, scoring, started_by,"
                    " started_at, deadline, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            scoring,
            started_by,
            started_at,
            deadline,
            QuizState.POSTING,
        )

    async def mark_open(self, quiz_id: int, message_id: int) -> None:
        async with self._transaction() as db:
            await db.execute(
                "UPDATE quizzes SET message_id = ?, state = ? WHERE id = ?",
                (message_id, QuizState.OPEN.value, quiz_id),
            )

    async def cancel(self, quiz_id: int, reason: str, at: float) -> bool:
        """Cancel a quiz that has not been graded; False if it was already past that point."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE quizzes SET state = ?, cancel_reason = ?, closed_at = ? WHERE id = ? AND state IN (?, ?)",
                (QuizState.CANCELLED.value, reason, at, quiz_id, QuizState.POSTING.value, QuizState.OPEN.value),
            )
        return cursor.rowcount == 1

    async def unfinished_quizzes(self) -> list[Quiz]:
        """Quizzes a restart must pick up: still posting, open, or graded but not announced."""
        async with self._db.execute(
            f"SELECT {_QUIZ_COLUMNS} FROM quizzes WHERE state IN (?, ?, ?) ORDER BY deadline",
            (QuizState.POSTING.value, QuizState.OPEN.value, QuizState.GRADED.value),
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
        """Persist reaction adds and removes, in order, in one transaction."""
        async with self._transaction() as db:
            for change in changes:
                key = (change.quiz_id, change.user_id, change.option)
                if change.added:
                    await db.execute("INSERT OR IGNORE INTO selections VALUES (?, ?, ?)", key)
                else:
                    await db.execute("DELETE FROM selections WHERE quiz_id = ? AND user_id = ? AND option = ?", key)

    async def replace_selections(self, quiz_id: int, selections: Mapping[int, frozenset[int]]) -> None:
        """Store the picks read back from the message itself, replacing what events had said."""
        async with self._transaction() as db:
            await db.execute("DELETE FROM selections WHERE quiz_id = ?", (quiz_id,))
            await db.executemany(
                "INSERT INTO selections VALUES (?, ?, ?)",
                [(quiz_id, user, option) for user, options in selections.items() for option in options],
            )

    async def selections(self, quiz_id: int) -> dict[int, frozenset[int]]:
        picks: dict[int, set[int]] = {}
        async with self._db.execute("SELECT user_id, option FROM selections WHERE quiz_id = ?", (quiz_id,)) as cursor:
            async for user_id, option in cursor:
                picks.setdefault(user_id, set()).add(option)
        return {user: frozenset(options) for user, options in picks.items()}

    # -- grading --------------------------------------------------------------------------------

    async def record_results(self, quiz: Quiz, results: Iterable[Result], at: float) -> bool:
        """Write results and add points, exactly once: False if the quiz was no longer open."""
        async with self._transaction() as db:
            cursor = await db.execute(
                "UPDATE quizzes SET state = ?, closed_at = ? WHERE id = ? AND state = ?",
                (QuizState.GRADED.value, at, quiz.id, QuizState.OPEN.value),
            )
            if cursor.rowcount != 1:
                return False
            rows = [
                (quiz.id, quiz.guild_id, r.user_id, _options_to_text(r.selected), r.points, int(r.exact), at)
                for r in results
            ]
            await db.executemany("INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            await db.executemany(
                "INSERT INTO points (guild_id, user_id, points, answered, exact) VALUES (?, ?, ?, 1, ?)"
                " ON CONFLICT (guild_id, user_id) DO UPDATE SET points = points + excluded.points,"
                " answered = answered + 1, exact = exact + excluded.exact",
                [(guild, user, points, exact) for _, guild, user, _, points, exact, _ in rows],
            )
        return True

    async def results(self, quiz_id: int) -> list[Result]:
        async with self._db.execute(
            "SELECT user_id, selected, points, exact FROM results WHERE quiz_id = ? ORDER BY user_id",
            (quiz_id,),
        ) as cursor:
            return [
                Result(user, _options_from_text(selected), points, bool(exact))
                async for user, selected, points, exact in cursor
            ]

    async def mark_announced(self, quiz_id: int) -> None:
        async with self._transaction() as db:
            await db.execute(
                "UPDATE quizzes SET state = ? WHERE id = ? AND state = ?",
                (QuizState.ANNOUNCED.value, quiz_id, QuizState.GRADED.value),
            )

    # -- leaderboard ----------------------------------------------------------------------------

    async def leaderboard(self, guild_id: int, limit: int) -> list[Standing]:
        """The top `limit` members by points; tied members share a rank (1, 2, 2, 4)."""
        async with self._db.execute(
            "SELECT user_id, points, answered, exact FROM points WHERE guild_id = ?"
            " ORDER BY points DESC, user_id LIMIT ?",
            (guild_id, limit),
        ) as cursor:
            rows = await cursor.fetchall()
        standings: list[Standing] = []
        for position, (user_id, points, answered, exact) in enumerate(rows, start=1):
            tied = standings and standings[-1].points == points
            standings.append(Standing(standings[-1].rank if tied else position, user_id, points, answered, exact))
        return standings

    async def standing(self, guild_id: int, user_id: int) -> Standing | None:
        async with self._db.execute(
            "SELECT points, answered, exact, (SELECT COUNT(*) FROM points AS better"
            " WHERE better.guild_id = me.guild_id AND better.points > me.points)"
            " FROM points AS me WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        points, answered, exact, better = row
        return Standing(better + 1, user_id, points, answered, exact)


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


def _options_to_text(options: frozenset[int]) -> str:
    return ",".join(str(i) for i in sorted(options))


def _options_from_text(text: str) -> frozenset[int]:
    return frozenset(int(i) for i in text.split(",") if i)


def _quiz(row: tuple) -> Quiz:
    quiz_id, guild, channel, message, question, scoring, by, started, deadline, state = row
    return Quiz(
        quiz_id,
        guild,
        channel,
        message,
        _question_from_json(question),
        Scoring(scoring),
        by,
        started,
        deadline,
        QuizState(state),
    )
