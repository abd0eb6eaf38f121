"""Throughput of ``lovregler.evaluate``, per regime and backend (``make bench``).

Not a test: it prints figures. Cases are generated with a fixed seed, so runs are comparable.
Beside lovregler's own figures it times, in the same run:

* *raw durable-rules*: the same facts asserted against the same compiled ruleset with no-op
  actions, which is what the durable-rules backend costs on top of;
* a *hand-written* Python function for the standard regime (``benchmarks/handwritten.py``),
  including pydantic validation of the case: the speed floor any engine is measured against.
  Before timing, the bench checks that it gives the same statuses and due dates as
  ``evaluate(case, "standard")`` on the generated cases, and says so loudly (exit 1) if not;
* loading and compiling every bundled rule set in a fresh interpreter (cold caches).

Rates are cases per second of process CPU time (so other work on the machine does not skew
them), timed without tracemalloc (it slows Python code several-fold); peak memory is
tracemalloc's peak over a separate pass of ``--mem-n`` cases (Python allocations only, so the
C engine of durable-rules is not in it; ``make soak`` watches the process RSS instead).

    python benchmarks/bench_evaluate.py [--n 100000] [--seed 7] [--mem-n 2000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import lovregler
from lovregler import Case, all_municipalities, evaluate, load_regime
from lovregler.engine.compile import case_facts, compile_regime

sys.path.insert(0, str(Path(__file__).resolve().parent))
from handwritten import outcomes, standard, standard_from_data

REGIMES = ("standard", "frikommune")
TARGET_DURABLE = 0.9  # durable-rules backend / raw durable-rules
TARGET_REFERENCE = 0.5  # reference backend / hand-written function (with validation)
TARGET_LOAD_S = 0.3  # load + compile every bundled rule set, cold
_RAW_IDS = itertools.count()
FAST = lovregler.Engine(watch=False)  # the fast path: reads the rules once
BUDGET_S = 6 * 60  # a full default run should stay under this on the 2-core machine


def generate_data(n: int, seed: int) -> Iterator[dict[str, Any]]:
    """Synthetic cases over the whole input space as plain data (what a case system sends).

    Network municipalities are over-represented. ``notification_date`` and ``child_birth_date``
    come from a second generator so the other fields stay the same for a given seed.
    """
    rng, extra = random.Random(seed), random.Random(seed + 1)
    everyone = [m.code for m in all_municipalities()]
    network = [p.municipality.code for p in load_regime("frikommune").participants or []]
    start = date(2016, 1, 1)
    for i in range(n):
        awareness = start + timedelta(days=rng.randrange(9 * 365))
        measures = sorted(rng.sample(range(1, 10), rng.choice([0, 0, 1, 1, 2, 3])))
        data: dict[str, Any] = dict(
            case_id=f"B-{i}",
            municipality=rng.choice(network) if rng.random() < 0.5 else rng.choice(everyone),
            child_age=rng.randrange(18),
            awareness_date=awareness,
            decision_date=awareness + timedelta(days=rng.randrange(120)),
            support_need_presumed=rng.random() < 0.8,
            measures=measures,
            consent=(rng.random() < 0.85) if measures else None,
            child_conversation_exception=rng.choice(
                [None, None, None, "maturity", "nature_of_case"]
            ),
            urgent=rng.random() < 0.1,
        )
        if extra.random() < 0.3:
            data["notification_date"] = awareness - timedelta(days=extra.randrange(30))
        if extra.random() < 0.2:
            age = data.pop("child_age")
            data["child_birth_date"] = awareness - timedelta(days=365 * age + extra.randrange(360))
        yield data


def generate_cases(n: int, seed: int) -> Iterator[Case]:
    """The same cases, validated."""
    for data in generate_data(n, seed):
        yield Case.model_validate(data)


def rate(fn: Callable[[], Any], n: int) -> float:
    """Cases per second of this process's CPU time (other processes on the machine do not count)."""
    began = time.process_time()
    fn()
    return n / (time.process_time() - began)


def peak_mib(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def raw_durable(regime_name: str, cases: list[Case]) -> Callable[[], None]:
    """The same facts against the same compiled ruleset, straight into durable-rules."""
    from durable.engine import MessageNotHandledException, Ruleset

    program = compile_regime(load_regime(regime_name))
    definition = program.durable_ruleset()
    for rule in definition.values():
        rule["run"] = lambda c: None
    ruleset = Ruleset(f"bench_raw_{regime_name}_{next(_RAW_IDS)}", None, definition)
    facts = [case_facts(c) for c in cases]

    def run() -> None:
        for f in facts:
            try:
                handle = ruleset.assert_fact({**f, "sid": "1"})
                ruleset.do_actions(handle, lambda e, s: None)
            except MessageNotHandledException:
                pass
            ruleset.delete_state("1")

    return run


def backend_only(regime_name: str, backend: str, cases: list[Case]) -> Callable[[], None]:
    """The backend's ``run`` alone on precomputed facts: the wrapper without result building."""
    program = compile_regime(load_regime(regime_name))
    engine = lovregler.default_engine().backend(backend)
    facts = [case_facts(c) for c in cases]

    def run() -> None:
        for f in facts:
            engine.run(program, f)

    return run


_COLD_LOAD = """
import json, time
began = time.perf_counter()
import lovregler
from lovregler.engine.compile import compile_regime
imported = time.perf_counter()
names = lovregler.default_engine().regime_names()
for name in names:
    program = compile_regime(lovregler.load_regime(name))
    program.durable_ruleset()
loaded = time.perf_counter()
print(json.dumps({"import": imported - began, "load": loaded - imported,
                  "regimes": list(names)}))
"""


def cold_load() -> dict[str, Any]:
    """Import, then load + compile every bundled regime, in a fresh interpreter (best of 3)."""
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", _COLD_LOAD], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout))
    return min(runs, key=lambda r: r["load"])


def check_handwritten(data: list[dict[str, Any]], cases: list[Case], backends: list[str]) -> int:
    """Compare the hand-written function with ``evaluate(case, "standard")``; count disagreements."""
    bad = 0
    for backend in backends:
        limit = len(cases) if backend == "reference" else min(len(cases), 10_000)
        for d, case in zip(data[:limit], cases[:limit], strict=True):
            mine = standard_from_data(d)
            theirs = outcomes(evaluate(case, "standard", backend=backend))
            if mine != theirs:
                bad += 1
                if bad <= 5:
                    diff = {
                        k: (mine.get(k), theirs.get(k))
                        for k in sorted(set(mine) | set(theirs))
                        if mine.get(k) != theirs.get(k)
                    }
                    print(f"  DISAGREE ({backend}) on {d}:\n    hand-written vs evaluate: {diff}")
        print(f"  checked {limit:,} cases against evaluate(case, 'standard', backend={backend!r})")
    return bad


def verdict(value: float, target: float, higher_is_better: bool = True) -> str:
    ok = value >= target if higher_is_better else value < target
    return "PASS" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30_000, help="cases per row (default 30,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--mem-n", type=int, default=2_000, help="cases in each peak-memory pass (default 2,000)"
    )
    args = parser.parse_args()
    run_began = time.perf_counter()

    began = time.perf_counter()
    for name in REGIMES:
        compile_regime(load_regime(name))
    print(f"load + compile both regimes: {time.perf_counter() - began:.3f} s")
    cold = cold_load()
    print(
        f"cold, fresh interpreter: import lovregler {cold['import']:.3f} s, "
        f"load + compile {', '.join(cold['regimes'])} {cold['load']:.3f} s"
    )

    data = list(generate_data(args.n, args.seed))
    cases = [Case.model_validate(d) for d in data]
    mem_n = min(args.mem_n, args.n)
    backends = ["reference"] + (["durable-rules"] if lovregler.durable_available() else [])

    print("hand-written standard function vs evaluate(case, 'standard'):")
    disagreements = check_handwritten(data, cases, backends)
    if disagreements:
        print("!" * 78)
        print(f"!!! THE HAND-WRITTEN FUNCTION DISAGREES WITH evaluate ON {disagreements:,} CASES")
        print("!!! (benchmarks/handwritten.py or the standard rules changed; fix one of them)")
        print("!" * 78)
    else:
        print("  agree: same statuses and due dates on every checked case")

    def row(label: str, cases_per_s: float, peak: float | None) -> None:
        shown = "-" if peak is None else f"{peak:.1f}"
        print(f"{label:<52} {cases_per_s:>10,.0f} {shown:>9}")

    def ratio(label: str, value: float, target: float | None = None) -> None:
        mark = f"  (target >= {target}: {verdict(value, target)})" if target else ""
        print(f"{'  ' + label:<52} {value:>10.2f}{mark}")

    print()
    print(f"{args.n:,} cases per row; peak memory over {mem_n:,} cases (tracemalloc)")
    print(f"{'what':<52} {'cases/s':>10} {'peak MiB':>9}")
    rates: dict[tuple[str, ...], float] = {}
    for regime in REGIMES:
        for backend in backends:
            evaluate(cases[0], regime, backend=backend)  # warm up: compile the ruleset

            def run(regime: str = regime, backend: str = backend, todo: list[Case] = cases) -> None:
                for case in todo:
                    evaluate(case, regime, backend=backend)

            rates[regime, backend] = rate(run, args.n)
            peak = peak_mib(lambda run=run: run(todo=cases[:mem_n]))
            row(f"evaluate {regime} / {backend}", rates[regime, backend], peak)

            def plain(
                regime: str = regime,
                backend: str = backend,
                todo: list[Case] = cases,
                fast: lovregler.Engine = FAST,
            ) -> None:
                for case in todo:
                    fast.evaluate(case, regime, backend=backend, reasons=False)

            def decide(
                regime: str = regime,
                backend: str = backend,
                todo: list[Case] = cases,
                fast: lovregler.Engine = FAST,
            ) -> None:
                for case in todo:
                    fast.decide(case, regime, backend=backend)

            rows = {
                "evaluate, no reasons tree, watch=False": rate(plain, args.n),
                "decide (no prose), watch=False": rate(decide, args.n),
            }
            for label, value in rows.items():
                row(f"  {label}", value, None)
            rates[regime, backend, "decide"] = rows["decide (no prose), watch=False"]
            ratio(
                "decide / full evaluate", rates[regime, backend, "decide"] / rates[regime, backend]
            )
        if "durable-rules" in backends:
            raw = rate(raw_durable(regime, cases), args.n)
            peak = peak_mib(raw_durable(regime, cases[:mem_n]))
            row(f"raw durable-rules {regime}", raw, peak)
            rates[regime, "raw"] = raw
            wrapper = rate(backend_only(regime, "durable-rules", cases), args.n)
            row(f"durable-rules backend.run only {regime}", wrapper, None)
            ratio(
                "ratio durable backend / raw", rates[regime, "durable-rules"] / raw, TARGET_DURABLE
            )
            ratio("ratio backend.run only / raw (the wrapper)", wrapper / raw)

    # the speed floor: validation + a hand-written function, against evaluate on the same dicts
    def from_data(todo: list[dict[str, Any]] = data) -> None:
        for d in todo:
            evaluate(d, "standard", backend="reference")

    def hand_data(todo: list[dict[str, Any]] = data) -> None:
        for d in todo:
            standard_from_data(d)

    def hand_cases(todo: list[Case] = cases) -> None:
        for c in todo:
            standard(c)

    ref_data = rate(from_data, args.n)
    row(
        "evaluate standard / reference, from dicts",
        ref_data,
        peak_mib(lambda: from_data(data[:mem_n])),
    )
    hand = rate(hand_data, args.n)
    row(
        "hand-written standard, validate + function",
        hand,
        peak_mib(lambda: hand_data(data[:mem_n])),
    )
    hand_only = rate(hand_cases, args.n)
    row("hand-written standard, function only", hand_only, None)
    ratio("ratio reference (dicts) / hand-written", ref_data / hand, TARGET_REFERENCE)
    ratio("ratio reference (Case) / hand-written", rates["standard", "reference"] / hand)

    print()
    print("targets (issue 6)")
    results = []
    for regime in REGIMES:
        if (regime, "raw") in rates:
            value = rates[regime, "durable-rules"] / rates[regime, "raw"]
            results.append(
                (f"durable backend / raw durable-rules, {regime}", value, TARGET_DURABLE)
            )
    results.append(
        ("reference backend / hand-written (with validation)", ref_data / hand, TARGET_REFERENCE)
    )
    for label, value, target in results:
        print(f"  {label:<56} {value:>6.2f}  >= {target:<4}  {verdict(value, target)}")
    load_ok = verdict(cold["load"], TARGET_LOAD_S, higher_is_better=False)
    print(
        f"  {'load + compile all rule sets, cold (s)':<56} {cold['load']:>6.3f}  <  {TARGET_LOAD_S:<4}  {load_ok}"
    )
    if "durable-rules" not in backends:
        print("  durable-rules does not import here: its ratios are not measured")
    if disagreements:
        print(f"  hand-written function agrees with evaluate: NO ({disagreements:,} cases)  FAIL")
    total = time.perf_counter() - run_began
    note = "" if total <= BUDGET_S else f" (over the {BUDGET_S // 60}-minute budget: lower --n)"
    print(f"total run time {total:.0f} s{note}")
    if disagreements:
        sys.exit(1)


if __name__ == "__main__":
    main()
