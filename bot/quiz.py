"""The quiz lifecycle: open -> collect -> close -> grade -> announce, and recovery after a restart.

Selections are kept in memory while a quiz runs and written behind to SQLite in batches, so a
burst of reactions costs one transaction, not one per event. Events are trusted only when they
are known to be complete: the quiz's whole life, open to deadline, fell inside one gateway
connection. Otherwise (a disconnect, resumed or not, or a restart) the message's own reaction
lists are the truth, read when the quiz closes.

Every step after posting is durable (see `bot.store`) and runs through `bot.retry.until_done`:
a transient failure delays the close, a permanent one ends it with a recorded reason, and the
channel stays claimed, honestly, until the result is out.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Protocol, TypeVar

import discord

from bot import option_order, render
from bot.bank import least_recently_asked
from bot.choice_writer import ChoiceWriter
from bot.cogs.private_menu import answer_view
from bot.cogs.replies import with_files
from bot.config import QuizConfig
from bot.gateway_links import GatewayLinks
from bot.grading import Scoring, grade, pick_counts
from bot.memory import Pick, most_forgotten
from bot.outgoing import Attachment
from bot.questions import Question
from bot.retry import DEFAULT_BACKOFF, TRANSIENT, Backoff, describe, until_done
from bot.shards import ALL_SHARDS, Shards, shard_of
from bot.store import ChannelBusy, DatabaseGone, Quiz, QuizState, SelectionChange, Store, StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")

# What the bot must be allowed to do in a quiz channel, with the names Discord's settings use.
REQUIRED_PERMISSIONS = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "attach_files": "Attach Files",  # figures and typeset formulas are uploaded with the question
    "add_reactions": "Add Reactions",
    "read_message_history": "Read Message History",
}

TOO_MANY_REACTIONS = 30010  # Discord's code for a 21st distinct emoji on a message
LATE_AFTER = 10.0  # seconds past the deadline after which a result says its answers were read late
SHUTDOWN_WRITE_SECONDS = 5.0  # how long shutdown keeps trying to write pending picks
EARLY_REACTIONS = 1000  # kept per channel while its question is posted, before its id is known


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


@dataclass
class RunningQuiz:
    quiz: Quiz
    # The link of its shard's gateway connection this quiz has seen whole since it opened; None when
    # that is not known (opened while disconnected, or resumed after a restart): events may be missing.
    link: int | None
    selections: dict[int, set[int]] = field(default_factory=dict)
    timer: asyncio.Task | None = None
    closing: bool = False
    released: asyncio.Event = field(default_factory=asyncio.Event)  # the channel is free of it


@dataclass(frozen=True)
class Started:
    quiz: Quiz
    unplaced: tuple[str, ...] = ()  # letters Discord's 20-emoji limit kept off the message


def missing_permissions(permissions: discord.Permissions, *, threads: bool = False) -> list[str]:
    required = {**REQUIRED_PERMISSIONS, **({"create_public_threads": "Create Public Threads"} if threads else {})}
    return [name for attr, name in required.items() if not getattr(permissions, attr)]


class Quizmaster:
    def __init__(
        self,
        client: discord.Client,
        store: Store,
        config: QuizConfig,
        clock: Clock,
        rng: random.Random,
        backoff: Backoff = DEFAULT_BACKOFF,
        on_fatal: Callable[[BaseException], None] = lambda error: None,
        shards: Shards = ALL_SHARDS,
    ) -> None:
        self.client = client
        self.store = store
        self.config = config
        self.clock = clock
        self.rng = rng
        self.backoff = backoff
        self.on_fatal = on_fatal  # the database is gone: the bot must stop
        self.shards = shards  # recovery leaves other shards' quizzes to the processes that run them
        self.links = GatewayLinks()
        self._by_channel: dict[int, RunningQuiz] = {}
        self._by_message: dict[int, RunningQuiz] = {}
        self._starting: set[int] = set()  # channels whose quiz is being posted
        self._early: dict[int, deque[discord.RawReactionActionEvent]] = {}  # their reactions before tracking
        self._pending: list[SelectionChange] = []
        self._writer: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self.choices = ChoiceWriter(store)  # private answers, committed in groups

    # -- starting -------------------------------------------------------------------------------

    def running_in(self, channel_id: int) -> RunningQuiz | None:
        return self._by_channel.get(channel_id)

    def check_free(self, channel_id: int) -> None:
        running = self._by_channel.get(channel_id)
        if running and running.closing:
            raise QuizError("The last quiz here is still being graded; /quiz works again as soon as its result is up.")
        if running:
            deadline = int(running.quiz.deadline)
            raise QuizError(f"A quiz is already running here; it closes <t:{deadline}:R> (<t:{deadline}:T>).")
        if channel_id in self._starting:
            raise QuizError("A quiz is being posted in this channel right now.")

    async def until_closed(self, channel_id: int) -> None:
        """Wait while the channel's last quiz is still being graded (a scheduled one comes right after it)."""
        running = self._by_channel.get(channel_id)
        if running is not None and running.closing:
            await running.released.wait()

    async def choose(self, guild_id: int, candidates: Sequence[Question], pick: Pick = Pick.LEAST_RECENT) -> Question:
        """The candidate this server was asked least recently (never asked first), or the one it is forgetting."""
        last_asked = await self.store.last_asked(guild_id)
        if pick is Pick.LEAST_RECENT:
            return least_recently_asked(candidates, last_asked, self.rng)
        chosen = most_forgotten(candidates, await self.store.mean_recall(guild_id, self.clock.now()), last_asked)
        if chosen is None:
            raise QuizError("Nothing to review yet: none of these questions has been answered in this server.")
        return chosen

    async def start_in(
        self,
        channel: discord.abc.Messageable,
        started_by: int,
        question: Question,
        duration: int | None,
        answers: str | None = None,
    ) -> Started:
        """Post `question` in `channel` and open it for answers.

        `duration`: the one asked for, else the question's own, else the configured default;
        `answers` (`reactions` or `private`) likewise falls back to the configured mode.
        """
        self.check_free(channel.id)
        self._starting.add(channel.id)
        seconds = duration or question.duration or self.config.duration_seconds
        scoring = Scoring(question.scoring or self.config.scoring)
        try:
            # A task of the quizmaster's, so that shutdown stops it like every other piece of quiz work.
            posting = self._post(channel, started_by, question, seconds, scoring, answers or self.config.answers)
            return await self._spawn(posting, supervised=False)
        finally:
            self._starting.discard(channel.id)
            self._early.pop(channel.id, None)

    async def _post(
        self,
        channel: discord.abc.Messageable,
        started_by: int,
        question: Question,
        duration: int,
        scoring: Scoring,
        answers: str,
    ) -> Started:
        now = self.clock.now()
        try:
            quiz = await self.store.create_quiz(
                guild_id=channel.guild.id,
                channel_id=channel.id,
                started_by=started_by,
                question=question,
                scoring=scoring,
                started_at=now,
                deadline=float(int(now + duration)),
                order=option_order.choose(question, self.rng, shuffle=self.config.shuffle_options),
                answers=answers,
            )
        except ChannelBusy:
            raise QuizError("A quiz is already running in this channel.") from None
        private = quiz.answers == "private"
        posts = render.question_posts(quiz.question, int(quiz.deadline), private=private)
        sent: list[discord.Message] = []
        running: RunningQuiz | None = None
        try:
            for post in posts:
                menu = {"view": answer_view(quiz)} if private and len(sent) == len(posts) - 1 else {}
                sent.append(await channel.send(**await with_files(post), **menu))
                if len(sent) == len(posts):  # tracked the moment its id is known: members may react at once
                    link = self._current_link(quiz.guild_id)
                    running = self._track(RunningQuiz(replace(quiz, message_id=sent[-1].id), link))
                quiz = await self.store.add_question_part(quiz, sent[-1].id)
        except (discord.HTTPException, *TRANSIENT) as error:
            if running is not None:
                self._forget(running)
            await self._take_down(quiz, [m.id for m in sent], f"posting failed: {describe(error)}")
            if isinstance(error, discord.Forbidden):
                raise QuizError(_refused(error, "Send Messages and Embed Links", quiz.channel_id)) from None
            raise
        running.quiz = await self._durably(lambda: self.store.mark_open(quiz), f"opening quiz {quiz.id}")
        running.timer = self._spawn(self._run(running))
        try:
            unplaced = await self._add_letters(running) if not private else ()
        except discord.Forbidden as error:
            self._forget(running)
            await self._take_down(running.quiz, list(running.quiz.question_parts), f"no reactions: {error.text}")
            raise QuizError(_refused(error, "Add Reactions and Read Message History", quiz.channel_id)) from None
        log.info("quiz %s opened: %s in channel %s until %s", quiz.id, question.id, quiz.channel_id, quiz.deadline)
        return Started(running.quiz, unplaced)

    async def _add_letters(self, running: RunningQuiz) -> tuple[str, ...]:
        """Put every option's letter on the message (again after a restart: adding is idempotent)."""
        quiz = running.quiz
        message = self._channel(quiz).get_partial_message(quiz.message_id)
        unplaced = []
        for index in range(len(quiz.question.options)):
            if self._by_message.get(quiz.message_id) is not running:
                return ()  # ended early or cancelled while the letters were still being added
            emoji = render.letter(index)
            try:
                await self._durably(lambda e=emoji: message.add_reaction(e), f"adding {emoji} to quiz {quiz.id}")
            except discord.HTTPException as error:
                if error.code != TOO_MANY_REACTIONS:
                    raise
                # Members' other emoji filled the message's 20: clear them (with Manage Messages) and retry.
                if not await self._clear_stray_emoji(running, message):
                    unplaced.append(emoji)
                    continue
                await self._durably(lambda e=emoji: message.add_reaction(e), f"adding {emoji} to quiz {quiz.id}")
        if unplaced:
            log.warning("quiz %s: other emoji kept %s off the message", quiz.id, " ".join(unplaced))
        await self._durably(lambda: self.store.mark_lettered(quiz.id), f"noting quiz {quiz.id}'s letters")
        return tuple(unplaced)

    async def _clear_stray_emoji(self, running: RunningQuiz, message: discord.PartialMessage) -> bool:
        options = len(running.quiz.question.options)
        try:
            fetched = await message.fetch()
            for reaction in fetched.reactions:
                emoji = reaction.emoji
                if not isinstance(emoji, str) or render.option_index(emoji, options) is None:
                    await fetched.clear_reaction(emoji)
        except discord.Forbidden:
            return False
        return True

    async def _take_down(self, quiz: Quiz, message_ids: Sequence[int], reason: str) -> None:
        """Undo a half-posted quiz: nothing stays in the channel that looks like a live question."""
        log.warning("quiz %s taken down: %s", quiz.id, reason)
        channel = self._channel(quiz)
        for message_id in message_ids:
            message = channel.get_partial_message(message_id)
            try:
                await message.delete()
            except discord.NotFound:
                pass
            except discord.HTTPException:
                await _quietly(message.edit(content=render.cancelled_content("it could not be posted"), embeds=[]))
        try:
            await self._durably(lambda: self.store.cancel(quiz.id, reason, self.clock.now()), f"cancelling {quiz.id}")
        except StoreError as error:
            log.error("quiz %s could not be cancelled: %s", quiz.id, error)

    # -- collecting -----------------------------------------------------------------------------

    def on_reaction(self, payload: discord.RawReactionActionEvent) -> None:
        """Record a pick or an unpick. Synchronous: this runs for every reaction the bot can see."""
        running = self._by_message.get(payload.message_id)
        if running is None:
            if payload.channel_id in self._starting:  # maybe on the question whose id is still on its way
                self._early.setdefault(payload.channel_id, deque(maxlen=EARLY_REACTIONS)).append(payload)
            return
        if payload.emoji.id is not None or payload.user_id == self.client.user.id or running.quiz.answers == "private":
            return  # a private quiz's answers come from its menu only
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
        if self._writer is None or self._writer.done():
            self._writer = self._spawn(self._write_picks())

    async def _write_picks(self) -> None:
        # A batch leaves the queue only once written; changes arriving meanwhile wait for the next.
        while self._pending:
            count = len(self._pending)
            batch = self._pending[:count]
            await self._durably(lambda b=batch: self.store.apply_selection_changes(b), "saving picks")
            del self._pending[:count]

    @property
    def connected(self) -> bool:
        return self.links.connected

    def on_disconnect(self, shard_id: int) -> None:
        """A shard's connection is gone: its servers' events from now until reconnection may never arrive."""
        self.links.lost(shard_id)

    def on_connect(self, shard_id: int, *, fresh: bool) -> None:
        self.links.gained(shard_id, fresh=fresh)

    def _current_link(self, guild_id: int) -> int | None:
        return self.links.current(shard_of(guild_id, self.client.shard_count or 1))

    def _events_complete(self, running: RunningQuiz) -> bool:
        return running.link is not None and running.link == self._current_link(running.quiz.guild_id)

    # -- closing --------------------------------------------------------------------------------

    async def end_early(self, channel_id: int) -> None:
        running = self._by_channel.get(channel_id)
        if running is None:
            raise QuizError("No quiz is running in this channel.")
        if running.closing:
            raise QuizError("This quiz has ended and is being graded; its result follows as soon as it is ready.")
        if running.timer is not None:
            running.timer.cancel()
        running.timer = self._spawn(self._close(running))

    async def cancel(self, channel_id: int | None, message_id: int | None, reason: str) -> None:
        """Cancel the quiz whose message or channel was deleted: no points, nothing retried."""
        running = self._by_message.get(message_id) if message_id else self._by_channel.get(channel_id)
        if running is None or running.closing:
            return  # a closing quiz finds out by itself, from Discord's answer
        self._forget(running)
        await self._durably(
            lambda: self.store.cancel(running.quiz.id, reason, self.clock.now()), f"cancelling {running.quiz.id}"
        )
        log.info("quiz %s cancelled: %s", running.quiz.id, reason)

    async def _run(self, running: RunningQuiz) -> None:
        await self.clock.sleep_until(running.quiz.deadline)
        await self._close(running)

    async def _close(self, running: RunningQuiz) -> None:
        """From the deadline to the posted result, however long Discord or the database take."""
        running.closing = True
        self._by_message.pop(running.quiz.message_id, None)  # later events, replayed or not, change nothing
        try:
            await self._finish(running)
        except discord.HTTPException as error:  # permanent: the message, the channel or access is gone
            await self._give_up(running.quiz, _gone_reason(error))
        finally:
            self._release(running)

    async def _finish(self, running: RunningQuiz) -> None:
        quiz = running.quiz
        if quiz.state is QuizState.OPEN:
            if quiz.answers == "private":  # each choice was stored as it was made: those are the answers
                selections = await self._durably(lambda: self.store.selections(quiz.id), f"loading quiz {quiz.id}")
                read_at = self.clock.now()
            elif self._events_complete(running):
                selections = {user: frozenset(picks) for user, picks in running.selections.items() if picks}
                read_at = self.clock.now()
            else:
                selections = await self._durably(lambda: self._read_reactions(quiz), f"reading quiz {quiz.id}")
                read_at = self.clock.now()
            quiz = await self._durably(
                lambda: self.store.freeze_answers(quiz, selections, read_at), f"freezing quiz {quiz.id}'s answers"
            )
        if quiz.state is QuizState.CLOSING:
            selections = await self._durably(lambda: self.store.selections(quiz.id), f"loading quiz {quiz.id}")
            results = grade(selections, quiz.question.correct, quiz.scoring)
            await self._durably(
                lambda: self.store.record_results(quiz, results, self.clock.now()), f"grading quiz {quiz.id}"
            )
            quiz = replace(quiz, state=QuizState.GRADED)
        if quiz.state is QuizState.GRADED:
            await self._announce(quiz, running)

    async def _give_up(self, quiz: Quiz, reason: str) -> None:
        current = await self._durably(lambda: self.store.quiz(quiz.id), f"loading quiz {quiz.id}")
        if current.state is QuizState.GRADED:  # points stand; only the result cannot be posted
            await self._durably(lambda: self.store.mark_announced(quiz.id, reason), f"closing quiz {quiz.id}")
        else:
            await self._durably(lambda: self.store.cancel(quiz.id, reason, self.clock.now()), f"cancelling {quiz.id}")
        log.warning("quiz %s ended at close: %s", quiz.id, reason)

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

    async def _announce(self, quiz: Quiz, running: RunningQuiz) -> None:
        """Post the result part by part, each recorded as it goes up, so a restart posts only the rest."""
        if quiz.result_posts is None:
            posts = await self._durably(lambda: self._render_result(quiz), f"rendering quiz {quiz.id}'s result")
            quiz = await self._durably(lambda: self.store.set_result_posts(quiz, posts), f"saving quiz {quiz.id}")
        posts = _posts_from_json(quiz.result_posts)
        channel = self._channel(quiz)
        question_message = channel.get_partial_message(quiz.message_id)
        reference = question_message.to_reference(fail_if_not_exists=False)
        for number in range(len(quiz.result_parts), len(posts)):
            first = number == 0
            replying = reference if first else None
            sent = await self._durably(
                lambda p=posts[number], r=replying: _send(channel, p, r), f"posting quiz {quiz.id}'s result"
            )
            quiz = await self._durably(
                lambda q=quiz, m=sent: self.store.add_result_part(q, m.id), f"saving quiz {quiz.id}'s progress"
            )
            if first and self.config.discussion_threads:
                name = render.clip(f"Discuss: {quiz.question.title}", 100)
                await _quietly(sent.create_thread(name=name, auto_archive_duration=1440))
        self._release(running)  # the result is up: the channel is free for the next quiz
        await _quietly(question_message.edit(content=render.closed_content(int(self.clock.now()))))
        await self._durably(lambda: self.store.mark_announced(quiz.id), f"closing quiz {quiz.id}")
        log.info("quiz %s announced", quiz.id)

    async def _render_result(self, quiz: Quiz) -> str:
        results = await self.store.results(quiz.id)
        counts = pick_counts({r.user_id: r.selected for r in results}, len(quiz.question.options))
        standings = await self.store.leaderboard(quiz.guild_id, self.config.leaderboard_size)
        posts = render.result_posts(quiz.question, results, counts, standings, quiz.scoring)
        read_at = quiz.answers_read_at
        if read_at is not None and read_at - quiz.deadline > LATE_AFTER:
            posts[0] = replace(posts[0], content=render.late_note(int(read_at), int(read_at - quiz.deadline)))
        return _posts_to_json(posts)

    # -- recovery -------------------------------------------------------------------------------

    async def recover(self) -> None:
        """Pick up what a previous run left in this process's servers: finish posts, resume timers, finish closes."""
        unfinished = await self._durably(
            lambda: self.store.unfinished_quizzes(self.shards), "listing unfinished quizzes"
        )
        for quiz in unfinished:
            if quiz.state is QuizState.POSTING:
                self._spawn(self._take_down(quiz, quiz.question_parts, "the bot stopped while posting it"))
                continue
            running = self._track(RunningQuiz(quiz, link=None, closing=quiz.state is not QuizState.OPEN))
            if quiz.state is QuizState.OPEN:
                running.timer = self._spawn(self._run(running))
                if not quiz.lettered and quiz.answers == "reactions":
                    self._spawn(self._add_letters(running))
                log.info("quiz %s resumed; closes at %s", quiz.id, quiz.deadline)
            else:
                running.timer = self._spawn(self._close(running))

    async def shutdown(self) -> None:
        """Stop every task and write pending picks; unfinished quizzes resume on the next start."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if not self._pending:
            return
        try:
            await asyncio.wait_for(self._write_picks(), SHUTDOWN_WRITE_SECONDS)
        except (TimeoutError, StoreError) as error:
            # Not lost for grading: a quiz resumed after a restart is read from its reactions.
            log.warning("stopping with %d pick changes unsaved (%s)", len(self._pending), describe(error))

    # -- helpers --------------------------------------------------------------------------------

    async def _durably(self, step: Callable[[], Awaitable[T]], what: str) -> T:
        return await until_done(step, what, self.backoff)

    def _track(self, running: RunningQuiz) -> RunningQuiz:
        self._by_channel[running.quiz.channel_id] = running
        self._by_message[running.quiz.message_id] = running
        for payload in self._early.pop(running.quiz.channel_id, ()):
            self.on_reaction(payload)  # ignored unless it was on this quiz's message
        return running

    def _forget(self, running: RunningQuiz) -> None:
        if running.timer is not None and running.timer is not asyncio.current_task():
            running.timer.cancel()
        self._by_message.pop(running.quiz.message_id, None)
        self._release(running)

    def _release(self, running: RunningQuiz) -> None:
        if self._by_channel.get(running.quiz.channel_id) is running:
            del self._by_channel[running.quiz.channel_id]
        running.released.set()

    def _channel(self, quiz: Quiz) -> discord.PartialMessageable:
        return self.client.get_partial_messageable(quiz.channel_id, guild_id=quiz.guild_id)

    def _spawn(self, coroutine: Awaitable[T], *, supervised: bool = True) -> asyncio.Task[T]:
        """`supervised`: nobody awaits it, so its failure is logged here; else the awaiting caller handles it."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._finished if supervised else self._tasks.discard)
        return task

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        if isinstance(error, DatabaseGone):  # the one database failure that retrying cannot mend
            log.critical("%s", error)
            self.on_fatal(error)
        else:  # one quiz failing must never stop the others
            log.error("quiz task failed", exc_info=error)


def _refused(error: discord.HTTPException, needed: str, channel_id: int) -> str:
    return (
        f"Discord refused ({error.text}), so the quiz is cancelled. I need {needed} "
        f"in <#{channel_id}>: grant them to my role in the channel's settings → Permissions."
    )


def _gone_reason(error: discord.HTTPException) -> str:
    if isinstance(error, discord.NotFound):
        return "the question message or its channel is gone"
    if isinstance(error, discord.Forbidden):
        return f"the bot lost access to the channel ({error.text})"
    return f"Discord refused the result ({error.status}: {error.text})"


async def _send(channel: discord.PartialMessageable, post: render.Post, reference: object) -> discord.Message:
    return await channel.send(reference=reference, **await with_files(post))


def _posts_to_json(posts: Sequence[render.Post]) -> str:
    # Files are stored as how to make them (a path, rows to typeset), never as bytes.
    return json.dumps([asdict(p) for p in posts], ensure_ascii=False)


def _posts_from_json(text: str) -> list[render.Post]:
    return [
        render.Post(
            p["content"],
            tuple(p["embeds"]),
            tuple(Attachment(f["name"], f["path"], tuple(map(tuple, f["rows"]))) for f in p.get("files", ())),
        )
        for p in json.loads(text)
    ]


async def _quietly(action: Awaitable[object]) -> None:
    """Best-effort extras (cosmetic edits, the discussion thread): a failure is logged, never raised."""
    try:
        await action
    except discord.HTTPException as error:
        log.info("cosmetic edit failed: %s", error)
