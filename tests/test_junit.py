"""The one JUnit XML writer (lovregler.render.junit), as check and test reports use it."""

from __future__ import annotations

from xml.etree import ElementTree

from lovregler._errors import Problem
from lovregler.render.junit import Failure, TestCase, junit_xml
from lovregler.render.report import CheckReport


def test_junit_xml_escapes_and_counts_the_failing_cases() -> None:
    xml = junit_xml(
        "lovregler check",
        [
            TestCase(
                "lovregler.check", "a.yaml", [Failure('a "b" <c> & d', "error"), Failure("e")]
            ),
            TestCase("lovregler.check", "b.yaml"),
        ],
    )
    assert xml == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuite name="lovregler check" tests="2" failures="1">\n'
        '  <testcase classname="lovregler.check" name="a.yaml">'
        '<failure type="error" message=\'a "b" &lt;c&gt; &amp; d\'>a "b" &lt;c&gt; &amp; d</failure>'
        '<failure message="e">e</failure></testcase>\n'
        '  <testcase classname="lovregler.check" name="b.yaml"></testcase>\n'
        "</testsuite>\n"
    )
    suite = ElementTree.fromstring(xml)
    assert [f.get("message") for f in suite.iter("failure")] == ['a "b" <c> & d', "e"]


def test_an_empty_suite_is_still_a_report() -> None:
    assert junit_xml("lovregler test", []) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuite name="lovregler test" tests="0" failures="0">\n\n</testsuite>\n'
    )


def test_a_check_report_is_one_case_per_file_read() -> None:
    report = CheckReport(
        errors=[Problem("unknown key", "a.yaml", 2, 3, "rules[0].x")],
        findings=[Problem("never applies", "a.yaml", 9)],
        files=["a.yaml", "b.yaml"],
    )
    suite = ElementTree.fromstring(report.to_junit())
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["a.yaml", "b.yaml"]
    assert [f.get("type") for f in cases[0]] == ["error", "finding"]
    assert suite.get("failures") == "1"
