"""Property testing for case systems: generate cases, and check what the overlay may change.

Two halves, both public so that a case-management system can run the same proofs in its own
test suite:

* **Strategies** (hypothesis): :func:`cases` generates valid :class:`~lovregler.Case`\\ s across
  the whole input space, with dates clustered on the edges of the overlay's experiment windows;
  :func:`invalid_cases` generates inputs that must be refused, each with the field the error must
  name.
* **Invariant checkers**: one function per legal safeguard (``check_child_always_heard``, ...),
  each returning the :class:`Violation`\\ s it finds for one case, and :func:`check_invariants`
  running them all. :func:`counterexample` renders a violation as the case in YAML (ready to
  paste into a scenario file) and both results side by side.

Where the overlay may apply (its participants, windows and § 10, stk. 6 exclusions) is read from a
*reference* regime, by default the bundled ``frikommune`` regime, so that a changed copy of the
rules is judged against the published ones rather than against itself. The obligation ids the
checkers name are those of the published contract (CONTRACT.md).

Needs hypothesis (``pip install 'lovregler[test]'``)::

    from hypothesis import given
    from lovregler.testing import assert_no_violations, cases, check_invariants

    @given(cases())
    def test_safeguards(case):
        assert_no_violations(check_invariants(case))
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, TypeVar

import yaml

try:
    from hypothesis import HealthCheck, Phase, given, seed, settings
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "lovregler.testing needs hypothesis; install it with: pip install 'lovregler[test]'"
    ) from exc

from lovregler._api import evaluate, load_regime
from lovregler._engine import default_engine
from lovregler._errors import CaseError
from lovregler._result import EvaluationResult, Obligation
from lovregler.case.model import Case, case_field_value, parse_case
from lovregler.engine.compile import Lowerer, case_facts, to_python
from lovregler.law.loader import Regime
from lovregler.law.models import Merge, OverlaySafeguards
from lovregler.law.municipalities import Municipality, all_municipalities
from lovregler.law.vocabulary import MAX_AGE, MEASURE_NUMBERS, MIN_AGE, safeguards

T = TypeVar("T")

# --- the safeguards and the obligations they name (rules/safeguards.yaml) ---------------------

_PAIR = default_engine().catalogue.model.compare
OVERLAY = _PAIR.other
"""The overlay whose safeguards are proven (the catalogue's compared pair)."""
BASE = _PAIR.base
"""The regime it is proven against."""


def _safeguards_of(overlay: str) -> OverlaySafeguards:
    for entry in safeguards().overlays:
        if entry.overlay == overlay:
            return entry
    raise LookupError(f"rules/safeguards.yaml declares no safeguards for the overlay {overlay!r}")


SAFEGUARDS = _safeguards_of(OVERLAY)
"""What the property tests prove for :data:`OVERLAY`, read from the rules."""
if SAFEGUARDS.merge is None or len(SAFEGUARDS.never_lost) < 2:
    raise LookupError("rules/safeguards.yaml: the overlay needs its merge and two never_lost")
_MERGE: Merge = SAFEGUARDS.merge
_HEARD = SAFEGUARDS.never_lost["child_always_heard"]
_ASSESSED = SAFEGUARDS.never_lost["no_case_unassessed"]

# The obligation ids the safeguards name (the names of the second edition, kept).
SEL48_BOERNESAMTALE = _HEARD.obligation
SEL50_BOERNEFAGLIG_UNDERSOEGELSE = _ASSESSED.obligation
INDDRAGELSESPLAN = _HEARD.or_
SOCIALFAGLIG_VURDERING = _ASSESSED.or_
FAMILIEORIENTERET_INDSATS = _MERGE.into
MEASURE_IDS: tuple[str, ...] = tuple(_MERGE.measures)
MERGED_MEASURE_IDS: tuple[str, ...] = tuple(_MERGE.merged)
_PLAN = next(
    (by, targets[0])
    for by, targets in SAFEGUARDS.replaces.items()
    if by not in (INDDRAGELSESPLAN, SOCIALFAGLIG_VURDERING, FAMILIEORIENTERET_INDSATS)
)
MAAL_OG_OPFOELGNING, SEL140_HANDLEPLAN = _PLAN

DECLARED_DISPENSATIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {by: tuple(targets) for by, targets in SAFEGUARDS.replaces.items()}
)
"""What each overlay obligation replaces, as the published contract declares it."""

SPREAD_FROM = date(2016, 1, 1)
SPREAD_TO = date(2024, 12, 31)
"""The span over which dates are spread (besides the window edges)."""


# --- strategies of valid cases ----------------------------------------------------------------


def _overlay(overlay: Regime | None) -> Regime:
    return overlay if overlay is not None else load_regime(OVERLAY)


def window_edges(overlay: Regime | None = None) -> list[date]:
    """The day before, first day, last day and day after each participant's window."""
    edges: set[date] = set()
    for p in _overlay(overlay).participants or []:
        one = timedelta(days=1)
        edges |= {p.window_from - one, p.window_from, p.window_to, p.window_to + one}
    return sorted(edges)


def network_municipalities(overlay: Regime | None = None) -> list[Municipality]:
    """The municipalities taking part in ``overlay`` (default: the bundled frikommune regime)."""
    found = {p.municipality for p in _overlay(overlay).participants or []}
    return sorted(found)


def municipalities(overlay: Regime | None = None) -> st.SearchStrategy[str]:
    """Municipalities as a case gives them: network members and others, by name and by code."""
    network = network_municipalities(overlay)
    others = [m for m in all_municipalities() if m not in network]
    branches: list[st.SearchStrategy[str]] = []
    if network:
        members = st.sampled_from(network)
        branches += [members.map(lambda m: m.name), members.map(lambda m: m.code)]
    outside = st.sampled_from(others)
    branches += [outside.map(lambda m: m.name), outside.map(lambda m: m.code)]
    return st.one_of(branches)


def window_dates(overlay: Regime | None = None) -> st.SearchStrategy[date]:
    """Dates on a window edge, inside a window, or anywhere in 2016-2024 (a third each)."""
    spans = [(p.window_from, p.window_to) for p in _overlay(overlay).participants or []]
    spread = st.dates(SPREAD_FROM, SPREAD_TO)
    if not spans:
        return spread
    inside = st.sampled_from(spans).flatmap(lambda span: st.dates(*span))
    return st.one_of(st.sampled_from(window_edges(overlay)), inside, spread)


def _day_gaps() -> st.SearchStrategy[int]:
    return st.one_of(st.just(0), st.integers(1, 14), st.integers(15, 400))


def _birth_date(draw: st.DrawFn, awareness: date) -> date:
    age = draw(st.integers(MIN_AGE, MAX_AGE))
    try:
        birthday = awareness.replace(year=awareness.year - age)
    except ValueError:  # 29 February in a year without one
        birthday = awareness.replace(year=awareness.year - age, day=28)
    # 0-364 days before the birthday keeps the age: the next-older birthday is 365+ days back
    return birthday - timedelta(days=draw(st.one_of(st.just(0), st.integers(1, 364))))


@st.composite
def case_data(
    draw: st.DrawFn,
    overlay: Regime | None = None,
    *,
    window_days: st.SearchStrategy[date] | None = None,
) -> dict[str, Any]:
    """A valid case as plain data (what a YAML or JSON case file holds).

    The day the overlay's window is judged on (its ``window_date``, e.g. the decision date) is
    drawn from ``window_days`` (default :func:`window_dates`); the other dates are placed
    around it.
    """
    regime = _overlay(overlay)
    data: dict[str, Any] = {
        "case_id": draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=12)),
        "municipality": draw(municipalities(regime)),
    }
    day = draw(window_days if window_days is not None else window_dates(regime))
    gap = timedelta(days=draw(_day_gaps()))
    if regime.header.window_date == "awareness_date":
        awareness, decision = day, day + gap
    else:
        awareness, decision = day - gap, day
    if draw(st.booleans()):
        data["child_age"] = draw(st.integers(MIN_AGE, MAX_AGE))
    else:
        data["child_birth_date"] = _birth_date(draw, awareness)
    data["awareness_date"] = awareness
    if decision != awareness or draw(st.booleans()):
        data["decision_date"] = decision
    data["support_need_presumed"] = draw(st.booleans())
    measures = draw(st.lists(st.sampled_from(MEASURE_NUMBERS), unique=True, max_size=9))
    if len(measures) > 0 or draw(st.booleans()):
        data["measures"] = measures
    consent = draw(st.booleans() if measures else st.one_of(st.none(), st.booleans()))
    if consent is not None:
        data["consent"] = consent
    exception = draw(st.sampled_from([None, "maturity", "nature_of_case"]))
    if exception is not None or draw(st.booleans()):
        data["child_conversation_exception"] = exception
    if draw(st.booleans()):
        data["notification_date"] = awareness - timedelta(days=draw(_day_gaps()))
    if draw(st.booleans()):
        data["urgent"] = draw(st.booleans())
    return data


def cases(
    overlay: Regime | None = None, *, window_days: st.SearchStrategy[date] | None = None
) -> st.SearchStrategy[Case]:
    """Valid cases across the whole input space (see :func:`case_data`).

    ``cases(window_days=st.sampled_from(window_edges()))`` keeps every case on a window edge.
    """
    return case_data(overlay, window_days=window_days).map(parse_case)


# --- a strategy of invalid cases --------------------------------------------------------------


@dataclass(frozen=True)
class InvalidCase:
    """Case data that must be refused, and the field the error must name."""

    data: dict[str, Any]
    field: str
    fault: str


def _field_root(name: str | None) -> str:
    return (name or "").split("[", 1)[0].split(".", 1)[0]


_WRONG_TYPES: tuple[tuple[str, Any], ...] = (
    ("case_id", 42),
    ("case_id", ""),
    ("municipality", True),
    ("municipality", 7.5),
    ("child_age", "5"),
    ("child_age", 5.5),
    ("child_age", True),
    ("support_need_presumed", "yes"),
    ("support_need_presumed", 1),
    ("urgent", "no"),
    ("consent", "ja"),
    ("measures", "2"),
    ("measures", 2),
    ("measures", ["2"]),
    ("child_conversation_exception", "sometimes"),
    ("child_conversation_exception", True),
    ("awareness_date", "2019-13-01"),
    ("awareness_date", "yesterday"),
    ("decision_date", "soon"),
    ("notification_date", [2019, 1, 1]),
    ("awareness_date", 0),
    ("awareness_date", 1546300800),
    ("decision_date", "2019-03-01T12:00:00"),
)
_UNKNOWN_FIELDS = ("colour", "child_name", "Measures", "awarenessdate", "samtykke")
_UNKNOWN_MUNICIPALITIES = ("Atlantis", "999", "000", "Ikast", "Gladsaxe Amt", "")
_REQUIRED = ("case_id", "municipality", "awareness_date", "support_need_presumed")
FAULTS: tuple[str, ...] = (
    "age_18",
    "age_negative",
    "birth_date_makes_18",
    "birth_after_awareness",
    "measure_0",
    "measure_10",
    "duplicate_measure",
    "decision_before_awareness",
    "notification_after_awareness",
    "unknown_field",
    "unknown_municipality",
    "age_and_birth_date",
    "missing_required_field",
    "missing_age",
    "missing_consent",
    "wrong_type",
)
"""Every kind of fault :func:`invalid_cases` makes."""


def _with_age(data: dict[str, Any], age: int) -> dict[str, Any]:
    data.pop("child_birth_date", None)
    data["child_age"] = age
    return data


def _with_measures(data: dict[str, Any], measures: list[int]) -> dict[str, Any]:
    data["measures"] = measures
    data["consent"] = True
    return data


@st.composite
def invalid_cases(draw: st.DrawFn, overlay: Regime | None = None) -> InvalidCase:
    """Case data with exactly one fault (one of :data:`FAULTS`) and the field it is in."""
    data = draw(case_data(overlay))
    fault = draw(st.sampled_from(FAULTS))
    awareness: date = data["awareness_date"]
    some_measures = draw(st.lists(st.sampled_from(MEASURE_NUMBERS), unique=True, max_size=3))
    field: str
    match fault:
        case "age_18":
            field, data = "child_age", _with_age(data, MAX_AGE + 1)
        case "age_negative":
            field, data = "child_age", _with_age(data, draw(st.integers(-20, MIN_AGE - 1)))
        case "birth_date_makes_18":
            data.pop("child_age", None)
            years = draw(st.integers(MAX_AGE + 1, 40))
            data["child_birth_date"] = awareness.replace(year=awareness.year - years, day=1)
            field = "child_birth_date"
        case "birth_after_awareness":
            data.pop("child_age", None)
            data["child_birth_date"] = awareness + timedelta(days=draw(st.integers(1, 400)))
            field = "child_birth_date"
        case "measure_0":
            field, data = "measures", _with_measures(data, [*some_measures, 0])
        case "measure_10":
            field, data = "measures", _with_measures(data, [*some_measures, 10])
        case "duplicate_measure":
            twice = draw(st.sampled_from(MEASURE_NUMBERS))
            field, data = "measures", _with_measures(data, [twice, *some_measures, twice])
        case "decision_before_awareness":
            data["decision_date"] = awareness - timedelta(days=draw(st.integers(1, 400)))
            field = "decision_date"
        case "notification_after_awareness":
            data["notification_date"] = awareness + timedelta(days=draw(st.integers(1, 400)))
            field = "notification_date"
        case "unknown_field":
            field = draw(st.sampled_from(_UNKNOWN_FIELDS))
            data[field] = draw(st.one_of(st.booleans(), st.integers(), st.text(max_size=5)))
        case "unknown_municipality":
            field = "municipality"
            data[field] = draw(st.sampled_from(_UNKNOWN_MUNICIPALITIES))
        case "age_and_birth_date":
            data["child_age"] = draw(st.integers(MIN_AGE, MAX_AGE))
            data["child_birth_date"] = awareness - timedelta(days=draw(st.integers(0, 6000)))
            field = "child_birth_date"
        case "missing_required_field":
            field = draw(st.sampled_from(_REQUIRED))
            del data[field]
        case "missing_age":
            data.pop("child_age", None)
            data.pop("child_birth_date", None)
            field = "child_age"
        case "missing_consent":
            data["measures"] = [*some_measures, draw(st.sampled_from(MEASURE_NUMBERS))]
            data["measures"] = sorted(set(data["measures"]))
            data.pop("consent", None)
            field = "consent"
        case _:
            field, value = draw(st.sampled_from(_WRONG_TYPES))
            data[field] = value
    return InvalidCase(data=data, field=field, fault=fault)


def rejection_problem(invalid: InvalidCase) -> str | None:
    """``None`` if the case is refused with an error naming its field, else what went wrong."""
    try:
        parse_case(invalid.data)
    except CaseError as exc:
        named = [p.field for p in exc.problems]
        if invalid.field in {_field_root(name) for name in named}:
            return None
        return (
            f"{invalid.fault}: the error names {named}, not {invalid.field!r}:\n{exc}\n"
            + _yaml_block(invalid.data)
        )
    return f"{invalid.fault}: accepted, but {invalid.field!r} is wrong:\n" + _yaml_block(
        invalid.data
    )


def sample(strategy: st.SearchStrategy[T], n: int, *, seed_value: int = 0) -> list[T]:
    """A fixed, reproducible sample of ``n`` values of ``strategy`` (for batch checks)."""
    drawn: list[T] = []

    @settings(
        max_examples=n,
        database=None,
        derandomize=False,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @seed(seed_value)
    @given(strategy)
    def collect(value: T) -> None:
        drawn.append(value)

    collect()
    return drawn


# --- where the overlay may apply (the oracle) -------------------------------------------------


def overlay_applies(case: Case | Mapping[str, Any], reference: Regime | None = None) -> bool:
    """Whether ``reference``'s participants, windows and exclusions let the overlay apply."""
    return _overlay_verdict(parse_case(case), _overlay(reference))[0]


def running_experiments(
    case: Case | Mapping[str, Any], reference: Regime | None = None
) -> frozenset[str]:
    """The experiments of ``reference`` that run for the case: the municipality takes part in
    them and the case date lies in its window for them (and no exclusion holds)."""
    return _overlay_verdict(parse_case(case), _overlay(reference))[2]


def _overlay_verdict(case: Case, reference: Regime) -> tuple[bool, str, frozenset[str]]:
    where = str(case.kommune)
    running: frozenset[str] = frozenset()
    if reference.participants:
        day: date = case_field_value(case, reference.header.window_date)
        windows = [p for p in reference.participants if p.municipality.code == case.municipality]
        if not windows:
            return False, f"{where} does not take part in {reference.name}", running
        running = frozenset(p.experiment for p in windows if p.window_from <= day <= p.window_to)
        if not running:
            spans = ", ".join(f"{p.window_from}..{p.window_to}" for p in windows)
            why = f"{reference.header.window_date} {day} lies outside {spans} for {where}"
            return False, why, running
    rules = {rule.id: rule for _, rule in reference.all_rules()}
    facts = case_facts(case)
    for exclusion in reference.exclusions:
        if to_python(Lowerer(rules).lower(exclusion.when))(facts):
            why = f"excluded by {reference.name} exclusion {exclusion.id!r}"
            return False, why, frozenset()
    named = sorted(e for e in running if e)
    inside = f" ({', '.join(named)})" if named else ""
    return (
        True,
        f"{where} takes part in {reference.name}{inside} and the case lies in its window",
        running,
    )


# --- evaluating a case under both regimes -----------------------------------------------------


@dataclass(frozen=True)
class Evaluated:
    """One case, evaluated under the base regime and under the overlay."""

    case: Case
    standard_regime: Regime
    frikommune_regime: Regime
    reference: Regime
    standard: EvaluationResult
    frikommune: EvaluationResult
    inside: bool
    """Whether the reference says the overlay applies to this case."""
    inside_reason: str
    running: frozenset[str] = frozenset()
    """The reference's experiments that run for the case (``""`` for an overlay without)."""

    def runs(self, obligation_id: str) -> bool:
        """Whether the reference's rule ``obligation_id`` belongs to an experiment that runs for
        the case (a rule without an experiment runs wherever the overlay applies)."""
        if not self.inside:
            return False
        rule = self.reference.rule(obligation_id)
        experiment = rule.experiment if rule is not None else None
        return experiment is None or experiment in self.running

    def base(self, obligation_id: str) -> Obligation | None:
        return _find(self.standard, obligation_id)

    def overlay(self, obligation_id: str) -> Obligation | None:
        return _find(self.frikommune, obligation_id)

    @property
    def base_name(self) -> str:
        """The base regime's name (for messages)."""
        return self.standard_regime.name

    @property
    def overlay_name(self) -> str:
        """The overlay's name (for messages)."""
        return self.frikommune_regime.name


def _find(result: EvaluationResult, obligation_id: str) -> Obligation | None:
    return next((o for o in result.obligations if o.id == obligation_id), None)


CaseInput = Case | Mapping[str, Any] | Evaluated


def evaluate_both(
    case: CaseInput,
    standard: Regime | None = None,
    frikommune: Regime | None = None,
    *,
    reference: Regime | None = None,
    backend: str | None = None,
) -> Evaluated:
    """``case`` under ``standard`` and ``frikommune`` (default: the bundled regimes)."""
    if isinstance(case, Evaluated):
        return case
    valid = parse_case(case)
    base = standard if standard is not None else load_regime(BASE)
    overlay = frikommune if frikommune is not None else load_regime(OVERLAY)
    ref = _overlay(reference)
    inside, why, running = _overlay_verdict(valid, ref)
    return Evaluated(
        case=valid,
        standard_regime=base,
        frikommune_regime=overlay,
        reference=ref,
        standard=evaluate(valid, base, lang="en", backend=backend),
        frikommune=evaluate(valid, overlay, lang="en", backend=backend),
        inside=inside,
        inside_reason=why,
        running=running,
    )


# --- violations and readable counter-examples -------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """One broken invariant for one case."""

    invariant: str
    message: str
    case: Case
    standard: EvaluationResult
    frikommune: EvaluationResult

    def __str__(self) -> str:
        return f"{self.invariant}: {self.message}"

    def report(self) -> str:
        """The violation with the case as YAML and both results side by side."""
        return counterexample(self.case, self.standard, self.frikommune, [self])


class _CaseDumper(yaml.SafeDumper):
    """Block mappings, lists on one line (``measures: [2, 3]``), no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _flow_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_CaseDumper.add_representer(list, _flow_list)


def _yaml_block(data: Any) -> str:
    text: str = yaml.dump(
        data, Dumper=_CaseDumper, sort_keys=False, allow_unicode=True, default_flow_style=False
    )
    return text


def case_yaml(case: Case) -> str:
    """The case as a YAML ``case:`` block, ready to paste into a scenario file."""
    data = case.model_dump(mode="python", exclude_unset=True)
    return _yaml_block({"case": data})


def _cell(item: Obligation | None) -> str:
    if item is None:
        return "(absent)"
    text = item.status + (f" {item.due}" if item.due else "")
    if item.replaced_by:
        text += " -> " + ", ".join(item.replaced_by)
    return text


def side_by_side(standard: EvaluationResult, frikommune: EvaluationResult) -> str:
    """Both results as a table: obligation id, standard status/due, frikommune status/due.

    Rows whose status or due date differ are marked ``*``.
    """
    from lovregler.render.tables import text_table

    left = {o.id: o for o in standard.obligations}
    right = {o.id: o for o in frikommune.obligations}
    ids = [*left, *(k for k in right if k not in left)]
    rows = [
        (
            "",
            "obligation",
            f"{standard.requested_regime} ({standard.regime})",
            f"{frikommune.requested_regime} ({frikommune.regime})",
        )
    ]
    for oid in ids:
        a, b = left.get(oid), right.get(oid)
        same = a is not None and b is not None and (a.status, a.due) == (b.status, b.due)
        rows.append(("" if same else "*", oid, _cell(a), _cell(b)))
    lines = text_table(rows, gaps=(" ", "  ", "  "), strip=True)
    both = (standard, frikommune)
    lines += text_table([(f"{r.requested_regime}:", r.regime_reason) for r in both], gaps=" ")
    return "\n".join(lines)


def counterexample(
    case: Case,
    standard: EvaluationResult,
    frikommune: EvaluationResult,
    violations: Sequence[Violation] = (),
) -> str:
    """A failing case for a human: what broke, the case as YAML, and both results."""
    head = [f"- {v}" for v in violations]
    return "\n".join(
        [
            *(["Invariants violated:", *head, ""] if head else []),
            "Case (YAML):",
            case_yaml(case).rstrip(),
            "",
            side_by_side(standard, frikommune),
        ]
    )


def assert_no_violations(violations: Sequence[Violation]) -> None:
    """Raise ``AssertionError`` with a readable counter-example if there are violations."""
    if violations:
        first = violations[0]
        same_case = [v for v in violations if v.case == first.case]
        raise AssertionError(
            "\n" + counterexample(first.case, first.standard, first.frikommune, same_case)
        )


# --- the invariants ---------------------------------------------------------------------------


def _differs(a: Obligation | None, b: Obligation | None) -> bool:
    return a is None or b is None or (a.status, a.due) != (b.status, b.due)


def _show(item: Obligation | None) -> str:
    return _cell(item)


def _outside_overlay_nothing_changes(ev: Evaluated) -> Iterable[str]:
    applied = ev.frikommune.regime == ev.frikommune_regime.name
    if applied != ev.inside:
        yield (
            f"the overlay {'did not apply' if ev.inside else 'applied'} ("
            f"{ev.frikommune.regime_reason}), but per {ev.reference.name}'s published "
            f"participants, windows and exclusions it {'should' if ev.inside else 'must not'}: "
            f"{ev.inside_reason}"
        )
    if ev.inside:
        return
    # Sources differ by folder; confidence and reasons may say that the outcome rests on the
    # overlay's (uncertain) window or exclusion, which is the point of asking the overlay.
    unlike = {"source", "confidence", "reasons"}
    left = [_the_law(o.model_dump(exclude=unlike)) for o in ev.standard.obligations]
    right = [_the_law(o.model_dump(exclude=unlike)) for o in ev.frikommune.obligations]
    ids_left, ids_right = [o["id"] for o in left], [o["id"] for o in right]
    if ids_left != ids_right:
        extra = [i for i in ids_right if i not in ids_left]
        missing = [i for i in ids_left if i not in ids_right]
        yield (
            f"outside the overlay the obligations differ: {ev.overlay_name} adds {extra or 'none'}, "
            f"lacks {missing or 'none'}"
            + ("" if extra or missing else ", or orders them differently")
        )
        return
    for a, b in zip(left, right, strict=True):
        if a != b:
            keys = sorted(k for k in a if a[k] != b.get(k))
            yield f"outside the overlay ({ev.inside_reason}) {a['id']} differs in {keys}"


def _the_law(obligation: dict[str, Any]) -> dict[str, Any]:
    """An obligation without the line that says which of its parts are to confirm."""
    unsure = ("To confirm (to_confirm):", "Skal bekræftes (to_confirm):")
    obligation["because"] = [b for b in obligation["because"] if not b.startswith(unsure)]
    return obligation


def _overlay_links(regime: Regime) -> set[tuple[str, str]]:
    return {
        (rule.id, link.obligation)
        for layer in regime.chain[1:]
        for rule in layer.rules
        for link in rule.dispenses
    }


def _declared(replacer: str, target: str) -> bool:
    return target in DECLARED_DISPENSATIONS.get(replacer, ())


def _only_declared_dispensations_differ(ev: Evaluated) -> Iterable[str]:
    links = _overlay_links(ev.frikommune_regime)
    for a in ev.standard.obligations:
        b = ev.overlay(a.id)
        if b is None:
            yield f"{a.id} ({_show(a)} under {ev.base_name}) is missing from the {ev.overlay_name} result"
            continue
        if not _differs(a, b) and b.status != "dispensed":
            continue
        change = f"{a.id}: {ev.base_name} {_show(a)}, {ev.overlay_name} {_show(b)}"
        if b.status != "dispensed":
            yield f"{change}: a difference that is not a dispensation"
            continue
        if a.status != "required":
            yield f"{change}: dispensed although {ev.base_name} does not require it"
        if not b.replaced_by:
            yield f"{change}: dispensed, but replaced by nothing"
        for by in b.replaced_by:
            if (by, a.id) not in links:
                yield f"{change}: no `dispenses` link from {by} to {a.id} explains it"
            if not _declared(by, a.id):
                yield f"{change}: the contract declares no dispensation of {a.id} by {by}"
            replacement = ev.overlay(by)
            if replacement is None or replacement.status != "required":
                yield f"{change}: its replacement {by} is {_show(replacement)}, not required"


def _declared_dispensations_take_effect(ev: Evaluated) -> Iterable[str]:
    if not ev.inside:
        return
    for replacer, targets in DECLARED_DISPENSATIONS.items():
        if not ev.runs(replacer):
            continue  # its experiment does not run for this municipality on this date
        for target in targets:
            a, b = ev.base(target), ev.overlay(target)
            if a is None or a.status != "required":
                continue
            replacement = ev.overlay(replacer)
            if replacement is None:
                yield f"{target} is required under {ev.base_name}, but the overlay has no {replacer}"
            elif b is None or b.status != "dispensed" or replacer not in b.replaced_by:
                yield (
                    f"{target} is required under {ev.base_name}; inside the overlay it should be "
                    f"dispensed in favour of {replacer}, but is {_show(b)}"
                )
            elif replacement.status != "required":
                yield f"{target} is dispensed, but {replacer} is {_show(replacement)}"


def _required(item: Obligation | None) -> bool:
    return item is not None and item.status == "required"


def _child_always_heard(ev: Evaluated) -> Iterable[str]:
    if _required(ev.base(SEL48_BOERNESAMTALE)) and not (
        _required(ev.overlay(SEL48_BOERNESAMTALE)) or _required(ev.overlay(INDDRAGELSESPLAN))
    ):
        yield (
            f"{ev.base_name} requires {SEL48_BOERNESAMTALE}, but {ev.overlay_name} requires neither it "
            f"({_show(ev.overlay(SEL48_BOERNESAMTALE))}) nor {INDDRAGELSESPLAN} "
            f"({_show(ev.overlay(INDDRAGELSESPLAN))})"
        )


def _no_case_unassessed(ev: Evaluated) -> Iterable[str]:
    sel50 = SEL50_BOERNEFAGLIG_UNDERSOEGELSE
    if _required(ev.base(sel50)) and not (
        _required(ev.overlay(sel50)) or _required(ev.overlay(SOCIALFAGLIG_VURDERING))
    ):
        yield (
            f"{ev.base_name} requires {sel50}, but {ev.overlay_name} requires neither it "
            f"({_show(ev.overlay(sel50))}) nor {SOCIALFAGLIG_VURDERING} "
            f"({_show(ev.overlay(SOCIALFAGLIG_VURDERING))})"
        )


def _faster_never_slower(ev: Evaluated) -> Iterable[str]:
    for replacement in ev.frikommune.obligations:
        if replacement.due is None or replacement.id not in SAFEGUARDS.no_slower:
            continue
        for target in replacement.replaces:
            replaced = ev.base(target)
            if replaced is not None and replaced.due is not None and replacement.due > replaced.due:
                yield (
                    f"{replacement.id} is due {replacement.due}, later than {target} "
                    f"under {ev.base_name} ({replaced.due})"
                )


def _no_help_lost_in_merge(ev: Evaluated) -> Iterable[str]:
    for oid in MEASURE_IDS:
        if oid not in MERGED_MEASURE_IDS and _differs(ev.base(oid), ev.overlay(oid)):
            yield (
                f"{oid} is not part of the merge, but differs: {ev.base_name} "
                f"{_show(ev.base(oid))}, {ev.overlay_name} {_show(ev.overlay(oid))}"
            )
    merged = ev.overlay(FAMILIEORIENTERET_INDSATS)
    if not ev.runs(FAMILIEORIENTERET_INDSATS):
        # where the merge's experiment does not run, every measure is kept as it is
        for oid in MERGED_MEASURE_IDS:
            if _differs(ev.base(oid), ev.overlay(oid)):
                yield (
                    f"the merge does not run here ({ev.inside_reason}), but {oid} differs: "
                    f"{ev.base_name} {_show(ev.base(oid))}, {ev.overlay_name} {_show(ev.overlay(oid))}"
                )
        if _required(merged):
            yield f"the merge does not run here ({ev.inside_reason}), but {FAMILIEORIENTERET_INDSATS} is required"
        return
    asked = [oid for oid in MERGED_MEASURE_IDS if _required(ev.base(oid))]
    for oid in asked:
        item = ev.overlay(oid)
        if item is None or item.status != "dispensed":
            yield f"{oid} is asked for, but not merged into {FAMILIEORIENTERET_INDSATS}: {_show(item)}"
        elif FAMILIEORIENTERET_INDSATS not in item.replaced_by:
            yield f"{oid} is dispensed, but not covered by {FAMILIEORIENTERET_INDSATS}: {_show(item)}"
    if bool(asked) != _required(merged):
        yield (
            f"{FAMILIEORIENTERET_INDSATS} is {_show(merged)}, but {ev.base_name} asks for "
            f"{asked or 'none'} of {list(MERGED_MEASURE_IDS)}"
        )


def _no_experiment_without_participation(ev: Evaluated) -> Iterable[str]:
    """Per the reference, an experiment the municipality does not run on the case's date gives
    no obligation, lifts nothing and is not listed among the result's experiments."""
    listed = set(ev.frikommune.experiments)
    expected = {e for e in ev.running if e} if ev.inside else set()
    if listed != expected:
        yield (
            f"the result lists the experiments {sorted(listed)}, but per {ev.reference.name}'s "
            f"participants and windows {sorted(expected)} run here ({ev.inside_reason})"
        )
    for item in ev.frikommune.obligations:
        rule = ev.reference.rule(item.id)
        experiment = rule.experiment if rule is not None else None
        if experiment is not None and not ev.runs(item.id) and item.status != "not_applicable":
            yield (
                f"{item.id} belongs to {experiment}, which does not run here "
                f"({ev.inside_reason}), but is {_show(item)}"
            )
        for by in item.replaced_by:
            if not ev.runs(by):
                yield f"{item.id} is dispensed by {by}, whose experiment does not run here"


def _untouched_safeguards_identical(ev: Evaluated) -> Iterable[str]:
    named = {target for _, target in _overlay_links(ev.frikommune_regime)}
    for a in ev.standard.obligations:
        if a.id in named:
            continue
        b = ev.overlay(a.id)
        if _differs(a, b):
            yield (
                f"{a.id} is not named by any `dispenses` link, but differs: {ev.base_name} {_show(a)}, "
                f"{ev.overlay_name} {_show(b)}"
            )


def _explained(ev: Evaluated) -> Iterable[str]:
    for result in (ev.standard, ev.frikommune):
        if not result.regime_reason.strip():
            yield f"the {result.requested_regime} result gives no regime_reason"
        for item in result.obligations:
            where = f"{item.id} under {result.requested_regime}"
            if not item.legal_basis.strip():
                yield f"{where} has no legal basis"
            if not item.because or not all(reason.strip() for reason in item.because):
                yield f"{where} has no (or an empty) reason: {item.because}"
            elif item.id not in item.because[0]:
                yield f"{where}: the first reason does not name the rule: {item.because[0]!r}"
            if item.status == "dispensed" and not item.replaced_by:
                yield f"{where} is dispensed, but says nothing replaces it"


def _deterministic(ev: Evaluated) -> Iterable[str]:
    again = evaluate_both(ev.case, ev.standard_regime, ev.frikommune_regime, reference=ev.reference)
    for name, first, second in (
        (ev.standard_regime.name, ev.standard, again.standard),
        (ev.frikommune_regime.name, ev.frikommune, again.frikommune),
    ):
        if first != second:
            yield f"evaluating the case again under {name} gave a different result"


_Check = Callable[[Evaluated], Iterable[str]]
_CHECKS: dict[str, _Check] = {
    "outside_overlay_nothing_changes": _outside_overlay_nothing_changes,
    "only_declared_dispensations_differ": _only_declared_dispensations_differ,
    "declared_dispensations_take_effect": _declared_dispensations_take_effect,
    "child_always_heard": _child_always_heard,
    "no_case_unassessed": _no_case_unassessed,
    "faster_never_slower": _faster_never_slower,
    "no_help_lost_in_merge": _no_help_lost_in_merge,
    "no_experiment_without_participation": _no_experiment_without_participation,
    "untouched_safeguards_identical": _untouched_safeguards_identical,
    "explained": _explained,
    "deterministic": _deterministic,
}
INVARIANTS: tuple[str, ...] = tuple(_CHECKS)
"""The names of the invariants, in the order :func:`check_invariants` runs them."""


def _run(
    names: Iterable[str],
    case: CaseInput,
    standard: Regime | None,
    frikommune: Regime | None,
    reference: Regime | None,
) -> list[Violation]:
    ev = evaluate_both(case, standard, frikommune, reference=reference)
    return [
        Violation(name, message, ev.case, ev.standard, ev.frikommune)
        for name in names
        for message in _CHECKS[name](ev)
    ]


def check_invariants(
    case: CaseInput,
    standard: Regime | None = None,
    frikommune: Regime | None = None,
    *,
    reference: Regime | None = None,
    only: Iterable[str] | None = None,
) -> list[Violation]:
    """Every invariant (or those named in ``only``) for one case; empty if all hold.

    ``standard`` and ``frikommune`` default to the bundled regimes; ``reference`` (the regime
    whose participants, windows and exclusions say where the overlay may apply) defaults to the
    bundled ``frikommune`` regime.
    """
    names = INVARIANTS if only is None else tuple(only)
    unknown = [n for n in names if n not in _CHECKS]
    if unknown:
        raise ValueError(f"unknown invariant(s) {unknown}; known: {', '.join(INVARIANTS)}")
    return _run(names, case, standard, frikommune, reference)


def check_outside_overlay_nothing_changes(
    case: CaseInput,
    standard: Regime | None = None,
    frikommune: Regime | None = None,
    *,
    reference: Regime | None = None,
) -> list[Violation]:
    """The overlay applies exactly where the reference lets it (member municipality, inside its
    window, not excluded by Lov om frikommunenetværk § 10, stk. 6); outside, the frikommune result
    equals the standard result obligation for obligation."""
    return _run(["outside_overlay_nothing_changes"], case, standard, frikommune, reference)


def check_only_declared_dispensations_differ(
    case: CaseInput,
    standard: Regime | None = None,
    frikommune: Regime | None = None,
    *,
    reference: Regime | None = None,
) -> list[Violation]:
    """Every status or due-date difference on a standard obligation is a dispensation of an
    obligation standard requires, explained by a ``dispenses`` link of the overlay that the
    contract declares, and its replacement is required."""
    return _run(["only_declared_dispensations_differ"], case, standard, frikommune, reference)


def check_declared_dispensations_take_effect(
    case: CaseInput,
    standard: Regime | None = None,
    frikommune: Regime | None = None,
    *,
    reference: Regime | None = None,
) -> list[Violation]:
    """Inside the overlay, every obligation standard requires that the contract declares
    replaced (:data:`DECLARED_DISPENSATIONS`) is dispensed in favour of its required
    replacement."""
    return _run(["declared_dispensations_take_effect"], case, standard, frikommune, reference)


def check_child_always_heard(
    case: CaseInput,
    standard: Regime | None = None,
    frikommune: Regime | None = None,
    *,
    reference: Regime | None = None,
) -> list[Violation]:
    """Whenever standard requires the child conversation, frikommune requires it or the
    inddragelsesplan."""
    return _run(["child_always_heard"], case, standard, frikommune, reference)


def check_no_case_unassessed(
    case: CaseInput,
    standard: Regime | None = None,
    frikommune: Regime | None = None,
    *,
    reference: Regime | None = None,
) -> list[Violation]:
    """Whenever standard requires the børnefaglig undersøgelse, frikommune requires it or the
    socialfaglig vurdering."""
    return _run(["no_case_unassessed"], case, standard, frikommune, reference)


def check_faster_never_slower(
    case: CaseInput,
    standard: Regime | None = None,
    frikommune: Regime | None = None,
    *,
    reference: Regime | None = None,
) -> list[Violation]:
    """Each replacing obligation is due no later than what it replaces, when both have a due
    date."""
    return _run(["faster_never_slower"], case, standard, frikommune, reference)


def check_no_help_lost_in_merge(
    case: CaseInput,
    standard: Regime | None = None,
    frikommune: Regime | None = None,
    *,
    reference: Regime | None = None,
) -> list[Violation]:
    """Inside the overlay each merged measure (nr. 2, 3, 6, 9) standard requires is dispensed in
    favour of the familieorienteret indsats, which is required iff at least one of them is; the
    other measures never change."""
    return _run(["no_help_lost_in_merge"], case, standard, frikommune, reference)


def check_no_experiment_without_participation(
    case: CaseInput,
    standard: Regime | None = None,
    frikommune: Regime | None = None,
    *,
    reference: Regime | None = None,
) -> list[Violation]:
    """A municipality never gets an experiment it does not take part in (or outside its window
    for that experiment): such an experiment's obligations are not applicable, it lifts nothing,
    and the result does not list it."""
    return _run(["no_experiment_without_participation"], case, standard, frikommune, reference)


def check_untouched_safeguards_identical(
    case: CaseInput,
    standard: Regime | None = None,
    frikommune: Regime | None = None,
    *,
    reference: Regime | None = None,
) -> list[Violation]:
    """Obligations named in no ``dispenses`` link have the same status and due date under both
    regimes."""
    return _run(["untouched_safeguards_identical"], case, standard, frikommune, reference)


def check_explained(
    case: CaseInput,
    standard: Regime | None = None,
    frikommune: Regime | None = None,
    *,
    reference: Regime | None = None,
) -> list[Violation]:
    """Every obligation of both results has a legal basis and reasons, the first naming the
    rule; every dispensed obligation names its replacement."""
    return _run(["explained"], case, standard, frikommune, reference)


def check_deterministic(
    case: CaseInput,
    standard: Regime | None = None,
    frikommune: Regime | None = None,
    *,
    reference: Regime | None = None,
) -> list[Violation]:
    """Evaluating the case again gives the same results."""
    return _run(["deterministic"], case, standard, frikommune, reference)


def first_violations(
    cases_: Iterable[Case | Mapping[str, Any]],
    standard: Regime | None = None,
    frikommune: Regime | None = None,
    *,
    reference: Regime | None = None,
    only: Iterable[str] | None = None,
) -> list[Violation]:
    """The violations of the first case in ``cases_`` that breaks an invariant, else ``[]``."""
    names = None if only is None else tuple(only)
    for case in cases_:
        found = check_invariants(case, standard, frikommune, reference=reference, only=names)
        if found:
            return found
    return []


def shuffled(items: Sequence[T], seed_value: int) -> list[T]:
    """``items`` in a reproducible random order."""
    out = list(items)
    random.Random(seed_value).shuffle(out)
    return out


__all__ = [
    "DECLARED_DISPENSATIONS",
    "FAMILIEORIENTERET_INDSATS",
    "FAULTS",
    "INDDRAGELSESPLAN",
    "INVARIANTS",
    "MAAL_OG_OPFOELGNING",
    "MEASURE_IDS",
    "MERGED_MEASURE_IDS",
    "SEL48_BOERNESAMTALE",
    "SEL50_BOERNEFAGLIG_UNDERSOEGELSE",
    "SEL140_HANDLEPLAN",
    "SOCIALFAGLIG_VURDERING",
    "SPREAD_FROM",
    "SPREAD_TO",
    "Evaluated",
    "InvalidCase",
    "Violation",
    "assert_no_violations",
    "case_data",
    "case_yaml",
    "cases",
    "check_child_always_heard",
    "check_declared_dispensations_take_effect",
    "check_deterministic",
    "check_explained",
    "check_faster_never_slower",
    "check_invariants",
    "check_no_case_unassessed",
    "check_no_experiment_without_participation",
    "check_no_help_lost_in_merge",
    "check_only_declared_dispensations_differ",
    "check_outside_overlay_nothing_changes",
    "check_untouched_safeguards_identical",
    "counterexample",
    "evaluate_both",
    "first_violations",
    "invalid_cases",
    "municipalities",
    "network_municipalities",
    "overlay_applies",
    "rejection_problem",
    "running_experiments",
    "sample",
    "shuffled",
    "side_by_side",
    "window_dates",
    "window_edges",
]
