"""Moodle GIFT -> our markdown. Pure.

    // a comment
    ::Learning rate::What does a learning rate that is too high do? {
      ~Training converges faster#Only up to a point.
      =The loss jumps around or grows#Steps overshoot the minimum.
      ####Too large a step overshoots.
    }
    ::Primes::Which are prime? {~%50%2 ~%50%5 ~%-100%4}
    Gradient descent needs a differentiable loss. {T}

Multiple choice (`=` right, `~` wrong; `~%50%` weights: positive is right), true/false (`{T}`,
`{FALSE}`) and missing-word questions (text on both sides of `{…}`) are converted. Feedback
(`#…` per answer, `####…` for the question) becomes the explanation. Short answer, numeric,
matching and essay questions are reported: a multiple-choice question cannot be guessed from them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.importers.base import Converted, Result, Skipped, plain, split_prompt, title_from, to_markdown
from bot.questions import Option, Question

_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = {"t": True, "true": True, "f": False, "false": False}


@dataclass(frozen=True)
class _Answer:
    correct: bool
    text: str
    feedback: str


def convert(text: str) -> list[Result]:
    results: list[Result] = []
    for line, chunk in _chunks(text):
        if chunk.lstrip().startswith("$CATEGORY"):
            continue  # a Moodle category for the questions that follow, not a question
        results.append(_question(line, chunk))
    return results


def _chunks(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each question: questions are separated by blank lines; `//` lines are comments."""
    chunks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    depth = 0  # a blank line inside `{…}` does not end the question
    for number, line in enumerate(text.split("\n"), start=1):
        if line.lstrip().startswith("//"):
            continue
        if not line.strip() and depth == 0:
            if current:
                chunks.append((start, "\n".join(current)))
            current = []
            continue
        if not current:
            start = number
        current.append(line)
        masked = _unescaped(line)
        depth += masked.count("{") - masked.count("}")
    if current:
        chunks.append((start, "\n".join(current)))
    return chunks


def _unescaped(text: str) -> str:
    """The text with escaped characters blanked, to find GIFT's own `{`, `}`, `=`, `~`, `#`, `::`."""
    return re.sub(r"\\.", "  ", text)


def _literal(text: str) -> str:
    """GIFT text with its escapes resolved (`\\=` -> `=`, `\\n` -> a line break)."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text).strip()


def _question(line: int, chunk: str) -> Result:
    masked = _unescaped(chunk)
    title = ""
    if masked.lstrip().startswith("::"):
        begin = masked.index("::") + 2
        end = masked.find("::", begin)
        if end < 0:
            return Skipped(line, "a `::title` without its closing `::`")
        title = _literal(chunk[begin:end])
        chunk, masked = chunk[end + 2 :], masked[end + 2 :]
    form = _FORMAT.match(chunk)
    kind = form.group(1).lower() if form else "moodle"
    if form:
        chunk, masked = chunk[form.end() :], masked[form.end() :]
    opening = masked.find("{")
    if opening < 0:
        return Skipped(line, "a description with no answers, not a question")
    closing = masked.find("}", opening)
    if closing < 0:
        return Skipped(line, "answers opened with `{` but never closed with `}`")
    before, after = chunk[:opening].strip(), chunk[closing + 1 :].strip()
    answers_text, answers_mask = chunk[opening + 1 : closing], masked[opening + 1 : closing]
    stem = re.sub(r" ([,.;:!?])", r"\1", f"{before} _____ {after}") if before and after else before or after
    prompt_text = _text(_literal(stem), kind)
    body, prompt = split_prompt(prompt_text)
    parsed = _answers(answers_text, answers_mask)
    if isinstance(parsed, str):
        return Skipped(line, parsed)
    answers, general = parsed
    if not prompt:
        return Skipped(line, "a question with no text")
    feedback = [f"- {_text(a.text, kind)}: {_text(a.feedback, kind)}" for a in answers if a.feedback]
    explanation = "\n\n".join(part for part in (_text(general, kind), "\n".join(feedback)) if part)
    question = Question(
        id="",
        title=title or title_from(re.sub(r"<[^>]+>", "", _literal(stem)) if kind == "html" else _literal(stem)),
        body=body,
        prompt=prompt,
        options=tuple(Option(_text(a.text, kind), a.correct) for a in answers),
        explanation=explanation,
    )
    return Converted(line, question.title, to_markdown(question))


def _answers(text: str, mask: str) -> tuple[list[_Answer], str] | str:
    """The answers and the general feedback, or why they are not a multiple-choice question."""
    general = ""
    if "####" in mask:
        at = mask.index("####")
        general, text, mask = _literal(text[at + 4 :]), text[:at], mask[:at]
    if not mask.strip():
        return "an essay question (free text), not multiple choice"
    if mask.strip().startswith("#"):
        return "a numeric question, not multiple choice"
    truth = mask.split("#", 1)[0].strip()
    if truth.lower() in _TRUE_FALSE:
        value = _TRUE_FALSE[truth.lower()]
        # `{T#for a wrong answer#for a right answer}`: the second feedback explains the truth.
        spans = _split(text, mask, "#")
        note = _literal(spans[2]) if len(spans) > 2 else _literal(spans[1]) if len(spans) > 1 else ""
        explanation = "\n\n".join(part for part in (general, note) if part)
        return [_Answer(value, "True", ""), _Answer(not value, "False", "")], explanation
    starts = [i for i, c in enumerate(mask) if c in "=~"]
    if not starts or mask[: starts[0]].strip():
        return "answers that do not start with `=` or `~`"
    answers = []
    for n, at in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(mask)
        piece, piece_mask = text[at + 1 : end], mask[at + 1 : end]
        if "->" in piece_mask:
            return "a matching question, not multiple choice"
        weight = _WEIGHT.match(piece_mask.strip())
        if weight:
            offset = len(piece_mask) - len(piece_mask.lstrip()) + weight.end()
            piece, piece_mask = piece[offset:], piece_mask[offset:]
        answer, *notes = _split(piece, piece_mask, "#")
        correct = float(weight.group(1)) > 0 if weight else mask[at] == "="
        answers.append(_Answer(correct, _literal(answer), _literal(notes[0]) if notes else ""))
    if all(mask[at] == "=" for at in starts):
        return "a short-answer question (typed answers), not multiple choice"
    if not any(a.correct for a in answers):
        return "no answer is marked right (`=` or a positive `%weight%`)"
    if any(not a.text for a in answers):
        return "an empty answer"
    return answers, general


def _split(text: str, mask: str, separator: str) -> list[str]:
    """`text` split at the unescaped `separator`s (found in `mask`)."""
    cuts = [i for i, c in enumerate(mask) if c == separator]
    bounds = [-1, *cuts, len(text)]
    return [text[bounds[n] + 1 : bounds[n + 1]] for n in range(len(bounds) - 1)]


def _text(text: str, kind: str) -> str:
    """GIFT text in its declared format -> markdown."""
    if kind == "markdown":
        return text.strip()
    if kind == "html":
        return _html_to_markdown(text)
    return plain(text.strip())


def _html_to_markdown(text: str) -> str:
    """The few tags question editors write; any other tag is kept (and the validator warns of it)."""
    text = re.sub(r"(?i)</?p\s*>", "\n\n", text)
    text = re.sub(r"(?i)<br\s*/?>", "\n", text)
    text = re.sub(r"(?i)</?(?:b|strong)>", "**", text)
    text = re.sub(r"(?i)</?(?:i|em)>", "*", text)
    text = re.sub(r"(?i)</?code>", "`", text)
    return re.sub(r"\n{3,}", "\n\n", html.unescape(text)).strip()
