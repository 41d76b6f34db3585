"""The one way commands answer: replies and choices go through `bot.outgoing`, so none breaks a limit."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import discord
from discord import app_commands

from bot import formulas
from bot.outgoing import Attachment, Embed, Post, attach, attachment_url, fit_choices, pack

log = logging.getLogger(__name__)


async def reply(
    interaction: discord.Interaction,
    content: str = "",
    *,
    embeds: Sequence[Embed] = (),
    ephemeral: bool = False,
    files: Mapping[str, bytes] | None = None,
) -> None:
    """Answer `interaction` (or follow up, once it was answered or deferred) in as many messages as it takes.

    `files` (name -> bytes, e.g. charts) go with the message whose embeds show them."""
    for post in pack(embeds, content):
        message = {**message_fields(post), "ephemeral": ephemeral}
        shown = {e.get("image", {}).get("url") for e in post.embeds}
        mine = [(name, data) for name, data in (files or {}).items() if attachment_url(name) in shown]
        if mine:
            message["files"] = [discord.File(io.BytesIO(data), filename=name) for name, data in mine]
        if interaction.response.is_done():
            await interaction.followup.send(**message)
        else:
            await interaction.response.send_message(**message)


def message_fields(post: Post) -> dict:
    """A built post as discord.py's `content` and `embeds` arguments."""
    return {"content": post.content or None, "embeds": [discord.Embed.from_dict(e) for e in post.embeds]}


async def with_files(post: Post) -> dict:
    """`message_fields` plus the post's files, typeset or read off the event loop.

    A file that cannot be made (a figure deleted since the bank was loaded) is left out with its
    embed image, so the message still goes up rather than being refused for a missing attachment.
    """
    if not post.files:
        return message_fields(post)
    made = await asyncio.to_thread(lambda: [_made(f) for f in post.files])
    ready = [(f, data) for f, data in zip(post.files, made, strict=True) if data is not None]
    post = attach([post], [f for f, _ in ready])[0]
    return {
        **message_fields(post),
        "files": [discord.File(io.BytesIO(data), filename=f.name) for f, data in ready],
    }


def _made(file: Attachment) -> bytes | None:
    try:
        return Path(file.path).read_bytes() if file.path else formulas.compose(file.rows)
    except (OSError, formulas.FormulaError) as error:
        log.warning("left %s out of a message: %s", file.name, error)
        return None


def choices(pairs: Iterable[tuple[str, str]]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices from (name, value) pairs, as many and as long as Discord accepts."""
    return [app_commands.Choice(name=name, value=value) for name, value in fit_choices(pairs)]
