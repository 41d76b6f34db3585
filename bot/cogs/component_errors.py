"""What a member is told when a button or menu of theirs fails: discord.py would only log it.

Shared by the review drill and the private answer menu, whose callbacks raise and leave the
telling here, so that a database error never reaches a member as Discord's "interaction failed".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

import discord

from bot.cogs.replies import reply
from bot.store import StoreError

log = logging.getLogger(__name__)

Callback = Callable[[Any, discord.Interaction], Awaitable[None]]


def reported(*, busy: str, broken: str) -> Callable[[Callback], Callback]:
    """`busy`: what the member is told when the database refused (nothing was recorded); `broken`: anything else."""

    def decorate(callback: Callback) -> Callback:
        @wraps(callback)
        async def run(self: Any, interaction: discord.Interaction) -> None:
            try:
                await callback(self, interaction)
            except StoreError as error:
                log.warning("%s: database: %s", type(self).__name__, error)
                await _tell(interaction, busy)
            except Exception:
                log.exception("%s failed on %s", type(self).__name__, getattr(interaction, "data", None))
                await _tell(interaction, broken)

        return run

    return decorate


async def _tell(interaction: discord.Interaction, text: str) -> None:
    try:
        await reply(interaction, text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell %s why their click failed", interaction.user.id)
