"""Bot processes (``python -m bot run``) on two shards, one SIGKILLed mid-quiz and started again:
every quiz is graded once, no schedule slot fires twice, and /leaderboard is right in every server.

One process running both shards works on SQLite. Two processes, one per shard, need one database
they can share: the PostgreSQL store (``database.url``), on the throwaway server of ``postgres_url``,
where each shard is run by one process only.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from fakediscord import FakeDiscord
from fakediscord.models import Message, TextChannel
from harness import StudyGroup, bot_messages, start_quiz
from processes import ProcessRunner

from bot.store import Store

QUIZ_SECONDS = 8  # long enough to kill a process while its quizzes are open, short enough to wait for
CLOSE_SECONDS = 40.0  # a restart (loading the bank, connecting) and the rest of the quiz, on a busy machine
# A scheduled quiz's duration is also how late its slot may still fire: up to a minute after the slot
# (slots are whole minutes) plus two starts, so that a restarted process *could* fire it again.
SCHEDULED_SECONDS = 300
FIRST_PASS = "schedules: first pass done"

# Which processes run which shards of two; the last one runs shard 1 and is the one killed.
LAYOUTS = {
    "one process": [("both", (0, 1))],
    "two processes": [("shard0", (0,)), ("shard1", (1,))],
}


@pytest.fixture
def shard_count() -> int:
    return 2


def _database(layout: str, request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, object]:
    if len(LAYOUTS[layout]) == 1:
        return {"path": str(tmp_path / "quiz.sqlite3")}
    return {"url": request.getfixturevalue("postgres_url")}


def _replies(server: FakeDiscord, group: StudyGroup, question: Message) -> list[Message]:
    """The bot's results for ``question``: each grading posts one reply to it."""
    return [
        m for m in bot_messages(server, group.channel) if m.reference and int(m.reference["message_id"]) == question.id
    ]


async def _schedule_due_now(database: dict[str, object], group: StudyGroup, channel: TextChannel) -> None:
    """A daily schedule whose slot is the current minute, created just before it: due as the processes start."""
    now = time.time()
    slot = now - now % 60
    store = await Store.open(database.get("url") or Path(str(database["path"])))
    try:
        await store.add_schedule(
            guild_id=group.guild.id, channel_id=channel.id, days="daily", at=time.strftime("%H:%M", time.gmtime(slot)),
            zone="UTC", topic=None, duration=SCHEDULED_SECONDS, created_by=group.moderator.id, created_at=slot - 1,
        )  # fmt: skip
    finally:
        await store.close()


def _questions(server: FakeDiscord, channel: TextChannel) -> list[Message]:
    """The bot's quiz questions in ``channel``, open (⏳) or closed (🔒)."""
    return [m for m in bot_messages(server, channel) if m.content.startswith(("⏳", "🔒"))]


@pytest.mark.parametrize("layout", list(LAYOUTS))
async def test_a_process_killed_mid_quiz_restarts_and_every_quiz_is_graded_once(
    server: FakeDiscord, tmp_path: Path, request: pytest.FixtureRequest, layout: str
) -> None:
    database = _database(layout, request, tmp_path)
    runner = ProcessRunner(server, tmp_path, database)
    groups = [StudyGroup(server, shard=n) for n in range(2)]
    scheduled_in = server.add_text_channel(groups[1].guild, "daily")  # on the shard whose process is killed
    await _schedule_due_now(database, groups[1], scheduled_in)
    try:
        processes = [await runner.start(name, shards, shard_count=2, shard_ids=list(shards))
                     for name, shards in LAYOUTS[layout]]  # fmt: skip
        (scheduled,) = await server.wait_for(lambda: _questions(server, scheduled_in), CLOSE_SECONDS,
                                             description="the scheduled quiz")  # fmt: skip
        questions = []
        for group in groups:
            await group.settle()  # the process of its shard answers
            _, question = await start_quiz(server, group, question="neural-networks/arya-confusion",
                                           duration=QUIZ_SECONDS)  # fmt: skip
            await group.react(group.members[0], question, 0, 3)  # the right answer
            await group.react(group.members[1], question, 1)
            await group.settle()
            questions.append(question)

        name, shards = LAYOUTS[layout][-1]
        await runner.kill(processes[-1])  # after it fired the slot
        again = await runner.start(f"{name}-again", shards, shard_count=2, shard_ids=list(shards))

        # Free the channel, so that a second firing of the slot would post at once, before the first pass ends.
        await server.invoke(groups[1].moderator, scheduled_in, "endquiz")
        await server.wait_for(lambda: scheduled.content.startswith("🔒"), CLOSE_SECONDS,
                              description="the scheduled quiz's close")  # fmt: skip
        await server.wait_for(lambda: FIRST_PASS in again.output(), CLOSE_SECONDS, description="the first pass")
        await groups[1].settle()
        assert _questions(server, scheduled_in) == [scheduled], "the slot fired twice"

        for group, question in zip(groups, questions, strict=True):
            await server.wait_for(lambda q=question: q.content.startswith("🔒"), CLOSE_SECONDS,
                                  description=f"the close in {group.guild.name}")  # fmt: skip
            await group.settle()
            assert len(_replies(server, group, question)) == 1
            board = await server.invoke(group.members[1], group.channel, "leaderboard")
            await server.wait_for(lambda b=board: b.followups, description="the leaderboard")
            lines = board.followups[0].embeds[0]["description"].splitlines()
            assert re.match(rf"\*\*1\.\*\* <@{group.members[0].id}> · \d+ pts? · 1 answered · 100% right", lines[0])
            assert any(f"<@{group.members[1].id}> · 0 pts · 1 answered · 0% right" in line for line in lines)
            assert len(lines) == 2, lines  # nobody from the other server
    finally:
        await runner.stop_all()


async def test_a_second_process_for_a_running_shard_is_refused_until_the_first_is_killed(
    server: FakeDiscord, tmp_path: Path, postgres_url: str
) -> None:
    runner = ProcessRunner(server, tmp_path, {"url": postgres_url})
    try:
        first = await runner.start("shard1", (1,), shard_count=2, shard_ids=[1])
        code, output = await runner.until_exit("shard1-twin", shard_count=2, shard_ids=[1])
        assert code == 1
        assert output.splitlines()[-1] == (
            "quizbot: shard 1 of 2 is already run by another quizbot process; stop it first or give this one "
            "other discord.shard_ids"
        )
        await runner.kill(first)  # SIGKILL: PostgreSQL drops its locks as the connection closes
        again = await runner.start("shard1-again", (1,), shard_count=2, shard_ids=[1])
        assert again.process.returncode is None
    finally:
        await runner.stop_all()
