"""The /review drill end to end through the real discord.py client: a miss comes back, is answered
in the private drill, goes away until its due date, and only its owner can press its buttons,
before and after a restart."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fakediscord import FakeDiscord
from fakediscord.interactions import InteractionRecord
from fakediscord.models import Message
from harness import SEED_ID, BotRunner, FakeClock, StudyGroup, embed_text, start_quiz

from bot.client import QuizBot

A, B, C, D = range(4)


async def play(server: FakeDiscord, group: StudyGroup, clock: FakeClock, picks: dict[int, set[int]]) -> None:
    """One group quiz of the seed question, from /quiz to its result."""
    _, question = await start_quiz(server, group, duration=60, question=SEED_ID)
    for member in group.members:
        await group.react(member, question, *sorted(picks.get(member.id, ())))
    await group.settle()
    clock.advance(60)
    await server.wait_for(lambda: question.content.startswith("🔒"), description="the result")


async def open_review(server: FakeDiscord, group: StudyGroup, member) -> Message:
    ix = await server.invoke(member, group.channel, "review")
    await server.wait_for(lambda: ix.followups, description="the drill")
    assert ix.ephemeral and ix.followups[0].ephemeral
    return ix.followups[0]


def component(message: Message, prefix: str) -> str:
    ids = [c["custom_id"] for row in message.components for c in row["components"]]
    found = [custom_id for custom_id in ids if custom_id.startswith(prefix)]
    assert found, f"no {prefix} component among {ids}"
    return found[0]


async def choose(server: FakeDiscord, member, drill: Message, *picks: int) -> None:
    ix = await server.select(member, drill, component(drill, "review:pick:"), [str(p) for p in picks])
    assert (await ix.wait_response()).type == 7  # the same message, updated in place


async def submit(server: FakeDiscord, member, drill: Message) -> None:
    ix = await server.click(member, drill, component(drill, "review:submit:"))
    assert (await ix.wait_response()).type == 6
    await server.wait_for(lambda: component_ids(drill) == ["next"], description="the verdict")


def component_ids(message: Message) -> list[str]:
    return [c["custom_id"].split(":")[1] for row in message.components for c in row["components"]]


def due_at(text: str) -> float:
    return float(re.search(r"<t:(\d+):R>", text)[1])


async def test_a_miss_is_drilled_right_and_comes_back_after_its_due_date(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    await runner.start()
    ana = group.members[0]
    await play(server, group, clock, {ana.id: {B}})

    not_yet = await open_review(server, group, ana)
    assert not_yet.content.startswith("🎉 Nothing due right now. You have 1 card; the next one is due <t:")
    clock.advance(due_at(not_yet.content) - clock.now())  # FSRS brings a miss back a minute later

    drill = await open_review(server, group, ana)
    assert "Arya's confusion" in embed_text([drill]) and "**Which two of the following" in embed_text([drill])
    assert component_ids(drill) == ["pick", "submit"]
    menu = drill.components[0]["components"][0]
    assert (menu["min_values"], menu["max_values"], len(menu["options"])) == (1, 4, 4)
    assert drill.components[1]["components"][0]["disabled"]  # nothing picked yet
    await choose(server, ana, drill, A, D)
    assert component(drill, "review:submit:").endswith(":AD") and not drill.components[1]["components"][0].get(
        "disabled"
    )
    await submit(server, ana, drill)
    verdict = embed_text([drill])
    assert drill.embeds[0]["title"] == "✅ Right · Arya's confusion"
    assert "🇦 Binary cross-entropy is the loss function used for multi-label" in verdict
    assert "The goal of the output layer" in verdict and "Reading" in [e.get("title") for e in drill.embeds]

    next_ix = await server.click(ana, drill, component(drill, "review:next:"))
    await next_ix.wait_response()
    await server.wait_for(lambda: drill.content.startswith("🎉"), description="nothing due")
    assert "Retention so far: 100% of 1 reviews answered right." in drill.content
    assert drill.components == [] and drill.embeds == []
    returns = due_at(drill.content)
    assert returns > clock.now() + 60  # answered right: further out than the miss

    board = await server.invoke(ana, group.channel, "leaderboard")
    await server.wait_for(lambda: board.followups)
    assert "0 pts · 1 answered" in board.followups[0].embeds[0]["description"]  # the drill gives no points
    stats = await server.invoke(ana, group.channel, "stats")
    await server.wait_for(lambda: stats.followups)
    (memory,) = stats.followups[0].embeds[0]["fields"]
    assert memory["value"] == "0 due now · 0 of 1 cards learned · 100% of 1 reviews right"  # learning: 10 min out

    clock.advance(returns - clock.now())
    again = await open_review(server, group, ana)
    assert component_ids(again) == ["pick", "submit"] and "Arya's confusion" in embed_text([again])


async def due_after_a_miss(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock, *members
) -> QuizBot:
    """A running bot, after `members` (default: the first) missed the seed question a minute ago."""
    bot = await runner.start()
    await play(server, group, clock, {member.id: {B} for member in members or group.members[:1]})
    clock.advance(60)
    return bot


async def refused(ix: InteractionRecord) -> bool:
    callback = await ix.wait_response()
    return callback.type == 4 and ix.ephemeral and "belong to someone else's review" in ix.content


async def test_another_member_cannot_press_someones_drill(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    ana, ben, *_ = group.members
    bot = await due_after_a_miss(server, group, runner, clock, ana, ben)
    drill = await open_review(server, group, ana)
    before = (drill.embeds, drill.components)

    assert await refused(await server.select(ben, drill, component(drill, "review:pick:"), ["0", "3"]))
    await choose(server, ana, drill, A, D)
    assert await refused(await server.click(ben, drill, component(drill, "review:submit:")))
    assert drill.embeds == before[0] and component_ids(drill) == ["pick", "submit"]
    card = await bot.store.due_card(group.guild.id, ana.id, clock.now())
    assert card is not None and card.memory.reviews == 1  # ben's press changed nothing

    await submit(server, ana, drill)
    assert await refused(await server.click(ben, drill, component(drill, "review:next:")))
    assert (await bot.store.due_card(group.guild.id, ben.id, clock.now())).memory.reviews == 1


async def test_a_drill_keeps_working_across_a_restart(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await due_after_a_miss(server, group, runner, clock)
    ana = group.members[0]
    drill = await open_review(server, group, ana)
    await choose(server, ana, drill, A)
    await runner.stop(bot)

    bot = await runner.start()  # a new process: nothing of the drill is in memory
    await submit(server, ana, drill)
    assert drill.embeds[0]["title"].startswith("🟡 Partly right")
    card = await bot.store.card(1)  # the only card
    assert card is not None and card.memory.reviews == 2


async def test_a_card_shown_twice_counts_once(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await due_after_a_miss(server, group, runner, clock)
    ana = group.members[0]
    first, second = await open_review(server, group, ana), await open_review(server, group, ana)
    await choose(server, ana, first, A, D)
    await submit(server, ana, first)
    await choose(server, ana, second, B)
    await submit(server, ana, second)
    assert second.content.startswith("You already answered this card") and second.embeds == []
    card = await bot.store.card(1)
    assert card.memory.reviews == 2  # the miss in the quiz and the first drill answer


# -- the group's review ------------------------------------------------------------------------

PARADOX = "evaluation/accuracy-paradox"


async def play_everyone(
    server: FakeDiscord, group: StudyGroup, clock: FakeClock, question: str, picks: set[int]
) -> None:
    _, posted = await start_quiz(server, group, duration=60, question=question)
    for member in group.members:
        await group.react(member, posted, *sorted(picks))
    await group.settle()
    clock.advance(60)
    await server.wait_for(lambda: posted.content.startswith("🔒"), description="the result")


async def test_quiz_pick_review_asks_what_the_group_is_closest_to_forgetting(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    nothing = await server.invoke(group.moderator, group.channel, "quiz", pick="review")
    await server.wait_for(lambda: nothing.followups, description="the refusal")
    assert nothing.ephemeral and nothing.followups[0].content.startswith("Nothing to review yet")

    await play_everyone(server, group, clock, SEED_ID, {A, D})  # everyone right
    await play_everyone(server, group, clock, PARADOX, {B})  # everyone wrong
    clock.advance(3 * 86_400)
    for values, expected in (({}, PARADOX), ({"topic": "neural-networks"}, SEED_ID)):
        _, posted = await start_quiz(server, group, pick="review", **values)
        assert bot.quizmaster.running_in(group.channel.id).quiz.question.id == expected, values
        end = await server.invoke(group.moderator, group.channel, "endquiz")
        await end.wait_response()
        await server.wait_for(lambda p=posted: p.content.startswith("🔒"), description="the result")


async def test_a_review_schedule_asks_what_the_group_is_forgetting(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    await play_everyone(server, group, clock, SEED_ID, {A, D})
    await play_everyone(server, group, clock, PARADOX, {B})
    added = await server.invoke(
        group.moderator, group.channel, "quizschedule add", days="daily", time="12:00", timezone="UTC", pick="review"
    )
    await server.wait_for(lambda: added.followups, description="the schedule")
    assert "review: the question the group is closest to forgetting" in added.followups[0].content
    listing = await server.invoke(group.moderator, group.channel, "quizschedule list")
    await server.wait_for(lambda: listing.followups, description="the list")
    assert "· every day at 12:00 (UTC), review: the question" in listing.followups[0].content

    for moment in ("2027-01-18T11:59", "2027-01-18T12:00"):  # the slots before are missed, and skipped
        ticks = bot.scheduler.ticks
        clock.advance(datetime.fromisoformat(moment).replace(tzinfo=UTC).timestamp() - clock.now())
        await server.wait_for(lambda t=ticks: bot.scheduler.ticks > t, description=f"a pass at {moment}")
    await server.wait_for(lambda: bot.quizmaster.running_in(group.channel.id), description="the review question")
    assert bot.quizmaster.running_in(group.channel.id).quiz.question.id == PARADOX


async def test_a_review_schedule_with_nothing_answered_yet_still_asks_a_question(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    bot = await runner.start()
    added = await server.invoke(
        group.moderator, group.channel, "quizschedule add", days="daily", time="12:00", timezone="UTC", pick="review"
    )
    await server.wait_for(lambda: added.followups, description="the schedule")
    clock.advance(datetime.fromisoformat("2027-01-15T12:00").replace(tzinfo=UTC).timestamp() - clock.now())
    await server.wait_for(lambda: bot.quizmaster.running_in(group.channel.id), description="a question all the same")
