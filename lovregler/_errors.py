"""One exception hierarchy for everything lovregler refuses.

Every error carries *where* (a :class:`SourcePosition`: file, line, column) and *what* (the
field path) so that the CLI can print it as ``file:line:col: field: message`` without a
traceback. The tree::

    LovreglerError          everything lovregler raises on purpose; .problems; exit 2
    ├── UsageError          a bad command-line option or API argument
    ├── RuleFileError       a rule file or rule folder is unreadable or invalid
    ├── CaseError           a case, case history or case file is invalid
    ├── RegimeError         an unknown regime, or a regime folder that cannot be used
    ├── BackendError        an unknown backend, or one that cannot run on this Python
    └── InternalError       a bug in lovregler, not bad input; exit 3, "please report it"

(``ScenarioFileError``, in :mod:`lovregler.testing.scenarios`, is a ``LovreglerError`` too.) Anything
else that escapes is a bug as well: the CLI reports it as an :class:`InternalError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXIT_BAD_INPUT, EXIT_INTERNAL = 2, 3


@dataclass(frozen=True)
class SourcePosition:
    """Where something was written: a file and, when known, a line and column (1-based)."""

    file: str | None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        """``file:line:col`` (as far as known); ``""`` without a file."""
        if not self.file:
            return ""
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what to do about it."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None

    @classmethod
    def at(cls, position: SourcePosition | None, message: str, field: str | None = None) -> Problem:
        """A problem at ``position`` (``None``: nowhere in particular)."""
        if position is None:
            return cls(message, field=field)
        return cls(message, position.file, position.line, position.column, field)

    @property
    def position(self) -> SourcePosition:
        return SourcePosition(self.file, self.line, self.column)

    def __str__(self) -> str:
        where = str(self.position)
        field = f"{self.field}: " if self.field else ""
        return f"{where}{': ' if where else ''}{field}{self.message}"


def file_problem(action: str, file: str, exc: OSError) -> Problem:
    """``cannot read file: ...`` (``action`` "read" or "write") for a file the OS refused."""
    return Problem(f"cannot {action} file: {exc.strerror or exc}", file)


def on_line(problems: list[Problem], file: str, line: int) -> list[Problem]:
    """Problems found in one record of a stream (e.g. a JSONL line), placed on that line."""
    return [Problem.at(SourcePosition(file, line), p.message, p.field) for p in problems]


class LovreglerError(Exception):
    """Base of every error lovregler raises on purpose."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, problems: list[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def first(self) -> Problem:
        return self.problems[0]


class UsageError(LovreglerError):
    """A bad command-line option or API argument (the input may be fine; the request is not)."""


class RuleFileError(LovreglerError):
    """A rule file or rule folder is unreadable or invalid."""


class CaseError(LovreglerError):
    """A case (or a case file) is invalid: unknown field, impossible value, bad date order."""


class RegimeError(LovreglerError):
    """An unknown regime name, or a regime folder that cannot be used."""


class BackendError(LovreglerError):
    """A backend is unknown or cannot run on this Python (e.g. durable-rules on 3.13)."""


class InternalError(LovreglerError):
    """A bug in lovregler, not bad input: exit 3, and the user is asked to report it."""

    exit_code = EXIT_INTERNAL

    @classmethod
    def from_exception(cls, exc: BaseException) -> InternalError:
        """The error that reports an unexpected exception (its type and message, no traceback)."""
        if isinstance(exc, InternalError):
            return exc
        return cls(f"{type(exc).__name__}: {exc}")


def display_path(path: Path | str) -> str:
    """A path as the user should see it: relative to the working directory when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
