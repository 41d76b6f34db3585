"""The drill's pure side: custom ids within Discord's 100 characters, messages within its limits."""

from __future__ import annotations

import re

import pytest

from bot import drill
from bot.drill import Showing
from bot.memory import Memory
from bot.outgoing import EMBED_DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT, embed_size
from bot.questions import Option, Question
from bot.store import MemorySummary

BIGGEST = 2**64 - 1  # no snowflake or row id is longer
CARD = Memory(state=2, step=None, stability=3.0, difficulty=5.0, due=1_800_086_400.0, last_review=1.7e9, reviews=2)


def question(options: int = 4, size: int = 50, body: str = "Body.", correct: tuple[int, ...] = (0, 3)) -> Question:
    return Question(
        id="ml/q",
        title="T" * min(size, 256),
        body=body,
        prompt="Which two?",
        options=tuple(Option(f"option {i} " + "x" * size, i in correct) for i in range(options)),
        explanation="E" * size * 10,
        reading="R" * size * 10,
    )


def test_custom_ids_fit_discords_100_characters_and_round_trip() -> None:
    showing = Showing(BIGGEST, BIGGEST, BIGGEST)
    every = frozenset(range(20))
    for custom_id, pattern in (
        (showing.pick_id(), drill.PICK),
        (showing.submit_id(every), drill.SUBMIT),
        (drill.next_id(BIGGEST), drill.NEXT),
    ):
        assert len(custom_id) <= 100
        assert re.fullmatch(pattern, custom_id)
    assert drill.picks_from(re.fullmatch(drill.SUBMIT, showing.submit_id(every))["picks"]) == every


@pytest.mark.parametrize(("options", "size"), [(2, 10), (4, 1000), (20, 1000), (20, 3)])
def test_a_card_and_its_verdict_each_fit_one_message(options: int, size: int) -> None:
    asked = question(options, size, body="B" * 20_000)
    for embeds in (drill.card_embeds(asked, 3), drill.verdict_embeds(asked, frozenset({0}), CARD)):
        assert sum(embed_size(e) for e in embeds) <= EMBED_TOTAL_LIMIT
        assert all(len(e.get("description", "")) <= EMBED_DESCRIPTION_LIMIT for e in embeds)
    labels = drill.option_labels(asked)
    assert len(labels) == options and all(len(label) <= 100 for label in labels)
    assert labels[1].startswith("B. option 1")


def test_a_card_keeps_every_option_and_shortens_a_long_body() -> None:
    asked = question(20, 150, body="B" * 20_000)
    text = "\n".join(e.get("description", "") for e in drill.card_embeds(asked, 1))
    assert all(f"option {i}" in text for i in range(20))
    assert "B" * 100 in text and "B" * 20_000 not in text


@pytest.mark.parametrize(
    ("picks", "title"),
    [
        (frozenset({0, 3}), "✅ Right"),
        (frozenset({0}), "🟡 Partly right"),
        (frozenset({1}), "❌ Not this time"),
    ],
)
def test_the_verdict_names_the_outcome_and_when_the_card_returns(picks: frozenset[int], title: str) -> None:
    embeds = drill.verdict_embeds(question(), picks, CARD)
    assert embeds[0]["title"].startswith(title)
    assert f"<t:{int(CARD.due)}:R>" in embeds[0]["description"]
    assert [e.get("title") for e in embeds[1:]] == ["Explanation", "Reading"]


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        (MemorySummary(0, 0, 0, None, 0, 0), "Nothing to review yet."),
        (MemorySummary(1, 0, 0, 1_800_000_060.0, 0, 0), "You have 1 card; the next one is due <t:1800000060:R>."),
        (MemorySummary(3, 0, 2, 1_800_000_000.0, 4, 3), "Retention so far: 75% of 4 reviews answered right."),
    ],
)
def test_nothing_due_says_what_there_is(summary: MemorySummary, expected: str) -> None:
    assert expected in drill.nothing_due(summary)


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        (MemorySummary(5, 2, 3, None, 8, 6), "2 due now · 3 of 5 cards learned · 75% of 8 reviews right"),
        (MemorySummary(1, 1, 0, None, 0, 0), "1 due now · 0 of 1 cards learned · no reviews yet"),
    ],
)
def test_the_stats_line(summary: MemorySummary, expected: str) -> None:
    assert drill.memory_field(summary)["value"] == expected
