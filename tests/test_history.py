"""Case histories: the model, every bad-history error naming its field, reading YAML/JSON/JSONL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, get_args

import pytest

from lovregler import CaseError
from lovregler.case.history import (
    EVENT_KINDS,
    CaseHistory,
    EventType,
    iter_history_file,
    iter_history_lines,
    load_history_file,
    parse_history,
    parse_history_line,
)


def _case(**overrides: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "case_id": "H-1",
        "municipality": "Aarhus",
        "child_age": 9,
        "awareness_date": "2019-02-01",
        "support_need_presumed": True,
        "measures": [2, 3],
        "consent": True,
    }
    case.update(overrides)
    return case


def _history(events: list[dict[str, Any]], **case: Any) -> dict[str, Any]:
    return {"case": _case(**case), "events": events}


def _fields(exc: pytest.ExceptionInfo[CaseError]) -> list[str | None]:
    return [p.field for p in exc.value.problems]


def test_event_types_are_one_table() -> None:
    assert set(get_args(EventType)) == set(EVENT_KINDS)


def test_a_valid_history() -> None:
    history = parse_history(
        _history(
            [
                {"type": "notification_received", "date": "2019-01-31"},
                {"type": "awareness", "date": "2019-02-01"},
                {"type": "investigation_completed", "date": "2019-05-20"},
                {"type": "measure_decided", "date": "2019-06-01", "measure": 2},
                {"type": "measure_started", "date": "2019-06-10", "measure": 2},
                {"type": "follow_up", "date": "2019-09-01", "obligation": "sel70.opfoelgning"},
            ]
        )
    )
    assert isinstance(history, CaseHistory)
    assert history.events[3].measure == 2
    facts = history.facts()
    # decision_date and notification_date come from the events when the case omits them
    assert facts.decision_date == date(2019, 6, 1)
    assert facts.notification_date == date(2019, 1, 31)
    assert history.case.decision_date is None


def test_case_decision_date_wins_over_events() -> None:
    history = parse_history(
        _history(
            [{"type": "measure_decided", "date": "2019-06-01", "measure": 2}],
            decision_date="2019-05-01",
        )
    )
    assert history.facts().decision_date == date(2019, 5, 1)


def test_same_day_events_in_any_order() -> None:
    parse_history(
        _history(
            [
                {"type": "handleplan_made", "date": "2019-03-01"},
                {"type": "child_conversation_held", "date": "2019-03-01"},
            ]
        )
    )


@pytest.mark.parametrize(
    ("events", "case", "field", "words"),
    [
        (
            [
                {"type": "investigation_completed", "date": "2019-05-01"},
                {"type": "handleplan_made", "date": "2019-04-01"},
            ],
            {},
            "events[1].date",
            "before the previous event",
        ),
        (
            [{"type": "handleplan_made", "date": "2019-01-15"}],
            {},
            "events[0].date",
            "before awareness_date",
        ),
        (
            [{"type": "awareness", "date": "2019-02-02"}],
            {},
            "events[0].date",
            "disagrees with case.awareness_date",
        ),
        (
            [{"type": "notification_received", "date": "2019-01-20"}],
            {"notification_date": "2019-01-30"},
            "events[0].date",
            "disagrees with case.notification_date",
        ),
        (
            [{"type": "notification_received", "date": "2019-02-05"}],
            {},
            "events[0].date",
            "after awareness_date",
        ),
        (
            [{"type": "meeting_held", "date": "2019-03-01"}],
            {},
            "events[0].type",
            "unknown event type",
        ),
        (
            [{"type": "measure_started", "date": "2019-03-01"}],
            {},
            "events[0].measure",
            "needs the measure nr",
        ),
        (
            [{"type": "measure_decided", "date": "2019-03-01", "measure": 7}],
            {},
            "events[0].measure",
            "not among the case's measures",
        ),
        (
            [{"type": "measure_decided", "date": "2019-03-01", "measure": 10}],
            {},
            "events[0].measure",
            "less than or equal to 9",
        ),
        (
            [{"type": "handleplan_made", "date": "2019-03-01", "measure": 2}],
            {},
            "events[0].measure",
            "has no measure",
        ),
        (
            [{"type": "follow_up", "date": "2019-03-01", "obligation": "sel50.foo"}],
            {},
            "events[0].obligation",
            "choose one of",
        ),
        (
            [{"type": "handleplan_made", "date": "2019-03-01", "obligation": "sel140.handleplan"}],
            {},
            "events[0].obligation",
            "does not name an obligation",
        ),
        (
            [{"type": "handleplan_made", "date": "2019-03-01", "by": "x"}],
            {},
            "events[0].by",
            "unknown field",
        ),
        (
            [{"type": "handleplan_made", "date": "not a date"}],
            {},
            "events[0].date",
            "date",
        ),
        ([], {"child_age": 18}, "case.child_age", "less than or equal to 17"),
        ([], {"consent": None}, "case.consent", "required when measures are given"),
    ],
)
def test_bad_history_names_the_field(
    events: list[dict[str, Any]], case: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(CaseError) as exc:
        parse_history(_history(events, **case))
    assert field in _fields(exc), exc.value
    assert any(words in p.message for p in exc.value.problems if p.field == field), exc.value


def test_unknown_top_level_field() -> None:
    with pytest.raises(CaseError) as exc:
        parse_history({"case": _case(), "events": [], "as_of": "2020-01-01"})
    assert _fields(exc) == ["as_of"]
    assert "known fields: case, events" in exc.value.problems[0].message


def test_constructing_in_python_checks_too() -> None:
    with pytest.raises(CaseError) as exc:
        CaseHistory.model_validate(_history([{"type": "goals_set", "date": "2018-01-01"}]))
    assert _fields(exc) == ["events[0].date"]


def test_not_a_mapping() -> None:
    with pytest.raises(CaseError, match="mapping"):
        parse_history([1, 2])


def test_yaml_file_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "history.yaml"
    path.write_text(
        "case:\n"
        "  case_id: Y-1\n"
        "  municipality: '751'\n"
        "  child_age: 4\n"
        "  awareness_date: 2019-02-01\n"
        "  support_need_presumed: true\n"
        "events:\n"
        "  - {type: awareness, date: 2019-02-01}\n"
        "  - {type: investigation_completed, date: 2019-05-01}\n"
        "  - {type: investigation_completed, date: 2019-04-01}\n",
        encoding="utf-8",
    )
    with pytest.raises(CaseError) as exc:
        load_history_file(path)
    (problem,) = exc.value.problems
    assert problem.field == "events[2].date"
    assert problem.line == 10
    assert str(problem).endswith(
        "history.yaml:10:37: events[2].date: 2019-04-01 lies before "
        "the previous event (investigation_completed on 2019-05-01); "
        "list events in the order they happened"
    )


def test_yaml_list_of_histories(tmp_path: Path) -> None:
    path = tmp_path / "histories.json"
    path.write_text(json.dumps([_history([]), _history([], case_id="H-2")]), encoding="utf-8")
    assert [h.case.case_id for h in load_history_file(path)] == ["H-1", "H-2"]


def test_empty_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(CaseError, match="no case history"):
        load_history_file(path)


def test_jsonl_names_the_line(tmp_path: Path) -> None:
    good = json.dumps(_history([{"type": "awareness", "date": "2019-02-01"}]))
    bad = json.dumps(_history([{"type": "handleplan_made", "date": "2018-02-01"}]))
    path = tmp_path / "h.jsonl"
    path.write_text(f"{good}\n\n{good}\n{bad}\n", encoding="utf-8")
    with pytest.raises(CaseError) as exc:
        list(iter_history_file(path))
    (problem,) = exc.value.problems
    assert (problem.line, problem.field) == (4, "events[0].date")
    assert problem.column is not None
    assert problem.file is not None and problem.file.endswith("h.jsonl")


def test_jsonl_not_json() -> None:
    with pytest.raises(CaseError) as exc:
        parse_history_line("{not json", "x.jsonl", 12)
    problem = exc.value.problems[0]
    assert (problem.file, problem.line) == ("x.jsonl", 12)
    assert "not valid JSON" in problem.message


def test_jsonl_streams_lazily() -> None:
    line = json.dumps(_history([]))

    def lines() -> Any:
        yield line
        yield line
        raise AssertionError("read too far")

    stream = iter_history_lines(lines())
    assert next(stream).case.case_id == "H-1"


def test_jsonl_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="cannot read file"):
        list(iter_history_file(tmp_path / "missing.jsonl"))
