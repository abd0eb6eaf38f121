"""The synthetic caseload generator, and the streaming `audit` command over a caseload."""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import statistics
from datetime import date
from pathlib import Path

import pytest

from lovregler import CaseError, LovreglerError, all_municipalities, load_regime
from lovregler.auditing.audit import Auditor, summarize
from lovregler.auditing.caseload import generate_histories, write_histories_jsonl
from lovregler.case.history import iter_history_file
from lovregler.cli.audit import add_audit_parser, draw_chart, render_report, run_audit

AS_OF = date(2020, 12, 31)


def test_same_seed_same_histories() -> None:
    first = [h.model_dump() for h in generate_histories(50, seed=7)]
    again = [h.model_dump() for h in generate_histories(50, seed=7)]
    other = [h.model_dump() for h in generate_histories(50, seed=8)]
    assert first == again
    assert first != other
    assert len(first) == 50


def test_generated_histories_are_valid_and_audit_cleanly() -> None:
    codes = {m.code for m in all_municipalities()}
    auditor = Auditor(as_of=AS_OF)
    results = []
    for history in generate_histories(400, seed=1, as_of=AS_OF):
        assert history.case.municipality in codes
        assert all(e.date <= AS_OF for e in history.events)
        results.append(auditor.audit(history))
    regimes = {r.regime for r in results}
    assert regimes == {"standard", "frikommune"}
    summary = summarize(results)
    assert summary.all.cases == 400
    assert summary.all.late > 0 and summary.all.missing > 0  # realistic: not all on time


def test_generated_events_match_the_regime_that_governs_the_case() -> None:
    auditor = Auditor(as_of=AS_OF)
    overlay_only = {"assessment_completed", "involvement_plan_made", "goals_set"}
    standard_only = {"investigation_completed", "child_conversation_held", "handleplan_made"}
    for history in generate_histories(500, seed=11, as_of=AS_OF):
        types = {e.type for e in history.events}
        regime = auditor.audit(history).regime
        assert not types & (standard_only if regime == "frikommune" else overlay_only), (
            history.case.case_id
        )


def test_generated_timings_look_like_each_regime() -> None:
    auditor = Auditor(as_of=AS_OF)
    investigation: list[int] = []  # days done relative to due, standard
    assessment: list[int] = []  # days from awareness, overlay
    for history in generate_histories(600, seed=3, as_of=AS_OF):
        result = auditor.audit(history)
        if result.regime == "standard":
            item = result.item("sel50.boernefaglig_undersoegelse")
            if item.done and item.due:
                investigation.append((item.done - item.due).days)
        else:
            item = result.item("frikommune.socialfaglig_vurdering")
            if item.done:
                assessment.append((item.done - history.case.awareness_date).days)
    # investigations finish around their deadline, some late
    assert abs(statistics.median(investigation)) <= 30
    assert 0.1 < sum(d > 0 for d in investigation) / len(investigation) < 0.6
    # assessments in the first weeks: well inside the time-to-help aim the rule files give (the
    # assessment itself has no statutory deadline)
    rule = load_regime("frikommune").rule("frikommune.familieorienteret_indsats")
    assert rule is not None and rule.deadlines[0].unit == "weeks"
    assert statistics.median(assessment) < rule.deadlines[0].amount * 7


def test_network_cases_use_the_rule_files_participants() -> None:
    network = {p.municipality.code for p in load_regime("frikommune").participants or []}
    seen = {h.case.municipality for h in generate_histories(300, seed=2)}
    assert network <= seen
    assert seen - network


def test_write_histories_jsonl_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    with path.open("w", encoding="utf-8") as out:
        assert write_histories_jsonl(generate_histories(20, seed=4), out) == 20
    back = [h.model_dump() for h in iter_history_file(path)]
    assert back == [h.model_dump() for h in generate_histories(20, seed=4)]


# --- the `audit` command -------------------------------------------------------------------------


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    add_audit_parser(sub)
    return parser.parse_args(["audit", *argv])


def _jsonl(tmp_path: Path, n: int = 60, extra: list[str] | None = None) -> Path:
    path = tmp_path / "histories.jsonl"
    with path.open("w", encoding="utf-8") as out:
        write_histories_jsonl(generate_histories(n, seed=5, as_of=AS_OF), out)
        for line in extra or []:
            out.write(line + "\n")
    return path


def test_audit_command_writes_per_case_jsonl_and_a_summary(tmp_path: Path) -> None:
    source = _jsonl(tmp_path)
    per_case = tmp_path / "out.jsonl"
    out = io.StringIO()
    code = run_audit(_args(str(source), "--as-of", "2021-12-31", "--out", str(per_case)), out)
    assert code == 0
    lines = per_case.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 60
    first = json.loads(lines[0])
    assert {"case_id", "regime", "items", "time_to_help", "as_of"} <= set(first)
    text = out.getvalue()
    assert "audit as of 2021-12-31" in text
    assert "frikommune" in text and "standard" in text


def test_audit_command_report_without_matplotlib(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lovregler.cli.audit as cli

    monkeypatch.setattr(cli, "draw_chart", lambda summary, path: False)
    report = tmp_path / "report.md"
    out = io.StringIO()
    run_audit(_args(str(_jsonl(tmp_path)), "--as-of", "2021-12-31", "--report", str(report)), out)
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Audit of case histories")
    assert "pip install lovregler[report]" in text
    assert "## Per municipality" in text
    assert "Ikast-Brande (756)" in text


def test_report_with_a_chart_links_the_png(tmp_path: Path) -> None:
    auditor = Auditor(as_of=AS_OF)
    summary = summarize(auditor.audit(h) for h in generate_histories(30, seed=6, as_of=AS_OF))
    text = render_report(summary, "report-time-to-help.png")
    assert "![Days from awareness to help, per regime](report-time-to-help.png)" in text
    png = tmp_path / "chart.png"
    drawn = draw_chart(summary, png)
    if importlib.util.find_spec("matplotlib") is None:
        assert drawn is False and not png.exists()
    else:
        assert drawn is True and png.read_bytes().startswith(b"\x89PNG")


def test_audit_command_goes_on_past_bad_lines_then_fails(tmp_path: Path) -> None:
    bad_date = json.dumps(
        {
            "case": {
                "case_id": "BAD-1",
                "municipality": "751",
                "child_age": 3,
                "awareness_date": "2019-01-01",
                "support_need_presumed": True,
            },
            "events": [{"type": "investigation_completed", "date": "2018-01-01"}],
        }
    )
    source = _jsonl(tmp_path, n=10, extra=["{oops", bad_date])
    per_case = tmp_path / "out.jsonl"
    out = io.StringIO()
    with pytest.raises(CaseError) as exc:
        run_audit(_args(str(source), "--as-of", "2021-12-31", "--out", str(per_case)), out)
    problems = exc.value.problems
    assert [(p.line, p.field) for p in problems] == [(11, None), (12, "events[0].date")]
    assert "rejected (bad input): 2" in out.getvalue()
    assert len(per_case.read_text(encoding="utf-8").splitlines()) == 10


def test_audit_command_event_after_as_of_names_the_case(tmp_path: Path) -> None:
    source = _jsonl(tmp_path, n=5)
    with pytest.raises(CaseError, match="after as_of") as exc:
        run_audit(_args(str(source), "--as-of", "2018-02-01"), io.StringIO())
    first = exc.value.problems[0]
    assert first.line is not None and first.field is not None
    assert str(first).startswith(f"{first.file}:{first.line}: {first.field}: case SYN-")


def test_audit_command_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(LovreglerError, match="cannot read file"):
        run_audit(_args(str(tmp_path / "nope.jsonl"), "--as-of", "2021-12-31"), io.StringIO())


def test_audit_command_report_folder_must_exist(tmp_path: Path) -> None:
    source = _jsonl(tmp_path, n=2)
    report = tmp_path / "nope" / "report.md"
    with pytest.raises(LovreglerError, match="folder does not exist"):
        run_audit(
            _args(str(source), "--as-of", "2021-12-31", "--report", str(report)), io.StringIO()
        )


def test_audit_command_empty_input(tmp_path: Path) -> None:
    source = tmp_path / "empty.jsonl"
    source.write_text("", encoding="utf-8")
    out = io.StringIO()
    assert run_audit(_args(str(source), "--as-of", "2021-12-31"), out) == 0
    assert out.getvalue().startswith("audit as of 2021-12-31; time-to-help target -")


def test_audit_command_bad_date_option() -> None:
    with pytest.raises(SystemExit):
        _args("x.jsonl", "--as-of", "31-12-2020")


def test_progress_bar_only_when_asked_or_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _jsonl(tmp_path, n=5)
    run_audit(_args(str(source), "--as-of", "2021-12-31"), io.StringIO())
    assert capsys.readouterr().err == ""  # stderr is not a terminal here
    run_audit(_args(str(source), "--as-of", "2021-12-31", "--progress", "always"), io.StringIO())
    err = capsys.readouterr().err
    assert "5 cases" in err and "100%" in err
