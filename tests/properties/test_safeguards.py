"""What the frikommune dispensation changes, and what it cannot: one property per safeguard.

Each test generates cases across the whole input space (every age, every set of measures,
consent, § 48 exceptions, network and other municipalities by name and code, dates on and
around the window edges) and checks one invariant of :mod:`lovregler.testing` against the
bundled regimes. A failure prints the case as YAML and both results side by side.
"""

from __future__ import annotations

from hypothesis import given

from lovregler import Case
from lovregler.testing import (
    assert_no_violations,
    cases,
    check_child_always_heard,
    check_declared_dispensations_take_effect,
    check_explained,
    check_faster_never_slower,
    check_no_case_unassessed,
    check_no_experiment_without_participation,
    check_no_help_lost_in_merge,
    check_only_declared_dispensations_differ,
    check_outside_overlay_nothing_changes,
    check_untouched_safeguards_identical,
)


@given(cases())
def test_outside_the_overlay_nothing_changes(case: Case) -> None:
    """Not a member, outside the window, or excluded by § 10, stk. 6 -> frikommune == standard."""
    assert_no_violations(check_outside_overlay_nothing_changes(case))


@given(cases())
def test_only_declared_dispensations_differ(case: Case) -> None:
    """Every difference is a dispensation through a declared `dispenses` link."""
    assert_no_violations(check_only_declared_dispensations_differ(case))


@given(cases())
def test_declared_dispensations_take_effect(case: Case) -> None:
    """Inside the overlay, each replacement the contract declares is in force."""
    assert_no_violations(check_declared_dispensations_take_effect(case))


@given(cases())
def test_the_child_is_always_heard(case: Case) -> None:
    """Standard requires the § 48 conversation -> frikommune requires it or the inddragelsesplan."""
    assert_no_violations(check_child_always_heard(case))


@given(cases())
def test_no_case_goes_unassessed(case: Case) -> None:
    """Standard requires the § 50 investigation -> frikommune requires it or the vurdering."""
    assert_no_violations(check_no_case_unassessed(case))


@given(cases())
def test_faster_never_slower(case: Case) -> None:
    """Each replacing obligation is due no later than what it replaces."""
    assert_no_violations(check_faster_never_slower(case))


@given(cases())
def test_no_help_is_lost_in_the_merge(case: Case) -> None:
    """Nr. 2, 3, 6 and 9 asked for -> covered by the one familieorienteret indsats, and only then."""
    assert_no_violations(check_no_help_lost_in_merge(case))


@given(cases())
def test_no_municipality_gets_an_experiment_it_does_not_take_part_in(case: Case) -> None:
    """An experiment that does not run for the municipality on the date gives and lifts nothing."""
    assert_no_violations(check_no_experiment_without_participation(case))


@given(cases())
def test_untouched_safeguards_stay_identical(case: Case) -> None:
    """Obligations no `dispenses` link names: same status and due date under both regimes."""
    assert_no_violations(check_untouched_safeguards_identical(case))


@given(cases())
def test_every_obligation_is_explained(case: Case) -> None:
    """Legal basis and reasons for every obligation; the first reason names the rule."""
    assert_no_violations(check_explained(case))
