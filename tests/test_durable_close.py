"""A quiz always closes, and grades from the whole truth: outages, a busy or full database, Discord 5xx.

End to end through the real discord.py client and the loopback Discord. Each test is one of the
weekly faults of a real server; the numbers follow the issue that listed them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
from pathlib import Path

import pytest
from fakediscord import QUIZ_BOT_PERMISSIONS, FakeDiscord, Message, Permission
from harness import (
    SEED_ID,
    BotRunner,
    FakeClock,
    StudyGroup,
    assert_picks,
    bot_messages,
    database_locked,
    disk_full,
    embed_text,
    result_messages,
    start_quiz,
)

from bot.render import letter
from bot.store import QuizState, Store

A, B, C, D = range(4)
REACTIONS = "/channels/{c}/messages/{m}/reactions/{e}"
POST_MESSAGE = "/channels/{c}/messages"


def winners(result: list[Message]) -> set[int]:
    text = embed_text(result)
    return {int(user) for user in re.findall(r"<@(\d+)>", re.search(r"Who got it right\n(.*)\n", text).group(1))}


async def stored(runner: BotRunner, quiz_id: int = 1):
    store = await Store.open(runner.database)
    try:
        return await store.quiz(quiz_id), await store.results(quiz_id)
    finally:
        await store.close()


async def finished(runner: BotRunner, quiz_id: int = 1):
    """The quiz and its results once its close has written its last step (just after the result shows)."""
    deadline = asyncio.get_running_loop().time() + 5
    while (found := await stored(runner, quiz_id))[0].running or found[0].state is QuizState.GRADED:
        assert asyncio.get_running_loop().time() < deadline, found[0].state
        await asyncio.sleep(0.02)
    return found


async def refused(ix) -> str:
    await ix.wait_response()
    assert ix.ephemeral
    return ix.response.data["content"]


# -- 1. answers given while the gateway is down ------------------------------------------------


@pytest.mark.parametrize("resumable", [True, False], ids=["resumable-drop", "invalid-session"])
async def test_answers_given_while_the_gateway_is_down_at_the_deadline_count(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock, resumable: bool
) -> None:
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    ana, ben, cleo, _ = group.members
    await group.react(ana, question, A, B)  # B is wrong: ana takes it back during the outage
    await assert_picks(group, bot, {ana.id: {A, B}})
    async with server.gateway_outage(resumable=resumable):
        await server.wait_for(lambda: not bot.quizmaster.connected, description="the bot to notice")
        await group.react(ben, question, A, D)
        await group.unreact(ana, question, B)
        await group.react(ana, question, D)
        clock.advance(60)  # the deadline falls while the bot is cut off: REST tells the truth
        result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
        await group.react(cleo, question, A, D)  # after the close: replayed or not, it changes nothing
    assert winners(result) == {ana.id, ben.id}
    await server.wait_for(lambda: bot.quizmaster.connected, description="the reconnection")
    await group.settle()
    quiz, results = await finished(runner)
    assert quiz.state is QuizState.ANNOUNCED
    assert {r.user_id for r in results} == {ana.id, ben.id}


async def test_a_close_waits_while_discord_is_unreachable_and_never_grades_from_partial_events(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    ana, ben, *_ = group.members
    await group.react(ana, question, A, D)
    await assert_picks(group, bot, {ana.id: {A, D}})
    async with server.gateway_outage(resumable=True):
        await server.wait_for(lambda: not bot.quizmaster.connected, description="the bot to notice")
        await group.react(ben, question, A, D)
        with server.rest_outage():
            clock.advance(60)
            await server.wait_for(lambda: server.refused_requests >= 3, description="reads tried and retried")
            assert result_messages(server, group, question.id) == []
            assert bot.quizmaster.running_in(group.channel.id).closing
        result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    assert winners(result) == {ana.id, ben.id}


# -- 2. one failure during a close ---------------------------------------------------------------


async def test_a_close_on_a_locked_database_is_retried_and_the_channel_says_so(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    ana = group.members[0]
    await group.react(ana, question, A, D)
    await assert_picks(group, bot, {ana.id: {A, D}})
    async with database_locked(runner.database):
        clock.advance(60)
        await server.wait_for(lambda: "database is locked" in caplog.text, description="a failed attempt")
        again = await server.invoke(group.moderator, group.channel, "quiz", question=SEED_ID)
        assert (await refused(again)).startswith("The last quiz here is still being graded")
        end = await server.invoke(group.moderator, group.channel, "endquiz")
        assert (await refused(end)).startswith("This quiz has ended and is being graded")
        assert result_messages(server, group, question.id) == []
    result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    assert winners(result) == {ana.id}
    await server.wait_for(lambda: bot.quizmaster.running_in(group.channel.id) is None, description="a free channel")
    await start_quiz(server, group, question=SEED_ID)  # the channel is free again


async def test_a_close_on_a_full_disk_is_retried_until_there_is_room(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    crowd = group.add_members(80)  # enough answers that writing them needs new pages
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    await group.react_many(question, {member: (A, D) for member in crowd})
    await group.settle()
    async with disk_full(bot.store):
        clock.advance(60)
        await server.wait_for(lambda: "database or disk is full" in caplog.text, description="a failed attempt")
        assert result_messages(server, group, question.id) == []
    result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    assert "80 of 80 got it exactly right." in embed_text(result)


async def test_discord_5xx_while_reading_reactions_and_posting_the_result_is_retried(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    ana, ben, *_ = group.members
    await group.react(ana, question, A, D)
    await runner.stop(bot)
    await group.react(ben, question, A, D)  # while the bot is away: only the reaction lists know
    await runner.start()
    server.fail_next("GET", REACTIONS, status=503, times=3)
    server.fail_next("POST", POST_MESSAGE, status=503, times=2)
    clock.advance(60)
    result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    assert winners(result) == {ana.id, ben.id}
    assert server.pending_faults == 0
    assert len([m for m in bot_messages(server, group.channel) if m.reference]) == 1


async def test_a_failed_pick_write_does_not_hold_up_quizzes_in_other_channels(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    await runner.start()
    other = server.add_text_channel(group.guild, "other")
    _, first = await start_quiz(server, group, question=SEED_ID, duration=60)
    _, second = await start_quiz(server, group, channel=other, question=SEED_ID, duration=120)
    ana, ben, *_ = group.members
    async with database_locked(runner.database):
        await group.react(ana, first, A, D)  # saving these picks fails while the lock is held
        await server.wait_for(lambda: "saving picks failed" in caplog.text, description="a failed pick write")
    clock.advance(60)
    assert winners(await server.wait_for(lambda: result_messages(server, group, first.id))) == {ana.id}
    await group.react(ben, second, A, D)
    await group.settle()
    clock.advance(60)
    assert winners(await server.wait_for(lambda: result_messages(server, group, second.id, channel=other))) == {ben.id}


# -- 3. the scheduler ------------------------------------------------------------------------------


async def test_the_scheduler_survives_a_busy_database_at_a_slot_and_shutdown_still_works(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await runner.start()
    ix = await server.invoke(group.moderator, group.channel, "quizschedule add", days="daily", time="09:00",
                             timezone="UTC", duration=600)  # fmt: skip
    await server.wait_for(lambda: ix.followups)
    slot = re.search(r"<t:(\d+):R>", ix.followups[0].content)
    async with database_locked(runner.database):
        clock.advance(int(slot.group(1)) - clock.now())
        await server.wait_for(lambda: "schedule pass failed" in caplog.text, description="a failed pass")
    await server.wait_for(lambda: [m for m in bot_messages(server, group.channel) if m.content.startswith("⏳")])
    async with database_locked(runner.database):
        clock.advance(600)  # that quiz closes into a locked database; then the bot is stopped
        await server.wait_for(lambda: "failed (StoreBusy" in caplog.text.split("schedule pass failed")[-1])
        await runner.stop(bot)  # returns, and raises nothing
    assert not server.connected


async def test_a_schedule_fires_after_the_clock_once_ran_years_ahead(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    ix = await server.invoke(group.moderator, group.channel, "quizschedule add", days="daily", time="09:00",
                             timezone="UTC", duration=600)  # fmt: skip
    await server.wait_for(lambda: ix.followups)
    slot = int(re.search(r"<t:(\d+):R>", ix.followups[0].content).group(1))
    await runner.stop(bot)
    store = await Store.open(runner.database)
    (schedule,) = await store.schedules()
    assert await store.claim_slot(schedule, slot + 3 * 365 * 86400)  # fired once while the clock said three years later
    await store.close()
    bot = await runner.start()
    clock.advance(slot - clock.now())
    await server.wait_for(lambda: [m for m in bot_messages(server, group.channel) if m.content.startswith("⏳")])


# -- 4. posting ------------------------------------------------------------------------------------


async def test_a_letter_added_before_the_bot_knows_its_message_counts(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    ana = group.members[0]

    def quick(message: Message) -> None:  # ana reacts the instant the question appears
        if message.channel_id == group.channel.id and message.content.startswith("⏳"):
            server.add_reaction_now(ana, message, letter(A))
            server.add_reaction_now(ana, message, letter(D))

    server.slow_next("POST", POST_MESSAGE, seconds=0.3)  # the question's id reaches the bot after her picks
    with server.when_published(quick):
        _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    await assert_picks(group, bot, {ana.id: {A, D}})
    clock.advance(60)
    assert winners(await server.wait_for(lambda: result_messages(server, group, question.id))) == {ana.id}


async def test_a_stop_while_the_letters_go_on_resumes_with_every_letter(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    await server.invoke(group.moderator, group.channel, "quiz", question=SEED_ID, duration=60)
    (question,) = await server.wait_for(lambda: [m for m in bot_messages(server, group.channel) if m.reactions])
    await runner.stop(bot)
    assert len(question.reactions) < 4
    await runner.start()
    await server.wait_for(lambda: list(question.reactions) == [letter(i) for i in range(4)], description="letters")
    await group.react(group.members[0], question, A, D)
    await group.settle()
    clock.advance(60)
    assert winners(await server.wait_for(lambda: result_messages(server, group, question.id))) == {group.members[0].id}


LONG = "# {title}\n\n{body}\n\n**Which two are right?**\n\n- [x] a\n- [x] b\n- [ ] c\n- [ ] d\n\n## Answer\n\n{why}\n"


def long_question_bank(tmp_path: Path, *, body: str = "Context.", why: str = "Because.") -> Path:
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "long.md").write_text(LONG.format(title="Long one", body=body, why=why), encoding="utf-8")
    return folder


def paragraphs(count: int) -> str:
    return "\n\n".join(f"Paragraph {n}: " + "words " * 150 for n in range(count))


async def test_a_stop_while_a_long_result_is_posted_posts_only_the_rest(
    server: FakeDiscord, group: StudyGroup, tmp_path: Path, clock: FakeClock
) -> None:
    runner = BotRunner(server, tmp_path / "quiz.sqlite3", clock, long_question_bank(tmp_path, why=paragraphs(12)))
    try:
        bot = await runner.start()
        _, question = await start_quiz(server, group, question="long", duration=60)
        await group.react(group.members[0], question, A, B)
        await group.settle()

        def fail_the_rest(message: Message) -> None:  # the first part goes up; Discord fails from then on
            if message.reference:
                server.fail_next("POST", POST_MESSAGE, status=503, times=1000)

        with server.when_published(fail_the_rest):
            clock.advance(60)
            await server.wait_for(lambda: any(r.status == 503 for r in server.requests), description="a 503")
        await runner.stop(bot)
        server.clear_faults()
        await runner.start()
        await server.wait_for(lambda: question.content.startswith("🔒"), description="the result, finished")
    finally:
        await runner.stop_all()
    parts = result_messages(server, group, question.id)
    assert len(parts) >= 2
    assert len([m for m in parts if m.reference]) == 1  # the first part was not posted again
    assert "Paragraph 11" in embed_text(parts)


async def test_a_stop_between_the_parts_of_a_long_question_takes_the_first_part_down(
    server: FakeDiscord, group: StudyGroup, tmp_path: Path, clock: FakeClock
) -> None:
    runner = BotRunner(server, tmp_path / "quiz.sqlite3", clock, long_question_bank(tmp_path, body=paragraphs(12)))
    try:
        bot = await runner.start()

        def fail_the_second(message: Message) -> None:  # 500: discord.py waits a second before its retry
            server.fail_next("POST", POST_MESSAGE, status=500, times=1000)

        with server.when_published(fail_the_second):
            await server.invoke(group.moderator, group.channel, "quiz", question="long", duration=60)
            await server.wait_for(lambda: any(r.status == 500 for r in server.requests), description="a 500")
        (first,) = bot_messages(server, group.channel)
        await runner.stop(bot)
        server.clear_faults()
        assert not first.deleted
        await runner.start()
        await server.wait_for(lambda: first.deleted, description="the half-posted question taken down")
        quiz, _ = await finished(runner)
        assert quiz.state is QuizState.CANCELLED
    finally:
        await runner.stop_all()


# -- 5. down past the deadline ---------------------------------------------------------------------


async def test_a_quiz_graded_after_the_bot_was_down_past_its_deadline_says_so(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    ana, ben, *_ = group.members
    await group.react(ana, question, A, D)
    await group.settle()
    await runner.stop(bot)
    clock.advance(3600)
    await group.react(ben, question, A, D)  # an hour after the deadline
    await runner.start()
    result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    assert result[0].content.startswith(f"⏰ Graded late: the answers were read at <t:{int(clock.now())}:f>")
    assert "about 59 min after the deadline" in result[0].content
    assert not result[0].pings.users


async def test_a_quiz_graded_on_time_has_no_late_note(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    await runner.stop(bot)  # a restart before the deadline: read from REST, but on time
    await runner.start()
    clock.advance(60)
    result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    assert not result[0].content


# -- 6. the database file --------------------------------------------------------------------------


async def test_a_second_bot_process_on_the_same_database_is_refused_with_one_line(
    server: FakeDiscord, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"discord:\n  api_base_url: {server.api_base}\n  gateway_url: {server.gateway_url}\n"
        f"database:\n  path: {tmp_path / 'quiz.sqlite3'}\nquestions:\n  path: {tmp_path}\n",
        encoding="utf-8",
    )

    async def bot_process() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config),
            env={**os.environ, "DISCORD_TOKEN": "test-token"},
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip

    first = await bot_process()
    second = None
    try:
        await server.wait_identified(1, timeout=20)
        second = await bot_process()
        errors = (await asyncio.wait_for(second.communicate(), timeout=20))[1].decode().strip().splitlines()
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.terminate()
                await process.wait()
    assert second.returncode == 1 and not any("Traceback" in line for line in errors)
    assert errors[-1].startswith("quizbot: database ")  # after the start-up log lines, one line says why
    assert f"is in use by another quizbot process (pid {first.pid})" in errors[-1]


async def test_a_database_file_deleted_under_the_running_bot_stops_it_with_the_reason(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    runner.database.unlink()
    await group.react(group.members[0], question, A)  # the next write notices
    await server.wait_for(lambda: bot.is_closed(), description="the bot to stop")
    assert "was deleted or replaced while the bot was running" in str(bot.failure)
    assert any(r.levelno == logging.CRITICAL for r in caplog.records)
    assert not runner.database.exists()  # not silently recreated


# -- 7. Discord's 20 distinct reactions ----------------------------------------------------------


def twenty_option_bank(tmp_path: Path) -> Path:
    folder = tmp_path / "bank"
    folder.mkdir()
    options = "\n".join(f"- [{'x' if n == 19 else ' '}] choice {n}" for n in range(20))
    text = f"# Twenty\n\n**Which one is right?**\n\n{options}\n\n## Answer\n\nThe last.\n"
    (folder / "twenty.md").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("can_clear", [True, False], ids=["with-manage-messages", "without"])
async def test_a_members_other_emoji_never_cancels_a_twenty_option_quiz(
    server: FakeDiscord, group: StudyGroup, tmp_path: Path, clock: FakeClock, can_clear: bool
) -> None:
    if can_clear:
        server.set_bot_permissions(group.guild, QUIZ_BOT_PERMISSIONS | Permission.MANAGE_MESSAGES)
    runner = BotRunner(server, tmp_path / "quiz.sqlite3", clock, twenty_option_bank(tmp_path))
    ana = group.members[0]

    def stray(message: Message) -> None:  # a 21st distinct emoji before the bot's last letter
        if message.content.startswith("⏳"):
            server.add_reaction_now(ana, message, "🎉")

    try:
        await runner.start()
        with server.when_published(stray):
            ix = await server.invoke(group.moderator, group.channel, "quiz", question="twenty", duration=60)
            (note,) = await server.wait_for(
                lambda: ix.followups, timeout=15, description="the note (20 letters take 5 s)"
            )
        (question,) = bot_messages(server, group.channel)
        letters = [letter(n) for n in range(20)]
        if can_clear:
            assert list(question.reactions) == letters and "🇹" not in note.content
        else:
            assert list(question.reactions) == ["🎉", *letters[:19]]
            assert "so 🇹 could not be added: give me Manage Messages" in note.content
        quiz, _ = await stored(runner)
        assert quiz.state is QuizState.OPEN and quiz.lettered
        await group.react(group.members[1], question, 0)
        await group.settle()
        clock.advance(60)
        await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    finally:
        await runner.stop_all()
