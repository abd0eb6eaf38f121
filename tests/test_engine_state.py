"""The Engine owns all state: one process never sees two versions of one law, a new regime is a
folder and a catalogue entry (no Python), and every answer says how sure it is."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import lovregler
from lovregler import Engine, RegimeError
from lovregler.cli.app import main

RULES = Path(__file__).resolve().parent.parent / "rules"
CASE: dict[str, Any] = {
    "case_id": "E-1",
    "municipality": "Aarhus",
    "child_age": 9,
    "awareness_date": "2019-10-31",
    "support_need_presumed": True,
}
SEL50 = "sel50.boernefaglig_undersoegelse"


def _copy_rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def _shorten_investigation(rules: Path) -> None:
    path = rules / "standard" / "sel50.yaml"
    text = path.read_text(encoding="utf-8")
    assert "amount: 4" in text
    path.write_text(text.replace("amount: 4", "amount: 3"), encoding="utf-8")


def _due_by_every_name(engine: Engine, rules: Path) -> set[date | None]:
    """The § 50 due date, asking for the regime in every way there is."""
    ways: list[Any] = [
        "standard",
        rules / "standard",
        str(rules / "standard"),
        engine.regime("standard"),
        engine.regime(rules / "standard"),
        None,  # the catalogue's default regime
    ]
    dues = {engine.evaluate(CASE, way).obligation(SEL50).due for way in ways}
    dues.add(engine.decide(CASE, "standard").obligation(SEL50).due)
    dues.add(engine.evaluate(CASE, "auto").obligation(SEL50).due)
    return dues


def test_an_edited_rule_file_is_the_law_at_once_by_every_name(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path)
    engine = Engine(rules)
    assert _due_by_every_name(engine, rules) == {date(2020, 2, 29)}
    _shorten_investigation(rules)
    assert _due_by_every_name(engine, rules) == {date(2020, 1, 31)}


def test_without_watching_the_law_changes_only_on_reload(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path)
    engine = Engine(rules, watch=False)
    assert _due_by_every_name(engine, rules) == {date(2020, 2, 29)}
    _shorten_investigation(rules)
    assert _due_by_every_name(engine, rules) == {date(2020, 2, 29)}  # still one version
    engine.reload()
    assert _due_by_every_name(engine, rules) == {date(2020, 1, 31)}


def test_the_default_engine_follows_lovregler_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = _copy_rules(tmp_path)
    _shorten_investigation(rules)
    bundled = lovregler.evaluate(CASE, "standard").obligation(SEL50).due
    monkeypatch.setenv("LOVREGLER_RULES", str(rules))
    assert lovregler.evaluate(CASE, "standard").obligation(SEL50).due == date(2020, 1, 31)
    assert lovregler.load_regime("standard").folder == (rules / "standard").resolve()
    monkeypatch.delenv("LOVREGLER_RULES")
    assert lovregler.evaluate(CASE, "standard").obligation(SEL50).due == bundled


def test_a_yml_file_counts_as_a_rule_file(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path)
    engine = Engine(rules)
    before = engine.evaluate(CASE, "standard")
    (rules / "standard" / "sel50.yaml").rename(rules / "standard" / "sel50.yml")
    _ = engine.evaluate(CASE, "standard")  # the same rules, read from the .yml file
    path = rules / "standard" / "sel50.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("amount: 4", "amount: 3"), "utf-8")
    after = engine.evaluate(CASE, "standard")
    assert before.obligation(SEL50).due == date(2020, 2, 29)
    assert after.obligation(SEL50).due == date(2020, 1, 31)


# --- names and folders -----------------------------------------------------------------------


def test_a_bare_name_never_means_a_folder_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planted = _copy_rules(tmp_path)
    _shorten_investigation(planted)
    monkeypatch.chdir(planted)  # a folder named standard/ right here
    result = lovregler.evaluate(CASE, "standard")
    assert result.obligation(SEL50).due == date(2020, 2, 29)  # the bundled law
    assert result.selection is not None and result.selection.folder.endswith("standard")
    assert Path(result.selection.folder).resolve() != (planted / "standard").resolve()
    by_path = lovregler.evaluate(CASE, "./standard")  # a folder is always a path
    assert by_path.obligation(SEL50).due == date(2020, 1, 31)
    assert by_path.selection is not None and by_path.selection.folder == "standard"


def test_an_unknown_name_says_which_regimes_there_are() -> None:
    with pytest.raises(RegimeError, match=r"unknown regime 'standart'; the bundled regimes are"):
        lovregler.evaluate(CASE, "standart")


# --- a new regime is data --------------------------------------------------------------------

TOY_HEADER = """\
regime: toylov
title: Et legetøjsregime, i kraft fra 2030
confidence: to_confirm
valid: {from: 2030-01-01, to: 2039-12-31}
"""
TOY_RULES = """\
rules:
  - id: toy.samtale
    title: Samtale med barnet
    legal_basis:
      - {law: Toylov, paragraph: 1}
    when: {field: support_need_presumed, equals: true}
    deadline: {from: awareness_date, amount: 2, unit: weeks}
    confidence: to_confirm
"""
TOY_ENTRY = """\
  - name: toylov
    folder: toylov
    in_force: {from: 2030-01-01}
"""


def _with_toy_regime(tmp_path: Path) -> Path:
    rules = _copy_rules(tmp_path)
    (rules / "toylov").mkdir()
    (rules / "toylov" / "regime.yaml").write_text(TOY_HEADER, encoding="utf-8")
    (rules / "toylov" / "toy.yaml").write_text(TOY_RULES, encoding="utf-8")
    catalogue = rules / "regimes.yaml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8") + TOY_ENTRY, encoding="utf-8")
    return rules


LATE_CASE = {**CASE, "case_id": "T-1", "awareness_date": "2031-03-01"}


def test_a_toy_regime_is_picked_by_date_without_python(tmp_path: Path) -> None:
    engine = Engine(_with_toy_regime(tmp_path))
    assert engine.regime_names() == ("standard", "frikommune", "toylov")
    late = engine.evaluate(LATE_CASE, "auto")
    assert late.regime == "toylov"
    assert late.statuses() == {"toy.samtale": "required"}
    assert late.obligation("toy.samtale").due == date(2031, 3, 15)
    assert late.selection is not None and late.selection.in_force is True
    early = engine.evaluate(CASE, "auto")
    assert early.regime == "standard" and SEL50 in early.statuses()


def test_the_cli_picks_the_toy_regime_by_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = _with_toy_regime(tmp_path)
    case_file = tmp_path / "late.json"
    case_file.write_text(json.dumps(LATE_CASE), encoding="utf-8")
    argv = ["--rules", str(rules), "evaluate", str(case_file), "--regime", "auto"]
    assert main([*argv, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["regime"] == "toylov" and data["requested_regime"] == "auto"
    assert main(["--rules", str(rules), "regimes"]) == 0
    assert "toylov: Et legetøjsregime" in capsys.readouterr().out


def test_the_default_engine_picks_the_toy_regime_from_lovregler_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOVREGLER_RULES", str(_with_toy_regime(tmp_path)))
    assert lovregler.evaluate(LATE_CASE, "auto").regime == "toylov"


def test_a_date_no_regime_covers_gets_the_latest_with_a_warning(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path)
    result = Engine(rules).evaluate({**CASE, "awareness_date": "2025-06-01"}, "auto")
    assert result.regime == "standard"
    assert result.selection is not None and result.selection.in_force is False
    assert result.warnings[0] == (
        "Intet regime i kataloget er i kraft 2025-06-01; standard (i kraft ..2023-12-31) er anvendt"
    )


# --- confidence ------------------------------------------------------------------------------


def test_confidence_is_the_weakest_mark_of_what_decided(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path)
    path = rules / "standard" / "sel50.yaml"
    text = path.read_text(encoding="utf-8")
    assert "      confidence: verified" in text  # the deadline's own mark
    path.write_text(
        text.replace("      confidence: verified", "      confidence: to_confirm", 1), "utf-8"
    )
    marked = Engine(rules).evaluate(CASE, "standard")
    # The rule stays verified, but the deadline that dated it is now marked to_confirm.
    assert Engine(rules).regime("standard").rule(SEL50).confidence == "verified"  # type: ignore[union-attr]
    assert marked.obligation(SEL50).confidence == "to_confirm"
    standard = lovregler.evaluate(CASE, "standard")
    assert standard.obligation(SEL50).confidence == "verified"
    assert standard.selection is not None and standard.selection.confidence == "verified"
    gladsaxe = lovregler.evaluate({**CASE, "municipality": "Gladsaxe"}, "frikommune")
    assert gladsaxe.regime == "frikommune"
    assert gladsaxe.selection is not None and gladsaxe.selection.confidence == "to_confirm"
    for ob in gladsaxe.obligations:
        if ob.id.startswith("frikommune.") or ob.status == "dispensed":
            assert ob.confidence == "to_confirm", ob.id  # rests on the to_confirm window
    ikast = lovregler.evaluate({**CASE, "municipality": "Ikast-Brande"}, "frikommune")
    assert ikast.selection is not None and ikast.selection.confidence == "secondary"


def test_reasons_are_a_tree_beside_because() -> None:
    result = lovregler.evaluate({**CASE, "municipality": "Gladsaxe"}, "frikommune")
    ob = result.obligation(SEL50)
    assert ob.status == "dispensed"
    (root,) = ob.reasons
    assert (root.kind, root.id) == ("rule", SEL50)
    kinds = [child.kind for child in root.children]
    assert kinds[0] == "selection" and "condition" in kinds and "dispensation" in kinds
    assert all(node.source for node in root.children if node.kind != "selection")
    assert lovregler.evaluate(CASE, reasons=False).obligation(SEL50).reasons == []


def test_a_decision_needs_no_prose_and_agrees_with_the_result() -> None:
    decision = lovregler.decide({**CASE, "municipality": "Gladsaxe"}, "auto")
    result = lovregler.evaluate({**CASE, "municipality": "Gladsaxe"}, "auto")
    assert decision.statuses() == result.statuses()
    assert [o.due for o in decision.obligations] == [o.due for o in result.obligations]
    assert decision.selection == result.selection
