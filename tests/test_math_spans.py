"""Where the formulas are: inline and display math, escapes, code and currency."""

from __future__ import annotations

import pytest

from bot.math_spans import Piece, as_source, find_spans, pieces


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("no math at all", []),
        (r"the softmax $\sigma(z)$ here", [(r"\sigma(z)", False)]),
        ("$$E = mc^2$$", [("E = mc^2", True)]),
        ("before\n$$\n\\frac{a}{b}\n$$\nafter", [(r"\frac{a}{b}", True)]),
        ("$a$ and $b$", [("a", False), ("b", False)]),
        ("it costs $5 and $10 today", []),  # currency: the closer is followed by a digit, opener by one too
        ("between $5 and $ 10", []),
        (r"a literal \$ then $x$", [("x", False)]),
        (r"escaped \$x\$ is text", []),
        ("`$x$` is code", []),
        ("``a `$x$` b`` is code too", []),
        ("```\n$x$\n```\nthen $y$", [("y", False)]),
        ("~~~~\n$$x$$\n~~~~", []),
        ("a `tick` then $z$", [("z", False)]),
        ("an unclosed `tick then $z$", [("z", False)]),  # a lone backtick opens no code span
        ("$ x$ is not math", []),  # space after the opener
        ("$x $ is not math", []),  # space before the closer
        ("$$ $$ empty display", []),
        ("one $x\n\ny$ paragraph", []),  # math never spans paragraphs
        (r"$\$5$", [(r"\$5", False)]),  # an escaped dollar inside math belongs to the TeX
        ("$x$5", []),
        ("price $x^2$, fine", [("x^2", False)]),
    ],
)
def test_spans_are_found_exactly(text: str, found: list[tuple[str, bool]]) -> None:
    assert [(s.tex, s.display) for s in find_spans(text)] == found


def test_span_offsets_cover_the_delimiters() -> None:
    text = "a $x$ b $$y$$"
    assert [text[s.start : s.end] for s in find_spans(text)] == ["$x$", "$$y$$"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"cost \$5 and $x_1$", [Piece("cost $5 and "), Piece("x_1", math=True)]),
        ("$$a$$ b", [Piece("a", math=True, display=True), Piece(" b")]),
        ("plain", [Piece("plain")]),
    ],
)
def test_pieces_split_text_and_formulas(text: str, expected: list[Piece]) -> None:
    assert pieces(text) == expected


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("the $x_i$ and $y_i$", "the `x_i` and `y_i`"),
        ("$$\n\\frac{a}{b}\n$$", "`\\frac{a}{b}`"),
        ("costs $5 and $10", "costs $5 and $10"),
        ("$a`b$", "`a'b`"),  # a backtick would end the code span early
    ],
)
def test_formulas_show_their_tex_as_code(text: str, shown: str) -> None:
    assert as_source(text) == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (r"costs \$5", "costs $5"),
        (r"`\$x` and \$", r"`\$x` and $"),  # code is shown as written
        (r"$a$ then \$ then `\$`", r"`a` then $ then `\$`"),
    ],
)
def test_escaped_dollars_show_as_dollars_outside_code(text: str, shown: str) -> None:
    assert as_source(text) == shown
