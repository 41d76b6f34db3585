"""Faults and bad input, end to end: what the bot does when Discord, the database or people misbehave."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import sys
from pathlib import Path

import discord
import pytest
from fakediscord import FakeDiscord
from harness import (
    SEED_ID,
    BotRunner,
    FakeClock,
    StudyGroup,
    answer_and_reveal,
    assert_picks,
    bot_messages,
    embed_text,
    result_messages,
    run_cli,
    squeezed,
    start_quiz,
)

from bot.store import QuizState, Store

A, B, C, D = range(4)


async def quiz_states(runner: BotRunner) -> list[QuizState]:
    store = await Store.open(runner.database)
    try:
        return [quiz.state for n in range(1, 100) if (quiz := await store.quiz(n))]
    finally:
        await store.close()


async def quiz_problem(runner: BotRunner, quiz_id: int) -> str | None:
    store = await Store.open(runner.database)
    try:
        return await store.problem(quiz_id)
    finally:
        await store.close()


async def assert_states(runner: BotRunner, expected: list[QuizState], timeout: float = 5.0) -> None:
    """The bot writes after it answers: give the last write a moment to land."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (states := await quiz_states(runner)) != expected and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.02)
    assert states == expected


# -- 1. gateway gaps ---------------------------------------------------------------------------


async def test_reactions_made_while_the_session_was_invalidated_count(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    ana, ben, cleo, _ = group.members
    await group.react(ana, question, A)
    await assert_picks(group, bot, {ana.id: {A}})

    async with server.gateway_outage(resumable=False):
        await group.react(ana, question, D)  # lost as events: the session is gone
        await group.react(ben, question, A, D)
        await group.unreact(ana, question, A)
    await server.wait_identified(2)
    await group.react(cleo, question, B)  # after the fresh IDENTIFY: a live event again
    await group.settle()

    clock.advance(60)
    result = embed_text(await server.wait_for(lambda: result_messages(server, group, question.id)))
    assert f"<@{ben.id}>\n1 of 3 got it exactly right." in result


async def test_a_resumed_session_replays_events_without_counting_twice(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    ana, ben, *_ = group.members
    await group.react(ana, question, A, D)
    await assert_picks(group, bot, {ana.id: {A, D}})
    async with server.gateway_outage(resumable=True):
        await group.react(ben, question, A, D)
        await group.unreact(ana, question, D)
    await server.wait_for(lambda: server.resume_count == 1)
    await assert_picks(group, bot, {ana.id: {A}, ben.id: {A, D}})

    clock.advance(60)
    result = embed_text(await server.wait_for(lambda: result_messages(server, group, question.id)))
    assert f"<@{ben.id}>\n1 of 2 got it exactly right." in result
    assert "**2** picks" in result and "**1** pick" in result  # A twice, D once


# -- 2. rate limits ----------------------------------------------------------------------------

RATE_LIMITED_ROUTES = [
    ("POST", "/webhooks/{app}/{token}"),
    ("PUT", "/channels/{c}/messages/{m}/reactions/{e}/@me"),
    ("POST", "/interactions/{i}/{token}/callback"),
    ("POST", "/channels/{c}/messages"),
    ("GET", "/channels/{c}/messages/{m}/reactions/{e}"),
    ("GET", "/channels/{c}/messages/{m}"),
]


@pytest.mark.parametrize("global_", [False, True], ids=["route", "global"])
async def test_every_quiz_completes_through_429s(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock, global_: bool
) -> None:
    bot = await runner.start()
    for method, route in RATE_LIMITED_ROUTES:
        server.fail_next(method, route, status=429, times=2, retry_after=0.05, global_=global_)
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    ana, ben, *_ = group.members
    await group.react(ana, question, A, D)
    await group.react(ben, question, A)
    await assert_picks(group, bot, {ana.id: {A, D}, ben.id: {A}})
    await runner.stop(bot)  # a restart makes the close read the reaction lists (GETs)
    await runner.start()
    clock.advance(60)

    result = embed_text(await server.wait_for(lambda: result_messages(server, group, question.id), timeout=15))
    assert f"<@{ana.id}>\n1 of 2 got it exactly right." in result
    retried = {(r.method, r.template) for r in server.requests if r.status == 429}
    assert retried == set(RATE_LIMITED_ROUTES)
    assert server.pending_faults == 0


async def test_a_followup_is_retried_after_a_429(server: FakeDiscord, group: StudyGroup, runner: BotRunner) -> None:
    await runner.start()
    server.fail_next("POST", "/webhooks/{app}/{token}", status=429, retry_after=0.05)
    board = await server.invoke(group.members[0], group.channel, "leaderboard")
    await server.wait_for(lambda: board.followups)
    assert "No points yet" in board.followups[0].embeds[0]["description"]
    assert server.pending_faults == 0


# -- 3. missing permissions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        # Discord drops Embed Links and Attach Files with Send Messages
        ("send_messages", "Send Messages, Embed Links, Attach Files"),
        ("embed_links", "Embed Links"),
        ("attach_files", "Attach Files"),
        ("add_reactions", "Add Reactions"),
        ("read_message_history", "Read Message History"),
    ],
)
async def test_missing_permission_is_named_and_nothing_is_posted(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, missing: str, named: str
) -> None:
    server.set_overwrite(group.channel, server.bot_user, deny=discord.Permissions(**{missing: True}))
    await runner.start()
    ix = await server.invoke(group.moderator, group.channel, "quiz", question=SEED_ID)
    await ix.wait_response()
    assert ix.ephemeral
    assert f"I'm missing **{named}**." in ix.response.data["content"]
    assert f"<#{group.channel.id}>" in ix.response.data["content"]
    assert bot_messages(server, group.channel) == []
    await assert_states(runner, [])


async def test_a_question_that_cannot_get_its_letters_is_removed_and_cancelled(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner
) -> None:
    # The permission check passed, then Discord refused the reactions (a late overwrite, say).
    await runner.start()
    server.fail_next("PUT", "/channels/{c}/messages/{m}/reactions/{e}/@me", status=403, code=50013)
    ix = await server.invoke(group.moderator, group.channel, "quiz", question=SEED_ID)
    await server.wait_for(lambda: ix.followups, description="the explanation to the moderator")
    (note,) = ix.followups
    assert note.ephemeral
    assert "I need Add Reactions and Read Message History" in note.content
    assert [m for m in bot_messages(server, group.channel) if not m.deleted and not m.ephemeral] == []
    await assert_states(runner, [QuizState.CANCELLED])


# -- 4. deleted things -------------------------------------------------------------------------


async def test_deleting_the_question_cancels_the_quiz(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    await group.react(group.members[0], question, A, D)
    await server.delete_message(question)
    await group.settle()
    assert bot.quizmaster.running_in(group.channel.id) is None
    clock.advance(60)
    await group.settle()
    await assert_states(runner, [QuizState.CANCELLED])
    assert bot_messages(server, group.channel) == []
    await start_quiz(server, group, question=SEED_ID)  # the channel is free again


async def test_deleting_the_channel_cancels_the_quiz(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    await runner.start()
    other = server.add_text_channel(group.guild, "other")
    await start_quiz(server, group, question=SEED_ID, duration=60)
    _, elsewhere = await start_quiz(server, group, channel=other, question=SEED_ID, duration=60)
    await server.delete_channel(group.channel)
    await group.settle()
    clock.advance(60)
    await server.wait_for(lambda: result_messages(server, group, elsewhere.id, channel=other))
    await assert_states(runner, [QuizState.CANCELLED, QuizState.ANNOUNCED])


async def test_a_question_deleted_while_the_bot_was_away_is_cancelled_at_the_deadline(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    await runner.stop(bot)
    await server.delete_message(question)
    clock.advance(61)
    bot = await runner.start()
    await server.wait_for(lambda: not bot.quizmaster.running_in(group.channel.id))
    await group.settle()
    await assert_states(runner, [QuizState.CANCELLED])
    gets = server.requests_matching("GET /channels/{c}/messages/{m}")
    assert [r.status for r in gets] == [404]  # asked once, not retried


# -- 5. Discord's limits -----------------------------------------------------------------------


def huge_question(folder: Path) -> Path:
    options = "\n".join(f"- [{'x' if i % 3 == 0 else ' '}] {('option ' + str(i) + ' ') * 90}"[:1006] for i in range(20))
    code = "```python\n" + "\n".join(f"weights_{i} = train(layer={i})" for i in range(150)) + "\n```"
    explanation = "\n\n".join([f"Paragraph {i}: " + "gradient descent " * 30 for i in range(12)] + [code])
    reading = "\n".join(f"- [Reference {i}](https://en.wikipedia.org/wiki/Topic_{i})" for i in range(80))
    text = (
        f"# {'T' * 256}\n\n{'A long story. ' * 400}\n\n**Which of the following are correct?**\n\n{options}\n\n"
        f"## Answer\n\n{explanation}\n\n## Reading\n\n{reading}\n"
    )
    path = folder / "big" / "huge.md"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


async def test_the_largest_question_posts_and_reveals_within_discords_limits(
    server: FakeDiscord, group: StudyGroup, tmp_path: Path, clock: FakeClock
) -> None:
    huge_question(tmp_path / "bank")
    server.reaction_limiter.enabled = False
    runner = BotRunner(server, tmp_path / "q.sqlite3", clock, questions=tmp_path / "bank")
    try:
        await runner.start()
        question = runner.bank.get("big/huge")
        _, message = await start_quiz(server, group, options=20, question="big/huge", duration=60)
        result = await answer_and_reveal(server, group, clock, message, group.members[0], question.correct)
    finally:
        await runner.stop_all()
    assert all(r.status < 400 for r in server.requests), [r for r in server.requests if r.status >= 400]
    shown = squeezed(embed_text(result))
    assert squeezed(question.explanation) in shown
    assert squeezed(question.reading) in shown
    assert len(bot_messages(server, group.channel)) > 2  # it took several messages, none refused


# -- 6. mentions -------------------------------------------------------------------------------


async def test_question_text_never_pings(
    server: FakeDiscord, group: StudyGroup, tmp_path: Path, clock: FakeClock
) -> None:
    role = group.moderator_role
    someone = group.members[0]
    pings = f"@everyone @here <@&{role.id}> <@{someone.id}> <@!{someone.id}>"
    bank = tmp_path / "bank" / "pings"
    bank.mkdir(parents=True)
    (bank / "loud.md").write_text(
        f"# Hello {pings}\n\n{pings}\n\n**Which one, {pings}?**\n\n- [x] {pings}\n- [ ] quiet\n\n"
        f"## Answer\n\n{pings}\n\n## Reading\n\n- {pings}\n",
        encoding="utf-8",
    )
    runner = BotRunner(server, tmp_path / "q.sqlite3", clock, questions=tmp_path / "bank")
    try:
        await runner.start()
        _, message = await start_quiz(server, group, options=2, question="pings/loud", duration=60)
        await group.react(someone, message, A)
        await group.settle()
        clock.advance(60)
        await server.wait_for(lambda: result_messages(server, group, message.id))
        error = await server.invoke(group.moderator, group.channel, "quiz", question=f"nope {pings}")
        await error.wait_response()
    finally:
        await runner.stop_all()
    sent = [*server.messages(group.channel), error.original]
    assert pings in embed_text(sent)  # shown as written...
    assert all(not m.pings.everyone and not m.pings.users and not m.pings.roles for m in sent)  # ...never a ping


# -- 7. bad configuration and storage ----------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("quiz:\n  scoring: lenient\n", "quiz.scoring: must be exact or partial"),
        ("quiz:\n  duration_seconds: 1\n", "quiz.duration_seconds: must be between 5 and 86400"),
        ("discord:\n  dev_guild_id: abc\n", "discord.dev_guild_id: must be a whole number, not 'abc'"),
        ("questions:\n  path: missing\n", "questions.path:"),
        ("quiz:\n  leaderbord_size: 5\n", "quiz.leaderbord_size: unknown key (did you mean `quiz.leaderboard_size`?)"),
    ],
)
def test_a_bad_config_value_is_one_line_naming_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, config: str, message: str
) -> None:
    code, lines = run_cli(tmp_path, monkeypatch, capsys, config)
    assert code == 1
    assert len(lines) == 1 and message in lines[0]


def test_no_token_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    code, lines = run_cli(tmp_path, monkeypatch, capsys, "", token="")
    assert (code, lines) == (
        1,
        ["quizbot: DISCORD_TOKEN is not set: export the bot token from the Discord developer portal"],
    )


def test_a_corrupt_database_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    (tmp_path / "quiz.sqlite3").write_bytes(b"garbage" * 1000)
    code, lines = run_cli(tmp_path, monkeypatch, capsys, "")
    assert code == 1 and len(lines) == 1
    assert "quiz.sqlite3: file is not a database" in lines[0] and "corrupt" in lines[0]


def test_a_database_locked_by_another_process_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setattr(Store, "BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(tmp_path / "quiz.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, lines = run_cli(tmp_path, monkeypatch, capsys, "")
    finally:
        holder.close()
    assert code == 1 and len(lines) == 1
    assert "database is locked" in lines[0] and "another process" in lines[0]


def test_an_unwritable_database_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    # Root ignores file modes, so make the path unusable instead: its folder is a file.
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    code, lines = run_cli(tmp_path, monkeypatch, capsys, "database:\n  path: not-a-folder/quiz.sqlite3\n")
    assert code == 1 and len(lines) == 1
    assert "not-a-folder/quiz.sqlite3: unable to open" in lines[0] and "writable" in lines[0]


# -- 8. reloading questions --------------------------------------------------------------------

GOOD = "# {title}\n\n**Which two are right?**\n\n- [x] a\n- [x] b\n- [ ] c\n- [ ] d\n\n## Answer\n\nBecause.\n"


async def test_reload_reports_broken_files_and_keeps_serving(
    server: FakeDiscord, group: StudyGroup, tmp_path: Path, clock: FakeClock
) -> None:
    bank = tmp_path / "bank" / "ml"
    bank.mkdir(parents=True)
    (bank / "one.md").write_text(GOOD.format(title="One"), encoding="utf-8")
    (bank / "two.md").write_text(GOOD.format(title="Two"), encoding="utf-8")
    runner = BotRunner(server, tmp_path / "q.sqlite3", clock, questions=tmp_path / "bank")
    try:
        bot = await runner.start()
        _, question = await start_quiz(server, group, question="ml/one", duration=60)
        (tmp_path / "bank" / "trees").mkdir()
        (tmp_path / "bank" / "trees" / "only.md").write_text(GOOD.format(title="Only"), encoding="utf-8")
        reload = await server.invoke(group.moderator, group.channel, "reloadquestions")
        await server.wait_for(lambda: reload.followups)
        schedule = await server.invoke(
            group.moderator,
            group.channel,
            "quizschedule add",
            days="daily",
            time="09:00",
            timezone="UTC",
            topic="trees",
        )
        await server.wait_for(lambda: schedule.followups)
        (tmp_path / "bank" / "trees" / "only.md").unlink()
        (bank / "one.md").write_text("# One\n\nbroken now\n", encoding="utf-8")
        (bank / "three.md").write_text(GOOD.format(title="Three"), encoding="utf-8")

        refused = await server.invoke(group.members[0], group.channel, "reloadquestions")
        await refused.wait_response()
        assert refused.ephemeral and "Only moderators" in refused.response.data["content"]

        ix = await server.invoke(group.moderator, group.channel, "reloadquestions")
        await server.wait_for(lambda: ix.followups)
        note = ix.followups[0]
        assert note.ephemeral
        assert "Reloaded: 3 questions in service (1 new, 1 removed)." in note.content
        assert "Schedule #1 asks from topic `trees`, which has no questions now" in note.content
        assert re.search(r"one\.md:1: error: no options", note.content)
        assert sorted(bot.bank.questions) == ["ml/one", "ml/three", "ml/two"]
        assert bot.bank.get("ml/one").title == "One"  # the last good version

        await group.react(group.members[0], question, A, B)
        await group.settle()
        clock.advance(60)  # the running quiz grades as posted
        result = embed_text(await server.wait_for(lambda: result_messages(server, group, question.id)))
        assert "1 of 1 got it exactly right." in result
    finally:
        await runner.stop_all()


# -- 10. slow moments --------------------------------------------------------------------------


async def test_quiz_is_answered_in_time_while_the_database_is_busy(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner
) -> None:
    await runner.start()
    holder = sqlite3.connect(runner.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        ix = await server.invoke(group.moderator, group.channel, "quiz", question=SEED_ID)
        await ix.wait_response(timeout=3)
        assert ix.responded_at - ix.created_at < 3
        board = await server.invoke(group.members[0], group.channel, "leaderboard")
        await board.wait_response(timeout=3)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    await server.wait_for(lambda: [m for m in bot_messages(server, group.channel) if len(m.reactions) == 4])
    await server.wait_for(lambda: board.followups)


async def test_an_error_in_one_quiz_does_not_stop_the_others(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    await runner.start()
    other = server.add_text_channel(group.guild, "other")
    _, first = await start_quiz(server, group, question=SEED_ID, duration=60)
    _, second = await start_quiz(server, group, channel=other, question=SEED_ID, duration=60)
    await group.react(group.members[0], first, A, D)
    await group.react(group.members[1], second, A, D)
    await group.settle()
    # Posting the first result fails in a way Discord does not explain.
    server.fail_next("POST", re.compile(rf"^/channels/{group.channel.id}/messages$"), status=400, code=0)
    clock.advance(60)
    result = embed_text(await server.wait_for(lambda: result_messages(server, group, second.id, channel=other)))
    assert f"<@{group.members[1].id}>" in result
    # Retrying cannot change Discord's mind about a 400: the first ends, its reason recorded.
    await assert_states(runner, [QuizState.ANNOUNCED, QuizState.ANNOUNCED])
    assert await quiz_problem(runner, 1) == "Discord refused the result (400: 400: Bad Request)"


# -- 9. shutdown -------------------------------------------------------------------------------


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_signal_stops_the_bot_cleanly_and_the_quiz_resumes(
    server: FakeDiscord, group: StudyGroup, tmp_path: Path, clock: FakeClock, signum: signal.Signals
) -> None:
    runner = BotRunner(server, tmp_path / "quiz.sqlite3", clock)
    config = tmp_path / "config.yaml"
    config.write_text(
        f"discord:\n  api_base_url: {server.api_base}\n  gateway_url: {server.gateway_url}\n"
        f"database:\n  path: {runner.database}\nquestions:\n  path: {runner.questions}\n"
        "quiz:\n  shuffle_options: false\n",  # the test reacts with the file's letters
        encoding="utf-8",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config),
        env={**os.environ, "DISCORD_TOKEN": "test-token"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        await server.wait_for(lambda: server.commands(), timeout=20, description="the bot's commands")
        await server.wait_identified(1)
        _, question = await start_quiz(server, group, question=SEED_ID, duration=600)
        await group.react(group.members[0], question, A, D)
        await group.settle()
        process.send_signal(signum)
        output = (await asyncio.wait_for(process.communicate(), timeout=20))[0].decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, output
    assert "stopped cleanly" in output and "Traceback" not in output
    assert not server.connected
    await assert_states(runner, [QuizState.OPEN])

    try:
        await runner.start()  # the stored deadline has passed on this clock: graded at once
        result = embed_text(await server.wait_for(lambda: result_messages(server, group, question.id)))
    finally:
        await runner.stop_all()
    assert f"<@{group.members[0].id}>\n1 of 1 got it exactly right." in result
