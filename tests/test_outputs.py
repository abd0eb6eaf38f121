"""Output files: never over an input, whole or not at all, and clear errors when the disk says no.

The audit's outputs (``--out``, ``--report`` and the chart beside it) through the real command
line, and :mod:`lovregler.render.files` beneath them. A full disk is a real one where the tests
may mount a small tmpfs (root), and a simulated one everywhere.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lovregler import LovreglerError, UsageError
from lovregler.auditing.audit import Auditor
from lovregler.auditing.caseload import generate_histories, write_histories_jsonl
from lovregler.cli.app import main
from lovregler.render.files import refuse_overwriting, writing_bytes, writing_text

AS_OF = "2021-12-31"
OLD = b"the old results, which must survive\n"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 synthetic histories (as `lovregler synthetic 200 --seed 0` makes them), made once."""
    path = tmp_path_factory.mktemp("made") / "histories.jsonl"
    with path.open("w", encoding="utf-8") as out:
        write_histories_jsonl(generate_histories(200, seed=0), out)
    return path


@pytest.fixture
def histories(made: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(made, tmp_path / "histories.jsonl"))


def audit(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str]:
    """``lovregler audit ...`` through the CLI's main: (exit code, standard error)."""
    code = main(["audit", *(str(a) for a in argv), "--as-of", AS_OF])
    return code, capsys.readouterr().err


def leftovers(folder: Path) -> list[str]:
    """Temporary files an output left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- never over an input -------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["the same path", "another spelling", "a symlink", "a hard link"])
def test_out_over_its_input_is_refused(
    how: str, histories: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = histories.read_bytes()
    out = {
        "the same path": histories,
        "another spelling": tmp_path / "sub" / ".." / histories.name,
        "a symlink": tmp_path / "link.jsonl",
        "a hard link": tmp_path / "hard.jsonl",
    }[how]
    (tmp_path / "sub").mkdir()
    if how == "a symlink":
        out.symlink_to(histories)
    if how == "a hard link":
        os.link(histories, out)
    code, err = audit(capsys, histories, "--out", out)
    assert code == 2
    assert "refusing to write over the input" in err and str(histories) in err
    assert histories.read_bytes() == before  # 200 lines, not 0
    assert leftovers(tmp_path) == []


def test_report_or_its_chart_over_the_input_is_refused(
    made: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    histories = Path(shutil.copy(made, tmp_path / "report-time-to-help.png"))
    before = histories.read_bytes()
    code, err = audit(capsys, histories, "--report", tmp_path / "report.md")  # the chart's path
    assert code == 2 and "refusing to write over the input" in err
    code, err = audit(capsys, histories, "--report", histories)
    assert code == 2 and "refusing to write over the input" in err
    assert histories.read_bytes() == before
    assert not (tmp_path / "report.md").exists()


@pytest.mark.parametrize("existing", [False, True])
def test_two_outputs_on_one_file_are_refused(
    existing: bool, histories: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    both = tmp_path / "both.md"
    if existing:
        both.write_bytes(OLD)
    code, err = audit(capsys, histories, "--out", both, "--report", both)
    assert code == 2 and "refusing to write over another output" in err
    assert both.read_bytes() == OLD if existing else not both.exists()
    chart = tmp_path / "r-time-to-help.png"
    code, err = audit(capsys, histories, "--out", chart, "--report", tmp_path / "r.md")
    assert code == 2 and "refusing to write over another output" in err
    assert not chart.exists() and not (tmp_path / "r.md").exists()


def test_refuse_overwriting_compares_files_not_names(tmp_path: Path) -> None:
    a = tmp_path / "a"
    a.write_bytes(OLD)
    (tmp_path / "sub").mkdir()
    os.link(a, tmp_path / "b")
    with pytest.raises(UsageError) as exc:
        refuse_overwriting([tmp_path / "b", tmp_path / "new", tmp_path / "sub" / ".." / "new"], [a])
    assert [p.message.split(":")[0] for p in exc.value.problems] == [
        f"refusing to write over the input {a}",
        f"refusing to write over another output {tmp_path / 'new'}",
    ]
    # streams are no files, standard input is no file, a missing input is not there to destroy
    refuse_overwriting([Path(os.devnull), Path(os.devnull)], [Path("-"), tmp_path / "nope"])
    refuse_overwriting([tmp_path / "c"], [tmp_path / "d"])


# --- whole or not at all -------------------------------------------------------------------------


@pytest.mark.parametrize("error", [KeyboardInterrupt, SystemExit, RuntimeError, LovreglerError])
@pytest.mark.parametrize("binary", [False, True])
def test_an_interrupted_write_leaves_the_old_file(
    error: type[BaseException], binary: bool, tmp_path: Path
) -> None:
    target = tmp_path / "out.jsonl"
    target.write_bytes(OLD)
    with pytest.raises(error):
        if binary:
            with writing_bytes(target) as out:
                out.write(b"x" * 1_000_000)  # past every buffer: the bytes are on the disk
                raise error("stop")
        else:
            with writing_text(target) as text:
                text.write("x" * 1_000_000)
                raise error("stop")
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path) == []


def test_a_finished_write_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(OLD)
    with writing_text(target) as out:
        out.write("ny æ\n" * 10_000)
        assert target.read_bytes() == OLD  # nothing shows until the block ends
    assert target.read_text(encoding="utf-8") == "ny æ\n" * 10_000
    assert leftovers(tmp_path) == []


def test_ctrl_c_in_the_middle_of_an_audit_leaves_the_old_file(
    histories: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "out.jsonl"
    target.write_bytes(OLD)
    audited = 0
    real = Auditor.audit

    def interrupted(self: Auditor, history: Any) -> Any:
        nonlocal audited
        audited += 1
        if audited == 150:
            raise KeyboardInterrupt
        return real(self, history)

    monkeypatch.setattr(Auditor, "audit", interrupted)
    code, _ = audit(capsys, histories, "--out", target)
    assert code == 130
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path) == []


def test_sigterm_in_the_middle_of_an_audit_leaves_the_old_file(tmp_path: Path) -> None:
    histories = tmp_path / "histories.jsonl"
    with histories.open("w", encoding="utf-8") as out:
        write_histories_jsonl(generate_histories(3000, seed=1), out)
    target = tmp_path / "out.jsonl"
    target.write_bytes(OLD)
    argv = ["audit", str(histories), "--as-of", AS_OF, "--out", str(target)]
    child = subprocess.Popen([sys.executable, "-m", "lovregler.cli", *argv], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not any(p.stat().st_size > 100_000 for p in tmp_path.glob(".out.jsonl.*.tmp")):
            assert child.poll() is None and time.monotonic() < deadline, "no output began"
            time.sleep(0.02)
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 128 + signal.SIGTERM, err
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path) == []


# --- a full disk, a read-only folder: clear errors -------------------------------------------------


def _mount_tmpfs(folder: Path, options: str) -> None:
    folder.mkdir()
    if not IS_ROOT or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


def _unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB disk (a tmpfs), where mounting is permitted."""
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "size=64k")
    yield disk
    _unmount(disk)


def test_a_full_disk_is_a_clear_error_and_the_old_file_stays(
    histories: Path, small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = small_disk / "out.jsonl"  # 200 results are some 800 kB: they cannot fit
    target.write_bytes(OLD)
    code, err = audit(capsys, histories, "--out", target)
    assert code == 2, err
    assert f"error: {target}: cannot write file: No space left on device" in err
    assert "internal error" not in err
    assert target.read_bytes() == OLD
    assert leftovers(small_disk) == []


def test_a_full_disk_for_the_report_and_its_chart(
    histories: Path, small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = small_disk / "report.md"
    report.write_bytes(OLD)
    (small_disk / "filler").write_bytes(b"\0" * 56 * 1024)  # a few kB left: not the chart's 20
    code, err = audit(capsys, histories, "--report", report)
    assert code == 2, err
    assert "No space left on device" in err and "internal error" not in err
    assert report.read_bytes() == OLD
    assert leftovers(small_disk) == []


def _disk_full_for(monkeypatch: pytest.MonkeyPatch, folder: Path, pattern: str) -> None:
    """os.write fails with ENOSPC for the files in ``folder`` matching ``pattern``, only."""
    real = os.write

    def write(fd: int, data: Any) -> int:
        full = {p.stat().st_ino for p in folder.glob(pattern)}
        if os.fstat(fd).st_ino in full:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)


@pytest.mark.parametrize("output", ["out.jsonl", "report.md", "report-time-to-help.png"])
def test_a_full_disk_simulated_for_each_output(
    output: str,
    histories: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if output.endswith(".png"):
        pytest.importorskip("matplotlib")
    for name in ("out.jsonl", "report.md", "report-time-to-help.png"):
        (tmp_path / name).write_bytes(OLD)
    _disk_full_for(monkeypatch, tmp_path, f".{output}.*.tmp")
    code, err = audit(
        capsys, histories, "--out", tmp_path / "out.jsonl", "--report", tmp_path / "report.md"
    )
    assert code == 2, err
    assert f"error: {tmp_path / output}: cannot write file: No space left on device" in err
    assert (tmp_path / output).read_bytes() == OLD
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO])
@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_every_os_error_names_the_file_and_the_reason(
    code: int, step: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(OLD)

    def refuse(*args: Any) -> Any:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, step, refuse)
    with pytest.raises(LovreglerError) as exc, writing_text(target) as out:
        out.write("new")
    monkeypatch.undo()
    assert str(exc.value) == f"{target}: cannot write file: {os.strerror(code)}"
    assert type(exc.value) is LovreglerError and exc.value.exit_code == 2
    assert target.read_bytes() == OLD
    assert leftovers(tmp_path) == []


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder holding ``out.jsonl`` that cannot be written to, and the reason the OS gives."""
    folder = tmp_path / "ro"
    if IS_ROOT:  # root may write into any folder, whatever its mode: make a read-only disk
        _mount_tmpfs(folder, "size=64k")
        (folder / "out.jsonl").write_bytes(OLD)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder, os.strerror(errno.EROFS)
        _unmount(folder)
    else:
        folder.mkdir()
        (folder / "out.jsonl").write_bytes(OLD)
        folder.chmod(0o555)
        yield folder, os.strerror(errno.EACCES)
        folder.chmod(0o755)


def test_a_read_only_folder_is_a_clear_error(
    histories: Path, read_only_folder: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, reason = read_only_folder
    code, err = audit(capsys, histories, "--out", folder / "out.jsonl")
    assert code == 2
    assert f"error: {folder / 'out.jsonl'}: cannot write file: {reason}" in err
    assert (folder / "out.jsonl").read_bytes() == OLD


# --- links, devices, pipes -------------------------------------------------------------------------


@pytest.mark.parametrize("dangling", [False, True])
def test_a_symlink_planted_at_the_chart_is_replaced_not_followed(
    dangling: bool, histories: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "victim"
    if not dangling:
        victim.write_bytes(OLD)
    chart = tmp_path / "report-time-to-help.png"
    chart.symlink_to(victim)
    code, err = audit(capsys, histories, "--report", tmp_path / "report.md")
    assert code == 0, err
    assert victim.read_bytes() == OLD if not dangling else not victim.exists()
    assert not chart.is_symlink() and chart.read_bytes().startswith(b"\x89PNG")
    assert os.listdir(elsewhere) == ([] if dangling else ["victim"])


@pytest.mark.parametrize("option", ["--out", "--report"])
def test_a_symlink_planted_at_an_output_is_replaced_not_followed(
    option: str, histories: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(OLD)
    planted = tmp_path / "planted.md"
    planted.symlink_to(victim)
    code, err = audit(capsys, histories, option, planted)
    assert code == 0, err
    assert victim.read_bytes() == OLD
    assert not planted.is_symlink() and planted.stat().st_size > 1000


@pytest.mark.skipif(not IS_ROOT, reason="planting a link owned by somebody else needs root")
def test_a_strangers_symlink_to_a_device_is_replaced_not_followed(tmp_path: Path) -> None:
    planted = tmp_path / "out.jsonl"
    planted.symlink_to(os.devnull)
    os.lchown(planted, 65534, 65534)  # nobody's link
    with writing_text(planted) as out:
        out.write("mine\n")
    assert not planted.is_symlink() and planted.read_text(encoding="utf-8") == "mine\n"
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_devices_and_pipes_are_written_straight_through(
    histories: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = audit(capsys, histories, "--out", os.devnull)
    assert code == 0, err
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, err = audit(capsys, histories, "--out", fifo)
    reader.join(timeout=60)
    assert code == 0, err
    assert len(received[0].splitlines()) == 200
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("stdout", ["a pipe", "a file"])
def test_out_to_dev_stdout(stdout: str, histories: Path, tmp_path: Path) -> None:
    if not os.path.exists("/dev/stdout"):
        pytest.skip("no /dev/stdout here")
    argv = [sys.executable, "-m", "lovregler.cli", "audit", str(histories), "--as-of", AS_OF]
    argv += ["--out", "/dev/stdout"]
    if stdout == "a pipe":
        done = subprocess.run(argv, capture_output=True, check=False)
        text = done.stdout
    else:
        with (tmp_path / "stdout.txt").open("wb") as file:
            done = subprocess.run(argv, stdout=file, stderr=subprocess.PIPE, check=False)
        text = (tmp_path / "stdout.txt").read_bytes()
    assert done.returncode == 0, done.stderr
    lines = text.decode("utf-8").splitlines()
    assert len(lines) > 200 and all(line.startswith('{"case_id"') for line in lines[:200])
    assert lines[200].startswith(f"audit as of {AS_OF}")  # the summary after, not over them
    assert os.path.islink("/dev/stdout")


def test_out_to_the_very_file_standard_output_goes_to(histories: Path, tmp_path: Path) -> None:
    """`audit H --out F > F`: the results go through a copy of the descriptor, so that the
    summary after them still has one (the robustness pass found 'Bad file descriptor')."""
    target = tmp_path / "both.txt"
    argv = [sys.executable, "-m", "lovregler.cli", "audit", str(histories), "--as-of", AS_OF]
    with target.open("wb") as file:
        done = subprocess.run(
            [*argv, "--out", str(target)], stdout=file, stderr=subprocess.PIPE, check=False
        )
    assert done.returncode == 0, done.stderr
    lines = target.read_text(encoding="utf-8").splitlines()
    assert all(line.startswith('{"case_id"') for line in lines[:200])
    assert lines[200].startswith(f"audit as of {AS_OF}")


def test_a_folder_is_no_output(
    histories: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = audit(capsys, histories, "--out", tmp_path)
    assert code == 2
    assert f"error: {tmp_path}: cannot write file: {os.strerror(errno.EISDIR)}" in err


# --- permissions ---------------------------------------------------------------------------------


@pytest.fixture
def umask() -> Iterator[Callable[[int], int]]:
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_a_new_file_gets_the_umasks_default(
    mask: int, mode: int, umask: Callable[[int], int], tmp_path: Path
) -> None:
    umask(mask)
    with writing_text(tmp_path / "new.txt") as out:
        out.write("x")
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == mode


def test_an_existing_file_keeps_its_permissions(
    umask: Callable[[int], int], tmp_path: Path
) -> None:
    umask(0o077)
    target = tmp_path / "shared.txt"
    target.write_bytes(OLD)
    target.chmod(0o664)
    with writing_bytes(target) as out:
        out.write(b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o664 and target.read_bytes() == b"new"
