"""Safe YAML (and JSON) reading that remembers where every value came from.

Only ``yaml.SafeLoader`` is used: python object tags are refused, never constructed. Duplicate
keys, alias bombs and oversized files are refused with the file and line named. The returned
:class:`Positions` maps a data path such as ``("rules", 0, "when")`` to its line and column, so
that schema errors found later can point at the right line.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lovregler._errors import Problem, SourcePosition, display_path, file_problem

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000
_STR, _MERGE = "tag:yaml.org,2002:str", "tag:yaml.org,2002:merge"
_INT = "tag:yaml.org,2002:int"
MAX_NUMBER_CHARS = 40
"""The longest whole number read (no value of a case or a rule needs more than a few digits;
Python refuses to convert one of over 4,300 digits)."""


def long_number_message(chars: int) -> str:
    return f"a number of {chars:,} characters; no value here has more than {MAX_NUMBER_CHARS}"


PathKey = tuple[str | int, ...]


@dataclass
class Positions:
    """Line and column (1-based) of each key and item in a loaded document."""

    file: str
    spots: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def locate(self, loc: Sequence[str | int], data: Any) -> tuple[PathKey, int | None, int | None]:
        """The deepest real data path in ``loc`` and its position.

        ``loc`` may come from pydantic and hold entries that are not keys of the data (union
        tags, validator names); those are skipped.
        """
        path: list[str | int] = []
        node = data
        for part in loc:
            found, child = step(node, part)
            if found:
                node = child
                path.append(part)
        for end in range(len(path), -1, -1):
            spot = self.spots.get(tuple(path[:end]))
            if spot is not None:
                return tuple(path), spot[0], spot[1]
        return tuple(path), None, None

    def at(self, path: PathKey) -> SourcePosition:
        """Where the key or item at ``path`` was written (just the file, if it is not there)."""
        line, column = self.spots.get(path, (None, None))
        return SourcePosition(self.file, line, column)

    def under(self, where: PathKey) -> Positions:
        """The positions below ``where``, as if it were the document root."""
        if not where:
            return self
        inner = Positions(self.file)
        for path, spot in self.spots.items():
            if path[: len(where)] == where:
                inner.spots[path[len(where) :]] = spot
        return inner

    def place(
        self, loc: Sequence[str | int], data: Any, *, missing: bool = False
    ) -> tuple[PathKey, SourcePosition]:
        """The data path a problem at ``loc`` names, and where it is. With ``missing``, the last
        key of ``loc`` is absent from the data: the path still names it, the line is its parent's."""
        path, line, column = self.locate(loc, data)
        if missing and loc and isinstance(loc[-1], str) and tuple(path[-1:]) != (loc[-1],):
            path = (*path, loc[-1])
        return path, SourcePosition(self.file, line, column)

    def problem(
        self, loc: Sequence[str | int], data: Any, message: str, *, missing: bool = False
    ) -> Problem:
        """A problem at ``loc`` (see :meth:`place`)."""
        path, position = self.place(loc, data, missing=missing)
        return Problem.at(position, message, format_path(path) or None)


def step(node: Any, part: str | int) -> tuple[bool, Any]:
    """One step down a loaded document: ``(True, child)``, or ``(False, None)`` if absent."""
    if isinstance(node, dict) and part in node:
        return True, node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return True, node[part]
    return False, None


def format_path(path: Sequence[str | int]) -> str:
    """``("rules", 0, "when")`` -> ``rules[0].when``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class YamlProblem(Exception):
    """Raised by :func:`load_yaml`; carries one :class:`Problem`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def load_yaml_text(text: str, file: str) -> tuple[Any, Positions]:
    """Parse one YAML document from ``text``; ``file`` names it in messages."""
    positions = Positions(file)
    try:
        loader = yaml.SafeLoader(text)  # checks for unprintable characters right away
    except yaml.reader.ReaderError as exc:
        raise YamlProblem(_reader_problem(exc, text, file)) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            raise YamlProblem(_marked_problem(exc, file)) from None
        except yaml.reader.ReaderError as exc:
            raise YamlProblem(_reader_problem(exc, text, file)) from None
        except yaml.YAMLError as exc:
            raise YamlProblem(Problem(f"not valid YAML: {exc}", file)) from None
        if node is None:
            return None, positions
        _walk(node, (), positions, [0], loader)
        try:
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            raise YamlProblem(_marked_problem(exc, file)) from None
    except RecursionError:  # PyYAML composes and constructs recursively
        raise YamlProblem(
            Problem("not valid YAML: nested too deeply (a few levels are all a rule needs)", file)
        ) from None
    finally:
        loader.dispose()
    return data, positions


def _reader_problem(exc: yaml.reader.ReaderError, text: str, file: str) -> Problem:
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    char = exc.character
    code = ord(char) if isinstance(char, str) else int(char)
    return Problem(
        f"not valid YAML: the control character U+{code:04X} is not allowed in a YAML file",
        file,
        line,
        column,
    )


def read_limited(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    Read, never trusted from the file's size: a device (``/dev/zero``), a FIFO or a file that
    grows while it is read is refused as it is met, without waiting and without reading more
    than ``limit + 1`` bytes. Raises :class:`YamlProblem` naming the file.
    """
    file = display_path(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; on a regular file it is moot.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise YamlProblem(file_problem("read", file, exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            what = _kind_of(info.st_mode)
            raise YamlProblem(Problem(f"cannot read file: it is {what}, not a regular file", file))
        if info.st_size > limit:
            raise YamlProblem(
                Problem(f"file is {info.st_size:,} bytes; the limit is {limit:,}", file)
            )
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise YamlProblem(file_problem("read", file, exc)) from None
    finally:
        os.close(fd)
    if len(raw) > limit:  # it grew while it was read
        raise YamlProblem(Problem(f"file is over the limit of {limit:,} bytes", file))
    return raw


def _kind_of(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a file")


def load_yaml(path: Path) -> tuple[Any, Positions]:
    """Read and parse a YAML or JSON file safely."""
    file = display_path(path)
    raw = read_limited(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlProblem(
            Problem(
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded); "
                "save the file as UTF-8",
                file,
                line,
                column,
            )
        ) from None
    return load_yaml_text(text, file)


_UNCLOSED = {"while parsing a flow mapping": "{", "while parsing a flow sequence": "["}


def _marked_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    what = " ".join(p for p in (exc.context, exc.problem) if p) or "not valid YAML"
    opener = _UNCLOSED.get(exc.context or "")
    if opener and exc.context_mark is not None and exc.problem_mark is not None:
        found = (exc.problem or "").replace(", but", f" on line {exc.problem_mark.line + 1}, but")
        mark = exc.context_mark
        what = f"this '{opener}' is never closed ({found})"
    elif exc.problem == "mapping values are not allowed here":
        what += " (a ': ' inside a value starts a new key; put the value in quotes)"
    elif "found character '\\t'" in what:
        what += "; indent with spaces, not tabs"
    if "could not determine a constructor" in what:
        what = f"{what}; only plain YAML is allowed (no python or custom tags)"
    if mark is None:
        return Problem(f"not valid YAML: {what}", file)
    return Problem(f"not valid YAML: {what}", file, mark.line + 1, mark.column + 1)


def _node_problem(node: yaml.Node, message: str, file: str, path: PathKey = ()) -> YamlProblem:
    mark = node.start_mark
    return YamlProblem(
        Problem(message, file, mark.line + 1, mark.column + 1, format_path(path) or None)
    )


def _walk(
    node: yaml.Node, path: PathKey, positions: Positions, count: list[int], loader: yaml.SafeLoader
) -> None:
    """Record positions, refuse duplicate keys and alias bombs (by counting visited nodes)."""
    count[0] += 1
    if count[0] > MAX_NODES:
        raise _node_problem(
            node,
            f"document expands to more than {MAX_NODES:,} values (alias bomb?); refused",
            positions.file,
        )
    if path not in positions.spots:
        positions.spots[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
        try:
            loader.construct_yaml_timestamp(node)
        except ValueError as exc:  # e.g. 2018-02-30: PyYAML raises without a position
            raise _node_problem(
                node, f"{node.value} is not a real date ({exc})", positions.file, path
            ) from None
    if (
        isinstance(node, yaml.ScalarNode)
        and node.tag == _INT
        and len(node.value) > MAX_NUMBER_CHARS
    ):
        raise _node_problem(node, long_number_message(len(node.value)), positions.file, path)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key: Any = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key_node.tag not in (_STR, _MERGE):
                raise _node_problem(
                    key_node,
                    f"the key {key} is not text; keys are names such as notes",
                    positions.file,
                    path,
                )
            if key_node.tag == _MERGE:
                raise _node_problem(
                    key_node,
                    "YAML merge keys (<<) are not allowed; write the keys out",
                    positions.file,
                )
            if key is not None and key in seen:
                raise _node_problem(
                    key_node,
                    f"duplicate key {key!r} (first given on line {seen[key]})",
                    positions.file,
                    (*path, key),
                )
            if key is not None:
                seen[key] = key_node.start_mark.line + 1
                positions.spots[(*path, key)] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
            _walk(value_node, (*path, key) if key is not None else path, positions, count, loader)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), positions, count, loader)
