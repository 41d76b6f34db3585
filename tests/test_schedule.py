"""Schedules: parsing a moderator's input, slot arithmetic across DST changes, and the catch-up policy.

Expected instants are written in UTC, worked out by hand from the zone's offsets and checked
against zoneinfo. 2024's changes: Europe/Berlin springs forward on 31 March at 02:00 CET (01:00 UTC)
and falls back on 27 October at 03:00 CEST (01:00 UTC); America/New_York springs forward on
10 March at 02:00 EST (07:00 UTC) and falls back on 3 November at 02:00 EDT (06:00 UTC).
"""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.schedule import (
    Due,
    Recurrence,
    ScheduleError,
    due,
    find_zones,
    parse_days,
    parse_time,
    parse_zone,
)


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


EVERY_DAY = frozenset(range(7))
SUNDAY = frozenset({6})
DAY_HELP = "use days like `mon` or `tue`, a range like `mon-fri`, or `weekdays`, `weekends`, `daily`."
TIME_HELP = "use 24-hour `HH:MM`, e.g. `07:30` or `19:00`."


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon,wed,fri", {0, 2, 4}),
        ("Mon, Wed , FRI", {0, 2, 4}),
        ("mon wed fri", {0, 2, 4}),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("Weekends", {5, 6}),
        ("daily", {0, 1, 2, 3, 4, 5, 6}),
        ("mon-fri", {0, 1, 2, 3, 4}),
        (" Mon - Fri ", {0, 1, 2, 3, 4}),
        ("fri-mon", {4, 5, 6, 0}),  # wraps over the weekend
        ("sun-sun", {6}),
        ("tues,thurs", {1, 3}),
        ("monday,SATURDAY", {0, 5}),
        ("mon,mon,weekends", {0, 5, 6}),
    ],
)
def test_parse_days(text: str, days: set[int]) -> None:
    assert parse_days(text) == frozenset(days)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Pick at least one day, e.g. `mon,wed,fri`, `mon-fri`, `weekdays` or `daily`."),
        (" , ", "Pick at least one day, e.g. `mon,wed,fri`, `mon-fri`, `weekdays` or `daily`."),
        ("mun", f"I don't understand `mun`: {DAY_HELP}"),
        ("mon,Frday", f"I don't understand `Frday`: {DAY_HELP}"),
        ("mo", f"I don't understand `mo`: {DAY_HELP}"),  # too short to be sure which day
        ("mon-", f"I don't understand `mon-`: {DAY_HELP}"),
        ("mon-fry", f"I don't understand `mon-fry`: {DAY_HELP}"),
        ("weekdays-sun", f"I don't understand `weekdays-sun`: {DAY_HELP}"),
        ("mon-wed-fri", f"I don't understand `mon-wed-fri`: {DAY_HELP}"),
    ],
)
def test_parse_days_rejects(text: str, message: str) -> None:
    with pytest.raises(ScheduleError) as raised:
        parse_days(text)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("text", "at"),
    [("19:00", time(19)), ("07:30", time(7, 30)), ("7:30", time(7, 30)), (" 00:00 ", time(0)), ("23:59", time(23, 59))],
)
def test_parse_time(text: str, at: time) -> None:
    assert parse_time(text) == at


@pytest.mark.parametrize("text", ["24:00", "19:60", "1900", "7pm", "19:0", "19:00:00", "-1:00", ""])
def test_parse_time_rejects(text: str) -> None:
    with pytest.raises(ScheduleError) as raised:
        parse_time(text)
    assert str(raised.value) == f"`{text}` is not a time: {TIME_HELP}"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        (" America/New York ", "America/New_York"),
        ("UTC", "UTC"),
    ],
)
def test_parse_zone(name: str, key: str) -> None:
    assert parse_zone(name).key == key


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Berlin", "`Berlin` is not a time zone I know. Did you mean `Europe/Berlin`?"),
        (
            "Europe/Berln",
            "`Europe/Berln` is not a time zone I know."
            " Did you mean `Europe/Berlin`, `Europe/Dublin` or `Europe/Belfast`?",
        ),
        ("Mars/Olympus", "`Mars/Olympus` is not a time zone I know. Use a name like `Europe/Berlin`."),
        ("../etc/passwd", "`../etc/passwd` is not a time zone I know. Use a name like `Europe/Berlin`."),
    ],
)
def test_parse_zone_rejects(name: str, message: str) -> None:
    with pytest.raises(ScheduleError) as raised:
        parse_zone(name)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("days", "at", "zone", "text"),
    [
        ({0, 2, 4}, time(19), "Europe/Berlin", "Mon, Wed, Fri at 19:00 (Europe/Berlin)"),
        (EVERY_DAY, time(7, 30), "UTC", "every day at 07:30 (UTC)"),
        ({0, 1, 2, 3, 4}, time(8, 5), "America/New_York", "weekdays at 08:05 (America/New_York)"),
        ({6, 0}, time(21), "UTC", "Mon, Sun at 21:00 (UTC)"),
    ],
)
def test_describe(days: set[int], at: time, zone: str, text: str) -> None:
    assert Recurrence(frozenset(days), at, zone).describe() == text


@pytest.mark.parametrize("days", [frozenset(), frozenset({7})])
def test_recurrence_needs_real_days(days: frozenset[int]) -> None:
    with pytest.raises(ValueError):
        Recurrence(days, time(19), "UTC")


# June 2024: Monday the 3rd; Berlin is on CEST (UTC+2), Auckland on NZST (UTC+12).
MWF_BERLIN = Recurrence(frozenset({0, 2, 4}), time(19), "Europe/Berlin")
SUNDAY_BERLIN_0230 = Recurrence(SUNDAY, time(2, 30), "Europe/Berlin")
DAILY_BERLIN_0230 = Recurrence(EVERY_DAY, time(2, 30), "Europe/Berlin")
SUNDAY_NEW_YORK_0230 = Recurrence(SUNDAY, time(2, 30), "America/New_York")
SUNDAY_NEW_YORK_0130 = Recurrence(SUNDAY, time(1, 30), "America/New_York")
DAILY_NEW_YORK_0130 = Recurrence(EVERY_DAY, time(1, 30), "America/New_York")


@pytest.mark.parametrize(
    ("recurrence", "moment", "slot"),
    [
        # Ordinary days: 19:00 CEST is 17:00 UTC; "after" is strict.
        (MWF_BERLIN, "2024-06-03 12:00", "2024-06-03 17:00"),
        (MWF_BERLIN, "2024-06-03 16:59:59", "2024-06-03 17:00"),
        (MWF_BERLIN, "2024-06-03 17:00", "2024-06-05 17:00"),
        (MWF_BERLIN, "2024-06-04 17:00", "2024-06-05 17:00"),
        # Week wrap-around: Friday's slot, then Monday's; Sunday-only jumps a whole week.
        (MWF_BERLIN, "2024-06-07 17:00", "2024-06-10 17:00"),
        (MWF_BERLIN, "2024-06-08 09:00", "2024-06-10 17:00"),
        (Recurrence(SUNDAY, time(19), "Europe/Berlin"), "2024-06-09 17:00:01", "2024-06-16 17:00"),
        # The local date, not the UTC one, decides: 22:00 UTC Monday is already Tuesday in Berlin...
        (Recurrence(EVERY_DAY, time(0, 30), "Europe/Berlin"), "2024-06-03 22:00", "2024-06-03 22:30"),
        # ...and Tuesday 09:00 in Auckland is Monday 21:00 UTC.
        (Recurrence(frozenset({1}), time(9), "Pacific/Auckland"), "2024-06-03 12:00", "2024-06-03 21:00"),
        # Berlin springs forward: 02:30 does not exist on 31 March; the slot is the jump to 03:00
        # CEST (01:00 UTC). The Sundays around it are 02:30 CET (01:30) and 02:30 CEST (00:30).
        (SUNDAY_BERLIN_0230, "2024-03-23 12:00", "2024-03-24 01:30"),
        (SUNDAY_BERLIN_0230, "2024-03-24 01:30", "2024-03-31 01:00"),
        (SUNDAY_BERLIN_0230, "2024-03-31 01:00", "2024-04-07 00:30"),
        (DAILY_BERLIN_0230, "2024-03-30 12:00", "2024-03-31 01:00"),
        (DAILY_BERLIN_0230, "2024-03-31 00:59:59", "2024-03-31 01:00"),
        (DAILY_BERLIN_0230, "2024-03-31 01:00", "2024-04-01 00:30"),
        # Berlin falls back: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET);
        # only the first is a slot, and the next is a day (or a week) later.
        (SUNDAY_BERLIN_0230, "2024-10-26 12:00", "2024-10-27 00:30"),
        (SUNDAY_BERLIN_0230, "2024-10-27 00:30", "2024-11-03 01:30"),
        (SUNDAY_BERLIN_0230, "2024-10-27 01:00", "2024-11-03 01:30"),
        (DAILY_BERLIN_0230, "2024-10-26 00:30", "2024-10-27 00:30"),
        (DAILY_BERLIN_0230, "2024-10-27 00:30", "2024-10-28 01:30"),
        # New York springs forward: 02:30 does not exist on 10 March; the jump to 03:00 EDT is 07:00 UTC.
        (SUNDAY_NEW_YORK_0230, "2024-03-09 12:00", "2024-03-10 07:00"),
        (SUNDAY_NEW_YORK_0230, "2024-03-10 07:00", "2024-03-17 06:30"),
        # New York falls back: 01:30 happens at 05:30 UTC (EDT) and 06:30 UTC (EST); the first counts.
        (SUNDAY_NEW_YORK_0130, "2024-11-02 12:00", "2024-11-03 05:30"),
        (SUNDAY_NEW_YORK_0130, "2024-11-03 05:30", "2024-11-10 06:30"),
        (DAILY_NEW_YORK_0130, "2024-11-02 05:30", "2024-11-03 05:30"),
        (DAILY_NEW_YORK_0130, "2024-11-03 05:30", "2024-11-04 06:30"),
    ],
)
def test_next_after(recurrence: Recurrence, moment: str, slot: str) -> None:
    assert recurrence.next_after(utc(moment)) == utc(slot)


def test_a_day_the_zone_skipped_has_no_slot() -> None:
    # Samoa crossed the date line by skipping Friday 30 December 2011 (UTC-10 -> UTC+14): the 29th's
    # slot is followed by the 31st's, a day apart in UTC, with no stray slot for the lost day.
    apia = Recurrence(EVERY_DAY, time(19), "Pacific/Apia")
    slots = [utc("2011-12-30 05:00"), utc("2011-12-31 05:00"), utc("2012-01-01 05:00")]
    assert [apia.next_after(slot - 1) for slot in slots] == slots
    assert apia.next_after(slots[0]) == slots[1]


DAILY_19 = Recurrence(EVERY_DAY, time(19), "UTC")
GRACE = 600.0  # a ten-minute quiz


@pytest.mark.parametrize(
    ("last_fired", "created_at", "now", "slot", "skipped"),
    [
        # Nothing due: before today's slot, or today's slot is already fired.
        (None, "2024-06-03 12:00", "2024-06-03 18:59", None, []),
        ("2024-06-03 19:00", "2024-06-01 12:00", "2024-06-03 19:05", None, []),
        ("2024-06-03 19:00", "2024-06-01 12:00", "2024-06-04 18:59", None, []),
        # On time, and late by up to the quiz's own duration: fires once.
        (None, "2024-06-03 12:00", "2024-06-03 19:00", "2024-06-03 19:00", []),
        (None, "2024-06-03 12:00", "2024-06-03 19:09", "2024-06-03 19:00", []),
        (None, "2024-06-03 12:00", "2024-06-03 19:10", "2024-06-03 19:00", []),
        # Late by more than that: skipped.
        (None, "2024-06-03 12:00", "2024-06-03 19:10:01", None, ["2024-06-03 19:00"]),
        # Down for days: only the latest slot can fire, and only within grace.
        (
            "2024-06-01 19:00",
            "2024-05-01 12:00",
            "2024-06-04 19:05",
            "2024-06-04 19:00",
            ["2024-06-02 19:00", "2024-06-03 19:00"],
        ),
        (
            "2024-06-01 19:00",
            "2024-05-01 12:00",
            "2024-06-04 20:00",
            None,
            ["2024-06-02 19:00", "2024-06-03 19:00", "2024-06-04 19:00"],
        ),
        # Slots before the schedule existed never count, even one at the very instant of creation.
        (None, "2024-06-03 19:00:30", "2024-06-03 19:05", None, []),
        (None, "2024-06-03 19:00", "2024-06-03 19:05", None, []),
        ("2024-05-01 19:00", "2024-06-03 12:00", "2024-06-03 19:05", "2024-06-03 19:00", []),
    ],
)
def test_due_slot(last_fired: str | None, created_at: str, now: str, slot: str | None, skipped: list[str]) -> None:
    args = (DAILY_19, None if last_fired is None else utc(last_fired), utc(created_at), utc(now), GRACE)
    assert due(*args) == Due(None if slot is None else utc(slot), tuple(utc(s) for s in skipped))


def test_due_slot_across_spring_forward() -> None:
    # Back up at 03:05 CEST on 31 March: the 02:30 slot became 03:00 CEST, five minutes ago.
    created, now = utc("2024-03-01 12:00"), utc("2024-03-31 01:05")
    assert due(SUNDAY_BERLIN_0230, utc("2024-03-24 01:30"), created, now, GRACE).slot == utc("2024-03-31 01:00")


def test_due_slot_fires_once_across_fall_back() -> None:
    # The repeated 02:30 (01:30 UTC, CET) is no second slot once the first (00:30 UTC) has fired.
    fired, now = utc("2024-10-27 00:30"), utc("2024-10-27 01:35")
    assert due(SUNDAY_BERLIN_0230, fired, utc("2024-10-01 12:00"), now, GRACE) == Due(None, ())


ZONES = sorted(available_timezones())
# Zones whose changes test the rules hardest: 30-minute DST (Lord Howe), changes at midnight
# (Santiago, Havana), at 02:45 (Chatham), DST suspended for Ramadan (Casablanca), and the usual two.
DST_ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
    "Pacific/Chatham",
    "Africa/Casablanca",
]
YEAR = 366 * 86400


@settings(deadline=None, max_examples=150)
@given(
    days=st.frozensets(st.integers(0, 6), min_size=1),
    at=st.one_of(  # the small hours, where the changes happen, half the time
        st.builds(time, st.integers(0, 3), st.sampled_from([0, 15, 30, 45, 59])),
        st.builds(time, st.integers(0, 23), st.integers(0, 59)),
    ),
    zone=st.one_of(st.sampled_from(DST_ZONES), st.sampled_from(ZONES)),
    start=st.floats(utc("2020-01-01 00:00"), utc("2035-01-01 00:00")),
)
def test_one_slot_on_every_chosen_local_day(days: frozenset[int], at: time, zone: str, start: float) -> None:
    recurrence, tz = Recurrence(days, at, zone), ZoneInfo(zone)
    slots = [recurrence.next_after(start)]
    while slots[-1] <= start + YEAR:
        slots.append(recurrence.next_after(slots[-1]))
    for earlier, later in pairwise(slots):
        assert earlier < later
        assert recurrence.next_after((earlier + later) / 2) == later  # nothing hides between them

    local = [datetime.fromtimestamp(slot, tz) for slot in slots]
    dates = [moment.date() for moment in local]
    assert len(set(dates)) == len(dates)  # never twice in one local day
    first, last = dates[0], dates[-1]
    chosen = {first + timedelta(days=n) for n in range((last - first).days + 1)}
    assert set(dates) == {day for day in chosen if day.weekday() in days}  # never a day skipped

    for slot, moment in zip(slots, local, strict=True):
        wall = datetime.combine(moment.date(), at)
        if moment.replace(tzinfo=None) == wall:
            assert moment.fold == 0  # a repeated time fires at its first occurrence
        else:  # the time fell in a gap: the slot is the jump over it
            assert datetime.fromtimestamp(slot - 1, tz).replace(tzinfo=None) < wall < moment.replace(tzinfo=None)


def test_zone_autocomplete_keeps_nothing_per_distinct_input() -> None:
    assert find_zones("berlin", 25) == ["Europe/Berlin"]  # the zone list itself is read once, here
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(2_000):  # what members type over weeks of autocomplete
            find_zones(f"no-such-zone-{n}", 25)
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 50_000
