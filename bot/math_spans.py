"""Where the math is in a piece of markdown: `$…$` inline, `$$…$$` display. Pure.

The rules are the ones members expect from textbook-style markdown (and pandoc's): `\\$` is a
literal dollar; nothing inside code (backtick spans or fenced blocks) is math; an inline opener
must be followed by a non-space and a closer preceded by one and not followed by a digit, so
`costs $5 and $10` stays text. A `$` that opens nothing is text too.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    start: int  # offsets into the text, the delimiters included
    end: int
    tex: str
    display: bool


@dataclass(frozen=True)
class Piece:
    """Text as a member reads it: plain text (escapes resolved) or a formula."""

    text: str
    math: bool = False
    display: bool = False


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TICKS = re.compile(r"`+")


def code_ranges(text: str) -> list[tuple[int, int]]:
    """Offsets covered by fenced code blocks and inline code spans."""
    ranges: list[tuple[int, int]] = []
    offset, fence, fence_start = 0, "", 0
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                ranges.append((fence_start, offset + len(line)))
                fence = ""
        elif match:
            fence, fence_start = match.group(1), offset
        offset += len(line)
    if fence:
        ranges.append((fence_start, len(text)))
    outside = 0
    for start, end in [*ranges, (len(text), len(text))]:
        ranges += _inline_code(text, outside, start)
        outside = end
    return sorted(ranges)


def _inline_code(text: str, start: int, end: int) -> list[tuple[int, int]]:
    found = []
    position = start
    while (opener := _TICKS.search(text, position, end)) is not None:
        closer = re.compile(rf"(?<!`){opener.group()}(?!`)").search(text, opener.end(), end)
        if closer is None:
            position = opener.end()
            continue
        found.append((opener.start(), closer.end()))
        position = closer.end()
    return found


def find_spans(text: str) -> list[Span]:
    """Every formula in `text`, in order."""
    code = code_ranges(text)
    spans: list[Span] = []
    i, n = 0, len(text)
    while i < n:
        inside = next((end for start, end in code if start <= i < end), None)
        if inside is not None:
            i = inside
            continue
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char != "$":
            i += 1
            continue
        span = _display_at(text, i, code) if text.startswith("$$", i) else _inline_at(text, i, code)
        if span is None:
            i += 2 if text.startswith("$$", i) else 1
            continue
        spans.append(span)
        i = span.end
    return spans


def _closer(text: str, start: int, delimiter: str, code: list[tuple[int, int]]) -> int | None:
    """The offset of the first unescaped `delimiter` from `start` that is not in code."""
    i = start
    while (i := text.find(delimiter, i)) != -1:
        if any(s <= i < e for s, e in code):
            i += 1
            continue
        backslashes = len(text[:i]) - len(text[:i].rstrip("\\"))
        if backslashes % 2 == 0:
            return i
        i += 1
    return None


def _display_at(text: str, i: int, code: list[tuple[int, int]]) -> Span | None:
    close = _closer(text, i + 2, "$$", code)
    if close is None or not text[i + 2 : close].strip():
        return None
    return Span(i, close + 2, text[i + 2 : close].strip(), True)


def _inline_at(text: str, i: int, code: list[tuple[int, int]]) -> Span | None:
    if i + 1 >= len(text) or text[i + 1].isspace():
        return None
    j = i + 1
    while (close := _closer(text, j, "$", code)) is not None:
        if "\n\n" in text[i:close]:
            return None  # math never spans paragraphs
        after = text[close + 1 : close + 2]
        if not text[close - 1].isspace() and not after.isdigit() and close > i + 1:
            return Span(i, close + 1, text[i + 1 : close], False)
        j = close + 1
    return None


def pieces(text: str) -> list[Piece]:
    """`text` cut into plain text and formulas, with `\\$` shown as `$`."""
    found: list[Piece] = []
    position = 0
    for span in find_spans(text):
        if span.start > position:
            found.append(Piece(_unescape(text[position : span.start])))
        found.append(Piece(span.tex, math=True, display=span.display))
        position = span.end
    if position < len(text):
        found.append(Piece(_unescape(text[position:])))
    return found


def as_source(text: str) -> str:
    """`text` with each formula as inline code, so Discord shows its TeX unmangled (no `_` italics),
    and `\\$` as `$` outside code (Discord would show the backslash)."""
    code = code_ranges(text)
    out: list[str] = []
    position = 0
    for span in [*find_spans(text), Span(len(text), len(text), "", False)]:
        out.append(_unescape_outside(text, position, span.start, code))
        if span.tex:
            out.append("`{}`".format(" ".join(span.tex.replace("`", "'").split())))
        position = span.end
    return "".join(out)


def _unescape_outside(text: str, start: int, end: int, code: list[tuple[int, int]]) -> str:
    cuts = sorted({start, end, *(b for a, e in code for b in (a, e) if start < b < end)})
    parts = []
    for a, b in itertools.pairwise(cuts):
        in_code = any(s <= a < e for s, e in code)
        parts.append(text[a:b] if in_code else _unescape(text[a:b]))
    return "".join(parts)


def _unescape(text: str) -> str:
    return text.replace("\\$", "$")
