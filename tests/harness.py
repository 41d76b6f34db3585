"""Running the real bot against the loopback Discord: a study group, a clock, start and stop.

Used by the end-to-end tests and by the benchmarks.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import random
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from pathlib import Path

import discord
from fakediscord import FakeDiscord, Guild, TextChannel, User
from fakediscord.clients import wait_ready
from fakediscord.interactions import InteractionRecord
from fakediscord.models import Message

from bot.bank import QuestionBank, load_bank
from bot.client import QuizBot, use_endpoints
from bot.config import Config, parse_config
from bot.render import letter
from bot.retry import Backoff
from bot.store import Store

SHIPPED_QUESTIONS = Path(__file__).resolve().parent.parent / "questions"
SEED_ID = "neural-networks/arya-confusion"
TEST_BACKOFF = Backoff(first=0.02, cap=0.2)  # retries come quickly once a test lifts its fault


class FakeClock:
    """Time that moves only when a test says so; timers wake as soon as their moment has come."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self._now = now
        self._moved = asyncio.Event()

    def now(self) -> float:
        return self._now

    async def sleep_until(self, moment: float) -> None:
        while self._now < moment:
            moved = self._moved
            await moved.wait()

    def advance(self, seconds: float) -> None:
        self._now += seconds
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()


class TestBot(QuizBot):
    __test__ = False  # not a pytest test class

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py waits 5 s before a re-IDENTIFY to respect Discord's identify rate limit;
        # the loopback Discord has none.
        return None


class StudyGroup:
    """One server with a quiz channel, a moderator and four members; ``shard``: the shard it is on."""

    def __init__(self, server: FakeDiscord, *, shard: int | None = None) -> None:
        self.server = server
        self.guild: Guild = server.add_guild("ML Study Group", shard=shard)
        self.channel: TextChannel = server.add_text_channel(self.guild, "quiz")
        self.moderator_role = server.add_role(self.guild, "Moderators", discord.Permissions(manage_messages=True))
        self.moderator: User = server.add_member(self.guild, "mona", roles=[self.moderator_role])
        self.members: list[User] = [server.add_member(self.guild, name) for name in ("ana", "ben", "cleo", "dev")]

    async def react(self, user: User, message: Message, *letters: int) -> None:
        for index in letters:
            await self.server.react(user, message, letter(index))

    async def unreact(self, user: User, message: Message, *letters: int) -> None:
        for index in letters:
            await self.server.unreact(user, message, letter(index))

    def add_members(self, count: int) -> list[User]:
        """``count`` more members (``member0``, ``member1``, …): the crowd of a large quiz."""
        return [self.server.add_member(self.guild, f"member{n}") for n in range(count)]

    async def react_many(self, message: Message, picks: Mapping[User, Iterable[int]]) -> int:
        """Each member reacts with the letters of its picks; the events go out back to back."""
        return await self.server.react_many(
            (user, message, letter(index)) for user, letters in picks.items() for index in letters
        )

    async def settle(self) -> None:
        """Return once the bot has handled every gateway event sent so far.

        The client handles events in order, so the answer to an interaction sent now (an
        autocomplete, which posts nothing) comes after all earlier events were handled.
        """
        await self.server.autocomplete(self.moderator, self.channel, "quiz", focused="topic", topic="")


class BotRunner:
    """Starts bots on one database (a SQLite file or a PostgreSQL URL), one after another, as restarts would."""

    def __init__(
        self,
        server: FakeDiscord,
        database: Path | str,
        clock: FakeClock,
        questions: Path = SHIPPED_QUESTIONS,
        rng: random.Random | None = None,
        discord_config: Mapping[str, object] | None = None,
        **quiz_config: object,
    ) -> None:
        """``discord_config``: more `discord:` settings (shard_count, shard_ids); ``quiz_config``: `quiz:` ones."""
        self.server = server
        self.database = database
        self.clock = clock
        self.questions = questions
        self.rng = rng
        self.discord_config = dict(discord_config or {})
        self.quiz_config = quiz_config
        self.busy_timeout_ms = 100  # a locked database fails fast, so the retries show
        self.bank: QuestionBank = load_bank([questions])
        self._running: list[tuple[QuizBot, asyncio.Task, Store]] = []

    def config(self) -> Config:
        return parse_config(
            {
                "discord": {
                    "api_base_url": self.server.api_base,
                    "gateway_url": self.server.gateway_url,
                    **self.discord_config,
                },
                "database": {"url": self.database} if isinstance(self.database, str) else {"path": str(self.database)},
                "questions": {"path": str(self.questions)},
                # Most tests name options by their letters in the file; the shuffling tests turn this on.
                "quiz": {"duration_seconds": 60, "shuffle_options": False, **self.quiz_config},
            }
        )

    async def start(self) -> QuizBot:
        config = self.config()
        use_endpoints(config.discord)
        store = await Store.open(
            config.database, busy_timeout_ms=self.busy_timeout_ms, retention=config.quiz.desired_retention
        )
        bot = TestBot(
            config=config,
            store=store,
            bank=self.bank,
            clock=self.clock,
            rng=self.rng,
            backoff=TEST_BACKOFF,
            guild_ready_timeout=0.05,
        )
        task = asyncio.create_task(bot.start("test-token"))
        self._running.append((bot, task, store))
        await wait_ready(bot, task)
        return bot

    async def stop(self, bot: QuizBot) -> None:
        """Stop one bot as SIGTERM would, and surface any error its client raised."""
        for entry in list(self._running):
            if entry[0] is bot:
                self._running.remove(entry)
                await _stop(*entry)

    async def stop_all(self) -> None:
        while self._running:
            await _stop(*self._running.pop())


async def _stop(bot: QuizBot, task: asyncio.Task, store: Store) -> None:
    await bot.close()
    await task
    await store.close()


async def eventually(condition: Callable[[], Awaitable[bool]], description: str, timeout: float = 5.0) -> None:
    """Poll an async ``condition`` (a database read, say) until it holds."""
    try:
        async with asyncio.timeout(timeout):
            while not await condition():
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout}s waiting for {description}") from None


def bot_messages(server: FakeDiscord, channel: TextChannel) -> list[Message]:
    return [m for m in server.messages(channel) if m.author.id == server.bot_user.id]


def embed_text(messages: Iterable[Message]) -> str:
    return "\n".join(
        part
        for message in messages
        for embed in message.embeds
        for part in (embed.get("title", ""), embed.get("description", ""))
    )


async def start_quiz(
    server: FakeDiscord, group: StudyGroup, channel: TextChannel | None = None, options: int = 4, **values: object
) -> tuple[InteractionRecord, Message]:
    """A moderator runs /quiz; returns the interaction and the question once all its letters are on."""
    channel = channel or group.channel
    earlier = {m.id for m in server.messages(channel)}
    ix = await server.invoke(group.moderator, channel, "quiz", **values)
    await ix.wait_response()

    def question() -> Message | None:
        # A long question takes several messages; members react to the last one.
        posted = [m for m in bot_messages(server, channel) if m.id not in earlier]
        return posted[-1] if posted and len(posted[-1].reactions) == options else None

    posted = await server.wait_for(question, description="the question with all its letters")
    await server.wait_for(lambda: ix.followups, description="the note to the moderator")
    return ix, posted


async def assert_picks(group: StudyGroup, bot: QuizBot, expected: dict[int, set[int]]) -> None:
    """Once the bot has handled every reaction sent, it holds exactly these picks."""
    await group.settle()
    running = bot.quizmaster.running_in(group.channel.id)
    assert {user: picks for user, picks in running.selections.items() if picks} == expected


def result_messages(
    server: FakeDiscord, group: StudyGroup, question_id: int, channel: TextChannel | None = None
) -> list[Message]:
    """The bot's reply to the question and whatever it posted after it (a long result's parts)."""
    messages = bot_messages(server, channel or group.channel)
    replies = [m for m in messages if m.reference and int(m.reference["message_id"]) == question_id]
    if not replies:
        return []
    return [m for m in messages if m.id >= replies[0].id]


async def answer_and_reveal(
    server: FakeDiscord, group: StudyGroup, clock: FakeClock, question: Message, user: User, letters: Iterable[int]
) -> list[Message]:
    """`user` picks `letters`, the 60 s run out, and the whole result posts: its messages."""
    await group.react(user, question, *letters)
    await group.settle()
    clock.advance(60)
    await server.wait_for(lambda: question.content.startswith("🔒"), description="the whole result posted")
    return result_messages(server, group, question.id)


def squeezed(text: str) -> str:
    """Text without whitespace or code-fence lines, to check that split text kept every character.

    Splitting inside a code block closes and reopens the fence, adding fence lines, never content.
    """
    kept = [line for line in text.splitlines() if not line.strip().startswith(("```", "~~~"))]
    return "".join("".join(kept).split())


async def per_size(close_once: Callable[..., Awaitable[dict]], sizes: list[int], runs: int, seed: int) -> dict:
    """Run `close_once(server, group, clock, crowd, rng)` `runs` times for each crowd size, on one bot.

    For the closing benchmarks; returns {size: [what close_once returned, per run]}.
    """
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeDiscord() as server:
            group = StudyGroup(server)
            crowd = group.add_members(max(sizes))
            clock = FakeClock()
            runner = BotRunner(server, Path(tmp) / "quiz.sqlite3", clock)
            await runner.start()
            try:
                return {n: [await close_once(server, group, clock, crowd[:n], rng) for _ in range(runs)] for n in sizes}
            finally:
                await runner.stop_all()


def run_cli(tmp_path: Path, monkeypatch, capsys, config: str, *, token: str = "t") -> tuple[int, list[str]]:
    """`quizbot run` in this process with `config`; returns the exit code and the lines it printed on stderr."""
    from bot.__main__ import main

    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    (tmp_path / "questions").mkdir(exist_ok=True)
    monkeypatch.setenv("DISCORD_TOKEN", token)
    thresholds = gc.get_threshold()
    try:
        code = main(["run", "--config", str(tmp_path / "config.yaml")])
    finally:
        gc.set_threshold(*thresholds)  # `run` sets the collector for its process, and this one is pytest's
    captured = capsys.readouterr()
    return code, captured.err.strip().splitlines()


@contextlib.asynccontextmanager
async def database_locked(path: Path) -> AsyncIterator[None]:
    """Another process's writer holds the database: the bot's writes wait out their busy timeout and fail.

    The lock is taken off the event loop, so a write the bot has under way can finish first.
    """
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    await asyncio.to_thread(holder.execute, "BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@contextlib.asynccontextmanager
async def disk_full(store: Store) -> AsyncIterator[None]:
    """The database cannot grow: SQLite answers "database or disk is full", as it does when the disk is."""
    db = store.engine.connection  # the store's own connection: the page limit is a per-connection setting
    async with db.execute("PRAGMA page_count") as cursor:
        (pages,) = await cursor.fetchone()
    await db.execute(f"PRAGMA max_page_count = {pages}")
    try:
        yield
    finally:
        await db.execute("PRAGMA max_page_count = 4294967294")
