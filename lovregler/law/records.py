"""Reading inputs into records: a YAML or JSON document, or JSON Lines read line by line.

Every reader of case files (cases, case histories) and of single-mapping documents (rule
files, regime headers, scenario files) starts here, so that an unreadable file, a byte that is
not UTF-8, an empty document or a line that is not JSON is reported the same way everywhere.
A :class:`Record` is one item's data with where it was written; the callers validate it.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO, TypeVar

from lovregler._errors import CaseError, Problem, display_path, file_problem
from lovregler.law.safe_yaml import (
    MAX_NUMBER_CHARS,
    Positions,
    YamlProblem,
    load_yaml,
    load_yaml_text,
    long_number_message,
)

T = TypeVar("T")
STDIN = "-"
"""The path that stands for standard input (JSON Lines)."""


@dataclass(frozen=True)
class Record:
    """One item of an input: its data, and where its values were written.

    A JSON Lines record has its ``line`` and ``text``, and no positions until :meth:`located`
    reads them (only a bad record needs them, to point at a column).
    """

    data: Any
    file: str
    positions: Positions | None = None
    line: int | None = None
    text: str | None = None

    def located(self) -> Record:
        """This record with the positions of its values (relative to its own line), when they
        can be read; else itself."""
        if self.positions is not None or self.text is None:
            return self
        try:
            data, positions = load_yaml_text(self.text, self.file)
        except YamlProblem:
            return self
        return replace(self, data=data, positions=positions)


def is_stream(path: Path) -> bool:
    """Whether ``path`` is read as JSON Lines (a ``.jsonl`` file, or ``-``)."""
    return str(path) == STDIN or path.suffix == ".jsonl"


def read_mapping(path: Path) -> tuple[dict[str, Any], Positions]:
    """A YAML or JSON file that holds one mapping; :class:`~lovregler.law.safe_yaml.YamlProblem` if it
    cannot be read, or holds nothing or something else."""
    data, positions = load_yaml(path)
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}, not a mapping"
        raise YamlProblem(Problem(f"the file is {what}", positions.file, 1))
    return data, positions


def document_records(path: Path, what: str) -> list[Record]:
    """The records of a YAML or JSON file that holds one ``what`` or a list of them.

    Raises :class:`CaseError` if the file cannot be read or holds nothing.
    """
    try:
        data, positions = load_yaml(path)
    except YamlProblem as exc:
        raise CaseError([exc.problem]) from None
    if data is None:
        raise CaseError([Problem(f"the file holds no {what}", display_path(path))])
    if not isinstance(data, list):
        return [Record(data, positions.file, positions)]
    return [Record(item, positions.file, positions.under((i,))) for i, item in enumerate(data)]


def parse_all(records: Iterable[Record], parse: Callable[[Any, Positions | None], T]) -> list[T]:
    """Every record parsed, or one :class:`CaseError` with the problems of every bad one."""
    parsed: list[T] = []
    problems: list[Problem] = []
    for record in records:
        try:
            parsed.append(parse(record.data, record.positions))
        except CaseError as exc:
            problems.extend(exc.problems)
    if problems:
        raise CaseError(problems)
    return parsed


MAX_LINE_CHARS = 1_000_000
"""The longest JSON Lines record read (a case is a few hundred characters): a longer line is
reported as bad and skipped, without holding it in memory."""


@dataclass(frozen=True)
class Source:
    """An opened input: its lines, its name in messages, and its size (``None``: stdin).

    ``lines`` are decoded as UTF-8 line by line: a byte that is not UTF-8 spoils only its own
    line (held as a lone surrogate, which :func:`json_records` reports), and a line is cut
    after :data:`MAX_LINE_CHARS` + 1 characters.
    """

    lines: Iterable[str]
    name: str
    size: int | None


@contextmanager
def opened(path: Path, *, stdin: bool = False) -> Iterator[Source]:
    """The text file at ``path`` (with ``stdin``, ``-`` is standard input), read as UTF-8.

    Raises :class:`CaseError` if it cannot be opened.
    """
    if stdin and str(path) == STDIN:
        name, size = "<stdin>", None
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:  # a text stream without bytes under it (tests, embedders)
            handle: TextIO = sys.stdin
        else:
            handle = io.TextIOWrapper(buffer, encoding="utf-8", errors="surrogateescape")
    else:
        name = display_path(path)
        try:
            handle = path.open(encoding="utf-8", errors="surrogateescape")
            size = os.fstat(handle.fileno()).st_size
        except OSError as exc:
            raise CaseError([file_problem("read", name, exc)]) from None
    try:
        yield Source(_bounded_lines(handle, name), name, size)
    finally:
        if handle is sys.stdin:
            pass
        elif isinstance(handle, io.TextIOWrapper) and handle.buffer is getattr(
            sys.stdin, "buffer", None
        ):
            handle.detach()  # standard input stays open for whoever comes next
        else:
            handle.close()


MAX_SKIPPED_CHARS = 100_000_000
"""How much of one overlong line is read past and dropped before the stream is given up (a
device such as ``/dev/zero`` is one endless line)."""


def _bounded_lines(handle: TextIO, name: str) -> Iterator[str]:
    """The lines of ``handle``, each cut after ``MAX_LINE_CHARS + 1`` characters (the rest of
    a longer line is read and dropped in pieces): memory stays flat on any stream, and a line
    without end stops the stream with an error after ``MAX_SKIPPED_CHARS``."""
    limit = MAX_LINE_CHARS + 1
    number = 0
    try:
        while line := handle.readline(limit):
            number += 1
            skipped = len(line)
            rest = line
            while rest and not rest.endswith("\n") and len(line) == limit:
                if skipped > MAX_SKIPPED_CHARS:
                    message = (
                        f"the line has no end within {MAX_SKIPPED_CHARS:,} characters; "
                        "the rest of the input is not read"
                    )
                    raise CaseError([Problem(message, name, number)])
                rest = handle.readline(limit)
                skipped += len(rest)
            yield line
    except OSError as exc:
        raise CaseError([file_problem("read", name, exc)]) from None


_NOT_UTF8 = re.compile("[\udc80-\udcff]")
"""A byte that is not UTF-8, as ``surrogateescape`` decoding keeps it."""


_KEY = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')


class _LongNumber(ValueError):
    """A whole number longer than any value needs (see ``MAX_NUMBER_CHARS``)."""


def _whole_number(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _LongNumber(long_number_message(len(text)))
    return int(text)


def json_record(text: str, file: str, line: int) -> Record:
    """One JSON Lines record (line number ``line``, 1-based); :class:`CaseError` if it is not
    UTF-8, too long, or not JSON."""
    if len(text) > MAX_LINE_CHARS:
        message = f"the line is longer than the limit of {MAX_LINE_CHARS:,} characters"
        raise CaseError([Problem(message, file, line)])
    bad = _NOT_UTF8.search(text)
    if bad is not None:
        byte = ord(bad.group()) - 0xDC00
        message = f"not UTF-8 text (byte 0x{byte:02x} cannot be decoded); save the file as UTF-8"
        raise CaseError([Problem(message, file, line, bad.start() + 1)])
    try:
        data = json.loads(text, parse_int=_whole_number)
    except json.JSONDecodeError as exc:
        raise CaseError([Problem(f"not valid JSON: {exc.msg}", file, line, exc.colno)]) from None
    except _LongNumber as exc:
        found = re.search(rf"\d{{{MAX_NUMBER_CHARS + 1},}}", text)
        column = found.start() + 1 if found else None
        keys = _KEY.findall(text, 0, found.start()) if found else []
        field = keys[-1] if keys else None  # the key the number is written under
        raise CaseError([Problem(str(exc), file, line, column, field)]) from None
    except RecursionError:
        message = "not valid JSON here: nested too deeply"
        raise CaseError([Problem(message, file, line)]) from None
    return Record(data, file, line=line, text=text)


def json_records(lines: Iterable[str], file: str) -> Iterator[tuple[int, Record | CaseError]]:
    """``(line number, record)`` per JSON Lines record, or ``(line number, error)`` for a line
    that is not JSON, and goes on; blank lines are skipped."""
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            yield number, json_record(text, file, number)
        except CaseError as exc:
            yield number, exc


class Rejected:
    """The bad records of a run that goes on past them: how many, and the first problems
    (enough to act on, never an unbounded list), raised together at the end."""

    SHOWN = 20

    def __init__(self) -> None:
        self.count = 0
        self.problems: list[Problem] = []

    def add(self, error: CaseError) -> None:
        self.count += 1
        room = self.SHOWN - len(self.problems)
        if room > 0:
            self.problems.extend(error.problems[:room])

    def error(self, file: str | None = None, what: str = "records") -> CaseError | None:
        """The problems kept, with a last line for the rest; ``None`` if none was bad."""
        if not self.count:
            return None
        problems = list(self.problems)
        if self.count > len(problems):
            problems.append(Problem(f"... {self.count:,} {what} were rejected in all", file))
        return CaseError(problems)
