"""The module-level API: each function asks the default :class:`~lovregler.Engine`.

``lovregler.evaluate(case, "auto")`` is ``default_engine().evaluate(case, "auto")``; a caller
that wants its own rules, its own caching rule or its own backend holds an ``Engine``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from lovregler._engine import AUTO, CaseLike, RegimeLike, default_engine, differences
from lovregler._result import Comparison, EvaluationResult, Explanation
from lovregler.engine.decide import Decision
from lovregler.explain.texts import Lang
from lovregler.law.loader import Regime


def evaluate(
    case: CaseLike,
    regime: RegimeLike | None = None,
    *,
    lang: Lang = "da",
    backend: str | None = None,
    reasons: bool = True,
) -> EvaluationResult:
    """Every obligation ``regime`` knows, for ``case``, with status, due date and reasons.

    ``regime`` is a regime name of the catalogue (``lovregler regimes`` lists them), ``"auto"``
    (the law in force on the case's date, with the overlay where it applies), a folder path, a
    :class:`Regime` from :func:`load_regime`, or ``None`` (the catalogue's default regime). An
    overlay that does not apply to the case (municipality, window, exclusion) gives the result of
    the regime below it, and ``regime_reason`` says why. ``backend`` is ``"durable-rules"``,
    ``"reference"`` or ``None`` (durable-rules where it imports).
    """
    return default_engine().evaluate(case, regime, lang=lang, backend=backend, reasons=reasons)


def decide(
    case: CaseLike, regime: RegimeLike | None = None, *, backend: str | None = None
) -> Decision:
    """Statuses, due dates, confidence and the regime selection, without any prose (fast)."""
    return default_engine().decide(case, regime, backend=backend)


def evaluate_many(
    cases: Iterable[CaseLike],
    regime: RegimeLike | None = None,
    *,
    lang: Lang = "da",
    backend: str | None = None,
    jobs: int = 1,
    chunksize: int = 64,
) -> Iterator[EvaluationResult]:
    """:func:`evaluate` for each case, lazily and in order, in constant memory (``jobs`` worker
    processes when above 1)."""
    return default_engine().evaluate_many(
        cases, regime, lang=lang, backend=backend, jobs=jobs, chunksize=chunksize
    )


def compare_many(
    cases: Iterable[CaseLike],
    base: RegimeLike | None = None,
    other: RegimeLike | None = None,
    *,
    lang: Lang = "da",
    backend: str | None = None,
    jobs: int = 1,
    chunksize: int = 32,
) -> Iterator[Comparison]:
    """:func:`compare` for each case, lazily and in order; ``jobs`` as in :func:`evaluate_many`."""
    return default_engine().compare_many(
        cases, base, other, lang=lang, backend=backend, jobs=jobs, chunksize=chunksize
    )


def explain(
    case: CaseLike,
    obligation: str,
    regime: RegimeLike = AUTO,
    *,
    lang: Lang = "da",
    backend: str | None = None,
) -> Explanation:
    """Why ``obligation`` has its status for ``case``: every condition, exception, deadline and
    addition of its rule, whether each held, and the rule file and line it came from.

    An obligation of an overlay that does not apply to the case is explained against the overlay's
    rules all the same (its status is then ``not_applicable``; ``regime`` says why).
    """
    return default_engine().explain(case, obligation, regime, lang=lang, backend=backend)


def compare(
    case: CaseLike,
    base: RegimeLike | None = None,
    other: RegimeLike | None = None,
    *,
    lang: Lang = "da",
    backend: str | None = None,
) -> Comparison:
    """The case under two regimes (by default the catalogue's pair) and every difference."""
    return default_engine().compare(case, base, other, lang=lang, backend=backend)


def load_regime(name_or_path: str | Path | None = None) -> Regime:
    """Load and validate a regime by catalogue name or folder path (``None``: the default).

    The default engine reads a regime's files again when one of them changed.
    """
    return default_engine().regime(name_or_path)


__all__ = [
    "compare",
    "compare_many",
    "decide",
    "differences",
    "evaluate",
    "evaluate_many",
    "explain",
    "load_regime",
]
