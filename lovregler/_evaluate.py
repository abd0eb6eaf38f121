"""A case and a regime -> an explained result. The only module that reads a backend's answer."""

from __future__ import annotations

import difflib
import multiprocessing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ._backends import get_backend
from ._case import Case, case_field_value, parse_case
from ._compile import Facts, Program, case_facts, compile_regime
from ._dates import add_period
from ._describe import describe_deadline, localized
from ._errors import BackendError, RegimeError
from ._loader import Regime, load_regime
from ._result import (
    Comparison,
    Difference,
    EvaluationResult,
    Explanation,
    ExplanationLine,
    Obligation,
    Recurrence,
    Status,
)
from ._rulemodel import AllOf, AnyOf, Citation, Condition, FieldCondition, NotOf, Rule, RuleRef
from ._texts import (
    FIELD_LABELS,
    LANGS,
    STATUS_LABELS,
    Lang,
    describe_test,
    phrase,
    unit_name,
)

AUTO = "auto"
CaseLike = Case | Mapping[str, Any]
RegimeLike = str | Path | Regime


def evaluate(
    case: CaseLike,
    regime: RegimeLike = "standard",
    *,
    lang: Lang = "da",
    backend: str | None = None,
) -> EvaluationResult:
    """Every obligation ``regime`` knows, for ``case``, with status, due date and reasons.

    ``regime`` is ``"standard"``, ``"frikommune"``, ``"auto"`` (the overlay where it applies,
    else standard), a folder path, or a :class:`Regime` from :func:`load_regime`. An overlay
    that does not apply to the case (municipality, window, exclusion) gives the result of the
    regime below it, and ``regime_reason`` says why. ``backend`` is ``"durable-rules"``,
    ``"reference"`` or ``None`` (durable-rules where it imports).
    """
    builder, requested, engine = _prepare(case, regime, lang, backend)
    return builder.result(requested, engine)


def _prepare(
    case: CaseLike, regime: RegimeLike, lang: Lang, backend: str | None
) -> tuple[_Builder, str, str]:
    """Validate, compile (once), ask the backend; a builder ready to explain the answers."""
    if lang not in LANGS:
        raise RegimeError(f"unknown language {lang!r}; choose one of: {', '.join(LANGS)}")
    valid_case = parse_case(case)
    target, requested = resolve_regime(regime)
    program = compile_regime(target)
    engine = get_backend(backend)
    facts = case_facts(valid_case)
    return (
        _Builder(valid_case, program, facts, engine.run(program, facts), lang),
        requested,
        engine.name,
    )


def evaluate_many(
    cases: Iterable[CaseLike],
    regime: RegimeLike = "standard",
    *,
    lang: Lang = "da",
    backend: str | None = None,
    jobs: int = 1,
    chunksize: int = 64,
) -> Iterator[EvaluationResult]:
    """:func:`evaluate` for each case, lazily and in order, in constant memory.

    With ``jobs > 1`` the cases are spread over that many worker processes, each with its own
    engine (durable-rules state is per process); results still come back in input order.
    """
    if jobs < 1:
        raise RegimeError(f"jobs must be 1 or more, not {jobs}")
    target, requested = resolve_regime(regime)  # validate the regime before any work is done
    if jobs == 1:
        for case in cases:
            yield evaluate(case, target, lang=lang, backend=backend)._requested(requested)
        return
    spec = (
        requested
        if isinstance(regime, str) and requested in (AUTO, target.name)
        else str(target.folder)
    )
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=_worker_init, initargs=(spec, lang, backend)) as pool:
        yield from pool.imap(_worker_evaluate, _as_plain(cases), chunksize=chunksize)


def _as_plain(cases: Iterable[CaseLike]) -> Iterator[Case]:
    for case in cases:
        yield parse_case(case)


def compare_many(
    cases: Iterable[CaseLike],
    *,
    lang: Lang = "da",
    backend: str | None = None,
    jobs: int = 1,
    chunksize: int = 32,
) -> Iterator[Comparison]:
    """:func:`compare` for each case, lazily and in order; ``jobs`` as in :func:`evaluate_many`."""
    if jobs < 1:
        raise RegimeError(f"jobs must be 1 or more, not {jobs}")
    if jobs == 1:
        for case in cases:
            yield compare(case, lang=lang, backend=backend)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=_worker_init, initargs=("", lang, backend)) as pool:
        yield from pool.imap(_worker_compare, _as_plain(cases), chunksize=chunksize)


_WORKER: dict[str, Any] = {}


def _worker_init(regime: str, lang: Lang, backend: str | None) -> None:
    _WORKER.update(regime=regime, lang=lang, backend=backend)


def _worker_evaluate(case: Case) -> EvaluationResult:
    return evaluate(case, _WORKER["regime"], lang=_WORKER["lang"], backend=_WORKER["backend"])


def _worker_compare(case: Case) -> Comparison:
    return compare(case, lang=_WORKER["lang"], backend=_WORKER["backend"])


def explain(
    case: CaseLike,
    obligation: str,
    regime: RegimeLike = "auto",
    *,
    lang: Lang = "da",
    backend: str | None = None,
) -> Explanation:
    """Why ``obligation`` has its status for ``case``: every condition, exception, deadline and
    addition of its rule, whether each held, and the rule file and line it came from.

    An obligation of an overlay that does not apply to the case is explained against the overlay's
    rules all the same (its status is then ``not_applicable``; ``regime`` says why).
    """
    builder, requested, engine = _prepare(case, regime, lang, backend)
    return builder.explain(builder.result(requested, engine), obligation)


def compare(case: CaseLike, *, lang: Lang = "da", backend: str | None = None) -> Comparison:
    """The case under ``standard`` and under ``frikommune``, and every difference."""
    standard = evaluate(case, "standard", lang=lang, backend=backend)
    overlay = evaluate(case, "frikommune", lang=lang, backend=backend)
    return Comparison(
        case_id=standard.case_id,
        standard=standard,
        frikommune=overlay,
        differences=differences(standard, overlay),
    )


def differences(base: EvaluationResult, other: EvaluationResult) -> list[Difference]:
    """Obligations whose status or due date differ, in the order of ``other``."""
    left = {o.id: o for o in base.obligations}
    right = {o.id: o for o in other.obligations}
    out: list[Difference] = []
    for oid in [*right, *(k for k in left if k not in right)]:
        a, b = left.get(oid), right.get(oid)
        if a and b and (a.status, a.due) == (b.status, b.due):
            continue
        out.append(
            Difference(
                id=oid,
                standard=a.status if a else None,
                frikommune=b.status if b else None,
                standard_due=a.due if a else None,
                frikommune_due=b.due if b else None,
                replaced_by=b.replaced_by if b else [],
                replaces=b.replaces if b else [],
            )
        )
    return out


# Regimes asked for by name are loaded once per process (``load_regime`` re-reads changed files).
_BY_NAME: dict[str, Regime] = {}


def resolve_regime(regime: RegimeLike) -> tuple[Regime, str]:
    """The regime to apply for ``regime`` (a name, ``auto``, a folder or a Regime), and the name
    it was asked by; named regimes are loaded once per process."""
    if isinstance(regime, Regime):
        return regime, regime.name
    if isinstance(regime, str) and regime in _BY_NAME:
        return _BY_NAME[regime], regime
    name = "frikommune" if str(regime) == AUTO else regime
    loaded = load_regime(name)
    if isinstance(regime, str):
        _BY_NAME[regime] = loaded
        return loaded, regime
    return loaded, loaded.name


# --- building the result ----------------------------------------------------------------------


@dataclass
class _Draft:
    rule: Rule
    layer: int
    status: Status
    exception: int | None = None
    replaced_by: list[tuple[Rule, list[Citation]]] = field(default_factory=list)


class _Builder:
    def __init__(
        self, case: Case, program: Program, facts: Facts, held: frozenset[int], lang: Lang
    ) -> None:
        self.case, self.program, self.facts, self.held, self.lang = case, program, facts, held, lang
        self.day = case.effective_decision_date

    # regime selection -------------------------------------------------------------------------

    def _active_layers(self) -> tuple[int, str]:
        layers = self.program.layers
        reason = phrase(
            "regime_requested",
            self.lang,
            name=layers[0].regime.name,
            title=self._title(layers[0].regime.header.title, layers[0].regime.header.title_en),
        )
        active = 0
        for index in range(1, len(layers)):
            layer = layers[index]
            header = layer.regime.header
            label = self._title(header.label or header.title, header.label_en or header.title_en)
            below = layers[index - 1].regime.header
            base = f"{self._title(below.label or below.title, below.label_en or below.title_en)} ({below.regime})"
            municipality = str(self.case.kommune)
            window_day = case_field_value(self.case, header.window_date)
            if not layer.participants:
                reason = phrase("regime_everywhere", self.lang, label=label)
                inside = None
            else:
                member = [p for p in layer.participants if p.municipality in self.held]
                inside = next((p for p in member if p.window in self.held), None)
                if not member:
                    return active, phrase(
                        "regime_not_member",
                        self.lang,
                        municipality=municipality,
                        label=label,
                        base=base,
                    )
                if inside is None:
                    windows = ", ".join(
                        f"{p.participant.window_from}..{p.participant.window_to}" for p in member
                    )
                    return active, phrase(
                        "regime_outside_window",
                        self.lang,
                        municipality=municipality,
                        label=label,
                        day=window_day,
                        window=windows,
                        base=base,
                    )
                window = f"{inside.participant.window_from}..{inside.participant.window_to}"
                reason = phrase(
                    "regime_in_window",
                    self.lang,
                    municipality=municipality,
                    label=label,
                    day=window_day,
                    window=window,
                )
            for check, exclusion in zip(layer.exclusions, layer.regime.exclusions, strict=True):
                if check in self.held:
                    return active, phrase(
                        "regime_excluded",
                        self.lang,
                        municipality=municipality,
                        label=label,
                        day=window_day,
                        window=window if inside else "-",
                        base=base,
                        reason=self._title(exclusion.reason, exclusion.reason_en),
                        basis=self._basis(exclusion.legal_basis),
                    )
            active = index
        return active, reason

    # statuses ---------------------------------------------------------------------------------

    def result(self, requested: str, backend: str) -> EvaluationResult:
        active, reason = self._active_layers()
        drafts: dict[str, _Draft] = {}
        for rid, checks in self.program.rules.items():
            if checks.layer > active:
                continue
            if checks.when not in self.held:
                drafts[rid] = _Draft(checks.rule, checks.layer, "not_applicable")
                continue
            exception = next((i for i, c in enumerate(checks.unless) if c in self.held), None)
            status: Status = "required" if exception is None else "waived"
            drafts[rid] = _Draft(checks.rule, checks.layer, status, exception)
        for draft in drafts.values():
            if draft.status == "not_applicable" or draft.layer == 0:
                continue
            for link in draft.rule.dispenses:
                target = drafts[link.obligation]
                if target.status in ("required", "dispensed"):
                    target.status = "dispensed"
                    target.replaced_by.append((draft.rule, link.legal_basis))
        regime = self.program.layers[active].regime
        obligations = [self._obligation(d) for d in drafts.values()]
        return EvaluationResult(
            case_id=self.case.case_id,
            regime=regime.name,
            regime_reason=reason,
            ruleset_version=regime.version,
            obligations=obligations,
            requested_regime=requested,
            backend=backend,
            warnings=self._warnings(regime),
        )

    def _warnings(self, regime: Regime) -> list[str]:
        out = []
        for layer in regime.chain:
            valid = layer.header.valid
            if valid and not valid.from_ <= self.day <= valid.to:
                out.append(
                    phrase(
                        "outside_validity", self.lang, day=self.day, name=layer.name, window=valid
                    )
                )
        return out

    # one obligation ---------------------------------------------------------------------------

    def _obligation(self, draft: _Draft) -> Obligation:
        rule = draft.rule
        checks = self.program.rules[rule.id]
        basis = self._basis(rule.legal_basis)
        title = self._title(rule.title, rule.title_en)
        because: list[str] = []
        due: date | None = None
        repeats: Recurrence | None = None
        head = dict(id=rule.id, basis=basis, title=title)
        if draft.status == "not_applicable":
            because.append(phrase("not_applicable", self.lang, **head))
            because += self._explain(rule.when, checks.when)
        elif draft.status == "dispensed":
            base_name = self.program.layers[draft.layer].regime.name
            because.append(phrase("dispensed", self.lang, base=base_name, **head))
            for by, link_basis in draft.replaced_by:
                because.append(
                    phrase(
                        "dispensation",
                        self.lang,
                        basis=self._basis(link_basis),
                        title=self._title(by.title, by.title_en),
                        id=by.id,
                    )
                )
            because += self._explain(rule.when, checks.when)
        elif draft.status == "waived":
            because.append(phrase("waived", self.lang, **head))
            because += self._explain(rule.when, checks.when)
            assert draft.exception is not None
            exc = rule.unless[draft.exception]
            because.append(
                phrase(
                    "exception",
                    self.lang,
                    reason=self._title(exc.reason, exc.reason_en),
                    basis=self._basis(exc.legal_basis),
                )
            )
        else:
            because.append(phrase("required", self.lang, **head))
            because += self._explain(rule.when, checks.when)
            for addition, check in zip(rule.additions, checks.additions, strict=True):
                if check in self.held:
                    extra = (
                        f" ({self._basis(addition.legal_basis)})" if addition.legal_basis else ""
                    )
                    because.append(
                        phrase(
                            "addition",
                            self.lang,
                            text=self._title(addition.text, addition.text_en),
                            basis=extra,
                        )
                    )
            due, repeats, lines = self._deadline(rule, checks.deadlines)
            because += lines
        # Built from trusted parts: construct without re-validating (a hot path).
        return Obligation.model_construct(
            id=rule.id,
            status=draft.status,
            legal_basis=basis,
            due=due,
            because=because,
            replaced_by=[by.id for by, _ in draft.replaced_by],
            replaces=[link.obligation for link in rule.dispenses],
            title=title,
            confidence=rule.confidence,
            source=checks.origin,
            repeats=repeats,
        )

    def _deadline(
        self, rule: Rule, checks: tuple[int, ...]
    ) -> tuple[date | None, Recurrence | None, list[str]]:
        for deadline, check in zip(rule.deadlines, checks, strict=True):
            if check not in self.held:
                continue
            start_date: date | None = case_field_value(self.case, deadline.from_)
            if start_date is None:
                continue  # the case does not give the date this deadline runs from
            due = add_period(start_date, deadline.amount, deadline.unit)
            start = FIELD_LABELS[deadline.from_][self.lang]
            basis = f" ({self._basis(deadline.legal_basis)})" if deadline.legal_basis else ""
            if deadline.amount:
                line = phrase(
                    "due_after",
                    self.lang,
                    amount=deadline.amount,
                    unit=unit_name(deadline.unit, deadline.amount, self.lang),
                    start=start,
                    start_date=start_date,
                    due=due,
                    basis=basis,
                )
            else:
                line = phrase("due_on", self.lang, start=start, due=due, basis=basis)
            lines = [line]
            reason = self._title(deadline.reason, deadline.reason_en) if deadline.reason else None
            if reason:
                lines.append(reason if reason.endswith(".") else reason + ".")
            repeats = None
            if deadline.repeat is not None:
                r = deadline.repeat
                repeats = Recurrence(unit=r.unit, max=r.max, min=r.min)
                key = "repeat_range" if r.min else "repeat_max"
                lines.append(
                    phrase(
                        key,
                        self.lang,
                        min=r.min,
                        max=r.max,
                        unit=unit_name(r.unit, r.max, self.lang),
                        unit_one=unit_name(r.unit, 1, self.lang),
                    )
                )
            return due, repeats, lines
        return None, None, []

    # explanations -----------------------------------------------------------------------------

    def _test(self, cond: Condition) -> bool:
        return self.program.test(cond, self.facts)

    def _explain(self, cond: Condition | None, check: int) -> list[str]:
        if cond is None:
            return [phrase("always", self.lang)]
        key = (id(cond), self.lang, self.program.signature(cond, self.facts))
        known = self.program.explained.get(key)
        if known is None:
            lines = [
                phrase("held" if value else "failed", self.lang, text=text)
                for text, value in self._why(cond)
            ]
            known = self.program.explained[key] = (self._test(cond), lines)
        if known[0] != (check in self.held):
            raise BackendError(
                f"internal error: the engine and the explanation disagree on {cond.origin}"
            )
        return known[1]

    def _why(self, cond: Condition) -> list[tuple[str, bool]]:
        value = self._test(cond)
        own = self._title(cond.text, cond.text_en) if cond.text else None
        if own:
            return [(own, value)]
        if isinstance(cond, AllOf | AnyOf):
            children = cond.all if isinstance(cond, AllOf) else cond.any
            decisive = (
                isinstance(cond, AllOf) != value
            )  # all-false or any-true: some children decide
            picked = [c for c in children if self._test(c) == value] if decisive else children
            return [item for c in picked for item in self._why(c)]
        if isinstance(cond, NotOf):
            return self._why(cond.not_)
        if isinstance(cond, RuleRef):
            target = self.program.rules[cond.rule].rule
            key = "rule_ref_required" if cond.is_ == "required" else "rule_ref_applicable"
            return [
                (
                    phrase(
                        key,
                        self.lang,
                        id=target.id,
                        title=self._title(target.title, target.title_en),
                    ),
                    value,
                )
            ]
        assert isinstance(cond, FieldCondition)
        op, operand = cond.operator
        return [(describe_test(cond.field, op, operand, self.lang), value)]

    def tree(self, cond: Condition, depth: int) -> list[ExplanationLine]:
        """Every node of a condition, whether it held, and where it was written."""
        value = self._test(cond)
        own = self._title(cond.text, cond.text_en) if cond.text else None
        children: list[Condition] = []
        if isinstance(cond, AllOf | AnyOf):
            children = list(cond.all if isinstance(cond, AllOf) else cond.any)
            label = own or phrase("x_all" if isinstance(cond, AllOf) else "x_any", self.lang)
        elif isinstance(cond, NotOf):
            children = [cond.not_]
            label = own or phrase("x_not", self.lang)
        else:
            label = own or self._why(cond)[0][0]
        line = ExplanationLine(depth=depth, text=label, holds=value, source=cond.origin)
        return [line, *(item for c in children for item in self.tree(c, depth + 1))]

    def explain(self, result: EvaluationResult, obligation_id: str) -> Explanation:
        checks = self.program.rules.get(obligation_id)
        if checks is None:
            close = difflib.get_close_matches(obligation_id, list(self.program.rules), n=1)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else "known: " + ", ".join(self.program.rules)
            )
            raise RegimeError(f"the regime knows no obligation {obligation_id!r}; {hint}")
        rule = checks.rule
        ob = result.obligation(obligation_id) if obligation_id in result.statuses() else None
        lang = self.lang
        lines: list[ExplanationLine] = []

        def say(
            depth: int, key: str, holds: bool | None = None, source: str = "", **kw: Any
        ) -> None:
            lines.append(
                ExplanationLine(
                    depth=depth, text=phrase(key, lang, **kw), holds=holds, source=source
                )
            )

        status = STATUS_LABELS[ob.status if ob else "not_applicable"][lang]
        say(0, "x_head", id=rule.id, status=status, basis=self._basis(rule.legal_basis))
        say(0, "x_rule", title=self._title(rule.title, rule.title_en), source=checks.origin)
        say(0, "x_regime", regime=result.regime, reason=result.regime_reason)
        if rule.when is None:
            say(0, "x_always", holds=True)
        else:
            say(0, "x_when")
            lines.extend(self.tree(rule.when, 1))
        for exc in rule.unless:
            say(0, "x_unless", holds=self._test(exc.when), source=exc.origin, id=exc.id,
                reason=self._title(exc.reason, exc.reason_en), basis=self._basis(exc.legal_basis))  # fmt: skip
            lines.extend(self.tree(exc.when, 1))
        for n, deadline in enumerate(rule.deadlines, start=1):
            say(
                0, "x_deadline", source=deadline.origin, n=n, text=describe_deadline(deadline, lang)
            )
            if deadline.when is not None:
                lines.extend(self.tree(deadline.when, 1))
        for addition in rule.additions:
            say(0, "x_addition", holds=self._test(addition.when), source=addition.origin,
                text=self._title(addition.text, addition.text_en))  # fmt: skip
        if rule.dispenses:
            say(0, "x_dispenses", ids=", ".join(link.obligation for link in rule.dispenses))
        say(0, "x_because")
        for reason in ob.because if ob else []:
            lines.append(ExplanationLine(depth=1, text=reason, holds=None, source=""))
        return Explanation(
            case_id=result.case_id, regime=result.regime, obligation=ob, lines=lines, lang=lang
        )

    # small helpers ----------------------------------------------------------------------------

    def _title(self, da: str | None, en: str | None) -> str:
        return localized(da, en, self.lang)

    def _basis(self, citations: list[Citation]) -> str:
        mask = tuple([c.valid_on(self.day) for c in citations])
        key = (id(citations), mask)
        text = self.program.bases.get(key)
        if text is None:
            valid = [c for c, ok in zip(citations, mask, strict=True) if ok] or citations
            text = self.program.bases[key] = "; ".join(c.render() for c in valid)
        return text


__all__ = [
    "compare",
    "compare_many",
    "differences",
    "evaluate",
    "evaluate_many",
    "explain",
    "resolve_regime",
]
