"""Recurring quizzes: wake at each schedule's next slot and post a quiz in its channel.

The slot arithmetic is pure (`bot.schedule`); this module owns the waiting and the posting. Each
fired slot is written down, so a restart neither repeats it nor loses one: a slot missed while the
bot was down fires once on start if it is less than one quiz duration late, else it is skipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import astuple

import discord

from bot.bank import QuestionBank
from bot.config import QuizConfig
from bot.questions import Question
from bot.quiz import Clock, QuizError, Quizmaster, missing_permissions
from bot.retry import TRANSIENT, Backoff, describe, until_done
from bot.schedule import Recurrence, due, parse_days, parse_time
from bot.shards import ALL_SHARDS, Shards
from bot.store import Schedule, Store

log = logging.getLogger(__name__)


def recurrence_of(schedule: Schedule) -> Recurrence:
    return Recurrence(parse_days(schedule.days), parse_time(schedule.at), schedule.zone)


class Scheduler:
    def __init__(
        self,
        client: discord.Client,
        store: Store,
        quizmaster: Quizmaster,
        bank: Callable[[], QuestionBank],
        config: QuizConfig,
        clock: Clock,
        backoff: Backoff,
        shards: Shards = ALL_SHARDS,
    ) -> None:
        self.client = client
        self.store = store
        self.quizmaster = quizmaster
        self.bank = bank
        self.config = config
        self.clock = clock
        self.backoff = backoff
        self.shards = shards  # each process fires only its own servers' schedules
        self._changed = asyncio.Event()
        self.ticks = 0  # completed passes, so an observer can tell the scheduler has acted

    def changed(self) -> None:
        """Schedules were added or removed: recompute the next wake-up."""
        self._changed.set()

    def grace(self, schedule: Schedule) -> int:
        return schedule.duration or self.config.duration_seconds

    async def run(self) -> None:
        """Fire what is due, sleep until the next slot or a change, forever."""
        while True:
            self._changed.clear()
            # A pass that fails (a busy database) is retried; a slot is marked fired before it posts.
            wake_at = await until_done(self.tick, "schedule pass", self.backoff)
            sleeper = asyncio.ensure_future(self.clock.sleep_until(wake_at)) if wake_at is not None else None
            changed = asyncio.ensure_future(self._changed.wait())
            waiting = {changed} | ({sleeper} if sleeper else set())
            try:
                await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            finally:
                # Not awaited: awaiting them under suppress(CancelledError) could swallow this task's
                # own cancellation, and shutdown would wait for it forever.
                for task in waiting:
                    task.cancel()

    async def tick(self) -> float | None:
        """Fire every due slot of this process's servers once; return when the next slot is (None without schedules)."""
        now = self.clock.now()
        next_slots = []
        owned = [s for s in await self.store.schedules() if self.shards.owns(s.guild_id)]
        for schedule in owned:
            recurrence = recurrence_of(schedule)
            grace = self.grace(schedule)
            slot, skipped = astuple(due(recurrence, schedule.last_fired, schedule.created_at, now, grace))
            if skipped:
                log.info(
                    "schedule %s: skipped %d slot(s) missed by more than %d s, the last at %s",
                    schedule.id,
                    len(skipped),
                    grace,
                    skipped[-1],
                )
            # Claimed before it posts: a crash must not fire it twice, nor another process sharing the database.
            if slot is not None:
                if await self.store.claim_slot(schedule, slot):
                    await self._fire(schedule)
            elif skipped:
                await self.store.claim_slot(schedule, skipped[-1])
            next_slots.append(recurrence.next_after(now))
        self.ticks += 1
        if self.ticks == 1:  # after a restart, says when what was due then has been fired (or found fired)
            log.info("schedules: first pass done, %d in this process's servers", len(owned))
        return min(next_slots, default=None)

    async def _choose(self, schedule: Schedule, guild_id: int, candidates: list[Question]) -> Question:
        try:
            return await self.quizmaster.choose(guild_id, candidates, schedule.pick)
        except QuizError as error:  # review, but nothing answered yet: the group still gets its question
            log.info("schedule %s: %s Asking the least recently asked instead.", schedule.id, error)
            return await self.quizmaster.choose(guild_id, candidates)

    async def _fire(self, schedule: Schedule) -> None:
        channel = self.client.get_channel(schedule.channel_id)
        if not isinstance(channel, discord.TextChannel):
            log.warning("schedule %s: channel %s is gone; nothing posted", schedule.id, schedule.channel_id)
            return
        missing = missing_permissions(channel.permissions_for(channel.guild.me), threads=self.config.discussion_threads)
        if missing:
            log.warning("schedule %s: missing %s in #%s; nothing posted", schedule.id, ", ".join(missing), channel)
            return
        candidates = self.bank().in_topic(schedule.topic)
        if not candidates:
            log.warning("schedule %s: no questions in topic %s; nothing posted", schedule.id, schedule.topic)
            return
        try:
            await asyncio.wait_for(self.quizmaster.until_closed(channel.id), self.grace(schedule))
            question = await self._choose(schedule, channel.guild.id, candidates)
            await self.quizmaster.start_in(channel, schedule.created_by, question, schedule.duration, schedule.answers)
        except (QuizError, TimeoutError, *TRANSIENT, discord.HTTPException) as error:
            log.warning("schedule %s: the quiz was not posted: %s", schedule.id, describe(error))
