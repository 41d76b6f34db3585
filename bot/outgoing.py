"""Every message the bot sends, held to Discord's limits. Pure.

Discord refuses a whole message (400) when any one part is over its limit, so nothing may reach
the edge unchecked: long text is split across embeds and messages (`split_text`, `pack`), lists
keep whole lines and say how many were left out (`fit_lines`), and whatever is still over a
limit is clipped with a visible "…" (`fit_embed`, `pack`). Text that echoes what someone typed
is clipped where it is formatted (`quoted`). Embeds are dicts in Discord's JSON shape.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

# Discord's limits, in characters unless noted.
CONTENT_LIMIT = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELDS = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
EMBED_FOOTER_LIMIT = 2048
EMBED_AUTHOR_LIMIT = 256
EMBED_TOTAL_LIMIT = 6000  # across all embeds of one message
CHOICES = 25  # autocomplete choices per answer
CHOICE_LIMIT = 100  # a choice's name and its value

ECHO_LIMIT = 100  # characters of someone's input repeated back in a reply

Embed = dict


ATTACHMENTS_PER_MESSAGE = 10


@dataclass(frozen=True)
class Attachment:
    """A file uploaded with a message and shown by an embed as `attachment://{name}`.

    It says how to make the bytes (a figure's path, or the rows of text to typeset), not the bytes,
    so a post stored as JSON re-creates the same file after a restart.
    """

    name: str
    path: str = ""
    rows: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Post:
    """One Discord message: text content, embeds, and the files its embeds show."""

    content: str = ""
    embeds: tuple[Embed, ...] = ()
    files: tuple[Attachment, ...] = ()


def attachment_url(name: str) -> str:
    return f"attachment://{name}"


def attach(posts: Sequence[Post], files: Sequence[Attachment]) -> list[Post]:
    """Each file on the post whose embeds show it; a file no embed shows is not sent (Discord would
    show it as a loose attachment), nor one past the 10 a message holds (`validate` reports those)."""
    attached = []
    for post in posts:
        shown = {e.get("image", {}).get("url") for e in post.embeds}
        mine = [f for f in files if attachment_url(f.name) in shown][:ATTACHMENTS_PER_MESSAGE]
        kept = {attachment_url(f.name) for f in mine}
        embeds = tuple(e for e in (_without_missing(e, kept) for e in post.embeds) if e is not None)
        attached.append(Post(post.content, embeds, tuple(mine)))
    return attached


def _without_missing(embed: Embed, kept: Collection[str]) -> Embed | None:
    """`embed` without an image that is not sent (Discord refuses the message), or None if that was all."""
    url = embed.get("image", {}).get("url", "")
    if not url.startswith("attachment://") or url in kept:
        return embed
    rest = {key: value for key, value in embed.items() if key != "image"}
    return rest if set(rest) - {"color"} else None


def clip(text: str, limit: int) -> str:
    """`text` shortened to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(text: str, limit: int = ECHO_LIMIT) -> str:
    """Someone's input as inline code on one line, short enough to repeat in any reply."""
    flat = " ".join(text.replace("`", "'").split())
    return f"`{clip(flat, limit)}`"


def and_more(left_out: int) -> str:
    return f"… and {left_out} more"


def fit_lines(
    lines: Sequence[str],
    limit: int = CONTENT_LIMIT,
    more: Callable[[int], str] = and_more,
    *,
    before: str = "",
    after: str = "",
    sep: str = "\n",
    left_out: int = 0,
) -> str:
    """`before`, as many whole `lines` as fit, `after`, then `more(how many are not shown)`: within `limit`.

    `left_out` counts lines the caller already held back. The first line is clipped rather than
    left out, so a list never shows only its count.
    """
    kept: list[str] = []
    used = len(before) + len(after)
    for n, line in enumerate(lines):
        hidden = len(lines) - n - 1 + left_out
        tail = len(more(hidden)) + 1 if hidden else 0
        room = limit - used - tail - len(sep) * len(kept)
        if len(line) > room:
            if kept:
                left_out += len(lines) - n
                break
            line = clip(line, max(room, 1))
        kept.append(line)
        used += len(line)
    text = before + sep.join(kept) + after
    return f"{text}\n{more(left_out)}" if left_out else text


def embed_size(embed: Embed) -> int:
    """Characters that count towards the 6,000 per message."""
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", ""))
        + len(embed.get("footer", {}).get("text", ""))
        + len(embed.get("author", {}).get("name", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", ()))
    )


def fit_embed(embed: Embed) -> Embed:
    """`embed` with every part within its limit and the whole within one message's total."""
    fitted = dict(embed)
    for key, limit in (("title", EMBED_TITLE_LIMIT), ("description", EMBED_DESCRIPTION_LIMIT)):
        if key in fitted:
            fitted[key] = clip(fitted[key], limit)
    for key, part, limit in (("footer", "text", EMBED_FOOTER_LIMIT), ("author", "name", EMBED_AUTHOR_LIMIT)):
        if key in fitted:
            fitted[key] = {**fitted[key], part: clip(fitted[key][part], limit)}
    fields = [
        {**f, "name": clip(f["name"], FIELD_NAME_LIMIT), "value": clip(f["value"], FIELD_VALUE_LIMIT)}
        for f in embed.get("fields", ())
    ]
    if fields:
        fitted["fields"] = fields[:EMBED_FIELDS]
    while embed_size(fitted) > EMBED_TOTAL_LIMIT and fitted.get("fields"):
        fitted["fields"] = fitted["fields"][:-1]
    if embed_size(fitted) > EMBED_TOTAL_LIMIT:
        over = embed_size(fitted) - EMBED_TOTAL_LIMIT
        fitted["description"] = clip(fitted["description"], len(fitted["description"]) - over)
    return fitted


def pack(embeds: Sequence[Embed], content: str = "") -> list[Post]:
    """Embeds grouped into as few messages as Discord allows, in order; `content` goes on the last."""
    groups: list[list[Embed]] = [[]]
    size = 0
    for embed in map(fit_embed, embeds):
        weight = embed_size(embed)
        if groups[-1] and (len(groups[-1]) == EMBEDS_PER_MESSAGE or size + weight > EMBED_TOTAL_LIMIT):
            groups.append([])
            size = 0
        groups[-1].append(embed)
        size += weight
    posts = [Post(embeds=tuple(group)) for group in groups]
    posts[-1] = Post(content=clip(content, CONTENT_LIMIT), embeds=posts[-1].embeds)
    return posts


# -- splitting long markdown -------------------------------------------------------------------

MAX_FENCE_RUN = 16  # a longer run of backticks is no fence anyone writes: treated as text
_LANGUAGE_LIMIT = 20  # of a fence's info string, repeated where a split reopens the fence
_FENCE_OVERHEAD = 2 * (MAX_FENCE_RUN + 1) + _LANGUAGE_LIMIT  # most a split adds to a chunk
MIN_SPLIT_LIMIT = 2 * _FENCE_OVERHEAD


@dataclass(frozen=True)
class _Fence:
    """An open fenced code block: the fence characters it needs to close, and how to reopen it."""

    marker: str  # "```" or "~~~~" …
    language: str

    @property
    def reopen(self) -> str:
        return self.marker + self.language

    @property
    def closing(self) -> int:
        return len(self.marker) + 1  # "\n" + marker


def _fence_after(fence: _Fence | None, line: str) -> _Fence | None:
    """The fence open after `line`, given the one open before it (CommonMark's rules)."""
    stripped = line.strip()
    char = stripped[:1]
    if char not in ("`", "~"):
        return fence
    run = len(stripped) - len(stripped.lstrip(char))
    if fence is not None:
        closes = fence.marker[0] == char and run >= len(fence.marker) and not stripped[run:]
        return None if closes else fence
    info = stripped[run:].strip()
    if run < 3 or run > MAX_FENCE_RUN or (char == "`" and "`" in info):
        return None
    language = info.split()[0][:_LANGUAGE_LIMIT] if info else ""
    return _Fence(char * run, language)


def open_fence(text: str) -> str:
    """The opening of the fenced code block `text` ends inside (as a split reopens it), or ''."""
    fence = None
    for line in text.split("\n"):
        fence = _fence_after(fence, line)
    return fence.reopen if fence else ""


def split_text(text: str, limit: int) -> list[str]:
    """Split markdown into chunks of at most `limit` characters without losing any of it.

    Cuts fall between lines; a line too long for any chunk is cut too, at a space where one is
    near. A cut inside a fenced code block closes the fence and reopens it in the next chunk (with
    the fence's language only: a long info string is shown once), so both halves render as code.
    """
    if limit < MIN_SPLIT_LIMIT:
        raise ValueError(f"cannot split markdown into chunks under {MIN_SPLIT_LIMIT} characters")
    chunks: list[str] = []
    lines: list[str] = []
    used = -1  # length of "\n".join(lines)
    fence: _Fence | None = None
    reopened = False  # whether lines[0] is a reopened fence rather than text

    def flush() -> None:
        nonlocal lines, used, reopened
        chunks.append("\n".join(lines) + (f"\n{fence.marker}" if fence else ""))
        lines, used, reopened = ([fence.reopen], len(fence.reopen), True) if fence else ([], -1, False)

    for line in text.split("\n"):
        while True:
            after = _fence_after(fence, line)
            if used + 1 + len(line) + (after.closing if after else 0) <= limit:
                lines.append(line)
                used += 1 + len(line)
                fence = after
                break
            if len(lines) > reopened:
                flush()
                continue
            # Not even an empty chunk holds this line: cut it, leaving room for any fence to close.
            room = limit - used - 1 - (fence.closing if fence else MAX_FENCE_RUN + 1)
            cut = _cut_point(line, room)
            lines.append(line[:cut])
            used += 1 + cut
            fence = _fence_after(fence, line[:cut])
            line = line[cut:]
            flush()
    chunks.append("\n".join(lines))
    return [chunk for chunk in chunks if chunk.strip()] or [""]


def _cut_point(line: str, room: int) -> int:
    """Where to cut a too-long line: after the last space in its second half, else between characters."""
    space = line.rfind(" ", room // 2, room)
    if space > 0:
        return space + 1
    cut = room
    # Never between a character and the marks or joiners that belong to it.
    while cut > room // 2 and (unicodedata.combining(line[cut]) or line[cut] in "\u200d\ufe0f\ufe0e"):
        cut -= 1
    return cut


# -- autocomplete choices ----------------------------------------------------------------------

_LONG_VALUE = "#"  # marks a choice value that stands for a name longer than Discord allows


def choice_value(name: str) -> str:
    """`name` as an autocomplete value: itself when it fits, else a short stable stand-in."""
    if len(name) <= CHOICE_LIMIT and not name.startswith(_LONG_VALUE):
        return name
    return _LONG_VALUE + hashlib.sha256(name.encode()).hexdigest()[:32]


def choice_name(value: str, names: Collection[str]) -> str | None:
    """The name among `names` that `value` (typed, or picked from autocomplete) stands for."""
    wanted = value.strip()
    if wanted in names:
        return wanted
    if not wanted.startswith(_LONG_VALUE):
        return None
    return next((name for name in names if choice_value(name) == wanted), None)


def fit_choices(choices: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(name, value) pairs as Discord accepts them: at most 25, each name 1 to 100 characters,
    each value a `choice_value`."""
    fitted = []
    for name, value in choices:
        fitted.append((clip(name, CHOICE_LIMIT) or choice_value(value)[:CHOICE_LIMIT], choice_value(value)))
        if len(fitted) == CHOICES:
            break
    return fitted
