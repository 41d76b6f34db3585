"""The store: every promise the bot keeps about its data, written once over either engine.

The rest of the program sees model objects, never rows. Each engine (`bot.store.sqlite_engine`,
`bot.store.postgres_engine`) runs its own SQL module's statements, which this module calls by name
(`self._sql.MARK_GRADED`); the schema evolves by numbered migrations, one list per engine.

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

Each promise is kept by the database itself, so it holds across processes sharing one: a partial
unique index allows one running quiz per channel; every state change is an `UPDATE ... WHERE state
= <the state before>` whose row count says whether this caller made it; a schedule's slot is
claimed by a compare-and-set on `last_fired`.

A quiz keeps its question as posted, with the options in the order shown, and that order (see
`bot.option_order`). Picks while it runs and its grading use the posted places; results and
option picks are written by the file's option index, so whatever is counted across quizzes
refers to the same option however each quiz showed it. Only this package maps between the two.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from fsrs import Scheduler

from bot import memory, option_order
from bot.grading import Result, Scoring
from bot.memory import Pick
from bot.questions import Question
from bot.shards import ALL_SHARDS, TIMESTAMP_SHIFT, Shards
from bot.store.engine import Engine, open_engine, redacted
from bot.store.memory_cards import MemoryCards
from bot.store.models import (
    ChannelBusy,
    Choice,
    Duplicate,
    MemberStats,
    QuestionStats,
    Quiz,
    QuizState,
    Schedule,
    SelectionChange,
    Standing,
    StoreError,
)
from bot.store.rows import (
    options_to_text,
    posted_options,
    question_in_file,
    question_to_json,
    quiz_from_row,
)

_BEFORE_GRADING = (QuizState.POSTING.value, QuizState.OPEN.value, QuizState.CLOSING.value)


class Store(MemoryCards):
    BUSY_TIMEOUT_MS = 5000  # how long a statement waits for another writer (or a row lock) before giving up

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sql = engine.sql
        self.scheduler: Scheduler  # set by open(), from the settings the database keeps (see MemoryCards)

    @classmethod
    async def open(
        cls,
        target: Path | str,
        *,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        retention: float = memory.DEFAULT_RETENTION,
    ) -> Store:
        """Open (creating if needed) and migrate the database, or raise StoreError with the reason.

        `target`: a SQLite file (a path, or `sqlite:///path`) or a `postgresql://` URL.
        `retention`: the share of reviews FSRS aims to have answered right (`quiz.desired_retention`).
        """
        engine = None
        try:
            engine = await open_engine(target, busy_timeout_ms=busy_timeout_ms)
            await engine.migrate()
            store = cls(engine)
            await store._start_memory(retention)
        except StoreError as error:
            where = engine.where if engine is not None else redacted(str(target))
            problem = engine.explain(str(error)) if engine is not None else str(error)
            if engine is not None:
                await engine.close()
            raise StoreError(f"database {where}: {problem}") from None
        return store

    async def close(self) -> None:
        await self.engine.close()

    async def schema_version(self) -> int:
        return await self.engine.schema_version()

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
        values = (
            guild_id,
            channel_id,
            question.id,
            question_to_json(question),
            scoring.value,
            started_by,
            started_at,
            deadline,
            QuizState.POSTING.value,
            json.dumps(order),
            answers,
        )
        try:
            async with self.engine.transaction() as db:
                (quiz_id,) = await db.fetchrow(self._sql.CREATE_QUIZ, *values)
        except Duplicate:  # the index that allows one running quiz per channel
            raise ChannelBusy(channel_id) from None
        return Quiz(
            quiz_id,
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
        async with self.engine.transaction() as db:
            await db.execute(self._sql.ADD_QUESTION_PART, message_id, quiz.id)
        return replace(quiz, question_parts=(*quiz.question_parts, message_id))

    async def mark_open(self, quiz: Quiz) -> Quiz:
        """The question is up: its last message, which carries the letters, is the quiz's message."""
        message_id = quiz.question_parts[-1]
        async with self.engine.transaction() as db:
            await db.execute(self._sql.MARK_OPEN, message_id, QuizState.OPEN.value, quiz.id, QuizState.POSTING.value)
        return replace(quiz, message_id=message_id, state=QuizState.OPEN)

    async def mark_lettered(self, quiz_id: int) -> None:
        async with self.engine.transaction() as db:
            await db.execute(self._sql.MARK_LETTERED, quiz_id)

    async def cancel(self, quiz_id: int, reason: str, at: float) -> bool:
        """Cancel a quiz that has not been graded; False if it was already past that point."""
        async with self.engine.transaction() as db:
            changed = await db.execute(
                self._sql.CANCEL, QuizState.CANCELLED.value, reason, at, quiz_id, *_BEFORE_GRADING
            )
        return changed == 1

    async def unfinished_quizzes(self, shards: Shards = ALL_SHARDS) -> list[Quiz]:
        """Quizzes a restart must pick up: still posting, open, closing, or graded but not announced.

        Only those of `shards`' servers, chosen in the query: a process reads none of the others' rows.
        """
        count = shards.count if shards.limited else None
        own = json.dumps(list(shards.ids or ()))
        rows = await self.engine.fetch(
            self._sql.UNFINISHED_QUIZZES, *_BEFORE_GRADING, QuizState.GRADED.value, count, TIMESTAMP_SHIFT, own
        )
        return [quiz_from_row(row) for row in rows]

    async def quiz(self, quiz_id: int) -> Quiz | None:
        row = await self.engine.fetchrow(self._sql.QUIZ, quiz_id)
        return quiz_from_row(row) if row else None

    async def last_asked(self, guild_id: int) -> dict[str, float]:
        """When each question was last asked in a guild (cancelled quizzes do not count)."""
        rows = await self.engine.fetch(self._sql.LAST_ASKED, guild_id, QuizState.CANCELLED.value)
        return {qid: at for qid, at in rows}

    # -- selections -----------------------------------------------------------------------------

    async def apply_selection_changes(self, changes: Iterable[SelectionChange]) -> None:
        """Persist reaction adds and removes in one transaction; for each pick the last change wins.

        Changes for a quiz that is no longer open are dropped: its answers are frozen.
        """
        final = {(c.quiz_id, c.user_id, c.option): c.added for c in changes}
        quiz_ids = sorted({quiz_id for quiz_id, _, _ in final})
        async with self.engine.transaction() as db:
            rows = await db.fetch(self._sql.OPEN_AMONG, QuizState.OPEN.value, json.dumps(quiz_ids))
            open_ids = {quiz_id for (quiz_id,) in rows}
            live = {key: added for key, added in final.items() if key[0] in open_ids}
            await db.executemany(self._sql.ADD_SELECTION, [key for key, added in live.items() if added])
            await db.executemany(self._sql.REMOVE_SELECTION, [key for key, added in live.items() if not added])

    async def replace_choices(self, choices: Sequence[Choice]) -> list[bool]:
        """Private answers, each replacing its member's last, all in one transaction (one commit a burst).

        For each choice, in order: False (nothing stored) when its quiz had closed by its time.
        Committed before it returns: the caller acknowledges the members only after this.
        """
        quiz_ids = sorted({choice.quiz_id for choice in choices})
        async with self.engine.transaction() as db:
            rows = await db.fetch(self._sql.OPEN_DEADLINES, QuizState.OPEN.value, json.dumps(quiz_ids))
            deadlines = {quiz_id: deadline for quiz_id, deadline in rows}
            taken = [choice.at < deadlines.get(choice.quiz_id, float("-inf")) for choice in choices]
            # A member who chose twice in one batch: the later choice wins, as it would a batch later.
            last = {(c.quiz_id, c.user_id): c.options for c, ok in zip(choices, taken, strict=True) if ok}
            await db.executemany(self._sql.CLEAR_MEMBER_SELECTIONS, list(last))
            await db.executemany(
                self._sql.INSERT_SELECTION,
                [(quiz, user, option) for (quiz, user), options in last.items() for option in sorted(options)],
            )
        return taken

    async def freeze_answers(self, quiz: Quiz, selections: Mapping[int, frozenset[int]], read_at: float) -> Quiz:
        """Store the answers to grade, as known at `read_at`, and stop taking any more (state `closing`)."""
        async with self.engine.transaction() as db:
            changed = await db.execute(
                self._sql.FREEZE_ANSWERS, QuizState.CLOSING.value, read_at, quiz.id, QuizState.OPEN.value
            )
            if changed == 1:
                await db.execute(self._sql.CLEAR_SELECTIONS, quiz.id)
                await db.executemany(
                    self._sql.INSERT_SELECTION,
                    [(quiz.id, user, option) for user, options in selections.items() for option in options],
                )
        return replace(quiz, state=QuizState.CLOSING, answers_read_at=read_at)

    async def selections(self, quiz_id: int) -> dict[int, frozenset[int]]:
        picks: dict[int, set[int]] = {}
        for user_id, option in await self.engine.fetch(self._sql.SELECTIONS, quiz_id):
            picks.setdefault(user_id, set()).add(option)
        return {user: frozenset(options) for user, options in picks.items()}

    # -- grading --------------------------------------------------------------------------------

    async def record_results(self, quiz: Quiz, results: Iterable[Result], at: float) -> bool:
        """Write results and add points, exactly once: False if the quiz was not closing.

        The state change comes first in the transaction: a second grader of the same quiz (another
        process) waits on the row and then finds it graded, so it writes nothing.
        """
        async with self.engine.transaction() as db:
            changed = await db.execute(
                self._sql.MARK_GRADED, QuizState.GRADED.value, at, quiz.id, QuizState.CLOSING.value
            )
            if changed != 1:
                return False
            topic = quiz.question.topic
            in_file = [(r, option_order.to_file(quiz.option_order, r.selected)) for r in results]
            rows = [
                (quiz.id, quiz.guild_id, r.user_id, options_to_text(selected), r.points, int(r.exact), at, topic)
                for r, selected in in_file
            ]
            await db.executemany(self._sql.INSERT_RESULT, rows)
            await db.executemany(
                self._sql.ADD_POINTS, [(guild, user, points, exact) for _, guild, user, _, points, exact, _, _ in rows]
            )
            picks = Counter(option for _, selected in in_file for option in selected)
            await db.executemany(self._sql.INSERT_OPTION_PICKS, [(quiz.id, *p) for p in picks.items()])
            correct = quiz.question.correct
            grades = {r.user_id: memory.rating(r.selected, correct) for r in results}
            await self._review_cards(db, quiz.guild_id, quiz.question.id, grades, at, quiz.id)
        await self.refresh_recall(quiz.guild_id, at)
        return True

    async def results(self, quiz_id: int) -> list[Result]:
        """The quiz's results, with the options at their places on its message."""
        return [
            Result(user, posted_options(selected, order), points, bool(exact))
            for user, selected, points, exact, order in await self.engine.fetch(self._sql.RESULTS, quiz_id)
        ]

    async def set_result_posts(self, quiz: Quiz, posts: str) -> Quiz:
        """Keep the result as first rendered, so a retry or a restart posts the same thing."""
        async with self.engine.transaction() as db:
            await db.execute(self._sql.SET_RESULT_POSTS, posts, quiz.id)
        return await self.quiz(quiz.id)

    async def add_result_part(self, quiz: Quiz, message_id: int) -> Quiz:
        async with self.engine.transaction() as db:
            await db.execute(self._sql.ADD_RESULT_PART, message_id, quiz.id)
        return replace(quiz, result_parts=(*quiz.result_parts, message_id))

    async def mark_announced(self, quiz_id: int, problem: str | None = None) -> None:
        """The result is posted, or (with `problem`) can never be."""
        async with self.engine.transaction() as db:
            await db.execute(
                self._sql.MARK_ANNOUNCED, QuizState.ANNOUNCED.value, problem, quiz_id, QuizState.GRADED.value
            )

    async def problem(self, quiz_id: int) -> str | None:
        """Why the quiz ended abnormally: its cancel reason or the step that gave up."""
        row = await self.engine.fetchrow(self._sql.PROBLEM, quiz_id)
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
            rows = await self.engine.fetch(self._sql.LEADERBOARD, guild_id, limit)
        else:
            rows = await self.engine.fetch(self._sql.LEADERBOARD_FOR_PERIOD, guild_id, *_bounds(since, until), limit)
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
            row = await self.engine.fetchrow(self._sql.STANDING, guild_id, user_id)
        else:
            row = await self.engine.fetchrow(self._sql.STANDING_FOR_PERIOD, guild_id, *_bounds(since, until), user_id)
        if row is None:
            return None
        points, answered, exact, better = row
        return Standing(better + 1, user_id, points, answered, exact)

    # -- seasons --------------------------------------------------------------------------------

    async def start_season(self, guild_id: int, started_by: int, at: float) -> int:
        """Start the next season; returns its number. Season 1 is everything before the first."""
        async with self.engine.transaction() as db:
            (current,) = await db.fetchrow(self._sql.CURRENT_SEASON, guild_id)
            await db.execute(self._sql.INSERT_SEASON, guild_id, current + 1, at, started_by)
        return current + 1

    async def season_starts(self, guild_id: int) -> dict[int, float]:
        """When each season began: season 1 at 0, later ones when a moderator started them."""
        rows = await self.engine.fetch(self._sql.SEASON_STARTS, guild_id)
        return {1: 0.0, **{number: at for number, at in rows}}

    # -- statistics -----------------------------------------------------------------------------

    async def member_stats(self, guild_id: int, user_id: int) -> MemberStats | None:
        standing = await self.standing(guild_id, user_id)
        if standing is None:
            return None
        rows = await self.engine.fetch(self._sql.MEMBER_HISTORY, guild_id, user_id)
        history = tuple(bool(exact) for exact, _ in rows)
        topics = tuple(
            (topic, answered, exact)
            for topic, answered, exact in await self.engine.fetch(self._sql.MEMBER_TOPICS, guild_id, user_id)
        )
        graded_at = tuple(at for _, at in rows)
        return MemberStats(standing.points, standing.answered, standing.exact, history, topics, graded_at)

    async def question_stats(self, guild_id: int) -> list[QuestionStats]:
        """Every question asked in a guild with its answers, hardest (lowest share right) first."""
        rows = await self.engine.fetch(
            self._sql.QUESTION_TOTALS, guild_id, QuizState.GRADED.value, QuizState.ANNOUNCED.value
        )
        picks: dict[str, dict[int, int]] = {}
        for question_id, option, count in await self.engine.fetch(self._sql.QUESTION_PICKS, guild_id):
            picks.setdefault(question_id, {})[option] = count
        stats = [
            QuestionStats(question_in_file(latest, order), asked, answers, exact, picks.get(qid, {}))
            for qid, asked, answers, exact, latest, order in rows
        ]
        return sorted(stats, key=lambda s: (s.share_right, -s.answers, s.question.id))

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
        answers: str | None = None,
    ) -> Schedule:
        values = (guild_id, channel_id, days, at, zone, topic, duration, created_by, created_at)
        async with self.engine.transaction() as db:
            (schedule_id,) = await db.fetchrow(self._sql.ADD_SCHEDULE, *values, pick.value, answers)
        return Schedule(schedule_id, *values, None, pick, answers)

    async def schedules(self, guild_id: int | None = None) -> list[Schedule]:
        """A guild's schedules, or every schedule when no guild is given."""
        if guild_id is None:
            rows = await self.engine.fetch(self._sql.SCHEDULES)
        else:
            rows = await self.engine.fetch(self._sql.GUILD_SCHEDULES, guild_id)
        return [Schedule(*row, Pick(pick), answers) for *row, pick, answers in rows]

    async def remove_schedule(self, guild_id: int, schedule_id: int) -> bool:
        async with self.engine.transaction() as db:
            return await db.execute(self._sql.REMOVE_SCHEDULE, guild_id, schedule_id) == 1

    async def claim_slot(self, schedule: Schedule, slot: float) -> bool:
        """Move the schedule's `last_fired` to `slot` if it is still as `schedule` read it (and not `slot`).

        True for the one caller that moved it, whichever process: only that one fires the slot.
        """
        async with self.engine.transaction() as db:
            return await db.execute(self._sql.CLAIM_SLOT, slot, schedule.id, schedule.last_fired, slot) == 1


def _bounds(since: float | None, until: float | None) -> tuple[float, float]:
    return (since if since is not None else float("-inf"), until if until is not None else float("inf"))
