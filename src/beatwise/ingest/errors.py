"""The error raised for input that Beatwise refuses, carrying where it is and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class BadInputError(Exception):
    """Input refused before anything is written: names the file, line, column and the fix."""

    path: Path | str
    message: str
    fix: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}. Fix: {self.fix}"
