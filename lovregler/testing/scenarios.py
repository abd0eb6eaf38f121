"""Legal scenario files: cases with the obligations the law expects, run against the rules.

A scenario file is YAML, read with :func:`lovregler.law.safe_yaml.load_yaml` so that every problem names
its file and line::

    title: SEL § 50 – børnefaglig undersøgelse
    scenarios:
      - name: undersøgelse påkrævet ved antaget støttebehov
        description: Et barn, der må antages at trænge til særlig støtte, skal undersøges.
        citation: SEL § 50, stk. 1
        case: {case_id: S50-1, municipality: Aarhus, child_age: 8,
               awareness_date: 2019-10-31, support_need_presumed: true}
        expect:
          standard:
            sel50.boernefaglig_undersoegelse: {status: required, due: 2020-02-29}
          frikommune:
            regime: standard              # optional: the regime the result must say it applied
            sel50.boernefaglig_undersoegelse: required      # short form: the status only

The keys of ``expect`` are requested regimes (``standard``, ``frikommune``, ``auto``). Inside
each, ``regime`` is the regime the result must have applied (optional); every other key is an
obligation id mapped to a status or to ``{status, due}``. ``due: null`` asserts that there is no
due date; leaving ``due`` out does not check it.

Errors in a file raise :class:`ScenarioFileError` (bad YAML, unknown keys, unknown obligation
ids) or :class:`~lovregler.CaseError` (an invalid case), each problem naming file, line and
field, e.g. ``tests/scenarios/sel50.yaml:12:9: scenarios[0].case.child_age: ...``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from lovregler._api import load_regime
from lovregler._engine import AUTO, Engine, default_engine
from lovregler._errors import CaseError, LovreglerError, Problem, SourcePosition
from lovregler._result import EvaluationResult, Obligation, Status
from lovregler.case.model import Case, case_problems
from lovregler.law.loader import Regime
from lovregler.law.problems import did_you_mean, must_be, validation_problems
from lovregler.law.records import read_mapping
from lovregler.law.safe_yaml import PathKey, Positions, YamlProblem, format_path
from lovregler.render.junit import Failure, TestCase, junit_xml

RequestedRegime = str
"""A regime of the catalogue, or ``auto``."""


def requested_regimes(engine: Engine | None = None) -> tuple[str, ...]:
    """What a scenario may ask for: every regime of the catalogue, and ``auto``."""
    return (*(engine or default_engine()).regime_names(), AUTO)


REQUESTED_REGIMES: tuple[RequestedRegime, ...] = requested_regimes()
"""The bundled catalogue's regimes and ``auto`` (see :func:`requested_regimes`)."""
SCENARIO_SUFFIXES = (".yaml", ".yml")
REGIME_KEY = "regime"
_CLOSE = 0.75  # how alike a misspelt id or key must be to a known one to be suggested


class ScenarioFileError(LovreglerError):
    """A scenario file is unreadable or invalid (YAML, unknown keys, unknown obligation ids)."""


# --- the file format, as pydantic models (validation only) ---------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _ObligationIn(_Strict):
    status: Status
    due: date | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        """``sel48.boernesamtale: required`` is ``{status: required}``."""
        if isinstance(data, str):
            return {"status": data}
        return data


class _RegimeExpectationIn(_Strict):
    regime: str | None = None
    obligations: dict[str, _ObligationIn]

    @model_validator(mode="before")
    @classmethod
    def _split(cls, data: Any) -> Any:
        """Every key but ``regime`` is an obligation id."""
        if not isinstance(data, dict):
            return data
        if not data:
            raise ValueError("expects nothing; give `regime` or at least one obligation id")
        split: dict[str, Any] = {"obligations": {k: v for k, v in data.items() if k != REGIME_KEY}}
        if REGIME_KEY in data:
            split[REGIME_KEY] = data[REGIME_KEY]
        return split


class _ScenarioIn(_Strict):
    name: Annotated[str, Field(min_length=1)]
    description: Annotated[str, Field(min_length=1)]
    citation: Annotated[str, Field(min_length=1)]
    case: dict[str, Any]
    expect: Annotated[dict[RequestedRegime, _RegimeExpectationIn], Field(min_length=1)]


class _ScenarioFileIn(_Strict):
    title: Annotated[str, Field(min_length=1)]
    scenarios: Annotated[list[_ScenarioIn], Field(min_length=1)]


# --- what a loaded file is ---------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedObligation:
    """One obligation a scenario expects: its status and, if ``check_due``, its due date."""

    id: str
    status: Status
    due: date | None
    check_due: bool
    line: int | None

    def describe(self) -> str:
        if not self.check_due:
            return self.status
        return f"{self.status}, {_due_text(self.due)}"


@dataclass(frozen=True)
class RegimeExpectation:
    """What one requested regime must give: optionally the applied regime, and obligations."""

    requested: RequestedRegime
    regime: str | None
    obligations: tuple[ExpectedObligation, ...]
    line: int | None
    regime_line: int | None = None


class _Placed:
    """Something written in a scenario file, at ``file`` and ``line``."""

    file: str
    line: int | None

    @property
    def position(self) -> SourcePosition:
        return SourcePosition(self.file, self.line)

    @property
    def location(self) -> str:
        """``file:line``, as messages name it."""
        return str(self.position)


@dataclass(frozen=True)
class Scenario(_Placed):
    """One case and what the law expects of it under one or more regimes."""

    name: str
    description: str
    citation: str
    case: Case
    expect: tuple[RegimeExpectation, ...]
    file: str
    line: int | None


@dataclass(frozen=True)
class ScenarioFile:
    """A validated scenario file."""

    path: Path
    file: str
    title: str
    scenarios: tuple[Scenario, ...]


@dataclass(frozen=True)
class Mismatch(_Placed):
    """One expectation the result did not meet.

    ``obligation`` is ``None`` when the applied regime differs from ``regime:``. ``file`` and
    ``line`` point at the expectation inside the scenario.
    """

    scenario: str
    requested: str
    obligation: str | None
    expected: str
    actual: str
    file: str
    line: int | None

    def __str__(self) -> str:
        what = self.obligation or "regime"
        return (
            f"{self.location}: [{self.requested}] {what}: "
            f"expected {self.expected}, got {self.actual}"
        )


@dataclass(frozen=True)
class ScenarioOutcome:
    """One scenario and the mismatches found when it ran."""

    scenario: Scenario
    mismatches: tuple[Mismatch, ...]
    required: int = 0  # required obligations in its results
    unconfirmed: int = 0  # ... of which rest on law marked to_confirm

    @property
    def passed(self) -> bool:
        return not self.mismatches


@dataclass(frozen=True)
class ScenarioReport:
    """The outcome of every scenario in the files run."""

    outcomes: tuple[ScenarioOutcome, ...] = field(default=())

    @property
    def required(self) -> int:
        return sum(o.required for o in self.outcomes)

    @property
    def unconfirmed(self) -> int:
        return sum(o.unconfirmed for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return all(o.passed for o in self.outcomes)

    @property
    def passed(self) -> int:
        return sum(o.passed for o in self.outcomes)

    @property
    def failed(self) -> int:
        return len(self.outcomes) - self.passed

    @property
    def mismatches(self) -> list[Mismatch]:
        return [m for o in self.outcomes for m in o.mismatches]

    def to_junit(self) -> str:
        """JUnit XML: one test case per scenario, classname = the scenario file."""
        cases = [
            TestCase(o.scenario.file, o.scenario.name, [Failure(str(m)) for m in o.mismatches])
            for o in self.outcomes
        ]
        return junit_xml("lovregler test", cases)

    def to_json(self) -> str:
        import json

        rows = [
            {
                "file": o.scenario.file,
                "line": o.scenario.line,
                "name": o.scenario.name,
                "citation": o.scenario.citation,
                "passed": o.passed,
                "mismatches": [
                    {
                        "regime": m.requested,
                        "obligation": m.obligation,
                        "expected": m.expected,
                        "actual": m.actual,
                        "line": m.line,
                    }
                    for m in o.mismatches
                ],
            }
            for o in self.outcomes
        ]
        data = {"passed": self.passed, "failed": self.failed, "scenarios": rows}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    def render(self) -> str:
        """A plain-text summary: each failing scenario with its mismatches, then the counts."""
        lines: list[str] = []
        for outcome in self.outcomes:
            if outcome.passed:
                continue
            scenario = outcome.scenario
            lines.append(f"FAIL {scenario.location}: {scenario.name} ({scenario.citation})")
            lines += [f"  {m}" for m in outcome.mismatches]
        lines.append(f"{self.passed} passed, {self.failed} failed")
        return "\n".join(lines)


# --- loading ------------------------------------------------------------------------------


def load_scenario_file(path: Path | str) -> ScenarioFile:
    """Read and validate one scenario file.

    Raises :class:`ScenarioFileError` for YAML, schema and obligation-id problems, and
    :class:`~lovregler.CaseError` when only cases are invalid; every problem names the file,
    line and field.
    """
    path = Path(path)
    try:
        data, positions = read_mapping(path)
    except YamlProblem as exc:
        raise ScenarioFileError([exc.problem]) from None
    try:
        parsed = _ScenarioFileIn.model_validate(data)
    except ValidationError as exc:
        raise ScenarioFileError(_schema_problems(exc, data, positions)) from None

    problems: list[Problem] = []
    case_errors: list[Problem] = []
    scenarios: list[Scenario] = []
    seen: dict[str, int | None] = {}
    for index, raw in enumerate(parsed.scenarios):
        here: PathKey = ("scenarios", index)
        if raw.name in seen:
            problems.append(
                _problem(
                    positions,
                    (*here, "name"),
                    f"another scenario in this file has the name {raw.name!r} "
                    f"(line {seen[raw.name]}); names must be unique",
                )
            )
        seen.setdefault(raw.name, _line(positions, here))
        case = _parse_case(raw.case, positions, (*here, "case"), case_errors)
        expect = tuple(
            _expectation(requested, block, positions, (*here, "expect", requested), problems)
            for requested, block in raw.expect.items()
            if _known_request(requested, positions, (*here, "expect", requested), problems)
        )
        if case is not None:
            scenarios.append(
                Scenario(
                    name=raw.name,
                    description=raw.description,
                    citation=raw.citation,
                    case=case,
                    expect=expect,
                    file=positions.file,
                    line=_line(positions, here),
                )
            )
    if problems:
        raise ScenarioFileError(_by_line(problems + case_errors))
    if case_errors:
        raise CaseError(_by_line(case_errors))
    return ScenarioFile(
        path=path, file=positions.file, title=parsed.title, scenarios=tuple(scenarios)
    )


def scenario_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given; folders as their ``*.yaml`` / ``*.yml`` files, sorted by name."""
    out: list[Path] = []
    for item in paths:
        p = Path(item)
        if p.is_dir():
            out += sorted(c for c in p.iterdir() if c.suffix in SCENARIO_SUFFIXES)
        else:
            out.append(p)
    return out


def _parse_case(
    data: dict[str, Any], positions: Positions, where: PathKey, problems: list[Problem]
) -> Case | None:
    """Validate the scenario's case; problems name ``scenarios[i].case.<field>`` and its line."""
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        problems.extend(p for p in case_problems(exc, data, positions, where) if p not in problems)
        return None


def _expectation(
    requested: RequestedRegime,
    block: _RegimeExpectationIn,
    positions: Positions,
    where: PathKey,
    problems: list[Problem],
) -> RegimeExpectation:
    known = _known_obligations(requested)
    possible_regimes = _applicable_regimes(requested)
    if block.regime is not None and block.regime not in possible_regimes:
        problems.append(
            _problem(
                positions,
                (*where, REGIME_KEY),
                f"asking for {requested!r} can only apply "
                + " or ".join(repr(r) for r in possible_regimes),
            )
        )
    obligations: list[ExpectedObligation] = []
    for oid, item in block.obligations.items():
        if oid not in known:
            problems.append(_problem(positions, (*where, oid), _unknown_id(oid, requested)))
            continue
        obligations.append(
            ExpectedObligation(
                id=oid,
                status=item.status,
                due=item.due,
                check_due="due" in item.model_fields_set,
                line=_line(positions, (*where, oid)),
            )
        )
    return RegimeExpectation(
        requested=requested,
        regime=block.regime,
        obligations=tuple(obligations),
        line=_line(positions, where),
        regime_line=_line(positions, (*where, REGIME_KEY)),
    )


def _known_request(
    requested: str, positions: Positions, where: PathKey, problems: list[Problem]
) -> bool:
    choices = requested_regimes()
    if requested in choices:
        return True
    shown = [repr(c) for c in choices]
    problems.append(
        _problem(positions, where, "must be " + ", ".join(shown[:-1]) + " or " + shown[-1])
    )
    return False


def _unknown_id(oid: str, requested: str) -> str:
    for other in requested_regimes():
        if oid in _known_obligations(other):
            return f"belongs to the regime {other!r}; asking for {requested!r} never gives it"
    known = list(_known_obligations(requested))
    hint = did_you_mean(oid, known, cutoff=_CLOSE)
    return f"unknown obligation id for the regime {requested!r}; " + (
        hint or "known ids: " + ", ".join(known)
    )


def _possible(requested: str) -> list[Regime]:
    """The regimes whose rules a request may apply: the regime's chain, or for ``auto`` every
    regime of the catalogue."""
    names = default_engine().regime_names() if requested == AUTO else (requested,)
    out: list[Regime] = []
    for name in names:
        for regime in load_regime(name).chain:
            if all(r.name != regime.name for r in out):
                out.append(regime)
    return out


def _known_obligations(requested: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(rule.id for r in _possible(requested) for rule in r.rules))


def _applicable_regimes(requested: str) -> tuple[str, ...]:
    return tuple(r.name for r in _possible(requested))


def _schema_problems(exc: ValidationError, data: Any, positions: Positions) -> list[Problem]:
    problems = validation_problems(
        [_in_file_terms(err) for err in exc.errors()],
        data,
        positions,
        wording={
            "extra_forbidden": lambda loc, message, err: "unknown key" + _allowed_keys_hint(loc),
            "missing": "required key is missing",
            "literal_error": must_be,
        },
    )
    return _by_line(problems)


def _in_file_terms(err: ErrorDetails) -> ErrorDetails:
    """The error's path as the file has it (``obligations`` is the models' name for the ids)."""
    return {**err, "loc": tuple(p for p in err["loc"] if p not in ("obligations", "[key]"))}


def _allowed_keys_hint(loc: Sequence[str | int]) -> str:
    """The keys allowed where an unknown key was found (file, scenario or ``{status, due}``)."""
    depth = len([p for p in loc if isinstance(p, str)])
    owners: dict[int, type[BaseModel]] = {
        1: _ScenarioFileIn,
        2: _ScenarioIn,
        5: _ObligationIn,
    }
    model = owners.get(depth)
    if model is None:
        return ""
    allowed = list(model.model_fields)
    return "; " + (
        did_you_mean(str(loc[-1]), allowed, cutoff=_CLOSE) or "allowed here: " + ", ".join(allowed)
    )


def _problem(positions: Positions, path: PathKey, message: str) -> Problem:
    return Problem.at(positions.at(path), message, format_path(path) or None)


def _line(positions: Positions, path: PathKey) -> int | None:
    return positions.at(path).line


def _by_line(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def _due_text(due: date | None) -> str:
    return f"due {due.isoformat()}" if due is not None else "no due date"


# --- running ------------------------------------------------------------------------------


def run_scenario(
    scenario: Scenario, backend: str | None = None, rules: Path | str | None = None
) -> list[Mismatch]:
    """Evaluate the scenario's case under each requested regime; every unmet expectation.

    ``rules`` is a rules folder with its own catalogue (e.g. an edited copy of ``rules/``)
    whose regimes are used instead of the bundled ones, ``auto`` included.
    """
    return list(_outcome(scenario, backend, rules).mismatches)


def _outcome(scenario: Scenario, backend: str | None, rules: Path | str | None) -> ScenarioOutcome:
    engine = _engine_for(rules)
    out: list[Mismatch] = []
    required = unconfirmed = 0
    for expectation in scenario.expect:
        result = engine.evaluate(scenario.case, expectation.requested, backend=backend)
        out += _compare(scenario, expectation, result)
        for ob in result.required():
            required += 1
            unconfirmed += ob.confidence == "to_confirm"
    return ScenarioOutcome(scenario, tuple(out), required, unconfirmed)


def _engine_for(rules: Path | str | None) -> Engine:
    if rules is None:
        return default_engine()
    key = str(Path(rules).resolve())
    engine = _ENGINES.get(key)
    if engine is None:
        engine = _ENGINES[key] = Engine(key)
    return engine


_ENGINES: dict[str, Engine] = {}  # one engine per rules folder a scenario run names


def run_scenario_files(
    paths: Iterable[Path | str], backend: str | None = None, rules: Path | str | None = None
) -> ScenarioReport:
    """Load every scenario file (folders: their ``*.yaml`` files) and run every scenario.

    Files that cannot be loaded raise one error with the problems of every such file.
    """
    files: list[ScenarioFile] = []
    problems: list[Problem] = []
    for path in scenario_paths(paths):
        try:
            files.append(load_scenario_file(path))
        except LovreglerError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioFileError(problems)
    outcomes = [
        _outcome(scenario, backend, rules) for loaded in files for scenario in loaded.scenarios
    ]
    return ScenarioReport(tuple(outcomes))


def _compare(
    scenario: Scenario, expectation: RegimeExpectation, result: EvaluationResult
) -> list[Mismatch]:
    out: list[Mismatch] = []

    def mismatch(obligation: str | None, expected: str, actual: str, line: int | None) -> None:
        out.append(
            Mismatch(
                scenario=scenario.name,
                requested=expectation.requested,
                obligation=obligation,
                expected=expected,
                actual=actual,
                file=scenario.file,
                line=line,
            )
        )

    if expectation.regime is not None and result.regime != expectation.regime:
        mismatch(
            None,
            f"regime {expectation.regime}",
            f"regime {result.regime} ({result.regime_reason})",
            expectation.regime_line or expectation.line,
        )
    found = {o.id: o for o in result.obligations}
    for expected in expectation.obligations:
        actual = found.get(expected.id)
        if actual is None:
            mismatch(
                expected.id,
                expected.describe(),
                f"no such obligation in the result (the regime {result.regime} was applied)",
                expected.line,
            )
            continue
        if actual.status != expected.status or (expected.check_due and actual.due != expected.due):
            mismatch(expected.id, expected.describe(), _actual_text(actual), expected.line)
    return out


def _actual_text(obligation: Obligation) -> str:
    return f"{obligation.status}, {_due_text(obligation.due)}"


def scenario_json_schema() -> dict[str, Any]:
    """A JSON Schema for scenario files, for editors (the loader checks more, e.g. known ids)."""
    schema: dict[str, Any] = _ScenarioFileIn.model_json_schema()
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    status: dict[str, Any] = _ObligationIn.model_json_schema()["properties"]["status"]
    defs[_RegimeExpectationIn.__name__] = {
        "type": "object",
        "description": "`regime` (optional): the regime the result must have applied; every "
        "other key is an obligation id with its status, or {status, due}.",
        "properties": {"regime": {"enum": list(_applicable_regimes(AUTO))}},
        "additionalProperties": {"anyOf": [status, {"$ref": f"#/$defs/{_ObligationIn.__name__}"}]},
        "minProperties": 1,
    }
    expect = defs[_ScenarioIn.__name__]["properties"]["expect"]
    expect["propertyNames"] = {"enum": list(requested_regimes())}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://lovregler.invalid/schemas/scenario.schema.json"
    return schema


__all__ = [
    "REQUESTED_REGIMES",
    "ExpectedObligation",
    "Mismatch",
    "RegimeExpectation",
    "Scenario",
    "ScenarioFile",
    "ScenarioFileError",
    "ScenarioOutcome",
    "ScenarioReport",
    "load_scenario_file",
    "run_scenario",
    "run_scenario_files",
    "scenario_json_schema",
    "scenario_paths",
]
