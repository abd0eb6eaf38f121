"""Reading inputs into records: a YAML or JSON document, or JSON Lines read line by line.

Every reader of case files (cases, case histories) and of single-mapping documents (rule
files, regime headers, scenario files) starts here, so that an unreadable file, a byte that is
not UTF-8, an empty document or a line that is not JSON is reported the same way everywhere.
A :class:`Record` is one item's data with where it was written; the callers validate it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO, TypeVar

from lovregler._errors import CaseError, Problem, display_path, file_problem
from lovregler.law.safe_yaml import Positions, YamlProblem, load_yaml, load_yaml_text

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


@dataclass(frozen=True)
class Source:
    """An opened input: its lines, its name in messages, and its size (``None``: stdin)."""

    lines: TextIO
    name: str
    size: int | None


@contextmanager
def opened(path: Path, *, stdin: bool = False) -> Iterator[Source]:
    """The text file at ``path`` (with ``stdin``, ``-`` is standard input), read as UTF-8.

    Raises :class:`CaseError` if it cannot be opened, or when a byte read from it is not UTF-8.
    """
    if stdin and str(path) == STDIN:
        source = Source(sys.stdin, "<stdin>", None)
    else:
        name = display_path(path)
        try:
            source = Source(path.open(encoding="utf-8"), name, path.stat().st_size)
        except OSError as exc:
            raise CaseError([file_problem("read", name, exc)]) from None
    try:
        yield source
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text (byte {exc.start} cannot be decoded)"
        raise CaseError([Problem(message, source.name)]) from None
    finally:
        if source.lines is not sys.stdin:
            source.lines.close()


def json_record(text: str, file: str, line: int) -> Record:
    """One JSON Lines record (line number ``line``, 1-based); :class:`CaseError` if not JSON."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaseError([Problem(f"not valid JSON: {exc.msg}", file, line, exc.colno)]) from None
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
