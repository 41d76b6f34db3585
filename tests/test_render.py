"""Rendering: what the bot sends always fits Discord's limits and never loses text."""

from __future__ import annotations

import pytest
from fakediscord.limits import validate_message_body
from harness import squeezed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.figures import without_images
from bot.grading import Result, Scoring
from bot.math_spans import as_source
from bot.questions import Option, Question
from bot.render import (
    Post,
    format_points,
    leaderboard_embed,
    letter,
    member_stats_embed,
    option_index,
    question_posts,
    question_stats_embed,
    reload_summary,
    result_posts,
)
from bot.store import MemberStats, QuestionStats, Standing

SEED = Question(
    id="nn/arya",
    title="Arya's confusion",
    body="Arya is always confused about this.",
    prompt="Which two of the following statements are correct?",
    options=(
        Option("BCE multi-label", True),
        Option("BCE multi-class", False),
        Option("CCE multi-label", False),
        Option("CCE multi-class", True),
    ),
    explanation="Softmax goes with categorical cross-entropy.",
    reading='- ["Cross entropy"](https://en.wikipedia.org/wiki/Cross-entropy)',
)


def assert_fits(posts: list[Post]) -> None:
    for post in posts:
        # The loopback Discord's own validator: one definition of the limits for the whole suite.
        validate_message_body({"content": post.content, "embeds": list(post.embeds)})
        assert post.content or post.embeds


def text_of(posts: list[Post]) -> str:
    return "\n".join(e.get("description", "") for p in posts for e in p.embeds)


@pytest.mark.parametrize(("index", "emoji"), [(0, "🇦"), (3, "🇩"), (19, "🇹")])
def test_letters(index: int, emoji: str) -> None:
    assert letter(index) == emoji
    assert option_index(emoji, 20) == index


@pytest.mark.parametrize("emoji", ["🇪", "👍", "AB", "", "🇦🇧"])
def test_emoji_that_are_not_an_option_of_a_four_option_question(emoji: str) -> None:
    assert option_index(emoji, 4) is None


def test_question_post_shows_title_body_prompt_options_deadline_and_count() -> None:
    (post,) = question_posts(SEED, deadline=1_700_000_000)
    assert post.content == "⏳ Closes <t:1700000000:R> · **Pick 2**"
    assert post.embeds[0]["title"] == "Arya's confusion"
    text = text_of([post])
    for part in [
        "Arya is always confused",
        "**Which two of the following statements are correct?**",
        "🇦 BCE multi-label",
        "🇩 CCE multi-class",
    ]:
        assert part in text


def test_question_post_does_not_reveal_how_many_when_the_prompt_does_not() -> None:
    single = Question(**{**SEED.__dict__, "prompt": "Which of the following is right?"})
    (post,) = question_posts(single, deadline=1)
    assert "Pick" not in post.content


def test_result_shows_correct_options_counts_winners_explanation_reading_and_standings() -> None:
    results = [
        Result(1, frozenset({0, 3}), 1.0, True),
        Result(2, frozenset({0}), 0.0, False),
        Result(3, frozenset({0, 1, 3}), 0.0, False),
        Result(4, frozenset({0, 3}), 1.0, True),
    ]
    standings = [Standing(1, 1, 1.0, 1, 1), Standing(1, 4, 1.0, 1, 1), Standing(3, 2, 0.0, 1, 0)]
    posts = result_posts(SEED, results, [4, 1, 0, 3], standings, Scoring.EXACT)
    assert_fits(posts)
    text = text_of(posts)
    assert "✅ 🇦 BCE multi-label\n**4** picks" in text
    assert "✅ 🇩 CCE multi-class\n**3** picks" in text
    assert "❌ 🇧 BCE multi-class · **1** pick" in text
    assert "<@1> <@4>\n2 of 4 got it exactly right." in text
    assert SEED.explanation in text and SEED.reading in text
    assert "**1.** <@1> · 1 pts · 1 answered · 100% right" in text


def test_many_winners_are_counted_not_all_named() -> None:
    results = [Result(u, frozenset({0, 3}), 1.0, True) for u in range(1, 5001)]
    posts = result_posts(SEED, results, [5000, 0, 0, 5000], [], Scoring.EXACT)
    assert_fits(posts)
    assert "and 4960 more\n5000 of 5000 got it exactly right." in text_of(posts)


def test_leaderboard_adds_the_caller_when_outside_the_top() -> None:
    top = [Standing(1, 1, 3.0, 3, 3)]
    embed = leaderboard_embed(top, Standing(7, 9, 0.5, 2, 0))
    assert embed["description"].splitlines() == [
        "**1.** <@1> · 3 pts · 3 answered · 100% right",
        "…",
        "**7.** <@9> · 0.50 pts · 2 answered · 0% right",
    ]
    assert leaderboard_embed(top, top[0])["description"].count("<@1>") == 1
    assert "No points yet" in leaderboard_embed([], None)["description"]


@pytest.mark.parametrize(("points", "text"), [(3.0, "3"), (0.5, "0.50"), (2 / 3, "0.67"), (0.0, "0")])
def test_format_points(points: float, text: str) -> None:
    assert format_points(points) == text


_letters = st.characters(exclude_categories=("Cs",), exclude_characters="`~\r")  # every script
_prose = st.text(_letters, min_size=1, max_size=1000)
_long_line = st.text(_letters, min_size=1, max_size=30).map(lambda t: t * 400)  # minified JSON, base64
_code = st.builds(
    lambda info, lines: f"```{info}\n" + "\n".join(lines) + "\n```",
    st.sampled_from(["", "python", "json " + "i" * 3000]),  # a long fence info string among them
    st.lists(st.one_of(st.text(_letters, max_size=60), _long_line), max_size=40),  # many short lines, long ones
)
_markdown = st.lists(st.one_of(_prose, _long_line, _code), max_size=12).map("\n\n".join)


@st.composite
def big_questions(draw: st.DrawFn) -> Question:
    count = draw(st.integers(2, 20))
    return Question(
        id="x/y",
        title=draw(st.text(min_size=1, max_size=256).map(lambda t: t.replace("\n", " ").strip() or "T")),
        body=draw(_markdown),
        prompt=draw(st.sampled_from(["", "Which two of these?", "Pick every true statement."])),
        options=tuple(
            Option(draw(st.text(min_size=1, max_size=1000).filter(str.strip)), draw(st.booleans()))
            for _ in range(count)
        ),
        explanation=draw(_markdown),
        reading="\n".join(f"- [link {i}](https://example.org/{i})" for i in range(draw(st.integers(0, 60)))),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(big_questions(), st.integers(0, 5000), st.data())
def test_any_question_and_result_fits_discord_limits(question: Question, participants: int, data) -> None:
    posts = question_posts(question, deadline=1_800_000_000)
    assert_fits(posts)
    assert "Closes" in posts[-1].content  # the message members react to carries the deadline
    n = len(question.options)
    results = [Result(u, frozenset({u % n}), 1.0, True) for u in range(participants)]
    standings = [Standing(i + 1, 10**17 + i, 1e6 - i, 99_999, 99_999) for i in range(25)]
    scoring = data.draw(st.sampled_from(list(Scoring)))
    reveal = result_posts(question, results, [participants] * n, standings, scoring)
    assert_fits(reveal)
    shown = squeezed(text_of(reveal))  # without the fence lines a split adds
    # Nothing of the explanation is lost: formulas show their TeX as code, images their alt text.
    assert squeezed(as_source(without_images(question.explanation))) in shown
    assert squeezed(question.reading) in shown


def test_reload_summary_lists_problems_within_one_message() -> None:
    problems = [f"questions/ml/q{i}.md:{i}: error: no option is marked correct with `[x]`" for i in range(100)]
    text = reload_summary({"a": 1, "b": 2}, {"b": 2, "c": 3, "d": 4}, problems)
    assert text.startswith("Reloaded: 3 questions in service (2 new, 1 removed).\n100 problem(s)")
    assert len(text) <= 2000
    assert "questions/ml/q0.md:0: error" in text
    assert text.endswith("more: `quizbot validate` lists them all.")
    assert reload_summary({}, {"a": 1}, []) == "Reloaded: 1 questions in service (1 new, 0 removed)."
    assert reload_summary({}, {}, [], [(3, "trees")]).splitlines()[1] == (
        "Schedule #3 asks from topic `trees`, which has no questions now: its slots are skipped."
    )


def test_reload_summary_with_many_starved_schedules_and_problems_fits_one_message() -> None:
    starved = [(n, f"retired-topic-{n}") for n in range(40)]
    problems = [f"questions/ml/q{i}.md:{i}: error: no option is marked correct with `[x]`" for i in range(100)]
    text = reload_summary({}, {"a": 1}, problems, starved)
    assert len(text) <= 2000
    shown = text.count("Schedule #")
    assert f"\n… and {40 - shown} more schedules like these: `/quizschedule list`.\n100 problem(s)" in text
    listed = text.count("questions/ml/q")
    assert text.endswith(f"```\n… and {100 - listed} more: `quizbot validate` lists them all.")
    assert text.count("```") == 2


def test_member_stats_with_hundreds_of_topics_fit_and_say_how_many_more() -> None:
    topics = tuple((f"tag-{n}-" + "t" * 40, 3, 2) for n in range(500))
    embed = member_stats_embed(1, MemberStats(5.0, 9, 6, (True,) * 9, topics))
    assert_fits([Post(embeds=(embed,))])
    *_, more = embed["description"].split("\n")
    assert more.startswith("… and ") and more.endswith(" more")


def test_hardest_questions_with_long_ids_fit_and_count_the_rest() -> None:
    long = Question(**{**SEED.__dict__, "id": "deep/" + "long-id-" * 60})
    embed = question_stats_embed([QuestionStats(long, 3, 9, 1, {1: 5})] * 40)
    assert_fits([Post(embeds=(embed,))])
    shown = embed["description"].count("Arya's confusion")
    assert embed["description"].endswith(f"… and {40 - shown} more")
