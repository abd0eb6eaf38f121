"""The case strategies themselves: valid cases are valid and cover the space; invalid ones are
refused with an error that names the field."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given

from lovregler import Case, CaseError, load_regime, parse_case
from lovregler.testing import (
    FAULTS,
    InvalidCase,
    case_data,
    cases,
    invalid_cases,
    network_municipalities,
    rejection_problem,
    sample,
    window_edges,
)


@given(case_data())
def test_generated_case_data_is_a_valid_case(data: dict[str, object]) -> None:
    case = parse_case(data)
    assert case.effective_decision_date >= case.awareness_date
    assert 0 <= case.age <= 17
    if case.notification_date is not None:
        assert case.notification_date <= case.awareness_date


@given(invalid_cases())
def test_invalid_cases_are_refused_naming_the_field(invalid: InvalidCase) -> None:
    problem = rejection_problem(invalid)
    assert problem is None, problem


def test_window_edges_come_from_the_regime() -> None:
    overlay = load_regime("frikommune")
    edges = window_edges(overlay)
    for p in overlay.participants or []:
        assert {p.window_from, p.window_to} <= set(edges)
        assert date.fromordinal(p.window_from.toordinal() - 1) in edges
        assert date.fromordinal(p.window_to.toordinal() + 1) in edges


@pytest.fixture(scope="module")
def drawn() -> list[Case]:
    return sample(cases(), 600, seed_value=7)


def test_the_sample_covers_the_input_space(drawn: list[Case]) -> None:
    """Every age, measure, exception, network member and window edge shows up."""
    assert {c.age for c in drawn} == set(range(18))
    assert {m for c in drawn for m in c.measures} == set(range(1, 10))
    assert {c.child_conversation_exception for c in drawn} == {None, "maturity", "nature_of_case"}
    assert {c.consent for c in drawn} == {None, True, False}
    assert {c.urgent for c in drawn} == {True, False}
    assert any(c.child_birth_date for c in drawn) and any(c.child_age is not None for c in drawn)
    assert any(c.notification_date for c in drawn)
    members = {m.code for m in network_municipalities()}
    assert members <= {c.municipality for c in drawn}
    assert len({c.municipality for c in drawn} - members) > 10
    assert set(window_edges()) <= {c.effective_decision_date for c in drawn}
    assert min(c.awareness_date for c in drawn).year <= 2016
    assert max(c.effective_decision_date for c in drawn).year >= 2024


def test_network_members_are_given_by_name_and_by_code() -> None:
    given_as = [d["municipality"] for d in sample(case_data(), 300, seed_value=3)]
    for member in network_municipalities():
        assert member.name in given_as and member.code in given_as


def test_every_kind_of_fault_is_generated() -> None:
    assert {i.fault for i in sample(invalid_cases(), 400, seed_value=5)} == set(FAULTS)


@pytest.mark.parametrize(
    "value",
    [0, 1546300800, "1546300800", 1546300800.0, b"2019-01-01", "2019-01-01T00:00:00", "1/2/2019"],
)
def test_a_number_is_not_a_date(value: object) -> None:
    data = {
        "case_id": "x",
        "municipality": "756",
        "child_age": 5,
        "awareness_date": value,
        "support_need_presumed": True,
    }
    with pytest.raises(CaseError) as caught:
        parse_case(data)
    assert caught.value.first.field == "awareness_date"
