"""A sharded bot against the loopback Discord (two shards): every server's quiz is run by the
process that runs its shard, and only there; commands are synced by the process with shard 0."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from fakediscord import FakeDiscord
from fakediscord.models import Message
from harness import (
    SEED_ID,
    SHIPPED_QUESTIONS,
    BotRunner,
    FakeClock,
    StudyGroup,
    bot_messages,
    embed_text,
    eventually,
    result_messages,
    start_quiz,
)

import bot.__main__ as cli
from bot.store import Quiz, QuizState, Store

T = TypeVar("T")
SYNC_ROUTE = "PUT /applications/{app}/commands"


@pytest.fixture
def shard_count() -> int:
    return 2


@pytest.fixture
def groups(server: FakeDiscord) -> list[StudyGroup]:
    """A study group on shard 0 and one on shard 1."""
    return [StudyGroup(server, shard=n) for n in range(2)]


class Runners:
    """Bot runners on one database, each with its own `discord:` settings; every bot is stopped at teardown."""

    def __init__(self, server: FakeDiscord, database: Path, clock: FakeClock) -> None:
        self.server, self.database, self.clock = server, database, clock
        self._made: list[BotRunner] = []

    def __call__(self, questions: Path = SHIPPED_QUESTIONS, **discord_config: object) -> BotRunner:
        runner = BotRunner(self.server, self.database, self.clock, questions, discord_config=discord_config)
        self._made.append(runner)
        return runner

    async def stop_all(self) -> None:
        for runner in self._made:
            await runner.stop_all()


@pytest.fixture
async def runners(server: FakeDiscord, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Runners]:
    made = Runners(server, tmp_path / "quiz.sqlite3", clock)
    yield made
    await made.stop_all()


async def _answered(server: FakeDiscord, group: StudyGroup) -> Message:
    """A quiz opened in the group, with one member's pick on it."""
    _, question = await start_quiz(server, group, question="neural-networks/arya-confusion")
    await group.react(group.members[0], question, 0, 3)
    await group.settle()
    return question


async def _closed(server: FakeDiscord, group: StudyGroup, question: Message) -> list[Message]:
    await server.wait_for(lambda: question.content.startswith("🔒"), description=f"the close in {group.guild.name}")
    return result_messages(server, group, question.id)


async def test_one_process_running_both_shards_grades_and_announces_in_servers_of_each(
    server: FakeDiscord, groups: list[StudyGroup], runners: Runners, clock: FakeClock
) -> None:
    await runners(shard_count=2, shard_ids=[0, 1]).start()
    assert sorted(server.identified_shards) == [[0, 2], [1, 2]]
    questions = [await _answered(server, group) for group in groups]
    clock.advance(60)
    for group, question in zip(groups, questions, strict=True):
        assert f"<@{group.members[0].id}>" in embed_text(await _closed(server, group, question))
    assert len(server.requests_matching(SYNC_ROUTE)) == 1


async def test_without_a_shard_count_the_bot_runs_as_many_shards_as_discord_recommends(
    server: FakeDiscord, groups: list[StudyGroup], runners: Runners
) -> None:
    bot = await runners().start()
    assert bot.shard_count == 2 and sorted(bot.shards) == [0, 1]
    assert len(server.requests_matching("GET /gateway/bot")) == 1
    assert {guild.id for guild in bot.guilds} == {group.guild.id for group in groups}


async def test_a_process_running_only_shard_1_recovers_only_shard_1s_quizzes(
    server: FakeDiscord, groups: list[StudyGroup], runners: Runners, tmp_path: Path, clock: FakeClock
) -> None:
    everything = runners()
    await everything.start()
    questions = [await _answered(server, group) for group in groups]
    await everything.stop_all()  # both quizzes stay open in the database
    assert len(server.requests_matching(SYNC_ROUTE)) == 1

    shard1 = runners(shard_count=2, shard_ids=[1])
    bot = await shard1.start()
    assert server.identified_shards[-1] == [1, 2]
    assert [bot.quizmaster.running_in(group.channel.id) is not None for group in groups] == [False, True]
    clock.advance(60)
    assert f"<@{groups[1].members[0].id}>" in embed_text(await _closed(server, groups[1], questions[1]))
    only_shard_0s = [(groups[0].guild.id, QuizState.OPEN)]

    async def announced() -> bool:  # the last step of shard 1's quiz, written after the "🔒" edit
        return _states(await bot.store.unfinished_quizzes()) == only_shard_0s

    await eventually(announced, "shard 1's quiz to be announced")
    assert len(server.requests_matching(SYNC_ROUTE)) == 1  # only the process with shard 0 syncs
    await shard1.stop_all()
    assert questions[0].content.startswith("⏳") and result_messages(server, groups[0], questions[0].id) == []
    assert _states(await _read(tmp_path, Store.unfinished_quizzes)) == only_shard_0s


async def test_each_process_fires_only_its_own_servers_schedules(
    server: FakeDiscord, groups: list[StudyGroup], runners: Runners, tmp_path: Path, clock: FakeClock
) -> None:
    setup = runners()
    await setup.start()
    slots = [await _schedule(server, group) for group in groups]
    await setup.stop_all()

    shard0 = runners(shard_count=2, shard_ids=[0])
    bot = await shard0.start()
    await server.wait_for(lambda: bot.scheduler.ticks >= 1, description="the scheduler's first pass")
    ticks = bot.scheduler.ticks
    clock.advance(slots[0] - clock.now())
    await server.wait_for(lambda: bot.scheduler.ticks > ticks, description="the pass at the slot")
    await server.wait_for(lambda: _posted(server, groups[0]), description="shard 0's scheduled quiz")
    await groups[0].settle()
    assert _posted(server, groups[1]) == []
    await shard0.stop_all()
    # Shard 1's slot is left for its own process: marked fired here, it would never be posted there.
    assert [(s.guild_id, s.last_fired) for s in await _read(tmp_path, Store.schedules)] == [
        (groups[0].guild.id, slots[0]),
        (groups[1].guild.id, None),
    ]


async def test_a_quiz_opened_while_its_shard_is_down_reads_its_answers_over_rest_though_another_shard_is_up(
    server: FakeDiscord, groups: list[StudyGroup], runners: Runners, tmp_path: Path, clock: FakeClock
) -> None:
    bank = tmp_path / "bank" / "neural-networks"
    bank.mkdir(parents=True)
    shutil.copy(SHIPPED_QUESTIONS / f"{SEED_ID}.md", bank)  # the one question a schedule can pick
    bot = await runners(bank.parent, shard_count=2, shard_ids=[0, 1]).start()
    slot = await _schedule(server, groups[1])
    await server.wait_for(lambda: bot.scheduler.ticks >= 1, description="the scheduler to see the schedule")
    async with server.gateway_outage(resumable=True, shard=1):
        await server.wait_for(lambda: bot.quizmaster.links.current(1) is None, description="shard 1 down")
        resumes = server.resume_count
        await server.drop_connection(0)  # shard 0 comes and goes; shard 1 stays down
        await server.wait_for(lambda: server.resume_count > resumes and bot.quizmaster.links.current(0))
        clock.advance(slot - clock.now())  # the slot comes while shard 1 is down: posted over REST
        question = await server.wait_for(lambda: _posted(server, groups[1]), description="the scheduled quiz")
        await server.wait_for(lambda: len(question[-1].reactions) == 4, description="the letters")
        await groups[1].react(groups[1].members[0], question[-1], 0, 3)  # never reaches the bot in time
        clock.advance(600)
        result = await _closed(server, groups[1], question[-1])
    assert "1 of 1 got it exactly right." in embed_text(result)


async def _schedule(server: FakeDiscord, group: StudyGroup) -> int:
    """A daily 09:00 quiz in the group's channel; returns its first slot."""
    ix = await server.invoke(group.moderator, group.channel, "quizschedule add", days="daily", time="09:00",
                             timezone="UTC", duration=600)  # fmt: skip
    await server.wait_for(lambda: ix.followups, description="the schedule's confirmation")
    return int(re.search(r"<t:(\d+):R>", ix.followups[0].content).group(1))


async def _read(tmp_path: Path, query: Callable[[Store], Awaitable[list[T]]]) -> list[T]:
    """What the bots left in the database, read once they are stopped."""
    store = await Store.open(tmp_path / "quiz.sqlite3")
    try:
        return await query(store)
    finally:
        await store.close()


def _states(quizzes: list[Quiz]) -> list[tuple[int, QuizState]]:
    return [(quiz.guild_id, quiz.state) for quiz in quizzes]


def _posted(server: FakeDiscord, group: StudyGroup) -> list[Message]:
    return [m for m in bot_messages(server, group.channel) if m.content.startswith("⏳")]


@pytest.mark.parametrize(
    ("shards", "message"),
    [
        ({"shard_count": 1}, "Discord requires more shards for this many servers (close code 4011)"),
        ({"shard_count": 3, "shard_ids": [2]}, "Discord refused the shards (close code 4010, invalid shard)"),
    ],
    ids=["too few", "another count"],
)
async def test_shards_discord_refuses_stop_the_bot_with_one_line(
    runners: Runners, capsys: pytest.CaptureFixture, shards: dict, message: str
) -> None:
    runner = runners(**shards)
    assert await cli._serve(runner.config(), "test-token", runner.bank) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"quizbot: {message}")
