"""Problems in lovregler's own words (lovregler.law.problems)."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import ErrorDetails

from lovregler._errors import Problem
from lovregler.law.problems import Loc, did_you_mean, must_be, validation_problems
from lovregler.law.safe_yaml import load_yaml_text


def test_did_you_mean_names_the_closest_choice() -> None:
    assert did_you_mean("legal_bassis", ["id", "legal_basis", "legal_text"]) == (
        "did you mean 'legal_basis'?"
    )
    assert did_you_mean("shoe_size", ["case_id", "consent"]) is None


def test_did_you_mean_can_offer_several_and_show_them_its_own_way() -> None:
    names = {"ikast brande": "Ikast-Brande", "ikast": "Ikast-Brande (old name)"}
    hint = did_you_mean("ikast brand", names, n=2, show=lambda k: repr(names[k]))
    assert hint == "did you mean 'Ikast-Brande' or 'Ikast-Brande (old name)'?"


def test_a_higher_cutoff_asks_for_a_closer_match() -> None:
    assert did_you_mean("sel50.x", ["sel50.y"], cutoff=0.9) is None
    assert did_you_mean("sel50.x", ["sel50.y"]) == "did you mean 'sel50.y'?"


class _Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: int
    unit: Literal["days", "months"] = "days"

    @model_validator(mode="after")
    def _positive(self) -> _Inner:
        if self.amount < 0:
            raise ValueError("amount: must not be negative")
        return self


class _Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deadline: _Inner


def _problems(text: str, **options: Any) -> list[str]:
    data, positions = load_yaml_text(text, "x.yaml")
    options.setdefault(
        "wording", {"extra_forbidden": "unknown key", "missing": "required key is missing"}
    )
    try:
        _Outer.model_validate(data)
    except ValidationError as exc:
        return [str(p) for p in validation_problems(exc.errors(), data, positions, **options)]
    raise AssertionError("valid")


def test_an_unknown_and_a_missing_key_are_worded_and_placed() -> None:
    assert _problems("deadline:\n  amout: 4\n") == [
        "x.yaml:1:1: deadline.amount: required key is missing",
        "x.yaml:2:3: deadline.amout: unknown key",
    ]


def test_without_name_absent_a_missing_key_is_placed_on_its_parent() -> None:
    assert _problems("deadline: {}\n", wording={}, name_absent=False) == [
        "x.yaml:1:1: deadline: Field required"
    ]


def test_a_reword_function_sees_the_path_the_message_and_the_error() -> None:
    def reword(loc: Loc, message: str, err: ErrorDetails) -> str:
        return f"{err['input']!r}: {must_be(loc, message, err)} (at {loc})"

    assert _problems("deadline: {amount: 1, unit: weeks}\n", wording={"literal_error": reword}) == [
        "x.yaml:1:23: deadline.unit: 'weeks': must be 'days' or 'months' (at ['deadline', 'unit'])"
    ]


def test_a_model_level_check_may_name_its_field() -> None:
    text = "deadline:\n  amount: -1\n"
    assert _problems(text) == ["x.yaml:1:1: deadline: amount: must not be negative"]
    named = _problems(text, names_field=lambda loc, head: loc == ["deadline"] and head == "amount")
    assert named == ["x.yaml:2:3: deadline.amount: must not be negative"]


def test_without_positions_the_field_is_the_errors_own_path_inside_where() -> None:
    with pytest.raises(ValidationError) as raised:
        _Outer.model_validate({"deadline": {}})
    found = validation_problems(raised.value.errors(), {}, None, wording={}, where=("case",))
    assert found == [Problem("Field required", field="case.deadline.amount")]


class _Pair(BaseModel):
    a: int
    b: int


class _Holder(BaseModel):
    pair: _Pair


def test_identical_problems_are_given_once_unless_asked() -> None:
    data, positions = load_yaml_text("pair: {}\n", "x.yaml")
    with pytest.raises(ValidationError) as raised:
        _Holder.model_validate(data)
    errors = raised.value.errors()
    once = validation_problems(errors, data, positions, wording={}, name_absent=False)
    assert [str(p) for p in once] == ["x.yaml:1:1: pair: Field required"]
    every = validation_problems(
        errors, data, positions, wording={}, name_absent=False, dedupe=False
    )
    assert every == once * 2
