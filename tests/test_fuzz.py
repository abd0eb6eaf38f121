"""Fuzzing the rule-file loader and the case loader: only clean ``LovreglerError``s, ever.

Inputs are random bytes, random YAML (nested mappings, lists and scalars drawn by hypothesis,
often with the keys the schemas know, written with ``yaml.safe_dump``) and mutated valid files
(each file of ``rules/standard`` and ``rules/frikommune``, and the example cases, with lines
deleted, duplicated or swapped and characters changed). Whatever comes in, loading either
succeeds or raises a :class:`lovregler.LovreglerError` whose every problem names its file;
any other exception is a bug. A rule folder that loads is also compiled and evaluated once
(reference backend), under the same rule.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import lovregler
from lovregler import LovreglerError, evaluate, load_case_file, load_regime, parse_case
from lovregler.engine.compile import compile_regime

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
RULE_FILES = sorted(
    (folder.name, path.name)
    for folder in (RULES / "standard", RULES / "frikommune")
    for path in folder.glob("*.yaml")
)
CASE_FILES = sorted((ROOT / "examples" / "cases").glob("*.yaml"))
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROBE = {
    "case_id": "fuzz",
    "municipality": "Ikast-Brande",
    "child_age": 12,
    "awareness_date": date(2019, 3, 1),
    "decision_date": date(2019, 4, 1),
    "notification_date": date(2019, 2, 27),
    "support_need_presumed": True,
    "measures": [2, 7],
    "consent": True,
}

# --- strategies ----------------------------------------------------------------------------------

# Keys the schemas know (rule files, regime headers, conditions, cases), so that random
# documents often get past the first schema check and reach the deeper ones.
KEYS = (  # noqa: SIM905
    "regime title title_en label extends legal_basis sources valid participants "
    "window_date confidence notes rules exclusions id when unless deadline additions "
    "dispenses law paragraph stk nr pkt ref valid_from valid_to all any not rule is field "
    "equals not_equals in not_in at_least at_most greater_than less_than between contains "
    "contains_any contains_all contains_none is_empty text from to amount unit repeat max "
    "min reason obligation municipality window case_id child_age child_birth_date "
    "awareness_date decision_date support_need_presumed measures consent "
    "child_conversation_exception notification_date urgent measures__count"
).split()
WORDS = (  # noqa: SIM905
    "standard frikommune secondary verified to_confirm months days hours weeks years "
    "required applicable maturity nature_of_case SEL Gladsaxe 101 decision_date "
    "awareness_date sel50.boernefaglig_undersoegelse sel48.boernesamtale null"
).split()

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.sampled_from(WORDS),
    st.text(max_size=12),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=8))
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=6)),
    max_leaves=30,
)
mapping_documents = st.dictionaries(keys, documents, max_size=8)
CHARS = [*list(":-[]{}#&*!|>'\"\t ,?%@`\n0123456789aez."), "æ", "\x00", "\ufeff", "§"]


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few lines deleted, duplicated or swapped and characters changed."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not lines:
            break
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "char", "insert", "indent"]))
        i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "indent":
            lines[i] = draw(st.sampled_from(["  ", " ", "\t", "- "])) + lines[i]
        else:
            line = lines[i]
            k = draw(st.integers(min_value=0, max_value=max(len(line) - 1, 0)))
            char = draw(st.sampled_from(CHARS))
            if kind == "char":
                lines[i] = line[:k] + char + line[k + 1 :]
            else:
                lines[i] = line[:k] + char + line[k:]
    return "".join(lines)


# --- helpers -------------------------------------------------------------------------------------


@contextmanager
def regime_copy(folder: str, file: str, content: bytes) -> Iterator[Path]:
    """A fresh copy of ``rules/<folder>`` with ``file`` replaced by ``content``."""
    with tempfile.TemporaryDirectory(prefix="lovregler-fuzz-") as tmp:
        target = Path(tmp) / folder
        shutil.copytree(RULES / folder, target)
        (target / file).write_bytes(content)
        yield target


def assert_clean(exc: LovreglerError) -> None:
    assert exc.problems, f"{type(exc).__name__} without problems"
    for problem in exc.problems:
        assert problem.message, f"a problem without a message: {problem!r}"


def load_clean(folder: Path) -> None:
    """Load (and, if it loads, compile and evaluate) the folder; only LovreglerErrors."""
    try:
        regime = load_regime(folder)
    except LovreglerError as exc:
        assert_clean(exc)
        for problem in exc.problems:
            assert problem.file, f"a rule-file problem without a file: {problem!r}"
        return
    compile_regime(regime)
    try:
        evaluate(PROBE, regime, backend="reference", lang="en")
    except LovreglerError as exc:
        assert_clean(exc)


# --- the rule-file loader ------------------------------------------------------------------------


@pytest.mark.parametrize(("folder", "file"), RULE_FILES, ids=[f"{d}/{f}" for d, f in RULE_FILES])
@FUZZ
@given(data=st.data())
def test_mutated_rule_files_load_or_fail_cleanly(
    folder: str, file: str, data: st.DataObject
) -> None:
    text = (RULES / folder / file).read_text(encoding="utf-8")
    with regime_copy(folder, file, data.draw(mutated(text)).encode("utf-8")) as target:
        load_clean(target)


# Found by this file: PyYAML's ReaderError (a control character) escaped load_yaml as itself,
# and so did RecursionError for deeply nested YAML (a few KiB of "[").
@example(target=("standard", "sel50.yaml"), content=b"title: x\x00\n")
@example(target=("standard", "regime.yaml"), content=b"[" * 1000 + b"]" * 1000)
@settings(FUZZ, max_examples=80)
@given(
    target=st.sampled_from(RULE_FILES),
    content=st.one_of(
        st.binary(max_size=300),
        st.binary(max_size=40).map(lambda b: b"rules:\n  - id: " + b),
        st.sampled_from([b"\xff\xfe", b"\x00", b"", b"---\n...\n", b"- [\n", b"a: &x [*x]\n"]),
    ),
)
def test_random_bytes_as_rule_files(target: tuple[str, str], content: bytes) -> None:
    with regime_copy(*target, content) as folder:
        load_clean(folder)


@settings(FUZZ, max_examples=120)
@given(target=st.sampled_from(RULE_FILES), document=st.one_of(mapping_documents, documents))
def test_random_yaml_as_rule_files(target: tuple[str, str], document: Any) -> None:
    content = yaml.safe_dump(document, allow_unicode=True).encode("utf-8")
    with regime_copy(*target, content) as folder:
        load_clean(folder)


# --- the case loader -----------------------------------------------------------------------------


def cases_clean(path: Path) -> None:
    try:
        cases = load_case_file(path)
    except LovreglerError as exc:
        assert_clean(exc)
        for problem in exc.problems:
            assert problem.file, f"a case-file problem without a file: {problem!r}"
        return
    for case in cases:
        evaluate(case, "standard", backend="reference")


@contextmanager
def write_case(content: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="lovregler-fuzz-") as tmp:
        path = Path(tmp) / "case.yaml"
        path.write_bytes(content)
        yield path


@example(content=b"case_id: \x07\n")  # ReaderError escaped load_case_file
@example(content=b"- " * 1000 + b"x")  # and so did RecursionError
@settings(FUZZ, max_examples=150)
@given(
    content=st.one_of(
        st.binary(max_size=300),
        st.sampled_from([b"\xff", b"", b"[]", b"- 1\n- 2\n", b"a: &x [*x, *x]\n"]),
    )
)
def test_random_bytes_as_case_files(content: bytes) -> None:
    with write_case(content) as path:
        cases_clean(path)


@settings(FUZZ, max_examples=150)
@given(document=st.one_of(mapping_documents, documents, st.lists(mapping_documents, max_size=3)))
def test_random_yaml_as_case_files(document: Any) -> None:
    with write_case(yaml.safe_dump(document, allow_unicode=True).encode("utf-8")) as path:
        cases_clean(path)


@settings(FUZZ, max_examples=150)
@given(source=st.sampled_from(CASE_FILES), data=st.data())
def test_mutated_case_files(source: Path, data: st.DataObject) -> None:
    text = data.draw(mutated(source.read_text(encoding="utf-8")))
    with write_case(text.encode("utf-8")) as path:
        cases_clean(path)


def parse_clean(data: Any) -> None:
    try:
        case = parse_case(data)
    except LovreglerError as exc:
        assert isinstance(exc, lovregler.CaseError)
        assert_clean(exc)
        return
    for regime in ("standard", "frikommune"):
        evaluate(case, regime, backend="reference")


@settings(FUZZ, max_examples=300)
@given(data=st.one_of(mapping_documents, documents))
def test_parse_case_with_random_data(data: Any) -> None:
    parse_clean(data)


@settings(FUZZ, max_examples=300)
@given(
    drop=st.sets(st.sampled_from(sorted(PROBE))),
    change=st.dictionaries(st.sampled_from([*PROBE, "child_birth_date", "urgent"]), documents),
)
def test_parse_case_with_near_valid_data(drop: set[str], change: dict[str, Any]) -> None:
    data = {k: v for k, v in PROBE.items() if k not in drop}
    parse_clean({**data, **change})
