"""Replies end to end: long input, lists and ids never make Discord refuse an answer; errors are worded."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakediscord import FakeDiscord
from harness import BotRunner, FakeClock, StudyGroup, answer_and_reveal, embed_text, squeezed, start_quiz

from bot.client import QuizBot

GOOD = "# {title}\n\n**Which two are right?**\n\n- [x] a\n- [x] b\n- [ ] c\n- [ ] d\n\n## Answer\n\nBecause.\n"
LONG = "x" * 1990  # typed into an option: with the words around it, over Discord's 2,000


def refused(server: FakeDiscord) -> list:
    return [(r.method, r.template, r.status) for r in server.requests if r.status >= 400]


async def add_schedules(bot: QuizBot, group: StudyGroup, topics: list[str]) -> None:
    for topic in topics:
        await bot.store.add_schedule(
            guild_id=group.guild.id,
            channel_id=group.channel.id,
            days="mon",
            at="09:00",
            zone="UTC",
            topic=topic,
            duration=None,
            created_by=group.moderator.id,
            created_at=0.0,
        )


async def private_answer(server: FakeDiscord, group: StudyGroup, command: str, **options: object) -> str:
    """What the moderator is told, privately, after running `command`."""
    ix = await server.invoke(group.moderator, group.channel, command, **options)
    response = await ix.wait_response()
    if response.type == 5:  # deferred: the answer is a follow-up
        await server.wait_for(lambda: ix.followups, description=f"/{command}'s answer")
        assert ix.followups[0].ephemeral
        return ix.followups[0].content
    assert ix.ephemeral
    return response.data["content"]


async def test_reload_names_many_starved_schedules_within_one_message(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner
) -> None:
    bot = await runner.start()
    await add_schedules(bot, group, [f"retired-topic-number-{n}" for n in range(40)])
    text = await private_answer(server, group, "reloadquestions")
    assert len(text) <= 2000
    shown = text.count("Schedule #")
    assert 0 < shown < 40
    assert text.endswith(f"… and {40 - shown} more schedules like these: `/quizschedule list`.")
    assert refused(server) == []


async def test_schedule_list_shows_whole_lines_and_how_many_more(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner
) -> None:
    bot = await runner.start()
    await add_schedules(bot, group, [f"topic-{n}-" + "t" * 60 for n in range(60)])
    text = await private_answer(server, group, "quizschedule list")
    assert len(text) <= 2000
    *lines, more = text.split("\n")
    assert all(line.startswith("**#") and line.endswith(":R>") for line in lines)  # none cut mid-line
    assert more == f"… and {60 - len(lines)} more: remove one with `/quizschedule remove`."


@pytest.mark.parametrize(
    ("command", "options", "echo"),
    [
        ("quiz", {"question": LONG}, "No question `xxx"),
        ("quiz", {"topic": LONG}, "No questions in topic `xxx"),
        ("quizschedule add", {"days": LONG, "time": "09:00", "timezone": "UTC"}, "I don't understand `xxx"),
        ("quizschedule add", {"days": "mon", "time": LONG, "timezone": "UTC"}, "`xxx"),
        ("quizschedule add", {"days": "mon", "time": "09:00", "timezone": LONG}, "`xxx"),
        ("quizschedule add", {"days": "mon", "time": "09:00", "timezone": "UTC", "topic": LONG}, "topic `xxx"),
    ],
    ids=["quiz question", "quiz topic", "days", "time", "timezone", "schedule topic"],
)
async def test_an_error_echoing_long_input_is_clipped_and_reaches_the_moderator(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, command: str, options: dict, echo: str
) -> None:
    await runner.start()
    text = await private_answer(server, group, command, **options)
    assert echo in text and "x…`" in text
    assert len(text) < 400
    assert refused(server) == []


def long_bank(folder: Path) -> tuple[str, str]:
    """A question whose id, and a topic whose name, are longer than an autocomplete value may be."""
    topic = "a-topic-folder-with-a-long-name-" * 4
    name = "a-question-file-with-a-very-long-name-" * 3
    (folder / topic).mkdir(parents=True)
    (folder / topic / f"{name}.md").write_text(GOOD.format(title="Long"), encoding="utf-8")
    (folder / "short").mkdir()
    (folder / "short" / "one.md").write_text(GOOD.format(title="Short"), encoding="utf-8")
    return f"{topic}/{name}", topic


@pytest.mark.parametrize("option", ["question", "topic"])
async def test_a_long_id_or_topic_can_be_picked_from_autocomplete(
    server: FakeDiscord, group: StudyGroup, tmp_path: Path, clock: FakeClock, option: str
) -> None:
    qid, topic = long_bank(tmp_path / "bank")
    assert len(qid) > 100 and len(topic) > 100
    runner = BotRunner(server, tmp_path / "q.sqlite3", clock, questions=tmp_path / "bank")
    try:
        await runner.start()
        (choice,) = await server.autocomplete(
            group.moderator, group.channel, "quiz", focused=option, **{option: "long-name"}
        )
        assert len(choice["value"]) <= 100 and len(choice["name"]) <= 100
        _, question = await start_quiz(server, group, **{option: choice["value"]})
    finally:
        await runner.stop_all()
    assert question.embeds[0]["title"] == "Long"
    assert refused(server) == []


async def test_stats_for_someone_who_left_the_server_answers(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner
) -> None:
    elsewhere = server.add_guild("Another server")
    gone = server.add_member(elsewhere, "gone")  # known to Discord, not a member here
    await runner.start()
    ix = await server.invoke(group.members[0], group.channel, "stats", member=gone)
    await server.wait_for(lambda: ix.followups or ix.embeds, description="the stats")
    assert f"<@{gone.id}> has not answered a question here yet." in embed_text([ix.original, *ix.followups])


def code_question(folder: Path, line: str) -> None:
    code = f"```json\n{line}\n```"
    (folder / "code").mkdir(parents=True)
    (folder / "code" / "minified.md").write_text(
        f"# Minified\n\n{code}\n\n**Which two are right?**\n\n- [x] a\n- [x] b\n- [ ] c\n\n## Answer\n\n{code}\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("length", [4094, 9000])
async def test_a_code_block_with_a_very_long_line_posts_and_reveals(
    server: FakeDiscord, group: StudyGroup, tmp_path: Path, clock: FakeClock, length: int
) -> None:
    line = '{"weights":[' + ",".join(["0.5"] * length)[: length - 14] + "]}"
    code_question(tmp_path / "bank", line)
    runner = BotRunner(server, tmp_path / "q.sqlite3", clock, questions=tmp_path / "bank")
    try:
        await runner.start()
        _, message = await start_quiz(server, group, options=3, question="code/minified", duration=60)
        result = await answer_and_reveal(server, group, clock, message, group.members[0], [0, 1])
    finally:
        await runner.stop_all()
    assert refused(server) == []
    assert squeezed(line) in squeezed(embed_text(result))  # the explanation, whole
    assert "1 of 1 got it exactly right." in embed_text(result)


@pytest.mark.parametrize(
    ("command", "forget"),
    [
        ("newseason", lambda tree: tree.remove_command("newseason")),
        ("quizschedule list", lambda tree: tree.get_command("quizschedule").remove_command("list")),
    ],
    ids=["command", "subcommand"],
)
async def test_a_command_discord_has_but_the_bot_changed_is_explained(
    server: FakeDiscord, group: StudyGroup, runner: BotRunner, command: str, forget
) -> None:
    bot = await runner.start()
    forget(bot.tree)  # as if the bot had restarted without it and Discord still offered the old one
    text = await private_answer(server, group, command)
    assert text == "This command has changed since Discord loaded it: reload Discord (Ctrl+R), then try again."
