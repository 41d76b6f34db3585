"""The quiz lifecycle: open -> collect -> close -> grade -> announce, and recovery after a restart.

Selections are kept in memory while a quiz runs and written behind to SQLite in batches, so a
burst of reactions costs one transaction, not one per event. The message's own reaction lists
are the truth whenever events may have been missed (the bot restarted, or its gateway session
was replaced rather than resumed): such a quiz is reconciled from them when it closes.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Protocol

import discord

from bot import render
from bot.bank import least_recently_asked
from bot.config import QuizConfig
from bot.grading import Result, Scoring, grade, pick_counts
from bot.questions import Question
from bot.store import ChannelBusy, Quiz, QuizState, SelectionChange, Store

log = logging.getLogger(__name__)

# What the bot must be allowed to do in a quiz channel, with the names Discord's settings use.
REQUIRED_PERMISSIONS = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "add_reactions": "Add Reactions",
    "read_message_history": "Read Message History",
}


class QuizError(Exception):
    """Something the person who asked should be told, worded for them."""


class Clock(Protocol):
    def now(self) -> float: ...

    async def sleep_until(self, moment: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    async def sleep_until(self, moment: float) -> None:
        await asyncio.sleep(max(0.0, moment - time.time()))


@dataclass(frozen=True)
class Where:
    guild_id: int
    channel_id: int
    started_by: int


Send = Callable[..., Awaitable[discord.Message]]  # posts one message: an interaction's or a channel's


@dataclass
class RunningQuiz:
    quiz: Quiz
    # Epoch of the gateway session whose events this quiz has seen from its start; None after a
    # restart. If it differs from the current session, events may be missing.
    epoch: int | None
    selections: dict[int, set[int]] = field(default_factory=dict)
    timer: asyncio.Task | None = None


def missing_permissions(permissions: discord.Permissions, *, threads: bool = False) -> list[str]:
    required = {**REQUIRED_PERMISSIONS, **({"create_public_threads": "Create Public Threads"} if threads else {})}
    return [name for attr, name in required.items() if not getattr(permissions, attr)]


class Quizmaster:
    def __init__(
        self, client: discord.Client, store: Store, config: QuizConfig, clock: Clock, rng: random.Random
    ) -> None:
        self.client = client
        self.store = store
        self.config = config
        self.clock = clock
        self.rng = rng
        self.epoch = 0
        self._by_channel: dict[int, RunningQuiz] = {}
        self._by_message: dict[int, RunningQuiz] = {}
        self._starting: set[int] = set()  # channels whose quiz is being posted
        self._pending: list[SelectionChange] = []
        self._flusher: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()

    # -- starting -------------------------------------------------------------------------------

    def running_in(self, channel_id: int) -> RunningQuiz | None:
        return self._by_channel.get(channel_id)

    def check_free(self, channel_id: int) -> None:
        running = self._by_channel.get(channel_id)
        if running:
            deadline = int(running.quiz.deadline)
            raise QuizError(f"A quiz is already running here; it closes <t:{deadline}:R> (<t:{deadline}:T>).")
        if channel_id in self._starting:
            raise QuizError("A quiz is being posted in this channel right now.")

    async def choose(self, guild_id: int, candidates: Sequence[Question]) -> Question:
        """The candidate this server was asked least recently (never asked first)."""
        return least_recently_asked(candidates, await self.store.last_asked(guild_id), self.rng)

    async def start(self, interaction: discord.Interaction, question: Question, duration: int | None) -> Quiz:
        """Post `question` as the answer to a deferred `/quiz` and open it for reactions."""
        where = Where(interaction.guild_id, interaction.channel_id, interaction.user.id)
        follow_up = partial(interaction.followup.send, wait=True)
        return await self._start(where, question, duration, interaction.edit_original_response, follow_up)

    async def start_in(
        self, channel: discord.TextChannel, started_by: int, question: Question, duration: int | None
    ) -> Quiz:
        """Post `question` straight into `channel` (a scheduled quiz: no interaction to answer)."""
        where = Where(channel.guild.id, channel.id, started_by)
        return await self._start(where, question, duration, channel.send, channel.send)

    async def _start(self, where: Where, question: Question, duration: int | None, first: Send, more: Send) -> Quiz:
        """`duration`: the one asked for, else the question's own, else the configured default."""
        self.check_free(where.channel_id)
        self._starting.add(where.channel_id)
        seconds = duration or question.duration or self.config.duration_seconds
        scoring = Scoring(question.scoring or self.config.scoring)
        try:
            return await self._post(where, question, seconds, scoring, first, more)
        finally:
            self._starting.discard(where.channel_id)

    async def _post(
        self, where: Where, question: Question, duration: int, scoring: Scoring, first: Send, more: Send
    ) -> Quiz:
        now = self.clock.now()
        try:
            quiz = await self.store.create_quiz(
                guild_id=where.guild_id,
                channel_id=where.channel_id,
                started_by=where.started_by,
                question=question,
                scoring=scoring,
                started_at=now,
                deadline=float(int(now + duration)),
            )
        except ChannelBusy:
            raise QuizError("A quiz is already running in this channel.") from None
        posts = render.question_posts(question, int(quiz.deadline))
        sent: list[discord.Message] = []
        running: RunningQuiz | None = None
        needed = "Send Messages and Embed Links"
        try:
            sent.append(await first(**_message_kwargs(posts[0])))
            for post in posts[1:]:
                sent.append(await more(**_message_kwargs(post)))
            message = sent[-1]
            quiz = replace(quiz, message_id=message.id, state=QuizState.OPEN)
            await self.store.mark_open(quiz.id, message.id)
            # Open from here on: picks count, /endquiz works, the timer runs, while letters are added.
            running = self._track(RunningQuiz(quiz, self.epoch))
            self._starting.discard(quiz.channel_id)
            running.timer = self._spawn(self._close_at_deadline(running))
            needed = "Add Reactions and Read Message History"
            for index in range(len(question.options)):
                if self._by_message.get(message.id) is not running:
                    break  # ended early while the letters were still being added
                await message.add_reaction(render.letter(index))
        except discord.HTTPException as error:
            await self._abandon(quiz, running, sent, error)
            if isinstance(error, discord.Forbidden):
                raise QuizError(
                    f"Discord refused ({error.text}), so the quiz is cancelled. I need {needed} "
                    f"in <#{quiz.channel_id}>: grant them to my role in the channel's settings → Permissions."
                ) from None
            raise
        log.info("quiz %s opened: %s in channel %s until %s", quiz.id, question.id, quiz.channel_id, quiz.deadline)
        return quiz

    async def _abandon(
        self,
        quiz: Quiz,
        running: RunningQuiz | None,
        sent: list[discord.Message],
        error: discord.HTTPException,
    ) -> None:
        """Undo a half-posted quiz: nothing stays in the channel that looks like a live question."""
        log.warning("quiz %s could not be posted: %s", quiz.id, error)
        if running is not None and running.timer is not None:
            running.timer.cancel()
        self._untrack(quiz)
        await self.store.cancel(quiz.id, f"posting failed: {error.text or error.status}", self.clock.now())
        for message in sent:
            try:
                await message.delete()
            except discord.HTTPException:
                await _quietly(message.edit(content=render.cancelled_content("it could not be posted"), embeds=[]))

    # -- collecting -----------------------------------------------------------------------------

    def on_reaction(self, payload: discord.RawReactionActionEvent) -> None:
        """Record a pick or an unpick. Synchronous: this runs for every reaction the bot can see."""
        running = self._by_message.get(payload.message_id)
        if running is None or payload.emoji.id is not None or payload.user_id == self.client.user.id:
            return
        added = payload.event_type == "REACTION_ADD"
        if added and (payload.member is None or payload.member.bot):
            return
        option = render.option_index(payload.emoji.name, len(running.quiz.question.options))
        if option is None:
            return
        picks = running.selections.setdefault(payload.user_id, set())
        if added:
            picks.add(option)
        else:
            picks.discard(option)
        self._write_behind(SelectionChange(running.quiz.id, payload.user_id, option, added))

    def on_reactions_cleared(self, message_id: int, emoji: str | None) -> None:
        """A moderator removed all reactions (or all of one emoji): those picks are gone."""
        running = self._by_message.get(message_id)
        if running is None:
            return
        option = None if emoji is None else render.option_index(emoji, len(running.quiz.question.options))
        for user_id, picks in running.selections.items():
            for picked in list(picks):
                if emoji is None or picked == option:
                    picks.discard(picked)
                    self._write_behind(SelectionChange(running.quiz.id, user_id, picked, False))

    def _write_behind(self, change: SelectionChange) -> None:
        self._pending.append(change)
        if self._flusher is None or self._flusher.done():
            self._flusher = self._spawn(self._flush())

    async def _flush(self) -> None:
        # Changes that arrive while a batch is being written wait for the next batch.
        while self._pending:
            batch, self._pending = self._pending, []
            await self.store.apply_selection_changes(batch)

    def on_new_session(self) -> None:
        """The gateway identified afresh: events since the last session may be lost."""
        self.epoch += 1

    # -- closing --------------------------------------------------------------------------------

    async def end_early(self, channel_id: int) -> None:
        running = self._by_channel.get(channel_id)
        if running is None:
            raise QuizError("No quiz is running in this channel.")
        if running.timer is not None:
            running.timer.cancel()
        await self.close(running)

    async def cancel(self, channel_id: int | None, message_id: int | None, reason: str) -> None:
        """Cancel the quiz whose message or channel was deleted: no points, nothing retried."""
        running = self._by_message.get(message_id) if message_id else self._by_channel.get(channel_id)
        if running is None:
            return
        if running.timer is not None:
            running.timer.cancel()
        self._untrack(running.quiz)
        await self.store.cancel(running.quiz.id, reason, self.clock.now())
        log.info("quiz %s cancelled: %s", running.quiz.id, reason)

    async def _close_at_deadline(self, running: RunningQuiz) -> None:
        await self.clock.sleep_until(running.quiz.deadline)
        await self.close(running)

    async def close(self, running: RunningQuiz) -> None:
        """Grade from the reactions on the message at this moment, then announce."""
        quiz = running.quiz
        self._untrack(quiz)
        try:
            selections = await self._final_selections(running)
        except (discord.NotFound, discord.Forbidden) as error:
            # Without the message there is nothing to grade from: cancel, no points, no retry.
            reason = _gone_reason(error)
            await self.store.cancel(quiz.id, reason, self.clock.now())
            log.warning("quiz %s cancelled at close: %s", quiz.id, reason)
            return
        results = grade(selections, quiz.question.correct, quiz.scoring)
        if await self.store.record_results(quiz, results, self.clock.now()):
            await self._announce(quiz, results)

    async def _final_selections(self, running: RunningQuiz) -> dict[int, frozenset[int]]:
        if running.epoch == self.epoch:
            await self._drain()
            return {user: frozenset(picks) for user, picks in running.selections.items()}
        selections = await self._read_reactions(running.quiz)
        await self._drain()
        await self.store.replace_selections(running.quiz.id, selections)
        return selections

    async def _drain(self) -> None:
        if self._flusher is not None:
            await self._flusher

    async def _read_reactions(self, quiz: Quiz) -> dict[int, frozenset[int]]:
        """Every member's picks, read from the message's reaction lists (100 users a page)."""
        message = await self._channel(quiz).fetch_message(quiz.message_id)
        picks: dict[int, set[int]] = {}
        for reaction in message.reactions:
            if not isinstance(reaction.emoji, str):
                continue
            option = render.option_index(reaction.emoji, len(quiz.question.options))
            if option is None:
                continue
            async for user in reaction.users(limit=None):
                if not user.bot:
                    picks.setdefault(user.id, set()).add(option)
        return {user: frozenset(options) for user, options in picks.items()}

    async def _announce(self, quiz: Quiz, results: list[Result]) -> None:
        """Post the result. Points already stand; if Discord fails otherwise, the quiz stays graded
        and the next start announces it."""
        try:
            await self.announce(quiz, results)
        except (discord.NotFound, discord.Forbidden) as error:
            log.warning("quiz %s graded, but its result cannot be posted: %s", quiz.id, _gone_reason(error))
            await self.store.mark_announced(quiz.id)  # nothing to retry: the channel is gone or closed to us

    async def announce(self, quiz: Quiz, results: list[Result]) -> None:
        counts = pick_counts({r.user_id: r.selected for r in results}, len(quiz.question.options))
        standings = await self.store.leaderboard(quiz.guild_id, self.config.leaderboard_size)
        posts = render.result_posts(quiz.question, results, counts, standings, quiz.scoring)
        channel = self._channel(quiz)
        question_message = channel.get_partial_message(quiz.message_id)
        reference = question_message.to_reference(fail_if_not_exists=False)
        sent = [
            await channel.send(reference=reference if n == 0 else None, **_message_kwargs(post))
            for n, post in enumerate(posts)
        ]
        if self.config.discussion_threads:
            name = render.clip(f"Discuss: {quiz.question.title}", 100)
            await _quietly(sent[0].create_thread(name=name, auto_archive_duration=1440))
        await _quietly(question_message.edit(content=render.closed_content(int(self.clock.now()))))
        await self.store.mark_announced(quiz.id)
        log.info("quiz %s announced: %d answered", quiz.id, len(results))

    # -- recovery -------------------------------------------------------------------------------

    async def recover(self) -> None:
        """Pick up what a previous run left: resume timers, grade what is overdue, announce what is graded."""
        for quiz in await self.store.unfinished_quizzes():
            if quiz.state is QuizState.POSTING:
                await self.store.cancel(quiz.id, "the bot stopped while posting it", self.clock.now())
            elif quiz.state is QuizState.GRADED:
                self._spawn(self._announce(quiz, await self.store.results(quiz.id)))
            else:
                running = self._track(RunningQuiz(quiz, epoch=None))
                running.timer = self._spawn(self._close_at_deadline(running))
                log.info("quiz %s resumed; closes at %s", quiz.id, quiz.deadline)

    async def shutdown(self) -> None:
        """Stop timers and write every pending pick; open quizzes resume on the next start."""
        for task in list(self._tasks):
            if task is not self._flusher:
                task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._flush()

    # -- helpers --------------------------------------------------------------------------------

    def _track(self, running: RunningQuiz) -> RunningQuiz:
        self._by_channel[running.quiz.channel_id] = running
        self._by_message[running.quiz.message_id] = running
        return running

    def _untrack(self, quiz: Quiz) -> None:
        self._by_message.pop(quiz.message_id, None)
        if (running := self._by_channel.get(quiz.channel_id)) and running.quiz.id == quiz.id:
            del self._by_channel[quiz.channel_id]

    def _channel(self, quiz: Quiz) -> discord.PartialMessageable:
        return self.client.get_partial_messageable(quiz.channel_id, guild_id=quiz.guild_id)

    def _spawn(self, coroutine) -> asyncio.Task:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # One quiz failing must never stop the others: log it, keep going.
            log.error("quiz task failed", exc_info=task.exception())


def _gone_reason(error: discord.HTTPException) -> str:
    if isinstance(error, discord.NotFound):
        return "the question message or its channel is gone"
    return f"the bot lost access to the channel ({error.text})"


def _message_kwargs(post: render.Post) -> dict:
    return {"content": post.content or None, "embeds": [discord.Embed.from_dict(e) for e in post.embeds]}


async def _quietly(action: Awaitable[object]) -> None:
    """Best-effort extras (cosmetic edits, the discussion thread): a failure is logged, never raised."""
    try:
        await action
    except discord.HTTPException as error:
        log.info("cosmetic edit failed: %s", error)
