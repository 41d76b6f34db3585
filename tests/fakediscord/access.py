"""Permission gates for requests the bot makes, with Discord's error codes."""

from __future__ import annotations

from . import errors
from .models import TextChannel
from .permissions import Permission
from .state import ServerState


def require_bot_permissions(state: ServerState, channel: TextChannel, *needed: Permission) -> int:
    """Return the bot's permissions in ``channel`` or raise as Discord does.

    Without View Channel the channel is invisible: 403 50001 Missing Access. Any other
    missing permission is 403 50013 Missing Permissions.
    """
    granted = state.permissions(channel, state.bot_user.id)
    if not granted & Permission.VIEW_CHANNEL:
        raise errors.missing_access()
    for permission in needed:
        if not granted & permission:
            raise errors.missing_permissions()
    return granted
