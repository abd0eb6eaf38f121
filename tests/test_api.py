"""The public API and the published output shape (CONTRACT.md)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import lovregler
from lovregler import Obligation, RegimeError, compare, evaluate, load_regime

CASE: dict[str, Any] = {
    "case_id": "IB-2019-0042",
    "municipality": "Ikast-Brande",
    "child_age": 9,
    "awareness_date": "2019-02-01",
    "support_need_presumed": True,
    "measures": [2, 3],
    "consent": True,
}
STANDARD_IDS = [
    "sel48.boernesamtale", "sel50.boernefaglig_undersoegelse",
    *(f"sel52.stk3.nr{n}" for n in range(1, 10)),
    "sel70.opfoelgning", "sel140.handleplan", "sel155.vurdering_af_underretning",
]  # fmt: skip
OVERLAY_IDS = [
    "frikommune.familieorienteret_indsats", "frikommune.inddragelsesplan",
    "frikommune.maal_og_opfoelgning", "frikommune.socialfaglig_vurdering",
]  # fmt: skip


def test_public_face() -> None:
    for name in ("Case", "evaluate", "compare", "load_regime", "EvaluationResult", "Obligation",
                 "LovreglerError", "RuleFileError", "CaseError"):  # fmt: skip
        assert name in lovregler.__all__
    assert Path(lovregler.__file__).with_name("py.typed").exists()


def test_output_has_exactly_the_contract_shape() -> None:
    data = evaluate(CASE, "frikommune").model_dump(mode="json")
    contract_keys = {"case_id", "regime", "regime_reason", "ruleset_version", "obligations"}
    assert contract_keys <= data.keys()
    assert data["case_id"] == "IB-2019-0042"
    assert data["regime"] == "frikommune"
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", data["ruleset_version"])
    by_id = {o["id"]: o for o in data["obligations"]}
    dispensed = by_id["sel50.boernefaglig_undersoegelse"]
    assert dispensed["status"] == "dispensed"
    assert dispensed["due"] is None
    assert dispensed["legal_basis"] == "SEL § 50, stk. 1"
    assert dispensed["replaced_by"] == ["frikommune.socialfaglig_vurdering"]
    assert "replaces" not in dispensed
    replacement = by_id["frikommune.socialfaglig_vurdering"]
    assert replacement["status"] == "required"
    assert replacement["replaces"] == ["sel50.boernefaglig_undersoegelse"]
    assert replacement["due"] is None  # made in the first meetings: no statutory deadline
    assert "replaced_by" not in replacement
    for ob in data["obligations"]:
        assert ob["status"] in ("required", "waived", "dispensed", "not_applicable")
        assert ob["because"] and ob["legal_basis"]
        assert ob["id"] in ob["because"][0]  # the first reason names the rule
    json.dumps(data)  # JSON-ready


def test_every_obligation_appears_once_per_regime() -> None:
    std = evaluate(CASE, "standard")
    fri = evaluate(CASE, "frikommune")
    assert [o.id for o in std.obligations] == STANDARD_IDS
    assert [o.id for o in fri.obligations] == STANDARD_IDS + OVERLAY_IDS


def test_deadlines_are_dates() -> None:
    result = evaluate({**CASE, "awareness_date": "2019-10-31", "municipality": "Aarhus"})
    assert result.obligation("sel50.boernefaglig_undersoegelse").due == date(2020, 2, 29)
    assert result.obligation("sel140.handleplan").due == date(2019, 10, 31)
    follow_up = result.obligation("sel70.opfoelgning")
    assert follow_up.due == date(2020, 1, 31)
    assert follow_up.repeats is not None and (follow_up.repeats.unit, follow_up.repeats.max) == (
        "months",
        6,
    )


def _law(o: Obligation) -> dict[str, Any]:
    """An obligation as the law has it: without confidence, reasons and the line naming what is
    to confirm."""
    data = o.model_dump(exclude={"confidence", "reasons"})
    data["because"] = [b for b in data["because"] if "(to_confirm):" not in b]
    return data


def test_frikommune_outside_the_overlay_equals_standard() -> None:
    for case in (
        {**CASE, "municipality": "Aarhus"},
        {**CASE, "awareness_date": "2021-01-04"},
        {**CASE, "measures": [7], "consent": False},
    ):
        std = evaluate(case, "standard")
        fri = evaluate(case, "frikommune")
        assert fri.regime == "standard"
        # The same law; only the confidence (and its reasons) may say the outcome rests on the
        # overlay's window or exclusion.
        assert [_law(o) for o in fri.obligations] == [_law(o) for o in std.obligations]
        assert fri.regime_reason != std.regime_reason


def test_regime_reasons() -> None:
    en = {"lang": "en"}
    inside = evaluate({**CASE, "decision_date": "2019-02-01"}, "auto", **en)  # type: ignore[arg-type]
    assert inside.regime == "frikommune"
    assert inside.requested_regime == "auto"
    assert inside.regime_reason == (
        "Ikast-Brande (756) takes part in the frikommune network on 2019-02-01: "
        "experiment 1 (2018-05-01..2020-08-30), experiment 2 (2018-05-01..2020-08-30)"
    )
    outside = evaluate({**CASE, "awareness_date": "2020-08-31"}, "auto", lang="en")
    assert outside.regime == "standard"
    assert (
        "but 2020-08-31 lies outside experiment 1 (2018-05-01..2020-08-30), "
        "experiment 2 (2018-05-01..2020-08-30)"
    ) in outside.regime_reason
    assert evaluate({**CASE, "awareness_date": "2020-08-30"}, "auto").regime == "frikommune"
    assert evaluate({**CASE, "awareness_date": "2018-04-30"}, "auto").regime == "standard"
    assert evaluate({**CASE, "awareness_date": "2018-05-01"}, "auto").regime == "frikommune"
    other = evaluate({**CASE, "municipality": "101"}, "frikommune", lang="en")
    assert other.regime_reason.startswith(
        "København (101) does not take part in the frikommune network"
    )
    excluded = evaluate({**CASE, "measures": [7], "consent": False}, "frikommune", lang="en")
    assert "excluded" in excluded.regime_reason and "§ 10, stk. 6" in excluded.regime_reason


def test_reasons_in_danish_by_default_and_english_on_request() -> None:
    da = evaluate(CASE).obligation("sel50.boernefaglig_undersoegelse").because
    en = evaluate(CASE, lang="en").obligation("sel50.boernefaglig_undersoegelse").because
    assert da[0].startswith("Regel sel50.boernefaglig_undersoegelse (SEL § 50, stk. 1)")
    assert en[0].startswith("Rule sel50.boernefaglig_undersoegelse (SEL § 50, stk. 1)")
    assert "Opfyldt: det må antages, at barnet trænger til særlig støtte." in da
    assert "Holds: the child must be presumed to need special support." in en
    with pytest.raises(RegimeError, match="unknown language 'fr'"):
        evaluate(CASE, lang="fr")  # type: ignore[arg-type]


def test_citation_depends_on_the_date() -> None:
    # lov nr. 8 af 2019-20 renumbered § 140, stk. 3 as stk. 2 from 1 January 2020.
    old = evaluate({**CASE, "municipality": "Aarhus"}).obligation("sel140.handleplan").because
    new = (
        evaluate({**CASE, "municipality": "Aarhus", "awareness_date": "2020-01-02"})
        .obligation("sel140.handleplan")
        .because
    )
    assert any("(SEL § 140, stk. 3)" in line for line in old)
    assert any("(SEL § 140, stk. 2)" in line for line in new)


def test_compare_lists_every_difference() -> None:
    comparison = compare(CASE)
    assert comparison.standard is not None and comparison.frikommune is not None
    assert comparison.standard.regime == "standard"
    assert comparison.frikommune.regime == "frikommune"
    changed = {d.id: (d.standard, d.frikommune) for d in comparison.differences}
    assert changed["sel50.boernefaglig_undersoegelse"] == ("required", "dispensed")
    assert changed["sel52.stk3.nr2"] == ("required", "dispensed")
    assert changed["frikommune.familieorienteret_indsats"] == (None, "required")
    assert "sel70.opfoelgning" not in changed
    assert compare({**CASE, "municipality": "Aarhus"}).differences == []


def test_warning_outside_the_period_the_rules_encode() -> None:
    late = {**CASE, "municipality": "Aarhus", "awareness_date": "2024-03-01", "urgent": True}
    result = evaluate(late, lang="en")  # urgent: no ordering warnings (SEL § 52, stk. 2)
    assert result.warnings == [
        "2024-03-01 lies outside the period the rule set standard encodes (2018-01-01..2023-12-31); "
        "the result applies that period's rules"
    ]
    assert evaluate({**CASE, "urgent": True}).warnings == []


def test_a_measure_decided_before_the_investigation_is_due_is_warned_of() -> None:
    early = {**CASE, "municipality": "Aarhus", "measures": [1], "consent": True}
    result = evaluate(early, "standard", lang="en")
    (warning,) = [w for w in result.warnings if w.startswith("sel52.stk3.nr1:")]
    assert "SEL § 52, stk. 2" in warning and "sel50.boernefaglig_undersoegelse" in warning
    because = result.obligation("sel52.stk3.nr1").because
    assert any(line.startswith("Order (SEL § 52, stk. 2):") for line in because)
    # the due date of the investigation is not moved: 4 months from awareness
    assert result.obligation("sel50.boernefaglig_undersoegelse").due is not None
    urgent = evaluate({**early, "urgent": True}, "standard", lang="en")
    assert not [w for w in urgent.warnings if w.startswith("sel52.stk3.nr1:")]
    later = evaluate({**early, "decision_date": "2020-01-31"}, "standard", lang="en")
    assert not [w for w in later.warnings if w.startswith("sel52.stk3.nr1:")]


def test_load_regime_by_name_and_path() -> None:
    by_name = load_regime("frikommune")
    by_path = load_regime(Path("rules/frikommune"))
    assert by_name.version == by_path.version
    assert [r.name for r in by_name.chain] == ["standard", "frikommune"]
    assert evaluate(CASE, by_path).regime == "frikommune"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "barnets-lov",
            "unknown regime 'barnets-lov'; the bundled regimes are standard, frikommune "
            "(or give a folder that holds regime.yaml)",
        ),
        (
            "examples",
            "unknown regime 'examples'; the bundled regimes are standard, frikommune "
            "(a folder is given as a path: ./examples)",
        ),
        ("./examples", "examples: not a regime folder: it has no regime.yaml"),
    ],
)
def test_unknown_regime(name: str, message: str) -> None:
    with pytest.raises(RegimeError) as raised:
        load_regime(name)
    assert str(raised.value) == message


def test_explain_walks_the_whole_rule() -> None:
    explanation = lovregler.explain(
        {**CASE, "child_age": 16}, "sel140.handleplan", "standard", lang="en"
    )
    assert explanation.obligation is not None and explanation.obligation.status == "required"
    texts = [line.text for line in explanation.lines]
    assert texts[0] == "sel140.handleplan: required (SEL § 140, stk. 1)"
    assert any(t.startswith("Addition: For a young person of 16 or over") for t in texts)
    held = {line.text: line.holds for line in explanation.lines}
    assert held["the child's interest means the plan cannot be awaited"] is False
    assert all(line.source for line in explanation.lines if line.holds is not None)
