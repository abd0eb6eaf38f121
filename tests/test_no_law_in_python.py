"""The law is data: no regime name and no obligation id is written in lovregler's Python.

Regime names, obligation ids, the case vocabulary, the event table and the safeguards live in
``rules/``; Python reads them. A new regime must not need an edit of a ``.py`` file. Docstrings
may name them (they document); string constants may not.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import lovregler

PACKAGE = Path(lovregler.__file__).resolve().parent
# English phrases that happen to contain a regime's name.
PHRASES = re.compile(r"standard (input|output|error)")


def _strings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Each string constant that is not a docstring: its line and its text."""
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node.lineno, node.value


def test_no_regime_name_or_obligation_id_in_python() -> None:
    engine = lovregler.default_engine()
    names = set(engine.regime_names())
    ids = {rule.id for name in names for _, rule in engine.regime(name).all_rules()}
    assert names and ids
    word = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\b")
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for lineno, value in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            text = PHRASES.sub("", value)
            hits = sorted(i for i in ids if i in text) + word.findall(text)
            if hits:
                found.append(f"{path.relative_to(PACKAGE)}:{lineno}: {hits[0]!r}")
    assert not found, "law written in Python:\n  " + "\n  ".join(found)
