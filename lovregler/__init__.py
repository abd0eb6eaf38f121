"""lovregler: Danish child-welfare procedure as explained, dated obligations.

Serviceloven's chapter on children (the ``standard`` regime) and the dispensations of the
free-municipality network Gladsaxe, Guldborgsund and Ikast-Brande (the ``frikommune`` overlay)
live in YAML rule files, listed in a catalogue (``rules/regimes.yaml``); lovregler evaluates a
case against them::

    from lovregler import Engine, evaluate
    result = evaluate({"case_id": "1", "municipality": "Ikast-Brande", ...}, "auto")
    engine = Engine("/srv/regler")   # or hold an engine over your own rules

This module only re-exports: the state lives in :class:`Engine`; ``evaluate()`` and the other
functions ask a default engine.
"""

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
