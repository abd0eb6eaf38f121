"""Robustness pass (``make robust``): the real ``lovregler`` command against what a hostile user,
a full disk or an impatient operator does to it; one line per property it proved or failed.

Every check runs the installed CLI as a subprocess (as CI or a user would) and looks only at
what comes out: the exit code, standard output and error, and the files left behind. Sections:

* ``streams``: a million generated cases through ``evaluate - --format jsonl`` and ``json``,
  ``compare`` and ``evaluate --jobs 2``, and a million ``synthetic`` histories through
  ``audit -``: every record answered, in order; throughput; the child's peak resident memory
  (``wait4``'s ``ru_maxrss``: the largest process of the run, workers included) at a tenth of
  the stream and at all of it, which must be the same within ``--bound`` MiB;
* ``bad-lines``: streams with bad lines between good ones (not JSON, an invalid case, a byte
  that is not UTF-8, JSON that is not an object): every good line answered, each bad one
  reported with its line number, exit 2;
* ``signals``: SIGINT and SIGTERM at seeded random moments to ``evaluate``, ``evaluate --jobs
  2`` (to the whole process group, as Ctrl-C on a terminal does), ``compare`` and ``audit --out
  --report`` over old files: exit 130 / 143, no traceback, every line written complete and the
  same as in the uninterrupted run, each output file its old self or the whole new one, no
  temporary file left;
* ``full-disk``: outputs on a 64 KiB tmpfs (needs root; else SKIPPED) and on ``/dev/full``:
  exit 2 with "No space left on device", old files intact, nothing left behind;
* ``devices``: ``/dev/zero``, endless lines, a FIFO fed forever as case or rule files: each
  ends within ``--timeout`` seconds with exit 2;
* ``extremes``: dates at 9999-12-31, a 10 MB case id, a 5,000-digit number, ``--jobs`` out of
  range: exit 2 naming the field; control characters in a case never reach the output raw.

Every child runs in its own session under an address-space limit (``--memory-cap``), so a
failure costs that child, not the machine. It prints ``PROVED``/``FAILED``/``SKIPPED`` lines,
a table of figures and a summary, and exits 1 if anything failed.

    python benchmarks/robustness.py            # the full pass: a million records per stream
    python benchmarks/robustness.py --quick    # 20,000 records, fewer signal trials
    python benchmarks/robustness.py --only signals devices --keep /tmp/rob   # keep the inputs
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_evaluate import generate_data

ROOT = Path(__file__).resolve().parent.parent
LOVREGLER = str(Path(sys.executable).with_name("lovregler"))
AS_OF = "2021-12-31"
EXIT_FOR: dict[int, int] = {
    signal.SIGINT: 130,
    signal.SIGTERM: 143,
}  # 128 + the signal, as a shell reports it
CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")  # raw C0/C1, \t and \n aside
CASE_ID = re.compile(rb'"case_id": ?"B-(\d+)"')
HISTORY_ID = re.compile(rb'^\{"case_id":"SYN-\d+-(\d+)"', re.MULTILINE)
KEPT = 1 << 20  # bytes of a child's output kept for the checks (the rest is read and counted)
STREAMS = ("evaluate", "jobs2", "json", "compare", "audit")  # --streams, in the order run
SECTIONS = ("streams", "bad-lines", "signals", "full-disk", "devices", "extremes")


# --- running the CLI --------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one run of the CLI left: its exit status as a shell reports it (``128 + N`` when
    signal N killed it), whether it died by the signal, its output, time and peak memory."""

    argv: list[str]
    code: int
    died_by_signal: bool
    stdout: bytes
    stderr: bytes
    seconds: float
    peak_mib: float
    timed_out: bool

    def problem(self) -> str:
        """The first sign of a crash in its standard error, or ''."""
        for mark in (b"Traceback", b"internal error", b"Exception ignored", b"Segmentation"):
            at = self.stderr.find(mark)
            if at >= 0:
                return self.stderr[at : at + 240].decode(errors="replace").replace("\n", " | ")
        return ""

    def said(self, limit: int = 200) -> str:
        text = self.stderr.decode(errors="replace").strip().replace("\n", " | ")
        return text[:limit] + ("..." if len(text) > limit else "")

    def status(self) -> str:
        if self.timed_out:
            return f"still running after {self.seconds:.0f} s (killed)"
        how = "killed by signal" if self.died_by_signal else "exit"
        return f"{how} {self.code}, stderr: {self.said() or '(empty)'}"


def _drain(stream: IO[bytes], keep: bytearray, on_chunk: Callable[[bytes], None] | None) -> None:
    """Read ``stream`` to its end: each chunk to ``on_chunk``; the first of it kept."""
    limit = KEPT if on_chunk else KEPT * 64
    while chunk := stream.read(1 << 16):
        if on_chunk:
            on_chunk(chunk)
        if len(keep) < limit:
            keep.extend(chunk[: limit - len(keep)])


def cli(
    *args: str,
    stdin: bytes | Path | IO[bytes] | None = None,
    stdout: Path | None = None,
    on_chunk: Callable[[bytes], None] | None = None,
    timeout: float = 120.0,
    signal_at: float | None = None,
    sig: int = signal.SIGINT,
    group: bool = False,
    memory_cap_mib: int = 0,
    cwd: Path | None = None,
) -> Outcome:
    """Run ``lovregler *args`` (or, when the first argument is a path, that program).

    ``stdin``: bytes to feed, a file to read, or an open stream. ``stdout``: a file to write to
    (else it is piped back, each line to ``on_chunk`` if given). ``signal_at``: send ``sig`` that
    many seconds after the start, to the process (or, with ``group``, its whole process group).
    """
    argv = [LOVREGLER, *args] if not args or not args[0].startswith("/") else list(args)
    cap = memory_cap_mib * 2**20

    def limits() -> None:
        if cap:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    with contextlib.ExitStack() as files:
        out_file = files.enter_context(open(stdout, "wb")) if stdout else None
        feed: Any = subprocess.PIPE if isinstance(stdin, bytes) else stdin
        source = files.enter_context(open(stdin, "rb")) if isinstance(stdin, Path) else None
        began = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            stdin=source or feed or subprocess.DEVNULL,
            stdout=out_file or subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=limits,
            cwd=cwd,
        )
        kept_out, kept_err = bytearray(), bytearray()
        threads = [threading.Thread(target=_drain, args=(proc.stderr, kept_err, None))]
        if not stdout:
            threads.append(threading.Thread(target=_drain, args=(proc.stdout, kept_out, on_chunk)))
        if isinstance(stdin, bytes):
            threads.append(threading.Thread(target=_feed, args=(proc.stdin, stdin)))
        for t in threads:
            t.start()
        timed_out = False
        status, usage = 0, None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter() - began
            if signal_at is not None and now >= signal_at:
                _send(proc.pid, sig, group)
                signal_at = None
            if now > timeout:
                timed_out = True
                _send(proc.pid, signal.SIGKILL, True)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - began
        proc.returncode = os.waitstatus_to_exitcode(status)
        _send(proc.pid, signal.SIGKILL, True)  # workers left behind, if any
        for t in threads:
            t.join()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    code = proc.returncode
    return Outcome(
        argv=argv,
        code=128 - code if code < 0 else code,
        died_by_signal=code < 0,
        stdout=bytes(kept_out),
        stderr=bytes(kept_err),
        seconds=seconds,
        peak_mib=(usage.ru_maxrss / 1024) if usage else 0.0,
        timed_out=timed_out,
    )


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        pipe.write(data)
        pipe.close()
    except (BrokenPipeError, ValueError):
        pass


def _send(pid: int, sig: int, group: bool) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig) if group else os.kill(pid, sig)


def shown(argv: Iterable[str], stdin: str = "", stdout: str = "") -> str:
    """The command as one would type it (``lovregler`` for the venv's script)."""
    words = ["lovregler" if a == LOVREGLER else a for a in argv]
    text = " ".join(w if re.fullmatch(r"[\w./=:,+-]+", w) else repr(w) for w in words)
    return text + (f" < {stdin}" if stdin else "") + (f" > {stdout}" if stdout else "")


# --- the verdicts -----------------------------------------------------------------------------


@dataclass
class Verdicts:
    """Every PROVED / FAILED / SKIPPED line of the pass, printed as it comes."""

    proved: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    figures: list[tuple[str, str, str, str]] = field(default_factory=list)  # what, n, rate, peak

    def check(self, ok: bool, what: str, why: str = "", reproduce: str = "") -> bool:
        if ok:
            self.proved.append(what)
            print(f"PROVED {what}", flush=True)
        else:
            self.failed.append(what)
            print(f"FAILED {what}", flush=True)
            if why:
                print(f"    what happened: {why}", flush=True)
            if reproduce:
                print(f"    reproduce: {reproduce}", flush=True)
        return ok

    def skip(self, what: str, why: str) -> None:
        self.skipped.append(what)
        print(f"SKIPPED {what} ({why})", flush=True)


def clean_exit(run: Outcome, code: int = 2) -> str:
    """Why ``run`` is not a clean exit ``code`` with a message (no crash), or ''."""
    if run.timed_out or run.code != code or run.died_by_signal:
        return run.status()
    if crash := run.problem():
        return f"exit {run.code}, but: {crash}"
    if code and not run.stderr.strip():
        return f"exit {run.code} with nothing on stderr"
    return ""


# --- inputs -----------------------------------------------------------------------------------


def case_lines(n: int, seed: int) -> Iterator[bytes]:
    """``n`` generated cases (those of ``make bench``), one JSON line each, ids ``B-0`` up."""
    for data in generate_data(n, seed):
        yield json.dumps(data, default=str).encode() + b"\n"


def write_lines(path: Path, lines: Iterable[bytes]) -> Path:
    with path.open("wb") as f:
        f.writelines(lines)
    return path


def head(source: Path, n: int, target: Path) -> Path:
    with source.open("rb") as f:
        return write_lines(target, (line for _, line in zip(range(n), f, strict=False)))


class InOrder:
    """Follows the record ids in a stream of output, chunk by chunk: each must be the next one
    (an id repeated at once, as a comparison's two results repeat it, counts once)."""

    def __init__(self, pattern: re.Pattern[bytes], first: int = 0) -> None:
        self.pattern, self.next, self.last = pattern, first, -1
        self.seen = 0
        self.wrong = ""
        self._carry = b""  # the part of the last chunk after its last newline

    def __call__(self, chunk: bytes) -> None:
        cut = chunk.rfind(b"\n") + 1
        if not cut:
            self._carry += chunk
            return
        self._scan(self._carry + chunk[:cut])
        self._carry = chunk[cut:]

    def end(self) -> InOrder:
        self._scan(self._carry)
        self._carry = b""
        return self

    def _scan(self, text: bytes) -> None:
        for found in self.pattern.finditer(text):
            number = int(found.group(1))
            if number == self.last or self.wrong:
                continue
            if number != self.next:
                self.wrong = f"record {self.seen + 1:,} is id {number:,}, expected {self.next:,}"
            self.last, self.next, self.seen = number, number + 1, self.seen + 1


def read_into(path: Path, order: InOrder) -> None:
    with path.open("rb") as f:
        while chunk := f.read(1 << 16):
            order(chunk)


# --- million-case streams ---------------------------------------------------------------------


def streams(v: Verdicts, work: Path, args: argparse.Namespace) -> None:
    n, part = args.n, max(args.n // 10, 1)
    began = time.perf_counter()
    cases = write_lines(work / "cases.jsonl", case_lines(n, args.seed))
    print(f"  ({n:,} cases generated in {time.perf_counter() - began:.0f} s)", flush=True)
    head(cases, part, work / "cases-part.jsonl")
    head(cases, 1000, work / "cases-1000.jsonl")

    synthetic = cli(
        "synthetic",
        str(n),
        "--seed",
        str(args.seed),
        stdout=work / "histories.jsonl",
        timeout=args.stream_timeout,
        memory_cap_mib=args.memory_cap,
    )
    lines = sum(1 for _ in (work / "histories.jsonl").open("rb"))
    v.check(
        not clean_exit(synthetic, 0) and lines == n,
        f"synthetic {n:,} wrote {n:,} histories ({n / synthetic.seconds:,.0f}/s, "
        f"peak RSS {synthetic.peak_mib:.0f} MiB)",
        f"{clean_exit(synthetic, 0)}; {lines:,} lines",
        shown(synthetic.argv, stdout="histories.jsonl"),
    )
    v.figures.append(
        (
            f"synthetic (write {n:,} histories)",
            f"{n:,}",
            f"{n / synthetic.seconds:,.0f}",
            f"{synthetic.peak_mib:.0f}",
        )
    )
    head(work / "histories.jsonl", part, work / "histories-part.jsonl")

    def one_stream(
        label: str, argv: list[str], source: Path, count: int, out: Path | None = None
    ) -> Outcome:
        order = InOrder(HISTORY_ID if out else CASE_ID, first=1 if out else 0)
        run = cli(
            *argv,
            stdin=source,
            stdout=out,
            on_chunk=None if out else order,
            timeout=args.stream_timeout,
            memory_cap_mib=args.memory_cap,
        )
        if out:
            read_into(out, order)
            out.unlink()
        why = clean_exit(run, 0) or order.end().wrong
        if not why and order.seen != count:
            why = f"{order.seen:,} of {count:,} records answered"
        v.check(
            not why,
            f"{label}: answered {count:,} of {count:,}, in order "
            f"({count / run.seconds:,.0f}/s, peak RSS {run.peak_mib:.0f} MiB)",
            why,
            shown(run.argv, stdin=source.name),
        )
        return run

    plain = ["evaluate", "-", "--format", "jsonl"]
    audit = ["audit", "-", "--as-of", AS_OF, "--progress", "never"]
    runs = [
        ("evaluate - --format jsonl", plain, "cases", None),
        ("evaluate - --format jsonl --jobs 2", [*plain, "--jobs", "2"], "cases", None),
        ("evaluate - --format json", ["evaluate", "-", "--format", "json"], "cases", None),
        ("compare - --format jsonl", ["compare", "-", "--format", "jsonl"], "cases", None),
        (
            "audit - --out FILE",
            [*audit, "--out", str(work / "audit-out.jsonl")],
            "histories",
            work / "audit-out.jsonl",
        ),
    ]
    for key, (label, argv, kind, out) in zip(STREAMS, runs, strict=True):
        if key not in args.streams:
            continue
        small = one_stream(f"{label} ({part:,})", argv, work / f"{kind}-part.jsonl", part, out)
        whole = one_stream(f"{label} ({n:,})", argv, work / f"{kind}.jsonl", n, out)
        growth = whole.peak_mib - small.peak_mib
        v.check(
            growth <= args.bound,
            f"{label}: memory flat, peak RSS {small.peak_mib:.0f} MiB at {part:,} and "
            f"{whole.peak_mib:.0f} MiB at {n:,} ({growth:+.0f} MiB, bound {args.bound:g})",
            f"peak grew {growth:.0f} MiB",
            shown(whole.argv, stdin=f"{kind}.jsonl"),
        )
        v.figures.append(
            (
                label,
                f"{n:,}",
                f"{n / whole.seconds:,.0f}",
                f"{small.peak_mib:.0f} -> {whole.peak_mib:.0f}",
            )
        )

    # the json document itself: one whole, valid document with every case
    run = cli("evaluate", "-", "--format", "json", stdin=work / "cases-1000.jsonl")
    try:
        data = json.loads(run.stdout)
        ids = [r["case_id"] for r in data]
        why = (
            ""
            if ids == [f"B-{i}" for i in range(1000)]
            else f"{len(ids)} results, ids out of order"
        )
    except (ValueError, TypeError, KeyError) as exc:
        why = f"not one JSON list of results: {exc}"
    v.check(
        not why and not clean_exit(run, 0),
        "evaluate --format json writes one valid JSON document of every case (1,000)",
        why or clean_exit(run, 0),
        shown(run.argv, stdin="cases-1000.jsonl"),
    )


# --- bad lines in streams ---------------------------------------------------------------------

BAD_CASE_LINES: dict[str, bytes] = {
    "not JSON": b"{not json\n",
    "an invalid case (no awareness_date)": b'{"case_id": "BAD-1", "municipality": "Aarhus", '
    b'"support_need_presumed": true}\n',
    "a byte that is not UTF-8": b'{"case_id": "BAD-\xff", "municipality": "Aarhus"}\n',
    "JSON that is not an object": b"[1, 2, 3]\n",
    "an unknown municipality": b'{"case_id": "BAD-2", "municipality": "Atlantis", '
    b'"awareness_date": "2019-01-01", "support_need_presumed": true}\n',
}


def interleave(
    good: list[bytes], bad: dict[str, bytes], every: int
) -> tuple[bytes, dict[int, str], list[int]]:
    """Good lines with a bad one after every ``every``, a blank line, and the last good line
    without its newline; returns the stream, {line number: what is bad} and the good indexes."""
    out: list[bytes] = []
    bad_at: dict[int, str] = {}
    queue = list(bad.items())
    for i, line in enumerate(good):
        if i and i % every == 0 and queue:
            what, text = queue.pop(0)
            out.append(text)
            bad_at[len(out)] = what
            if not queue:
                out.append(b"   \n")  # blank: skipped, not bad
        out.append(line)
    out[-1] = out[-1].rstrip(b"\n")
    return b"".join(out), bad_at, list(range(len(good)))


def bad_lines(v: Verdicts, work: Path, args: argparse.Namespace) -> None:
    good = list(case_lines(300, args.seed))
    stream, bad_at, ids = interleave(good, BAD_CASE_LINES, 40)
    (work / "mixed.jsonl").write_bytes(stream)
    listed = ", ".join(f"{what} at line {line}" for line, what in bad_at.items())

    def judge(
        label: str, run: Outcome, answered: InOrder, total: int, file: str, repro: str
    ) -> None:
        err = run.stderr.decode(errors="replace")
        missing = [
            line for line in bad_at if not re.search(rf"{re.escape(file)}:{line}(?!\d)", err)
        ]
        why = clean_exit(run, 2) or answered.end().wrong
        if not why and answered.seen != total:
            why = f"{answered.seen} of {total} good records answered; stderr: {run.said()}"
        if not why and missing:
            why = f"no message naming {file}:{missing[0]} ({bad_at[missing[0]]}); stderr: {run.said()}"
        v.check(
            not why,
            f"{label}: {total} good lines answered, each of {len(bad_at)} bad lines "
            f"reported with its line, exit 2 ({listed})",
            why,
            repro,
        )

    for argv, file in (
        (["evaluate", "-", "--format", "jsonl"], "<stdin>"),
        (["compare", "-", "--format", "jsonl"], "<stdin>"),
        (["evaluate", str(work / "mixed.jsonl"), "--format", "jsonl"], "mixed.jsonl"),
    ):
        order = InOrder(CASE_ID)
        stdin = stream if argv[1] == "-" else None
        run = cli(*argv, stdin=stdin, on_chunk=order)
        judge(
            " ".join(argv[:2]).replace(str(work) + "/", "") + " (mixed stream)",
            run,
            order,
            len(ids),
            file,
            shown(run.argv, stdin="mixed.jsonl" if stdin else ""),
        )

    histories = cli("synthetic", "300", "--seed", str(args.seed)).stdout.splitlines(keepends=True)
    bad_histories = {
        "not JSON": b"{not json\n",
        "a history without events": b'{"case": {"case_id": "BAD-H"}}\n',
        "a byte that is not UTF-8": b'{"case": {"case_id": "BAD-\xff"}, "events": []}\n',
        "JSON that is not an object": b'"just a string"\n',
    }
    stream, bad_at, ids = interleave(histories, bad_histories, 50)
    (work / "mixed-histories.jsonl").write_bytes(stream)
    listed = ", ".join(f"{what} at line {line}" for line, what in bad_at.items())
    out = work / "mixed-audit.jsonl"
    run = cli("audit", "-", "--as-of", AS_OF, "--out", str(out), stdin=stream)
    order = InOrder(HISTORY_ID, first=1)
    if out.exists():
        read_into(out, order)
    judge(
        "audit - --out FILE (mixed stream)",
        run,
        order,
        len(ids),
        "<stdin>",
        shown(run.argv, stdin="mixed-histories.jsonl"),
    )


# --- signals ----------------------------------------------------------------------------------


@dataclass
class Target:
    """One command to interrupt: how to run it, and its uninterrupted outputs."""

    label: str
    argv: list[str]
    stdin: Path
    group: bool = False
    folder: Path | None = None  # where its output files are (audit), with their old contents
    old: dict[str, bytes] = field(default_factory=dict)
    new: dict[str, bytes] = field(default_factory=dict)
    stdout: bytes = b""
    seconds: float = 0.0

    def reset(self) -> None:
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir()
            for name, data in self.old.items():
                (self.folder / name).write_bytes(data)

    def files(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in self.folder.iterdir()} if self.folder else {}


def signal_trial(target: Target, sig: int, at: float) -> tuple[str, bool]:
    """Interrupt ``target`` ``at`` seconds in: what was wrong ('' if nothing), and whether the
    run had finished before the signal came."""
    target.reset()
    run = cli(
        *target.argv,
        stdin=target.stdin,
        signal_at=at,
        sig=sig,
        group=target.group,
        timeout=target.seconds * 3 + 30,
    )
    finished = run.code == 0 and run.stdout == target.stdout
    return _judge_interrupted(target, sig, run, finished), finished


def _judge_interrupted(target: Target, sig: int, run: Outcome, finished: bool) -> str:
    if run.timed_out:
        return run.status()
    if not finished and run.code != EXIT_FOR[sig]:
        return run.status()
    if crash := run.problem():
        return f"exit {run.code}, but: {crash}"
    if not target.stdout.startswith(run.stdout):
        pairs = zip(target.stdout.splitlines(), run.stdout.splitlines(), strict=False)
        line = next((i for i, (a, b) in enumerate(pairs, 1) if a != b), 0)
        return f"standard output differs from the uninterrupted run's from line {line:,}"
    if run.stdout and not run.stdout.endswith(b"\n"):
        whole = run.stdout.count(b"\n")
        return f"the last line written is incomplete ({whole:,} whole lines before it)"
    if target.folder:
        left = target.files()
        for name in sorted(set(left) | set(target.old) | set(target.new)):
            got = left.get(name)
            if name not in target.old and name not in target.new:
                return f"a file was left behind: {name}"
            if got not in (target.old.get(name), target.new.get(name)):
                what = "missing" if got is None else f"{len(got):,} bytes, neither old nor new"
                return f"{name} is {what}"
    return ""


def signals(v: Verdicts, work: Path, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    cases = write_lines(work / "signal-cases.jsonl", case_lines(args.signal_cases, args.seed))
    head(cases, args.signal_cases // 3, work / "signal-compare.jsonl")
    histories = cli(
        "synthetic",
        str(args.signal_cases),
        "--seed",
        str(args.seed),
        stdout=work / "signal-histories.jsonl",
    )
    assert histories.code == 0, histories.status()
    folder = work / "audit-folder"
    audit = [
        "audit",
        "-",
        "--as-of",
        AS_OF,
        "--out",
        str(folder / "out.jsonl"),
        "--report",
        str(folder / "report.md"),
        "--progress",
        "never",
    ]
    targets = [
        Target("evaluate - --format jsonl", ["evaluate", "-", "--format", "jsonl"], cases),
        Target(
            "evaluate - --format jsonl --jobs 2, signal to the process group (as Ctrl-C)",
            ["evaluate", "-", "--format", "jsonl", "--jobs", "2"],
            cases,
            group=True,
        ),
        Target(
            "compare - --format jsonl",
            ["compare", "-", "--format", "jsonl"],
            work / "signal-compare.jsonl",
        ),
        Target(
            "audit - --out OLD --report OLD",
            audit,
            work / "signal-histories.jsonl",
            folder=folder,
            old={"out.jsonl": b'{"old": "results"}\n', "report.md": b"# old report\n"},
        ),
    ]
    for target in targets:
        target.reset()
        run = cli(*target.argv, stdin=target.stdin, timeout=600)
        if clean_exit(run, 0):
            v.check(False, f"{target.label}: the uninterrupted run", clean_exit(run, 0))
            continue
        target.stdout, target.seconds, target.new = run.stdout, run.seconds, target.files()
        for sig in (signal.SIGINT, signal.SIGTERM):
            name = signal.Signals(sig).name
            moments = sorted(rng.uniform(0.02, target.seconds * 1.05) for _ in range(args.trials))
            wrong: list[tuple[float, str]] = []
            finished = 0
            for at in moments:
                why, done = signal_trial(target, sig, at)
                finished += done
                if why:
                    wrong.append((at, why))
            first = wrong[0][0] if wrong else moments[0]
            launch = "setsid " if target.group else ""
            v.check(
                not wrong,
                f"{name} at {len(moments)} random moments (0-{target.seconds:.1f} s) to "
                f"{target.label}: exit {EXIT_FOR[sig]} ({len(moments) - finished} interrupted, "
                f"{finished} had finished), no traceback, every line written whole and as in "
                "the uninterrupted run"
                + (", each file old or whole new, nothing left behind" if target.folder else ""),
                f"{len(wrong)} of {len(moments)} trials wrong; "
                + "; ".join(f"at {at:.2f} s: {why}" for at, why in wrong[:3]),
                f"{launch}{shown(['lovregler', *target.argv], stdin=target.stdin.name)} & "
                f"sleep {first:.2f}; kill -{name[3:]} {'-' if target.group else ''}$!",
            )


# --- full disk --------------------------------------------------------------------------------


def full_disk(v: Verdicts, work: Path, args: argparse.Namespace) -> None:
    cases = head_cases(work, 2000, args.seed)
    histories = work / "disk-histories.jsonl"
    cli("synthetic", "2000", "--seed", str(args.seed), stdout=histories)

    def no_space(run: Outcome) -> str:
        return clean_exit(run, 2) or (
            ""
            if b"No space left on device" in run.stderr
            else f"no 'No space left on device' in: {run.said()}"
        )

    for argv, what in (
        (["evaluate", str(cases), "--format", "jsonl"], "evaluate --format jsonl"),
        (["evaluate", str(cases)], "evaluate (text)"),
        (["compare", str(cases), "--format", "json"], "compare --format json"),
        (["audit", str(histories), "--as-of", AS_OF], "audit (summary on stdout)"),
        (["synthetic", "1000"], "synthetic 1000"),
        (["schema", "case"], "schema case"),
        (["check", str(ROOT / "rules")], "check rules/"),
    ):
        run = cli(*argv, stdout=Path("/dev/full"))
        v.check(
            not no_space(run),
            f"{what} > /dev/full: exit 2, 'No space left on device'",
            no_space(run),
            shown(["lovregler", *argv], stdout="/dev/full"),
        )

    # a device node at --out: written through, not replaced by a file
    device = work / "full-device"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    except OSError as exc:
        v.skip("audit --out (a copy of /dev/full)", f"cannot make a device node: {exc.strerror}")
    else:
        run = cli("audit", str(histories), "--as-of", AS_OF, "--out", str(device))
        why = no_space(run) or (
            "" if stat.S_ISCHR(device.lstat().st_mode) else "the device was replaced"
        )
        v.check(
            not why,
            "audit --out DEVICE (a /dev/full node): exit 2, 'No space left on device', "
            "the device node still a device",
            why,
            shown(run.argv),
        )

    disk = work / "small-disk"
    disk.mkdir()
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
    )
    if mount.returncode:
        v.skip(
            "a full disk (64 KiB tmpfs)",
            f"cannot mount: {mount.stderr.strip() or mount.returncode}",
        )
        return
    try:
        old = b'{"old": "results, to be kept"}\n'

        def over_old(label: str, argv: list[str], names: dict[str, bytes], fill: bool) -> None:
            for p in disk.iterdir():
                p.unlink()
            for name, data in names.items():
                (disk / name).write_bytes(data)
            if fill:  # write until the disk is full
                fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
                with contextlib.suppress(OSError):
                    while True:
                        os.write(fd, b"x" * 4096)
                os.close(fd)
            run = cli(*argv)
            left = {p.name: p.read_bytes() for p in disk.iterdir() if p.name != "filler"}
            why = no_space(run)
            if not why and left != names:
                changed = sorted(set(left) ^ set(names)) or [
                    n for n in names if left[n] != names[n]
                ]
                why = f"the folder changed: {', '.join(changed)}"
            v.check(
                not why,
                f"{label}: exit 2, 'No space left on device', old files intact, "
                "nothing left behind",
                why,
                shown(run.argv),
            )

        over_old(
            "audit --out on a 64 KiB tmpfs, 2,000 histories",
            ["audit", str(histories), "--as-of", AS_OF, "--out", str(disk / "out.jsonl")],
            {"out.jsonl": old},
            fill=False,
        )
        over_old(
            "audit --report on a full tmpfs",
            ["audit", str(histories), "--as-of", AS_OF, "--report", str(disk / "report.md")],
            {"report.md": b"# old report\n"},
            fill=True,
        )
        for p in disk.iterdir():
            p.unlink()
        run = cli("evaluate", str(cases), "--format", "jsonl", stdout=disk / "out.jsonl")
        v.check(
            not no_space(run),
            "evaluate --format jsonl > FILE on a 64 KiB tmpfs: exit 2, 'No space left on device'",
            no_space(run),
            shown(run.argv, stdout="small-disk/out.jsonl"),
        )
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def head_cases(work: Path, n: int, seed: int) -> Path:
    return write_lines(work / f"cases-{n}.jsonl", case_lines(n, seed))


# --- devices and endless inputs ---------------------------------------------------------------


def devices(v: Verdicts, work: Path, args: argparse.Namespace) -> None:
    example = str(ROOT / "examples/cases/aarhus-2019-uden-for-netvaerket.yaml")
    (work / "zero.jsonl").symlink_to("/dev/zero")
    fifo = work / "fed-forever.yaml"
    os.mkfifo(fifo)
    check_dir = work / "planted-rules"
    shutil.copytree(ROOT / "rules" / "standard", check_dir)
    (check_dir / "x.yaml").symlink_to("/dev/zero")
    catalogue = work / "planted-catalogue"
    shutil.copytree(ROOT / "rules", catalogue)
    (catalogue / "standard" / "x.yaml").symlink_to("/dev/zero")
    header = work / "planted-regimes"
    shutil.copytree(ROOT / "rules", header)
    (header / "regimes.yaml").unlink()
    (header / "regimes.yaml").symlink_to("/dev/zero")

    def ends(
        label: str,
        argv: list[str],
        stdin_cmd: str | None = None,
        feeder: list[str] | None = None,
        timeout: float = args.timeout,
    ) -> None:
        helper = None
        stdin: Any = None
        if stdin_cmd:
            helper = subprocess.Popen(
                ["sh", "-c", stdin_cmd],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            stdin = helper.stdout
        if feeder:
            helper = subprocess.Popen(feeder, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            run = cli(*argv, stdin=stdin, timeout=timeout, memory_cap_mib=args.memory_cap)
        finally:
            if helper:
                _send(helper.pid, signal.SIGKILL, True)
                helper.wait()
                if helper.stdout:
                    helper.stdout.close()
        why = clean_exit(run, 2)
        v.check(
            not why,
            f"{label}: ends within {timeout:g} s with exit 2 and a message "
            f"({run.seconds:.1f} s, peak RSS {run.peak_mib:.0f} MiB)",
            why,
            (f"{stdin_cmd} | " if stdin_cmd else "") + shown(run.argv),
        )

    ends("/dev/zero as a case file", ["evaluate", "/dev/zero"])
    ends(
        "/dev/zero as a JSONL case file (zero.jsonl -> /dev/zero)",
        ["evaluate", str(work / "zero.jsonl")],
    )
    ends("/dev/zero as audit histories", ["audit", "/dev/zero", "--as-of", AS_OF])
    ends(
        "one endless line on stdin (yes '{' | tr -d '\\n')",
        ["evaluate", "-"],
        stdin_cmd="yes '{' | tr -d '\\n'",
    )
    ends(
        "one endless line to audit",
        ["audit", "-", "--as-of", AS_OF],
        stdin_cmd="yes '{' | tr -d '\\n'",
    )
    # Lines that come for ever are read for ever (as by any filter); what must hold is that
    # memory stays flat while they come, and that the stream's end ends the run with exit 2.
    bad = ["evaluate", "-", "--format", "jsonl"]
    helper = subprocess.Popen(
        ["yes", "{"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        run = cli(*bad, stdin=helper.stdout, timeout=args.timeout, memory_cap_mib=args.memory_cap)
    finally:
        _send(helper.pid, signal.SIGKILL, True)
        helper.wait()
    why = "" if run.timed_out else f"it did not run on: {run.status()}"
    v.check(
        not why and run.peak_mib < 200 and not run.problem(),
        f"endless bad lines (yes '{{'): read on in flat memory (peak RSS {run.peak_mib:.0f} MiB "
        f"after {run.seconds:.0f} s, bound 200)",
        why or run.problem() or f"peak RSS {run.peak_mib:.0f} MiB",
        "yes '{' | " + shown(run.argv),
    )
    ends(
        "a million bad lines (yes '{' | head -n 1000000)",
        bad,
        stdin_cmd="yes '{' | head -n 1000000",
        timeout=max(args.timeout, 120),
    )
    ends(
        "a FIFO fed forever as a case file",
        ["evaluate", str(fifo)],
        feeder=["sh", "-c", f"cat /dev/zero > {fifo}"],
    )
    ends("a rule file x.yaml -> /dev/zero (check DIR)", ["check", str(check_dir)])
    ends(
        "a rule file x.yaml -> /dev/zero (--rules DIR evaluate)",
        ["--rules", str(catalogue), "evaluate", example],
    )
    ends(
        "regimes.yaml -> /dev/zero (--rules DIR evaluate)",
        ["--rules", str(header), "evaluate", example],
    )


# --- extreme values and control characters ----------------------------------------------------

BASE_CASE: dict[str, Any] = {
    "case_id": "X-1",
    "municipality": "Ikast-Brande",
    "child_age": 15,
    "awareness_date": "2019-03-01",
    "decision_date": "2019-04-15",
    "support_need_presumed": True,
    "measures": [3, 7],
    "consent": True,
}


def extremes(v: Verdicts, work: Path, args: argparse.Namespace) -> None:
    def refused(label: str, argv: list[str], data: bytes | None, fields: Iterable[str]) -> None:
        run = cli(*argv, stdin=data, timeout=args.timeout, memory_cap_mib=args.memory_cap)
        saved = None
        if data is not None:  # the input beside the others, for the printed reproduction
            saved = work / (re.sub(r"\W+", "-", label).strip("-") + ".jsonl")
            saved.write_bytes(data)
        why = clean_exit(run, 2)
        err = run.stderr.decode(errors="replace")
        fields = list(fields)
        if not why and not any(f in err for f in fields):
            why = f"the message names none of {', '.join(fields)}: {run.said()}"
        v.check(
            not why,
            f"{label}: exit 2 naming {' or '.join(fields)}",
            why,
            shown(run.argv, stdin=str(saved) if saved else ""),
        )

    def case(**changes: Any) -> bytes:
        return json.dumps({**BASE_CASE, **changes}).encode() + b"\n"

    jsonl = ["evaluate", "-", "--format", "jsonl"]
    far = dict(
        awareness_date="9999-12-30", decision_date="9999-12-31", notification_date="9999-12-29"
    )
    refused(
        "dates at 9999-12-31 (evaluate)", jsonl, case(**far), ["awareness_date", "decision_date"]
    )
    refused(
        "dates at 9999-12-31 (compare)",
        ["compare", "-"],
        case(**far),
        ["awareness_date", "decision_date"],
    )
    refused(
        "a birth date at 0001-01-01 and awareness at 9999-12-31",
        jsonl,
        case(
            child_age=None,
            child_birth_date="0001-01-01",
            awareness_date="9999-12-31",
            decision_date=None,
        ),
        ["child_birth_date", "awareness_date"],
    )
    history = {
        "case": {**BASE_CASE, **far},
        "events": [{"type": "awareness", "date": "9999-12-30"}],
    }
    refused(
        "a history dated 9999-12-30 audited --as-of 9999-12-31",
        ["audit", "-", "--as-of", "9999-12-31"],
        json.dumps(history).encode() + b"\n",
        ["awareness_date", "decision_date", "date"],
    )
    # a line over the reader's limit is refused as such; one under it names the field
    refused("a case_id of 10 MB", jsonl, case(case_id="B" * 10_000_000), ["case_id", "limit"])
    refused("a case_id of 900 KB", jsonl, case(case_id="B" * 900_000), ["case_id"])
    digits = "9" * 5000
    refused(
        "a 5,000-digit child_age (JSONL)",
        jsonl,
        case().replace(b'"child_age": 15', f'"child_age": {digits}'.encode()),
        ["child_age"],
    )
    refused(
        "a 5,000-digit measure (JSONL)",
        jsonl,
        case().replace(b'"measures": [3, 7]', f'"measures": [3, {digits}]'.encode()),
        ["measures"],
    )
    yaml_case = work / "huge-number.yaml"
    yaml_case.write_text(
        "\n".join(
            f"{k}: {json.dumps(v)}" for k, v in {**BASE_CASE, "child_age": 0}.items()
        ).replace("child_age: 0", f"child_age: {digits}")
        + "\n"
    )
    refused(
        "a 5,000-digit child_age (YAML file)", ["evaluate", str(yaml_case)], None, ["child_age"]
    )
    for jobs in ("0", "-1", "1000000"):
        refused(f"--jobs {jobs}", ["evaluate", "-", "--jobs", jobs], case(), ["--jobs", "jobs"])

    # control characters: never written raw to a terminal
    nasty = "ESC-\x1b[2J\x1b[31m-CR-\rBEL-\x07-CSI-\x9b"
    good = work / "nasty.json"
    good.write_text(json.dumps({**BASE_CASE, "case_id": nasty}))
    bad = work / "nasty-bad.json"
    bad.write_text(json.dumps({**BASE_CASE, "case_id": nasty, "municipality": nasty}))
    hist = cli("synthetic", "3", "--seed", "1").stdout.splitlines()
    histories = (
        b"\n".join(
            json.dumps(
                {**json.loads(h), "case": {**json.loads(h)["case"], "case_id": f"{nasty}{i}"}}
            ).encode()
            for i, h in enumerate(hist)
        )
        + b"\n"
        + json.dumps(
            {"case": {**BASE_CASE, "case_id": nasty, "municipality": nasty}, "events": []}
        ).encode()
        + b"\n"
    )
    report = work / "nasty-report.md"
    for label, argv, data in (
        ("evaluate (text)", ["evaluate", str(good)], None),
        ("evaluate --format markdown", ["evaluate", str(good), "--format", "markdown"], None),
        ("evaluate --format jsonl", ["evaluate", str(good), "--format", "jsonl"], None),
        ("compare (text)", ["compare", str(good)], None),
        ("compare --format markdown", ["compare", str(good), "--format", "markdown"], None),
        (
            "explain",
            ["explain", str(good), "--obligation", "sel50.boernefaglig_undersoegelse"],
            None,
        ),
        ("evaluate of an invalid case (the error message)", ["evaluate", str(bad)], None),
        (
            "audit summary, report and messages",
            ["audit", "-", "--as-of", AS_OF, "--report", str(report)],
            histories,
        ),
    ):
        run = cli(*argv, stdin=data, timeout=args.timeout)
        written = run.stdout + run.stderr + (report.read_bytes() if report.exists() else b"")
        found = CONTROL.search(written)
        why = (run.status() if run.timed_out or run.problem() else "") or (
            f"raw {found.group()!r} at byte {found.start()}" if found else ""
        )
        v.check(
            not why,
            f"control characters in a case id / municipality -> {label}: none written raw",
            why,
            shown(run.argv),
        )


# --- main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="20,000 records per stream and 4 signal trials (a few minutes)",
    )
    parser.add_argument(
        "--n", type=int, help="records per stream (default 1,000,000; --quick 20,000)"
    )
    parser.add_argument(
        "--trials", type=int, help="moments per signal and command (default 15; --quick 4)"
    )
    parser.add_argument(
        "--signal-cases", type=int, default=3000, help="cases of each interrupted run"
    )
    parser.add_argument(
        "--bound",
        type=float,
        default=32.0,
        help="allowed peak-RSS growth from a tenth of a stream to all of it, MiB",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        help="seconds a device / endless input may take to be refused",
    )
    parser.add_argument("--stream-timeout", type=float, default=4 * 3600.0)
    parser.add_argument(
        "--memory-cap",
        type=int,
        default=4096,
        help="address-space limit of each child, MiB (protects the machine)",
    )
    parser.add_argument(
        "--streams", nargs="+", choices=STREAMS, default=list(STREAMS), help="which streams run"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument(
        "--keep", type=Path, help="work in this folder and keep it (else a temporary one)"
    )
    args = parser.parse_args()
    args.n = args.n or (20_000 if args.quick else 1_000_000)
    args.trials = args.trials or (4 if args.quick else 15)
    if args.quick:
        args.signal_cases = min(args.signal_cases, 1500)

    commit = (
        subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        or "?"
    )
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(
        f"robustness pass at commit {commit}{' (with uncommitted changes)' if dirty else ''}, "
        f"{os.cpu_count()} cores; {args.n:,} records per stream, {args.trials} trials per "
        f"signal; seed {args.seed}; sections: {', '.join(args.only)}",
        flush=True,
    )
    began = time.perf_counter()
    v = Verdicts()
    keep = args.keep
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    work = keep or Path(tempfile.mkdtemp(prefix="lovregler-robust-"))
    try:
        for name, run in (
            ("streams", streams),
            ("bad-lines", bad_lines),
            ("signals", signals),
            ("full-disk", full_disk),
            ("devices", devices),
            ("extremes", extremes),
        ):
            if name in args.only:
                print(f"--- {name}", flush=True)
                section = work / name
                shutil.rmtree(section, ignore_errors=True)
                section.mkdir()
                try:
                    run(v, section, args)
                except Exception as exc:  # a broken section is a failure, not the end of the pass
                    v.check(
                        False, f"the {name} section ran to its end", f"{type(exc).__name__}: {exc}"
                    )
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)

    if v.figures:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\nload average at the end: {load} (other work on the machine slows the rates)")
        print(
            f"\nfigures (commit {commit}, {os.cpu_count()} cores; rate: records/s wall clock "
            "including start-up; peak: largest process's resident set, MiB)"
        )
        print(
            f"| {'stream':<40} | {'records':>10} | {'records/s':>9} | {'peak RSS MiB (1/10 -> all)':<26} |"
        )
        print(f"|{'-' * 42}|{'-' * 12}|{'-' * 11}|{'-' * 28}|")
        for what, n, rate, peak in v.figures:
            print(f"| {what:<40} | {n:>10} | {rate:>9} | {peak:<26} |")
    minutes = (time.perf_counter() - began) / 60
    print(
        f"\nrobustness: {len(v.proved)} proved, {len(v.failed)} failed, {len(v.skipped)} "
        f"skipped in {minutes:.1f} min (commit {commit})"
    )
    for what in v.failed:
        print(f"  FAILED {what}")
    return 1 if v.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
