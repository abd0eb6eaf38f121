"""Benchmark: audit a large SYNTHETIC caseload in one streaming run, with flat memory.

    .venv/bin/python benchmarks/bench_audit.py            # 100,000 histories
    .venv/bin/python benchmarks/bench_audit.py --n 20000  # quicker

Generates ``--n`` synthetic histories (lovregler.auditing.caseload; made up, not real cases) into a
temporary JSON Lines file, then runs the ``lovregler audit`` command's code over it
(``run_audit``, per-case JSONL output included) and prints the rate and the memory: the
resident set size sampled while it runs (it should stay flat) and its peak. With ``--budget``
seconds it stops early and prints a projected time for ``--n``, saying that it did.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from lovregler.auditing.caseload import generate_histories, write_histories_jsonl
from lovregler.cli.audit import run_audit


def _rss_mib() -> float | None:
    """Current resident set size (Linux /proc), or None where it cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB else


class _Sampler(threading.Thread):
    """Samples RSS a few times a second while the audit runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, float]] = []
        self.stop = threading.Event()
        self.start_time = time.perf_counter()

    def run(self) -> None:
        while not self.stop.wait(0.25):
            rss = _rss_mib()
            if rss is not None:
                self.samples.append((time.perf_counter() - self.start_time, rss))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000, help="histories (default 100,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--as-of", default="2020-12-31", help="audit day (default 2020-12-31)")
    parser.add_argument(
        "--budget",
        type=float,
        default=0,
        help="stop generating after this many seconds and project the time for --n (0: off)",
    )
    args = parser.parse_args(argv)
    as_of = date.fromisoformat(args.as_of)

    with tempfile.TemporaryDirectory() as tmp:
        source, per_case = Path(tmp) / "histories.jsonl", Path(tmp) / "per-case.jsonl"
        start = time.perf_counter()
        n = args.n
        with source.open("w", encoding="utf-8") as out:
            if args.budget:
                count = 0
                for history in generate_histories(args.n, args.seed, as_of=as_of):
                    write_histories_jsonl(iter([history]), out)
                    count += 1
                    # audit takes several times as long as generating: leave it most of the budget
                    if time.perf_counter() - start > args.budget / 12:
                        break
                n = count
            else:
                write_histories_jsonl(generate_histories(n, args.seed, as_of=as_of), out)
        generated = time.perf_counter() - start
        size = source.stat().st_size
        print(
            f"generated {n:,} synthetic histories in {generated:.1f} s "
            f"({n / generated:,.0f}/s, {size / 2**20:.1f} MiB of JSONL)"
        )

        audit_args = argparse.Namespace(
            histories=source,
            as_of=as_of,
            regime="auto",
            backend="auto",
            out=per_case,
            report=None,
            progress="never",
        )
        rss_before = _rss_mib()
        sampler = _Sampler()
        sampler.start()
        start = time.perf_counter()
        summary = io.StringIO()
        code = run_audit(audit_args, summary)
        elapsed = time.perf_counter() - start
        sampler.stop.set()
        sampler.join()

    print(summary.getvalue(), end="")
    rate = n / elapsed
    print(f"audited {n:,} histories in {elapsed:.1f} s: {rate:,.0f} histories/s (exit {code})")
    if n < args.n:
        print(
            f"PROJECTED (not measured): {args.n:,} histories would take about "
            f"{args.n / rate:.0f} s at this rate; the run stopped at {n:,} to keep within "
            f"--budget {args.budget:.0f} s"
        )
    samples = sampler.samples
    if samples and rss_before is not None:
        marks = [samples[int(i * (len(samples) - 1) / 4)] for i in range(5)]
        shown = ", ".join(f"{t:.0f}s {rss:.1f}" for t, rss in marks)
        growth = max(rss for _, rss in samples) - rss_before
        print(f"resident memory (MiB) before {rss_before:.1f}; during: {shown}")
        print(f"growth during the audit: {growth:+.1f} MiB")
    peak = max([_peak_rss_mib(), *(rss for _, rss in samples)])
    print(f"peak resident memory of the process: {peak:.1f} MiB")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
