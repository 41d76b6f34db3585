"""CSV with a header row (a spreadsheet export) -> our markdown. Pure.

    question,options,correct,explanation,reading
    "What does a learning rate that is too high do?","Converges faster | The loss jumps around",B,"Steps overshoot.",

Columns, by header (any case, any order): `question` (required), `options` (one cell, options on
separate lines or separated by ` | `) or one column per option (`A`, `B`, … or `option A`, …),
`correct` (letters: `B`, `A,C`, `AC`), and optionally `title`, `explanation`, `reading`. Cells
are markdown, as the bot shows them.
"""

from __future__ import annotations

import csv
import io
import re

from bot.importers.base import Converted, Result, Skipped, split_prompt, title_from, to_markdown
from bot.problems import count
from bot.questions import MAX_OPTIONS, Option, Question

_ALIASES = {
    "question": "question",
    "prompt": "question",
    "options": "options",
    "choices": "options",
    "correct": "correct",
    "correct letters": "correct",
    "answer": "correct",
    "answers": "correct",
    "explanation": "explanation",
    "title": "title",
    "reading": "reading",
    "references": "reading",
}
_OPTION_COLUMN = re.compile(r"^(?:option|choice)?\s*([a-t])$")
LETTERS = "ABCDEFGHIJKLMNOPQRST"


def convert(text: str) -> list[Result]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        return [Skipped(1, "an empty file: the first row must name the columns")]
    except csv.Error as error:
        return [Skipped(1, f"not CSV: {error}")]
    columns: dict[str, int] = {}
    option_columns: dict[int, int] = {}
    for n, name in enumerate(header):
        key = " ".join(name.strip().lower().split())
        if key in _ALIASES:
            columns.setdefault(_ALIASES[key], n)
        elif match := _OPTION_COLUMN.match(key):
            option_columns[LETTERS.index(match.group(1).upper())] = n
    missing = [name for name in ("question", "correct") if name not in columns]
    if "options" not in columns and not option_columns:
        missing.append("options (or A, B, … columns)")
    if missing:
        return [Skipped(1, f"the header row has no {', no '.join(missing)} column; it has {', '.join(header)}")]
    results: list[Result] = []
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            results.append(Skipped(line, f"not CSV: {error}"))
            break
        if any(cell.strip() for cell in row):
            results.append(_row(line, row, columns, option_columns))
        line = reader.line_num + 1
    return results


def _row(line: int, row: list[str], columns: dict[str, int], option_columns: dict[int, int]) -> Result:
    def cell(name: str) -> str:
        at = columns.get(name)
        return row[at].strip() if at is not None and at < len(row) else ""

    if "options" in columns:
        raw = cell("options")
        options = [o.strip() for o in (raw.split("\n") if "\n" in raw else raw.split("|")) if o.strip()]
    else:
        options = [row[at].strip() for _, at in sorted(option_columns.items()) if at < len(row) and row[at].strip()]
    body, prompt = split_prompt(cell("question"))
    if not prompt:
        return Skipped(line, "no question text")
    if not 2 <= len(options) <= MAX_OPTIONS:
        return Skipped(line, f"{count(len(options), 'option')}; a question needs 2 to {MAX_OPTIONS}")
    letters = set(re.sub(r"[\s,;]+", "", cell("correct")).upper())
    valid = set(LETTERS[: len(options)])
    if not letters or not letters <= valid:
        last = LETTERS[len(options) - 1]
        return Skipped(line, f"correct `{cell('correct')}` names no option (the options are A to {last})")
    question = Question(
        id="",
        title=cell("title") or title_from(prompt),
        body=body,
        prompt=prompt,
        options=tuple(Option(o, LETTERS[i] in letters) for i, o in enumerate(options)),
        explanation=cell("explanation"),
        reading=_reading(cell("reading")),
    )
    return Converted(line, question.title, to_markdown(question))


def _reading(cell: str) -> str:
    """Links one per line (or separated by ` | `), as a list."""
    links = [part.strip() for part in (cell.split("\n") if "\n" in cell else cell.split("|")) if part.strip()]
    return "\n".join(link if link.startswith(("- ", "* ")) else f"- {link}" for link in links)
