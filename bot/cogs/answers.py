"""Gateway listeners: cleared reactions drop picks; deleted messages and channels cancel their quiz.

Single reactions and new sessions are recorded by `QuizBot.dispatch`, without a listener task.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord.ext import commands

if TYPE_CHECKING:
    from bot.client import QuizBot


class Answers(commands.Cog):
    def __init__(self, bot: QuizBot) -> None:
        self.quizmaster = bot.quizmaster

    @commands.Cog.listener()
    async def on_raw_reaction_clear(self, payload: discord.RawReactionClearEvent) -> None:
        self.quizmaster.on_reactions_cleared(payload.message_id, None)

    @commands.Cog.listener()
    async def on_raw_reaction_clear_emoji(self, payload: discord.RawReactionClearEmojiEvent) -> None:
        self.quizmaster.on_reactions_cleared(payload.message_id, payload.emoji.name)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self.quizmaster.cancel(None, payload.message_id, "the question message was deleted")

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        for message_id in payload.message_ids:
            await self.quizmaster.cancel(None, message_id, "the question message was deleted")

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self.quizmaster.cancel(channel.id, None, "its channel was deleted")
