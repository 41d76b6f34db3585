"""The bot end to end on PostgreSQL: a quiz answered, the bot restarted mid-quiz, graded once, ranked."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from fakediscord import FakeDiscord
from harness import SEED_ID, BotRunner, FakeClock, StudyGroup, assert_picks, embed_text, result_messages, start_quiz
from raw_sql import rows

A, B, C, D = range(4)


@pytest.fixture
async def pg_runner(server: FakeDiscord, clock: FakeClock, postgres_url: str) -> AsyncIterator[BotRunner]:
    runner = BotRunner(server, postgres_url, clock)
    yield runner
    await runner.stop_all()


async def test_a_quiz_survives_a_restart_and_is_graded_once_on_postgresql(
    server: FakeDiscord, group: StudyGroup, pg_runner: BotRunner, clock: FakeClock
) -> None:
    bot = await pg_runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=30)
    ana, ben, *_ = group.members
    await group.react(ana, question, A, D)
    await group.react(ben, question, A)
    await assert_picks(group, bot, {ana.id: {A, D}, ben.id: {A}})
    await pg_runner.stop(bot)

    await pg_runner.start()
    clock.advance(30)
    result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    assert "1 of 2 got it exactly right." in embed_text(result)
    board = await server.invoke(ben, group.channel, "leaderboard")
    await server.wait_for(lambda: board.followups, description="the leaderboard")
    lines = board.followups[0].embeds[0]["description"].splitlines()
    assert re.search(r"<@(\d+)>", lines[0]).group(1) == str(ana.id)
    assert await rows(pg_runner.database, "SELECT user_id, answered FROM points ORDER BY user_id") == sorted(
        [(ana.id, 1), (ben.id, 1)]
    )
