"""Validated rule models -> one program of named checks per regime.

A *check* is a boolean expression over the case's facts: a rule's ``when``, an ``unless``,
a deadline's or an addition's ``when``, an overlay's participant window or exclusion. Both
backends run the same checks: durable-rules from the JSON ruleset made here, the reference
backend from Python closures made here. Rule references are inlined and ``not`` is pushed down
to the comparisons (durable-rules has no general negation), so a check is only ``and``/``or``
over comparisons of flat facts.

Facts (see :func:`case_facts`) are flat: dates become day numbers, the set of measures becomes
one yes/no fact per possible measure plus a count, a missing choice becomes ``"none"``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from lovregler.case.model import Case, case_field_value
from lovregler.law.dates import day_number
from lovregler.law.loader import LoadedParticipant, Regime, walk_conditions
from lovregler.law.models import AllOf, AnyOf, Condition, FieldCondition, NotOf, Rule, RuleRef
from lovregler.law.municipalities import resolve_municipality
from lovregler.law.vocabulary import CONDITION_FIELDS

Fact = bool | int | str
Facts = Mapping[str, Fact]
Op = Literal["eq", "neq", "lt", "lte", "gt", "gte"]
NONE = "none"


@dataclass(frozen=True)
class Compare:
    fact: str
    op: Op
    value: Fact


@dataclass(frozen=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Const:
    value: bool


Expr = Compare | And | Or | Const

_NEGATED: dict[Op, Op] = {
    "eq": "neq",
    "neq": "eq",
    "lt": "gte",
    "gte": "lt",
    "gt": "lte",
    "lte": "gt",
}


def _given(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """An order test that is false for a missing value (the lowering guards every order test
    on a date with whether the date is given; this keeps each comparison, which explanations
    evaluate one by one, from comparing "none" with a number)."""
    return lambda value, target: value != NONE and test(value, target)


_PY_OPS: dict[Op, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "neq": operator.ne,
    "lt": _given(operator.lt),
    "lte": _given(operator.le),
    "gt": _given(operator.gt),
    "gte": _given(operator.ge),
}


def case_facts(case: Case) -> dict[str, Fact]:
    """The flat facts both backends see for ``case``."""
    facts: dict[str, Fact] = {}
    for name, spec in CONDITION_FIELDS.items():
        value = case_field_value(case, name)
        if spec.kind == "set":
            for choice in spec.choices:
                facts[f"{name}__{choice}"] = choice in value
            facts[f"{name}__count"] = len(value)
        else:
            facts[name] = _fact_value(value)
    return facts


def _fact_value(value: Any) -> Fact:
    if value is None:
        return NONE
    if isinstance(value, date):
        return day_number(value)
    if isinstance(value, bool | int | str):
        return value
    raise TypeError(f"cannot turn {value!r} into a fact")


# --- lowering conditions to expressions -------------------------------------------------------


def _and(items: list[Expr]) -> Expr:
    flat: list[Expr] = []
    for item in items:
        if isinstance(item, Const):
            if not item.value:
                return Const(False)
            continue
        flat.extend(item.items if isinstance(item, And) else (item,))
    if not flat:
        return Const(True)
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _or(items: list[Expr]) -> Expr:
    flat: list[Expr] = []
    for item in items:
        if isinstance(item, Const):
            if item.value:
                return Const(True)
            continue
        flat.extend(item.items if isinstance(item, Or) else (item,))
    if not flat:
        return Const(False)
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


class Lowerer:
    """Turns conditions of one regime into expressions; ``rule`` references are inlined."""

    def __init__(self, rules: Mapping[str, Rule]) -> None:
        self._rules = rules

    def lower(self, cond: Condition | None, negate: bool = False) -> Expr:
        if cond is None:
            return Const(not negate)
        if isinstance(cond, AllOf):
            parts = [self.lower(c, negate) for c in cond.all]
            return _or(parts) if negate else _and(parts)
        if isinstance(cond, AnyOf):
            parts = [self.lower(c, negate) for c in cond.any]
            return _and(parts) if negate else _or(parts)
        if isinstance(cond, NotOf):
            return self.lower(cond.not_, not negate)
        if isinstance(cond, RuleRef):
            return self._lower_ref(cond, negate)
        return _lower_test(cond, negate)

    def _lower_ref(self, ref: RuleRef, negate: bool) -> Expr:
        rule = self._rules[ref.rule]
        positive = self.lower(rule.when)
        if ref.is_ == "required":
            positive = _and([positive, *(self.lower(e.when, True) for e in rule.unless)])
        return _negate(positive) if negate else positive


def _negate(expr: Expr) -> Expr:
    if isinstance(expr, Const):
        return Const(not expr.value)
    if isinstance(expr, Compare):
        return Compare(expr.fact, _NEGATED[expr.op], expr.value)
    if isinstance(expr, And):
        return _or([_negate(e) for e in expr.items])
    return _and([_negate(e) for e in expr.items])


def _lower_test(test: FieldCondition, negate: bool) -> Expr:
    spec = CONDITION_FIELDS[test.field]
    op, value = test.operator
    name = test.field

    def fact(v: Any) -> Fact:
        if spec.kind == "municipality":
            return resolve_municipality(v).code
        return _fact_value(v)

    def cmp(o: Op, v: Any) -> Expr:
        return Compare(name, _NEGATED[o] if negate else o, fact(v))

    def either(parts: list[Expr]) -> Expr:  # "any of" under the current polarity
        return _and(parts) if negate else _or(parts)

    def both(parts: list[Expr]) -> Expr:  # "all of" under the current polarity
        return _or(parts) if negate else _and(parts)

    def ordered(test: Expr) -> Expr:
        """An order test on a date holds only for a date that is given: a missing one (a
        case without notification_date) is neither before nor after any day. (Compared as it
        is, durable-rules found "none" after every day, and Python refused to compare.)"""
        if spec.kind != "date":
            return test
        if negate:
            return _or([Compare(name, "eq", NONE), test])
        return _and([Compare(name, "neq", NONE), test])

    def member(v: Any, present: bool) -> Expr:
        return Compare(f"{name}__{v}", "eq", present != negate)

    match op:
        case "equals":
            return cmp("eq", value)
        case "not_equals":
            return cmp("neq", value)
        case "in_":
            return either([cmp("eq", v) for v in value])
        case "not_in":
            return both([cmp("neq", v) for v in value])
        case "at_least":
            return ordered(cmp("gte", value))
        case "at_most":
            return ordered(cmp("lte", value))
        case "greater_than":
            return ordered(cmp("gt", value))
        case "less_than":
            return ordered(cmp("lt", value))
        case "between":
            return ordered(both([cmp("gte", value[0]), cmp("lte", value[1])]))
        case "contains":
            return member(value, True)
        case "contains_any":
            return either([member(v, True) for v in value])
        case "contains_all":
            return both([member(v, True) for v in value])
        case "contains_none":
            return both([member(v, False) for v in value])
        case "is_empty":
            empty = Compare(f"{name}__count", "eq", 0)
            wanted = bool(value) != negate
            return empty if wanted else Compare(f"{name}__count", "gte", 1)
    raise AssertionError(f"unhandled operator {op}")


# --- the program ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One named boolean question the backend answers for every case."""

    name: str
    expr: Expr


@dataclass(frozen=True)
class ParticipantCheck:
    participant: LoadedParticipant
    municipality: int  # index of the check "municipality is this participant"
    window: int  # index of the check "... and the case date lies in its window"


@dataclass(frozen=True)
class LayerChecks:
    """Where in the program the checks of one regime of the chain are."""

    regime: Regime
    participants: tuple[ParticipantCheck, ...]
    exclusions: tuple[int, ...]


@dataclass(frozen=True)
class RuleChecks:
    rule: Rule
    layer: int
    when: int
    unless: tuple[int, ...]
    deadlines: tuple[int, ...]
    additions: tuple[int, ...]
    origin: str
    follows_unless: int | None = None  # the check "the ordering rule's exception holds"


@dataclass
class Program:
    """Everything a backend needs to answer the checks of one regime (and its bases)."""

    name: str
    digest: str
    checks: list[Check]
    layers: list[LayerChecks]
    rules: dict[str, RuleChecks]
    lowerer: Lowerer
    _tests: dict[int, Callable[[Facts], bool]] = field(default_factory=dict, repr=False)
    _signatures: dict[int, tuple[Callable[[Facts], bool], ...]] = field(
        default_factory=dict, repr=False
    )
    # Explanations and citations repeat across cases: cached here, with the program they
    # belong to (condition ids are only unique while the regime is alive).
    explained: dict[tuple[int, str, tuple[bool, ...]], tuple[bool, list[str]]] = field(
        default_factory=dict, repr=False
    )
    bases: dict[tuple[int, tuple[bool, ...]], str] = field(default_factory=dict, repr=False)
    trees: dict[tuple[int, str, tuple[bool, ...]], Any] = field(default_factory=dict, repr=False)
    _marked: dict[int, tuple[Condition, ...]] = field(default_factory=dict, repr=False)
    _rule_signatures: dict[str, tuple[Callable[[Facts], bool], ...]] = field(
        default_factory=dict, repr=False
    )
    rule_trees: dict[tuple[Any, ...], list[Any]] = field(default_factory=dict, repr=False)
    _dated: dict[str, tuple[Any, ...]] = field(default_factory=dict, repr=False)
    rendered: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)
    links: dict[tuple[Any, ...], list[Any]] = field(default_factory=dict, repr=False)

    def signature(self, cond: Condition, facts: Facts) -> tuple[bool, ...]:
        """The truth of every comparison under ``cond``: it decides every node's value, so it
        identifies the explanation."""
        tests = self._signatures.get(id(cond))
        if tests is None:
            leaves: dict[Compare, None] = {}
            for node in walk_conditions(cond):
                _leaves(self.lowerer.lower(node), leaves)
            tests = tuple(to_python(leaf) for leaf in leaves)
            self._signatures[id(cond)] = tests
        return tuple([t(facts) for t in tests])

    def rule_signature(self, rule: Rule, facts: Facts) -> tuple[bool, ...]:
        """The truth of every comparison under the rule's ``when`` and exceptions: it decides
        every condition node of the rule, so it identifies the rule's explanation."""
        tests = self._rule_signatures.get(rule.id)
        if tests is None:
            leaves: dict[Compare, None] = {}
            for cond in [rule.when, *(e.when for e in rule.unless)]:
                for node in walk_conditions(cond) if cond is not None else ():
                    _leaves(self.lowerer.lower(node), leaves)
            tests = tuple(to_python(leaf) for leaf in leaves)
            self._rule_signatures[rule.id] = tests
        return tuple([t(facts) for t in tests])

    def citation_mask(self, rule: Rule, day: date) -> tuple[bool, ...]:
        """Which of the rule's dated citations (rule, exceptions, deadlines, additions,
        dispensations) are right on ``day``: with the facts, it decides the rule's sentences."""
        dated = self._dated.get(rule.id)
        if dated is None:
            lists = [rule.legal_basis, *(e.legal_basis for e in rule.unless)]
            lists += [d.legal_basis for d in rule.deadlines]
            lists += [a.legal_basis for a in rule.additions]
            lists += [link.legal_basis for link in rule.dispenses]
            dated = tuple(
                c
                for basis in lists
                for c in basis
                if c.valid_from is not None or c.valid_to is not None
            )
            self._dated[rule.id] = dated
        return tuple([c.valid_on(day) for c in dated])

    def marked_conditions(self, cond: Condition) -> tuple[Condition, ...]:
        """The conditions under ``cond`` that carry their own confidence mark (usually none)."""
        found = self._marked.get(id(cond))
        if found is None:
            found = tuple(n for n in walk_conditions(cond) if n.confidence is not None)
            self._marked[id(cond)] = found
        return found

    def test(self, cond: Condition, facts: Facts) -> bool:
        """Evaluate one condition node in Python (for explanations); closures are cached."""
        test = self._tests.get(id(cond))
        if test is None:
            test = to_python(self.lowerer.lower(cond))
            self._tests[id(cond)] = test
        return test(facts)

    def durable_ruleset(self) -> dict[str, dict[str, Any]]:
        """The durable-rules JSON ruleset: one rule ``c<i>`` per check, without actions."""
        return {
            f"c{index}": {"all": [{"m": to_durable(check.expr)}]}
            for index, check in enumerate(self.checks)
            if not isinstance(check.expr, Const)
        }


def _leaves(expr: Expr, out: dict[Compare, None]) -> None:
    if isinstance(expr, Compare):
        out[expr] = None
    elif isinstance(expr, And | Or):
        for item in expr.items:
            _leaves(item, out)


def compile_regime(regime: Regime) -> Program:
    """Compile ``regime`` (with the regimes it extends) once; cached on the regime."""
    if regime._compiled is not None:
        return regime._compiled  # type: ignore[no-any-return]
    rules_by_id = {rule.id: rule for _, rule in regime.all_rules()}
    lowerer = Lowerer(rules_by_id)
    checks: list[Check] = []

    def add(name: str, cond: Condition | None) -> int:
        checks.append(Check(name, lowerer.lower(cond)))
        return len(checks) - 1

    layers: list[LayerChecks] = []
    rules: dict[str, RuleChecks] = {}
    for layer_index, layer in enumerate(regime.chain):
        participants = []
        for i, p in enumerate(layer.participants or []):
            is_member = Compare("municipality", "eq", p.municipality.code)
            date_fact = layer.header.window_date
            window = _and(
                [
                    is_member,
                    Compare(date_fact, "gte", day_number(p.window_from)),
                    Compare(date_fact, "lte", day_number(p.window_to)),
                ]
            )
            checks.append(Check(f"{layer.name}/participant/{i}", is_member))
            checks.append(Check(f"{layer.name}/participant/{i}/window", window))
            participants.append(ParticipantCheck(p, len(checks) - 2, len(checks) - 1))
        exclusions = tuple(
            add(f"{layer.name}/exclusion/{ex.id}", ex.when) for ex in layer.exclusions
        )
        layers.append(LayerChecks(layer, tuple(participants), exclusions))
        for rule in layer.rules:
            rules[rule.id] = RuleChecks(
                rule=rule,
                layer=layer_index,
                when=add(f"{rule.id}/when", rule.when),
                unless=tuple(add(f"{rule.id}/unless/{e.id}", e.when) for e in rule.unless),
                deadlines=tuple(
                    add(f"{rule.id}/deadline/{i}", d.when) for i, d in enumerate(rule.deadlines)
                ),
                additions=tuple(
                    add(f"{rule.id}/addition/{i}", a.when) for i, a in enumerate(rule.additions)
                ),
                origin=rule.origin,
                follows_unless=add(f"{rule.id}/follows/unless", rule.follows.unless)
                if rule.follows is not None and rule.follows.unless is not None
                else None,
            )
    program = Program(regime.name, regime.digest, checks, layers, rules, lowerer)
    regime._compiled = program
    return program


def to_durable(expr: Expr) -> dict[str, Any]:
    """An expression in durable-rules' JSON condition syntax."""
    if isinstance(expr, Compare):
        if expr.op == "eq":
            return {expr.fact: expr.value}
        return {f"${expr.op}": {expr.fact: expr.value}}
    if isinstance(expr, And):
        return {"$and": [to_durable(e) for e in expr.items]}
    if isinstance(expr, Or):
        return {"$or": [to_durable(e) for e in expr.items]}
    raise ValueError("constant checks are answered without the engine")


def to_python(expr: Expr) -> Callable[[Facts], bool]:
    """An expression as a Python closure over the facts (the reference backend)."""
    if isinstance(expr, Const):
        value = expr.value
        return lambda facts: value
    if isinstance(expr, Compare):
        fact, test, target = expr.fact, _PY_OPS[expr.op], expr.value
        return lambda facts: test(facts[fact], target)
    parts = tuple(to_python(e) for e in expr.items)
    if isinstance(expr, And):
        return lambda facts: all(p(facts) for p in parts)
    return lambda facts: any(p(facts) for p in parts)
