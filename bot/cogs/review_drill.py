"""/review: a member's private drill of the cards that are due, one ephemeral message updated in place.

The buttons are `DynamicItem`s: their custom ids carry owner, card and picks (see bot/drill.py), so
a drill shown before a restart keeps working after it, with nothing kept in memory.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import drill, memory
from bot.cogs.component_errors import reported
from bot.drill import Showing

if TYPE_CHECKING:
    from bot.client import QuizBot

# A drill step that failed recorded nothing: pressing the same button again is always safe.
_reported = reported(
    busy="The database is busy right now, so nothing was recorded; press it again.",
    broken="Something went wrong on my side; it has been logged. Run `/review` again.",
)


async def _refuse_others(interaction: discord.Interaction, owner: int) -> bool:
    """True (after a private refusal) when someone presses another member's drill."""
    if interaction.user.id == owner:
        return False
    await interaction.response.send_message(drill.not_yours(), ephemeral=True)
    return True


class PickMenu(discord.ui.DynamicItem[discord.ui.Select], template=drill.PICK):
    def __init__(self, showing: Showing, labels: Sequence[str], picks: frozenset[int] = frozenset()) -> None:
        options = [
            discord.SelectOption(label=label, value=str(i), default=i in picks) for i, label in enumerate(labels)
        ]
        menu = discord.ui.Select(
            custom_id=showing.pick_id(), placeholder="Pick every correct option", min_values=1,
            max_values=len(options), options=options, row=0,
        )  # fmt: skip
        super().__init__(menu)
        self.showing = showing

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Select, match: re.Match[str]
    ) -> PickMenu:
        return cls(_showing(match), [option.label for option in item.options])

    @_reported
    async def callback(self, interaction: discord.Interaction) -> None:
        if await _refuse_others(interaction, self.showing.owner):
            return
        picks = frozenset(int(value) for value in self.item.values)
        labels = [option.label for option in self.item.options]
        await interaction.response.edit_message(view=card_view(self.showing, labels, picks))


class SubmitButton(discord.ui.DynamicItem[discord.ui.Button], template=drill.SUBMIT):
    def __init__(self, showing: Showing, picks: frozenset[int]) -> None:
        button = discord.ui.Button(
            label="Submit", style=discord.ButtonStyle.primary, custom_id=showing.submit_id(picks),
            disabled=not picks, row=1,
        )  # fmt: skip
        super().__init__(button)
        self.showing, self.picks = showing, picks

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> SubmitButton:
        return cls(_showing(match), drill.picks_from(match["picks"]))

    @_reported
    async def callback(self, interaction: discord.Interaction) -> None:
        if await _refuse_others(interaction, self.showing.owner):
            return
        await interaction.response.defer()  # the write may wait for another: answer Discord within 3 s first
        bot: QuizBot = interaction.client  # type: ignore[assignment]
        card = await bot.store.card(self.showing.card)
        if card is None or card.user_id != self.showing.owner or card.guild_id != interaction.guild_id:
            await interaction.edit_original_response(content=drill.expired(), embeds=[], view=None)
            return
        question = bot.bank.get(card.question.id) or card.question
        if not drill.valid_picks(self.picks, question.options):
            await interaction.edit_original_response(content=drill.expired(), embeds=[], view=None)
            return
        grade = memory.rating(self.picks, question.correct)
        after = None
        if card.memory.reviews == self.showing.seen:
            after = await bot.store.review_in_drill(card, grade, bot.clock.now())
        if after is None:
            await interaction.edit_original_response(
                content=drill.already_answered(), embeds=[], view=next_view(card.user_id)
            )
            return
        embeds = [discord.Embed.from_dict(e) for e in drill.verdict_embeds(question, self.picks, after)]
        await interaction.edit_original_response(content=None, embeds=embeds, view=next_view(card.user_id))


class NextButton(discord.ui.DynamicItem[discord.ui.Button], template=drill.NEXT):
    def __init__(self, owner: int) -> None:
        super().__init__(
            discord.ui.Button(label="Next", style=discord.ButtonStyle.secondary, custom_id=drill.next_id(owner))
        )
        self.owner = owner

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> NextButton:
        return cls(int(match["owner"]))

    @_reported
    async def callback(self, interaction: discord.Interaction) -> None:
        if await _refuse_others(interaction, self.owner):
            return
        await interaction.response.defer()
        bot: QuizBot = interaction.client  # type: ignore[assignment]
        await interaction.edit_original_response(**await screen(bot, interaction.guild_id, self.owner))


DRILL_ITEMS = (PickMenu, SubmitButton, NextButton)


def _showing(match: re.Match[str]) -> Showing:
    return Showing(int(match["owner"]), int(match["card"]), int(match["seen"]))


def card_view(showing: Showing, labels: Sequence[str], picks: frozenset[int] = frozenset()) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PickMenu(showing, labels, picks))
    view.add_item(SubmitButton(showing, picks))
    return view


def next_view(owner: int) -> discord.ui.View:
    return discord.ui.View(timeout=None).add_item(NextButton(owner))


async def screen(bot: QuizBot, guild_id: int, owner: int) -> dict[str, Any]:
    """The drill's message for the member now: their most overdue card, or what there is when none is due."""
    now = bot.clock.now()
    card = await bot.store.due_card(guild_id, owner, now)
    summary = await bot.store.memory_summary(guild_id, owner, now)
    if card is None:
        return {"content": drill.nothing_due(summary), "embeds": [], "view": None}
    question = bot.bank.get(card.question.id) or card.question
    embeds = [discord.Embed.from_dict(e) for e in drill.card_embeds(question, summary.due)]
    showing = Showing(owner, card.id, card.memory.reviews)
    return {"content": None, "embeds": embeds, "view": card_view(showing, drill.option_labels(question))}


class ReviewDrill(commands.Cog):
    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot

    @app_commands.command(name="review")
    @app_commands.guild_only()
    async def review(self, interaction: discord.Interaction) -> None:
        """Privately practise your questions that are due: each comes back just before you would forget it."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        shown = await screen(self.bot, interaction.guild_id, interaction.user.id)
        view = shown.pop("view")
        await interaction.followup.send(ephemeral=True, **shown, **({"view": view} if view else {}))
