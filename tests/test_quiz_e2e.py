"""The quiz end to end: the real discord.py client against the loopback Discord."""

from __future__ import annotations

import re

from fakediscord import FakeDiscord
from harness import SEED_ID, BotRunner, FakeClock, StudyGroup, bot_messages, embed_text

from bot.render import letter

A, B, C, D = range(4)


async def start_quiz(server: FakeDiscord, group: StudyGroup, **options):
    ix = await server.invoke(group.moderator, group.channel, "quiz", **options)
    await ix.wait_response()
    message = await server.wait_for(lambda: ix.original if ix.original and len(ix.original.reactions) == 4 else None,
                                    description="the question with its four reactions")  # fmt: skip
    return ix, message


async def wait_picks(server: FakeDiscord, bot, channel_id: int, expected: dict[int, set[int]]) -> None:
    """Wait until the bot has seen every reaction event the test sent."""
    def seen():
        running = bot.quizmaster.running_in(channel_id)
        return running and {u: p for u, p in running.selections.items() if p} == expected

    await server.wait_for(seen, description=f"the bot to see picks {expected}")


def result_messages(server: FakeDiscord, group: StudyGroup, question_id: int):
    messages = bot_messages(server, group.channel)
    replies = [m for m in messages if m.reference and int(m.reference["message_id"]) == question_id]
    if not replies:
        return []
    return [m for m in messages if m.id >= replies[0].id]


async def test_seed_question_round_trip(server: FakeDiscord, group: StudyGroup, runner: BotRunner,
                                        clock: FakeClock) -> None:  # fmt: skip
    bot = await runner.start()
    ix, question = await start_quiz(server, group, question=SEED_ID, duration=30)

    assert not ix.ephemeral
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
    await wait_picks(server, bot, group.channel.id, {ana.id: {A, D}, ben.id: {A}, cleo.id: {A, B, D}, dev.id: {A, D}})

    clock.advance(30)
    result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    text = embed_text(result)
    winners = re.search(r"Who got it right\n(.*)\n", text).group(1)
    assert set(re.findall(r"<@(\d+)>", winners)) == {str(ana.id), str(dev.id)}
    assert "2 of 4 got it exactly right." in text
    assert re.findall(r"✅ (\S+)", text) == [letter(A), letter(D)]
    assert "✅ 🇦 Binary cross-entropy is the loss function used for multi-label classification problems.\n**4** picks" in text
    assert "❌ 🇧" in text and "· **1** pick" in text
    assert "In summary, multi-class classification models should use a softmax output" in text
    assert "https://peltarion.com/knowledge-center/documentation/modeling-view/build-an-ai-model/loss-functions/binary-crossentropy" in text
    assert all(not m.pings.everyone and not m.pings.users and not m.pings.roles for m in bot_messages(server, group.channel))
    await server.wait_for(lambda: question.content.startswith("🔒 Closed"), description="the question marked closed")

    board = await server.invoke(ben, group.channel, "leaderboard")
    await server.wait_for(lambda: board.followups, description="the leaderboard")
    lines = board.followups[0].embeds[0]["description"].splitlines()
    assert lines[0].startswith("**1.** <@") and lines[1].startswith("**1.** <@")
    assert {re.search(r"<@(\d+)>", line).group(1) for line in lines[:2]} == {str(ana.id), str(dev.id)}
    assert any(f"<@{ben.id}> · 0 pts · 1 answered · 0% right" in line for line in lines)


async def test_a_member_who_is_not_a_moderator_is_refused(server: FakeDiscord, group: StudyGroup,
                                                           runner: BotRunner) -> None:  # fmt: skip
    await runner.start()
    ix = await server.invoke(group.members[0], group.channel, "quiz", question=SEED_ID)
    await ix.wait_response()
    assert ix.ephemeral
    assert "Only moderators" in ix.response.data["content"]
    assert bot_messages(server, group.channel) == []


async def test_a_second_quiz_in_a_busy_channel_is_refused(server: FakeDiscord, group: StudyGroup,
                                                           runner: BotRunner) -> None:  # fmt: skip
    await runner.start()
    await start_quiz(server, group, question=SEED_ID, duration=120)
    second = await server.invoke(group.moderator, group.channel, "quiz")
    await second.wait_response()
    assert second.ephemeral
    assert "already running here; it closes <t:" in second.response.data["content"]
    assert len(bot_messages(server, group.channel)) == 1


async def test_restart_mid_quiz_counts_reactions_made_while_down(server: FakeDiscord, group: StudyGroup,
                                                                 runner: BotRunner, clock: FakeClock) -> None:  # fmt: skip
    bot = await runner.start()
    _, question = await start_quiz(server, group, question=SEED_ID, duration=60)
    ana, ben, *_ = group.members
    await group.react(ana, question, A)
    await wait_picks(server, bot, group.channel.id, {ana.id: {A}})
    await runner.stop(bot)

    await group.react(ana, question, D)  # while the bot is down: ana now has A and D
    await group.react(ben, question, B)
    clock.advance(61)

    await runner.start()  # the quiz is overdue: graded at once from the message's reactions
    result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    text = embed_text(result)
    assert f"<@{ana.id}>\n1 of 2 got it exactly right." in text
    assert len([m for m in bot_messages(server, group.channel) if m.reference]) == 1
