"""Progress on standard error (lovregler.render.progress): counter, bar, terminal only, rate-limited."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from lovregler.render import progress as _progress
from lovregler.render.progress import Progress


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr(_progress, "time", SimpleNamespace(monotonic=fake))
    return fake


def test_nothing_is_shown_unless_enabled(capsys: pytest.CaptureFixture[str]) -> None:
    with Progress(enabled=False) as progress:
        for _ in range(1000):
            progress.tick()
    assert capsys.readouterr().err == ""
    with Progress() as progress:  # stderr is not a terminal under pytest
        progress.tick()
    assert capsys.readouterr().err == ""


def test_the_counter_is_redrawn_at_most_ten_times_a_second(
    clock: _Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    progress = Progress(enabled=True)
    for _ in range(10):
        clock.now += 0.01
        progress.tick()
    assert capsys.readouterr().err == "\r10 cases  100/s"  # one redraw, at 0.1 s
    progress.close()
    assert capsys.readouterr().err == "\r10 cases  100/s\n"


def test_a_known_size_gives_a_bar_filled_by_the_lines_read(
    clock: _Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["x" * 9 + "\n"] * 4
    with Progress(40, enabled=True) as progress:
        for _ in progress.counting(lines[:2]):
            progress.tick()
        clock.now += 1
    assert capsys.readouterr().err == "\r[###############...............]  50%  2 cases  2/s\n"


def test_a_short_run_stays_quiet(clock: _Clock, capsys: pytest.CaptureFixture[str]) -> None:
    with Progress(enabled=True, quiet_until=3) as progress:
        progress.tick()
        progress.tick()
    assert capsys.readouterr().err == ""
    with Progress(enabled=True, quiet_until=3) as progress:
        for _ in range(3):
            progress.tick()
        clock.now += 1
    assert capsys.readouterr().err == "\r3 cases  3/s\n"
