"""Slash commands about progress: /leaderboard, /stats, /questionstats and /newseason."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import charts, drill, render
from bot.cogs.checks import require_moderator
from bot.cogs.replies import reply
from bot.periods import Period, span
from bot.quiz import QuizError

if TYPE_CHECKING:
    from bot.client import QuizBot

PERIOD_CHOICES = [
    app_commands.Choice(name="all time", value=Period.ALL.value),
    app_commands.Choice(name="this week", value=Period.WEEK.value),
    app_commands.Choice(name="this month", value=Period.MONTH.value),
    app_commands.Choice(name="this season", value=Period.SEASON.value),
]


class StatsCommands(commands.Cog):
    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot

    @app_commands.command(name="leaderboard")
    @app_commands.guild_only()
    @app_commands.describe(period="Which results count (default: all time)", season="An earlier season's number")
    @app_commands.choices(period=PERIOD_CHOICES)
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        period: app_commands.Choice[str] | None = None,
        season: app_commands.Range[int, 1] | None = None,
    ) -> None:
        """Show this server's top members, and your own rank."""
        await interaction.response.defer(thinking=True)
        store = self.bot.store
        chosen = Period.SEASON if season is not None else Period(period.value if period else Period.ALL)
        try:
            window = span(chosen, self.bot.clock.now(), await store.season_starts(interaction.guild_id), season)
        except LookupError as error:
            raise QuizError(str(error)) from None
        size = self.bot.config.quiz.leaderboard_size
        standings = await store.leaderboard(interaction.guild_id, size, window.since, window.until)
        me = await store.standing(interaction.guild_id, interaction.user.id, window.since, window.until)
        embed = render.leaderboard_embed(standings, me, title=f"Leaderboard · {window.label}")
        await reply(interaction, embeds=[embed])

    @app_commands.command(name="stats")
    @app_commands.guild_only()
    @app_commands.describe(member="Whose statistics (default: yours)")
    async def stats(self, interaction: discord.Interaction, member: discord.User | None = None) -> None:
        """Questions answered, accuracy, points, streaks and accuracy per topic."""
        # A User, not a Member: someone who left the server still has their history here.
        await interaction.response.defer(thinking=True)
        who = member or interaction.user
        stats = await self.bot.store.member_stats(interaction.guild_id, who.id)
        embed = render.member_stats_embed(who.id, stats)
        summary = await self.bot.store.memory_summary(interaction.guild_id, who.id, self.bot.clock.now())
        if summary.cards:
            embed.setdefault("fields", []).append(drill.memory_field(summary))
        if stats is None:
            await reply(interaction, embeds=[embed])
            return
        weeks = charts.weekly(stats.history, stats.graded_at)
        drawn = await asyncio.to_thread(charts.member_charts, stats.topics, weeks)
        await reply(interaction, embeds=render.with_charts(embed, list(drawn)), files=drawn)

    @app_commands.command(name="questionstats")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_messages=True)
    async def questionstats(self, interaction: discord.Interaction) -> None:
        """The questions this server finds hardest: share right, times asked, the most-picked wrong option."""
        require_moderator(interaction, self.bot.config.quiz.moderator_role_ids)
        await interaction.response.defer(ephemeral=True, thinking=True)
        stats = await self.bot.store.question_stats(interaction.guild_id)
        embed = render.question_stats_embed(stats)
        if not stats:
            await reply(interaction, embeds=[embed], ephemeral=True)
            return
        rows = [(entry.question.title, entry.share_right, entry.answers) for entry in stats[: render.HARDEST_SHOWN]]
        drawn = {"hardest.png": await asyncio.to_thread(charts.hardest_chart, rows)}
        await reply(interaction, embeds=render.with_charts(embed, list(drawn)), files=drawn, ephemeral=True)

    @app_commands.command(name="newseason")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_messages=True)
    async def newseason(self, interaction: discord.Interaction) -> None:
        """Start a new season: its leaderboard starts at zero; earlier seasons stay viewable."""
        require_moderator(interaction, self.bot.config.quiz.moderator_role_ids)
        await interaction.response.defer(thinking=True)
        number = await self.bot.store.start_season(interaction.guild_id, interaction.user.id, self.bot.clock.now())
        await reply(
            interaction,
            f"🏁 Season {number} starts now. Earlier seasons: `/leaderboard season:{number - 1}`; "
            "all-time points are kept.",
        )
