"""The engines that answer a program's checks for one case.

``durable-rules`` is the default wherever it imports. It is wrapped here, once, for its sharp
edges: it raises ``MessageNotHandledException`` when no rule matches (a normal outcome here);
it keeps per-session state that must be deleted after each case (the 1,025th open session
raises ``MemoryError``); deleting a session of a ruleset that has never run an action crashes
the process (SIGSEGV), so each ruleset runs one priming action when it is registered; it is
not thread-safe (one lock serializes every call into it); a registered ruleset cannot be
replaced (each is named by the hash of its content and compiled once per process); an
exception raised inside its action callbacks, KeyboardInterrupt included, is caught by its
Python layer and handed to the completion callback, so signals are held off while it runs and
delivered once the case's session is gone. Its global ``Host`` and background timers are not
used at all.

``reference`` is a small pure-Python evaluator of the same checks: the fallback where
durable-rules does not import (Python 3.13+), and the other half of differential tests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from lovregler._errors import BackendError
from lovregler._signals import held_signals
from lovregler.engine.compile import (
    And,
    Compare,
    Const,
    Expr,
    Facts,
    Program,
    to_durable,
    to_python,
)

BACKEND_NAMES = ("durable-rules", "reference")


class Backend(Protocol):
    """Answers which checks of ``program`` hold for ``facts``."""

    name: str

    def run(self, program: Program, facts: Facts) -> frozenset[int]: ...

    def forget(self) -> None:
        """Drop what this backend keeps per program (``Engine.reload``)."""


class ReferenceBackend:
    """Pure Python: each check is a closure over the facts."""

    name = "reference"

    def __init__(self) -> None:
        self._compiled: dict[str, tuple[Callable[[Facts], bool], ...]] = {}

    def run(self, program: Program, facts: Facts) -> frozenset[int]:
        tests = self._compiled.get(program.digest)
        if tests is None:
            tests = tuple(to_python(check.expr) for check in program.checks)
            self._compiled[program.digest] = tests
        return frozenset(i for i, test in enumerate(tests) if test(facts))

    def forget(self) -> None:
        self._compiled.clear()


# durable-rules' C engine is process-global: one lock and one registry for all wrappers.
_DURABLE_LOCK = threading.Lock()
_DURABLE_RULESETS: dict[str, Any] = {}


def _primed(_closure: Any) -> None:
    """The priming rule's action: running is all it is for."""


def _raise_first(errors: list[BaseException]) -> None:
    for error in errors:
        if not isinstance(error, Exception):
            raise error  # KeyboardInterrupt, SystemExit: never "a failed case"
    raise BackendError(f"durable-rules failed on a case: {errors[0]}")


def durable_available() -> bool:
    try:
        _import_durable()
    except BackendError:
        return False
    return True


def _import_durable() -> tuple[Any, Any]:
    try:
        from durable.engine import MessageNotHandledException, Ruleset
    except Exception as exc:  # ImportError, or undefined symbols on Python 3.13+
        raise BackendError(
            f"the durable-rules backend cannot run here ({type(exc).__name__}: {exc}); "
            "use backend='reference'"
        ) from None
    return Ruleset, MessageNotHandledException


# The priming rule: a fact no case has (case facts are named after Case fields).
_PRIME_RULE = "prime"
_PRIME_FACT = {"lovregler_prime": 1}


class _Fired:
    """Collects the checks that fired for the case being evaluated.

    durable-rules stores an exception raised in an action in the session and carries on, so a
    failure here is kept aside and raised by the wrapper: a case is never answered without it.
    """

    def __init__(self) -> None:
        self.indices: list[int] = []
        self.failures: list[BaseException] = []

    def clear(self) -> None:
        self.indices.clear()
        self.failures.clear()

    def action(self, index: int) -> Callable[[Any], None]:
        def fired(_closure: Any) -> None:
            try:
                self.indices.append(index)
            except BaseException as exc:
                self.failures.append(exc)
                raise

        return fired


# durable-rules' own limits, measured on 2.0.28 (tests/test_durable_edges.py holds them):
# an assert that fires more than 64 actions fails (error 303); a condition nested about 16 or
# more levels deep, or one whose expansion into alternatives is large, cannot be compiled
# (error 113); a flat "any of" of a few hundred comparisons takes seconds to compile, of a
# thousand minutes. The layout keeps every ruleset far inside them, for any rule folder.
MOST_RULES_PER_RULESET = 60
MOST_DEPTH = 8
MOST_COMPARISONS = 48
MOST_ALTERNATIVES = 256


def _shape(expr: Expr) -> tuple[int, int, int]:
    """(depth, comparisons, alternatives in its expansion) of an expression."""
    if isinstance(expr, Compare):
        return 1, 1, 1
    if isinstance(expr, Const):
        return 1, 0, 1
    shapes = [_shape(e) for e in expr.items]
    depth = 1 + max(d for d, _, _ in shapes)
    comparisons = sum(c for _, c, _ in shapes)
    if isinstance(expr, And):
        alternatives = 1
        for _, _, a in shapes:
            alternatives = min(alternatives * a, MOST_ALTERNATIVES + 1)
    else:
        alternatives = min(sum(a for _, _, a in shapes), MOST_ALTERNATIVES + 1)
    return depth, comparisons, alternatives


def fits_durable(expr: Expr) -> bool:
    """Whether durable-rules can take ``expr`` as one condition, well inside its limits."""
    depth, comparisons, alternatives = _shape(expr)
    return (
        depth <= MOST_DEPTH
        and comparisons <= MOST_COMPARISONS
        and alternatives <= MOST_ALTERNATIVES
    )


def _combined(expr: Expr, leaf: dict[Compare, int]) -> Callable[[frozenset[int]], bool]:
    """``expr`` as a test of which of its comparisons (by number) durable-rules found true."""
    if isinstance(expr, Const):
        value = expr.value
        return lambda held: value
    if isinstance(expr, Compare):
        number = leaf[expr]
        return lambda held: number in held
    parts = tuple(_combined(e, leaf) for e in expr.items)
    if isinstance(expr, And):
        return lambda held: all(p(held) for p in parts)
    return lambda held: any(p(held) for p in parts)


@dataclass
class _Layout:
    """A program as durable-rules runs it: rulesets of at most ``MOST_RULES_PER_RULESET``
    rules each, and, for a check too large for one condition, its comparisons as rules of
    their own, combined here."""

    rulesets: list[Any]
    fired: _Fired
    always: frozenset[int]
    leaf_base: int  # rule numbers from here on are comparisons of split checks
    split: tuple[tuple[int, Callable[[frozenset[int]], bool]], ...]


class DurableBackend:
    """durable-rules, wrapped: one ruleset per program (more where it is large), one session
    per case, then deleted."""

    name = "durable-rules"
    _SESSION = "case"

    def __init__(self) -> None:
        self._ruleset_class, self._not_handled = _import_durable()

    def _layout(self, program: Program) -> _Layout:
        key = f"lovregler_{program.name}_{program.digest[:24]}"
        layout = _DURABLE_RULESETS.get(key)
        if layout is not None:
            return layout  # type: ignore[no-any-return]
        conditions: list[tuple[int, dict[str, Any]]] = []
        leaves: dict[Compare, int] = {}
        split_checks: list[tuple[int, Expr]] = []
        for index, check in enumerate(program.checks):
            if isinstance(check.expr, Const):
                continue
            if fits_durable(check.expr):
                conditions.append((index, to_durable(check.expr)))
            else:
                split_checks.append((index, check.expr))
                for leaf in _leaves_of(check.expr):
                    leaves.setdefault(leaf, len(program.checks) + len(leaves))
        conditions += [(number, to_durable(leaf)) for leaf, number in leaves.items()]
        fired = _Fired()
        rulesets = []
        for part, start in enumerate(range(0, len(conditions), MOST_RULES_PER_RULESET)):
            definition: dict[str, dict[str, Any]] = {
                f"c{number}": {"all": [{"m": condition}], "run": fired.action(number)}
                for number, condition in conditions[start : start + MOST_RULES_PER_RULESET]
            }
            definition[_PRIME_RULE] = {"all": [{"m": dict(_PRIME_FACT)}], "run": _primed}
            ruleset = self._ruleset_class(f"{key}_{part}", None, definition)
            # Until one action has run, durable-rules' delete_state dereferences a null
            # pointer: a folder where no check holds for the first case crashed the process.
            self._once(ruleset, _PRIME_FACT)
            rulesets.append(ruleset)
        always = frozenset(
            i for i, c in enumerate(program.checks) if isinstance(c.expr, Const) and c.expr.value
        )
        split = tuple((index, _combined(expr, leaves)) for index, expr in split_checks)
        layout = _Layout(rulesets, fired, always, len(program.checks), split)
        _DURABLE_RULESETS[key] = layout
        return layout

    def _once(self, ruleset: Any, facts: Facts) -> None:
        """Assert ``facts`` in a fresh session, run what fires, and delete the session."""
        errors: list[BaseException] = []

        def done(error: BaseException | None, _state: Any) -> None:
            if error is not None:
                errors.append(error)

        try:
            handle = ruleset.assert_fact({**facts, "sid": self._SESSION})
            ruleset.do_actions(handle, done)
        except self._not_handled:
            pass  # no check held for this case: a normal outcome
        finally:
            ruleset.delete_state(self._SESSION)  # or the engine runs out of sessions
        if errors:
            _raise_first(errors)

    def run(self, program: Program, facts: Facts) -> frozenset[int]:
        with _DURABLE_LOCK, held_signals():
            layout = self._layout(program)
            fired = layout.fired
            fired.clear()
            for ruleset in layout.rulesets:
                self._once(ruleset, facts)
            if fired.failures:
                _raise_first(fired.failures)
            held = frozenset(fired.indices)
            if not layout.split:
                return layout.always | held
            found = {i for i in held if i < layout.leaf_base}
            found.update(index for index, test in layout.split if test(held))
            return layout.always | found

    def forget(self) -> None:
        """Nothing to drop: rulesets are named by the hash of their content, so a changed rule
        set gets a ruleset of its own (durable-rules cannot replace a registered one)."""


def _leaves_of(expr: Expr) -> list[Compare]:
    if isinstance(expr, Compare):
        return [expr]
    if isinstance(expr, Const):
        return []
    return [leaf for e in expr.items for leaf in _leaves_of(e)]
