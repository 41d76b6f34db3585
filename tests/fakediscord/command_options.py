"""Interaction options built from a registered command schema, checked like Discord's client.

Values are validated the way the Discord client validates them before sending (type,
choices, min/max), so ``invoke`` cannot produce payloads real users couldn't, and user,
role and channel options come with the ``resolved`` data discord.py converts them from.
"""

from __future__ import annotations

from typing import Any

from .models import Json, Role, TextChannel, User
from .payloads import channel_payload, member_payload, role_payload, user_payload
from .state import ServerState

SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
_STRING, _INTEGER, _BOOLEAN, _USER, _CHANNEL, _ROLE, _MENTIONABLE, _NUMBER = 3, 4, 5, 6, 7, 8, 9, 10


class CommandNotRegistered(LookupError):
    """``invoke`` named a command (or subcommand) the bot never registered."""


class OptionBuilder:
    """Turns Python keyword values into interaction options, collecting ``resolved`` data."""

    def __init__(self, state: ServerState, channel: TextChannel, *, focused: str | None) -> None:
        self._state = state
        self._channel = channel
        self._focused = focused
        self.resolved: Json = {}

    def build(self, schema: list[Json], path: list[str], values: dict[str, Any], where: str) -> list[Json]:
        """Options for ``schema``; ``path`` holds the group/subcommand names still to descend."""
        if path:
            head, *rest = path
            nested = next(
                (o for o in schema if o["name"] == head and o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)),
                None,
            )
            if nested is None:
                names = [o["name"] for o in schema if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)]
                raise CommandNotRegistered(f"{where}: no subcommand or group {head!r}; available: {names}")
            inner = self.build(nested.get("options") or [], rest, values, where)
            return [{"type": nested["type"], "name": head, "options": inner}]
        if any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in schema):
            raise CommandNotRegistered(f"{where} needs a subcommand: {[o['name'] for o in schema]}")
        by_name = {option["name"]: option for option in schema}
        unknown = set(values) - set(by_name)
        if unknown:
            raise TypeError(f"{where} has no option(s) {sorted(unknown)}; options: {sorted(by_name)}")
        if self._focused is None:
            missing = [o["name"] for o in schema if o.get("required") and o["name"] not in values]
            if missing:
                raise TypeError(f"{where}: required option(s) missing: {missing}")
        elif self._focused not in by_name:
            raise TypeError(f"{where}: cannot focus unknown option {self._focused!r}")
        return [self._option(by_name[name], value, where) for name, value in values.items()]

    def _option(self, spec: Json, value: Any, where: str) -> Json:
        name, kind = spec["name"], spec["type"]
        if name == self._focused:
            # Discord sends the text typed so far, whatever the option's type.
            return {"type": kind, "name": name, "value": str(value), "focused": True}
        return {"type": kind, "name": name, "value": self._value(spec, value, f"{where} {name}")}

    def _value(self, spec: Json, value: Any, where: str) -> Any:
        kind = spec["type"]
        if kind == _STRING:
            converted: Any = _checked_length(spec, str(value), where)
        elif kind == _INTEGER:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{where} expects an integer, got {value!r}")
            converted = _checked_range(spec, value, where)
        elif kind == _NUMBER:
            converted = _checked_range(spec, float(value), where)
        elif kind == _BOOLEAN:
            if not isinstance(value, bool):
                raise TypeError(f"{where} expects a bool, got {value!r}")
            converted = value
        elif kind == _USER or (kind == _MENTIONABLE and isinstance(value, User)):
            return self._resolve_user(value, where)
        elif kind == _ROLE or (kind == _MENTIONABLE and isinstance(value, Role)):
            return self._resolve_role(value, where)
        elif kind == _CHANNEL:
            return self._resolve_channel(value, where)
        else:
            raise TypeError(f"{where}: option type {kind} is not supported by the fake server")
        choices = spec.get("choices")
        if choices and converted not in [choice["value"] for choice in choices]:
            raise ValueError(f"{where}: {converted!r} is not one of the choices {[c['value'] for c in choices]}")
        return converted

    def _resolve_user(self, value: Any, where: str) -> str:
        if not isinstance(value, User):
            raise TypeError(f"{where} expects a User from server.add_member, got {value!r}")
        self.resolved.setdefault("users", {})[str(value.id)] = user_payload(value)
        member = self._state.guild_of(self._channel).members.get(value.id)
        if member is not None:
            permissions = self._state.permissions(self._channel, value.id)
            self.resolved.setdefault("members", {})[str(value.id)] = member_payload(
                member, with_user=False, permissions=permissions
            )
        return str(value.id)

    def _resolve_role(self, value: Any, where: str) -> str:
        if not isinstance(value, Role):
            raise TypeError(f"{where} expects a Role from server.add_role, got {value!r}")
        self.resolved.setdefault("roles", {})[str(value.id)] = role_payload(value)
        return str(value.id)

    def _resolve_channel(self, value: Any, where: str) -> str:
        if not isinstance(value, TextChannel):
            raise TypeError(f"{where} expects a TextChannel from server.add_text_channel, got {value!r}")
        permissions = self._state.permissions(value, self._state.bot_user.id)
        self.resolved.setdefault("channels", {})[str(value.id)] = channel_payload(value) | {
            "permissions": str(permissions)
        }
        return str(value.id)


def _checked_length(spec: Json, text: str, where: str) -> str:
    low, high = spec.get("min_length", 0), spec.get("max_length", 6000)
    if not low <= len(text) <= high:
        raise ValueError(f"{where}: length {len(text)} outside [{low}, {high}]")
    return text


def _checked_range(spec: Json, number: float, where: str) -> Any:
    low, high = spec.get("min_value"), spec.get("max_value")
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{where}: {number} outside [{low}, {high}]")
    return number
