"""Bot processes (``python -m bot run``) on two shards, one SIGKILLed mid-quiz and started again:
every quiz is graded once, and /leaderboard is right in every server.

One process running both shards works on SQLite. Two processes, one per shard, need one database
they can share: the PostgreSQL store (``database.url``), on the throwaway server of ``postgres_url``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fakediscord import FakeDiscord
from fakediscord.models import Message
from harness import StudyGroup, bot_messages, start_quiz
from processes import ProcessRunner

QUIZ_SECONDS = 8  # long enough to kill a process while its quizzes are open, short enough to wait for
CLOSE_SECONDS = 40.0  # a restart (loading the bank, connecting) and the rest of the quiz, on a busy machine

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


@pytest.mark.parametrize("layout", list(LAYOUTS))
async def test_a_process_killed_mid_quiz_restarts_and_every_quiz_is_graded_once(
    server: FakeDiscord, tmp_path: Path, request: pytest.FixtureRequest, layout: str
) -> None:
    runner = ProcessRunner(server, tmp_path, _database(layout, request, tmp_path))
    groups = [StudyGroup(server, shard=n) for n in range(2)]
    try:
        processes = [await runner.start(name, shards, shard_count=2, shard_ids=list(shards))
                     for name, shards in LAYOUTS[layout]]  # fmt: skip
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
        await runner.kill(processes[-1])
        await runner.start(f"{name}-again", shards, shard_count=2, shard_ids=list(shards))

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
