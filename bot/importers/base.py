"""What every importer produces, and the one way a `Question` becomes our markdown. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.questions import MAX_TITLE, Question

TITLE_WORDS = 80  # characters: a title made from a long prompt is cut at a word near here
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_~|<>\[\]])")
_LINE_START_SPECIAL = re.compile(r"^(\s*)([#>+=-]|\d+[.)])(?=\s|$)", re.MULTILINE)


@dataclass(frozen=True)
class Converted:
    """One question, as the text of its own file in our format."""

    line: int  # where it starts in the source (1-based)
    title: str
    text: str


@dataclass(frozen=True)
class Skipped:
    """Something in the source that is not a multiple-choice question we can write."""

    line: int
    reason: str


Result = Converted | Skipped


def plain(text: str) -> str:
    """Plain text as markdown that shows the same characters (no accidental bold, lists, headings)."""
    return _LINE_START_SPECIAL.sub(r"\1\\\2", _MARKDOWN_SPECIAL.sub(r"\\\1", text))


def title_from(text: str) -> str:
    """A title from a prompt: its first line, cut at a word when long."""
    line = " ".join(text.split("\n", 1)[0].split()).strip("*").strip()
    if len(line) <= TITLE_WORDS:
        return line
    cut = line[:TITLE_WORDS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def split_prompt(text: str) -> tuple[str, str]:
    """(body, prompt): the last paragraph that asks (ends with `?`, else the last) is the prompt."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if not paragraphs:
        return "", ""
    asking = max((n for n, p in enumerate(paragraphs) if p.rstrip("*_ ").endswith("?")), default=len(paragraphs) - 1)
    body = paragraphs[:asking] + paragraphs[asking + 1 :]
    return "\n\n".join(body), " ".join(paragraphs[asking].split())


def to_markdown(question: Question) -> str:
    """`question` as a file in our format (see README, "Writing questions")."""
    title = " ".join(question.title.split())[:MAX_TITLE]
    parts = [f"# {title}"]
    if question.body:
        parts.append(question.body)
    prompt = " ".join(question.prompt.split())
    if prompt and "**" not in prompt and not prompt.startswith(("*", "_")):
        parts.append(f"**{prompt}**")
    elif prompt:
        parts.append(prompt)  # cannot be set in bold as a whole; the validator will say so
    parts.append("\n".join(_option(o.text, o.correct) for o in question.options))
    if question.explanation:
        parts.append(f"## Answer\n\n{question.explanation}")
    if question.reading:
        parts.append(f"## Reading\n\n{question.reading}")
    return "\n\n".join(parts) + "\n"


def _option(text: str, correct: bool) -> str:
    mark = "- [x]" if correct else "- [ ]"
    lines = text.strip().split("\n")
    if lines[0].startswith(("```", "~~~")):  # a code block starts on the line after the mark
        return "\n".join([mark, *(f"  {line}" if line else "" for line in lines)])
    return "\n".join([f"{mark} {lines[0]}", *(f"  {line}" if line else "" for line in lines[1:])])
