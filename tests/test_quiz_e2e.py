"""The quiz end to end: the real discord.py client against the loopback Discord."""

from __future__ import annotations

import re

from fakediscord import FakeDiscord
from harness import (
    SEED_ID,
    BotRunner,
    FakeClock,
    StudyGroup,
    assert_picks,
    bot_messages,
    embed_text,
    result_messages,
    start_quiz,
)

from bot.render import letter

A, B, C, D = range(4)


async def test_seed_question_round_trip(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    ix, question = await start_quiz(server, group, question=SEED_ID, duration=30)

    (note,) = await server.wait_for(lambda: ix.followups, description="the note to the moderator")
    assert note.ephemeral and note.content.startswith("Posted https://discord.com/channels/")
    assert note.content.endswith(f"/{question.id}; it closes <t:{int(clock.now()) + 30}:R>.")
    assert question.content.startswith("⏳ Closes <t:") and question.content.endswith("· **Pick 2**")
    assert list(question.reactions) == [letter(i) for i in range(4)]
    assert "Which two of the following statements are correct?" in embed_text([question])

    ana, ben, cleo, dev = group.members
    await group.react(ana, question, A, D)
    await group.react(ben, question, A)
    await group.react(cleo, question, A, B, D)
    await group.react(dev, question, D, A)
    await group.unreact(dev, question, A)
    await group.react(dev, question, A)
    await assert_picks(group, bot, {ana.id: {A, D}, ben.id: {A}, cleo.id: {A, B, D}, dev.id: {A, D}})

    clock.advance(30)
    result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    text = embed_text(result)
    winners = re.search(r"Who got it right\n(.*)\n", text).group(1)
    assert set(re.findall(r"<@(\d+)>", winners)) == {str(ana.id), str(dev.id)}
    assert "2 of 4 got it exactly right." in text
    assert re.findall(r"✅ (\S+)", text) == [letter(A), letter(D)]
    assert (
        "✅ 🇦 Binary cross-entropy is the loss function used for multi-label classification problems."
        "\n**4** picks" in text
    )
    assert "❌ 🇧" in text and "· **1** pick" in text
    assert "In summary, multi-class classification models should use a softmax output" in text
    assert (
        "https://peltarion.com/knowledge-center/documentation/modeling-view/build-an-ai-model/loss-functions/binary-crossentropy"
        in text
    )
    assert all(
        not m.pings.everyone and not m.pings.users and not m.pings.roles for m in bot_messages(server, group.channel)
    )
    await server.wait_for(lambda: question.content.startswith("🔒 Closed"), description="the question marked closed")

    board = await server.invoke(ben, group.channel, "leaderboard")
    await server.wait_for(lambda: board.followups, description="the leaderboard")
    lines = board.followups[0].embeds[0]["description"].splitlines()
    assert lines[0].startswith("**1.** <@") and lines[1].startswith("**1.** <@")
    assert {re.search(r"<@(\d+)>", line).group(1) for line in lines[:2]} == {str(ana.id), str(dev.id)}
    assert any(f"<@{ben.id}> · 0 pts · 1 answered · 0% right" in line for line in lines)


async def test_a_member_who_is_not_a_moderator_is_refused(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner
) -> None:
    await runner.start()
    ix = await server.invoke(group.members[0], group.channel, "quiz", question=SEED_ID)
    await ix.wait_response()
    assert ix.ephemeral
    assert "Only moderators" in ix.response.data["content"]
    assert bot_messages(server, group.channel) == []


async def test_a_second_quiz_in_a_busy_channel_is_refused(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner
) -> None:
    await runner.start()
    await start_quiz(server, group, question=SEED_ID, duration=120)
    second = await server.invoke(group.moderator, group.channel, "quiz")
    await second.wait_response()
    assert second.ephemeral
    assert "already running here; it closes <t:" in second.response.data["content"]
    assert len(bot_messages(server, group.channel)) == 1


async def test_restart_mid_quiz_counts_reactions_made_while_down(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    ana, ben, *_ = group.members
    await group.react(ana, question, A)
    await assert_picks(group, bot, {ana.id: {A}})
    await runner.stop(bot)

    await group.react(ana, question, D)  # while the bot is down: ana now has A and D
    await group.react(ben, question, B)
    clock.advance(61)

    await runner.start()  # the quiz is overdue: graded at once from the message's reactions
    result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    text = embed_text(result)
    assert f"<@{ana.id}>\n1 of 2 got it exactly right." in text
    assert len([m for m in bot_messages(server, group.channel) if m.reference]) == 1


async def test_endquiz_grades_at_once(server: FakeDiscord, group: StudyGroup, runner: BotRunner) -> None:
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=3600)
    ana = group.members[0]
    await group.react(ana, question, A, D)
    await assert_picks(group, bot, {ana.id: {A, D}})

    ix = await server.invoke(group.moderator, group.channel, "endquiz")
    await ix.wait_response()
    assert ix.ephemeral
    result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    assert f"<@{ana.id}>\n1 of 1 got it exactly right." in embed_text(result)
    await server.wait_for(lambda: bot.quizmaster.running_in(group.channel.id) is None, description="a free channel")


async def test_endquiz_without_a_running_quiz_explains(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner
) -> None:
    await runner.start()
    ix = await server.invoke(group.moderator, group.channel, "endquiz")
    await ix.wait_response()
    assert ix.ephemeral and ix.response.data["content"] == "No quiz is running in this channel."


async def test_unknown_question_and_topic_suggest_the_closest(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner
) -> None:
    await runner.start()
    ix = await server.invoke(group.moderator, group.channel, "quiz", question="neural-networks/arya-confusoin")
    await ix.wait_response()
    assert ix.ephemeral
    assert f"Did you mean `{SEED_ID}`" in ix.response.data["content"]
    ix = await server.invoke(group.moderator, group.channel, "quiz", topic="evalution")
    await ix.wait_response()
    assert ix.ephemeral and "Did you mean `evaluation`" in ix.response.data["content"]
    assert bot_messages(server, group.channel) == []


async def test_autocomplete_searches_ids_titles_and_topics(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner
) -> None:
    await runner.start()
    choices = await server.autocomplete(group.moderator, group.channel, "quiz", focused="question", question="arya")
    assert [c["value"] for c in choices] == [SEED_ID]
    assert choices[0]["name"] == f"Arya's confusion · {SEED_ID}"
    topics = await server.autocomplete(group.moderator, group.channel, "quiz", focused="topic", topic="eval")
    assert [c["value"] for c in topics] == ["evaluation"]


async def test_quiz_without_a_question_picks_one_in_the_topic_never_asked_first(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    in_topic = {q.id for q in runner.bank.in_topic("evaluation")}
    asked = []
    for _ in range(len(in_topic)):
        _, question = await start_quiz(server, group, topic="evaluation", duration=5)
        asked.append(next(qid for qid in in_topic if runner.bank.get(qid).title in embed_text([question])))
        await server.invoke(group.moderator, group.channel, "endquiz")
        await server.wait_for(
            lambda q=question: not bot.quizmaster.running_in(group.channel.id) and result_messages(server, group, q.id)
        )
    assert sorted(asked) == sorted(in_topic)  # every question once before any repeats


async def test_graded_but_unannounced_quiz_is_announced_once_after_a_crash(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    ana = group.members[0]
    await group.react(ana, question, A, D)
    await assert_picks(group, bot, {ana.id: {A, D}})
    await runner.stop(bot)
    # The crash point: the grading transaction committed, the bot died before posting the result.
    from bot.grading import Result
    from bot.store import Store

    store = await Store.open(runner.database)
    (quiz,) = await store.unfinished_quizzes()
    quiz = await store.freeze_answers(quiz, {ana.id: frozenset({A, D})}, clock.now())
    assert await store.record_results(quiz, [Result(ana.id, frozenset({A, D}), 1.0, True)], clock.now())
    await store.close()

    runner.bank = type(runner.bank)({})  # the question was also removed from the bank meanwhile
    bot = await runner.start()
    result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    assert "Arya's confusion" in embed_text(result)
    await server.wait_for(lambda: question.content.startswith("🔒 Closed"))
    await runner.stop(bot)
    bot = await runner.start()  # a further restart announces nothing again
    board = await server.invoke(group.members[1], group.channel, "leaderboard")
    await server.wait_for(lambda: board.followups)
    assert board.followups[0].embeds[0]["description"] == f"**1.** <@{ana.id}> · 1 pts · 1 answered · 100% right"
    assert len([m for m in bot_messages(server, group.channel) if m.reference]) == 1


async def test_reactions_cleared_by_a_moderator_are_unpicked(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner
) -> None:
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    ana, ben, *_ = group.members
    await group.react(ana, question, A, D)
    await group.react(ben, question, A, B)
    ids = {"channel_id": str(group.channel.id), "message_id": str(question.id), "guild_id": str(group.guild.id)}
    await server.dispatch("MESSAGE_REACTION_REMOVE_EMOJI", {**ids, "emoji": {"id": None, "name": letter(A)}})
    await assert_picks(group, bot, {ana.id: {D}, ben.id: {B}})
    await server.dispatch("MESSAGE_REACTION_REMOVE_ALL", ids)
    await assert_picks(group, bot, {})
