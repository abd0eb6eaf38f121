"""The command line through its real entry points: exit codes, formats, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lovregler.cli.app import main
from lovregler.cli.schema import SCHEMA_FILES, schema_for

EXAMPLE = "examples/cases/ikast-brande-2019-familiebehandling.yaml"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lovregler.cli", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_evaluate_json_is_the_contract_output() -> None:
    done = run("evaluate", EXAMPLE, "--regime", "frikommune", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["case_id"] == "IB-2019-0042"
    assert data["regime"] == "frikommune"
    assert {o["id"] for o in data["obligations"]} >= {"sel50.boernefaglig_undersoegelse"}


def test_evaluate_many_cases_gives_a_json_list(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in Path("examples/cases").glob("*.yaml"))
    assert main(["evaluate", *files, "--format", "json", "--regime", "auto"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == len(files)
    assert {d["requested_regime"] for d in data} == {"auto"}


def test_evaluate_text_and_english(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", EXAMPLE, "--regime", "frikommune", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Case IB-2019-0042: frikommune\n")
    assert "takes part in the frikommune network" in out
    assert "dispensed -> frikommune.socialfaglig_vurdering" in out


def test_compare_marks_the_differences(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", EXAMPLE]) == 0
    out = capsys.readouterr().out
    assert "* sel50.boernefaglig_undersoegelse" in out
    assert "  sel70.opfoelgning" in out  # unchanged rows carry no mark
    assert "forskelle: 9" in out


def test_compare_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", EXAMPLE, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {
        "case_id",
        "base_regime",
        "other_regime",
        "base",
        "other",
        "differences",
        "standard",  # the second edition's names, kept as aliases for a release
        "frikommune",
    }
    assert data["base"] == data["standard"] and data["other"] == data["frikommune"]


def test_check_passes_on_the_bundled_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "rules/"]) == 0
    out = capsys.readouterr().out
    assert "ok  rules/standard: regime standard" in out
    assert "ok  rules/frikommune: regime frikommune" in out
    assert main(["check"]) == 0


@pytest.mark.parametrize("kind", sorted(SCHEMA_FILES))
def test_schema_command_and_shipped_schemas_agree(
    kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", kind]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == schema_for(kind)
    shipped = Path("rules/schemas") / SCHEMA_FILES[kind]
    assert json.loads(shipped.read_text(encoding="utf-8")) == printed, "run `make schemas`"


def test_rule_files_point_at_the_shipped_schema() -> None:
    regime_files = [
        p for p in Path("rules").glob("*/*.yaml") if (p.parent / "regime.yaml").is_file()
    ]
    for path in sorted(regime_files):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        name = "regime.schema.json" if path.name == "regime.yaml" else "rulefile.schema.json"
        assert first == f"# yaml-language-server: $schema=../schemas/{name}", path
    beside = {
        "regimes.yaml": "catalogue",
        "vocabulary.yaml": "vocabulary",
        "safeguards.yaml": "safeguards",
    }
    assert sorted(p.name for p in Path("rules").glob("*.yaml")) == sorted(beside)
    for file, kind in beside.items():
        first = (Path("rules") / file).read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=schemas/{kind}.schema.json"


def test_bad_case_file_exits_2_with_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "case_id: X\nmunicipality: Ikst-Brande\nchild_age: 4\nawareness_date: 2019-01-01\n"
        "support_need_presumed: true\nmeasures: [10]\n",
        encoding="utf-8",
    )
    done = run("evaluate", str(bad))
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines[0].endswith(
        "bad.yaml:2:1: municipality: 'Ikst-Brande' is not a Danish municipality; did you mean 'Ikast-Brande'?"
    )
    assert lines[1].endswith("bad.yaml:6:12: measures[0]: Input should be less than or equal to 9")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["evaluate", "no-such-case.yaml"],
            "error: no-such-case.yaml: cannot read file: No such file or directory",
        ),
        (["evaluate", EXAMPLE, "--regime", "barnets-lov"], "error: unknown regime 'barnets-lov'"),
        (["evaluate", EXAMPLE, "--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["evaluate"], "the following arguments are required: CASE"),
        (
            ["check", "examples"],
            "error: examples: holds no regime folder (a folder with regime.yaml)",
        ),
        (["check", "no-such-folder"], "error: no-such-folder: no such folder"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_exits_2_without_traceback(args: list[str], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("lovregler")
    assert script.exists()
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("lovregler ")


def test_test_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", "tests/scenarios"]) == 0
    assert capsys.readouterr().out.endswith(" passed, 0 failed\n")
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        "title: t\nscenarios:\n  - name: forkert frist\n    description: d\n    citation: SEL § 50\n"
        "    case: {case_id: W, municipality: Aarhus, child_age: 8, awareness_date: 2019-10-31,"
        " support_need_presumed: true}\n"
        "    expect:\n      standard:\n        sel50.boernefaglig_undersoegelse: {status: required, due: 2020-03-01}\n",
        encoding="utf-8",
    )
    assert main(["test", str(wrong)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "2020-02-29" in out and out.endswith("0 passed, 1 failed\n")
    assert main(["test", "tests/scenarios_bad/bad_due.yaml"]) == 2
    assert "2020-02-30 is not a real date" in capsys.readouterr().err


def test_jsonl_in_and_out_with_jobs(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {"case_id": f"J-{i}", "municipality": "756", "child_age": i % 18,
             "awareness_date": "2019-03-01", "support_need_presumed": True,
             "measures": [2], "consent": True}
        )
        for i in range(40)
    ]  # fmt: skip
    stream = tmp_path / "cases.jsonl"
    stream.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = run("evaluate", str(stream), "--regime", "auto", "--format", "jsonl")
    two = run("evaluate", str(stream), "--regime", "auto", "--format", "jsonl", "--jobs", "2")
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    first = [json.loads(line) for line in one.stdout.splitlines()]
    second = [json.loads(line) for line in two.stdout.splitlines()]
    assert [r["case_id"] for r in first] == [f"J-{i}" for i in range(40)]
    assert first == second
    bad = tmp_path / "bad.jsonl"
    bad.write_text(lines[0] + "\n" + lines[1].replace('"756"', '"9999"') + "\n", encoding="utf-8")
    done = run("evaluate", str(bad), "--format", "jsonl")
    assert done.returncode == 2
    assert len(done.stdout.splitlines()) == 1  # the good case before the bad line is not lost
    assert "bad.jsonl:2: municipality: '9999' is not a Danish kommunekode" in done.stderr


def test_markdown_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", EXAMPLE, "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "| **`sel50.boernefaglig_undersoegelse`** | påkrævet (frist 2019-06-01) |" in out
    assert main(["evaluate", EXAMPLE, "--format", "markdown", "--lang", "en"]) == 0
    assert "| Obligation | Status | Due | Legal basis |" in capsys.readouterr().out


def test_explain_names_every_condition_with_file_and_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    infant = "examples/cases/ikast-brande-2019-spaedbarn.yaml"
    assert (
        main(["explain", infant, "--obligation", "sel48.boernesamtale", "--regime", "standard"])
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("sel48.boernesamtale: undtaget (SEL § 48, stk. 1)\n")
    assert "✓ undtagelsen fra børnesamtalen er barnets modenhed  [rules/standard/sel48.yaml:" in out
    assert "✗ Undtagelse sagens_karakter (unless)" in out
    assert (
        main(
            [
                "explain",
                infant,
                "--obligation",
                "sel48.boernesamtale",
                "--lang",
                "en",
                "--format",
                "json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["obligation"]["status"] == "waived"
    assert any(line["source"].startswith("rules/standard/sel48.yaml:") for line in data["lines"])


def test_explain_bad_input() -> None:
    done = run("explain", EXAMPLE, "--obligation", "sel99.x")
    assert done.returncode == 2
    assert (
        "error: the regime knows no obligation 'sel99.x'; known: sel48.boernesamtale" in done.stderr
    )
    done = run("explain", EXAMPLE)
    assert done.returncode == 2 and "--obligation" in done.stderr


def test_audit_and_synthetic_through_the_entry_point(tmp_path: Path) -> None:
    histories = tmp_path / "h.jsonl"
    made = run("synthetic", "60", "--seed", "3")
    assert made.returncode == 0
    histories.write_text(made.stdout, encoding="utf-8")
    assert len(made.stdout.splitlines()) == 60
    done = run(
        "audit", str(histories), "--as-of", "2021-12-31", "--out", str(tmp_path / "out.jsonl")
    )
    assert done.returncode == 0, done.stderr
    assert "audit as of 2021-12-31" in done.stdout
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 60
    bad = run("audit", str(histories), "--as-of", "31-12-2020")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_test_command_formats(capsys: pytest.CaptureFixture[str]) -> None:
    import xml.etree.ElementTree as ET

    assert main(["test", "tests/scenarios/sel50.yaml", "--format", "junit"]) == 0
    suite = ET.fromstring(capsys.readouterr().out)
    assert suite.get("failures") == "0" and int(suite.get("tests", "0")) >= 3
    assert main(["test", "tests/scenarios/sel50.yaml", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["failed"] == 0 and all(row["passed"] for row in data["scenarios"])


def test_test_command_reports_every_unreadable_file_in_its_format() -> None:
    import xml.etree.ElementTree as ET

    files = [
        "tests/scenarios_bad/unknown_scenario_key.yaml",
        "tests/scenarios_bad/case_unknown_field.yaml",
    ]
    text = run("test", *files)
    assert text.returncode == 2
    assert "unknown_scenario_key.yaml" in text.stderr and "case_unknown_field.yaml" in text.stderr
    junit = run("test", *files, "--format", "junit")
    assert junit.returncode == 2
    suite = ET.fromstring(junit.stdout)
    assert suite.get("name") == "lovregler test" and suite.get("failures") == "2"
    data = json.loads(run("test", *files, "--format", "json").stdout)
    assert data["exit_code"] == 2 and len(data["problems"]) == 4


def test_test_command_runs_scenarios_against_an_edited_copy_of_the_rules(tmp_path: Path) -> None:
    import shutil

    shutil.copytree("rules", tmp_path / "rules")
    assert run("test", "tests/scenarios", "--rules", str(tmp_path / "rules")).returncode == 0
    sel50 = tmp_path / "rules" / "standard" / "sel50.yaml"
    sel50.write_text(
        sel50.read_text(encoding="utf-8").replace("amount: 4", "amount: 3"), encoding="utf-8"
    )
    done = run("test", "tests/scenarios/sel50.yaml", "--rules", str(tmp_path / "rules"))
    assert done.returncode == 1
    assert "sel50.boernefaglig_undersoegelse: expected required, due 2020-02-29" in done.stdout


@pytest.mark.parametrize("command", ["evaluate", "test", "audit"])
def test_fail_on_unconfirmed_refuses_results_resting_on_to_confirm_law(
    command: str, tmp_path: Path
) -> None:
    if command == "evaluate":
        args = ["evaluate", "examples/cases/gladsaxe-2019-kontaktperson.yaml", "--regime", "auto"]
    elif command == "test":
        args = ["test", "tests/scenarios/regimevalg.yaml"]
    else:
        histories = tmp_path / "h.jsonl"
        histories.write_text(run("synthetic", "40", "--seed", "3").stdout, encoding="utf-8")
        args = ["audit", str(histories), "--as-of", "2021-12-31"]
    plain = run(*args)
    strict = run(*args, "--fail-on-unconfirmed")
    assert plain.returncode == 0
    assert strict.returncode == 1  # Gladsaxe's window is to_confirm, so its overlay results are
    assert "påkrævede pligter hviler på ret, der skal bekræftes (to_confirm)" in strict.stderr


def test_open_points_lists_every_to_confirm_mark_with_file_and_line() -> None:
    done = run("open-points")
    assert done.returncode == 0
    assert done.stdout.startswith("Punkter, der skal bekræftes (to_confirm): ")
    assert "rules/frikommune/regime.yaml:" in done.stdout and "deltager Gladsaxe" in done.stdout
