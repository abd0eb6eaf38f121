"""A case and a compiled program -> a *decision*: which regime applies, and each obligation's
status, due date, deadline, exception, additions, replacements and confidence. Data only: the
sentences are written afterwards, from the decision, by :mod:`lovregler.explain.explainer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from lovregler._result import (
    CONFIDENCES,
    Confidence,
    Recurrence,
    Selection,
    Status,
    Window,
    trusted,
    weakest,
)
from lovregler.case.model import Case, case_field_value
from lovregler.engine.compile import Facts, LayerChecks, Program, RuleChecks
from lovregler.law.acts import Acts
from lovregler.law.dates import add_period
from lovregler.law.loader import LoadedParticipant, Regime
from lovregler.law.models import Citation, Condition, Exclusion, Rule

Verdict = Literal[
    "requested", "everywhere", "in_window", "not_member", "outside_window", "excluded"
]


@dataclass(frozen=True)
class OverlayVerdict:
    """How one overlay of the chain was judged for the case."""

    layer: int
    verdict: Verdict
    participant: LoadedParticipant | None = None  # the first record whose window holds
    windows: tuple[LoadedParticipant, ...] = ()  # every record of the municipality
    exclusion: Exclusion | None = None
    running: tuple[str, ...] = ()  # the experiments that run for the case (ids, in order)

    @property
    def applies(self) -> bool:
        return self.verdict in ("everywhere", "in_window")


@dataclass(frozen=True)
class BaseChoice:
    """How ``auto`` chose the base regime: the catalogue's period of force on the case date."""

    name: str
    day: date
    in_force: bool
    confidence: Confidence | None = None
    period: str = ""  # the chosen regime's period of force, as text


@dataclass(slots=True)
class ObligationDecision:
    """One obligation's outcome, as data (read it; do not change it)."""

    id: str
    status: Status
    rule: Rule = field(repr=False)
    layer: int
    due: date | None = None
    deadline: int | None = None  # index of the deadline that set ``due``
    start: date | None = None  # the case date the deadline runs from
    clamped: bool = False  # ``due`` moved to the last day of a shorter month
    exception: int | None = None  # index of the exception that waived it
    additions: tuple[int, ...] = ()  # indices of the additions that hold
    replaced_by: tuple[tuple[Rule, list[Citation]], ...] = field(default=(), repr=False)
    confidence: Confidence = "verified"
    repeats: Recurrence | None = None
    idle: bool = False  # not applicable because its experiment does not run for the case
    unconfirmed: tuple[tuple[str, str], ...] = ()  # (kind, what) of each to_confirm part
    order: Order | None = None  # its ordering rule (``follows``), where it is required

    @property
    def replaced_by_ids(self) -> list[str]:
        return [by.id for by, _ in self.replaced_by]

    @property
    def replaces(self) -> list[str]:
        return [link.obligation for link in self.rule.dispenses]


@dataclass(frozen=True)
class Order:
    """How a required obligation's ordering rule (``follows``) stands for the case."""

    after: str  # the obligation that must come first
    after_status: Status | None
    after_due: date | None
    early: bool  # the decision date lies before ``after`` is due (it may not be done yet)
    excepted: bool  # the rule's exception holds (e.g. urgent: alongside)

    @property
    def warns(self) -> bool:
        return self.early and not self.excepted and self.after_status == "required"


@dataclass(frozen=True)
class Decision:
    """Everything decided for one case under one request, before any sentence is written."""

    case: Case
    program: Program = field(repr=False)
    facts: Facts = field(repr=False)
    held: frozenset[int] = field(repr=False)
    requested: str
    active: int  # index of the applied layer in ``program.layers``
    verdicts: tuple[OverlayVerdict, ...]
    selection: Selection
    obligations: tuple[ObligationDecision, ...]
    outside_validity: tuple[Regime, ...]  # regimes of the chain whose period misses the date
    backend: str
    base_choice: BaseChoice | None = None
    acts: Acts | None = field(default=None, repr=False)  # the cited law, for links

    @property
    def regime(self) -> Regime:
        """The regime whose rules were applied."""
        return self.program.layers[self.active].regime

    @property
    def day(self) -> date:
        return self.case.effective_decision_date

    def obligation(self, obligation_id: str) -> ObligationDecision:
        for item in self.obligations:
            if item.id == obligation_id:
                return item
        raise KeyError(obligation_id)

    def statuses(self) -> dict[str, Status]:
        return {o.id: o.status for o in self.obligations}

    def required(self) -> list[ObligationDecision]:
        return [o for o in self.obligations if o.status == "required"]


# --- selection ---------------------------------------------------------------------------------


def judge_overlays(
    program: Program, case: Case, held: frozenset[int]
) -> tuple[int, tuple[OverlayVerdict, ...]]:
    """The highest layer that applies (0: the base), and how each overlay up to it was judged."""
    verdicts: list[OverlayVerdict] = []
    active = 0
    for index in range(1, len(program.layers)):
        verdict = _judge(program.layers[index], index, held)
        verdicts.append(verdict)
        if not verdict.applies:
            break
        active = index
    return active, tuple(verdicts)


def _judge(layer: LayerChecks, index: int, held: frozenset[int]) -> OverlayVerdict:
    inside: LoadedParticipant | None = None
    member: list[LoadedParticipant] = []
    running: tuple[str, ...] = ()
    verdict: Verdict = "everywhere"
    if layer.participants:
        member = [p.participant for p in layer.participants if p.municipality in held]
        within = [
            p.participant for p in layer.participants if p.window in held and p.municipality in held
        ]
        if not member:
            return OverlayVerdict(index, "not_member")
        if not within:
            return OverlayVerdict(index, "outside_window", windows=tuple(member))
        inside = within[0]
        running = tuple(dict.fromkeys(p.experiment for p in within))
        verdict = "in_window"
    for check, exclusion in zip(layer.exclusions, layer.regime.exclusions, strict=True):
        if check in held:
            return OverlayVerdict(index, "excluded", inside, tuple(member), exclusion, running)
    return OverlayVerdict(index, verdict, inside, tuple(member), None, running)


def experiment_confidence(program: Program, verdict: OverlayVerdict, experiment: str) -> Confidence:
    """How sure it is that ``experiment`` runs (or not) for the case: the experiment's own mark,
    and its records of the municipality (whose windows decided)."""
    regime = program.layers[verdict.layer].regime
    marks: list[str | None] = [regime.header.confidence]
    if verdict.verdict == "not_member":
        return weakest(*marks)  # outside the network no experiment's reach is in doubt
    for loaded in regime.experiments or []:
        if loaded.id == experiment and loaded.model is not None:
            marks.append(loaded.model.confidence)
    marks += [p.confidence for p in verdict.windows if p.experiment == experiment]
    if verdict.exclusion is not None:
        marks.append(verdict.exclusion.confidence)
    return weakest(*marks)


def selection_confidence(
    program: Program, verdicts: tuple[OverlayVerdict, ...], base_choice: BaseChoice | None
) -> Confidence:
    """The weakest mark of what chose the regime: the period of force (``auto``), each overlay
    judged (its header, the participant's window, the exclusion that held)."""
    marks: list[str | None] = [base_choice.confidence if base_choice else None]
    for v in verdicts:
        header = program.layers[v.layer].regime.header
        marks.append(header.confidence)
        if v.participant is not None:
            marks.append(v.participant.confidence)
        marks.extend(p.confidence for p in v.windows if v.verdict == "outside_window")
        if v.exclusion is not None:
            marks.append(v.exclusion.confidence)
    return weakest(*marks)


def _selection(
    program: Program,
    case: Case,
    requested: str,
    active: int,
    verdicts: tuple[OverlayVerdict, ...],
    base_choice: BaseChoice | None,
    folder: str,
) -> Selection:
    last = verdicts[-1] if verdicts else None
    chosen = last.participant if last else None
    window = Window(from_=chosen.window_from, to=chosen.window_to) if chosen else None
    overlay = program.layers[last.layer].regime if last else None
    day = (
        case_field_value(case, overlay.header.window_date)
        if overlay
        else case.effective_decision_date
    )
    return trusted(
        Selection,
        requested=requested,
        applied=program.layers[active].regime.name,
        folder=folder,
        base=program.layers[0].regime.name,
        day=day,
        verdict=last.verdict if last else "requested",
        overlay=overlay.name if overlay else None,
        municipality=case.municipality,
        participant=None
        if last is None or last.verdict == "everywhere"
        else last.verdict != "not_member",
        window=window,
        exclusion=last.exclusion.id if last and last.exclusion else None,
        in_force=base_choice.in_force if base_choice else None,
        confidence=selection_confidence(program, verdicts, base_choice),
        experiments=[e for e in last.running if e] if last and last.applies else [],
        experiments_not_applied=_not_applied(program, last),
    )


def _not_applied(program: Program, last: OverlayVerdict | None) -> list[str]:
    """The named experiments of the overlay judged last that do not run for the case."""
    if last is None:
        return []
    running = set(last.running) if last.applies else set()
    regime = program.layers[last.layer].regime
    return [e.id for e in regime.experiments or [] if e.named and e.id not in running]


# --- obligations -------------------------------------------------------------------------------


@dataclass
class _Draft:
    rule: Rule
    layer: int
    status: Status
    exception: int | None = None
    replaced_by: list[tuple[Rule, list[Citation]]] = field(default_factory=list)
    idle: bool = False  # its experiment does not run for the case


def decide(
    program: Program,
    case: Case,
    facts: Facts,
    held: frozenset[int],
    *,
    requested: str,
    backend: str,
    folder: str = "",
    base_choice: BaseChoice | None = None,
    acts: Acts | None = None,
) -> Decision:
    """Statuses, due dates and confidence of every obligation the applied regime knows."""
    active, verdicts = judge_overlays(program, case, held)
    selection = _selection(program, case, requested, active, verdicts, base_choice, folder)
    running = {v.layer: set(v.running) for v in verdicts}
    drafts: dict[str, _Draft] = {}
    for rid, checks in program.rules.items():
        if checks.layer > active:
            continue
        experiment = checks.rule.experiment
        if checks.layer and experiment is not None and experiment not in running[checks.layer]:
            drafts[rid] = _Draft(checks.rule, checks.layer, "not_applicable", idle=True)
            continue
        if checks.when not in held:
            drafts[rid] = _Draft(checks.rule, checks.layer, "not_applicable")
            continue
        exception = next((i for i, c in enumerate(checks.unless) if c in held), None)
        drafts[rid] = _Draft(
            checks.rule, checks.layer, "required" if exception is None else "waived", exception
        )
    for draft in drafts.values():
        if draft.status == "not_applicable" or draft.layer == 0:
            continue
        for link in draft.rule.dispenses:
            target = drafts[link.obligation]
            if target.status in ("required", "dispensed"):
                target.status = "dispensed"
                target.replaced_by.append((draft.rule, link.legal_basis))
    # An overlay's obligations, and the obligations it could dispense, rest on how the overlay
    # (and the experiment they belong to) was judged for this case.
    rests_on: dict[str, Confidence] = {}
    judged_by: dict[
        str, str
    ] = {}  # obligation -> the experiment (or overlay) whose window is unsure
    for verdict in verdicts:
        for rule in program.layers[verdict.layer].regime.rules:
            mark = (
                experiment_confidence(program, verdict, rule.experiment)
                if rule.experiment is not None
                else selection.confidence
            )
            for oid in (rule.id, *(link.obligation for link in rule.dispenses)):
                rests_on[oid] = weakest(rests_on.get(oid), mark)
                if mark == UNCONFIRMED:
                    judged_by.setdefault(oid, rule.experiment or verdict_name(program, verdict))
    day = case.effective_decision_date
    obligations = tuple(
        _obligation(program, case, facts, held, d, day, rests_on, judged_by)
        for d in drafts.values()
    )
    _orders(program, held, obligations, day)
    regime = program.layers[active].regime
    outside = tuple(
        layer
        for layer in regime.chain
        if layer.header.valid and not layer.header.valid.from_ <= day <= layer.header.valid.to
    )
    return Decision(
        case=case,
        program=program,
        facts=facts,
        held=held,
        requested=requested,
        active=active,
        verdicts=verdicts,
        selection=selection,
        obligations=obligations,
        outside_validity=outside,
        backend=backend,
        base_choice=base_choice,
        acts=acts,
    )


def _obligation(
    program: Program,
    case: Case,
    facts: Facts,
    held: frozenset[int],
    draft: _Draft,
    day: date,
    rests_on: dict[str, Confidence],
    judged_by: dict[str, str] | None = None,
) -> ObligationDecision:
    rule = draft.rule
    checks = program.rules[rule.id]
    rank = _RANK[rule.confidence]
    if rule.legal_basis_marked:
        rank = _worst(rank, _citation_marks(rule.legal_basis, day))
    if rule.when is not None and program.marked_conditions(rule.when):
        rank = _worst(rank, _condition_marks(program, rule.when, facts, checks.when in held))
    judged = rests_on.get(rule.id)
    if judged is not None:
        rank = max(rank, _RANK[judged])
    due = start = None
    deadline = None
    clamped = False
    repeats: Recurrence | None = None
    additions: tuple[int, ...] = ()
    status = draft.status
    if status == "required":
        if checks.additions:
            additions = tuple(i for i, c in enumerate(checks.additions) if c in held)
        if checks.deadlines:
            deadline, start, due, clamped = _deadline(rule, checks, case, held)
        if deadline is not None:
            chosen = rule.deadlines[deadline]
            if chosen.confidence is not None:
                rank = max(rank, _RANK[chosen.confidence])
            rank = _worst(rank, _citation_marks(chosen.legal_basis, day))
            if chosen.repeat is not None:
                r = chosen.repeat
                repeats = Recurrence(unit=r.unit, max=r.max, min=r.min)
    elif status == "waived":
        assert draft.exception is not None
        exc = rule.unless[draft.exception]
        rank = max(rank, _RANK[exc.confidence])
        rank = _worst(rank, _citation_marks(exc.legal_basis, day))
        if program.marked_conditions(exc.when):
            rank = _worst(rank, _condition_marks(program, exc.when, facts, True))
    elif status == "dispensed":
        for by, basis in draft.replaced_by:
            rank = max(rank, _RANK[by.confidence])
            rank = _worst(rank, _citation_marks(basis, day))
    unconfirmed: tuple[tuple[str, str], ...] = ()
    if rank == _RANK[UNCONFIRMED]:
        unconfirmed = _unconfirmed_parts(
            program, facts, held, draft, deadline, day, (judged_by or {}).get(rule.id)
        )
    return ObligationDecision(
        id=rule.id,
        status=status,
        rule=rule,
        layer=draft.layer,
        due=due,
        deadline=deadline,
        start=start,
        clamped=clamped,
        exception=draft.exception,
        additions=additions,
        replaced_by=tuple(draft.replaced_by),
        confidence=CONFIDENCES[rank],
        repeats=repeats,
        idle=draft.idle,
        unconfirmed=unconfirmed,
    )


def _orders(
    program: Program, held: frozenset[int], obligations: tuple[ObligationDecision, ...], day: date
) -> None:
    """The ordering rules of the required obligations, judged against what they follow."""
    by_id = {o.id: o for o in obligations}
    for item in obligations:
        follows = item.rule.follows
        if follows is None or item.status != "required":
            continue
        after = by_id.get(follows.obligation)
        check = program.rules[item.id].follows_unless
        item.order = Order(
            after=follows.obligation,
            after_status=after.status if after else None,
            after_due=after.due if after else None,
            early=after is not None and after.due is not None and day < after.due,
            excepted=check is not None and check in held,
        )


UNCONFIRMED: Confidence = "to_confirm"


def verdict_name(program: Program, verdict: OverlayVerdict) -> str:
    return program.layers[verdict.layer].regime.name


def _unconfirmed_parts(
    program: Program,
    facts: Facts,
    held: frozenset[int],
    draft: _Draft,
    deadline: int | None,
    day: date,
    judged: str | None,
) -> tuple[tuple[str, str], ...]:
    """Which parts of what decided an obligation are marked to_confirm: (kind, what)."""
    rule = draft.rule
    checks = program.rules[rule.id]
    parts: list[tuple[str, str]] = []
    if rule.confidence == UNCONFIRMED:
        parts.append(("rule", rule.id))
    parts += _unsure_citations(rule.legal_basis, day)
    if rule.when is not None and UNCONFIRMED in _condition_marks(
        program, rule.when, facts, checks.when in held
    ):
        parts.append(("condition", rule.id))
    if judged is not None:
        parts.append(("selection", judged))
    if draft.status == "waived" and draft.exception is not None:
        exc = rule.unless[draft.exception]
        if exc.confidence == UNCONFIRMED:
            parts.append(("exception", exc.id))
        parts += _unsure_citations(exc.legal_basis, day)
    if draft.status == "dispensed":
        for by, basis in draft.replaced_by:
            if by.confidence == UNCONFIRMED:
                parts.append(("dispensation", by.id))
            parts += _unsure_citations(basis, day)
    if deadline is not None:
        chosen = rule.deadlines[deadline]
        if chosen.confidence == UNCONFIRMED:
            parts.append(("deadline", rule.id))
        parts += _unsure_citations(chosen.legal_basis, day)
    return tuple(dict.fromkeys(parts))


_RANK: dict[str, int] = {mark: rank for rank, mark in enumerate(CONFIDENCES)}


def _worst(rank: int, marks: list[str]) -> int:
    for mark in marks:
        rank = max(rank, _RANK[mark])
    return rank


def _deadline(
    rule: Rule, checks: RuleChecks, case: Case, held: frozenset[int]
) -> tuple[int | None, date | None, date | None, bool]:
    for index, (deadline, check) in enumerate(zip(rule.deadlines, checks.deadlines, strict=True)):
        if check not in held:
            continue
        start: date | None = case_field_value(case, deadline.from_)
        if start is None:
            continue  # the case does not give the date this deadline runs from
        due = add_period(start, deadline.amount, deadline.unit)
        clamped = (
            deadline.unit in ("months", "years") and deadline.amount > 0 and due.day != start.day
        )
        return index, start, due, clamped
    return None, None, None, False


def _unsure_citations(citations: list[Citation], day: date) -> list[tuple[str, str]]:
    """The citations right on ``day`` that are marked to_confirm, as unconfirmed parts."""
    return [
        ("citation", c.render())
        for c in citations
        if c.confidence == UNCONFIRMED and c.valid_on(day)
    ]


def _citation_marks(citations: list[Citation], day: date) -> list[str]:
    return [c.confidence for c in citations if c.confidence is not None and c.valid_on(day)]


def _condition_marks(program: Program, cond: Condition, facts: Facts, outcome: bool) -> list[str]:
    """Marks of the marked conditions that agree with the outcome (they helped decide it)."""
    return [
        c.confidence
        for c in program.marked_conditions(cond)
        if c.confidence is not None and program.test(c, facts) == outcome
    ]


__all__ = [
    "BaseChoice",
    "Decision",
    "ObligationDecision",
    "Order",
    "OverlayVerdict",
    "decide",
    "judge_overlays",
]
