"""For any rule folder ``lovregler check`` accepts, durable-rules never crashes and answers every
case exactly as the reference backend does.

Hypothesis writes toy regime folders (a ``regime.yaml`` and one rule file of 1-6 rules with
random condition trees over the whole condition vocabulary, rule references, ``unless``
exceptions, deadlines, additions and ordering rules) and a batch of valid cases for each. Only the
folders ``lovregler check`` accepts (exit 0, or 1 for findings) are kept. One child process
evaluates a whole batch on both backends, so that a crash of durable-rules' C engine (SIGSEGV:
returncode -11) fails this test instead of killing pytest. For every folder where some drawn case
has no check holding, that case is evaluated first: the red-team's crash (delete_state on a
ruleset that never ran an action, see ``lovregler/engine/backends.py``).

Where durable-rules does not import (Python 3.13+), the child runs the reference backend alone,
and every case must still be answered.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from lovregler import load_regime
from lovregler.case.model import parse_case
from lovregler.cli import app as cli_app
from lovregler.engine.backends import durable_available
from lovregler.engine.compile import Const, case_facts, compile_regime, to_python
from lovregler.law.acts import Acts, load_acts
from lovregler.law.dates import UNITS
from lovregler.law.vocabulary import CONDITION_FIELDS, MAX_AGE, MEASURE_NUMBERS, MIN_AGE
from lovregler.testing import case_data, municipalities

DURABLE = durable_available()
BACKENDS = ("durable-rules", "reference") if DURABLE else ("reference",)

FOLDERS_PER_BATCH = 8
CASES_PER_FOLDER = 10
BATCHES = 4

HEADER = """\
regime: toylov
title: Et legetøjsregime
confidence: to_confirm
valid: {from: 2016-01-01, to: 2025-12-31}
"""

# The operators a field of each kind takes (as ``lovregler check`` allows them), in YAML spelling.
EQUALITY = ("equals", "not_equals", "in", "not_in")
ORDER = ("at_least", "at_most", "greater_than", "less_than", "between")
SETS = ("contains", "contains_any", "contains_all", "contains_none", "is_empty")
OPS_BY_KIND: dict[str, tuple[str, ...]] = {
    "bool": ("equals", "not_equals"),
    "int": EQUALITY + ORDER,
    "date": EQUALITY + ORDER,
    "choice": EQUALITY,
    "municipality": EQUALITY,
    "set": SETS,
}
ALL_OPS = EQUALITY + ORDER + SETS

# Found by this fuzz and fixed, each with a test below: an order test on a missing
# notification_date (durable-rules said the rule applied), `in: []` (crashed the explanation;
# now refused by check) and `equals: null` on municipality (check failed inside; now refused).

CONFIDENCES = st.sampled_from(["verified", "secondary", "to_confirm"])
DAYS = st.dates(date(2015, 6, 1), date(2025, 12, 31))


def _value(kind: str, wild: bool) -> st.SearchStrategy[Any]:
    """A value a condition on a field of ``kind`` compares with: a possible one, or in a wild
    folder now and then any (which `check` mostly refuses)."""
    anything = st.one_of(
        st.none(), st.booleans(), st.integers(-1, 19), DAYS, st.sampled_from(["maturity", "x"])
    )
    typical: dict[str, st.SearchStrategy[Any]] = {
        "bool": st.booleans(),
        "int": st.integers(MIN_AGE, MAX_AGE),
        "date": DAYS,
        "choice": st.sampled_from(CONDITION_FIELDS["child_conversation_exception"].choices),
        "set": st.sampled_from(MEASURE_NUMBERS),
        "municipality": municipalities(),
    }
    return st.one_of(typical[kind], typical[kind], anything) if wild else typical[kind]


def _operand(kind: str, op: str, wild: bool) -> st.SearchStrategy[Any]:
    one = _value(kind, wild)
    if op in ("equals", "not_equals"):
        return st.one_of(one, one, st.none())
    if op in ("in", "not_in"):
        return st.lists(one, min_size=0 if wild else 1, max_size=3)  # [] only wild: refused
    if op == "between":
        return st.lists(one, min_size=2, max_size=2).map(
            lambda pair: sorted(pair) if _comparable(pair) else pair
        )
    if op in ("contains_any", "contains_all", "contains_none"):
        return st.lists(one, min_size=1, max_size=3)
    if op == "is_empty":
        return st.booleans()
    return one


def _comparable(pair: list[Any]) -> bool:
    kinds = {type(v) for v in pair}
    return len(kinds) == 1 and kinds <= {int, date}


@st.composite
def field_tests(draw: st.DrawFn, wild: bool) -> dict[str, Any]:
    """``{field: ..., <operator>: ...}``: an operator the field takes, or in a wild folder now
    and then any."""
    field = draw(st.sampled_from(sorted(CONDITION_FIELDS)))
    kind = CONDITION_FIELDS[field].kind
    ops = ALL_OPS if wild and not draw(st.integers(0, 5)) else OPS_BY_KIND[kind]
    op = draw(st.sampled_from(ops))
    return {"field": field, op: draw(_operand(kind, op, wild))}


def conditions(earlier: list[str], wild: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Condition trees of all/any/not over field tests and references to ``earlier`` rules."""
    leaves: st.SearchStrategy[dict[str, Any]] = field_tests(wild)
    if earlier:
        refs = st.builds(
            lambda rule, is_: {"rule": rule, "is": is_},
            st.sampled_from(earlier),
            st.sampled_from(["required", "applicable"]),
        )
        leaves = st.one_of(leaves, leaves, refs)

    def extend(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
        return st.one_of(
            st.lists(children, min_size=1, max_size=3).map(lambda c: {"all": c}),
            st.lists(children, min_size=1, max_size=3).map(lambda c: {"any": c}),
            children.map(lambda c: {"not": c}),
        )

    return st.recursive(leaves, extend, max_leaves=5)


def _basis(paragraph: int) -> list[dict[str, Any]]:
    return [{"law": "Toylov", "paragraph": paragraph}]


@st.composite
def deadlines(draw: st.DrawFn, earlier: list[str], wild: bool, last: bool) -> dict[str, Any]:
    """A deadline; all but the last of a rule's deadlines have a ``when``."""
    deadline: dict[str, Any] = {
        "from": draw(st.sampled_from(["awareness_date", "decision_date", "notification_date"])),
        "amount": draw(st.integers(0, 30)),
        "unit": draw(st.sampled_from(UNITS)),
    }
    if not last or draw(st.booleans()):
        deadline["when"] = draw(conditions(earlier, wild))
    if not draw(st.integers(0, 4)):
        deadline["repeat"] = {"unit": draw(st.sampled_from(UNITS)), "max": draw(st.integers(1, 12))}
    return deadline


@st.composite
def rule_files(draw: st.DrawFn) -> dict[str, Any]:
    """A rule file of 1-6 rules; a rule refers to (and follows) only the rules before it."""
    rules: list[dict[str, Any]] = []
    ids: list[str] = []
    wild = not draw(st.integers(0, 5))
    for index in range(draw(st.integers(1, 6))):
        rule_id = f"toy.regel_{index}"
        rule: dict[str, Any] = {
            "id": rule_id,
            "title": f"Regel {index}",
            "legal_basis": _basis(index + 1),
            "confidence": draw(CONFIDENCES),
        }
        if draw(st.integers(0, 4)):
            rule["when"] = draw(conditions(ids, wild))
        exceptions = draw(st.lists(conditions(ids, wild), max_size=2))
        if exceptions:
            rule["unless"] = [
                {
                    "id": f"undtagelse-{j}",
                    "when": when,
                    "reason": "Undtaget",
                    "legal_basis": _basis(index + 1),
                    "confidence": draw(CONFIDENCES),
                }
                for j, when in enumerate(exceptions)
            ]
        count = draw(st.integers(0, 3))
        several = [draw(deadlines(ids, wild, last=i == count - 1)) for i in range(count)]
        if len(several) == 1 and draw(st.booleans()):
            rule["deadline"] = several[0]
        elif several:
            rule["deadline"] = several
        if not draw(st.integers(0, 3)):
            rule["additions"] = [{"when": draw(conditions(ids, wild)), "text": "Desuden"}]
        if ids and not draw(st.integers(0, 3)):
            follows: dict[str, Any] = {
                "obligation": draw(st.sampled_from(ids)),
                "text": "Først den anden",
                "legal_basis": _basis(index + 1),
                "confidence": draw(CONFIDENCES),
            }
            if draw(st.booleans()):
                follows["unless"] = draw(conditions(ids, wild))
            rule["follows"] = follows
        rules.append(rule)
        ids.append(rule_id)
    return {"rules": rules}


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in data.items()}


@functools.cache
def _acts(rules: Path) -> Acts | None:
    return load_acts(rules)


def _accepted(folder: Path) -> bool:
    """Whether ``lovregler check`` accepts the folder: exit 0, or 1 for findings.

    ``check`` reads the bundled acts (a second of YAML) for every folder; here they are read
    once for the whole test (read-only data: the verdict is the same)."""
    with (
        mock.patch.object(cli_app, "load_acts", _acts),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        return cli_app.main(["check", str(folder)]) in (0, 1)


def _quiet(folder: Path) -> Callable[[dict[str, Any]], bool]:
    """Whether no check the engine is asked holds for a case (no action of durable-rules runs)."""
    program = compile_regime(load_regime(str(folder)))
    tests = [to_python(c.expr) for c in program.checks if not isinstance(c.expr, Const)]

    def quiet(case: dict[str, Any]) -> bool:
        facts = case_facts(parse_case(case))
        return not any(test(facts) for test in tests)

    return quiet


# The child: each folder's cases on each backend, results as JSON (the backend's name left out).
# It says on stderr which case it is at, so that a crash names its folder and case.
CHILD = """
import json, sys, traceback
import lovregler
jobs = json.load(open(sys.argv[1], encoding="utf-8"))
backends = json.loads(sys.argv[2])
answers = []
for f, job in enumerate(jobs):
    per_backend = {}
    for backend in backends:
        results = []
        for c, case in enumerate(job["cases"]):
            print(f"at folder {f} case {c} backend {backend}", file=sys.stderr, flush=True)
            try:
                result = lovregler.evaluate(case, job["folder"], backend=backend)
                dumped = result.model_dump(mode="json")
                dumped.pop("backend")
                results.append(dumped)
            except Exception as exc:
                results.append({"error": f"{type(exc).__name__}: {exc}",
                                "traceback": traceback.format_exc()[-1500:]})
        per_backend[backend] = results
    answers.append(per_backend)
json.dump(answers, open(sys.argv[3], "w", encoding="utf-8"))
"""


def _run_child(jobs: list[dict[str, Any]], work: Path) -> list[dict[str, list[dict[str, Any]]]]:
    jobs_file, answers_file = work / "jobs.json", work / "answers.json"
    jobs_file.write_text(json.dumps(jobs), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "faulthandler",
            "-c",
            textwrap.dedent(CHILD),
            str(jobs_file),
            json.dumps(BACKENDS),
            str(answers_file),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        where = [line for line in done.stderr.splitlines() if line.startswith("at folder")]
        folder = int(where[-1].split()[2]) if where else 0
        pytest.fail(
            f"the child evaluating the folders died with returncode {done.returncode} "
            f"(-11 = SIGSEGV) {where[-1] if where else ''}\n"
            f"rules:\n{jobs[folder]['rules']}\ncases: {jobs[folder]['cases'][:3]}\n"
            f"stderr: {done.stderr[-3000:]}"
        )
    answers: list[dict[str, list[dict[str, Any]]]] = json.loads(answers_file.read_text("utf-8"))
    return answers


@settings(
    max_examples=BATCHES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate),  # a failure names its folder and case already
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    files=st.lists(rule_files(), min_size=FOLDERS_PER_BATCH, max_size=FOLDERS_PER_BATCH),
    cases=st.lists(
        st.lists(case_data(), min_size=CASES_PER_FOLDER, max_size=CASES_PER_FOLDER),
        min_size=FOLDERS_PER_BATCH,
        max_size=FOLDERS_PER_BATCH,
    ),
)
def test_every_checked_folder_is_answered_alike_by_both_backends(
    files: list[dict[str, Any]], cases: list[list[dict[str, Any]]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        jobs: list[dict[str, Any]] = []
        quiet_first = 0
        for n, (rule_file, drawn) in enumerate(zip(files, cases, strict=True)):
            folder = work / f"toylov{n}"
            folder.mkdir()
            rules = yaml.safe_dump(rule_file, sort_keys=False, allow_unicode=True)
            (folder / "regime.yaml").write_text(HEADER, encoding="utf-8")
            (folder / "toy.yaml").write_text(rules, encoding="utf-8")
            if not _accepted(folder):
                continue
            batch = [_jsonable(c) for c in drawn]
            quiet = _quiet(folder)
            first = next((i for i, c in enumerate(batch) if quiet(c)), None)
            if first is not None:  # durable-rules' first case here runs no action
                batch.insert(0, batch.pop(first))
                quiet_first += 1
            jobs.append({"folder": str(folder), "rules": rules, "cases": batch})
        if not jobs:
            return  # nothing this batch drew passed `check`
        answers = _run_child(jobs, work)
    for job, per_backend in zip(jobs, answers, strict=True):
        for backend, results in per_backend.items():
            for case, result in zip(job["cases"], results, strict=True):
                assert "error" not in result, (backend, job["rules"], case, result)
        if DURABLE:
            for case, durable, reference in zip(
                job["cases"], per_backend["durable-rules"], per_backend["reference"], strict=True
            ):
                assert durable == reference, (job["rules"], case)


RED_TEAM_RULES = """\
rules:
  - id: toy.samtale
    title: Samtale med barnet
    legal_basis:
      - {law: Toylov, paragraph: 1}
    when: {field: support_need_presumed, equals: true}
    deadline: {from: awareness_date, amount: 2, unit: weeks}
    confidence: to_confirm
"""


def _case(**fields: Any) -> dict[str, Any]:
    return {
        "case_id": "F",
        "municipality": "Aarhus",
        "child_age": 9,
        "awareness_date": "2021-03-01",
        "support_need_presumed": False,
        **fields,
    }


def _folder(work: Path, rules: str) -> Path:
    folder = work / "toylov"
    folder.mkdir()
    (folder / "regime.yaml").write_text(HEADER, encoding="utf-8")
    (folder / "toy.yaml").write_text(rules, encoding="utf-8")
    assert _accepted(folder)
    return folder


def _alike(folder: Path, batch: list[dict[str, Any]], work: Path) -> None:
    (per_backend,) = _run_child([{"folder": str(folder), "rules": "", "cases": batch}], work)
    for backend, results in per_backend.items():
        for case, result in zip(batch, results, strict=True):
            assert "error" not in result, (backend, case, result)
    if DURABLE:
        assert per_backend["durable-rules"] == per_backend["reference"]


def test_the_red_team_folder_is_answered_alike(tmp_path: Path) -> None:
    """The folder of the report: no check holds for its first case."""
    folder = _folder(tmp_path, RED_TEAM_RULES)
    batch = [_case(support_need_presumed=need) for need in (False, False, True, False)]
    assert _quiet(folder)(batch[0])
    _alike(folder, batch, tmp_path)


KNOWN_NULL_ORDER_RULES = """\
rules:
  - id: toy.vurdering
    title: Vurdering af underretningen
    legal_basis:
      - {law: Toylov, paragraph: 1}
    when: {field: notification_date, at_least: 2021-01-01}
    confidence: to_confirm
"""


def test_an_order_test_on_a_missing_notification_date_is_answered(tmp_path: Path) -> None:
    folder = _folder(tmp_path, KNOWN_NULL_ORDER_RULES)
    _alike(folder, [_case(), _case(notification_date="2021-02-01")], tmp_path)


EMPTY_IN_RULES = """\
rules:
  - id: toy.samtale
    title: Samtale med barnet
    legal_basis:
      - {law: Toylov, paragraph: 1}
    when: {field: child_age, in: []}
    confidence: to_confirm
"""


def _refused_by_check(tmp_path: Path, rules: str) -> str:
    folder = tmp_path / "toylov"
    folder.mkdir()
    (folder / "regime.yaml").write_text(HEADER, encoding="utf-8")
    (folder / "toy.yaml").write_text(rules, encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        assert cli_app.main(["check", str(folder)]) == 2
    return err.getvalue()


def test_an_empty_in_list_is_refused_by_check(tmp_path: Path) -> None:
    """`in: []` can never hold; explaining it crashed. Refused where it is written."""
    err = _refused_by_check(tmp_path, EMPTY_IN_RULES)
    assert "toy.yaml:6" in err and "at least 1 item" in err, err


NULL_MUNICIPALITY_RULES = """\
rules:
  - id: toy.samtale
    title: Samtale med barnet
    legal_basis:
      - {law: Toylov, paragraph: 1}
    when: {field: municipality, not_equals: null}
    confidence: to_confirm
"""


def test_a_null_municipality_test_is_refused_by_check(tmp_path: Path) -> None:
    """Every case names its municipality: `null` there failed inside check (exit 3)."""
    err = _refused_by_check(tmp_path, NULL_MUNICIPALITY_RULES)
    assert "null: every case names its municipality" in err, err


# --- durable-rules' own limits: a folder check accepts never meets them -----------------------


def _rule(rule_id: str, when: str) -> str:
    return (
        f"  - id: {rule_id}\n    title: Regel {rule_id}\n    legal_basis:\n"
        f"      - {{law: Toylov, paragraph: 1}}\n    when: {when}\n    confidence: to_confirm\n"
    )


def test_more_checks_holding_at_once_than_durable_fires_per_assert(tmp_path: Path) -> None:
    """durable-rules fails an assert that fires more than 64 actions (error 303)."""
    first = date(2016, 1, 1)
    rules = "rules:\n" + "".join(
        _rule(f"toy.r{i}", f"{{field: awareness_date, at_least: {first + timedelta(i)}}}")
        for i in range(150)
    )
    _alike(_folder(tmp_path, rules), [_case(), _case(awareness_date="2015-06-01")], tmp_path)


def test_a_condition_nested_deeper_than_durable_compiles(tmp_path: Path) -> None:
    """durable-rules cannot compile a condition nested about 16 levels deep (error 113)."""
    when = "{field: child_age, at_least: 3}"
    for level in range(24):
        other = "{field: child_age, at_most: " + str(level % 17) + "}"
        when = "{" + ("all" if level % 2 else "any") + ": [" + when + ", " + other + "]}"
    rules = "rules:\n" + _rule("toy.dyb", when)
    _alike(_folder(tmp_path, rules), [_case(child_age=a) for a in (0, 3, 9, 16)], tmp_path)


def test_a_condition_that_expands_to_many_alternatives(tmp_path: Path) -> None:
    """An "all of" 16 "any of"s: 65,536 alternatives, more than durable-rules compiles."""
    parts = ", ".join(
        "{any: [{field: child_age, at_least: " + str(i % 10) + "}, {field: urgent, equals: true}]}"
        for i in range(16)
    )
    rules = "rules:\n" + _rule("toy.bred", "{all: [" + parts + "]}")
    batch = [_case(child_age=a, urgent=u) for a in (2, 9, 12) for u in (False, True)]
    _alike(_folder(tmp_path, rules), batch, tmp_path)


def test_a_long_in_list(tmp_path: Path) -> None:
    """A flat "any of" of a thousand values: durable-rules compiles one this long slowly or not
    at all (a thousand equalities on one fact took minutes); the layout splits it."""
    days = ", ".join(str(date(2018, 1, 1) + timedelta(i)) for i in range(1000))
    rules = "rules:\n" + _rule("toy.lang", "{field: awareness_date, in: [" + days + "]}")
    batch = [_case(awareness_date=d) for d in ("2019-05-05", "2020-12-30", "2021-03-01")]
    _alike(_folder(tmp_path, rules), batch, tmp_path)
