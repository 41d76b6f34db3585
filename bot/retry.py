"""Doing a step until it is done: transient failures are retried with backoff, permanent ones end it.

Every long-lived piece of work (a quiz's close, the pick writer, the scheduler) runs its steps
through `until_done`, so a database locked past its busy timeout, a full disk, Discord answering
5xx or being unreachable only delays the work. What can never succeed — the message or channel
is gone, access is lost, Discord refuses the content (4xx) — is raised for the caller to record.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
import discord

from bot.store import DatabaseGone, StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")

# Failures that say nothing about the step itself: the same call can succeed later.
# A StoreError is mostly StoreBusy (locked, full, connection lost); DatabaseGone is permanent (is_permanent).
TRANSIENT = (StoreError, discord.DiscordServerError, aiohttp.ClientError, OSError)


@dataclass(frozen=True)
class Backoff:
    """Delays between attempts: `first`, doubling up to `cap` seconds."""

    first: float = 0.5
    cap: float = 60.0

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield delay
            delay = min(delay * 2, self.cap)


DEFAULT_BACKOFF = Backoff()


def is_permanent(error: BaseException) -> bool:
    """Retrying cannot help: Discord said no for good (4xx but 429), or the database file is gone."""
    if isinstance(error, DatabaseGone):
        return True
    return (
        isinstance(error, discord.HTTPException)
        and not isinstance(error, discord.DiscordServerError)
        and error.status != 429
    )


async def until_done(step: Callable[[], Awaitable[T]], what: str, backoff: Backoff) -> T:
    """Run `step` until it succeeds; a permanent failure is raised, anything else retried."""
    delays = backoff.delays()
    while True:
        try:
            return await step()
        except Exception as error:
            if is_permanent(error):
                raise
            delay = next(delays)
            if isinstance(error, TRANSIENT):
                log.warning("%s failed (%s); retrying in %.1f s", what, describe(error), delay)
            else:  # a bug, most likely: keep its traceback, keep the work alive
                log.exception("%s failed unexpectedly; retrying in %.1f s", what, delay)
            await asyncio.sleep(delay)


def describe(error: BaseException) -> str:
    if isinstance(error, discord.HTTPException):
        return f"Discord {error.status}: {error.text or type(error).__name__}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
