"""Every stream, one rule: every good record is answered, every bad one is reported with its
line, and the exit code says some failed. No input is read without a limit; a signal stops a
run with its own exit code; an output that cannot be written is a clear error."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from lovregler._engine import max_jobs
from lovregler.cli.app import main
from lovregler.law import records

CASE: dict[str, Any] = {
    "case_id": "G-1",
    "municipality": "Aarhus",
    "child_age": 9,
    "awareness_date": "2019-10-31",
    "support_need_presumed": True,
}
CLI = [sys.executable, "-m", "lovregler.cli"]
# The signal tests' children run without the suite's coverage start-up hook (its `.pth` runs
# coverage before Python reaches lovregler, and a signal landing there is coverage's, not ours).
PLAIN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}


def _case(case_id: str, **changes: Any) -> str:
    return json.dumps({**CASE, "case_id": case_id, **changes})


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _mixed_stream() -> bytes:
    lines = [
        _case("G-1").encode(),
        b"{not json",
        _case("G-2").encode(),
        _case("B-4", child_age=-3).encode(),
        _case("B-5").encode().replace(b"B-5", b"B-\xff"),
        b"",
        _case("G-3").encode(),
    ]
    return b"\n".join(lines) + b"\n"


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("command", ["evaluate", "compare"])
def test_every_good_line_is_answered_and_every_bad_one_named(
    command: str, jobs: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("cases.jsonl").write_bytes(_mixed_stream())
    argv = [command, "cases.jsonl", "--format", "jsonl", "--jobs", jobs]
    assert main(argv) == 2
    captured = capsys.readouterr()
    answered = [json.loads(line)["case_id"] for line in captured.out.splitlines()]
    assert answered == ["G-1", "G-2", "G-3"]
    errors = captured.err.splitlines()
    assert [e.split(":")[2] for e in errors] == ["2", "4", "5"], errors
    assert "not valid JSON" in errors[0] and "child_age" in errors[1]
    assert "not UTF-8" in errors[2]


def test_a_bad_case_in_a_document_does_not_stop_the_good_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("cases.json").write_text(
        json.dumps([json.loads(_case("G-1")), {"case_id": "B"}, json.loads(_case("G-2"))]),
        encoding="utf-8",
    )
    assert main(["evaluate", "missing.yaml", "cases.json", "--format", "jsonl"]) == 2
    captured = capsys.readouterr()
    assert [json.loads(x)["case_id"] for x in captured.out.splitlines()] == ["G-1", "G-2"]
    assert "missing.yaml: cannot read file" in captured.err
    assert "cases.json:1" in captured.err


def test_more_bad_records_than_shown_are_counted(capsys: pytest.CaptureFixture[str]) -> None:
    Path("bad.jsonl").write_text("{\n" * 50 + _case("G-1") + "\n", encoding="utf-8")
    assert main(["evaluate", "bad.jsonl", "--format", "jsonl"]) == 2
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    errors = captured.err.splitlines()
    assert len(errors) == records.Rejected.SHOWN + 1
    assert errors[-1] == "error: ... 50 cases were rejected in all"


def test_an_overlong_line_is_reported_and_skipped_in_flat_memory(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "MAX_LINE_CHARS", 1000)
    Path("long.jsonl").write_text(
        '{"case_id": "' + "x" * 5000 + '"}\n' + _case("G-1") + "\n", encoding="utf-8"
    )
    assert main(["evaluate", "long.jsonl", "--format", "jsonl"]) == 2
    captured = capsys.readouterr()
    assert [json.loads(x)["case_id"] for x in captured.out.splitlines()] == ["G-1"]
    assert "long.jsonl:1: the line is longer than the limit of 1,000 characters" in captured.err


def test_a_line_without_end_stops_the_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "MAX_LINE_CHARS", 100)
    monkeypatch.setattr(records, "MAX_SKIPPED_CHARS", 10_000)
    with open("/dev/zero", "rb") as zero:
        done = subprocess.run([*CLI, "evaluate", "-"], stdin=zero, capture_output=True, timeout=60)
    # the child has its own limits (100,000,000 characters): read past and refused in time
    assert done.returncode == 2, done.stderr
    assert b"<stdin>:1: the line has no end within 100,000,000 characters" in done.stderr


def test_an_integer_of_thousands_of_digits_is_bad_input(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("big.jsonl").write_text(
        '{"case_id": "X", "child_age": ' + "9" * 5000 + "}\n" + _case("G-1") + "\n",
        encoding="utf-8",
    )
    assert main(["evaluate", "big.jsonl", "--format", "jsonl"]) == 2
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    assert (
        "big.jsonl:1:31: child_age: a number of 5,000 characters; no value here has more than 40"
        in captured.err
    )
    assert "internal error" not in captured.err


def test_an_integer_of_thousands_of_digits_in_yaml_is_named_by_its_field(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("big.yaml").write_text(
        "case_id: X\nmunicipality: Aarhus\nchild_age: " + "9" * 5000 + "\n", encoding="utf-8"
    )
    assert main(["evaluate", "big.yaml"]) == 2
    err = capsys.readouterr().err
    assert "big.yaml:3:12: child_age: a number of 5,000 characters" in err, err


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
def test_a_case_or_rule_file_that_is_not_a_file_is_refused_at_once(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "case.yaml"
    if kind == "device":
        target.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(target)  # no writer: opening it must not wait for one
    else:
        target.mkdir()
    assert main(["evaluate", str(target)]) == 2
    assert "not a regular file" in capsys.readouterr().err
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "regime.yaml").write_text("regime: x\ntitle: x\n", encoding="utf-8")
    (rules / "rules.yaml").symlink_to(target)
    assert main(["check", str(rules)]) == 2
    err = capsys.readouterr().err
    assert "not a regular file" in err


def test_jobs_are_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    Path("case.json").write_text(_case("G-1"), encoding="utf-8")
    too_many = str(max_jobs() + 1)
    assert main(["evaluate", "case.json", "--jobs", too_many]) == 2
    assert f"jobs must be from 1 to {max_jobs()}" in capsys.readouterr().err
    assert main(["evaluate", "case.json", "--jobs", "0"]) == 2


@pytest.mark.parametrize("count", [0, 1, 3])
def test_json_output_is_streamed_as_json_dump_would_write_it(
    count: int, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("cases.jsonl").write_text(
        "".join(_case(f"G-{i}") + "\n" for i in range(count)), encoding="utf-8"
    )
    assert main(["evaluate", "cases.jsonl", "--format", "json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert out == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if count == 1:
        assert data["case_id"] == "G-0"
    else:
        assert [d["case_id"] for d in data] == [f"G-{i}" for i in range(count)]


def test_json_output_does_not_hold_the_results(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each result is written as it comes: at most one is held back."""
    from lovregler.cli import app

    held: list[int] = []
    add = app.JsonDocument.add

    def watching(self: app.JsonDocument, data: Any) -> None:
        add(self, data)
        held.append(0 if self.held is None else 1)

    monkeypatch.setattr(app.JsonDocument, "add", watching)
    Path("cases.jsonl").write_text("".join(_case(f"G-{i}") + "\n" for i in range(5)), "utf-8")
    assert main(["evaluate", "cases.jsonl", "--format", "json"]) == 0
    assert held == [1, 0, 0, 0, 0]
    assert len(json.loads(capsys.readouterr().out)) == 5


def test_a_full_disk_on_standard_output_is_a_clear_error() -> None:
    Path("case.json").write_text(_case("G-1"), encoding="utf-8")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*CLI, "evaluate", "case.json"], stdout=full, capture_output=False,
            stderr=subprocess.PIPE, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == "error: cannot write the output: No space left on device\n"


def _slow_stream_run(
    sig: int, argv: list[str], *, jobs: str = "1", group: bool = False, wait: float = 0
) -> tuple[int, str, list[str]]:
    """Start a run that reads cases from a pipe, feed it some, send ``sig`` mid-run (with
    ``group``, to its whole process group, as a terminal's Ctrl-C does)."""
    child = subprocess.Popen(
        [*CLI, *argv, "-", "--format", "jsonl", "--jobs", jobs],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=group,
        env=PLAIN_ENV,
    )
    assert child.stdin is not None
    for i in range(200):
        child.stdin.write(_case(f"G-{i}") + "\n")
    child.stdin.flush()
    time.sleep(wait or (4 if jobs == "1" else 8))  # it has started and answered some
    if group:
        os.killpg(child.pid, sig)
    else:
        child.send_signal(sig)
    try:
        out, err = child.communicate(timeout=60)
    except BaseException:
        child.kill()
        raise
    return child.returncode, err, out.splitlines()


@pytest.mark.parametrize(
    ("sig", "code", "jobs"),
    [(signal.SIGINT, 130, "1"), (signal.SIGTERM, 143, "1"), (signal.SIGINT, 130, "2")],
)
def test_a_signal_stops_the_run_with_its_exit_code_and_whole_results(
    sig: int, code: int, jobs: str
) -> None:
    returncode, err, lines = _slow_stream_run(sig, ["evaluate"], jobs=jobs)
    assert returncode == code, err
    assert "Traceback" not in err and err == ""
    # every line written is a whole result, and the first ones in order
    assert [json.loads(line)["case_id"] for line in lines] == [f"G-{i}" for i in range(len(lines))]


@pytest.mark.parametrize("n", ["-5", "x"])
def test_synthetic_refuses_a_count_that_is_not_one(
    n: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["synthetic", n]) == 2
    assert "argument n:" in capsys.readouterr().err


def test_a_pool_reads_its_input_only_a_few_chunks_ahead() -> None:
    """With --jobs the input is read as the results are taken, never all ahead of them: an
    endless stream runs in flat memory."""
    import itertools
    import types

    import lovregler

    pulled = 0

    def endless() -> Any:
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            yield {**CASE, "case_id": f"E-{i}"}

    results = lovregler.evaluate_many(endless(), "standard", jobs=2, chunksize=8)
    taken = [next(results).case_id for _ in range(40)]
    assert taken == [f"E-{i}" for i in range(40)]
    assert pulled <= 40 + 2 * 2 * 8 + 8  # what was taken, the chunks in flight, one being read
    assert isinstance(results, types.GeneratorType)
    results.close()  # the pool is shut down with the generator


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("wait", [1.5, 3.0, 6.0])  # while the workers start, and after
def test_a_signal_to_the_whole_group_of_a_pool_run_ends_it_cleanly(sig: int, wait: float) -> None:
    returncode, err, lines = _slow_stream_run(sig, ["evaluate"], jobs="2", group=True, wait=wait)
    assert returncode == (130 if sig == signal.SIGINT else 143), err
    assert err == ""  # no worker's traceback
    assert [json.loads(line)["case_id"] for line in lines] == [f"G-{i}" for i in range(len(lines))]


@pytest.mark.parametrize("as_of", ["9999-12-31", "1800-01-01"])
def test_an_audit_day_outside_the_dates_a_case_may_give_is_refused(
    as_of: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["synthetic", "2"]) == 0
    Path("h.jsonl").write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["audit", "h.jsonl", "--as-of", as_of, "--regime", "standard"]) == 2
    err = capsys.readouterr().err
    assert f"as_of: {as_of} lies outside the dates a case may give" in err
    assert "internal error" not in err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("wait", [0.15, 0.3, 0.6])
def test_a_signal_while_python_still_imports_lovregler_ends_quietly(sig: int, wait: float) -> None:
    """The command imports the library only once it runs: a signal during start-up ends it
    with its exit code and no traceback (a signal before Python is up kills it outright)."""
    child = subprocess.Popen(
        [*CLI, "evaluate", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=PLAIN_ENV,
    )
    time.sleep(wait)
    child.send_signal(sig)
    _out, err = child.communicate(timeout=60)
    if err.startswith("Could not import runpy module") or "Exception ignored in" in err:
        # it landed in Python's own start-up (`-m` importing runpy), or in a callback of its
        # import machinery, which reports and drops it: before, or beside, any line of ours
        return
    code = 130 if sig == signal.SIGINT else 143
    assert child.returncode in (code, -sig), (child.returncode, err)
    assert "Traceback" not in err, err
