"""Uploaded files as Discord takes them: at most 10 per message, 10 MB each for a bot, and an
embed's ``attachment://NAME`` must name one of the message's uploads (Discord then shows that
file, and answers with the attachment's CDN address in the embed)."""

from __future__ import annotations

import struct
from collections.abc import Sequence

from .errors import DiscordError, field_error, invalid_form_body, nest_errors
from .models import Json

MAX_ATTACHMENTS = 10
MAX_UPLOAD = 10 * 1024 * 1024
MAX_REQUEST = (MAX_ATTACHMENTS + 1) * MAX_UPLOAD  # room for a request that breaks the per-file limit
SCHEME = "attachment://"


def check_uploads(attachments: Sequence[Json], embeds: Sequence[Json]) -> None:
    """Refuse a message whose uploads (as attachment objects) break Discord's rules."""
    if len(attachments) > MAX_ATTACHMENTS:
        raise DiscordError(400, 30015, f"Maximum number of attachments in a message reached ({MAX_ATTACHMENTS})")
    if any(a.get("size", 0) > MAX_UPLOAD for a in attachments):  # an edit may list kept files without sizes
        raise DiscordError(413, 40005, "Request entity too large")
    names = {a["filename"] for a in attachments}
    for index, embed in enumerate(embeds):
        url = (embed.get("image") or {}).get("url", "")
        if url.startswith(SCHEME) and url[len(SCHEME) :] not in names:
            leaf = field_error("ATTACHMENT_NOT_FOUND", f"Attachment {url[len(SCHEME) :]} was not uploaded.")
            raise invalid_form_body(nest_errors(("embeds", str(index), "image", "url"), leaf))


def image_size(content: bytes) -> Json:
    """`width` and `height` of a PNG, as Discord reports them for an image attachment; {} otherwise."""
    if content[:8] != b"\x89PNG\r\n\x1a\n" or len(content) < 24:
        return {}
    width, height = struct.unpack(">II", content[16:24])
    return {"width": width, "height": height}


def shown_embeds(embeds: Sequence[Json], attachments: Sequence[Json]) -> list[Json]:
    """`embeds` with each ``attachment://`` image pointing at the uploaded file's CDN address."""
    urls = {a["filename"]: a["url"] for a in attachments}
    shown = []
    for embed in embeds:
        url = (embed.get("image") or {}).get("url", "")
        if url.startswith(SCHEME):
            embed = {**embed, "image": {**embed["image"], "url": urls.get(url[len(SCHEME) :], url)}}
        shown.append(embed)
    return shown
