"""A seeded generator of SYNTHETIC case histories, for demos, tests and benchmarks.

**The histories are made up. They are not real cases and no real child's data was used.** They
are shaped to look like a caseload of the period: under the standard regime, child
investigations finishing around their deadline (some late), then a decision and measures;
in the network's municipalities inside their experiment window, assessments in the first weeks
and measures soon after. Every deadline the timings lean on is read from the rule files (the
rules' ``deadline`` entries, through :func:`lovregler.law.dates.add_period`), every municipality
from :func:`lovregler.all_municipalities`, and the network and its windows from
the overlay of the catalogue's compared pair (its participants). The obligations whose deadlines
shape the timings are those the history events fulfil (``vocabulary.yaml``). The same ``seed``
gives the same histories.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO, Any

from lovregler._api import load_regime
from lovregler._engine import default_engine
from lovregler.case.history import EVENT_KINDS, CaseHistory, Event
from lovregler.case.model import Case, case_field_value
from lovregler.law.dates import add_period
from lovregler.law.loader import LoadedParticipant, Regime
from lovregler.law.models import Deadline, Repeat
from lovregler.law.municipalities import all_municipalities
from lovregler.law.vocabulary import vocabulary


def _fulfilled_by(event: str) -> tuple[str, ...]:
    """The obligations an event type fulfils (the rules' event table)."""
    return EVENT_KINDS[event].obligations


# The obligations whose deadlines shape the timings: those the generated events fulfil.
_INVESTIGATION = _fulfilled_by("investigation_completed")[0]
_ASSESSMENT = _fulfilled_by("assessment_completed")[0]
_NOTIFICATION = _fulfilled_by("notification_assessed")[0]
_TIME_TO_HELP = vocabulary().time_to_help.obligation

# Synthetic mix (not law): how often measures are decided, and which, by weight.
_MEASURE_WEIGHTS = {1: 4, 2: 14, 3: 16, 4: 2, 5: 6, 6: 12, 7: 5, 8: 2, 9: 10}
_NETWORK_SHARE = 0.35  # share of generated cases in the network's municipalities


@dataclass(frozen=True)
class _Plan:
    """The rule-file facts the generator needs, read once."""

    base: Regime
    overlay: Regime
    participants: list[LoadedParticipant]
    first: date
    last: date
    follow_up: str  # the base regime's recurring follow-up
    goals: str | None  # the overlay's own recurring follow-up, if it has one


def _plan(as_of: date | None) -> _Plan:
    pair = default_engine().catalogue.model.compare
    overlay = load_regime(pair.other)
    base = overlay.base or load_regime(pair.base)
    participants = list(overlay.participants or [])
    valid = base.header.valid
    first = valid.from_ if valid else min(p.window_from for p in participants)
    # up to the end of the overlay's period (the network's experiments), else of the base's
    period = overlay.header.valid or valid
    last = as_of or (period.to if period else max(p.window_to for p in participants))
    followed = _fulfilled_by("follow_up")
    in_base = [o for o in followed if base.rule(o) is not None]
    own = [o for o in followed if o not in in_base and overlay.rule(o) is not None]
    return _Plan(base, overlay, participants, first, last, in_base[0], own[0] if own else None)


def _deadline(regime: Regime, rule_id: str) -> Deadline:
    rule = regime.rule(rule_id)
    if rule is None or not rule.deadlines:
        raise LookupError(f"the {regime.name} rules give no deadline for {rule_id}")
    plain = [d for d in rule.deadlines if d.when is None]
    return (plain or rule.deadlines)[0]


def _due(deadline: Deadline, case: Case) -> date:
    start: date = case_field_value(case, deadline.from_)
    return add_period(start, deadline.amount, deadline.unit)


def generate_histories(
    n: int, seed: int = 0, *, as_of: date | None = None
) -> Iterator[CaseHistory]:
    """``n`` SYNTHETIC case histories (made up, not real cases), the same for the same ``seed``.

    No event lies after ``as_of`` (default: the last day of the overlay's period), so
    audit them on ``as_of`` or later. Cases whose planned decision lies after ``as_of`` are still
    open: their later events have not happened yet.
    """
    plan = _plan(as_of)
    rng = random.Random(seed)
    municipalities = all_municipalities()
    network = {p.municipality.code for p in plan.participants}
    others = [m for m in municipalities if m.code not in network] or municipalities
    measures, weights = list(_MEASURE_WEIGHTS), list(_MEASURE_WEIGHTS.values())
    span = (plan.last - plan.first).days
    for number in range(1, n + 1):
        participant: LoadedParticipant | None = None
        if plan.participants and rng.random() < _NETWORK_SHARE:
            participant = rng.choice(plan.participants)
            municipality = participant.municipality
        else:
            municipality = rng.choice(others)
        awareness = plan.first + timedelta(days=rng.randrange(max(1, span - 30)))
        yield _history(
            rng, plan, number, municipality.code, awareness, participant, measures, weights
        )


def _history(
    rng: random.Random,
    plan: _Plan,
    number: int,
    code: str,
    awareness: date,
    participant: LoadedParticipant | None,
    measure_pool: list[int],
    weights: list[int],
) -> CaseHistory:
    presumed = rng.random() < 0.9
    chosen: list[int] = []
    if presumed and rng.random() < 0.75:
        chosen = sorted(set(rng.choices(measure_pool, weights, k=rng.choice((1, 1, 2, 2, 3)))))
    age = rng.randrange(0, 18)
    notified = rng.random() < 0.7
    facts: dict[str, Any] = {
        "case_id": f"SYN-{code}-{number:07d}",
        "municipality": code,
        "child_age": age,
        "awareness_date": awareness,
        "support_need_presumed": presumed,
        "measures": chosen,
        # always consent: no placement without consent, which the overlay may never touch
        "consent": True if chosen else None,
        "child_conversation_exception": "maturity" if age < 3 and rng.random() < 0.8 else None,
        "notification_date": awareness - timedelta(days=rng.choice((0, 0, 0, 1)))
        if notified
        else None,
    }
    # Overlay timings if the decision then falls in the window; else standard timings, and
    # the case is an overlay case still if that later decision falls in the window.
    work = _assessment_days(rng, plan, facts, participant is not None)
    decision = work + timedelta(days=rng.randrange(3, 21))
    overlay = _in_window(plan, participant, facts, decision)
    if not overlay:
        work = _assessment_days(rng, plan, facts, False)
        decision = work + timedelta(days=rng.randrange(3, 21))
        overlay = _in_window(plan, participant, facts, decision)
    facts["decision_date"] = decision
    case = Case.model_validate(facts)
    events = _events(rng, plan, case, overlay, work, decision)
    return CaseHistory(case=case, events=[e for e in events if e.date <= plan.last])


def _in_window(
    plan: _Plan, participant: LoadedParticipant | None, facts: dict[str, Any], decision: date
) -> bool:
    if participant is None:
        return False
    day = {**facts, "decision_date": decision}.get(plan.overlay.header.window_date)
    return day is not None and participant.window_from <= day <= participant.window_to


def _assessment_days(rng: random.Random, plan: _Plan, facts: dict[str, Any], overlay: bool) -> date:
    """When the investigation (standard) or assessment (overlay) is finished."""
    awareness: date = facts["awareness_date"]
    probe = Case.model_validate({**facts, "decision_date": awareness})
    if overlay:
        # the assessment's own deadline, or where the law gives it none, the time-to-help aim
        rule = plan.overlay.rule(_ASSESSMENT)
        timed = _ASSESSMENT if rule is not None and rule.deadlines else _TIME_TO_HELP
        due = _due(_deadline(plan.overlay, timed), probe)
        window = (due - awareness).days
        offset = round(rng.gauss(window * 0.4, window * 0.25))  # in the first weeks
        return awareness + timedelta(days=max(1, offset))
    due = _due(_deadline(plan.base, _INVESTIGATION), probe)
    return due + timedelta(days=round(rng.gauss(-12, 20)))  # around the limit, some late


def _events(
    rng: random.Random, plan: _Plan, case: Case, overlay: bool, work: date, decision: date
) -> list[Event]:
    regime = plan.overlay if overlay else plan.base
    out: list[Event] = []

    def add(kind: str, day: date, **extra: Any) -> None:
        out.append(
            Event.model_validate({"type": kind, "date": max(day, case.awareness_date), **extra})
        )

    if case.notification_date is not None:
        out.append(Event(type="notification_received", date=case.notification_date))
        due = _due(_deadline(regime, _NOTIFICATION), case)
        if rng.random() < 0.93:
            add("notification_assessed", due - timedelta(days=rng.choice((0, 0, 1))))
        elif rng.random() < 0.7:
            add("notification_assessed", due + timedelta(days=rng.randrange(1, 5)))
    add("awareness", case.awareness_date)
    if not case.support_need_presumed and not case.measures:
        return sorted(out, key=lambda e: e.date)
    if rng.random() < 0.97:
        add("assessment_completed" if overlay else "investigation_completed", work)
    if case.measures:
        before = decision - timedelta(days=rng.randrange(0, 10))
        if case.child_conversation_exception is None and rng.random() < 0.9:
            late = rng.random() < 0.1
            day = decision + timedelta(days=rng.randrange(1, 15)) if late else before
            add("involvement_plan_made" if overlay else "child_conversation_held", day)
        if rng.random() < 0.92:
            late = rng.random() < 0.12
            day = decision + timedelta(days=rng.randrange(1, 40)) if late else before
            add("goals_set" if overlay else "handleplan_made", day)
        started = decision + timedelta(days=rng.randrange(0, 10 if overlay else 28))
        for measure in case.measures:
            add("measure_decided", decision, measure=measure)
            add("measure_started", started + timedelta(days=rng.randrange(0, 5)), measure=measure)
        follow_up = _deadline(regime, plan.follow_up)
        out += _follow_ups(rng, follow_up.repeat, _due(follow_up, case), plan.follow_up, plan.last)
        goals = _deadline(regime, plan.goals) if overlay and plan.goals else None
        if goals is not None and goals.repeat is not None and plan.goals:
            set_on = max((e.date for e in out if e.type == "goals_set"), default=decision)
            first = add_period(set_on, goals.repeat.max, goals.repeat.unit)
            out += _follow_ups(rng, goals.repeat, first, plan.goals, plan.last)
    return sorted(out, key=lambda e: e.date)


def _follow_ups(
    rng: random.Random, repeat: Repeat | None, due: date, obligation: str, last: date
) -> list[Event]:
    """Follow-ups of a recurring obligation from its first due date: mostly on time or a few
    days early, now and then late or skipped."""
    out: list[Event] = []
    while due <= last and repeat is not None:
        roll = rng.random()
        if roll < 0.02:  # skipped
            due = add_period(due, repeat.max, repeat.unit)
            continue
        offset = rng.randrange(1, 30) if roll < 0.08 else -rng.randrange(0, 8)
        day = due + timedelta(days=offset)
        if day > last:
            break
        out.append(Event(type="follow_up", date=day, obligation=obligation))
        due = add_period(day, repeat.max, repeat.unit)
    return out


def write_histories_jsonl(histories: Iterator[CaseHistory], out: IO[str]) -> int:
    """Write histories as JSON Lines (one per line); returns how many."""
    count = 0
    for history in histories:
        out.write(history.model_dump_json(exclude_defaults=True))
        out.write("\n")
        count += 1
    return count


__all__ = ["generate_histories", "write_histories_jsonl"]
