"""Reading inputs into records (lovregler.law.records): documents, JSON Lines, unreadable files."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from lovregler._errors import CaseError, Problem
from lovregler.cli.app import main
from lovregler.law.records import (
    Record,
    document_records,
    is_stream,
    json_record,
    json_records,
    opened,
    parse_all,
    read_mapping,
)
from lovregler.law.safe_yaml import Positions, YamlProblem


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # file names in messages are relative to here


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "the file is empty"), ("- 1\n", "the file is a list, not a mapping")],
)
def test_a_mapping_document_must_hold_a_mapping(text: str, message: str) -> None:
    Path("x.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(YamlProblem) as raised:
        read_mapping(Path("x.yaml"))
    assert raised.value.problem == Problem(message, "x.yaml", 1)


def test_a_document_holds_one_record_or_a_list() -> None:
    Path("one.yaml").write_text("a: 1\n", encoding="utf-8")
    Path("two.yaml").write_text("- a: 1\n- b: 2\n", encoding="utf-8")
    [one] = document_records(Path("one.yaml"), "case")
    assert one.data == {"a": 1} and one.file == "one.yaml"
    _first, second = document_records(Path("two.yaml"), "case")
    assert second.data == {"b": 2}
    assert second.positions is not None and second.positions.spots[("b",)] == (2, 3)


def test_an_empty_document_holds_no_record() -> None:
    Path("empty.yaml").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(CaseError) as raised:
        document_records(Path("empty.yaml"), "case history")
    assert str(raised.value) == "empty.yaml: the file holds no case history"


def test_parse_all_gives_every_bad_records_problems_at_once() -> None:
    def parse(data: Any, positions: Positions | None) -> int:
        if not isinstance(data, int):
            raise CaseError([Problem(f"{data!r} is not a number")])
        return data

    records = [Record(1, "f"), Record("x", "f"), Record(2, "f"), Record("y", "f")]
    with pytest.raises(CaseError) as raised:
        parse_all(records, parse)
    assert [p.message for p in raised.value.problems] == [
        "'x' is not a number",
        "'y' is not a number",
    ]
    assert parse_all(records[::2], parse) == [1, 2]


def test_json_lines_skip_blanks_and_go_on_after_a_bad_line() -> None:
    lines = ['{"a": 1}\n', "\n", "{not json\n", '{"b": 2}\n']
    found = list(json_records(lines, "in.jsonl"))
    assert [number for number, _ in found] == [1, 3, 4]
    bad = found[1][1]
    assert isinstance(bad, CaseError)
    assert (
        str(bad)
        == "in.jsonl:3:2: not valid JSON: Expecting property name enclosed in double quotes"
    )
    last = found[2][1]
    assert isinstance(last, Record) and last.data == {"b": 2} and last.line == 4


def test_a_json_record_finds_its_positions_only_when_asked() -> None:
    record = json_record('{"a": {"b": 1}}', "in.jsonl", 7)
    assert record.positions is None
    located = record.located()
    assert located.positions is not None and located.positions.spots[("a", "b")] == (1, 8)
    assert json_record('{"a": 1, "a": 2}', "in.jsonl", 1).located().positions is None  # not YAML


def test_an_unreadable_or_undecodable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CaseError) as raised, opened(Path("missing.jsonl")):
        pass
    assert str(raised.value) == "missing.jsonl: cannot read file: No such file or directory"
    Path("latin1.jsonl").write_bytes(b'{"a": 1}\n{"a": "\xe6"}\n{"a": 3}\n')
    with opened(Path("latin1.jsonl")) as source:
        assert source.size == 29
        found = list(json_records(source.lines, source.name))
    # a byte that is not UTF-8 spoils its own line only
    assert [type(r).__name__ for _, r in found] == ["Record", "CaseError", "Record"]
    assert str(found[1][1]) == (
        "latin1.jsonl:2:8: not UTF-8 text (byte 0xe6 cannot be decoded); save the file as UTF-8"
    )


def test_a_dash_is_standard_input_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"a": 1}\n'))
    with opened(Path("-"), stdin=True) as source:
        assert (source.name, source.size) == ("<stdin>", None)
        assert list(source.lines) == ['{"a": 1}\n']
    with pytest.raises(CaseError), opened(Path("-")):
        pass
    assert is_stream(Path("-")) and is_stream(Path("x.jsonl")) and not is_stream(Path("x.yaml"))


def test_evaluate_names_a_jsonl_file_that_is_not_utf8(capsys: pytest.CaptureFixture[str]) -> None:
    Path("cases.jsonl").write_bytes(b'{"case_id": "\xe6"}\n')
    assert main(["evaluate", "cases.jsonl"]) == 2
    assert capsys.readouterr().err == (
        "error: cases.jsonl:1:14: not UTF-8 text (byte 0xe6 cannot be decoded); "
        "save the file as UTF-8\n"
    )
