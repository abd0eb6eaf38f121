"""Findings about rules that are valid but cannot be what their author meant.

``lovregler check`` reports these with exit code 1: a rule that can never apply, one whose
exceptions cover every case it applies to, an exception, deadline or addition that can never
take effect, a dispensation that can never happen, an exclusion that never holds.

Satisfiability is decided exactly over the case's fact space: a compiled check (``and``/``or``
over comparisons) is expanded into alternatives, and each alternative is tested fact by fact
against the domain of its field (yes/no, ages 0-17, the possible choices and measures, the
municipalities, any day).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import product

from lovregler._errors import Problem
from lovregler.engine.compile import NONE, And, Compare, Const, Expr, Fact, Or, compile_regime
from lovregler.law.loader import Regime
from lovregler.law.models import Condition
from lovregler.law.municipalities import all_municipalities
from lovregler.law.vocabulary import CONDITION_FIELDS

MAX_ALTERNATIVES = 20_000


@dataclass(frozen=True)
class Finding:
    problem: Problem


def _alternatives(expr: Expr) -> Iterator[tuple[Compare, ...]]:
    """The expression as a disjunction of conjunctions (lazily; may be large)."""
    if isinstance(expr, Const):
        if expr.value:
            yield ()
        return
    if isinstance(expr, Compare):
        yield (expr,)
        return
    if isinstance(expr, Or):
        for item in expr.items:
            yield from _alternatives(item)
        return
    parts = [list(_alternatives(item)) for item in expr.items]
    for combo in product(*parts):
        yield tuple(c for group in combo for c in group)


def _domain(fact: str) -> list[Fact] | None:
    """The finite set of values a fact can take, or None for day numbers (any integer)."""
    name, _, member = fact.partition("__")
    spec = CONDITION_FIELDS[name]
    if member == "count":
        return list(range(len(spec.choices) + 1))
    if member:
        return [True, False]
    if spec.kind == "bool":
        return [True, False]
    if spec.kind == "int":
        return list(spec.choices)
    if spec.kind == "choice":
        return [NONE if c is None else c for c in spec.choices]
    if spec.kind == "municipality":
        return [m.code for m in all_municipalities()]
    return None  # a date: a day number, or "none" when an optional date is absent


def _holds(op: str, value: Fact, target: Fact) -> bool:
    if op == "eq":
        return value == target
    if op == "neq":
        return value != target
    if type(value) is not type(target) or isinstance(value, bool | str):
        return False
    assert isinstance(value, int) and isinstance(target, int)
    return {
        "lt": value < target,
        "lte": value <= target,
        "gt": value > target,
        "gte": value >= target,
    }[op]


def _fact_satisfiable(fact: str, tests: list[Compare]) -> bool:
    domain = _domain(fact)
    if domain is None:  # day numbers: try "none", every constant and its neighbours
        numbers = [
            t.value for t in tests if isinstance(t.value, int) and not isinstance(t.value, bool)
        ]
        domain = [NONE, 0, *numbers, *(n - 1 for n in numbers), *(n + 1 for n in numbers)]
    return any(all(_holds(t.op, v, t.value) for t in tests) for v in domain)


def _conjunction_satisfiable(tests: tuple[Compare, ...]) -> bool:
    by_fact: dict[str, list[Compare]] = defaultdict(list)
    for test in tests:
        by_fact[test.fact].append(test)
    for fact, group in by_fact.items():
        if not _fact_satisfiable(fact, group):
            return False
    # a set field's members and its count must agree
    for name, spec in CONDITION_FIELDS.items():
        if spec.kind != "set":
            continue
        forced_in = forced_out = 0
        for choice in spec.choices:
            group = by_fact.get(f"{name}__{choice}", [])
            possible = [v for v in (True, False) if all(_holds(t.op, v, t.value) for t in group)]
            forced_in += possible == [True]
            forced_out += possible == [False]
        counts = by_fact.get(f"{name}__count", [])
        if not any(
            all(_holds(t.op, n, t.value) for t in counts)
            for n in range(forced_in, len(spec.choices) - forced_out + 1)
        ):
            return False
    return True


def satisfiable(expr: Expr) -> bool | None:
    """Whether some case makes ``expr`` true; None if too large to decide."""
    for count, alternative in enumerate(_alternatives(expr)):
        if count >= MAX_ALTERNATIVES:
            return None
        if _conjunction_satisfiable(alternative):
            return True
    return False


def findings(regime: Regime) -> list[Problem]:
    """Everything in ``regime``'s own rules (not those it extends) that can never take effect."""
    program = compile_regime(regime)
    lower = program.lowerer.lower
    out: list[Problem] = []

    def never(expr: Expr, where: Condition | None, owner: object, message: str) -> None:
        if satisfiable(expr) is False:
            model = where if where is not None else owner
            file = getattr(model, "_file", None)
            line = getattr(model, "_line", None)
            out.append(Problem(message, file, line, field="when"))

    for rule in regime.rules:
        when = lower(rule.when)
        never(when, rule.when, rule, f"rule {rule.id} can never apply: no case meets its `when`")
        if satisfiable(when) is False:
            continue
        lifted = [lower(e.when) for e in rule.unless]
        never(And((when, *(lower(e.when, True) for e in rule.unless))) if lifted else Const(True),
              rule.when, rule,
              f"rule {rule.id} can never be required: its exceptions cover every case it applies to")  # fmt: skip
        for exc, exc_expr in zip(rule.unless, lifted, strict=True):
            never(And((when, exc_expr)), exc.when, exc,
                  f"exception {exc.id} of {rule.id} can never lift it: it never holds when the rule applies")  # fmt: skip
        earlier: list[Expr] = []
        for index, deadline in enumerate(rule.deadlines, start=1):
            if deadline.when is not None:
                this = lower(deadline.when)
                never(And((when, this, *(_not(e) for e in earlier))), deadline.when, deadline,
                      f"deadline {index} of {rule.id} can never be chosen")  # fmt: skip
                earlier.append(this)
        for addition in rule.additions:
            never(And((when, lower(addition.when))), addition.when, addition,
                  f"an addition of {rule.id} can never be shown: it never holds when the rule applies")  # fmt: skip
        for link in rule.dispenses:
            target = program.rules[link.obligation].rule
            required = And((lower(target.when), *(lower(e.when, True) for e in target.unless)))
            never(And((when, required)), rule.when, link,
                  f"{rule.id} dispenses {link.obligation}, but never applies when "
                  f"{link.obligation} is required")  # fmt: skip
    for exclusion in regime.exclusions:
        never(lower(exclusion.when), exclusion.when, exclusion,
              f"exclusion {exclusion.id} never holds: no case meets its `when`")  # fmt: skip
    out.extend(_windows_outside_base(regime))
    return out


def _not(expr: Expr) -> Expr:
    from lovregler.engine.compile import _negate

    return _negate(expr)


def _windows_outside_base(regime: Regime) -> list[Problem]:
    out: list[Problem] = []
    base = regime.base
    valid = base.header.valid if base else None
    if base is None or valid is None or not regime.participants:
        return out
    for p in regime.participants:
        if p.window_from < valid.from_ or p.window_to > valid.to:
            out.append(
                Problem.at(
                    p.position,
                    f"{p.municipality}'s window {p.window_from}..{p.window_to} reaches outside the "
                    f"period {base.name} encodes ({valid})",
                    field="window",
                )
            )
    return out
