"""Text that is safe to print: control characters written out, never sent raw.

A case id, a municipality or a problem message comes from the input. Raw, an ESC starts a
terminal escape sequence (colours, cursor moves, a retitled window, on some terminals worse),
a CR lets a line overwrite what came before it, a BEL rings, and the bidirectional overrides
reorder what a reader sees. :func:`printable` writes each such character as ``\\uXXXX``:
readable in text and Markdown, and in a JSON string the very escape that decodes back to the
original character, so that machine-readable output keeps its data and stays valid.

Kept as they are: newline and tab, the only control characters lovregler's own output uses.
"""

from __future__ import annotations

import os
import re
from typing import Any, TextIO

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 controls but tab and newline; DEL; C1 controls
    "\u2028\u2029"  # line and paragraph separators
    "\u202a-\u202e\u2066-\u2069]"  # bidirectional embeddings, overrides and isolates
)


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def printable(text: str) -> str:
    """``text`` with every control character written as ``\\uXXXX``."""
    if _UNSAFE.search(text) is None:  # the common case: nothing to do, no copy
        return text
    return _UNSAFE.sub(_escaped, text)


class PrintableStream:
    """A text stream that writes everything through :func:`printable` (the CLI's standard
    output): no command can print a raw control character, whatever it renders."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(printable(text))

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding, ...
        return getattr(self.stream, name)


def write_whole(stream: TextIO, text: str) -> None:
    """Write ``text`` to ``stream`` and out of its buffers, every byte of it, control
    characters written out.

    Where the stream is a file descriptor the bytes go out with ``os.write`` until all are
    written: CPython's buffered writer drops the rest of a large write that a signal cuts
    short (the kernel returns a partial count), which would leave half a result behind.
    Call it with signals held (:func:`lovregler._signals.held_signals`) to make the write
    whole with respect to Ctrl-C too.
    """
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # a StringIO, a test's capture
        stream.write(text)
        stream.flush()
        return
    stream.flush()  # what went through the text layer before goes first
    data = memoryview(printable(text).encode(stream.encoding or "utf-8", stream.errors or "strict"))
    while data:
        data = data[os.write(fd, data) :]
