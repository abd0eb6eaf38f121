"""The standard regime's rules written out by hand: the speed floor for ``make bench``.

This is what a programmer would write without a rules engine: the law of ``rules/standard``
hard-coded as ``if`` statements. It gives the same statuses and due dates as
``lovregler.evaluate(case, "standard")`` (the bench checks that on every generated case) but no
explanations, citations or texts. It lives outside the package on purpose: it is a yardstick,
not a second source of the law. When a rule file in ``rules/standard`` changes, change this
file too (the bench says loudly when the two disagree).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from lovregler import Case

Outcome = tuple[str, date | None]  # (status, due date when required)

REQUIRED, WAIVED, NOT_APPLICABLE = "required", "waived", "not_applicable"


def _plus_months(start: date, months: int) -> date:
    """Same day of the month, or the month's last day where it is shorter."""
    index = start.year * 12 + start.month - 1 + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(start.day, last))


def standard(case: Case) -> dict[str, Outcome]:
    """Status and due date of every obligation of the standard regime, for a valid case."""
    measures = case.measures
    consent = case.consent is True
    decided = case.decision_date or case.awareness_date
    placement = 7 in measures
    # §§ 48, 70, 140: a decision on a measure with consent, or on a placement.
    decision = (bool(measures) and consent) or placement

    out: dict[str, Outcome] = {}

    # § 48: child conversation before the decision, unless maturity or the nature of the case.
    if not decision:
        out["sel48.boernesamtale"] = (NOT_APPLICABLE, None)
    elif case.child_conversation_exception is not None:
        out["sel48.boernesamtale"] = (WAIVED, None)
    else:
        out["sel48.boernesamtale"] = (REQUIRED, decided)

    # § 50: child investigation within 4 months of awareness.
    if case.support_need_presumed or measures:
        out["sel50.boernefaglig_undersoegelse"] = (
            REQUIRED,
            _plus_months(case.awareness_date, 4),
        )
    else:
        out["sel50.boernefaglig_undersoegelse"] = (NOT_APPLICABLE, None)

    # § 52, stk. 3: one decision per measure (no deadline).
    for nr in range(1, 10):
        holds = placement if nr == 7 else consent and nr in measures
        out[f"sel52.stk3.nr{nr}"] = (REQUIRED if holds else NOT_APPLICABLE, None)

    # § 70: follow-up 3 months after the decision.
    out["sel70.opfoelgning"] = (
        (REQUIRED, _plus_months(decided, 3)) if decision else (NOT_APPLICABLE, None)
    )

    # § 140: action plan before the decision, or within 4 months when it cannot be awaited.
    if not decision:
        out["sel140.handleplan"] = (NOT_APPLICABLE, None)
    elif case.urgent:
        out["sel140.handleplan"] = (REQUIRED, _plus_months(decided, 4))
    else:
        out["sel140.handleplan"] = (REQUIRED, decided)

    # § 155: assess a notification within 24 hours (the next day).
    if case.notification_date is None:
        out["sel155.vurdering_af_underretning"] = (NOT_APPLICABLE, None)
    else:
        out["sel155.vurdering_af_underretning"] = (
            REQUIRED,
            case.notification_date + timedelta(days=1),
        )
    return out


def standard_from_data(data: dict[str, Any]) -> dict[str, Outcome]:
    """The fair comparison with ``evaluate(dict)``: validate the case with pydantic, then decide."""
    return standard(Case.model_validate(data))


def outcomes(result: Any) -> dict[str, Outcome]:
    """The same shape from an :class:`lovregler.EvaluationResult`."""
    return {o.id: (o.status, o.due) for o in result.obligations}
