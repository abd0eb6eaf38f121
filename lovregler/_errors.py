"""One exception hierarchy for everything lovregler refuses.

Every error carries *where* (file, line, column) and *what* (the field path) so that the
CLI can print it as ``file:line:col: field: message`` and exit 2, without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what to do about it."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


def on_line(problems: list[Problem], file: str, line: int) -> list[Problem]:
    """Problems found in one record of a stream (e.g. a JSONL line), placed on that line."""
    return [Problem(p.message, file, line, None, p.field) for p in problems]


class LovreglerError(Exception):
    """Base of every error lovregler raises on purpose."""

    def __init__(self, problems: list[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def first(self) -> Problem:
        return self.problems[0]


class RuleFileError(LovreglerError):
    """A rule file or rule folder is unreadable or invalid."""


class CaseError(LovreglerError):
    """A case (or a case file) is invalid: unknown field, impossible value, bad date order."""


class RegimeError(LovreglerError):
    """An unknown regime name, or a regime folder that cannot be used."""


class BackendError(LovreglerError):
    """A backend is unknown or cannot run on this Python (e.g. durable-rules on 3.13)."""


def display_path(path: Path | str) -> str:
    """A path as the user should see it: relative to the working directory when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
