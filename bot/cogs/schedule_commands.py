"""/quizschedule add, list and remove: recurring quizzes in a channel."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.checks import ANSWER_CHOICES, PICK_CHOICES, require_bot_permissions, require_moderator
from bot.cogs.replies import choices, reply
from bot.memory import Pick
from bot.outgoing import CHOICES, fit_lines, quoted
from bot.questions import MAX_DURATION, MIN_DURATION
from bot.quiz import QuizError
from bot.schedule import Recurrence, days_text, find_zones, parse_days, parse_time, parse_zone
from bot.scheduler import recurrence_of
from bot.store import Schedule

if TYPE_CHECKING:
    from bot.client import QuizBot


@app_commands.guild_only()
@app_commands.default_permissions(manage_messages=True)
class ScheduleCommands(commands.GroupCog, group_name="quizschedule", group_description="Recurring quizzes"):
    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot
        super().__init__()

    def _require_moderator(self, interaction: discord.Interaction) -> None:
        require_moderator(interaction, self.bot.config.quiz.moderator_role_ids)

    @app_commands.command(name="add")
    @app_commands.describe(
        days="Days to ask on: mon,wed,fri · mon-fri · weekdays · weekends · daily",
        time="Time of day, 24-hour HH:MM, e.g. 19:00",
        timezone="IANA time zone, e.g. Europe/Berlin (start typing to search)",
        topic="Only questions from this topic folder or tag",
        duration=f"Seconds to answer ({MIN_DURATION} to {MAX_DURATION}); default from the question or config",
        pick="Least recently asked (default), or review: the question the group is closest to forgetting",
        answers="Letter reactions everyone sees, or a private menu (counts hidden until the result); default: config",
    )
    @app_commands.choices(pick=PICK_CHOICES, answers=ANSWER_CHOICES)
    async def add(
        self,
        interaction: discord.Interaction,
        days: str,
        time: str,
        timezone: str,
        topic: str | None = None,
        duration: app_commands.Range[int, MIN_DURATION, MAX_DURATION] | None = None,
        pick: app_commands.Choice[str] | None = None,
        answers: app_commands.Choice[str] | None = None,
    ) -> None:
        """Ask a question in this channel on these days at this time."""
        self._require_moderator(interaction)
        require_bot_permissions(interaction, threads=self.bot.config.quiz.discussion_threads)
        recurrence = Recurrence(parse_days(days), parse_time(time), parse_zone(timezone).key)
        if topic and not self.bot.bank.in_topic(topic):
            raise QuizError(f"No questions in topic {quoted(topic)}; `/quiz topic:` lists the topics as you type.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self.bot.clock.now()
        schedule = await self.bot.store.add_schedule(
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            days=days_text(recurrence.days),
            at=f"{recurrence.at:%H:%M}",
            zone=recurrence.zone,
            topic=topic,
            duration=duration,
            created_by=interaction.user.id,
            created_at=now,
            pick=Pick(pick.value) if pick else Pick.LEAST_RECENT,
            answers=answers.value if answers else None,
        )
        self.bot.scheduler.changed()
        next_slot = int(recurrence.next_after(now))
        await reply(
            interaction,
            f"Scheduled #{schedule.id}: {recurrence.describe()} in <#{schedule.channel_id}>"
            f"{f', topic {quoted(topic)}' if topic else ''}{_review_note(schedule.pick)}{_answers_note(schedule)}."
            f" First question <t:{next_slot}:R> (<t:{next_slot}:f>).",
            ephemeral=True,
        )

    @add.autocomplete("timezone")
    async def _zones(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices((zone, zone) for zone in find_zones(current, CHOICES))

    @app_commands.command(name="list")
    async def list_schedules(self, interaction: discord.Interaction) -> None:
        """This server's recurring quizzes."""
        self._require_moderator(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        schedules = await self.bot.store.schedules(interaction.guild_id)
        now = self.bot.clock.now()
        lines = [
            f"**#{s.id}** <#{s.channel_id}> · {recurrence_of(s).describe()}"
            f"{f' · topic {quoted(s.topic)}' if s.topic else ''}{f' · {s.duration} s' if s.duration else ''}"
            f"{_review_note(s.pick)}{_answers_note(s)}"
            f" · next <t:{int(recurrence_of(s).next_after(now))}:R>"
            for s in schedules
        ]
        text = fit_lines(lines, more=lambda n: f"… and {n} more: remove one with `/quizschedule remove`.")
        await reply(interaction, text or "No recurring quizzes yet: `/quizschedule add` sets one up.", ephemeral=True)

    @app_commands.command(name="remove")
    @app_commands.describe(schedule="The schedule's number, as `/quizschedule list` shows it")
    async def remove(self, interaction: discord.Interaction, schedule: int) -> None:
        """Stop a recurring quiz."""
        self._require_moderator(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        if not await self.bot.store.remove_schedule(interaction.guild_id, schedule):
            raise QuizError(f"There is no schedule #{schedule} in this server; `/quizschedule list` shows them.")
        self.bot.scheduler.changed()
        await reply(interaction, f"Removed schedule #{schedule}.", ephemeral=True)


def _review_note(pick: Pick) -> str:
    return ", review: the question the group is closest to forgetting" if pick is Pick.REVIEW else ""


def _answers_note(schedule: Schedule) -> str:
    """Only an override is named: without one the schedule follows the server's `quiz.answers`."""
    return {"private": ", private answers", "reactions": ", answers by reaction"}.get(schedule.answers or "", "")
