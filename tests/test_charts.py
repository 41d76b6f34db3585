"""Charts: weekly buckets (pure) and pictures that are neither blank nor oversized."""

from __future__ import annotations

import pytest
from test_formulas import ink_share, png_pixels

from bot import charts

MONDAY = 1_799_625_600  # 2027-01-11 00:00 UTC, a Monday
DAY = 86_400


@pytest.mark.parametrize(
    ("answers", "weeks"),
    [
        ([], []),
        ([(True, MONDAY)], [("Jan 11", 1.0)]),
        ([(True, MONDAY - 1), (False, MONDAY)], [("Jan 04", 1.0), ("Jan 11", 0.0)]),  # Sunday 23:59:59 vs Monday
        ([(True, MONDAY), (False, MONDAY + 6 * DAY), (True, MONDAY + 6.9 * DAY)], [("Jan 11", 2 / 3)]),
        ([(True, MONDAY), (True, MONDAY + 21 * DAY)], [("Jan 11", 1.0), ("Feb 01", 1.0)]),  # empty weeks skipped
        ([(True, MONDAY + w * 7 * DAY) for w in range(20)], None),
    ],
)
def test_answers_are_bucketed_by_utc_week_starting_monday(answers: list, weeks: list | None) -> None:
    found = charts.weekly([a for a, _ in answers], [t for _, t in answers])
    if weeks is None:
        assert len(found) == charts.WEEKS_SHOWN and found[-1][0] == "May 24"  # the latest weeks are kept
    else:
        assert [(w, round(s, 4)) for w, s in found] == [(w, round(s, 4)) for w, s in weeks]


def test_member_charts_draw_topics_always_and_weeks_when_there_are_several() -> None:
    one_week = charts.member_charts([("evaluation", 4, 3)], [("Jan 11", 0.75)])
    assert set(one_week) == {"topics.png"}
    drawn = charts.member_charts([("evaluation", 4, 3), ("", 2, 0)], [("Jan 04", 0.5), ("Jan 11", 0.75)])
    assert set(drawn) == {"topics.png", "weeks.png"}
    for png in drawn.values():
        width, height, _ = png_pixels(png)
        assert 300 < width < 1200 and 80 < height < 800
        assert ink_share(png) > 0.3


def test_the_hardest_chart_has_a_bar_per_question() -> None:
    few = png_pixels(charts.hardest_chart([("q", 0.1, 3)]))[1]
    many = png_pixels(charts.hardest_chart([(f"q{i}", i / 10, 3) for i in range(10)]))[1]
    assert many > few + 8 * 30
