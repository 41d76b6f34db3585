"""The menu a private quiz carries: each choice is stored, then acknowledged, only to the member who made it.

A `DynamicItem` whose custom id carries the quiz id: it works for a menu posted before a restart,
and keeps nothing in memory. Whether the quiz still takes answers is the database's call.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from typing import TYPE_CHECKING

import discord

from bot import private_answers
from bot.cogs.component_errors import reported
from bot.cogs.replies import reply
from bot.store import Choice

if TYPE_CHECKING:
    from bot.client import QuizBot
    from bot.store import Quiz

ANSWER_WITHIN = 2.0  # seconds a choice may take to be stored before Discord is answered with a deferral


class AnswerMenu(discord.ui.DynamicItem[discord.ui.Select], template=private_answers.MENU):
    def __init__(self, menu: discord.ui.Select, quiz_id: int) -> None:
        super().__init__(menu)
        self.quiz_id = quiz_id

    @classmethod
    def posted(cls, quiz_id: int, labels: list[str]) -> AnswerMenu:
        options = [discord.SelectOption(label=label, value=str(i)) for i, label in enumerate(labels)]
        menu = discord.ui.Select(
            custom_id=private_answers.menu_id(quiz_id), placeholder="Choose your answer (only you see it)",
            min_values=1, max_values=len(options), options=options,
        )  # fmt: skip
        return cls(menu, quiz_id)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str]
    ) -> AnswerMenu:
        return cls(item, int(match["quiz"]))  # the menu discord.py read from the message, not built again

    @reported(
        busy="The database is busy right now, so your answer was not recorded; choose it again.",
        broken="Something went wrong on my side, so your answer was not recorded; it has been logged. Choose again.",
    )
    async def callback(self, interaction: discord.Interaction) -> None:
        bot: QuizBot = interaction.client  # type: ignore[assignment]
        quiz = await _quiz(bot, self.quiz_id, interaction.channel_id)
        chosen = private_answers.picks(self.item.values, len(quiz.question.options)) if quiz else None
        if quiz is None or chosen is None:
            await interaction.response.send_message(private_answers.closed(), ephemeral=True)
            return
        choice = Choice(quiz.id, interaction.user.id, chosen, bot.clock.now())
        stored = await _stored_in_time(interaction, bot.quizmaster.choices.write(choice))
        text = private_answers.acknowledged(chosen, int(quiz.deadline)) if stored else private_answers.closed()
        await reply(interaction, text, ephemeral=True)  # a follow-up when the write took long enough to defer


async def _stored_in_time(interaction: discord.Interaction, write: Awaitable[bool]) -> bool:
    """What `write` returns; the caller acknowledges only then, so an acknowledged choice is never lost.

    A busy database can hold the write for its whole busy timeout (5 s), and Discord drops an
    interaction unanswered after 3: past `ANSWER_WITHIN` the member sees "thinking…" until it is done.
    A timer, not a task per choice: the write is nearly always done long before.
    """
    deferring: list[asyncio.Future] = []

    def defer() -> None:
        deferring.append(asyncio.ensure_future(interaction.response.defer(ephemeral=True, thinking=True)))

    timer = asyncio.get_running_loop().call_later(ANSWER_WITHIN, defer)
    try:
        return await write
    finally:
        timer.cancel()
        for deferral in deferring:
            await deferral


async def _quiz(bot: QuizBot, quiz_id: int, channel_id: int | None) -> Quiz | None:
    """The quiz as the quizmaster holds it while it runs (parsed once, not per choice), else from the database."""
    running = bot.quizmaster.running_in(channel_id) if channel_id is not None else None
    if running is not None and running.quiz.id == quiz_id:
        return running.quiz
    return await bot.store.quiz(quiz_id)


def answer_view(quiz: Quiz) -> discord.ui.View:
    """The view a private question is posted with: the menu and nothing else to click."""
    view = discord.ui.View(timeout=None)
    view.add_item(AnswerMenu.posted(quiz.id, private_answers.labels([o.text for o in quiz.question.options])))
    return view
