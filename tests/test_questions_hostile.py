"""Hostile input: whatever a file holds, the parser and the importers answer with problems, never a traceback."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.importers import FORMATS
from bot.questions import parse_question

# The characters that make markdown, GIFT, Aiken and CSV structure, plus letters, digits and
# other scripts, in lines that often start like the format's own lines.
_PIECES = st.sampled_from(
    [
        "# ",
        "## ",
        "### ",
        "- [x] ",
        "- [ ] ",
        "- [×] ",  # noqa: RUF001
        "- []",
        "> ",
        "1. ",
        "    ",
        "```",
        "~~~",
        "---",
        "===",
        "**",
        "*",
        "_",
        "`",
        "<img src=x>",
        "<!--",
        "-->",
        "<div>",
        "[",
        "]",
        "(",
        ")",
        "{",
        "}",
        "=",
        "~",
        "#",
        "%50%",
        "->",
        "::",
        "\\",
        "//",
        "A. ",
        "B) ",
        "ANSWER: ",
        ",",
        '"',
        "|",
        "\n",
        "\n\n",
        " ",
        "Which two",
        "Which 99999999999999999999999",
        "tags: [a]",
        "duration: 9999999999999999999999",
        "word",
        "Ошибка",
        "混乱",
        "\t",
        "\r",
    ]
)
_TEXT = st.lists(_PIECES, max_size=60).map("".join)
_FILE = st.one_of(_TEXT, st.tuples(_TEXT, _TEXT).map(lambda parts: f"---\n{parts[0]}\n---\n{parts[1]}"))


@settings(max_examples=400, deadline=None)
@given(_FILE)
def test_the_parser_never_raises(text: str) -> None:
    parsed = parse_question(text, path="q.md", qid="q")
    assert parsed.question is not None or any(p.severity == "error" for p in parsed.problems)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(FORMATS)), _TEXT)
def test_the_importers_never_raise(form: str, text: str) -> None:
    for result in FORMATS[form](text):
        assert result.line >= 1
