"""Progress of a long run on standard error: a case counter with its rate, and a bar when the
input's size is known. Shown only when asked or when standard error is a terminal, and redrawn
at most ten times a second, so that it costs nothing a run would notice."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from types import TracebackType


class Progress:
    """``tick()`` once per case; ``close()`` (or leave the ``with`` block) at the end.

    ``enabled``: ``None`` shows it only on a terminal. ``total_bytes``: the input's size, for
    the bar (lines read through :meth:`counting` fill it). ``quiet_until``: nothing is shown
    before this many cases, so that short runs stay quiet.
    """

    WIDTH = 30
    INTERVAL = 0.1  # seconds: the most often the line is redrawn

    def __init__(
        self,
        total_bytes: int | None = None,
        *,
        enabled: bool | None = None,
        quiet_until: int = 0,
    ) -> None:
        self.total = total_bytes
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.quiet_until = quiet_until
        self.bytes = self.count = 0
        self.start = self.drawn = time.monotonic()

    def counting(self, lines: Iterable[str]) -> Iterator[str]:
        """``lines`` unchanged, their bytes counted for the bar."""
        for line in lines:
            if self.enabled:
                self.bytes += len(line.encode("utf-8", "surrogateescape"))
            yield line

    def tick(self) -> None:
        self.count += 1
        if self._shown() and (now := time.monotonic()) - self.drawn >= self.INTERVAL:
            self.drawn = now
            self._draw(now)

    def close(self) -> None:
        if self._shown():
            self._draw(time.monotonic())
            sys.stderr.write("\n")
            sys.stderr.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _shown(self) -> bool:
        return self.enabled and self.count >= self.quiet_until

    def _draw(self, now: float) -> None:
        rate = self.count / max(now - self.start, 1e-9)
        line = f"{self.count:,} cases  {rate:,.0f}/s"
        if self.total:
            share = min(1.0, self.bytes / self.total)
            filled = int(share * self.WIDTH)
            line = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {share:4.0%}  " + line
        sys.stderr.write("\r" + line)
        sys.stderr.flush()
