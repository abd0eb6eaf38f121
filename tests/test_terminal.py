"""No raw control character reaches a terminal: text, Markdown, JSON, compare, the audit, and
error messages all print them as ``\\uXXXX``; JSON keeps the data (the escape decodes back)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lovregler.cli.app import main
from lovregler.render.terminal import PrintableStream, printable

HOSTILE = "A-\x1b]0;pwned\x07\x1b[2J\rX\u202e\x9b\x00"
RAW = set("\x1b\x07\r\u202e\x9b\x00")
CASE = {
    "case_id": HOSTILE,
    "municipality": "Aarhus",
    "child_age": 9,
    "awareness_date": "2019-10-31",
    "support_need_presumed": True,
}


def test_printable_writes_control_characters_out() -> None:
    assert printable("a\x1b[31mb\rc\x07") == "a\\u001b[31mb\\u000dc\\u0007"
    assert printable("line\n\ttab æøå §") == "line\n\ttab æøå §"


@given(st.text())
def test_printable_leaves_no_control_character_and_keeps_json_data(text: str) -> None:
    safe = printable(text)
    assert not any(ch in safe for ch in RAW)
    assert all(ch in "\n\t" or ch.isprintable() or ch in " " or ord(ch) > 0x9F for ch in safe)
    # inside a JSON string the escape decodes back to the original text
    dumped = json.dumps(text, ensure_ascii=False)
    assert json.loads(printable(dumped)) == text


def test_the_stream_escapes_every_write() -> None:
    sink = io.StringIO()
    stream = PrintableStream(sink)
    stream.write("a\x1bb")
    stream.writelines(["\r", "c"])
    assert sink.getvalue() == "a\\u001bb\\u000dc"


def _no_raw(text: str) -> None:
    assert not RAW & set(text), repr([c for c in text if c in RAW])


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "jsonl"])
@pytest.mark.parametrize("command", ["evaluate", "compare"])
def test_a_hostile_case_id_reaches_the_output_escaped(
    command: str, fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(CASE), encoding="utf-8")
    assert main([command, str(case_file), "--format", fmt]) == 0
    out = capsys.readouterr().out
    _no_raw(out)
    assert "\\u001b]0;pwned\\u0007" in out
    if fmt == "json":
        data = json.loads(out)
        first = data if command == "evaluate" else data["base"]
        assert first["case_id"] == HOSTILE  # the data survives the escaping
    if fmt == "jsonl":
        assert json.loads(out.splitlines()[0])["case_id"] == HOSTILE


def test_a_hostile_value_in_an_error_message_is_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case_file = tmp_path / "cases.jsonl"
    bad = {**CASE, "municipality": "\x1b[2JNowhere"}
    case_file.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    assert main(["evaluate", str(case_file)]) == 2
    captured = capsys.readouterr()
    _no_raw(captured.out + captured.err)
    assert "[2JNowhere" in captured.err and "is not a Danish municipality" in captured.err


def test_the_audit_prints_a_hostile_history_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    histories = tmp_path / "h.jsonl"
    assert main(["synthetic", "3", "--seed", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    record = json.loads(lines[0])
    record["case"]["case_id"] = HOSTILE
    record["case"]["awareness_date"] = "2030-01-01"  # after --as-of: a problem naming the case
    histories.write_text(json.dumps(record) + "\n" + "\n".join(lines[1:]) + "\n", "utf-8")
    main(["audit", str(histories), "--as-of", "2021-12-31"])
    captured = capsys.readouterr()
    _no_raw(captured.out + captured.err)
