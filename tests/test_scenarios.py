"""Legal scenarios (tests/scenarios/*.yaml): every scenario is its own test.

The scenarios are written from the legal brief (/work/shared/domain/LEGAL-BRIEF.md), not from
what the code does. A scenario whose expectation the code does not (yet) meet is listed in
``KNOWN_DISAGREEMENTS`` with the reason and is marked ``xfail(strict=True)``, so that it shows up
in every run and turns red the day the code is fixed (then remove it from the list).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lovregler import CaseError, LovreglerError, evaluate, load_regime
from lovregler._result import STATUSES, Status
from lovregler.testing.scenarios import (
    Scenario,
    ScenarioFile,
    ScenarioFileError,
    load_scenario_file,
    run_scenario,
    run_scenario_files,
)

HERE = Path(__file__).resolve().parent
SCENARIO_DIR = HERE / "scenarios"
BAD_DIR = HERE / "scenarios_bad"
SCENARIO_FILES = sorted(SCENARIO_DIR.glob("*.yaml"))
BAD_FILES = sorted(BAD_DIR.glob("*.yaml"))

# "file::name" -> why the code disagrees with the legal brief.
KNOWN_DISAGREEMENTS: dict[str, str] = {}

_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa", "§": "S"})


def _test_id(file: Path, name: str) -> str:
    """``sel50.yaml::name``, with æ, ø, å spelled ae, oe, aa (pytest would escape them)."""
    return f"{file.name}::{name}".translate(_ASCII)


def _load_all() -> tuple[list[Any], dict[Path, ScenarioFile | LovreglerError]]:
    params: list[Any] = []
    loaded: dict[Path, ScenarioFile | LovreglerError] = {}
    for path in SCENARIO_FILES:
        try:
            loaded_file = load_scenario_file(path)
        except LovreglerError as exc:
            loaded[path] = exc
            params.append(pytest.param(path, None, id=_test_id(path, "<file does not load>")))
            continue
        loaded[path] = loaded_file
        for scenario in loaded_file.scenarios:
            key = f"{path.name}::{scenario.name}"
            marks = []
            if key in KNOWN_DISAGREEMENTS:
                marks.append(pytest.mark.xfail(reason=KNOWN_DISAGREEMENTS[key], strict=True))
            params.append(
                pytest.param(path, scenario, id=_test_id(path, scenario.name), marks=marks)
            )
    return params, loaded


PARAMS, LOADED = _load_all()


def _loaded_files() -> list[ScenarioFile]:
    return [f for f in LOADED.values() if isinstance(f, ScenarioFile)]


def _actual_table(scenario: Scenario) -> str:
    lines = []
    for expectation in scenario.expect:
        result = evaluate(scenario.case, expectation.requested)
        lines.append(f"  asked {expectation.requested}: applied {result.regime}")
        lines += [f"    {o.id:40} {o.status:15} {o.due or '-'}" for o in result.obligations]
    return "\n".join(lines)


@pytest.mark.parametrize(("path", "scenario"), PARAMS)
def test_scenario(path: Path, scenario: Scenario | None) -> None:
    if scenario is None:
        problem = LOADED[path]
        pytest.fail(f"the scenario file does not load:\n{problem}")
    mismatches = run_scenario(scenario)
    if mismatches:
        lines = [
            f"{scenario.name} ({scenario.citation})",
            f"  {scenario.description}",
            "mismatches:",
            *(f"  {m}" for m in mismatches),
            "the result:",
            _actual_table(scenario),
        ]
        pytest.fail("\n".join(lines), pytrace=False)


def test_every_file_loads() -> None:
    broken = {p.name: str(e) for p, e in LOADED.items() if isinstance(e, LovreglerError)}
    assert broken == {}
    assert SCENARIO_FILES, "no scenario files found"


def test_scenario_names_are_unique_across_files() -> None:
    ids = [_test_id(Path(f.file), s.name) for f in _loaded_files() for s in f.scenarios]
    assert len(ids) == len(set(ids))


def test_known_disagreements_name_real_scenarios() -> None:
    real = {f"{Path(f.file).name}::{s.name}" for f in _loaded_files() for s in f.scenarios}
    assert set(KNOWN_DISAGREEMENTS) <= real


# --- coverage -------------------------------------------------------------------------------


def possible_pairs() -> dict[str, set[tuple[str, Status]]]:
    """For each requested regime, the (obligation id, status) pairs it can give."""
    overlay = load_regime("frikommune")
    standard = load_regime("standard")
    dispensed = {
        link.obligation
        for regime in overlay.chain
        if regime.base is not None
        for rule in regime.rules
        for link in rule.dispenses
    }
    standard_ids = {rule.id for _, rule in standard.all_rules()}

    def statuses(rule_id: str, has_unless: bool, overlay_applies: bool) -> set[Status]:
        out: set[Status] = {"required", "not_applicable"}
        if has_unless:
            out.add("waived")
        if overlay_applies and rule_id in dispensed and rule_id in standard_ids:
            out.add("dispensed")
        return out

    under_standard = {
        (rule.id, s)
        for _, rule in standard.all_rules()
        for s in statuses(rule.id, bool(rule.unless), overlay_applies=False)
    }
    under_overlay = {
        (rule.id, s)
        for _, rule in overlay.all_rules()
        for s in statuses(rule.id, bool(rule.unless), overlay_applies=True)
    }
    return {"standard": under_standard, "frikommune": under_overlay}


def covered_pairs(requested: set[str]) -> set[tuple[str, Status]]:
    return {
        (obligation.id, obligation.status)
        for loaded in _loaded_files()
        for scenario in loaded.scenarios
        for expectation in scenario.expect
        if expectation.requested in requested
        for obligation in expectation.obligations
    }


def test_scenarios_cover_every_obligation_in_every_possible_status() -> None:
    possible = possible_pairs()
    everything = possible["standard"] | possible["frikommune"]
    missing = everything - covered_pairs({"standard", "frikommune", "auto"})
    assert sorted(missing) == []


def test_standard_scenarios_cover_every_standard_status() -> None:
    missing = possible_pairs()["standard"] - covered_pairs({"standard"})
    assert sorted(missing) == []


def test_frikommune_scenarios_cover_every_frikommune_status() -> None:
    missing = possible_pairs()["frikommune"] - covered_pairs({"frikommune", "auto"})
    assert sorted(missing) == []


def test_statuses_in_pairs_are_published_statuses() -> None:
    for pairs in possible_pairs().values():
        assert {status for _, status in pairs} <= set(STATUSES)


# --- the runner and its errors --------------------------------------------------------------


def test_the_reference_backend_gives_the_same_outcomes() -> None:
    default = run_scenario_files([SCENARIO_DIR])
    reference = run_scenario_files([SCENARIO_DIR], backend="reference")
    assert [str(m) for m in reference.mismatches] == [str(m) for m in default.mismatches]
    assert len(reference.outcomes) == len(default.outcomes) > 0


def test_run_scenario_files_reports_every_scenario() -> None:
    report = run_scenario_files([SCENARIO_DIR / "sel50.yaml"])
    scenarios = load_scenario_file(SCENARIO_DIR / "sel50.yaml").scenarios
    assert len(report.outcomes) == len(scenarios)
    assert report.passed + report.failed == len(scenarios)


def test_a_wrong_expectation_is_a_mismatch_naming_file_line_and_both_values(
    tmp_path: Path,
) -> None:
    path = tmp_path / "wrong.yaml"
    path.write_text(
        "title: forkert forventning\n"
        "scenarios:\n"
        "  - name: forkert frist\n"
        "    description: Fristen er med vilje forkert.\n"
        "    citation: SEL § 50, stk. 7\n"
        "    case: {case_id: W-1, municipality: Aarhus, child_age: 8,\n"
        "           awareness_date: 2019-10-31, support_need_presumed: true}\n"
        "    expect:\n"
        "      frikommune:\n"
        "        regime: frikommune\n"
        "        sel50.boernefaglig_undersoegelse: {status: required, due: 2020-03-01}\n",
        encoding="utf-8",
    )
    report = run_scenario_files([tmp_path])
    assert not report.ok
    assert [str(m).split(": [")[0] for m in report.mismatches] == [
        f"{path}:10",
        f"{path}:11",
    ]
    regime, deadline = report.mismatches
    assert regime.obligation is None
    assert regime.expected == "regime frikommune"
    assert regime.actual.startswith("regime standard (")
    assert deadline.obligation == "sel50.boernefaglig_undersoegelse"
    assert deadline.expected == "required, due 2020-03-01"
    assert deadline.actual == "required, due 2020-02-29"
    assert "1 failed" in report.render()


def test_short_form_and_missing_due_do_not_check_the_date(tmp_path: Path) -> None:
    path = tmp_path / "short.yaml"
    path.write_text(
        "title: kort form\n"
        "scenarios:\n"
        "  - name: kort\n"
        "    description: Kun status.\n"
        "    citation: SEL § 50, stk. 1\n"
        "    case: {case_id: K-1, municipality: Aarhus, child_age: 8,\n"
        "           awareness_date: 2019-10-31, support_need_presumed: true}\n"
        "    expect:\n"
        "      auto:\n"
        "        sel50.boernefaglig_undersoegelse: required\n"
        "        sel48.boernesamtale: {status: not_applicable}\n",
        encoding="utf-8",
    )
    (scenario,) = load_scenario_file(path).scenarios
    assert [o.check_due for o in scenario.expect[0].obligations] == [False, False]
    assert run_scenario(scenario) == []


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.name for p in BAD_FILES])
def test_bad_scenario_file_is_refused_with_the_expected_message(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").strip()
    relative = path.relative_to(HERE.parent)
    with pytest.raises(LovreglerError) as caught:
        load_scenario_file(relative)
    assert str(caught.value.first) == expected
    # an invalid case is a CaseError; everything else wrong with the file a ScenarioFileError
    is_case = ".case." in (caught.value.first.field or "")
    assert type(caught.value) is (CaseError if is_case else ScenarioFileError)


def test_every_bad_file_has_an_expected_message() -> None:
    assert BAD_FILES
    for path in BAD_FILES:
        assert path.with_suffix(".expected").is_file(), path.name
