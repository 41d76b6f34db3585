"""What the commands share: who may run them, what the bot itself may do in the channel, the pick and answer choices."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.memory import PICK_NAMES
from bot.quiz import QuizError, missing_permissions

# `pick:` and `answers:` of /quiz and /quizschedule add
PICK_CHOICES = [app_commands.Choice(name=name, value=pick.value) for pick, name in PICK_NAMES.items()]
ANSWER_CHOICES = [
    app_commands.Choice(name="reactions (everyone sees the counts)", value="reactions"),
    app_commands.Choice(name="private (a menu; picks hidden until the result)", value="private"),
]


def require_moderator(interaction: discord.Interaction, role_ids: tuple[int, ...]) -> None:
    """Checked on every call: server admins can override the command's default permissions."""
    allowed = interaction.permissions
    if allowed.administrator or allowed.manage_guild or allowed.manage_messages:
        return
    if any(role.id in role_ids for role in getattr(interaction.user, "roles", ())):
        return
    raise QuizError("Only moderators can do that (Manage Messages, Manage Server, or a quiz moderator role).")


def require_bot_permissions(interaction: discord.Interaction, *, threads: bool) -> None:
    missing = missing_permissions(interaction.app_permissions, threads=threads)
    if missing:
        raise QuizError(
            f"I can't run a quiz in <#{interaction.channel_id}>: I'm missing **{', '.join(missing)}**. "
            "Grant them to my role in Server Settings → Roles, or in this channel's settings → Permissions."
        )
