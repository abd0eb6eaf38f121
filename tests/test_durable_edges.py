"""durable-rules' sharp edges with signals and failing actions, each met where the wrapper
(``lovregler/engine/backends.py``) takes it, in a child process, so that a crash fails the test
and not the whole suite. Its crash and limits on rule folders: tests/test_durable_fuzz.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

from lovregler._signals import held_signals
from lovregler.engine.backends import durable_available

needs_durable = pytest.mark.skipif(not durable_available(), reason="durable-rules not here")


def _run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_signal_inside_the_held_block_is_delivered_after_it() -> None:
    seen: list[str] = []
    with pytest.raises(KeyboardInterrupt), held_signals():
        os.kill(os.getpid(), signal.SIGINT)
        seen.append("the block ran to its end")
    assert seen == ["the block ran to its end"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_the_handlers_a_program_set_are_back_after_the_block() -> None:
    calls: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: calls.append(signum))
    try:
        with held_signals():
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGTERM)
            assert calls == []
        assert calls == [signal.SIGTERM]  # delivered once, to the program's own handler
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_outside_the_main_thread_the_block_runs_as_is() -> None:
    handlers: list[object] = []

    def worker() -> None:
        with held_signals():
            handlers.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert handlers == [signal.default_int_handler]


@needs_durable
def test_an_interrupt_inside_a_durable_callback_stops_the_run_and_changes_nothing() -> None:
    """SIGINT landing in durable-rules' action callback, where its Python layer catches every
    exception (it would drop the rest of the case's checks): the case is run to its end and
    the interrupt then stops the run; no result is returned."""
    done = _run(
        """
        import os, signal
        import lovregler
        from lovregler.engine import backends
        case = {"case_id": "I", "municipality": "Aarhus", "child_age": 9,
                "awareness_date": "2019-10-31", "support_need_presumed": True}
        expected = lovregler.evaluate(case, "standard", backend="durable-rules")
        original = backends._Fired.action
        def interrupting(self, index):
            inner = original(self, index)
            def fired(closure):
                os.kill(os.getpid(), signal.SIGINT)
                inner(closure)
            return fired
        backends._Fired.action = interrupting
        backends._DURABLE_RULESETS.clear()
        for call in ("decide", "evaluate"):
            try:
                getattr(lovregler.Engine(), call)(case, "standard", backend="durable-rules")
                print("answered")
            except KeyboardInterrupt:
                print("interrupted")
        backends._Fired.action = original
        backends._DURABLE_RULESETS.clear()
        again = lovregler.Engine().evaluate(case, "standard", backend="durable-rules")
        print("same" if again == expected else "changed")
        """
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["interrupted", "interrupted", "same"]


@needs_durable
def test_an_exception_in_a_durable_callback_is_raised_not_dropped() -> None:
    """durable-rules keeps an action's exception in the session and carries on: the wrapper
    raises it instead of answering the case without the checks that did not fire."""
    done = _run(
        """
        import lovregler
        from lovregler import LovreglerError
        from lovregler.engine import backends
        case = {"case_id": "X", "municipality": "Aarhus", "child_age": 9,
                "awareness_date": "2019-10-31", "support_need_presumed": True}
        class Broken(list):
            def append(self, item):
                raise RuntimeError("broken")
        original = backends._Fired.__init__
        def init(self):
            original(self)
            self.indices = Broken()
        backends._Fired.__init__ = init
        try:
            lovregler.decide(case, "standard", backend="durable-rules")
            print("answered")
        except LovreglerError as exc:
            print(type(exc).__name__)
        """
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["BackendError"]
