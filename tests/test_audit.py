"""audit(): each status, the month-end rule, recurring follow-ups, time to help, caseloads."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lovregler import CaseError, evaluate, load_regime
from lovregler.auditing.audit import (
    AUDIT_STATUSES,
    Auditor,
    AuditResult,
    audit,
    help_target,
    summarize,
)
from lovregler.case.history import EVENT_KINDS, CaseHistory
from lovregler.law.dates import Unit, add_period

AS_OF = date(2021, 6, 1)


def _case(**overrides: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "case_id": "A-1",
        "municipality": "Aarhus",  # outside the network: the standard regime
        "child_age": 9,
        "awareness_date": "2019-10-31",
        "support_need_presumed": True,
    }
    case.update(overrides)
    return case


def _audit(events: list[dict[str, Any]], as_of: date = AS_OF, **case: Any) -> AuditResult:
    return audit({"case": _case(**case), "events": events}, as_of=as_of)


# --- each status ---------------------------------------------------------------------------------


def test_met_on_the_due_date_month_end_rule() -> None:
    # 31 October 2019 + 4 months = 29 February 2020 (the month-end rule, through an audit)
    result = _audit([{"type": "investigation_completed", "date": "2020-02-29"}])
    item = result.item("sel50.boernefaglig_undersoegelse")
    assert (item.status, item.due, item.done, item.days_late) == (
        "met",
        date(2020, 2, 29),
        date(2020, 2, 29),
        None,
    )
    assert item.legal_basis == "SEL § 50, stk. 1"
    assert item.obligation_status == "required"
    assert result.regime == "standard"


def test_late_by_days() -> None:
    result = _audit([{"type": "investigation_completed", "date": "2020-03-02"}])
    item = result.item("sel50.boernefaglig_undersoegelse")
    assert (item.status, item.done, item.days_late) == ("late", date(2020, 3, 2), 2)


def test_missing_when_the_due_date_passed() -> None:
    item = _audit([]).item("sel50.boernefaglig_undersoegelse")
    assert (item.status, item.due, item.done) == ("missing", date(2020, 2, 29), None)


def test_pending_before_the_due_date() -> None:
    for as_of in (date(2019, 12, 1), date(2020, 2, 29)):  # due today is not yet missed
        item = _audit([], as_of=as_of).item("sel50.boernefaglig_undersoegelse")
        assert (item.status, item.due) == ("pending", date(2020, 2, 29))


def test_not_applicable_for_every_status_but_required() -> None:
    result = _audit([], measures=[2], consent=True, child_conversation_exception="maturity")
    assert result.item("sel52.stk3.nr1").status == "not_applicable"  # not in the case
    waived = result.item("sel48.boernesamtale")
    assert (waived.status, waived.obligation_status) == ("not_applicable", "waived")
    overlay = audit(
        {
            "case": _case(municipality="Ikast-Brande", decision_date="2019-11-20"),
            "events": [{"type": "investigation_completed", "date": "2019-12-01"}],
        },
        as_of=AS_OF,
    )
    dispensed = overlay.item("sel50.boernefaglig_undersoegelse")
    assert overlay.regime == "frikommune"
    assert (dispensed.status, dispensed.obligation_status) == ("not_applicable", "dispensed")
    assert dispensed.done == date(2019, 12, 1)  # shown, but it decides nothing


def test_a_decision_without_a_deadline_is_met_or_pending() -> None:
    result = _audit(
        [{"type": "measure_decided", "date": "2020-01-10", "measure": 5}],
        measures=[5, 8],
        consent=True,
    )
    assert result.item("sel52.stk3.nr5").status == "met"
    assert result.item("sel52.stk3.nr8").status == "pending"
    assert result.item("sel52.stk3.nr8").due is None


def test_notification_assessed_within_24_hours() -> None:
    events = [
        {"type": "notification_received", "date": "2019-10-30"},
        {"type": "notification_assessed", "date": "2019-10-31"},
    ]
    item = _audit(events).item("sel155.vurdering_af_underretning")
    assert (item.status, item.due) == ("met", date(2019, 10, 31))
    events[1]["date"] = "2019-11-01"
    assert _audit(events).item("sel155.vurdering_af_underretning").days_late == 1


def test_counts() -> None:
    result = _audit([{"type": "investigation_completed", "date": "2020-03-02"}])
    counts = result.counts()
    assert list(counts) == list(AUDIT_STATUSES)
    assert counts["late"] == 1
    assert sum(counts.values()) == len(result.items)


# --- recurring obligations -------------------------------------------------------------------------


def test_recurring_follow_ups_occurrence_by_occurrence() -> None:
    case = {"measures": [3], "consent": True, "decision_date": "2019-11-30"}
    events = [
        # due 2020-02-29 (3 months after 30 November 2019, month-end rule): met early
        {"type": "follow_up", "date": "2020-02-20", "obligation": "sel70.opfoelgning"},
        # next due 6 months after the follow-up: 2020-08-20; 10 days late
        {"type": "follow_up", "date": "2020-08-30", "obligation": "sel70.opfoelgning"},
        # next due 2021-02-28; none by then, nor by 2021-08-28: missed; then pending
    ]
    item = _audit(events, as_of=date(2021, 6, 1), **case).item("sel70.opfoelgning")
    got = [(o.number, o.status, o.due, o.done, o.days_late) for o in item.occurrences]
    assert got == [
        (1, "met", date(2020, 2, 29), date(2020, 2, 20), None),
        (2, "late", date(2020, 8, 20), date(2020, 8, 30), 10),
        (3, "missing", date(2021, 2, 28), None, None),
        (4, "pending", date(2021, 8, 28), None, None),
    ]
    assert item.status == "missing"  # the worst occurrence that was due
    assert (item.due, item.done, item.days_late, item.next_due) == (
        date(2020, 2, 29),
        date(2020, 2, 20),
        10,
        date(2021, 8, 28),
    )


def test_a_follow_up_after_a_missed_one_counts_for_the_next() -> None:
    case = {"measures": [3], "consent": True, "decision_date": "2019-11-30"}
    events = [{"type": "follow_up", "date": "2020-10-01", "obligation": "sel70.opfoelgning"}]
    item = _audit(events, as_of=date(2020, 12, 1), **case).item("sel70.opfoelgning")
    got = [(o.status, o.due, o.done) for o in item.occurrences]
    assert got == [
        ("missing", date(2020, 2, 29), None),
        ("late", date(2020, 8, 29), date(2020, 10, 1)),
        ("pending", date(2021, 4, 1), None),
    ]


def test_recurring_all_met_then_pending_is_met() -> None:
    case = {"measures": [3], "consent": True, "decision_date": "2019-11-30"}
    events = [{"type": "follow_up", "date": "2020-02-29", "obligation": "sel70.opfoelgning"}]
    item = _audit(events, as_of=date(2020, 3, 1), **case).item("sel70.opfoelgning")
    assert item.status == "met"
    assert [o.status for o in item.occurrences] == ["met", "pending"]


def test_recurring_nothing_due_yet_is_pending() -> None:
    case = {"measures": [3], "consent": True, "decision_date": "2019-11-30"}
    item = _audit([], as_of=date(2019, 12, 1), **case).item("sel70.opfoelgning")
    assert item.status == "pending"
    assert len(item.occurrences) == 1


def test_overlay_goals_then_close_follow_ups() -> None:
    overlay = load_regime("frikommune")
    rule = overlay.rule("frikommune.maal_og_opfoelgning")
    assert rule is not None and rule.deadlines[0].repeat is not None
    repeat = rule.deadlines[0].repeat
    decision = date(2019, 3, 4)
    second = add_period(decision, repeat.max, repeat.unit)
    events = [
        {"type": "goals_set", "date": decision.isoformat()},
        {"type": "follow_up", "date": second.isoformat()},  # no obligation: counts for each
    ]
    result = audit(
        {
            "case": _case(
                municipality="Ikast-Brande",
                awareness_date="2019-02-01",
                decision_date=decision.isoformat(),
                measures=[2],
                consent=True,
            ),
            "events": events,
        },
        as_of=second + timedelta(days=1),
    )
    goals = result.item("frikommune.maal_og_opfoelgning")
    assert [o.status for o in goals.occurrences] == ["met", "met", "pending"]
    assert goals.status == "met"
    # the same follow-up also served the § 70 follow-up, whose first one was due later
    assert result.item("sel70.opfoelgning").occurrences[0].done == second


# --- bad histories at audit time ---------------------------------------------------------------


def test_event_after_as_of_names_its_field() -> None:
    with pytest.raises(CaseError) as exc:
        _audit([{"type": "investigation_completed", "date": "2020-02-01"}], as_of=date(2020, 1, 1))
    assert [p.field for p in exc.value.problems] == ["events[0].date"]
    assert "after as_of" in exc.value.problems[0].message


def test_a_case_begun_after_as_of_is_refused() -> None:
    with pytest.raises(CaseError) as exc:
        _audit([], as_of=date(2019, 10, 1))
    assert [p.field for p in exc.value.problems] == ["case.awareness_date"]


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"type": "goals_set", "date": "2020-01-10"}, "events[0].type"),
        ({"type": "assessment_completed", "date": "2020-01-10"}, "events[0].type"),
        (
            {
                "type": "follow_up",
                "date": "2020-01-10",
                "obligation": "frikommune.maal_og_opfoelgning",
            },
            "events[0].obligation",
        ),
    ],
)
def test_event_for_an_obligation_the_regime_does_not_know(
    event: dict[str, Any], field: str
) -> None:
    with pytest.raises(CaseError) as exc:
        _audit([event], measures=[2], consent=True)
    assert [p.field for p in exc.value.problems] == [field]
    assert "the standard regime has no obligation" in exc.value.problems[0].message


def test_the_overlay_asked_for_but_not_applying_is_standard() -> None:
    history = {"case": _case(), "events": [{"type": "goals_set", "date": "2020-01-10"}]}
    with pytest.raises(CaseError, match="standard regime has no obligation"):
        audit(history, "frikommune", as_of=AS_OF)


# --- time to help ----------------------------------------------------------------------------------


def _target_days(awareness: date) -> int:
    rule = load_regime("frikommune").rule("frikommune.familieorienteret_indsats")
    assert rule is not None
    deadline = rule.deadlines[0]
    return (add_period(awareness, deadline.amount, deadline.unit) - awareness).days


def test_time_to_help_from_the_rule_files() -> None:
    awareness = date(2019, 2, 1)
    target = _target_days(awareness)
    target_rule = help_target()
    assert target_rule.start == "awareness_date"
    case: dict[str, Any] = {
        "awareness_date": awareness.isoformat(),
        "measures": [2],
        "consent": True,
    }
    on_target = (awareness + timedelta(days=target)).isoformat()
    started: list[dict[str, Any]] = [{"type": "measure_started", "date": on_target, "measure": 2}]
    help_ = _audit(started, **case).time_to_help
    assert (help_.days, help_.target_days, help_.within_target) == (target, target, True)
    later = (awareness + timedelta(days=target + 1)).isoformat()
    started[0]["date"] = later
    assert _audit(started, **case).time_to_help.within_target is False


def test_time_to_help_undecided_and_overdue() -> None:
    case = {"awareness_date": "2019-02-01", "measures": [2], "consent": True}
    assert _audit([], as_of=date(2019, 2, 10), **case).time_to_help.within_target is None
    overdue = _audit([], as_of=date(2019, 12, 1), **case).time_to_help
    assert (overdue.within_target, overdue.days) == (False, None)
    no_measures = _audit([], as_of=date(2019, 12, 1)).time_to_help
    assert no_measures.within_target is None


def test_overlay_measure_started_fulfils_the_family_oriented_measure() -> None:
    events = [
        {"type": "measure_started", "date": "2019-02-20", "measure": 1},
        {"type": "measure_started", "date": "2019-03-20", "measure": 3},
    ]
    result = audit(
        {
            "case": _case(
                municipality="Ikast-Brande",  # forsøg 2 (the merge) ran in Ikast-Brande only
                awareness_date="2019-02-01",
                decision_date="2019-02-15",
                measures=[1, 3],
                consent=True,
            ),
            "events": events,
        },
        as_of=AS_OF,
    )
    item = result.item("frikommune.familieorienteret_indsats")
    # only measure 3 is merged into it; measure 1 started earlier but does not count
    assert (item.done, item.status) == (date(2019, 3, 20), "late")
    assert result.time_to_help.first_measure_started == date(2019, 2, 20)


def test_without_the_merge_a_measure_started_fulfils_the_measure_itself() -> None:
    case = _case(
        municipality="Gladsaxe",  # forsøg 1 only: no merge
        awareness_date="2019-02-01",
        decision_date="2019-02-15",
        measures=[3],
        consent=True,
    )
    events = [
        {"type": "measure_decided", "date": "2019-02-15", "measure": 3},
        {"type": "measure_started", "date": "2019-03-20", "measure": 3},
    ]
    result = audit({"case": case, "events": events}, as_of=AS_OF)
    assert result.item("frikommune.familieorienteret_indsats").status == "not_applicable"
    assert result.item("sel52.stk3.nr3").obligation_status == "required"  # not merged away
    assert result.item("sel52.stk3.nr3").done == date(2019, 2, 15)


# --- caseloads ---------------------------------------------------------------------------------------


def test_summarize_per_regime_and_municipality() -> None:
    auditor = Auditor(as_of=AS_OF)
    results = []
    for index, days in enumerate([10, 20, 30, 40, 100]):
        awareness = date(2019, 2, 1)
        municipality = "Ikast-Brande" if index < 2 else "Aarhus"
        start = (awareness + timedelta(days=days)).isoformat()
        results.append(
            auditor.audit(
                {
                    "case": _case(
                        case_id=f"S-{index}",
                        municipality=municipality,
                        awareness_date=awareness.isoformat(),
                        decision_date=awareness.isoformat(),
                        measures=[2],
                        consent=True,
                    ),
                    "events": [{"type": "measure_started", "date": start, "measure": 2}],
                }
            )
        )
    summary = summarize(iter(results))
    assert summary.all.cases == 5
    assert summary.all.median_days == 30
    assert summary.all.p90_days == 100
    assert summary.all.share_within_target == 4 / 5
    assert set(summary.by_regime) == {"frikommune", "standard"}
    assert summary.by_regime["frikommune"].median_days == 15
    assert set(summary.by_municipality) == {"756", "751"}
    assert summary.days_by_regime["standard"] == {30: 1, 40: 1, 100: 1}
    due = summary.all.met + summary.all.late + summary.all.missing
    assert summary.all.share_met_on_time == summary.all.met / due


def test_summarize_nothing() -> None:
    summary = summarize([])
    assert summary.all.cases == 0
    assert summary.all.median_days is None
    assert summary.all.share_met_on_time is None


# --- the property: on time everywhere is all met; one day late is exactly one late -----------------


def _on_time_history(case: dict[str, Any], as_of: date) -> tuple[CaseHistory, list[int]]:
    """Every required obligation done on its due date (recurring ones: every occurrence up to
    ``as_of``); returns the history and the indexes of the events that carry a deadline."""
    result = evaluate(case, "auto")
    by_obligation = {
        oid: kind_name
        for kind_name, kind in EVENT_KINDS.items()
        if not kind.measure and not kind.case_date and not kind.choose
        for oid in kind.obligations
    }
    events: list[dict[str, Any]] = [{"type": "awareness", "date": case["awareness_date"]}]
    if case.get("notification_date"):
        events.append({"type": "notification_received", "date": case["notification_date"]})
    timed: list[dict[str, Any]] = []
    for ob in result.required():
        if ob.due is None:  # no deadline (e.g. the socialfaglig vurdering): done by the decision
            if ob.id in by_obligation:
                events.append({"type": by_obligation[ob.id], "date": case["decision_date"]})
            continue
        if ob.id in by_obligation:
            first: dict[str, Any] = {"type": by_obligation[ob.id], "date": ob.due}
        elif ob.repeats is not None:
            first = {"type": "follow_up", "date": ob.due, "obligation": ob.id}
        else:  # fulfilled by starting a measure that the regime merged into it
            merged = [
                m
                for m in case["measures"]
                if ob.id in result.obligation(f"sel52.stk3.nr{m}").replaced_by
            ]
            first = {"type": "measure_started", "date": ob.due, "measure": merged[0]}
        timed.append(first)
        if ob.repeats is not None:
            unit = cast(Unit, ob.repeats.unit)
            day = add_period(ob.due, ob.repeats.max, unit)
            while day < as_of:
                timed.append({"type": "follow_up", "date": day, "obligation": ob.id})
                day = add_period(day, ob.repeats.max, unit)
    for measure in case["measures"]:
        events.append(
            {"type": "measure_decided", "date": case["decision_date"], "measure": measure}
        )
    every = sorted([*events, *timed], key=lambda e: date.fromisoformat(str(e["date"])))
    history = CaseHistory.model_validate({"case": case, "events": every})
    movable = [i for i, e in enumerate(every) if any(e is t for t in timed)]
    return history, movable


@st.composite
def _cases(draw: st.DrawFn) -> dict[str, Any]:
    awareness = draw(st.dates(date(2018, 1, 1), date(2020, 10, 31)))
    notified = draw(st.sampled_from([None, 0, 1]))
    measures = draw(st.sets(st.integers(1, 9), max_size=3))
    return {
        "case_id": "P-1",
        "municipality": draw(
            st.sampled_from(["Ikast-Brande", "Gladsaxe", "Guldborgsund", "Aarhus", "Odense"])
        ),
        "child_age": draw(st.integers(0, 17)),
        "awareness_date": awareness.isoformat(),
        "decision_date": (awareness + timedelta(days=draw(st.integers(0, 200)))).isoformat(),
        "support_need_presumed": draw(st.booleans()),
        "measures": sorted(measures),
        "consent": True if measures else None,
        "urgent": draw(st.booleans()),
        "child_conversation_exception": draw(st.sampled_from([None, None, "maturity"])),
        "notification_date": None
        if notified is None
        else (awareness - timedelta(days=notified)).isoformat(),
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_cases(), extra=st.integers(1, 400), which=st.integers(0, 10_000))
def test_property_on_time_is_met_and_one_day_late_is_late(
    case: dict[str, Any], extra: int, which: int
) -> None:
    latest = max(
        date.fromisoformat(case["decision_date"]), date.fromisoformat(case["awareness_date"])
    )
    as_of = latest + timedelta(days=extra + 200)  # after every first due date
    history, movable = _on_time_history(case, as_of)
    auditor = Auditor(as_of=as_of)
    result = auditor.audit(history)
    statuses = result.statuses()
    for item in result.items:
        expected = "met" if item.obligation_status == "required" else "not_applicable"
        assert item.status == expected, (item.id, item)
    if not movable:
        return
    index = movable[which % len(movable)]
    event = history.events[index]
    moved = event.model_copy(update={"date": event.date + timedelta(days=1)})
    events = [*history.events[:index], *history.events[index + 1 :], moved]
    events.sort(key=lambda e: e.date)
    later = CaseHistory(case=history.case, events=events)
    after = auditor.audit(later).statuses()
    changed = {k: v for k, v in after.items() if v != statuses[k]}
    assert list(changed.values()) == ["late"], (event, changed)
