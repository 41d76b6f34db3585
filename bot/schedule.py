"""Recurring quizzes: a moderator's days, time and zone -> the instants ("slots") they fire at.

Pure: instants are UNIX timestamps and the caller owns the clock. A slot is a wall-clock time in
the schedule's zone, so a 19:00 quiz stays at 19:00 for its members across daylight-saving changes.
One rule places every slot: the first instant at which the zone's clock reads the slot's time or
later on that day. Usually that is the exact time; when the clock repeats an hour (fall-back) it is
the first of the two occurrences, so the slot fires once; when the clock skips the time
(spring-forward) it is the instant the clock jumps, e.g. 03:00 for a 02:30 slot in Berlin. That is
the earliest moment the time has passed, as cron does; datetime's fold=0 reading would instead run
the quiz as far into the new hour as its time was into the gap (03:30).
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from bot.outgoing import quoted

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_SETS = {"daily": frozenset(range(7)), "weekdays": frozenset(range(5)), "weekends": frozenset({5, 6})}
_DAY_PHRASES = {frozenset(range(7)): "every day", frozenset(range(5)): "weekdays"}
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")


class ScheduleError(Exception):
    """Something the moderator setting up a schedule should be told, worded for them."""


def parse_days(text: str) -> frozenset[int]:
    """`mon,wed,fri`, `mon-fri`, `weekdays`, `weekends` or `daily` -> weekday numbers, 0 = Monday."""
    days: set[int] = set()
    for token in re.split(r"[\s,]+", re.sub(r"\s*-\s*", "-", text.strip())):
        if not token:
            continue
        word = token.lower()
        first, dash, last = word.partition("-")
        if word in _DAY_SETS:
            days |= _DAY_SETS[word]
        elif dash:
            start, stop = _day(first, token), _day(last, token)
            # A range may run over the weekend: `fri-mon` is Friday to Monday.
            days.update((start + step) % 7 for step in range((stop - start) % 7 + 1))
        else:
            days.add(_day(word, token))
    if not days:
        raise ScheduleError("Pick at least one day, e.g. `mon,wed,fri`, `mon-fri`, `weekdays` or `daily`.")
    return frozenset(days)


def _day(word: str, token: str) -> int:
    # The first three letters tell the days apart, so `tue`, `tues` and `tuesday` all work.
    for number, name in enumerate(_DAY_NAMES):
        if len(word) >= 3 and name.startswith(word):
            return number
    raise ScheduleError(
        f"I don't understand {quoted(token)}: use days like `mon` or `tue`, a range like `mon-fri`,"
        " or `weekdays`, `weekends`, `daily`."
    )


def days_text(days: frozenset[int]) -> str:
    """Weekday numbers -> `mon,wed,fri`, which `parse_days` reads back."""
    return ",".join(_DAY_NAMES[day][:3] for day in sorted(days))


def parse_time(text: str) -> time:
    """24-hour `HH:MM` -> a time of day."""
    match = _TIME.fullmatch(text.strip())
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    raise ScheduleError(f"{quoted(text)} is not a time: use 24-hour `HH:MM`, e.g. `07:30` or `19:00`.")


def parse_zone(name: str) -> ZoneInfo:
    """An IANA zone name -> its zone; case and spaces for underscores are forgiven (`new york`)."""
    wanted = name.strip().replace(" ", "_").lower()
    zones = _zones_by_lower_name()
    if wanted in zones:
        return ZoneInfo(zones[wanted])
    close = [f"`{zones[match]}`" for match in difflib.get_close_matches(wanted, list(zones), n=3)]
    options = f"{', '.join(close[:-1])} or {close[-1]}" if len(close) > 1 else "".join(close)
    hint = f" Did you mean {options}?" if close else " Use a name like `Europe/Berlin`."
    raise ScheduleError(f"{quoted(name)} is not a time zone I know.{hint}")


def find_zones(text: str, limit: int) -> list[str]:
    """Zone names containing `text` (case and spaces forgiven), for autocomplete."""
    wanted = text.strip().replace(" ", "_").lower()
    return sorted(zone for lower, zone in _zones_by_lower_name().items() if wanted in lower)[:limit]


@cache
def _zones_by_lower_name() -> dict[str, str]:
    # Listing the zones reads the tz database from disk: once per process is enough.
    return {zone.lower(): zone for zone in available_timezones()}


@dataclass(frozen=True)
class Recurrence:
    days: frozenset[int]  # weekday numbers, 0 = Monday
    at: time  # wall-clock time in `zone`
    zone: str  # IANA name, as `parse_zone(...).key` gives it

    def __post_init__(self) -> None:
        if not self.days or not self.days <= frozenset(range(7)):
            raise ValueError(f"days must be a non-empty set of 0..6, not {set(self.days)}")
        ZoneInfo(self.zone)  # fail here, not at the first tick, if the zone is unknown

    def next_after(self, moment: float) -> float:
        """The first slot strictly after `moment`."""
        today = datetime.fromtimestamp(moment, ZoneInfo(self.zone)).date()
        for offset in range(8):  # today, then a full week on: one of `days` is in it
            slot = self._slot_on(today + timedelta(days=offset))
            if slot is not None and slot > moment:
                return slot
        raise AssertionError("unreachable: a week holds every weekday")

    def _slot_on(self, day: date) -> float | None:
        if day.weekday() not in self.days:
            return None
        zone = ZoneInfo(self.zone)
        wall = datetime.combine(day, self.at)
        first = wall.replace(tzinfo=zone).timestamp()  # fold=0: the earlier of a repeated time
        if datetime.fromtimestamp(first, zone).replace(tzinfo=None) == wall:
            return first
        # `wall` is in a gap. fold=1 reads it with the new offset, an instant before the jump, and
        # fold=0 with the old one, after it; offsets change on whole seconds, so bisect to the jump.
        before, after = math.floor(wall.replace(tzinfo=zone, fold=1).timestamp()), math.ceil(first)
        while after - before > 1:
            middle = (before + after) // 2
            if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) < wall:
                before = middle
            else:
                after = middle
        # A zone that skipped the rest of the day (Pacific/Apia lost 2011-12-30) has no slot that day.
        return float(after) if datetime.fromtimestamp(after, zone).date() == day else None

    def describe(self) -> str:
        """`Mon, Wed, Fri at 19:00 (Europe/Berlin)`, for listings."""
        days = _DAY_PHRASES.get(self.days) or ", ".join(_DAY_NAMES[d][:3].title() for d in sorted(self.days))
        return f"{days} at {self.at:%H:%M} ({self.zone})"


@dataclass(frozen=True)
class Due:
    slot: float | None  # the slot to fire now, if any
    skipped: tuple[float, ...]  # slots passed over for good (missed while the bot was down), oldest first


def due(recurrence: Recurrence, last_fired: float | None, created_at: float, now: float, grace: float) -> Due:
    """What to fire now: the latest slot not yet fired, unless it is more than `grace` late.

    A quiz that starts later than its own duration would already be over had it run on time; the
    members who came for it are gone, so it is skipped rather than sprung on the channel. Skipped
    slots stay in the window until `last_fired` moves past them: to log them once, store the latest
    of them as `last_fired` when nothing fires (a fired slot is later than all of them).
    """
    since = created_at if last_fired is None else max(last_fired, created_at)
    if since > now:  # written while the clock ran ahead: it must not silence the schedule until then
        since = now - grace
    slots = []
    slot = recurrence.next_after(since)
    while slot <= now:
        if slot != last_fired:  # never twice, even if the clock stepped back just after firing it
            slots.append(slot)
        slot = recurrence.next_after(slot)
    if slots and now - slots[-1] <= grace:
        return Due(slots[-1], tuple(slots[:-1]))
    return Due(None, tuple(slots))
