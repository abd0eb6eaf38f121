"""The ``lovregler`` command, one module per command group.

``main`` is the console script's entry point. It imports the command (and with it the whole
library) only when called, so that a Ctrl-C or SIGTERM that lands while Python is still
importing ends the run as quietly as one that lands later: exit 130 or 143, no traceback.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # nothing here may import much: see above
if TYPE_CHECKING:
    from collections.abc import Sequence

# The C module under `signal` (already in the interpreter): `signal` itself imports enum.
_signal = importlib.import_module("_signal")

EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM, as shells report


def _terminated(_signum: int, _frame: object) -> None:
    raise SystemExit(EXIT_TERMINATED)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``lovregler`` command line; returns the exit code."""
    previous = _signal.getsignal(_signal.SIGTERM)
    try:
        _signal.signal(_signal.SIGTERM, _terminated)  # until the command installs its own
    except ValueError:  # not the main thread: signals are the program's to handle
        previous = None
    try:
        from lovregler.cli.app import main as run
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    finally:
        if previous is not None:
            _signal.signal(_signal.SIGTERM, previous)
    return run(argv)


__all__ = ["main"]
