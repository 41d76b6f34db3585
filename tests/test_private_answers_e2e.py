"""Private answers end to end through the real discord.py client: members choose in a menu only they
see, each choice stored before it is acknowledged; nothing public shows a pick before the result; the
menu and every acknowledged answer survive a restart."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fakediscord import FakeDiscord
from fakediscord.interactions import InteractionRecord
from fakediscord.models import Message, User
from harness import (
    SEED_ID,
    BotRunner,
    FakeClock,
    StudyGroup,
    assert_picks,
    bot_messages,
    database_locked,
    embed_text,
    result_messages,
)

from bot.client import REST_CONNECTIONS

A, B, C, D = range(4)
EPHEMERAL = 64


async def start_private(server: FakeDiscord, group: StudyGroup, **values: object) -> Message:
    """A moderator runs /quiz; returns the question once its menu is on."""
    ix = await server.invoke(group.moderator, group.channel, "quiz", question=SEED_ID, duration=60, **values)
    await ix.wait_response()
    await server.wait_for(lambda: ix.followups, description="the note to the moderator")
    return bot_messages(server, group.channel)[-1]


def menu(question: Message) -> dict:
    (row,) = question.components
    (select,) = row["components"]
    return select


async def choose(server: FakeDiscord, member: User, question: Message, *picks: int) -> InteractionRecord:
    ix = await server.select(member, question, menu(question)["custom_id"], [str(p) for p in picks])
    response = await ix.wait_response()
    assert response.type == 4 and int(response.data["flags"]) & EPHEMERAL  # a private reply, nobody else's
    return ix


def snapshot(server: FakeDiscord, group: StudyGroup) -> list[tuple]:
    """Everything public in the channel: each message's text, embeds, components and reactions."""
    messages = server.messages(group.channel)
    return [(m.id, m.content, embed_text([m]), repr(m.components), dict(m.reactions)) for m in messages]


def said(ix: InteractionRecord) -> str:
    return ix.response.data["content"]


def winners(result: list[Message]) -> set[int]:
    found = re.search(r"Who got it right\n(.*)\n", embed_text(result))
    return {int(user) for user in re.findall(r"<@(\d+)>", found.group(1))} if found else set()


async def test_five_members_answer_privately_and_the_result_names_the_right_ones(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    question = await start_private(server, group, answers="private")
    assert question.reactions == {}  # nothing to click but the menu
    select = menu(question)
    assert (select["min_values"], select["max_values"]) == (1, 4)
    assert [o["label"][0] for o in select["options"]] == ["🇦", "🇧", "🇨", "🇩"]
    assert all(len(o["label"]) <= 100 for o in select["options"])

    ana, ben, cleo, dev = group.members
    (eve,) = group.add_members(1)
    deadline = int(clock.now()) + 60
    public = snapshot(server, group)
    first = await choose(server, ana, question, A, D)
    assert said(first) == f"Your answer: 🇦 🇩 — you can change it until <t:{deadline}:R>."
    await choose(server, ben, question, A)
    await choose(server, cleo, question, B)  # cleo changes her answer twice
    await choose(server, cleo, question, A, B, D)
    assert (
        said(await choose(server, cleo, question, D, A))
        == f"Your answer: 🇦 🇩 — you can change it until <t:{deadline}:R>."
    )
    await choose(server, dev, question, C)
    assert snapshot(server, group) == public  # no public message or reaction shows a pick or a count
    await group.react(eve, question, A, D)  # letters eve adds herself are not an answer in a private quiz
    await assert_picks(group, bot, {})

    clock.advance(60)
    late = await choose(server, eve, question, A, D)  # after the deadline: counts for nothing
    assert said(late) == "This quiz has closed; that choice was not counted."
    result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    assert winners(result) == {ana.id, cleo.id}
    assert "2 of 4 got it exactly right." in embed_text(result)


async def test_a_restart_mid_quiz_keeps_every_acknowledged_answer_and_the_menu_works(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    runner.quiz_config["answers"] = "private"  # the server's default
    bot = await runner.start()
    question = await start_private(server, group)
    ana, ben, *_ = group.members
    await choose(server, ana, question, A, D)
    quiz_id = int(menu(question)["custom_id"].split(":")[1])
    assert await bot.store.selections(quiz_id) == {ana.id: frozenset({A, D})}  # stored by the time it was acknowledged
    await runner.stop(bot)

    await runner.start()  # a new process: nothing of the quiz is in memory
    after = await choose(server, ben, question, A, D)
    assert said(after).startswith("Your answer: 🇦 🇩")
    clock.advance(60)
    result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    assert winners(result) == {ana.id, ben.id}


async def test_a_choice_while_the_database_is_locked_is_refused_and_choosing_again_works(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()  # busy timeout 100 ms: a locked database fails the write well within 3 s
    question = await start_private(server, group, answers="private")
    quiz_id = int(menu(question)["custom_id"].split(":")[1])
    ana, ben, *_ = group.members
    async with database_locked(runner.database):
        busy = await choose(server, ana, question, A, D)
    assert said(busy) == "The database is busy right now, so your answer was not recorded; choose it again."
    assert await bot.store.selections(quiz_id) == {}  # nothing was acknowledged as stored, and nothing is

    again = await choose(server, ana, question, A, D)
    assert said(again).startswith("Your answer: 🇦 🇩")
    await choose(server, ben, question, B)
    clock.advance(60)
    result = await server.wait_for(lambda: result_messages(server, group, question.id), description="the result")
    assert winners(result) == {ana.id}


async def test_a_choice_the_database_holds_past_two_seconds_is_deferred_then_answered(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    runner.busy_timeout_ms = 3500  # the write gives up only after Discord's 3 s (in production: 5 s)
    bot = await runner.start()
    question = await start_private(server, group, answers="private")
    async with database_locked(runner.database):
        ix = await server.select(group.members[0], question, menu(question)["custom_id"], ["0"])
        response = await ix.wait_response()
        assert response.type == 5 and ix.ephemeral  # "thinking…", only to her, in time for Discord
        await server.wait_for(lambda: ix.followups, timeout=10, description="the answer after the deferral")
    assert ix.content == "The database is busy right now, so your answer was not recorded; choose it again."
    assert ix.followups[0].flags & EPHEMERAL
    assert await bot.store.selections(int(menu(question)["custom_id"].split(":")[1])) == {}


async def test_a_burst_of_answers_reaches_discord_over_a_bounded_number_of_connections(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    await runner.start()
    question = await start_private(server, group, answers="private")
    crowd = group.add_members(REST_CONNECTIONS + 50)
    server.slow_next("POST", "/interactions/{i}/{token}/callback", 0.3, times=len(crowd))  # a round trip each
    records = [await server.select(member, question, menu(question)["custom_id"], ["0"]) for member in crowd]
    for ix in records:
        assert (await ix.wait_response()).type == 4  # all acknowledged in Discord's 3 s, none deferred
    replies = await server.answered_callbacks(records)
    assert len(replies) == len(crowd)
    assert len({request.peer for request in replies}) <= REST_CONNECTIONS


async def test_answers_reactions_overrides_a_private_default(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    runner.quiz_config["answers"] = "private"
    await runner.start()
    ix = await server.invoke(group.moderator, group.channel, "quiz", question=SEED_ID, answers="reactions")
    await ix.wait_response()
    question = await server.wait_for(
        lambda: next((m for m in bot_messages(server, group.channel) if len(m.reactions) == 4), None),
        description="the question with its letters",
    )
    assert question.components == []


async def test_a_scheduled_quiz_with_answers_private_posts_the_menu(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    clock.advance(datetime(2027, 6, 7, 8, 0, tzinfo=UTC).timestamp() - clock.now())  # a Monday; the default: reactions
    bot = await runner.start()
    ix = await server.invoke(
        group.moderator, group.channel, "quizschedule add", days="mon", time="09:00", timezone="UTC",
        duration=60, answers="private",
    )  # fmt: skip
    await server.wait_for(lambda: ix.followups, description="the schedule's confirmation")
    assert ix.followups[0].content.startswith("Scheduled #1: Mon at 09:00 (UTC) in <#")
    assert ", private answers. First question" in ix.followups[0].content
    await server.wait_for(lambda: bot.scheduler.ticks >= 2, description="the scheduler to see the schedule")

    clock.advance(3600)  # 09:00: the slot fires
    question = await server.wait_for(
        lambda: next((m for m in bot_messages(server, group.channel) if m.components), None),
        description="the scheduled question with its menu",
    )
    assert question.reactions == {} and menu(question)["max_values"] == 4
    ana = group.members[0]
    assert said(await choose(server, ana, question, A, D)).startswith("Your answer: 🇦 🇩")
    clock.advance(60)
    await server.wait_for(lambda: question.content.startswith("🔒"), description="the whole result posted")
    standings = embed_text(result_messages(server, group, question.id))
    assert re.search(rf"<@{ana.id}> · [0-9.]+ pts · 1 answered", standings)  # her private answer was graded
