"""What is wrong with a question file or a bank: `path:line: severity: message`. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """A mistake in a question file, printed as `path:line: severity: message`.

    Line 0 means the whole file or folder (a bank-level finding), printed without a line.
    """

    path: str
    line: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"


def count(n: int, noun: str) -> str:
    """`1 option`, `2 options`, `1,000 files`: numbers in messages read as English."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
