"""lovregler: Danish child-welfare procedure as explained, dated obligations.

Serviceloven's chapter on children (the ``standard`` regime) and the dispensations of the
free-municipality network Gladsaxe, Guldborgsund and Ikast-Brande (the ``frikommune`` overlay)
live in YAML rule files, listed in a catalogue (``rules/regimes.yaml``); lovregler evaluates a
case against them::

    from lovregler import Engine, evaluate
    result = evaluate({"case_id": "1", "municipality": "Ikast-Brande", ...}, "auto")
    engine = Engine("/srv/regler")   # or hold an engine over your own rules

This module only re-exports: the state lives in :class:`Engine`; ``evaluate()`` and the other
functions ask a default engine. The names are imported when first used (PEP 562), so that
``import lovregler`` (and the start of the ``lovregler`` command, which a Ctrl-C may cut short)
costs next to nothing; type checkers see them imported as usual.
"""

from __future__ import annotations

import importlib
import sys
import types

TYPE_CHECKING = False  # not `typing`'s: importing typing (and re) here would widen the window
if TYPE_CHECKING:
    from typing import Any

    from lovregler._api import (
        compare,
        compare_many,
        decide,
        differences,
        evaluate,
        evaluate_many,
        explain,
        load_regime,
    )
    from lovregler._engine import Engine, default_engine
    from lovregler._errors import (
        BackendError,
        CaseError,
        InternalError,
        LovreglerError,
        Problem,
        RegimeError,
        RuleFileError,
        SourcePosition,
        UsageError,
    )
    from lovregler._result import (
        CONFIDENCES,
        STATUSES,
        Comparison,
        Confidence,
        Difference,
        EvaluationResult,
        Explanation,
        ExplanationLine,
        Obligation,
        Reason,
        Recurrence,
        Selection,
        Status,
    )
    from lovregler.auditing.audit import (
        AUDIT_STATUSES,
        AuditItem,
        Auditor,
        AuditResult,
        AuditStatus,
        CaseloadSummary,
        GroupSummary,
        Occurrence,
        TimeToHelp,
        audit,
        summarize,
    )
    from lovregler.auditing.caseload import generate_histories
    from lovregler.case.history import (
        EVENT_TYPES,
        CaseHistory,
        Event,
        iter_history_file,
        load_history_file,
        parse_history,
    )
    from lovregler.case.model import Case, load_case_file, parse_case
    from lovregler.engine.backends import BACKEND_NAMES, durable_available
    from lovregler.engine.decide import Decision, ObligationDecision
    from lovregler.law.loader import Regime
    from lovregler.law.municipalities import Municipality, all_municipalities, resolve_municipality

_EXPORTS: dict[str, str] = {
    "compare": "lovregler._api",
    "compare_many": "lovregler._api",
    "decide": "lovregler._api",
    "differences": "lovregler._api",
    "evaluate": "lovregler._api",
    "evaluate_many": "lovregler._api",
    "explain": "lovregler._api",
    "load_regime": "lovregler._api",
    "Engine": "lovregler._engine",
    "default_engine": "lovregler._engine",
    "BackendError": "lovregler._errors",
    "CaseError": "lovregler._errors",
    "InternalError": "lovregler._errors",
    "LovreglerError": "lovregler._errors",
    "Problem": "lovregler._errors",
    "RegimeError": "lovregler._errors",
    "RuleFileError": "lovregler._errors",
    "SourcePosition": "lovregler._errors",
    "UsageError": "lovregler._errors",
    "CONFIDENCES": "lovregler._result",
    "STATUSES": "lovregler._result",
    "Comparison": "lovregler._result",
    "Confidence": "lovregler._result",
    "Difference": "lovregler._result",
    "EvaluationResult": "lovregler._result",
    "Explanation": "lovregler._result",
    "ExplanationLine": "lovregler._result",
    "Obligation": "lovregler._result",
    "Reason": "lovregler._result",
    "Recurrence": "lovregler._result",
    "Selection": "lovregler._result",
    "Status": "lovregler._result",
    "AUDIT_STATUSES": "lovregler.auditing.audit",
    "AuditItem": "lovregler.auditing.audit",
    "Auditor": "lovregler.auditing.audit",
    "AuditResult": "lovregler.auditing.audit",
    "AuditStatus": "lovregler.auditing.audit",
    "CaseloadSummary": "lovregler.auditing.audit",
    "GroupSummary": "lovregler.auditing.audit",
    "Occurrence": "lovregler.auditing.audit",
    "TimeToHelp": "lovregler.auditing.audit",
    "audit": "lovregler.auditing.audit",
    "summarize": "lovregler.auditing.audit",
    "generate_histories": "lovregler.auditing.caseload",
    "EVENT_TYPES": "lovregler.case.history",
    "CaseHistory": "lovregler.case.history",
    "Event": "lovregler.case.history",
    "iter_history_file": "lovregler.case.history",
    "load_history_file": "lovregler.case.history",
    "parse_history": "lovregler.case.history",
    "Case": "lovregler.case.model",
    "load_case_file": "lovregler.case.model",
    "parse_case": "lovregler.case.model",
    "BACKEND_NAMES": "lovregler.engine.backends",
    "durable_available": "lovregler.engine.backends",
    "Decision": "lovregler.engine.decide",
    "ObligationDecision": "lovregler.engine.decide",
    "Regime": "lovregler.law.loader",
    "Municipality": "lovregler.law.municipalities",
    "all_municipalities": "lovregler.law.municipalities",
    "resolve_municipality": "lovregler.law.municipalities",
}


class _Package(types.ModuleType):
    """This package's module type: a subpackage never hides an export of the same name
    (``lovregler.explain`` is the function; the subpackage is ``import lovregler.explain``'s,
    found through ``sys.modules``). Eager imports gave the function the last word; lazy ones
    need this."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'lovregler' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next use is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__version__ = "0.1.0"

__all__ = [
    "AUDIT_STATUSES",
    "BACKEND_NAMES",
    "CONFIDENCES",
    "EVENT_TYPES",
    "STATUSES",
    "AuditItem",
    "AuditResult",
    "AuditStatus",
    "Auditor",
    "BackendError",
    "Case",
    "CaseError",
    "CaseHistory",
    "CaseloadSummary",
    "Comparison",
    "Confidence",
    "Decision",
    "Difference",
    "Engine",
    "EvaluationResult",
    "Event",
    "Explanation",
    "ExplanationLine",
    "GroupSummary",
    "InternalError",
    "LovreglerError",
    "Municipality",
    "Obligation",
    "ObligationDecision",
    "Occurrence",
    "Problem",
    "Reason",
    "Recurrence",
    "Regime",
    "RegimeError",
    "RuleFileError",
    "Selection",
    "SourcePosition",
    "Status",
    "TimeToHelp",
    "UsageError",
    "__version__",
    "all_municipalities",
    "audit",
    "compare",
    "compare_many",
    "decide",
    "default_engine",
    "differences",
    "durable_available",
    "evaluate",
    "evaluate_many",
    "explain",
    "generate_histories",
    "iter_history_file",
    "load_case_file",
    "load_history_file",
    "load_regime",
    "parse_case",
    "parse_history",
    "resolve_municipality",
    "summarize",
]
