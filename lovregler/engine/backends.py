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
from typing import Any, Protocol

from lovregler._errors import BackendError
from lovregler._signals import held_signals
from lovregler.engine.compile import Const, Facts, Program, to_python

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


class DurableBackend:
    """durable-rules, wrapped: one ruleset per program, one session per case, then deleted."""

    name = "durable-rules"
    _SESSION = "case"

    def __init__(self) -> None:
        self._ruleset_class, self._not_handled = _import_durable()

    def _ruleset(self, program: Program) -> tuple[Any, _Fired, frozenset[int]]:
        key = f"lovregler_{program.name}_{program.digest[:24]}"
        entry = _DURABLE_RULESETS.get(key)
        if entry is None:
            fired = _Fired()
            definition = program.durable_ruleset()
            for rule_name, rule in definition.items():
                rule["run"] = fired.action(int(rule_name[1:]))
            definition[_PRIME_RULE] = {"all": [{"m": dict(_PRIME_FACT)}], "run": _primed}
            always = frozenset(
                i
                for i, c in enumerate(program.checks)
                if isinstance(c.expr, Const) and c.expr.value
            )
            ruleset = self._ruleset_class(key, None, definition)
            # Until one action has run, durable-rules' delete_state dereferences a null pointer:
            # a folder where no check holds for the first case would crash the process.
            self._once(ruleset, _PRIME_FACT)
            entry = (ruleset, fired, always)
            _DURABLE_RULESETS[key] = entry
        return entry

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
            ruleset, fired, always = self._ruleset(program)
            fired.clear()
            self._once(ruleset, facts)
            if fired.failures:
                _raise_first(fired.failures)
            return always | frozenset(fired.indices)

    def forget(self) -> None:
        """Nothing to drop: rulesets are named by the hash of their content, so a changed rule
        set gets a ruleset of its own (durable-rules cannot replace a registered one)."""
