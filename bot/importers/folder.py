"""Write converted questions into a folder: checked by the real parser, never overwriting.

The I/O half of `quizbot import`; the converters themselves are pure.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from bot.importers import FORMATS, Converted
from bot.problems import Severity
from bot.questions import decode, parse_question

STEM_LENGTH = 60  # characters of a file name from a title: short ids autocomplete well


@dataclass
class Report:
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # `source:line: why`


def import_sources(form: str, sources: list[Path], into: Path) -> Report:
    """Convert every source with the `form` converter and write one file per question into `into`."""
    report = Report()
    into.mkdir(parents=True, exist_ok=True)
    taken = {p.name.casefold() for p in into.iterdir()}
    for source in sources:
        try:
            text = decode(source.read_bytes(), str(source))
        except OSError as error:
            report.skipped.append(f"{source}: cannot read the file: {error.strerror or error}")
            continue
        if not isinstance(text, str):
            report.skipped.append(f"{text.path}:{text.line}: {text.message}")
            continue
        for result in FORMATS[form](text):
            if not isinstance(result, Converted):
                report.skipped.append(f"{source}:{result.line}: {result.reason}")
                continue
            name = _free_name(file_stem(result.title), taken)
            errors = [
                p.message
                for p in parse_question(result.text, path=name, qid=name).problems
                if p.severity is Severity.ERROR
            ]
            if errors:
                more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
                report.skipped.append(f"{source}:{result.line}: {errors[0]}{more}")
                continue
            taken.add(name.casefold())
            with (into / name).open("x", encoding="utf-8") as out:  # "x": never overwrite
                out.write(result.text)
            report.written.append(into / name)
    return report


def file_stem(title: str) -> str:
    """`What is 2 + 2?` -> `what-is-2-2`; letters of every script are kept."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", title).casefold())
    stem = "-".join(words)[:STEM_LENGTH].strip("-")
    return stem or "question"


def _free_name(stem: str, taken: set[str]) -> str:
    name, n = f"{stem}.md", 1
    while name.casefold() in taken:
        n += 1
        name = f"{stem}-{n}.md"
    return name
