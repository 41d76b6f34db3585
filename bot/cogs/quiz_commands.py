"""Slash commands: /quiz, /endquiz and /leaderboard. Parse, check, call the core, reply."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.bank import load_bank
from bot.cogs.checks import ANSWER_CHOICES, PICK_CHOICES, require_bot_permissions, require_moderator
from bot.cogs.replies import choices, reply
from bot.memory import Pick
from bot.outgoing import choice_name, quoted
from bot.questions import MAX_DURATION, MIN_DURATION, Question
from bot.quiz import QuizError

if TYPE_CHECKING:
    from bot.client import QuizBot

log = logging.getLogger(__name__)


class QuizCommands(commands.Cog):
    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot

    @app_commands.command(name="quiz")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_messages=True)
    @app_commands.describe(
        question="A question id (start typing to search); empty: the one this server saw least recently",
        topic="Pick from this topic folder or tag",
        duration=f"Seconds to answer ({MIN_DURATION} to {MAX_DURATION}); default from the question or config",
        pick="Without a question: least recently asked (default), or review what the group is forgetting",
        answers="Letter reactions everyone sees, or a private menu (counts hidden until the result); default: config",
    )
    @app_commands.choices(pick=PICK_CHOICES, answers=ANSWER_CHOICES)
    async def quiz(
        self,
        interaction: discord.Interaction,
        question: str | None = None,
        topic: str | None = None,
        duration: app_commands.Range[int, MIN_DURATION, MAX_DURATION] | None = None,
        pick: app_commands.Choice[str] | None = None,
        answers: app_commands.Choice[str] | None = None,
    ) -> None:
        """Post a question: members answer with letter reactions or privately, in a menu."""
        config = self.bot.config.quiz
        require_moderator(interaction, config.moderator_role_ids)
        require_bot_permissions(interaction, threads=config.discussion_threads)
        self.bot.quizmaster.check_free(interaction.channel_id)
        candidates = self._candidates(question, topic)
        # Privately: on Discord the first follow-up after a public defer is public whatever its
        # flags, and what follows here is a notice for the moderator (the question goes to the channel).
        await interaction.response.defer(ephemeral=True, thinking=True)
        chosen = await self.bot.quizmaster.choose(
            interaction.guild_id, candidates, Pick(pick.value if pick else Pick.LEAST_RECENT)
        )
        mode = answers.value if answers else None
        started = await self.bot.quizmaster.start_in(interaction.channel, interaction.user.id, chosen, duration, mode)
        await reply(interaction, render.started_note(started.quiz, started.unplaced), ephemeral=True)

    def _candidates(self, question: str | None, topic: str | None) -> list[Question]:
        bank = self.bot.bank
        if question:
            # An id longer than a choice value can be arrives as its stand-in (see `choice_value`).
            found = bank.get(choice_name(question, bank.questions) or "")
            if found is None:
                raise QuizError(f"No question {quoted(question)}.{_suggest(bank.closest_ids(question))}")
            return [found]
        if topic:
            name = choice_name(topic, bank.topics())
            if name is None:
                raise QuizError(f"No questions in topic {quoted(topic)}.{_suggest(bank.closest_topics(topic))}")
            return bank.in_topic(name)
        if not bank.questions:
            raise QuizError("The question bank is empty: add question files and reload.")
        return bank.in_topic(None)

    @quiz.autocomplete("question")
    async def _question_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice]:
        found = self.bot.bank.search(current)
        return choices((f"{q.title} · {q.id}", q.id) for q in found)

    @quiz.autocomplete("topic")
    async def _topic_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice]:
        needle = current.casefold()
        return choices((t, t) for t in self.bot.bank.topics() if needle in t.casefold())

    @app_commands.command(name="endquiz")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_messages=True)
    async def endquiz(self, interaction: discord.Interaction) -> None:
        """End this channel's quiz now and reveal the answer."""
        require_moderator(interaction, self.bot.config.quiz.moderator_role_ids)
        await self.bot.quizmaster.end_early(interaction.channel_id)
        await reply(interaction, "Ending the quiz now; the answer follows.", ephemeral=True)

    @app_commands.command(name="reloadquestions")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_messages=True)
    async def reloadquestions(self, interaction: discord.Interaction) -> None:
        """Re-read the question files; running quizzes are not affected."""
        require_moderator(interaction, self.bot.config.quiz.moderator_role_ids)
        await interaction.response.defer(ephemeral=True, thinking=True)
        before = self.bot.bank
        # One process: forking is unsafe once the bot's threads run.
        fresh = await asyncio.to_thread(load_bank, [self.bot.config.questions_path])
        self.bot.bank = fresh.keeping_what_broke(before)
        log.info(
            "questions reloaded by %s: %d in service, %d problems",
            interaction.user.id,
            len(self.bot.bank.questions),
            len(fresh.problems),
        )
        schedules = await self.bot.store.schedules(interaction.guild_id)
        starved = [(s.id, s.topic) for s in schedules if s.topic and not self.bot.bank.in_topic(s.topic)]
        summary = render.reload_summary(before.questions, self.bot.bank.questions, fresh.problems, starved)
        await reply(interaction, summary, ephemeral=True)


def _suggest(names: list[str]) -> str:
    return f" Did you mean {', '.join(map(quoted, names))}?" if names else ""
