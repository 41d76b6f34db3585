"""Aiken (Moodle's one-answer format) -> our markdown. Pure.

    What does a learning rate that is too high do?
    A. Training converges faster and more smoothly
    B) The loss jumps around or grows
    ANSWER: B

A question is a line of text, two or more lettered options in order (`A.` or `A)`), and an
`ANSWER:` line; `ANSWER: A, C` (several correct) is accepted too. Text is plain, not markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.importers.base import Converted, Result, Skipped, plain, title_from, to_markdown
from bot.problems import count
from bot.questions import Option, Question

_OPTION = re.compile(r"^([A-Z])[.)]\s+(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.IGNORECASE)


@dataclass
class _Pending:
    line: int
    text: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    broken: tuple[int, str] | None = None  # the line that broke it, and why


def convert(text: str) -> list[Result]:
    results: list[Result] = []
    pending: _Pending | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        answer, option = _ANSWER.match(line), _OPTION.match(line)
        if answer:
            results.append(_finish(pending, answer.group(1)) if pending else Skipped(number, "`ANSWER:` alone"))
            pending = None
        elif pending and option and pending.text:
            expected = chr(ord("A") + len(pending.options))
            if option.group(1) != expected and not pending.broken:
                pending.broken = (number, f"option `{option.group(1)}` where `{expected}` was expected")
            pending.options.append(option.group(2))
        elif pending and pending.options:
            results.append(Skipped(pending.line, f"no `ANSWER:` line after the options (line {number} starts anew)"))
            pending = _Pending(number, [line])
        elif pending:
            pending.text.append(line)
        else:
            pending = _Pending(number, [line])
    if pending:
        results.append(Skipped(pending.line, "no `ANSWER:` line at the end of the file"))
    return results


def _finish(pending: _Pending, answer: str) -> Result:
    if pending.broken:
        return Skipped(*pending.broken)
    options = pending.options
    if len(options) < 2:
        return Skipped(pending.line, f"{count(len(options), 'option')}; a question needs at least 2")
    last = chr(ord("A") + len(options) - 1)
    letters = {letter.upper() for letter in re.split(r"[,\s]+", answer.strip()) if letter}
    if not letters or any(len(letter) != 1 or not "A" <= letter <= last for letter in letters):
        return Skipped(pending.line, f"`ANSWER: {answer}` names no option (the options are A to {last})")
    text = " ".join(pending.text)
    question = Question(
        id="",
        title=title_from(text),
        body="",
        prompt=plain(text),
        options=tuple(Option(plain(o), chr(ord("A") + i) in letters) for i, o in enumerate(options)),
    )
    return Converted(pending.line, question.title, to_markdown(question))
