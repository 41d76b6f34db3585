"""Discord's JSON error responses, raised inside handlers and rendered by the middleware."""

from __future__ import annotations

from typing import Any

from .models import Json


class DiscordError(Exception):
    """An error the fake API answers with, in Discord's ``{"code", "message"[, "errors"]}`` shape."""

    def __init__(self, status: int, code: int, message: str, errors: Json | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> Json:
        body: Json = {"code": self.code, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def unknown_channel() -> DiscordError:
    return DiscordError(404, 10003, "Unknown Channel")


def unknown_guild() -> DiscordError:
    return DiscordError(404, 10004, "Unknown Guild")


def unknown_member() -> DiscordError:
    return DiscordError(404, 10007, "Unknown Member")


def unknown_message() -> DiscordError:
    return DiscordError(404, 10008, "Unknown Message")


def unknown_user() -> DiscordError:
    return DiscordError(404, 10013, "Unknown User")


def unknown_webhook() -> DiscordError:
    return DiscordError(404, 10015, "Unknown Webhook")


def unknown_interaction() -> DiscordError:
    return DiscordError(404, 10062, "Unknown interaction")


def unauthorized() -> DiscordError:
    return DiscordError(401, 0, "401: Unauthorized")


def missing_access() -> DiscordError:
    return DiscordError(403, 50001, "Missing Access")


def missing_permissions() -> DiscordError:
    return DiscordError(403, 50013, "Missing Permissions")


def cannot_edit_others_message() -> DiscordError:
    return DiscordError(403, 50005, "Cannot edit a message authored by another user")


def empty_message() -> DiscordError:
    return DiscordError(400, 50006, "Cannot send an empty message")


def too_many_reactions() -> DiscordError:
    return DiscordError(400, 30010, "Maximum number of reactions reached (20)")


def already_acknowledged() -> DiscordError:
    return DiscordError(400, 40060, "Interaction has already been acknowledged.")


def not_found_route() -> DiscordError:
    return DiscordError(404, 0, "404: Not Found")


def field_error(code: str, message: str) -> Json:
    """One entry of Discord's nested ``errors`` tree."""
    return {"_errors": [{"code": code, "message": message}]}


def invalid_form_body(errors: Json) -> DiscordError:
    return DiscordError(400, 50035, "Invalid Form Body", errors)


def nest_errors(path: tuple[str, ...], leaf: Json) -> Json:
    """Wrap ``leaf`` in one dict per path element, as Discord nests errors by field path."""
    tree: Any = leaf
    for key in reversed(path):
        tree = {key: tree}
    return tree


def merge_errors(into: Json, more: Json) -> None:
    """Deep-merge an errors tree so several violations are reported at once, like Discord."""
    for key, value in more.items():
        if key in into and isinstance(into[key], dict) and key != "_errors":
            merge_errors(into[key], value)
        elif key == "_errors" and key in into:
            into[key].extend(value)
        else:
            into[key] = value
