"""Other question formats -> one file per question in our format.

Each format is a small pure converter from a source file's text to `Converted` questions (the text
of a file in our format) and `Skipped` items (what is not a multiple-choice question, with its line
and why). `folder.import_sources` checks each converted file with the real parser and writes it.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.importers import aiken, gift, markdown, spreadsheet
from bot.importers.base import Converted, Result, Skipped

FORMATS: dict[str, Callable[[str], list[Result]]] = {
    "markdown": markdown.convert,
    "gift": gift.convert,
    "aiken": aiken.convert,
    "csv": spreadsheet.convert,
}

__all__ = ["FORMATS", "Converted", "Result", "Skipped"]
