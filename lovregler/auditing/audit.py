"""Deadline compliance of what actually happened, and the time from awareness to help.

:func:`audit` evaluates a :class:`~lovregler.CaseHistory`'s case (the regime chosen as
:func:`~lovregler.evaluate` chooses it) and sets each obligation beside the events that fulfil
it. Every due date comes from that evaluation, and every later one from
:func:`lovregler.law.dates.add_period`: no deadline is written here. :class:`CaseloadSummary`
aggregates any number of results in constant memory.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lovregler._api import evaluate, load_regime
from lovregler._engine import default_engine
from lovregler._errors import CaseError, Problem, RegimeError, UsageError
from lovregler._result import EvaluationResult, Obligation, Status
from lovregler.case.history import EVENT_KINDS, CaseHistory, parse_history
from lovregler.case.model import Case, case_field_value
from lovregler.explain.texts import Lang
from lovregler.law.dates import UNITS, Unit, add_period
from lovregler.law.loader import Regime
from lovregler.law.vocabulary import FIRST_CASE_DATE, LAST_CASE_DATE, vocabulary

AuditStatus = Literal["met", "late", "missing", "pending", "not_applicable"]
AUDIT_STATUSES: tuple[AuditStatus, ...] = ("met", "late", "missing", "pending", "not_applicable")
_WORST: tuple[AuditStatus, ...] = ("missing", "late", "met")

# Where the time-to-help target lives: the overlay's one family-oriented measure is due a
# fixed time after awareness (the experiment's aim). Read from the rule files, never written here.
# The time-to-help target is law (an obligation's deadline): named in the rules' vocabulary.
HELP_TARGET_REGIME = vocabulary().time_to_help.regime
HELP_TARGET_OBLIGATION = vocabulary().time_to_help.obligation


class Occurrence(BaseModel):
    """One occurrence of a recurring obligation (e.g. one follow-up)."""

    model_config = ConfigDict(frozen=True)

    number: int = Field(description="1 for the first occurrence")
    status: AuditStatus
    due: date
    done: date | None = None
    days_late: int | None = None


class AuditItem(BaseModel):
    """One obligation of the case, set beside what happened."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Obligation id, as the rule files name it")
    status: AuditStatus = Field(
        description="met, late, missing, pending or not_applicable; for a recurring obligation "
        "the worst of its occurrences that are due (missing, late, met), else pending"
    )
    obligation_status: Status = Field(description="The status evaluate gave the obligation")
    legal_basis: str = Field(description="Citation(s), as evaluate gives them")
    title: str = ""
    due: date | None = Field(None, description="Due date (the first one, if recurring)")
    done: date | None = Field(None, description="The first day it was done")
    days_late: int | None = Field(None, description="Days after due (the most, if recurring)")
    next_due: date | None = Field(None, description="Recurring: the next due date after as_of")
    occurrences: list[Occurrence] = []


class TimeToHelp(BaseModel):
    """Days from awareness to the first measure started, against the experiment's target."""

    model_config = ConfigDict(frozen=True)

    awareness_date: date
    first_measure_started: date | None = None
    days: int | None = Field(None, description="Days from awareness to the first measure started")
    target_date: date = Field(description="The target as a date (from the rule files)")
    target_days: int
    within_target: bool | None = Field(
        None,
        description="null while undecided: no measure started yet and the target not passed, "
        "or no measures in the case",
    )


class AuditResult(BaseModel):
    """Every obligation of one case history, audited on ``as_of``."""

    model_config = ConfigDict(frozen=True)

    case_id: str
    municipality: str = Field(description="Kommunekode")
    as_of: date
    regime: str
    regime_reason: str
    requested_regime: str
    ruleset_version: str
    items: list[AuditItem]
    time_to_help: TimeToHelp
    unconfirmed: list[str] = Field(
        default=[], description="Required obligations that rest on law marked to_confirm"
    )

    def item(self, obligation_id: str) -> AuditItem:
        """The item for this obligation id; ``KeyError`` if the regime does not know it."""
        for item in self.items:
            if item.id == obligation_id:
                return item
        raise KeyError(obligation_id)

    def statuses(self) -> dict[str, AuditStatus]:
        return {i.id: i.status for i in self.items}

    def counts(self) -> dict[AuditStatus, int]:
        """How many obligations (occurrences, for recurring ones) have each status."""
        out: Counter[AuditStatus] = Counter()
        for item in self.items:
            if item.occurrences:
                out.update(o.status for o in item.occurrences)
            else:
                out[item.status] += 1
        return {s: out[s] for s in AUDIT_STATUSES}


# --- the audit ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HelpTarget:
    """The time-to-help target: ``amount`` ``unit`` after the case date ``start``."""

    start: str
    amount: int
    unit: Unit
    legal_basis: str


def help_target(regime: Regime | None = None) -> HelpTarget:
    """The target read from the rule files (the overlay's family-oriented measure deadline)."""
    regime = regime or load_regime(HELP_TARGET_REGIME)
    rule = regime.rule(HELP_TARGET_OBLIGATION)
    if rule is None or not rule.deadlines:
        raise RegimeError(
            f"the {regime.name} rules have no deadline for {HELP_TARGET_OBLIGATION}, which sets "
            "the time-to-help target"
        )
    deadline = rule.deadlines[0]
    basis = "; ".join(c.render() for c in rule.legal_basis)
    return HelpTarget(deadline.from_, deadline.amount, deadline.unit, basis)


def audit(
    history: CaseHistory | Mapping[str, Any],
    regime: str | Path | Regime = "auto",
    *,
    as_of: date,
    backend: str | None = None,
    lang: Lang = "da",
) -> AuditResult:
    """Audit one case history on ``as_of``: each obligation ``met``, ``late``, ``missing``,
    ``pending`` or ``not_applicable``, and the time to help.

    ``regime`` is chosen as :func:`~lovregler.evaluate` chooses it (``"auto"``: the overlay
    where it applies). Raises :class:`~lovregler.CaseError` for an invalid history, an event after
    ``as_of``, or an event for an obligation the regime does not know.
    """
    return Auditor(regime, as_of=as_of, backend=backend, lang=lang).audit(history)


class Auditor:
    """Audits many histories against one regime and ``as_of``, loading the rules once."""

    def __init__(
        self,
        regime: str | Path | Regime = "auto",
        *,
        as_of: date,
        backend: str | None = None,
        lang: Lang = "da",
    ) -> None:
        if not FIRST_CASE_DATE <= as_of <= LAST_CASE_DATE:  # as every date a case may give
            raise UsageError(
                f"as_of: {as_of} lies outside the dates a case may give "
                f"({FIRST_CASE_DATE}..{LAST_CASE_DATE})"
            )
        self.regime = default_engine()._spec(regime)  # refused here if unknown
        self.requested = regime if isinstance(regime, str) else self.regime.name  # type: ignore[union-attr]
        self.as_of, self.backend, self.lang = as_of, backend, lang
        self.target = help_target()

    def audit(self, history: CaseHistory | Mapping[str, Any]) -> AuditResult:
        history = parse_history(history)
        late_events = [
            Problem(
                f"{event.date} lies after as_of {self.as_of}; an audit sees only what has happened",
                field=f"events[{index}].date",
            )
            for index, event in enumerate(history.events)
            if event.date > self.as_of
        ]
        if history.case.awareness_date > self.as_of:
            late_events.insert(
                0,
                Problem(
                    f"{history.case.awareness_date} lies after as_of {self.as_of}; the case had "
                    "not begun",
                    field="case.awareness_date",
                ),
            )
        if late_events:
            raise CaseError(late_events)
        case = history.facts()
        result = evaluate(case, self.regime, backend=self.backend, lang=self.lang)
        done = _done_dates(history, result)
        items = [self._item(o, sorted(done.get(o.id, []))) for o in result.obligations]
        return AuditResult(
            case_id=result.case_id,
            municipality=case.municipality,
            as_of=self.as_of,
            regime=result.regime,
            regime_reason=result.regime_reason,
            requested_regime=self.requested,
            ruleset_version=result.ruleset_version,
            items=items,
            time_to_help=self._time_to_help(case, history),
            unconfirmed=[o.id for o in result.required() if o.confidence == "to_confirm"],
        )

    def audit_many(
        self, histories: Iterable[CaseHistory | Mapping[str, Any]]
    ) -> Iterator[AuditResult]:
        """One result per history, lazily (constant memory)."""
        for history in histories:
            yield self.audit(history)

    # one obligation ------------------------------------------------------------------------------

    def _item(self, obligation: Obligation, dates: list[date]) -> AuditItem:
        head = dict(
            id=obligation.id,
            obligation_status=obligation.status,
            legal_basis=obligation.legal_basis,
            title=obligation.title,
        )
        first = dates[0] if dates else None
        if obligation.status != "required":
            return AuditItem(status="not_applicable", done=first, **head)
        due = obligation.due
        if obligation.repeats is not None and due is not None:
            return self._recurring(obligation, due, dates, head)
        if due is None:  # required, but nothing in the rules dates it
            return AuditItem(status="met" if first else "pending", done=first, **head)
        status, late = _judge(due, first, self.as_of)
        return AuditItem(status=status, due=due, done=first, days_late=late, **head)

    def _recurring(
        self, obligation: Obligation, due: date, dates: list[date], head: dict[str, Any]
    ) -> AuditItem:
        """Occurrence by occurrence: the next one falls due ``repeats.max`` after the previous
        one was done, or after its due date if it was missed."""
        assert obligation.repeats is not None
        step, unit = obligation.repeats.max, _unit(obligation.repeats.unit)
        occurrences: list[Occurrence] = []
        index = 0
        while True:
            number = len(occurrences) + 1
            event = dates[index] if index < len(dates) else None
            if event is not None and event <= due:
                occurrences.append(Occurrence(number=number, status="met", due=due, done=event))
                index, due = index + 1, add_period(event, step, unit)
            elif event is not None and event <= add_period(due, step, unit):
                occurrences.append(
                    Occurrence(
                        number=number,
                        status="late",
                        due=due,
                        done=event,
                        days_late=(event - due).days,
                    )
                )
                index, due = index + 1, add_period(event, step, unit)
            elif event is not None or due < self.as_of:
                # Not done before the next one would fall due (or at all, by as_of): missed.
                occurrences.append(Occurrence(number=number, status="missing", due=due))
                due = add_period(due, step, unit)
            else:
                occurrences.append(Occurrence(number=number, status="pending", due=due))
                break
        judged = {o.status for o in occurrences}
        status: AuditStatus = next((s for s in _WORST if s in judged), "pending")
        lates = [o.days_late for o in occurrences if o.days_late is not None]
        return AuditItem(
            status=status,
            due=obligation.due,
            done=dates[0] if dates else None,
            days_late=max(lates) if lates else None,
            next_due=occurrences[-1].due,
            occurrences=occurrences,
            **head,
        )

    # time to help -------------------------------------------------------------------------------

    def _time_to_help(self, case: Case, history: CaseHistory) -> TimeToHelp:
        start: date = case_field_value(case, self.target.start) or case.awareness_date
        target = add_period(start, self.target.amount, self.target.unit)
        started = next((e.date for e in history.events if e.type == "measure_started"), None)
        within: bool | None = None
        if started is not None:
            within = started <= target
        elif case.measures and target < self.as_of:
            within = False
        return TimeToHelp(
            awareness_date=case.awareness_date,
            first_measure_started=started,
            days=(started - case.awareness_date).days if started else None,
            target_date=target,
            target_days=(target - start).days,
            within_target=within,
        )


def _judge(due: date, done: date | None, as_of: date) -> tuple[AuditStatus, int | None]:
    if done is not None:
        return ("met", None) if done <= due else ("late", (done - due).days)
    return ("missing", None) if due < as_of else ("pending", None)


def _unit(unit: str) -> Unit:
    if unit not in UNITS:
        raise RegimeError(f"unknown recurrence unit {unit!r}")
    return unit


def _done_dates(history: CaseHistory, result: EvaluationResult) -> dict[str, list[date]]:
    """Obligation id -> the days events fulfilled it; unknown obligations are errors."""
    known = {o.id: o for o in result.obligations}
    done: dict[str, list[date]] = {}
    problems: list[Problem] = []
    for index, event in enumerate(history.events):
        kind = EVENT_KINDS[event.type]
        ids = event.obligation_ids()
        if kind.choose and event.obligation is None:
            ids = tuple(i for i in ids if i in known) or ids[:1]
        missing = [i for i in ids if i not in known]
        if missing:
            named = "obligation" if event.obligation else "type"
            problems.append(
                Problem(
                    f"the {result.regime} regime has no obligation {missing[0]} for a "
                    f"{event.type} event ({result.regime_reason})",
                    field=f"events[{index}].{named}",
                )
            )
            continue
        targets: list[str] = []
        for oid in ids:
            if kind.via_replacement:
                targets += known[oid].replaced_by if known[oid].status == "dispensed" else []
            else:
                targets.append(oid)
        for oid in targets:
            done.setdefault(oid, []).append(event.date)
    if problems:
        raise CaseError(problems)
    return done


# --- a caseload --------------------------------------------------------------------------------


class GroupSummary(BaseModel):
    """Aggregates over a group of audited cases (all, one regime, one municipality)."""

    model_config = ConfigDict(frozen=True)

    cases: int
    helped: int = Field(description="Cases with a measure started")
    median_days: float | None = Field(description="Median days from awareness to help")
    p90_days: int | None = Field(description="90th percentile (nearest rank) of those days")
    within_target: int
    decided: int = Field(description="Cases where within-target is known (see TimeToHelp)")
    share_within_target: float | None
    met: int
    late: int
    missing: int
    pending: int
    share_met_on_time: float | None = Field(
        description="met / (met + late + missing), over obligations and occurrences that are due"
    )


class CaseloadSummary(BaseModel):
    """A whole caseload: overall, per regime and per municipality (kommunekode)."""

    model_config = ConfigDict(frozen=True)

    as_of: date | None
    target_days: int | None
    all: GroupSummary
    by_regime: dict[str, GroupSummary]
    by_municipality: dict[str, GroupSummary]
    days_by_regime: dict[str, dict[int, int]] = Field(
        description="Histogram of days to help per regime: days -> cases"
    )


@dataclass
class _Group:
    cases: int = 0
    days: Counter[int] = field(default_factory=Counter)
    within: int = 0
    decided: int = 0
    statuses: Counter[str] = field(default_factory=Counter)

    def add(self, result: AuditResult, counts: dict[AuditStatus, int]) -> None:
        self.cases += 1
        help_ = result.time_to_help
        if help_.days is not None:
            self.days[help_.days] += 1
        if help_.within_target is not None:
            self.decided += 1
            self.within += help_.within_target
        self.statuses.update(counts)

    def summary(self) -> GroupSummary:
        helped = sum(self.days.values())
        met, late, missing = (self.statuses[s] for s in ("met", "late", "missing"))
        due = met + late + missing
        return GroupSummary(
            cases=self.cases,
            helped=helped,
            median_days=_median(self.days),
            p90_days=_nearest_rank(self.days, 0.9),
            within_target=self.within,
            decided=self.decided,
            share_within_target=self.within / self.decided if self.decided else None,
            met=met,
            late=late,
            missing=missing,
            pending=self.statuses["pending"],
            share_met_on_time=met / due if due else None,
        )


class CaseloadAccumulator:
    """Adds audit results one at a time; memory grows with the distinct day counts and
    municipalities, not with the number of cases."""

    def __init__(self, as_of: date | None = None) -> None:
        self.all = _Group()
        self.regimes: dict[str, _Group] = {}
        self.municipalities: dict[str, _Group] = {}
        self.as_of: date | None = as_of
        self.target_days: int | None = None

    def add(self, result: AuditResult) -> None:
        counts = result.counts()
        self.as_of = result.as_of
        self.target_days = result.time_to_help.target_days
        for group in (
            self.all,
            self.regimes.setdefault(result.regime, _Group()),
            self.municipalities.setdefault(result.municipality, _Group()),
        ):
            group.add(result, counts)

    def summary(self) -> CaseloadSummary:
        return CaseloadSummary(
            as_of=self.as_of,
            target_days=self.target_days,
            all=self.all.summary(),
            by_regime={k: g.summary() for k, g in sorted(self.regimes.items())},
            by_municipality={k: g.summary() for k, g in sorted(self.municipalities.items())},
            days_by_regime={
                k: dict(sorted(g.days.items())) for k, g in sorted(self.regimes.items())
            },
        )


def summarize(results: Iterable[AuditResult]) -> CaseloadSummary:
    """Aggregate audit results (any iterable; consumed once, in constant memory)."""
    acc = CaseloadAccumulator()
    for result in results:
        acc.add(result)
    return acc.summary()


def _median(days: Counter[int]) -> float | None:
    n = sum(days.values())
    if not n:
        return None
    low = _nearest_rank_index(days, (n - 1) // 2)
    high = _nearest_rank_index(days, n // 2)
    return (low + high) / 2


def _nearest_rank(days: Counter[int], share: float) -> int | None:
    n = sum(days.values())
    if not n:
        return None
    rank = max(1, math.ceil(round(share * n, 9)))  # rounded first: 0.9 * 10 is 9, not 9.000…1
    return _nearest_rank_index(days, rank - 1)


def _nearest_rank_index(days: Counter[int], index: int) -> int:
    """The value at 0-based ``index`` of the sorted multiset ``days``."""
    seen = 0
    for value in sorted(days):
        seen += days[value]
        if index < seen:
            return value
    raise IndexError(index)
