"""Check results in the formats CI systems read: JSON, JUnit XML and GitHub annotations."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from lovregler._errors import Problem
from lovregler.render.junit import Failure, TestCase, junit_xml


@dataclass
class CheckReport:
    """What ``lovregler check`` found: regimes that loaded, errors, findings, files read."""

    regimes: list[dict[str, object]] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    findings: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 2 if self.errors else 1 if self.findings else 0

    def to_json(self) -> str:
        def row(problem: Problem, severity: str) -> dict[str, object]:
            return {
                "severity": severity,
                "file": problem.file,
                "line": problem.line,
                "column": problem.column,
                "field": problem.field,
                "message": problem.message,
            }

        data = {
            "ok": self.exit_code == 0,
            "exit_code": self.exit_code,
            "regimes": self.regimes,
            "problems": [row(p, "error") for p in self.errors]
            + [row(p, "finding") for p in self.findings],
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    def to_junit(self, suite: str = "lovregler check") -> str:
        """One test case per file read; each error or finding in it is a failure."""
        by_file: dict[str, list[tuple[str, Problem]]] = defaultdict(list)
        for severity, problems in (("error", self.errors), ("finding", self.findings)):
            for problem in problems:
                by_file[problem.file or "(no file)"].append((severity, problem))
        names = list(dict.fromkeys([*self.files, *by_file]))
        cases = [
            TestCase(
                suite.replace(" ", "."),
                name,
                [Failure(str(problem), severity) for severity, problem in by_file.get(name, [])],
            )
            for name in names
        ]
        return junit_xml(suite, cases)

    def to_github(self) -> str:
        """GitHub workflow commands: an annotation per error (``::error``) and finding (``::warning``)."""
        lines = []
        for kind, problems in (("error", self.errors), ("warning", self.findings)):
            for p in problems:
                where = ",".join(
                    part
                    for part in (
                        f"file={p.file}" if p.file else "",
                        f"line={p.line}" if p.line else "",
                        f"col={p.column}" if p.column else "",
                    )
                    if part
                )
                message = (f"{p.field}: " if p.field else "") + p.message
                message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
                lines.append(
                    f"::{kind} {where + ',' if where else ''}title=lovregler check::{message}"
                )
        lines.append(
            f"lovregler check: {len(self.regimes)} regimes, {len(self.errors)} errors, "
            f"{len(self.findings)} findings"
        )
        return "\n".join(lines) + "\n"
