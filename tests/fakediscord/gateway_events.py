"""Gateway intents and the emitter interface the state uses to publish events.

The state does not know about sockets: it hands each event to an ``EventSink`` together
with the intent that gates it, and the gateway decides which session receives what.
"""

from __future__ import annotations

import enum
from typing import Protocol

from .models import Guild, Json


class Intent(enum.IntFlag):
    """Gateway intent bits relevant to the events this server produces."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    MESSAGE_CONTENT = 1 << 15


class EventSink(Protocol):
    def emit(self, name: str, data: Json, *, intent: Intent | None = None, content_gated: bool = False) -> None:
        """Publish a dispatch event.

        ``intent`` is the intent a session needs to receive it (``None``: always sent);
        ``content_gated`` marks message payloads whose content, embeds and attachments
        Discord blanks for sessions without the Message Content intent.
        """

    def guild_available(self, guild: Guild) -> None:
        """Announce a guild that appeared after login (GUILD_CREATE, shaped per session)."""


class EventRelay:
    """An ``EventSink`` that forwards to a target wired up later, dropping events until then.

    The state is built before the gateway that consumes its events (the gateway needs
    the state to build READY), so the state publishes through this relay.
    """

    def __init__(self) -> None:
        self.target: EventSink | None = None

    def emit(self, name: str, data: Json, *, intent: Intent | None = None, content_gated: bool = False) -> None:
        if self.target is not None:
            self.target.emit(name, data, intent=intent, content_gated=content_gated)

    def guild_available(self, guild: Guild) -> None:
        if self.target is not None:
            self.target.guild_available(guild)
