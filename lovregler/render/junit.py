"""JUnit XML, the test report CI systems read: one writer for ``check`` and ``test`` reports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr


@dataclass(frozen=True)
class Failure:
    """One failure of a test case; ``type`` (e.g. ``error`` or ``finding``) is optional."""

    message: str
    type: str | None = None


@dataclass(frozen=True)
class TestCase:
    """One test case: ``classname`` groups it (a suite, a file), ``name`` names it."""

    __test__ = False  # not a pytest test class

    classname: str
    name: str
    failures: Sequence[Failure] = ()


def junit_xml(suite: str, cases: Iterable[TestCase]) -> str:
    """A ``<testsuite>`` of ``cases``; ``failures`` counts the cases that have any."""
    cases = list(cases)
    failed = sum(1 for case in cases if case.failures)
    lines = [
        f"  <testcase classname={quoteattr(case.classname)} name={quoteattr(case.name)}>"
        + "".join(_failure(f) for f in case.failures)
        + "</testcase>"
        for case in cases
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuite name={quoteattr(suite)} tests="{len(cases)}" failures="{failed}">\n'
        + "\n".join(lines)
        + "\n</testsuite>\n"
    )


def _failure(failure: Failure) -> str:
    kind = f"type={quoteattr(failure.type)} " if failure.type is not None else ""
    message = failure.message
    return f"<failure {kind}message={quoteattr(message)}>{escape(message)}</failure>"
