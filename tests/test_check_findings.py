"""`lovregler check`: findings (exit 1) pinned beside their folders, and every output format."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lovregler.cli.app import main

FINDINGS = sorted(p for p in Path("tests/rules/findings").iterdir() if p.is_dir())


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lovregler.cli", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def _unhashed(text: str) -> str:
    return re.sub(r"sha256:[0-9a-f]{64}", "sha256:…", text)


def test_there_is_a_folder_for_each_kind_of_finding() -> None:
    assert len(FINDINGS) >= 8


@pytest.mark.parametrize("folder", FINDINGS, ids=lambda p: p.name)
def test_finding_is_reported_with_exit_1(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", folder.as_posix()]) == 1
    captured = capsys.readouterr()
    # a regime's version hash changes with every edit of the rules it extends: not pinned
    assert _unhashed(captured.out) == (folder / "expected.txt").read_text(encoding="utf-8")
    assert captured.err == ""


def test_bundled_rules_have_no_findings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "rules"]) == 0
    assert "finding" not in capsys.readouterr().out


def test_json_format() -> None:
    done = run("check", "rules", "tests/rules/findings/01-never-applies", "--format", "json")
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["ok"] is False and data["exit_code"] == 1
    assert [r["regime"] for r in data["regimes"]] == ["frikommune", "standard", "fund"]
    (problem,) = data["problems"]
    assert problem["severity"] == "finding"
    assert problem["file"] == "tests/rules/findings/01-never-applies/regel.yaml"
    assert problem["line"] == 5
    bad = run("check", "tests/rules/bad/27-child-age-18", "--format", "json")
    assert bad.returncode == 2 and bad.stderr == ""
    assert json.loads(bad.stdout)["problems"][0]["severity"] == "error"


def test_junit_format() -> None:
    done = run("check", "rules", "tests/rules/bad/27-child-age-18", "--format", "junit")
    assert done.returncode == 2
    suite = ET.fromstring(done.stdout)
    assert suite.tag == "testsuite" and suite.get("failures") == "1"
    cases = suite.findall("testcase")
    assert len(cases) == int(suite.get("tests", "0")) >= 15
    failing = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failing] == ["tests/rules/bad/27-child-age-18/regel.yaml"]
    clean = ET.fromstring(run("check", "rules", "--format", "junit").stdout)
    assert clean.get("failures") == "0"


def test_github_format() -> None:
    done = run("check", "tests/rules/findings/02-never-required", "tests/rules/bad/27-child-age-18",
               "--format", "github")  # fmt: skip
    assert done.returncode == 2
    lines = done.stdout.splitlines()
    assert lines[0] == (
        "::error file=tests/rules/bad/27-child-age-18/regel.yaml,line=6,title=lovregler check::"
        "at_least: 18 is outside the possible values of child_age (0-17)"
    )
    assert lines[1].startswith(
        "::warning file=tests/rules/findings/02-never-required/regel.yaml,line=5,title=lovregler check::"
    )
    assert lines[-1] == "lovregler check: 1 regimes, 1 errors, 1 findings"


def test_hostile_yaml_is_refused_in_every_format() -> None:
    for fmt in ("human", "json", "junit", "github"):
        done = run("check", "tests/rules/bad/05-python-tag", "--format", fmt)
        assert done.returncode == 2
        assert "Traceback" not in done.stdout + done.stderr
        assert "only plain YAML is allowed" in done.stdout + done.stderr
