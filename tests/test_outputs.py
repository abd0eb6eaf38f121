"""Output files: never over an input, whole or not at all, and clear errors when the disk says no.

The audit's outputs (``--out``, ``--report`` and the chart beside it) through the real command
line, and :mod:`lovregler.render.files` beneath them. A full disk is a real one where the tests
may mount a small tmpfs (root), and a simulated one everywhere.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lovregler import LovreglerError, UsageError
from lovregler.render.files import refuse_overwriting, writing_bytes, writing_text

AS_OF = "2021-12-31"

OLD = b"the old results, which must survive\n"

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def leftovers(folder: Path) -> list[str]:
    """Temporary files an output left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


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


@pytest.mark.skipif(not IS_ROOT, reason="planting a link owned by somebody else needs root")
def test_a_strangers_symlink_to_a_device_is_replaced_not_followed(tmp_path: Path) -> None:
    planted = tmp_path / "out.jsonl"
    planted.symlink_to(os.devnull)
    os.lchown(planted, 65534, 65534)  # nobody's link
    with writing_text(planted) as out:
        out.write("mine\n")
    assert not planted.is_symlink() and planted.read_text(encoding="utf-8") == "mine\n"
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


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
