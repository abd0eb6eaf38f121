"""Throughput of ``lovregler.evaluate``, per regime and backend (``make bench``).

Not a test: it prints figures. Cases are generated with a fixed seed, so runs are comparable.
Beside lovregler's own figures it times *raw durable-rules*: the same facts asserted against
the same compiled ruleset with no-op actions, which is what the wrapper costs on top of.

    python benchmarks/bench_evaluate.py [--n 20000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import lovregler
from lovregler import Case, all_municipalities, evaluate, load_regime
from lovregler._compile import case_facts, compile_regime


def generate_cases(n: int, seed: int) -> Iterator[Case]:
    """Synthetic cases over the whole input space, network municipalities over-represented."""
    rng = random.Random(seed)
    everyone = [m.code for m in all_municipalities()]
    network = [p.municipality.code for p in load_regime("frikommune").participants or []]
    start = date(2016, 1, 1)
    for i in range(n):
        awareness = start + timedelta(days=rng.randrange(9 * 365))
        measures = sorted(rng.sample(range(1, 10), rng.choice([0, 0, 1, 1, 2, 3])))
        yield Case(
            case_id=f"B-{i}",
            municipality=rng.choice(network) if rng.random() < 0.5 else rng.choice(everyone),
            child_age=rng.randrange(18),
            awareness_date=awareness,
            decision_date=awareness + timedelta(days=rng.randrange(120)),
            support_need_presumed=rng.random() < 0.8,
            measures=measures,
            consent=(rng.random() < 0.85) if measures else None,
            child_conversation_exception=rng.choice([None, None, None, "maturity", "nature_of_case"]),
            urgent=rng.random() < 0.1,
        )


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    tracemalloc.start()
    began = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak / 2**20


def raw_durable(regime_name: str, cases: list[Case]) -> Callable[[], None]:
    """The same facts against the same compiled ruleset, straight into durable-rules."""
    from durable.engine import MessageNotHandledException, Ruleset

    program = compile_regime(load_regime(regime_name))
    definition = program.durable_ruleset()
    for rule in definition.values():
        rule["run"] = lambda c: None
    ruleset = Ruleset(f"bench_raw_{regime_name}", None, definition)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="cases per regime (default 20,000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    began = time.perf_counter()
    for name in ("standard", "frikommune"):
        compile_regime(load_regime(name))
    print(f"load + compile both regimes: {time.perf_counter() - began:.3f} s")
    cases = list(generate_cases(args.n, args.seed))
    backends = ["reference"] + (["durable-rules"] if lovregler.durable_available() else [])
    print(f"{'what':<40} {'cases/s':>10} {'peak MiB':>9}")
    for regime in ("standard", "frikommune"):
        rates: dict[str, float] = {}
        for backend in backends:
            evaluate(cases[0], regime, backend=backend)  # warm up: compile the ruleset

            def run(regime: str = regime, backend: str = backend) -> None:
                for case in cases:
                    evaluate(case, regime, backend=backend)

            elapsed, peak = timed(run)
            rates[backend] = args.n / elapsed
            print(f"{f'evaluate {regime} / {backend}':<40} {rates[backend]:>10,.0f} {peak:>9.1f}")
        if "durable-rules" in rates:
            elapsed, peak = timed(raw_durable(regime, cases))
            raw = args.n / elapsed
            print(f"{f'raw durable-rules {regime}':<40} {raw:>10,.0f} {peak:>9.1f}")
            print(f"{'  ratio durable backend / raw':<40} {rates['durable-rules'] / raw:>10.2f}")


if __name__ == "__main__":
    main()
