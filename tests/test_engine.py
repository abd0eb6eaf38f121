"""The durable-rules wrapper's sharp edges, and agreement between the two backends."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

import lovregler
from lovregler import BackendError, evaluate, load_case_file, load_regime
from lovregler.engine.backends import DurableBackend, ReferenceBackend
from lovregler.engine.compile import case_facts, compile_regime

needs_durable = pytest.mark.skipif(
    not lovregler.durable_available(), reason="durable-rules does not import on this Python"
)
EXAMPLES = [c for f in sorted(Path("examples/cases").glob("*.yaml")) for c in load_case_file(f)]
REGIMES = ("standard", "frikommune")


def _snapshot(backend: str) -> list[dict[str, Any]]:
    out = []
    for case in EXAMPLES:
        for regime in REGIMES:
            data = evaluate(case, regime, backend=backend).model_dump(mode="json")
            data.pop("backend")
            out.append(data)
    return out


@needs_durable
def test_backends_agree_on_every_example() -> None:
    assert _snapshot("durable-rules") == _snapshot("reference")


@needs_durable
def test_default_backend_is_durable_rules_where_it_imports() -> None:
    assert evaluate(EXAMPLES[0]).backend == "durable-rules"
    assert lovregler.Engine().backend("auto").name == "durable-rules"


@needs_durable
def test_five_thousand_evaluations_neither_fail_nor_drift() -> None:
    # durable-rules raises MemoryError at the 1,025th open session: each case's session
    # must be deleted. The results must not change as evaluations pile up either.
    first = _snapshot("durable-rules")
    for _ in range(5000 // (len(EXAMPLES) * len(REGIMES)) + 1):
        again = _snapshot("durable-rules")
    assert again == first


@needs_durable
def test_raw_engine_runs_out_of_sessions_without_the_wrapper() -> None:
    # Documents the edge the wrapper exists for: not deleting state ends in MemoryError.
    from durable.engine import Ruleset

    ruleset = Ruleset(
        "lovregler_test_sessions", None, {"r": {"all": [{"m": {"x": 1}}], "run": lambda c: None}}
    )
    with pytest.raises(MemoryError):
        for sid in range(1100):
            ruleset.assert_fact({"x": 1, "sid": str(sid)})


@needs_durable
def test_no_matching_check_is_a_normal_outcome(tmp_path: Path) -> None:
    # MessageNotHandledException (nothing matched) must come back as "no check held".
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "regime.yaml").write_text(
        "regime: tiny\ntitle: Tiny\nconfidence: to_confirm\n", encoding="utf-8"
    )
    (folder / "r.yaml").write_text(
        "rules:\n  - id: tiny.rule\n    title: T\n    legal_basis: [{ref: test}]\n"
        "    when: {field: child_age, at_least: 17}\n    confidence: to_confirm\n",
        encoding="utf-8",
    )
    regime = load_regime(folder)
    program = compile_regime(regime)
    facts = case_facts(EXAMPLES[0])
    assert DurableBackend().run(program, facts) == frozenset()
    assert (
        evaluate(EXAMPLES[0], regime, backend="durable-rules").obligation("tiny.rule").status
        == "not_applicable"
    )


@needs_durable
def test_changed_rules_get_a_new_ruleset_not_a_stale_one(tmp_path: Path) -> None:
    # durable-rules cannot replace a registered ruleset: each is named by its content's hash.
    shutil.copytree("rules", tmp_path / "rules")
    sel50 = tmp_path / "rules" / "standard" / "sel50.yaml"
    case = EXAMPLES[0]
    before = evaluate(case, load_regime(tmp_path / "rules" / "standard"), backend="durable-rules")
    sel50.write_text(
        sel50.read_text(encoding="utf-8").replace("amount: 4", "amount: 5"), encoding="utf-8"
    )
    after = evaluate(case, load_regime(tmp_path / "rules" / "standard"), backend="durable-rules")
    old = before.obligation("sel50.boernefaglig_undersoegelse").due
    new = after.obligation("sel50.boernefaglig_undersoegelse").due
    assert old is not None and new is not None and new > old
    assert before.ruleset_version != after.ruleset_version
    # the bundled rules, with identical content, still evaluate as before
    assert evaluate(case, "standard", backend="durable-rules") == evaluate(
        case, "standard", backend="durable-rules"
    )


@pytest.mark.parametrize("backend", ["durable-rules", "reference"])
def test_threads_get_the_same_answers_as_one_thread(backend: str) -> None:
    if backend == "durable-rules" and not lovregler.durable_available():
        pytest.skip("durable-rules does not import on this Python")
    expected = _snapshot(backend)
    results: list[list[dict[str, Any]]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                results.append(_snapshot(backend))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 40
    assert all(r == expected for r in results)


def test_unknown_backend() -> None:
    with pytest.raises(
        BackendError, match="unknown backend 'fast'; choose one of: auto, durable-rules, reference"
    ):
        evaluate(EXAMPLES[0], backend="fast")


def test_durable_unavailable_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def broken(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("durable"):
            raise ImportError("undefined symbol: PyEval_CallObject")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", broken)
    engine = lovregler.Engine()
    assert not lovregler.durable_available()
    assert engine.backend().name == "reference"  # the automatic fallback
    with pytest.raises(
        BackendError,
        match=r"durable-rules backend cannot run here .*PyEval_CallObject.*use backend='reference'",
    ):
        engine.backend("durable-rules")


def test_engine_and_explanation_must_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    # A backend that answers wrongly is caught, not silently explained away.
    def wrong(self: ReferenceBackend, program: Any, facts: Any) -> frozenset[int]:
        return frozenset(range(len(program.checks)))

    monkeypatch.setattr(ReferenceBackend, "run", wrong)
    with pytest.raises(lovregler.InternalError, match="the engine and the explanation disagree"):
        evaluate(
            load_case_file("examples/cases/odense-2019-intet-stoettebehov.yaml")[0],
            backend="reference",
        )
