"""Message components (action rows, buttons, string selects): Discord's limits, and what a user may
click or choose.

The limits are those of Discord's documentation, reported as a 50035 Invalid Form Body under the
``components`` path; what a user may do (no disabled button, only listed values, between
``min_values`` and ``max_values`` of them) is what the Discord client lets them do.
"""

from __future__ import annotations

from collections.abc import Iterator

from .errors import field_error, invalid_form_body, merge_errors, nest_errors
from .models import Json, Message

ACTION_ROW = 1
BUTTON = 2
STRING_SELECT = 3
LINK_STYLE = 5
PREMIUM_STYLE = 6

MAX_ROWS = 5
MAX_BUTTONS_PER_ROW = 5
MAX_CUSTOM_ID = 100
MAX_BUTTON_LABEL = 80
MAX_SELECT_OPTIONS = 25
MAX_OPTION_TEXT = 100  # an option's label, value and description
MAX_PLACEHOLDER = 150


class ComponentError(ValueError):
    """A test asked a user to do what the Discord client would not let them do."""


def validate_components(components: list[Json] | None, *, path_prefix: tuple[str, ...] = ()) -> None:
    """Raise 50035 if a create or edit body's ``components`` break Discord's limits."""
    if not components:
        return
    found: Json = {}

    def complain(path: tuple[str, ...], code: str, message: str) -> None:
        merge_errors(found, nest_errors(("components", *path), field_error(code, message)))

    if len(components) > MAX_ROWS:
        complain((), "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_ROWS} or fewer in length.")
    seen: set[str] = set()
    for r, row in enumerate(components):
        children = row.get("components") or []
        if row.get("type") != ACTION_ROW:
            complain((str(r), "type"), "UNION_TYPE_CHOICES", "Top-level components must be action rows.")
            continue
        selects = sum(child.get("type") == STRING_SELECT for child in children)
        if not children or (selects and len(children) > 1) or len(children) > MAX_BUTTONS_PER_ROW:
            complain(
                (str(r), "components"),
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "An action row holds 1 to 5 buttons or exactly one select menu.",
            )
        for c, child in enumerate(children):
            path = (str(r), "components", str(c))
            custom_id = child.get("custom_id")
            if custom_id is not None:
                if len(custom_id) > MAX_CUSTOM_ID:
                    complain(
                        (*path, "custom_id"), "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CUSTOM_ID} or fewer in length."
                    )
                if custom_id in seen:
                    complain(
                        (*path, "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                seen.add(custom_id)
            if child.get("type") == BUTTON:
                _check_button(child, path, complain)
            elif child.get("type") == STRING_SELECT:
                _check_select(child, path, complain)
    if found:
        raise invalid_form_body(nest_errors(path_prefix, found))


def _check_button(button: Json, path: tuple[str, ...], complain) -> None:
    if len(button.get("label") or "") > MAX_BUTTON_LABEL:
        complain((*path, "label"), "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_BUTTON_LABEL} or fewer in length.")
    if button.get("style") not in (LINK_STYLE, PREMIUM_STYLE) and not button.get("custom_id"):
        complain((*path, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")


def _check_select(select: Json, path: tuple[str, ...], complain) -> None:
    options = select.get("options") or []
    if not select.get("custom_id"):
        complain((*path, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
    if not 1 <= len(options) <= MAX_SELECT_OPTIONS:
        complain((*path, "options"), "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {MAX_SELECT_OPTIONS} in length.")
    if len(select.get("placeholder") or "") > MAX_PLACEHOLDER:
        complain((*path, "placeholder"), "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_PLACEHOLDER} or fewer in length.")
    low, high = select.get("min_values", 1), select.get("max_values", 1)
    if not 0 <= low <= MAX_SELECT_OPTIONS:
        complain((*path, "min_values"), "NUMBER_TYPE_MAX", f"int value should be between 0 and {MAX_SELECT_OPTIONS}.")
    if not 1 <= high <= MAX_SELECT_OPTIONS:
        complain((*path, "max_values"), "NUMBER_TYPE_MAX", f"int value should be between 1 and {MAX_SELECT_OPTIONS}.")
    if low > high or high > len(options):
        complain(
            (*path, "max_values"),
            "SELECT_COMPONENT_MAX_VALUES_INVALID",
            "max_values must be at least min_values and at most the number of options.",
        )
    values = set()
    for o, option in enumerate(options):
        for key in ("label", "value", "description"):
            if len(option.get(key) or "") > MAX_OPTION_TEXT:
                complain(
                    (*path, "options", str(o), key),
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {MAX_OPTION_TEXT} or fewer in length.",
                )
        if option.get("value") in values:
            complain((*path, "options", str(o), "value"), "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED", "Duplicate value")
        values.add(option.get("value"))


def _children(message: Message) -> Iterator[Json]:
    for row in message.components:
        yield from row.get("components") or []


def clickable(message: Message, custom_id: str, kind: int) -> Json:
    """The enabled component ``custom_id`` of type ``kind`` on the message, as a user can use it."""
    if message.deleted:
        raise ComponentError(f"message {message.id} is deleted")
    for child in _children(message):
        if child.get("custom_id") == custom_id:
            if child.get("type") != kind:
                raise ComponentError(f"component {custom_id!r} is of type {child.get('type')}, not {kind}")
            if child.get("disabled"):
                raise ComponentError(f"component {custom_id!r} is disabled")
            return child
    shown = [child.get("custom_id") for child in _children(message)]
    raise ComponentError(f"message {message.id} has no component {custom_id!r}; it has {shown}")


def check_choice(select: Json, values: list[str]) -> None:
    """What the client lets a user submit from a string select."""
    listed = [option["value"] for option in select.get("options") or []]
    unknown = [value for value in values if value not in listed]
    if unknown:
        raise ComponentError(f"{unknown} are not options of {select['custom_id']!r} ({listed})")
    low, high = select.get("min_values", 1), select.get("max_values", 1)
    if not low <= len(set(values)) == len(values) <= high:
        raise ComponentError(f"{select['custom_id']!r} takes {low} to {high} distinct values, not {values}")


def stored_components(components: list[Json] | None) -> list[Json]:
    """Components as Discord keeps them: each numbered in order, a select's value counts filled in."""
    stored: list[Json] = []
    number = 0
    for row in components or []:
        number += 1
        children = []
        for child in row.get("components") or []:
            number += 1
            kept = {key: value for key, value in child.items() if value is not None}
            if kept.get("type") == STRING_SELECT:
                kept = {"min_values": 1, "max_values": 1} | kept
            children.append({"id": number} | kept)
        stored.append({"type": ACTION_ROW, "id": number - len(children), "components": children})
    return stored
