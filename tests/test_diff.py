"""`lovregler diff`: the declarative difference between two regimes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lovregler import load_regime
from lovregler.cli.app import main
from lovregler.explain.diff import diff_regimes


def test_frikommune_against_standard() -> None:
    diff = diff_regimes(load_regime("standard"), load_regime("frikommune"))
    kinds = {c.id: c.kind for c in diff.changes}
    assert kinds == {
        "sel48.boernesamtale": "dispensed",
        "sel50.boernefaglig_undersoegelse": "dispensed",
        "sel52.stk3.nr2": "dispensed",
        "sel52.stk3.nr3": "dispensed",
        "sel52.stk3.nr6": "dispensed",
        "sel52.stk3.nr9": "dispensed",
        "sel140.handleplan": "dispensed",
        "frikommune.familieorienteret_indsats": "added",
        "frikommune.inddragelsesplan": "added",
        "frikommune.maal_og_opfoelgning": "added",
        "frikommune.socialfaglig_vurdering": "added",
    }
    sel50 = next(c for c in diff.changes if c.id == "sel50.boernefaglig_undersoegelse")
    assert "Lov om frikommunenetværk § 10, stk. 2" in sel50.details[0]
    assert any("Ikast-Brande (756) 2018-05-01..2020-08-30" in s for s in diff.scope)
    assert any("§ 10, stk. 6" in s for s in diff.scope)
    reverse = diff_regimes(load_regime("frikommune"), load_regime("standard"))
    assert {c.kind for c in reverse.changes} == {"removed"}


def test_a_changed_deadline_and_condition_are_shown(tmp_path: Path) -> None:
    shutil.copytree("rules/standard", tmp_path / "standard")
    sel50 = tmp_path / "standard" / "sel50.yaml"
    text = sel50.read_text(encoding="utf-8").replace("amount: 4", "amount: 3")
    sel50.write_text(text, encoding="utf-8")
    (tmp_path / "standard" / "sel155.yaml").unlink()
    diff = diff_regimes(load_regime("standard"), load_regime(tmp_path / "standard"), lang="en")
    changed = {c.id: c for c in diff.changes}
    assert changed["sel50.boernefaglig_undersoegelse"].kind == "changed"
    assert changed["sel50.boernefaglig_undersoegelse"].details == [
        "deadline: 4 months after the day the municipality became aware of the child → "
        "3 months after the day the municipality became aware of the child"
    ]
    assert changed["sel155.vurdering_af_underretning"].kind == "removed"
    assert diff_regimes(load_regime("standard"), load_regime("standard")).changes == []


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_diff_command(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--format", fmt]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        assert json.loads(out)["regime"] == "frikommune"
    elif fmt == "markdown":
        assert "| `sel140.handleplan` | dispenseret | SEL § 140, stk. 1 |" in out
    else:
        assert out.startswith("standard → frikommune\n")


def test_diff_bad_regime_exits_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lovregler.cli", "diff", "--regime", "barnets-lov"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "error: unknown regime 'barnets-lov'" in done.stderr and "Traceback" not in done.stderr
