"""Values at the edges of what validation accepts: whatever ``Case`` and ``check`` accept must
evaluate, on both backends, without an exception; whatever cannot evaluate is refused when it is
read, naming its field (issue #13, item 7).

The range of case dates is law data (``rules/vocabulary.yaml``, ``case.dates``); the longest
deadline or repeat a rule file may give is :data:`lovregler.law.dates.LONGEST`. Together they keep
every due date lovregler computes (a deadline from the last case date, a repeat after it, the
audit's look at the next one) a date Python can represent.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lovregler
from lovregler import CaseError, RuleFileError, compare, evaluate, parse_case
from lovregler._errors import Problem
from lovregler.case.model import MAX_ID_LENGTH
from lovregler.engine.backends import durable_available
from lovregler.law.dates import LONGEST, UNITS, Unit, add_period
from lovregler.law.models import Vocabulary
from lovregler.law.vocabulary import MAX_AGE, MEASURE_NUMBERS, MIN_AGE, vocabulary

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
DATES = vocabulary().case.dates
FIRST, LAST = DATES.from_, DATES.to
REGIMES = ("auto", "standard", "frikommune")
BACKENDS = ("reference", "durable-rules") if durable_available() else ("reference",)

BASE: dict[str, Any] = {
    "case_id": "X-1",
    "municipality": "Gladsaxe",
    "child_age": 12,
    "awareness_date": "2019-03-01",
    "support_need_presumed": True,
    "measures": [2, 7],
    "consent": True,
}


def _problem_fields(exc: CaseError | RuleFileError) -> list[str | None]:
    return [p.field for p in exc.problems]


# --- case dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "extra"),
    [
        ("awareness_date", {"awareness_date": "9999-12-31"}),
        ("awareness_date", {"awareness_date": "9999-11-30", "decision_date": "9999-12-31"}),
        ("decision_date", {"decision_date": "9999-12-31"}),
        ("decision_date", {"decision_date": "9999-10-01"}),
        ("notification_date", {"notification_date": "0001-01-01"}),
        ("awareness_date", {"awareness_date": "0001-01-01"}),
    ],
)
def test_a_case_date_outside_the_law_s_range_is_refused_naming_it(
    field: str, extra: dict[str, Any]
) -> None:
    """Before the range, 9999-12-31 passed validation and evaluate raised ``year 10000 is out of
    range`` (an internal error, exit 3)."""
    with pytest.raises(CaseError) as caught:
        evaluate({**BASE, **extra}, "frikommune")
    assert field in _problem_fields(caught.value)
    assert f"{FIRST}..{LAST}" in str(caught.value)


def test_a_birth_date_outside_the_range_is_refused_naming_it() -> None:
    data = {**BASE, "awareness_date": "0001-06-01", "child_birth_date": "0001-01-01"}
    del data["child_age"]
    with pytest.raises(CaseError) as caught:
        parse_case(data)
    assert "child_birth_date" in _problem_fields(caught.value)


def test_an_event_date_outside_the_range_is_refused_naming_it() -> None:
    with pytest.raises(CaseError) as caught:
        lovregler.parse_history(
            {"case": BASE, "events": [{"type": "follow_up", "date": "9999-12-31"}]}
        )
    assert "events[0].date" in _problem_fields(caught.value)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("regime", REGIMES)
def test_the_last_and_first_case_dates_evaluate(regime: str, backend: str) -> None:
    late = {**BASE, "awareness_date": LAST, "notification_date": LAST}
    early = {**BASE, "awareness_date": FIRST, "decision_date": LAST, "notification_date": FIRST}
    for data in (late, early):
        result = evaluate(data, regime, backend=backend)
        assert result.obligations
        assert compare(data, backend=backend).differences is not None


def test_an_audit_on_the_last_day_of_the_range_runs_every_repeat() -> None:
    history = {"case": {**BASE, "awareness_date": FIRST}, "events": []}
    result = lovregler.audit(history, "frikommune", as_of=LAST)
    assert result.items


def test_the_date_range_leaves_room_for_the_longest_period() -> None:
    # a deadline from the last case date, a repeat after it, and the audit's look at the next
    day = LAST
    for _ in range(3):
        day = add_period(day, LONGEST["years"], "years")
    assert day <= date.max


def test_a_vocabulary_whose_range_leaves_no_room_is_refused() -> None:
    data = vocabulary().model_dump(by_alias=True)
    data["case"]["dates"] = {"from": date(1900, 1, 1), "to": date(9800, 1, 1)}
    with pytest.raises(ValueError, match="to: 9800-01-01 leaves no room"):
        Vocabulary.model_validate(data)
    data["case"]["dates"] = {"from": date(2000, 1, 1), "to": date(1999, 1, 1)}
    with pytest.raises(ValueError, match="lies before from"):
        Vocabulary.model_validate(data)


# --- deadlines in rule files ----------------------------------------------------------------------


@pytest.fixture
def rules_copy(tmp_path: Path) -> Iterator[Path]:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    yield target


def _set_deadline(folder: Path, amount: int, unit: Unit) -> Path:
    path = folder / "standard" / "sel50.yaml"
    text = path.read_text(encoding="utf-8")
    assert "      amount: 4\n      unit: months\n" in text
    path.write_text(
        text.replace(
            "      amount: 4\n      unit: months\n", f"      amount: {amount}\n      unit: {unit}\n"
        ),
        encoding="utf-8",
    )
    return path


def _in_file(exc: RuleFileError, name: str) -> Problem:
    """The one problem in ``name`` (the rules that follow a refused file's rules are refused
    too, elsewhere)."""
    (problem,) = [p for p in exc.problems if p.file is not None and p.file.endswith(name)]
    return problem


@pytest.mark.parametrize(
    ("amount", "unit"),
    [
        (100_000, "years"),
        (36_500_000, "months"),
        (4_000_000, "days"),
        (4_000_000, "weeks"),
        pytest.param(10**20, "hours", id="1e20-hours"),
        pytest.param(10**20, "days", id="1e20-days"),
    ],
)
def test_a_deadline_longer_than_the_longest_is_refused_at_its_line(
    rules_copy: Path, amount: int, unit: Unit
) -> None:
    """Before the bound, ``check`` said ok and evaluate crashed (OverflowError, exit 3)."""
    path = _set_deadline(rules_copy, amount, unit)
    with pytest.raises(RuleFileError) as caught:
        lovregler.load_regime(rules_copy / "standard")
    problem = _in_file(caught.value, "sel50.yaml")
    line = path.read_text(encoding="utf-8").splitlines().index(f"      amount: {amount}") + 1
    assert problem.line == line
    assert problem.field == "rules[0].deadline.amount"
    assert f"at most {LONGEST[unit]:,} {unit}" in problem.message


@pytest.mark.parametrize("unit", UNITS)
def test_the_longest_deadline_evaluates_from_the_last_case_date(
    rules_copy: Path, unit: Unit
) -> None:
    _set_deadline(rules_copy, LONGEST[unit], unit)
    regime = lovregler.load_regime(rules_copy / "standard")
    data = {**BASE, "municipality": "Aarhus", "awareness_date": LAST}
    for backend in BACKENDS:
        due = evaluate(data, regime, backend=backend).obligation("sel50.boernefaglig_undersoegelse")
        assert due.due is not None and due.due > LAST


def test_a_repeat_longer_than_the_longest_is_refused_at_its_line(rules_copy: Path) -> None:
    path = rules_copy / "standard" / "sel70.yaml"
    text = path.read_text(encoding="utf-8")
    assert "repeat: {unit: months, max: 6}" in text
    path.write_text(text.replace("max: 6}", "max: 100000000}"), encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        lovregler.load_regime(rules_copy / "standard")
    problem = _in_file(caught.value, "sel70.yaml")
    assert problem.field == "rules[0].deadline.repeat.max"
    assert "at most 1,200 months" in problem.message


def test_the_longest_repeat_audits_up_to_the_last_case_date(rules_copy: Path) -> None:
    path = rules_copy / "standard" / "sel70.yaml"
    text = path.read_text(encoding="utf-8")
    longest = LONGEST["months"]
    path.write_text(text.replace("max: 6}", f"max: {longest}}}"), encoding="utf-8")
    regime = lovregler.load_regime(rules_copy / "standard")
    data = {**BASE, "municipality": "Aarhus", "awareness_date": LAST, "measures": [2]}
    history = {"case": data, "events": [{"type": "follow_up", "date": LAST}]}
    for backend in BACKENDS:
        result = lovregler.audit(history, regime, as_of=LAST, backend=backend)
        assert result.items


def test_rule_file_dates_at_the_ends_of_the_calendar_evaluate(rules_copy: Path) -> None:
    """Dates in rule files are only compared, never counted from: any date YAML reads works."""
    path = rules_copy / "frikommune" / "regime.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "valid: {from: 2018-05-01, to: 2021-12-31}", "valid: {from: 0001-01-01, to: 9999-12-31}"
    )
    path.write_text(text.replace("to: 2021-12-31}", "to: 9999-12-31}"), encoding="utf-8")
    rule = rules_copy / "standard" / "sel50.yaml"
    text = rule.read_text(encoding="utf-8")
    rule.write_text(
        text.replace(
            "{field: child_age, at_least: 15}",
            "{all: [{field: child_age, at_least: 15}, {field: decision_date, between: "
            "[0001-01-01, 9999-12-31]}]}",
        ),
        encoding="utf-8",
    )
    regime = lovregler.load_regime(rules_copy / "frikommune")
    for day in (FIRST, LAST):
        data = {**BASE, "child_age": 16, "awareness_date": day}
        answers = [_answers(evaluate(data, regime, backend=b)) for b in BACKENDS]
        assert all(a == answers[0] for a in answers)


# --- integers -------------------------------------------------------------------------------------


HUGE = pytest.param(10**5000, id="5001-digits")
HUGE_NEGATIVE = pytest.param(-(10**5000), id="minus-5001-digits")


@pytest.mark.parametrize("value", [HUGE, HUGE_NEGATIVE, 10**20, -101])
def test_a_huge_or_negative_kommunekode_is_refused_in_lovregler_s_words(value: int) -> None:
    """Before, 10**5000 gave Python's own 'Exceeds the limit (4300 digits) ... use
    sys.set_int_max_str_digits()' as the message."""
    with pytest.raises(CaseError) as caught:
        parse_case({**BASE, "municipality": value})
    (problem,) = caught.value.problems
    assert problem.field == "municipality"
    assert "sys.set_int_max_str_digits" not in problem.message and "4300" not in problem.message
    assert len(problem.message) < 200


@pytest.mark.parametrize(
    "field", ["child_age", "measures", "consent", "awareness_date", "case_id", "urgent"]
)
@pytest.mark.parametrize("value", [HUGE, HUGE_NEGATIVE, 2**63, -1, 1e308, float("nan")])
def test_a_huge_number_in_any_case_field_is_refused_naming_it(field: str, value: Any) -> None:
    data = {**BASE, field: [value] if field == "measures" else value}
    if field == "child_age" and isinstance(value, int) and MIN_AGE <= value <= MAX_AGE:
        return
    with pytest.raises(CaseError) as caught:
        parse_case(data)
    assert any(f and f.startswith(field) for f in _problem_fields(caught.value))
    assert all(len(p.message) < 300 for p in caught.value.problems)


def test_a_negative_sentence_number_in_a_citation_is_refused(rules_copy: Path) -> None:
    path = rules_copy / "standard" / "sel50.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "{law: SEL, paragraph: 50, stk: 7}", "{law: SEL, paragraph: 50, stk: 7, pkt: -5}"
        ),
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError) as caught:
        lovregler.load_regime(rules_copy / "standard")
    assert any(p.field and p.field.endswith(".pkt") for p in caught.value.problems)


# --- strings --------------------------------------------------------------------------------------


def test_an_enormous_case_id_is_refused_naming_it() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case({**BASE, "case_id": "x" * 10_000_000})
    (problem,) = caught.value.problems
    assert problem.field == "case_id"
    assert "at most" in problem.message and len(problem.message) < 200


@pytest.mark.parametrize("text", ["a\x00b", "a\x1b[31mb", "a\nb", "a\x7fb", "a\x85b\u202e"])
def test_a_case_id_with_control_characters_evaluates_and_is_echoed(text: str) -> None:
    """The id is the caller's data: kept as given (the CLI writes control characters out)."""
    for backend in BACKENDS:
        assert evaluate({**BASE, "case_id": text}, "frikommune", backend=backend).case_id == text


def test_a_case_id_at_the_longest_evaluates() -> None:
    longest = MAX_ID_LENGTH
    result = evaluate({**BASE, "case_id": "Æ" * longest}, "frikommune")
    assert result.case_id == "Æ" * longest


def test_an_enormous_municipality_name_is_refused_quickly_and_briefly() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case({**BASE, "municipality": "Aarhus" * 1_000_000})
    (problem,) = caught.value.problems
    assert problem.field == "municipality" and len(problem.message) < 200


def test_an_enormous_obligation_in_an_event_is_refused_briefly() -> None:
    event = {"type": "follow_up", "date": "2019-09-01", "obligation": "x" * 1_000_000}
    with pytest.raises(CaseError) as caught:
        lovregler.parse_history({"case": BASE, "events": [event]})
    (problem,) = caught.value.problems
    assert problem.field == "events[0].obligation" and len(problem.message) < 300


# --- the whole accepted range ---------------------------------------------------------------------

_ID_CHARS = st.characters(exclude_categories=["Cs"])  # any text Python can encode


def _edge_dates(first: date, last: date) -> st.SearchStrategy[date]:
    edges = [first, first + timedelta(days=1), last - timedelta(days=1), last]
    return st.one_of(
        st.sampled_from([d for d in edges if first <= d <= last]), st.dates(first, last)
    )


@st.composite
def extreme_cases(draw: st.DrawFn) -> dict[str, Any]:
    """Valid case data from the whole range ``Case`` accepts: edge dates, the longest case id,
    every measure, both ways of giving the age."""
    longest = MAX_ID_LENGTH
    awareness = draw(_edge_dates(FIRST, LAST))
    data: dict[str, Any] = {
        "case_id": draw(
            st.one_of(
                st.text(_ID_CHARS, min_size=1, max_size=longest),
                st.just("Ø" * longest),
            ).filter(lambda s: s.strip() == s and s)
        ),
        "municipality": draw(st.sampled_from(["Aarhus", "Gladsaxe", "101", 756, "Ikast-Brande"])),
        "awareness_date": awareness,
        "support_need_presumed": draw(st.booleans()),
        "urgent": draw(st.booleans()),
        "measures": draw(st.lists(st.sampled_from(MEASURE_NUMBERS), unique=True)),
        "child_conversation_exception": draw(st.sampled_from([None, "maturity", "nature_of_case"])),
    }
    if data["measures"] or draw(st.booleans()):
        data["consent"] = draw(st.booleans())
    if draw(st.booleans()):
        data["decision_date"] = draw(_edge_dates(awareness, LAST))
    if draw(st.booleans()):
        data["notification_date"] = draw(_edge_dates(FIRST, awareness))
    if draw(st.booleans()):
        data["child_age"] = draw(st.sampled_from([MIN_AGE, MAX_AGE, (MIN_AGE + MAX_AGE) // 2]))
    else:
        earliest = max(FIRST, awareness.replace(year=awareness.year - MAX_AGE - 1) + timedelta(1))
        if awareness.year - MAX_AGE - 1 < FIRST.year:
            earliest = FIRST
        data["child_birth_date"] = draw(_edge_dates(earliest, awareness))
    return data


def _accepted(data: dict[str, Any]) -> lovregler.Case | None:
    try:
        return parse_case(data)
    except CaseError:
        return None  # e.g. a birth date that makes the child 18: refused, and that is fine


def _answers(result: lovregler.EvaluationResult) -> list[tuple[str, str, date | None]]:
    return [(o.id, o.status, o.due) for o in result.obligations]


EXTREMES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@EXTREMES
@given(extreme_cases())
def test_every_accepted_case_evaluates_and_compares_on_both_backends(data: dict[str, Any]) -> None:
    case = _accepted(data)
    if case is None:
        return
    for regime in REGIMES:
        reference = evaluate(case, regime, backend="reference")
        if durable_available():
            durable = evaluate(case, regime, backend="durable-rules")
            assert _answers(durable) == _answers(reference), regime
    compared = compare(case, backend="reference")
    if durable_available():
        assert compared.differences == compare(case, backend="durable-rules").differences


@EXTREMES
@given(extreme_cases(), st.booleans())
def test_every_accepted_history_audits(data: dict[str, Any], on_the_last_day: bool) -> None:
    """Audited on the day of its decision or on the last day a case may give: every repeat up
    to then is computed."""
    case = _accepted(data)
    if case is None:
        return
    day = case.effective_decision_date
    events: list[dict[str, Any]] = [{"type": "awareness", "date": case.awareness_date}]
    if case.measures:
        events.append({"type": "measure_decided", "date": day, "measure": case.measures[0]})
    history = {"case": case.model_dump(), "events": events}
    result = lovregler.audit(history, "auto", as_of=LAST if on_the_last_day else day)
    assert result.items
