"""The corpus of broken rule folders: every bad input beside the exact error it must give.

Each folder in ``tests/rules/bad/`` is a small regime folder with ONE mistake and an
``expected.txt`` holding the exact stderr of ``lovregler check tests/rules/bad/<folder>`` (run
from the repository root). Where the library's current message is not yet good enough (missing
or wrong line, unclear wording, a crash), the folder also holds ``xfail.txt``: its first line says
what is wrong, then the current output follows, and ``expected.txt`` holds the message we want.
Those cases are strict xfails, so fixing the library makes them fail until ``xfail.txt`` is
removed.

To add a case: make the folder, run ``lovregler check`` on it, read the message critically, and
pin it in ``expected.txt`` (or write the wanted message and an ``xfail.txt``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lovregler.cli.app import main

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "rules" / "bad"
CASES = sorted(p for p in BAD.iterdir() if p.is_dir())

WHERE = re.compile(r"^error: (?P<file>[^:]+)(?::(?P<line>\d+))?")


def _param(folder: Path) -> object:
    xfail = folder / "xfail.txt"
    marks = []
    if xfail.is_file():
        reason = xfail.read_text(encoding="utf-8").splitlines()[0]
        marks.append(pytest.mark.xfail(strict=True, reason=reason))
    return pytest.param(folder, id=folder.name, marks=marks)


def _relative(folder: Path) -> str:
    return folder.relative_to(ROOT).as_posix()


def test_the_corpus_is_complete() -> None:
    assert len(CASES) >= 30
    for folder in CASES:
        assert (folder / "expected.txt").is_file(), f"{folder.name} has no expected.txt"
        assert re.fullmatch(r"\d\d-[a-z0-9-]+", folder.name), folder.name
    numbers = [folder.name[:2] for folder in CASES]
    assert len(set(numbers)) == len(numbers), "two cases share a number"


@pytest.mark.parametrize("folder", [_param(f) for f in CASES])
def test_bad_folder_is_refused_with_its_pinned_message(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = (folder / "expected.txt").read_text(encoding="utf-8")

    code = main(["check", _relative(folder)])
    out, err = capsys.readouterr()

    assert "Traceback" not in err
    assert "internal error" not in err
    assert code == 2
    assert out == ""
    assert err == expected
    lines = err.splitlines()
    assert lines, "no message at all"
    for line in lines:
        where = WHERE.match(line)
        assert where, f"not an `error: FILE...` line: {line!r}"
        if where["line"] is None:
            # Only a file that does not exist has no line to point at.
            assert not Path(where["file"]).is_file(), f"no line number in: {line!r}"


def test_bad_expected_files_name_their_own_folder() -> None:
    """A copied expected.txt that still names another case would pass for the wrong reason."""
    for folder in CASES:
        for line in (folder / "expected.txt").read_text(encoding="utf-8").splitlines():
            assert f"tests/rules/bad/{folder.name}" in line, (folder.name, line)


def test_oversized_rule_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "stor"
    folder.mkdir()
    (folder / "regime.yaml").write_text(
        "regime: stor\ntitle: For stor\nconfidence: to_confirm\n", encoding="utf-8"
    )
    big = folder / "regel.yaml"
    padding = "# " + "x" * 98 + "\n"
    with big.open("w", encoding="utf-8") as f:
        f.write("rules:\n")
        f.write(padding * 10_001)
    size = big.stat().st_size
    assert size > 1_000_000

    code = main(["check", str(folder)])
    out, err = capsys.readouterr()

    assert code == 2
    assert out == ""
    assert err == f"error: {big}: file is {size:,} bytes; the limit is 1,000,000\n"


def _console_command() -> list[str]:
    script = shutil.which("lovregler", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "lovregler.cli"]


def test_console_script_exits_2_without_traceback() -> None:
    folder = BAD / "05-python-tag"
    assert not (folder / "xfail.txt").exists()
    done = subprocess.run(
        [*_console_command(), "check", _relative(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr == (folder / "expected.txt").read_text(encoding="utf-8")


def test_good_rule_folders_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "rules"])
    out, err = capsys.readouterr()

    assert code == 0
    assert err == ""
    assert "ok  rules/standard: regime standard" in out
    assert "ok  rules/frikommune: regime frikommune" in out
