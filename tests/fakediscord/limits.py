"""Discord's size limits for message content and embeds, reported as a 50035 Invalid Form Body.

All violations of one request are collected into a single nested ``errors`` tree, the
way Discord reports them, so a test can assert on the exact offending field path.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import empty_message, field_error, invalid_form_body, merge_errors, nest_errors
from .models import Json

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TITLE = 256
MAX_EMBED_DESCRIPTION = 4096
MAX_EMBED_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER_TEXT = 2048
MAX_AUTHOR_NAME = 256
MAX_TOTAL_EMBED_CHARACTERS = 6000


class _Collector:
    def __init__(self) -> None:
        self.errors: Json = {}

    def too_long(self, path: tuple[str, ...], limit: int) -> None:
        leaf = field_error("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
        merge_errors(self.errors, nest_errors(path, leaf))

    def required(self, path: tuple[str, ...]) -> None:
        merge_errors(self.errors, nest_errors(path, field_error("BASE_TYPE_REQUIRED", "This field is required")))

    def embed_too_big(self) -> None:
        leaf = field_error(
            "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {MAX_TOTAL_EMBED_CHARACTERS}"
        )
        merge_errors(self.errors, nest_errors(("embeds",), leaf))

    def check_length(self, path: tuple[str, ...], text: str | None, limit: int) -> None:
        if text is not None and len(text) > limit:
            self.too_long(path, limit)


def embed_characters(embed: Json) -> int:
    """Characters Discord counts towards the 6000 limit shared by all embeds of a message."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    for field in embed.get("fields") or []:
        total += len(field.get("name") or "") + len(field.get("value") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    return total


def _check_embed(collector: _Collector, index: int, embed: Json) -> None:
    path = ("embeds", str(index))
    collector.check_length((*path, "title"), embed.get("title"), MAX_EMBED_TITLE)
    collector.check_length((*path, "description"), embed.get("description"), MAX_EMBED_DESCRIPTION)
    collector.check_length((*path, "footer", "text"), (embed.get("footer") or {}).get("text"), MAX_FOOTER_TEXT)
    collector.check_length((*path, "author", "name"), (embed.get("author") or {}).get("name"), MAX_AUTHOR_NAME)
    fields = embed.get("fields") or []
    if len(fields) > MAX_EMBED_FIELDS:
        collector.too_long((*path, "fields"), MAX_EMBED_FIELDS)
    for field_index, field in enumerate(fields):
        field_path = (*path, "fields", str(field_index))
        for key, limit in (("name", MAX_FIELD_NAME), ("value", MAX_FIELD_VALUE)):
            text = field.get(key)
            if not text:
                collector.required((*field_path, key))
            else:
                collector.check_length((*field_path, key), text, limit)


def validate_message_body(body: Json, *, path_prefix: tuple[str, ...] = ()) -> None:
    """Raise 50035 if ``content``/``embeds`` in a create or edit body break Discord's limits.

    ``path_prefix`` places the errors where Discord reports them, e.g. ``("data",)`` for an
    interaction callback whose message sits under ``data``.
    """
    collector = _Collector()
    collector.check_length(("content",), body.get("content"), MAX_CONTENT)
    embeds: Sequence[Json] = body.get("embeds") or []
    if len(embeds) > MAX_EMBEDS:
        collector.too_long(("embeds",), MAX_EMBEDS)
    for index, embed in enumerate(embeds):
        _check_embed(collector, index, embed)
    if sum(embed_characters(embed) for embed in embeds) > MAX_TOTAL_EMBED_CHARACTERS:
        collector.embed_too_big()
    if collector.errors:
        raise invalid_form_body(nest_errors(path_prefix, collector.errors))


def ensure_not_empty(content: str, embeds: Sequence[Json], attachments: Sequence[Json]) -> None:
    """Discord refuses (50006) a message that would show nothing at all."""
    if not content and not embeds and not attachments:
        raise empty_message()
