"""Signals held off while a block that must not be cut in two runs, then delivered."""

from __future__ import annotations

import importlib
import signal
import threading
from typing import Any

# The C module under ``signal``: its calls take well under a microsecond, where the wrappers
# of ``signal`` (which convert to enums) take several, on a path run once per case.
_fast_signal: Any
try:
    _fast_signal = importlib.import_module("_signal")
except ImportError:  # pragma: no cover - CPython has it
    _fast_signal = signal

_HELD = (int(signal.SIGINT), int(signal.SIGTERM))


class held_signals:
    """Hold SIGINT and SIGTERM off while the block runs, then deliver them.

    For a block that must not be cut in two: a case in durable-rules (which catches every
    exception raised in its callbacks, KeyboardInterrupt too, and keeps it in the session: a
    signal landing there would be lost and the checks after it would not fire), or one
    result written to the output (a signal landing in a write leaves half a line). Held, a
    signal is delivered to the handler the program set as soon as the block ends: it stops
    the run, and no result is changed or cut. Outside the main thread (where Python runs no
    signal handlers) and for a handler not set from Python, the block runs as is.
    """

    __slots__ = ("pending", "previous")

    def __init__(self) -> None:
        self.pending: list[int] = []
        self.previous: list[tuple[int, Any]] = []

    def _hold(self, signum: int, _frame: Any) -> None:
        self.pending.append(signum)

    def __enter__(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in _HELD:
            if _fast_signal.getsignal(signum) is not None:  # None: not set from Python
                self.previous.append((signum, _fast_signal.signal(signum, self._hold)))

    def __exit__(self, *_exc: object) -> None:
        for signum, handler in self.previous:
            _fast_signal.signal(signum, handler)
        for signum in dict.fromkeys(self.pending):
            signal.raise_signal(signum)  # now the program's own handler runs


__all__ = ["held_signals"]
