"""Memory cards in the store: one per member and question, reviewed by every graded answer and drill.

A part of `Store` (its base class), apart because it is a concern of its own: the FSRS scheduler's
settings the database keeps, the one-time replay of past results into cards, each review, and the
per-question mean retrievability that `pick:review` reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import ModuleType

from fsrs import Rating, Scheduler, State

from bot import memory
from bot.memory import Memory
from bot.store.engine import Connection, Engine
from bot.store.models import MemoryCard, MemorySummary
from bot.store.rows import memory_row, posted_options, question_from_json, question_in_file

# Retrievability moves by whole days (FSRS counts elapsed days), so an hour-old mean is close enough.
RECALL_MAX_AGE = 3600.0
RECALL_STEP = 1  # old means recomputed after each answer: a few ms, off the path of `pick:review`


class MemoryCards:
    engine: Engine
    _sql: ModuleType  # the engine's statements
    scheduler: Scheduler

    async def _start_memory(self, retention: float) -> None:
        """Load the scheduler's settings; the first time, save them and replay past results into cards."""
        async with self.engine.transaction() as db:
            await db.fetchrow(self._sql.LOCK_MEMORY_START)  # two processes starting at once replay once
            row = await db.fetchrow(self._sql.SCHEDULER_SETTINGS)
            first = row is None
            settings = memory.scheduler_to_json(memory.make_scheduler()) if first else row[0]
            self.scheduler = memory.scheduler_from_json(settings, retention)
            if first:
                await db.execute(self._sql.SAVE_SCHEDULER_SETTINGS, settings)
                await self._replay_results(db)

    async def _replay_results(self, db: Connection) -> None:
        """Every graded answer so far, in time order, as the reviews live grading would have made."""
        cards: dict[tuple[int, int, str], Memory] = {}
        reviews: list[tuple[tuple[int, int, str], int, int, float, int]] = []
        correct: dict[int, frozenset[int]] = {}
        for quiz_id, guild_id, user_id, selected, at, question_id, question_json, order in await db.fetch(
            self._sql.RESULTS_TO_REPLAY
        ):
            if quiz_id not in correct:  # the question as posted, so compared with the picks as posted
                correct[quiz_id] = question_from_json(question_json).correct
            key = (guild_id, user_id, question_id)
            grade = memory.rating(posted_options(selected, order), correct[quiz_id])
            cards[key] = memory.review(self.scheduler, cards.get(key), grade, at)
            reviews.append((key, cards[key].reviews, int(grade), at, quiz_id))
        ids = {key: number for number, key in enumerate(cards, start=1)}
        await db.executemany(
            self._sql.INSERT_REPLAYED_CARD, [(ids[key], *key, *memory_row(card)) for key, card in cards.items()]
        )
        await db.executemany(self._sql.INSERT_REPLAYED_REVIEW, [(ids[key], *rest) for key, *rest in reviews])
        await db.executemany(self._sql.INSERT_STALE_RECALL, sorted({(guild, question) for guild, _, question in cards}))
        for statement in self._sql.AFTER_EXPLICIT_IDS:
            await db.fetch(statement)

    async def _review_cards(
        self,
        db: Connection,
        guild_id: int,
        question_id: str,
        grades: Mapping[int, Rating],
        at: float,
        quiz_id: int | None,
    ) -> None:
        """One FSRS review of each member's card for the question (created at the first sight)."""
        rows = await db.fetch(self._sql.CARDS_OF_QUESTION, guild_id, question_id)
        alike: dict[tuple, Memory] = {}  # one object per distinct card, so that equal cards are reviewed once
        known = {}
        for user, *fields in rows:
            card = tuple(fields)
            known[user] = alike.get(card) or alike.setdefault(card, Memory(*card))
        cards = memory.review_all(self.scheduler, known, grades, at)
        await db.executemany(
            self._sql.UPSERT_CARD, [(guild_id, user, question_id, *memory_row(card)) for user, card in cards.items()]
        )
        await db.executemany(
            self._sql.INSERT_REVIEW,
            [(int(grades[user]), at, quiz_id, guild_id, user, question_id) for user in cards],
        )
        await db.execute(self._sql.MARK_RECALL_STALE, guild_id, question_id)

    async def due_card(self, guild_id: int, user_id: int, at: float) -> MemoryCard | None:
        """The member's most overdue card at `at`, or None when nothing is due."""
        return _card(await self.engine.fetchrow(self._sql.DUE_CARD, guild_id, user_id, at))

    async def card(self, card_id: int) -> MemoryCard | None:
        return _card(await self.engine.fetchrow(self._sql.CARD, card_id))

    async def review_in_drill(self, card: MemoryCard, grade: Rating, at: float) -> Memory | None:
        """Review a card answered in the drill, exactly like a group answer but without points.

        None when the card changed since it was shown (answered already, or in a quiz meanwhile):
        one showing of a card counts once.
        """
        async with self.engine.transaction() as db:
            row = await db.fetchrow(self._sql.CARD_UNCHANGED, card.id, card.memory.reviews)
            if row is None:
                return None
            await self._review_cards(db, card.guild_id, row[0], {card.user_id: grade}, at, None)
        await self.refresh_recall(card.guild_id, at)
        return Memory(*await self.engine.fetchrow(self._sql.CARD_MEMORY, card.id))

    async def memory_summary(self, guild_id: int, user_id: int, at: float) -> MemorySummary:
        cards, due, learned, next_due = await self.engine.fetchrow(
            self._sql.CARD_COUNTS, at, State.Review.value, at, guild_id, user_id
        )
        recalls, recalled = await self.engine.fetchrow(self._sql.RECALL_COUNTS, Rating.Good.value, guild_id, user_id)
        return MemorySummary(cards, due, learned, next_due, recalls, recalled)

    async def mean_recall(self, guild_id: int, at: float) -> dict[str, float]:
        """Each question's mean retrievability over the members who have answered it here.

        Means whose cards changed are recomputed first; older ones are used as stored, since an hour
        of decay lowers every question's mean alike and rarely changes which is lowest (measured in
        BENCHMARKS.md). `refresh_recall` brings them up to date in small steps after answers.
        """
        changed = [question_id for (question_id,) in await self.engine.fetch(self._sql.CHANGED_RECALLS, guild_id)]
        await self._recompute_recall(guild_id, at, changed)
        return {question_id: recall for question_id, recall in await self.engine.fetch(self._sql.RECALLS, guild_id)}

    async def refresh_recall(
        self, guild_id: int, at: float, max_age: float = RECALL_MAX_AGE, step: int = RECALL_STEP
    ) -> list[str]:
        """Recompute up to `step` of the server's means older than `max_age`, oldest first: those recomputed."""
        rows = await self.engine.fetch(self._sql.OLD_RECALLS, guild_id, at - max_age, step)
        old = [question_id for (question_id,) in rows]
        await self._recompute_recall(guild_id, at, old)
        return old

    async def _recompute_recall(self, guild_id: int, at: float, question_ids: list[str]) -> None:
        # One question per transaction (about 4 ms at 10,000 cards), so no write waits on it long.
        factor, decay = memory.curve(self.scheduler)
        for question_id in question_ids:
            async with self.engine.transaction() as db:
                await db.execute(
                    self._sql.RECOMPUTE_RECALL, at, factor, at, decay, guild_id, question_id, guild_id, question_id
                )


def _card(row: Sequence | None) -> MemoryCard | None:
    if row is None:
        return None
    card_id, guild_id, user_id, *fields, question, order = row
    return MemoryCard(card_id, guild_id, user_id, question_in_file(question, order), Memory(*fields))
