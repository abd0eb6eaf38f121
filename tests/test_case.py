from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lovregler import Case, CaseError, load_case_file, parse_case

VALID: dict[str, Any] = {
    "case_id": "T-1",
    "municipality": "Ikast-Brande",
    "child_age": 9,
    "awareness_date": "2019-02-01",
    "support_need_presumed": True,
    "measures": [3, 2],
    "consent": True,
}


def test_valid_case_is_normalised() -> None:
    case = parse_case(VALID)
    assert case.municipality == "756"
    assert case.measures == [2, 3]
    assert case.decision_date is None
    assert case.effective_decision_date == date(2019, 2, 1)
    assert case.age == 9
    assert str(case.kommune) == "Ikast-Brande (756)"


def test_case_is_immutable() -> None:
    case = parse_case(VALID)
    with pytest.raises(Exception, match="frozen"):
        case.child_age = 3  # type: ignore[misc]


def test_birth_date_gives_the_age_on_awareness_date() -> None:
    data = {**VALID, "child_birth_date": "2003-02-02"}
    del data["child_age"]
    assert parse_case(data).age == 15
    data["child_birth_date"] = "2001-02-02"
    assert parse_case(data).age == 17
    data["child_birth_date"] = "2001-02-01"
    with pytest.raises(CaseError, match="child_birth_date: makes the child 18 or older"):
        parse_case(data)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"child_age": 18}, "child_age", "Input should be less than or equal to 17"),
        ({"child_age": -1}, "child_age", "Input should be greater than or equal to 0"),
        ({"child_age": "9"}, "child_age", "Input should be a valid integer"),
        ({"measures": [10]}, "measures[0]", "Input should be less than or equal to 9"),
        ({"measures": [0]}, "measures[0]", "Input should be greater than or equal to 1"),
        ({"measures": [2, 2]}, "measures", "measure 2 is listed more than once"),
        ({"decision_date": "2019-01-31"}, "decision_date",
         "2019-01-31 lies before awareness_date 2019-02-01"),
        ({"municipality": "Atlantis"}, "municipality", "'Atlantis' is not a Danish municipality"),
        ({"municipality": True}, "municipality",
         "must be a municipality name or a three-digit kommunekode"),
        ({"consent": None}, "consent", "is required when measures are given"),
        ({"consent": "yes"}, "consent", "Input should be a valid boolean"),
        ({"support_need_presumed": 1}, "support_need_presumed", "Input should be a valid boolean"),
        ({"child_conversation_exception": "age"}, "child_conversation_exception",
         "Input should be 'maturity' or 'nature_of_case'"),
        ({"awareness_date": "2019-02-30"}, "awareness_date", "2019-02-30 is not a real date"),
        ({"awareness_date": 1546300800}, "awareness_date", "must be a date written YYYY-MM-DD"),
        ({"notification_date": "2019-02-02"}, "notification_date",
         "2019-02-02 lies after awareness_date 2019-02-01"),
        ({"shoe_size": 32}, "shoe_size", "unknown field; known fields: case_id, municipality"),
        ({"child_birth_date": "2010-01-01"}, "child_birth_date",
         "give child_age or child_birth_date, not both"),
        ({"case_id": ""}, "case_id", "String should have at least 1 character"),
    ],
)  # fmt: skip
def test_impossible_cases_name_the_field(change: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(CaseError) as raised:
        parse_case({**VALID, **change})
    problem = raised.value.first
    assert problem.field == field
    assert message in problem.message


@pytest.mark.parametrize(
    "missing", ["case_id", "municipality", "awareness_date", "support_need_presumed"]
)
def test_missing_required_field(missing: str) -> None:
    data = dict(VALID)
    del data[missing]
    with pytest.raises(CaseError) as raised:
        parse_case(data)
    assert raised.value.first.field == missing
    assert raised.value.first.message == "required field is missing"


def test_age_or_birth_date_is_required() -> None:
    data = dict(VALID)
    del data["child_age"]
    with pytest.raises(CaseError) as raised:
        parse_case(data)
    assert str(raised.value) == "child_age: give child_age or child_birth_date"


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(CaseError) as raised:
        parse_case({**VALID, "child_age": 30, "measures": [11], "colour": "red"})
    assert [p.field for p in raised.value.problems] == ["child_age", "measures[0]", "colour"]


def test_case_passes_through_parse_case() -> None:
    case = Case.model_validate(VALID)
    assert parse_case(case) is case


def test_not_a_mapping() -> None:
    with pytest.raises(CaseError, match="a case must be a mapping"):
        parse_case([1, 2])


def test_case_file_errors_name_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(
        "case_id: X\nmunicipality: Gladsaxe\nchild_age: 19\nawareness_date: 2019-01-01\n"
        "support_need_presumed: true\n",
        encoding="utf-8",
    )
    with pytest.raises(CaseError) as raised:
        load_case_file(path)
    problem = raised.value.first
    assert (problem.line, problem.field) == (3, "child_age")
    assert str(problem).endswith(
        "case.yaml:3:1: child_age: Input should be less than or equal to 17"
    )


def test_case_file_may_hold_a_list_and_json(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text(
        '[{"case_id": "A", "municipality": "756", "child_age": 3, "awareness_date": "2019-01-01",'
        ' "support_need_presumed": false},\n'
        ' {"case_id": "B", "municipality": "159", "child_age": 33, "awareness_date": "2019-01-01",'
        ' "support_need_presumed": false}]',
        encoding="utf-8",
    )
    with pytest.raises(CaseError) as raised:
        load_case_file(path)
    assert raised.value.first.line == 2
    assert raised.value.first.field == "child_age"


def test_empty_and_unreadable_case_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CaseError, match="the file holds no case"):
        load_case_file(empty)
    with pytest.raises(CaseError, match="cannot read file"):
        load_case_file(tmp_path / "missing.yaml")


def test_examples_are_valid_cases() -> None:
    files = sorted(Path("examples/cases").glob("*.yaml"))
    assert len(files) >= 8
    ids = [case.case_id for f in files for case in load_case_file(f)]
    assert len(ids) == len(set(ids))


def test_absent_fields_are_named_in_files_too(tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(
        "case_id: X\nmunicipality: Gladsaxe\nsupport_need_presumed: true\n", encoding="utf-8"
    )
    with pytest.raises(CaseError) as raised:
        load_case_file(path)
    assert [(p.field, p.message) for p in raised.value.problems] == [
        ("awareness_date", "required field is missing")
    ]
    path.write_text(
        "case_id: X\nmunicipality: Gladsaxe\nawareness_date: 2019-01-01\nsupport_need_presumed: true\n",
        encoding="utf-8",
    )
    with pytest.raises(CaseError) as raised:
        load_case_file(path)
    assert str(raised.value.first).endswith(
        "case.yaml:1:1: child_age: give child_age or child_birth_date"
    )
