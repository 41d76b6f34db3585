"""Leaderboard periods: where weeks, months and seasons begin and end."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.grading import streaks
from bot.periods import Period, Span, span


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


SEASONS = {1: 0.0, 2: at("2026-09-01T12:00"), 3: at("2026-11-01T08:00")}


@pytest.mark.parametrize(
    ("period", "now", "season", "expected"),
    [
        (Period.ALL, "2026-11-25T19:00", None, Span(None, None, "all time")),
        (Period.WEEK, "2026-11-25T19:00", None, Span(at("2026-11-23T00:00"), None, "this week")),  # a Wednesday
        (Period.WEEK, "2026-11-23T00:00", None, Span(at("2026-11-23T00:00"), None, "this week")),  # Monday 00:00
        (Period.WEEK, "2026-11-22T23:59", None, Span(at("2026-11-16T00:00"), None, "this week")),  # Sunday night
        (Period.MONTH, "2026-11-25T19:00", None, Span(at("2026-11-01T00:00"), None, "this month")),
        (Period.MONTH, "2026-12-01T00:00", None, Span(at("2026-12-01T00:00"), None, "this month")),
        (Period.SEASON, "2026-11-25T19:00", None, Span(SEASONS[3], None, "this season (season 3)")),
        (Period.SEASON, "2026-11-25T19:00", 2, Span(SEASONS[2], SEASONS[3], "season 2")),
        (Period.SEASON, "2026-11-25T19:00", 1, Span(0.0, SEASONS[2], "season 1")),
    ],
)
def test_span(period: Period, now: str, season: int | None, expected: Span) -> None:
    assert span(period, at(now), SEASONS, season) == expected


def test_a_season_that_does_not_exist_is_explained() -> None:
    with pytest.raises(LookupError, match=r"There is no season 4 yet; this is season 3\."):
        span(Period.SEASON, at("2026-11-25T19:00"), SEASONS, 4)


def test_without_any_started_season_everything_is_season_1() -> None:
    assert span(Period.SEASON, at("2026-11-25T19:00"), {1: 0.0}) == Span(0.0, None, "this season (season 1)")


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([], (0, 0)),
        ([True, True, False, True], (1, 2)),
        ([True, True, True], (3, 3)),
        ([False, False], (0, 0)),
        ([True, False, True, True, True, False], (0, 3)),
    ],
)
def test_streaks(history: list[bool], expected: tuple[int, int]) -> None:
    assert streaks(history) == expected
