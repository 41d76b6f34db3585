"""Leaderboard periods -> the time range they cover. Pure.

Weeks start on Monday and months on the 1st, at midnight UTC: one server, one clock for everyone.
Season 1 is everything before the first season a moderator starts; season N runs until N + 1 starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class Period(StrEnum):
    ALL = "all"
    WEEK = "week"
    MONTH = "month"
    SEASON = "season"


@dataclass(frozen=True)
class Span:
    since: float | None
    until: float | None
    label: str


def span(period: Period, now: float, season_starts: Mapping[int, float], season: int | None = None) -> Span:
    """The range of `period` at `now`; `season` picks an earlier season (the current one by default)."""
    today = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period is Period.WEEK:
        return Span((today - timedelta(days=today.weekday())).timestamp(), None, "this week")
    if period is Period.MONTH:
        return Span(today.replace(day=1).timestamp(), None, "this month")
    if period is Period.SEASON:
        current = max(season_starts)
        number = current if season is None else season
        if number not in season_starts:
            raise LookupError(f"There is no season {number} yet; this is season {current}.")
        label = f"this season (season {number})" if number == current else f"season {number}"
        return Span(season_starts[number], season_starts.get(number + 1), label)
    return Span(None, None, "all time")
