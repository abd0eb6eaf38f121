"""Output files written whole or not at all, and never over the files being read.

:func:`writing_text` and :func:`writing_bytes` write into a temporary file beside the target
(``.NAME.XXXXXXXX.tmp``: in the same folder, so that the rename cannot cross file systems),
flush it to disk, and rename it onto the target only when the ``with`` block ended without an
exception. An exception of any kind (Ctrl-C too) removes the temporary file, so the target is
its old self or the whole new file, never half of one. Every error of the operating system
while writing (a full disk, a quota, a read-only folder) becomes a
:class:`~lovregler._errors.LovreglerError` that names the target and the reason.

What is at the target's path decides how it is written:

- nothing, or a regular file: written atomically, as above. An existing file keeps its
  permission bits (and its owner, where the user may give it); a new one gets the umask's
  default, like any file the shell creates.
- a symbolic link to a regular file, or a dangling one: the link itself is replaced by the new
  file, and what it pointed to is left untouched, so a link planted at an output's path cannot
  redirect the write.
- a stream rather than a file: a character device or a pipe (``/dev/null``, a FIFO, a shell's
  ``>(...)``), or this process's own standard output or error (``/dev/stdout``, even when the
  shell sent it to a file). There is nothing to replace: the bytes are written straight through,
  as by the shell's ``>``. A symbolic link is followed to a stream only if it belongs to the
  user or to root (``/dev/stdout`` does); one planted by somebody else is replaced instead.
- anything else (a folder, a block device, a socket): refused.

:func:`refuse_overwriting` refuses a set of outputs of which one is an input, or two are one
file (compared by device and inode, so also through symbolic and hard links), before anything
is read or written.
"""

from __future__ import annotations

import errno
import io
import os
import secrets
import stat
import sys
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO, TypeVar

from lovregler._errors import LovreglerError, Problem, UsageError, display_path, file_problem

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

_Stream = TypeVar("_Stream", TextIO, BinaryIO)

# Not tempfile.mkstemp: its files are 0600, and the umask cannot be read without setting it
# (process-wide, racy). os.open with 0666 lets the kernel apply the umask, as `open("w")` does.
_NEW_FILE_MODE = 0o666
_TEMP_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_TEMP_TRIES = 100  # random names to try: each clash is a chance of 1 in 2**32
_NAME_KEPT = 200  # of the target's name, in the temporary file's (the limit is 255 bytes)


def cannot_write(path: Path, exc: OSError) -> LovreglerError:
    """The error for an output the operating system refused: ``FILE: cannot write file: ...``."""
    return LovreglerError([file_problem("write", display_path(path), exc)])


@contextmanager
def writing_text(path: Path, *, encoding: str = "utf-8") -> Iterator[TextIO]:
    """``with writing_text(path) as out:`` a text file, written whole or not at all.

    Raises :class:`~lovregler._errors.LovreglerError`, naming ``path``, when it cannot be
    written; see the module's docstring for what happens to links, devices and pipes.
    """
    with _writing(Path(path), lambda raw: io.TextIOWrapper(_buffered(raw), encoding)) as out:
        yield out


@contextmanager
def writing_bytes(path: Path) -> Iterator[BinaryIO]:
    """Like :func:`writing_text`, for bytes (an image, say)."""
    with _writing(Path(path), _buffered) as out:
        yield out


def refuse_overwriting(outputs: Iterable[Path], inputs: Iterable[Path] = ()) -> None:
    """Raise :class:`~lovregler._errors.UsageError` if an output is one of the ``inputs``, or the
    same file as another output (also through symbolic and hard links).

    Outputs that do not exist yet are compared by the path they will be made at; streams
    (devices, pipes) are never refused, and ``-`` (standard input) is no file.
    """
    seen: dict[Hashable, tuple[Path, str]] = {}
    for path in inputs:
        key = _identity(path, new=False)
        if key is not None:
            seen.setdefault(key, (path, "the input"))
    problems: list[Problem] = []
    for path in outputs:
        key = _identity(path, new=True)
        if key is None:
            continue
        if key in seen:
            other, role = seen[key]
            problems.append(
                Problem(
                    f"refusing to write over {role} {display_path(other)}: it is the same file",
                    display_path(path),
                )
            )
        else:
            seen[key] = (path, "another output")
    if problems:
        raise UsageError(problems)


def _identity(path: Path, *, new: bool) -> Hashable | None:
    """The file ``path`` names, as (device, inode); for a ``new`` file that is not there yet, its
    real path; ``None`` for a stream or (if not ``new``) a missing file."""
    if str(path) == "-":
        return None
    try:
        st = os.stat(path)
    except OSError:
        return os.path.normcase(os.path.realpath(path)) if new else None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


# --- writing ------------------------------------------------------------------------------------


class _Raw(io.RawIOBase):
    """A file descriptor whose write errors are lovregler's (naming the target, not the temp)."""

    def __init__(self, fd: int, target: Path) -> None:
        super().__init__()
        self.fd = fd
        self.target = target
        self.name = str(target)

    def writable(self) -> bool:
        return True

    def write(self, b: ReadableBuffer, /) -> int:
        try:
            return os.write(self.fd, b)
        except OSError as exc:
            raise cannot_write(self.target, exc) from None

    def sync(self) -> None:
        """Flush the file to the disk (where the disk says it is full, if it is)."""
        try:
            os.fsync(self.fd)
        except OSError as exc:
            raise cannot_write(self.target, exc) from None

    def close(self) -> None:
        if self.closed:
            return
        super().close()
        try:
            os.close(self.fd)
        except OSError as exc:
            raise cannot_write(self.target, exc) from None


def _buffered(raw: _Raw) -> BinaryIO:
    return io.BufferedWriter(raw)


@contextmanager
def _writing(target: Path, wrap: Callable[[_Raw], _Stream]) -> Iterator[_Stream]:
    existing, through = _inspect(target)
    if through is not None:
        with _writing_through(through, target, wrap) as out:
            yield out
    else:
        with _replacing(target, existing, wrap) as out:
            yield out


@contextmanager
def _writing_through(fd: int, target: Path, wrap: Callable[[_Raw], _Stream]) -> Iterator[_Stream]:
    out = wrap(_Raw(fd, target))
    try:
        yield out
    except BaseException:
        _discard(out)
        raise
    out.close()


@contextmanager
def _replacing(
    target: Path, existing: os.stat_result | None, wrap: Callable[[_Raw], _Stream]
) -> Iterator[_Stream]:
    fd, temp = _create_beside(target)
    raw = _Raw(fd, target)
    out: _Stream | None = None
    try:
        if existing is not None:
            _keep_owner_and_mode(fd, existing, target)
        out = wrap(raw)
        yield out
        out.flush()
        raw.sync()
        out.close()
        try:
            os.replace(temp, target)  # a link at target is replaced, never followed
        except OSError as exc:
            raise cannot_write(target, exc) from None
    except BaseException:
        _discard(raw if out is None else out)
        with suppress(OSError):
            os.unlink(temp)
        raise
    _sync_folder(target.parent)


def _discard(out: TextIO | BinaryIO | _Raw) -> None:
    """Close an output given up on (what it still buffers may fail to flush: no matter)."""
    with suppress(Exception):
        out.close()


def _inspect(target: Path) -> tuple[os.stat_result | None, int | None]:
    """(the regular file at ``target``, if any; a descriptor to write straight through to, if
    ``target`` is a stream), or the error for a target that cannot be written."""
    try:
        here = os.lstat(target)
    except FileNotFoundError:
        return None, None
    except OSError as exc:  # e.g. its "folder" is a file
        raise cannot_write(target, exc) from None
    if stat.S_ISREG(here.st_mode):  # written through only if it is our own stdout/stderr
        own = _own_stream(here) is not None
        return here, _open_stream(target, here) if own else None
    if stat.S_ISLNK(here.st_mode):
        try:
            there = os.stat(target)
        except OSError:
            return None, None  # a dangling link: replaced
        if here.st_uid in (0, _euid()) and _is_stream(there):
            return None, _open_stream(target, there)
        if stat.S_ISDIR(there.st_mode):
            raise cannot_write(target, _os_error(errno.EISDIR))
        return None, None  # the link is replaced; what it points to is not touched
    if _is_stream(here):
        return None, _open_stream(target, here)
    if stat.S_ISDIR(here.st_mode):
        raise cannot_write(target, _os_error(errno.EISDIR))
    raise LovreglerError(
        [Problem("cannot write file: it is not a regular file, a device or a pipe", str(target))]
    )


def _is_stream(st: os.stat_result) -> bool:
    return stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode) or _own_stream(st) is not None


def _own_stream(st: os.stat_result) -> int | None:
    """This process's standard output or error, if ``st`` is that file: its descriptor."""
    for stream in (sys.stdout, sys.stderr):
        try:
            fd = stream.fileno()
            mine = os.fstat(fd)
        except (AttributeError, OSError, ValueError):  # replaced (pytest), closed
            continue
        if (mine.st_dev, mine.st_ino) == (st.st_dev, st.st_ino) and stat.S_ISREG(st.st_mode):
            return fd
    return None


def _open_stream(target: Path, st: os.stat_result) -> int:
    own = _own_stream(st)
    if own is not None:  # the same open file, so its offset is shared with our own output
        stream = sys.stdout if own == _fileno(sys.stdout) else sys.stderr
        stream.flush()
        return os.dup(own)
    try:
        return os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise cannot_write(target, exc) from None


def _fileno(stream: TextIO) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _create_beside(target: Path) -> tuple[int, Path]:
    for _ in range(_TEMP_TRIES):
        temp = target.with_name(f".{target.name[:_NAME_KEPT]}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temp, _TEMP_FLAGS, _NEW_FILE_MODE), temp
        except FileExistsError:
            continue
        except OSError as exc:
            raise cannot_write(target, exc) from None
    raise cannot_write(target, _os_error(errno.EEXIST))


def _keep_owner_and_mode(fd: int, existing: os.stat_result, target: Path) -> None:
    if hasattr(os, "fchown") and (existing.st_uid, existing.st_gid) != (_euid(), os.getegid()):
        with suppress(OSError):  # only root may give a file away: else it becomes the user's
            os.fchown(fd, existing.st_uid, existing.st_gid)
    try:
        os.chmod(fd, stat.S_IMODE(existing.st_mode) & 0o777)
    except NotImplementedError:  # no chmod of a descriptor here (Windows): no bits to keep
        pass
    except OSError as exc:
        raise cannot_write(target, exc) from None


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (best effort: some systems cannot open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _euid() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else 0


def _os_error(code: int) -> OSError:
    return OSError(code, os.strerror(code))
