"""Differential testing: durable-rules and the pure-Python reference backend give identical
results for every generated case, under both regimes (whenever durable-rules imports)."""

from __future__ import annotations

import pytest
from hypothesis import given

import lovregler
from lovregler import Case, evaluate
from lovregler.testing import case_yaml, cases

pytestmark = pytest.mark.skipif(
    not lovregler.durable_available(), reason="durable-rules does not import on this Python"
)


@given(case=cases())
def test_both_backends_give_identical_results(case: Case) -> None:
    for regime in ("standard", "frikommune", "auto"):
        for lang in ("da", "en"):
            durable = evaluate(case, regime, lang=lang, backend="durable-rules")
            reference = evaluate(case, regime, lang=lang, backend="reference")
            assert durable.backend == "durable-rules" and reference.backend == "reference"
            left = durable.model_dump(mode="json", exclude={"backend"})
            right = reference.model_dump(mode="json", exclude={"backend"})
            assert left == right, f"backends differ under {regime} for:\n{case_yaml(case)}"
