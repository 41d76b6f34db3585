"""Typesetting: every formula of the shipped bank renders to a non-blank image of sensible size."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from bot import formulas
from bot.math_spans import find_spans

BANK = Path(__file__).resolve().parent.parent / "questions"
BANK_FORMULAS = sorted(
    {(span.tex, span.display) for path in BANK.rglob("*.md") for span in find_spans(path.read_text())}
)


def png_pixels(png: bytes) -> tuple[int, int, bytes]:
    """Width, height and the raw (filtered) scanlines of an 8-bit RGBA PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    data, at = b"", 8
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at : at + 8])
        if kind == b"IDAT":
            data += png[at + 8 : at + 8 + length]
        at += 12 + length
    return width, height, zlib.decompress(data)


def ink_share(png: bytes) -> float:
    """The share of rows that carry anything besides the white card (a blank image has none)."""
    width, height, raw = png_pixels(png)
    stride = 1 + 4 * width
    rows = [raw[r * stride + 1 : (r + 1) * stride] for r in range(height)]
    first = rows[0]
    return sum(row != first for row in rows) / height


def test_the_bank_has_formulas_to_check() -> None:
    assert len(BANK_FORMULAS) >= 12


@pytest.mark.parametrize(("tex", "display"), BANK_FORMULAS)
def test_each_bank_formula_renders_to_a_non_blank_image_of_sensible_size(tex: str, display: bool) -> None:
    png = formulas.compose((("", f"$${tex}$$" if display else f"${tex}$"),))
    width, height, _ = png_pixels(png)
    assert 2 * formulas.PAD < width <= formulas.WIDTH + 3 * formulas.PAD
    assert 2 * formulas.PAD < height < 600
    assert ink_share(png) > 0.2


def test_long_text_wraps_instead_of_widening() -> None:
    png = formulas.compose((("A", "word " * 200 + "$x$"),))
    width, height, _ = png_pixels(png)
    assert width <= formulas.WIDTH + 3 * formulas.PAD
    assert height > 10 * formulas.SIZE


@pytest.mark.parametrize(
    ("tex", "fine"),
    [
        (r"\frac{e^{z_i}}{\sum_j e^{z_j}}", True),
        (r"\begin{pmatrix}a & b\\ c & d\end{pmatrix}", True),
        (r"\operatorname*{arg\,max}_\theta p(\theta)", True),
        (r"\frac{a}{", False),
        (r"x^", False),
        (r"\frca{a}{b}", False),  # a typo would be shown as the command's name
        (r"\{x\} \% \$", True),
        (r"\begin{pmatrix}1\end{bmatrix}", False),
    ],
)
def test_check_tells_which_formulas_cannot_be_typeset(tex: str, fine: bool) -> None:
    assert (formulas.check(tex) is None) is fine
