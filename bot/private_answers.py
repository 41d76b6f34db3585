"""Private answers: the multi-select a private quiz carries instead of letters, and what members are told.

Pure: the cog turns these into a `discord.ui.DynamicItem`; its custom id carries the quiz id, so the
menu needs nothing in memory and keeps working after a restart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot import render

LABEL_LIMIT = 100  # Discord's limit on a select option's label
MENU = r"quiz:(?P<quiz>[0-9]+):answer"  # the menu's custom id, a DynamicItem template


def menu_id(quiz_id: int) -> str:
    return f"quiz:{quiz_id}:answer"


def quiz_of(custom_id: str) -> int | None:
    match = re.fullmatch(MENU, custom_id)
    return int(match["quiz"]) if match else None


def labels(options: Sequence[str]) -> list[str]:
    """Each option as the menu shows it: its letter and as much of its text as fits, on one line."""
    return [render.clip(f"{render.letter(i)} {' '.join(text.split())}", LABEL_LIMIT) for i, text in enumerate(options)]


def picks(values: Sequence[str], options: int) -> frozenset[int] | None:
    """The places a member chose, or None when the values are not the menu's (forged or out of date)."""
    if not values or any(not value.isdigit() or int(value) >= options for value in values):
        return None
    return frozenset(int(value) for value in values)


def acknowledged(chosen: frozenset[int], deadline: int) -> str:
    letters = " ".join(render.letter(i) for i in sorted(chosen))
    return f"Your answer: {letters} — you can change it until <t:{deadline}:R>."


def closed() -> str:
    return "This quiz has closed; that choice was not counted."
