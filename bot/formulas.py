"""Text with formulas -> one PNG, typeset without TeX and without network.

`ziamath` lays TeX out as SVG paths (its own STIX Two Math font, so nothing depends on the
machine's fonts) and `resvg` rasterises the SVG. Each formula and each word is laid out once per
process (`lru_cache`, keyed by content); the callers run `compose` off the event loop. The image
is dark ink on a white card: it reads the same on Discord's dark and light themes, as a printed
page does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import resvg_py
import ziafont
import ziamath
from ziamath.tex import tex2mml

from bot.math_spans import Piece, pieces

SIZE = 26  # px of body text; Discord shows embed images scaled to about half their width
INK = "#1f2328"
LABEL_INK = "#5865f2"
PAPER = "#ffffff"
WIDTH = 900  # px a line wraps at
PAD = 24
LINE_GAP = 14
WORD_GAP = 0.3 * SIZE

_SIZE_ATTRS = re.compile(r'<svg[^>]*?width="([\d.]+)"[^>]*?height="([\d.]+)"[^>]*?viewBox="([-\d. ]+)"')


class FormulaError(ValueError):
    """A formula the renderer cannot typeset."""


@dataclass(frozen=True)
class _Box:
    svg: str  # the inner markup of one laid-out piece
    width: float
    ascent: float  # above the baseline
    descent: float  # below it


@lru_cache(maxsize=4096)
def _laid_out(text: str, math: bool, display: bool, colour: str = INK) -> _Box:
    try:
        if math:
            svg = ziamath.Latex(text, size=SIZE, color=colour, inline=not display).svg()
        else:
            svg = _font().text(text, size=SIZE, color=colour).svg()
    except Exception as error:  # ziamath raises one class per TeX mistake; all mean "cannot render"
        raise FormulaError(f"cannot render `{text}`: {type(error).__name__} {error}".strip()) from None
    match = _SIZE_ATTRS.search(svg)
    if match is None:
        raise FormulaError(f"cannot render `{text}`: no size in the layout")
    width, height = float(match.group(1)), float(match.group(2))
    top = float(match.group(3).split()[1])  # the viewBox puts the baseline at y=0
    inner = svg[match.end() + 1 : svg.rindex("</svg>")]
    nested = f'<svg width="{width}" height="{height}" viewBox="{match.group(3)}" overflow="visible">{inner}</svg>'
    return _Box(nested, width, -top, height + top)


@lru_cache(maxsize=1)
def _font() -> ziafont.Font:
    return ziafont.Font()


_UNKNOWN_COMMAND = re.compile(r"<m[ion]>(\\[A-Za-z]+)</m[ion]>")


def check(tex: str, display: bool = False) -> str | None:
    """Why `tex` cannot be typeset, or None if it can."""
    try:
        _laid_out(tex, True, display)
    except FormulaError as error:
        return str(error)
    # An unknown command (a typo like `\frca`) is typeset as its own name: members would see it.
    unknown = _UNKNOWN_COMMAND.search(tex2mml(tex, inline=not display))
    if unknown:
        return f"cannot render `{tex}`: unknown command `{unknown.group(1)}`"
    return None


def _line_boxes(label: str, text: str) -> list[list[_Box]]:
    """One row (a paragraph or an option) as wrapped lines of boxes; display math on its own line."""
    lines: list[list[_Box]] = [[]]
    used = 0.0
    if label:
        lines[0].append(_laid_out(label, False, False, LABEL_INK))
        used = lines[0][0].width + WORD_GAP
    indent = used
    for piece in _words(pieces(text)):
        box = _laid_out(piece.text, piece.math, piece.display)
        if piece.display:
            lines += [[box], []]
            used = indent
            continue
        if lines[-1] and used + box.width > WIDTH:
            lines.append([])
            used = indent
        lines[-1].append(box)
        used += box.width + WORD_GAP
    return [line for line in lines if line]


def _words(found: list[Piece]) -> list[Piece]:
    words: list[Piece] = []
    for piece in found:
        if piece.math:
            words.append(piece)
        else:
            words += [Piece(word) for word in _plain(piece.text).split()]
    return words


def _plain(text: str) -> str:
    """Markdown emphasis and code marks dropped: the image shows the words, the embed the markup."""
    return re.sub(r"(\*\*|__|`)", "", text)


@lru_cache(maxsize=64)
def compose(rows: tuple[tuple[str, str], ...]) -> bytes:
    """(label, text) rows, each wrapped and stacked, as one PNG."""
    placed: list[str] = []
    y = PAD
    widest = 0.0
    for label, text in rows:
        for n, line in enumerate(_line_boxes(label, text)):
            ascent = max(box.ascent for box in line)
            descent = max(box.descent for box in line)
            x = PAD + (_laid_out(label, False, False, LABEL_INK).width + WORD_GAP if label and n else 0)
            for box in line:
                placed.append(f'<g transform="translate({x:.2f},{y + ascent:.2f})">{_shifted(box)}</g>')
                x += box.width + WORD_GAP
            widest = max(widest, x - WORD_GAP)
            y += ascent + descent + LINE_GAP
        y += LINE_GAP
    width, height = int(widest + PAD), int(y - 2 * LINE_GAP + PAD)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
        f'<rect width="100%" height="100%" rx="12" fill="{PAPER}"/>{"".join(placed)}</svg>'
    )
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, skip_system_fonts=True))


def _shifted(box: _Box) -> str:
    # The nested svg's viewBox puts the baseline at its y=0; shift it up by the ascent.
    return f'<g transform="translate(0,{-box.ascent:.2f})">{box.svg}</g>'
