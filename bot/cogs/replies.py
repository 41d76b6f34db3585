"""The one way commands answer: replies and choices go through `bot.outgoing`, so none breaks a limit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import discord
from discord import app_commands

from bot.outgoing import Embed, Post, fit_choices, pack


async def reply(
    interaction: discord.Interaction, content: str = "", *, embeds: Sequence[Embed] = (), ephemeral: bool = False
) -> None:
    """Answer `interaction` (or follow up, once it was answered or deferred) in as many messages as it takes."""
    for post in pack(embeds, content):
        message = {**message_fields(post), "ephemeral": ephemeral}
        if interaction.response.is_done():
            await interaction.followup.send(**message)
        else:
            await interaction.response.send_message(**message)


def message_fields(post: Post) -> dict:
    """A built post as discord.py's `content` and `embeds` arguments."""
    return {"content": post.content or None, "embeds": [discord.Embed.from_dict(e) for e in post.embeds]}


def choices(pairs: Iterable[tuple[str, str]]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices from (name, value) pairs, as many and as long as Discord accepts."""
    return [app_commands.Choice(name=name, value=value) for name, value in fit_choices(pairs)]
