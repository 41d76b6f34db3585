"""Learning together, end to end: schedules, statistics and seasons (the review drill: test_review_drill_e2e)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakediscord import FakeDiscord
from fakediscord.models import Message
from harness import SEED_ID, BotRunner, FakeClock, StudyGroup, bot_messages, start_quiz

A, B, C, D = range(4)


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def questions_posted(server: FakeDiscord, group: StudyGroup) -> list[Message]:
    return [m for m in bot_messages(server, group.channel) if m.content.startswith(("⏳", "🔒"))]


async def play(server: FakeDiscord, group: StudyGroup, clock: FakeClock, picks: dict[int, set[int]], **values) -> None:
    """One quiz from /quiz to its result, with these members' picks."""
    _, question = await start_quiz(server, group, duration=60, **values)
    for member in group.members:
        await group.react(member, question, *sorted(picks.get(member.id, ())))
    await group.settle()
    clock.advance(60)
    await server.wait_for(lambda: question.content.startswith("🔒"), description="the result")


# -- 1. scheduled questions --------------------------------------------------------------------


async def add_schedule(server: FakeDiscord, group: StudyGroup, **values) -> str:
    ix = await server.invoke(group.moderator, group.channel, "quizschedule add", **values)
    await server.wait_for(lambda: ix.followups or (ix.response and ix.response.type == 4))
    return ix.followups[0].content if ix.followups else ix.response.data["content"]


async def assert_fires(
    server: FakeDiscord, group: StudyGroup, bot, clock: FakeClock, steps: list[tuple[str, int]]
) -> None:
    """Move the clock to each moment (UTC) and check how many questions the schedule has posted by then."""
    for moment, posted in steps:
        before, already = bot.scheduler.ticks, len(questions_posted(server, group))
        clock.advance(utc(moment) - clock.now())
        if posted > already:  # a slot has come: wait for the scheduler's pass, which posts it
            await server.wait_for(lambda b=before: bot.scheduler.ticks > b, description=f"a pass at {moment}")
        await group.settle()
        assert len(questions_posted(server, group)) == posted, moment


@pytest.mark.parametrize(
    ("start", "zone", "steps"),
    [
        pytest.param(  # Berlin springs forward on 2027-03-28: 02:30 does not exist that night
            "2027-03-26T12:00",
            "Europe/Berlin",
            # 02:30 CET; on the gap night 03:00 CEST, when the clock jumps over 02:30; then 02:30 CEST.
            [
                ("2027-03-27T01:29", 0),
                ("2027-03-27T01:30", 1),
                ("2027-03-28T00:59", 1),
                ("2027-03-28T01:00", 2),
                ("2027-03-28T23:00", 2),
                ("2027-03-29T00:30", 3),
                ("2027-03-29T12:00", 3),
            ],
            id="spring-forward",
        ),
        pytest.param(  # New York falls back on 2027-11-07: 01:30 happens twice that night
            "2027-11-05T12:00",
            "America/New_York",
            # 01:30 EDT; on the night it repeats, once at the first 01:30 (EDT); then 01:30 EST.
            [
                ("2027-11-06T05:30", 1),
                ("2027-11-07T05:29", 1),
                ("2027-11-07T05:30", 2),
                ("2027-11-07T06:30", 2),
                ("2027-11-08T06:29", 2),
                ("2027-11-08T06:30", 3),
            ],
            id="fall-back",
        ),
    ],
)
async def test_a_daily_schedule_fires_once_a_day_across_daylight_saving(
    server: FakeDiscord, group: StudyGroup, tmp_path: Path, start: str, zone: str, steps: list
) -> None:
    clock = FakeClock(utc(start))
    runner = BotRunner(server, tmp_path / "q.sqlite3", clock)
    at = "02:30" if zone == "Europe/Berlin" else "01:30"
    try:
        bot = await runner.start()
        reply = await add_schedule(server, group, days="daily", time=at, timezone=zone.lower(), duration=60)
        assert reply.startswith(f"Scheduled #1: every day at {at} ({zone}) in <#")
        first_slot = next(moment for moment, posted in steps if posted == 1)
        assert f"<t:{int(utc(first_slot))}:R>" in reply
        await server.wait_for(lambda: bot.scheduler.ticks >= 2, description="the scheduler to see the schedule")
        await assert_fires(server, group, bot, clock, steps)
    finally:
        await runner.stop_all()


async def test_a_missed_slot_fires_on_start_only_within_one_duration(
    server: FakeDiscord, group: StudyGroup, tmp_path: Path
) -> None:
    clock = FakeClock(utc("2027-06-07T06:00"))  # a Monday
    runner = BotRunner(server, tmp_path / "q.sqlite3", clock)
    try:
        bot = await runner.start()
        await add_schedule(server, group, days="mon-fri", time="09:00", timezone="UTC", duration=600)
        await runner.stop(bot)

        clock.advance(utc("2027-06-07T09:05") - clock.now())  # down at 09:00, back 5 minutes late
        bot = await runner.start()
        await server.wait_for(lambda: len(questions_posted(server, group)) == 1)
        clock.advance(600)  # that quiz closes
        await server.wait_for(lambda: questions_posted(server, group)[0].content.startswith("🔒"))
        await runner.stop(bot)

        clock.advance(utc("2027-06-08T09:30") - clock.now())  # down at Tuesday's slot, back 30 minutes late
        await runner.start()
        await group.settle()
        assert len(questions_posted(server, group)) == 1  # skipped: it would already be over
        clock.advance(utc("2027-06-09T09:00") - clock.now())  # Wednesday's slot fires as usual
        await server.wait_for(lambda: len(questions_posted(server, group)) == 2)
    finally:
        await runner.stop_all()


async def test_schedules_are_listed_and_removed_by_moderators_only(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner
) -> None:
    await runner.start()
    assert (await add_schedule(server, group, days="weekdays", time="7:5", timezone="UTC")).startswith("`7:5` is not")
    assert "Did you mean `Europe/Berlin`" in await add_schedule(
        server, group, days="mon", time="07:05", timezone="Europe/Berln"
    )
    await add_schedule(server, group, days="mon,wed", time="07:05", timezone="Asia/Tokyo", topic="evaluation")
    listing = await server.invoke(group.moderator, group.channel, "quizschedule list")
    await server.wait_for(lambda: listing.followups)
    assert re.match(
        r"\*\*#1\*\* <#\d+> · Mon, Wed at 07:05 \(Asia/Tokyo\) · topic `evaluation` · next <t:\d+:R>",
        listing.followups[0].content,
    )
    refused = await server.invoke(group.members[0], group.channel, "quizschedule remove", schedule=1)
    await refused.wait_response()
    assert "Only moderators" in refused.response.data["content"]
    removed = await server.invoke(group.moderator, group.channel, "quizschedule remove", schedule=1)
    await server.wait_for(lambda: removed.followups)
    assert removed.followups[0].content == "Removed schedule #1."
    zones = await server.autocomplete(
        group.moderator, group.channel, "quizschedule add", focused="timezone", timezone="berl"
    )
    assert [z["value"] for z in zones] == ["Europe/Berlin"]


# -- 2. statistics, 3. seasons, 4. review ------------------------------------------------------


async def test_stats_questionstats_review_and_seasons(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, clock: FakeClock
) -> None:
    await runner.start()
    ana, ben, *_ = group.members
    await play(server, group, clock, {ana.id: {A, D}, ben.id: {B}}, question=SEED_ID)
    await play(server, group, clock, {ana.id: {A, D}, ben.id: {A, D}}, question=SEED_ID)
    await play(server, group, clock, {ana.id: {A}, ben.id: {A, D}}, question=SEED_ID)

    stats = await server.invoke(ben, group.channel, "stats", member=ana)
    await server.wait_for(lambda: stats.followups)
    text = stats.followups[0].embeds[0]["description"]
    assert f"<@{ana.id}> · **2** pts · 3 answered · 67% exactly right" in text
    assert "Streak: **0** in a row now, best **2**" in text
    assert "`neural-networks` · 2/3 right (67%)" in text
    [chart] = stats.followups[0].attachments  # all three answers fell in one week: no weekly chart
    assert chart["filename"] == "topics.png" and chart["width"] > 300
    assert stats.followups[0].embeds[0]["image"]["url"] == chart["url"]

    hardest = await server.invoke(group.moderator, group.channel, "questionstats")
    await server.wait_for(lambda: hardest.followups)
    assert hardest.followups[0].ephemeral
    assert (
        "67% right · asked 3 times · 6 answers · most-picked wrong: 🇧 (1)"
        in hardest.followups[0].embeds[0]["description"]
    )
    [chart] = hardest.followups[0].attachments
    assert hardest.followups[0].embeds[0]["image"]["url"] == chart["url"]

    clock.advance(1)
    season = await server.invoke(group.moderator, group.channel, "newseason")
    await server.wait_for(lambda: season.followups)
    assert season.followups[0].content.startswith("🏁 Season 2 starts now.")
    await play(server, group, clock, {ben.id: {A, D}}, question=SEED_ID)

    async def board(**values) -> str:
        ix = await server.invoke(ana, group.channel, "leaderboard", **values)
        await server.wait_for(lambda: ix.followups)
        embed = ix.followups[0].embeds[0]
        return f"{embed['title']}\n{embed['description']}"

    assert (await board(period="season")).splitlines() == [
        "Leaderboard · this season (season 2)",
        f"**1.** <@{ben.id}> · 1 pts · 1 answered · 100% right",
    ]
    old = await board(season=1)
    assert old.startswith("Leaderboard · season 1\n") and f"**1.** <@{ana.id}> · 2 pts · 3 answered" in old
    assert f"**1.** <@{ben.id}> · 3 pts · 4 answered" in await board()  # all time keeps everything
    missing = await server.invoke(ana, group.channel, "leaderboard", season=5)
    await server.wait_for(lambda: missing.followups)
    assert missing.followups[0].content == "There is no season 5 yet; this is season 2."


async def test_a_discussion_thread_opens_under_each_result_when_configured(
    server: FakeDiscord, group: StudyGroup, tmp_path: Path, clock: FakeClock
) -> None:
    runner = BotRunner(server, tmp_path / "q.sqlite3", clock, discussion_threads=True)
    try:
        await runner.start()
        refused = await server.invoke(group.moderator, group.channel, "quiz", question=SEED_ID)
        await refused.wait_response()
        assert "I'm missing **Create Public Threads**." in refused.response.data["content"]

        server.set_bot_permissions(group.guild, server.bot_permissions(group.channel).value | 1 << 35)
        await play(server, group, clock, {group.members[0].id: {A, D}}, question=SEED_ID)
        (result, *_) = [m for m in bot_messages(server, group.channel) if m.reference]
        thread = server.thread_on(result)
        assert thread is not None and thread.name == "Discuss: Arya's confusion"
    finally:
        await runner.stop_all()


async def test_the_leaderboard_adds_the_callers_rank_below_the_top(
    server: FakeDiscord, group: StudyGroup, tmp_path: Path, clock: FakeClock
) -> None:
    runner = BotRunner(server, tmp_path / "q.sqlite3", clock, leaderboard_size=1)
    ana, ben, *_ = group.members
    try:
        await runner.start()
        await play(server, group, clock, {ana.id: {A, D}, ben.id: {A}}, question=SEED_ID)
        board = await server.invoke(ben, group.channel, "leaderboard")
        await server.wait_for(lambda: board.followups)
    finally:
        await runner.stop_all()
    assert board.followups[0].embeds[0]["description"].splitlines() == [
        f"**1.** <@{ana.id}> · 1 pts · 1 answered · 100% right",
        "…",
        f"**2.** <@{ben.id}> · 0 pts · 1 answered · 0% right",
    ]
