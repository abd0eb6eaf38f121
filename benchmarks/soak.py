"""Soak test (``make soak``): many evaluations in one process, memory flat, results identical.

Runs ``--n`` evaluations (default 1,000,000) round-robin over every available backend and both
regimes, on a fixed pool of generated cases. Every ``--every`` evaluations (default 50,000) it
samples the process's resident memory and prints a progress line. It fails (exit 1):

* if resident memory grows by more than ``--bound`` MiB (default 16) over the first sample
  taken after warm-up (``--warmup``, default 100,000 evaluations);
* if the result for the fixed probe case changes (checked at every sample, on every backend
  and regime);
* if any pool case gives a different result than the first time it was evaluated, or than the
  other backend gave for it (results are compared without their ``backend`` field).

Where durable-rules does not import (Python 3.13+) only the reference backend runs.

    python benchmarks/soak.py [--n 1000000] [--every 50000] [--bound 16] [--pool 2000]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import lovregler
from lovregler import Case, EvaluationResult, evaluate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_evaluate import generate_data

REGIMES = ("standard", "frikommune")
PROBE = Case.model_validate(
    {
        "case_id": "SOAK-PROBE",
        "municipality": "Ikast-Brande",
        "child_age": 15,
        "awareness_date": date(2019, 3, 1),
        "decision_date": date(2019, 4, 15),
        "notification_date": date(2019, 2, 27),
        "support_need_presumed": True,
        "measures": [3, 7],
        "consent": True,
        "urgent": True,
    }
)


def rss_mib() -> float:
    """Resident memory now (``/proc/self/statm``), or the peak where /proc is missing."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def digest(result: EvaluationResult) -> bytes:
    """The result without the name of the backend that produced it."""
    return hashlib.blake2b(
        result.model_dump_json(exclude={"backend"}).encode(), digest_size=16
    ).digest()


def fail(message: str) -> None:
    print(f"SOAK FAILED: {message}", flush=True)
    sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="evaluations (default 1,000,000)")
    parser.add_argument("--every", type=int, default=50_000, help="sample every N (default 50,000)")
    parser.add_argument("--warmup", type=int, default=100_000, help="evaluations before baseline")
    parser.add_argument("--bound", type=float, default=16.0, help="allowed RSS growth, MiB")
    parser.add_argument("--pool", type=int, default=2_000, help="distinct generated cases")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    backends = ["reference"] + (["durable-rules"] if lovregler.durable_available() else [])
    combos = [(regime, backend) for regime in REGIMES for backend in backends]
    if "durable-rules" not in backends:
        print("durable-rules does not import here: soaking the reference backend only")
    pool = [Case.model_validate(d) for d in generate_data(args.pool, args.seed)]
    probe = {combo: digest(evaluate(PROBE, combo[0], backend=combo[1])) for combo in combos}
    for regime in REGIMES:
        if len({probe[regime, b] for b in backends}) != 1:
            fail(f"the backends disagree on the probe case under {regime}")
    print(
        f"soak: {args.n:,} evaluations over {', '.join(backends)} x {', '.join(REGIMES)}, "
        f"{len(pool):,} cases; sample every {args.every:,}, baseline after {args.warmup:,}, "
        f"bound +{args.bound:g} MiB",
        flush=True,
    )

    seen: dict[tuple[int, str], bytes] = {}  # (pool index, regime) -> digest, any backend
    baseline: float | None = None
    worst = 0.0
    began = last_time = time.perf_counter()
    start_rss = rss_mib()
    done = 0
    while done < args.n:
        index, step = divmod(done, len(combos))
        regime, backend = combos[step]
        case_index = index % len(pool)
        got = digest(evaluate(pool[case_index], regime, backend=backend))
        known = seen.setdefault((case_index, regime), got)
        if known != got:
            fail(
                f"evaluation {done:,}: case {pool[case_index].case_id} under {regime} on "
                f"{backend} gave a different result than before (or than the other backend)"
            )
        done += 1
        if done % args.every == 0 or done == args.n:
            for combo, expected in probe.items():
                if digest(evaluate(PROBE, combo[0], backend=combo[1])) != expected:
                    fail(
                        f"evaluation {done:,}: the probe result changed on {combo[1]} / {combo[0]}"
                    )
            now, rss = time.perf_counter(), rss_mib()
            rate = args.every / (now - last_time) if done % args.every == 0 else 0.0
            last_time = now
            if baseline is None and done >= args.warmup:
                baseline = rss
            growth = "" if baseline is None else f"  {rss - baseline:+.1f} MiB since warm-up"
            print(
                f"{done:>10,} evaluations  rss {rss:7.1f} MiB{growth}  {rate:>7,.0f} eval/s",
                flush=True,
            )
            if baseline is not None:
                worst = max(worst, rss - baseline)
                if rss - baseline > args.bound:
                    fail(
                        f"resident memory grew {rss - baseline:.1f} MiB after warm-up "
                        f"(bound {args.bound:g} MiB)"
                    )
    elapsed = time.perf_counter() - began
    summary: dict[str, Any] = {
        "evaluations": done,
        "seconds": round(elapsed, 1),
        "rss_start_mib": round(start_rss, 1),
        "rss_end_mib": round(rss_mib(), 1),
        "max_growth_after_warmup_mib": round(worst, 1) if baseline is not None else None,
    }
    if baseline is None:
        print(f"note: --n {args.n:,} never passed --warmup {args.warmup:,}; memory not judged")
    print("soak passed: " + ", ".join(f"{k}={v}" for k, v in summary.items()), flush=True)


if __name__ == "__main__":
    main()
