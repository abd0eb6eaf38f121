"""The error tree and source positions (lovregler._errors)."""

from __future__ import annotations

import pytest

from lovregler._errors import (
    BackendError,
    CaseError,
    InternalError,
    LovreglerError,
    Problem,
    RegimeError,
    RuleFileError,
    SourcePosition,
    UsageError,
    on_line,
)
from lovregler.cli import app as cli
from lovregler.law.safe_yaml import load_yaml_text


@pytest.mark.parametrize(
    ("position", "text"),
    [
        (SourcePosition("a.yaml", 3, 5), "a.yaml:3:5"),
        (SourcePosition("a.yaml", 3), "a.yaml:3"),
        (SourcePosition("a.yaml"), "a.yaml"),
        (SourcePosition("a.yaml", None, 5), "a.yaml"),
        (SourcePosition(None, 3, 5), ""),
    ],
)
def test_a_source_position_reads_file_line_column(position: SourcePosition, text: str) -> None:
    assert str(position) == text


def test_a_problem_carries_its_position() -> None:
    at = SourcePosition("a.yaml", 3, 5)
    problem = Problem.at(at, "unknown key", "rules[0].x")
    assert problem == Problem("unknown key", "a.yaml", 3, 5, "rules[0].x")
    assert problem.position == at
    assert str(problem) == "a.yaml:3:5: rules[0].x: unknown key"
    assert str(Problem.at(None, "no file", "x")) == "x: no file"
    assert str(Problem("no line", "a.yaml")) == "a.yaml: no line"


def test_problems_of_a_record_are_placed_on_its_line() -> None:
    placed = on_line([Problem("bad", "elsewhere", 1, 2, "case_id")], "in.jsonl", 7)
    assert placed == [Problem("bad", "in.jsonl", 7, None, "case_id")]


@pytest.mark.parametrize(
    "kind", [UsageError, RuleFileError, CaseError, RegimeError, BackendError, InternalError]
)
def test_every_error_is_a_lovregler_error(kind: type[LovreglerError]) -> None:
    assert issubclass(kind, LovreglerError)
    assert kind("x").exit_code == (3 if kind is InternalError else 2)


def test_an_unexpected_exception_becomes_an_internal_error() -> None:
    error = InternalError.from_exception(KeyError("x"))
    assert error.first.message == "KeyError: 'x'"
    assert InternalError.from_exception(error) is error


def test_the_cli_reports_an_internal_error_with_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object) -> int:
        raise InternalError("the engine and the explanation disagree")

    monkeypatch.delenv("LOVREGLER_DEBUG", raising=False)
    monkeypatch.setattr(cli, "_schema", broken)
    assert cli.main(["schema", "case"]) == 3
    err = capsys.readouterr().err
    assert err == (
        "lovregler: internal error: the engine and the explanation disagree "
        "(set LOVREGLER_DEBUG=1 for a traceback, and please report it)\n"
    )
    assert "Traceback" not in err


def test_the_cli_reports_a_bug_as_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object) -> int:
        known: dict[str, int] = {}
        return known["missing"]

    monkeypatch.delenv("LOVREGLER_DEBUG", raising=False)
    monkeypatch.setattr(cli, "_schema", broken)
    assert cli.main(["schema", "case"]) == 3
    assert "internal error: KeyError: 'missing' (set LOVREGLER_DEBUG=1" in capsys.readouterr().err
    monkeypatch.setenv("LOVREGLER_DEBUG", "1")
    with pytest.raises(KeyError):
        cli.main(["schema", "case"])


def test_a_bad_option_is_a_usage_error_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["evaluate", "x.yaml", "--format", "yaml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: lovregler evaluate")
    assert err.endswith(
        "lovregler: error: argument --format: invalid choice: 'yaml' "
        "(choose from 'text', 'json', 'jsonl', 'markdown')\n"
    )


def test_a_place_in_a_document_is_a_source_position() -> None:
    _, positions = load_yaml_text("rules:\n  - id: x\n", "r.yaml")
    assert positions.at(("rules", 0, "id")) == SourcePosition("r.yaml", 2, 5)
    assert positions.at(("rules", 0, "title")) == SourcePosition("r.yaml")
