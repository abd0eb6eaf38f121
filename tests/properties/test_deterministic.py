"""Deterministic and stateless: the same case gives the same result before and after thousands of
other evaluations, in any order, and whatever order the rule files are listed or loaded in."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lovregler import Case, EvaluationResult, Regime, evaluate, load_regime
from lovregler.testing import assert_no_violations, cases, check_deterministic, sample, shuffled

RULES = Path(__file__).resolve().parents[2] / "rules"
REGIMES = ("standard", "frikommune")


def _without_paths(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_paths(v) for k, v in data.items() if k not in ("source", "folder")}
    if isinstance(data, list):
        return [_without_paths(v) for v in data]
    return data


def _comparable(result: EvaluationResult) -> dict[str, Any]:
    """The result without the rule files' paths (a scratch copy lives elsewhere)."""
    comparable: dict[str, Any] = _without_paths(result.model_dump())
    return comparable


def _by_id(result: EvaluationResult) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in _comparable(result)["obligations"]}


@pytest.fixture(scope="module")
def drawn() -> list[Case]:
    return sample(cases(), 500, seed_value=2020)


def test_same_result_after_thousands_of_other_evaluations(drawn: list[Case]) -> None:
    first = {(i, r): evaluate(c, r) for i, c in enumerate(drawn) for r in REGIMES}
    order = [(i, r) for i in range(len(drawn)) for r in REGIMES]
    for rounds, keys in enumerate((order[::-1], shuffled(order, 1), shuffled(order, 2))):
        for i, regime in keys:
            again = evaluate(drawn[i], regime)
            assert again == first[i, regime], (
                f"round {rounds}: {drawn[i].case_id} under {regime} changed after "
                f"{len(first) * (rounds + 1)} other evaluations"
            )


@given(st.lists(cases(), min_size=2, max_size=6), st.randoms(use_true_random=False))
def test_evaluation_order_does_not_matter(batch: list[Case], rnd: random.Random) -> None:
    before = [[evaluate(c, r) for r in REGIMES] for c in batch]
    picks = [(i, r) for i in range(len(batch)) for r in range(len(REGIMES))]
    rnd.shuffle(picks)
    for i, r in picks:
        assert evaluate(batch[i], REGIMES[r]) == before[i][r]
    assert_no_violations(check_deterministic(batch[0]))


def _scratch(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(RULES, target)
    return target


@pytest.fixture
def listing_order(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Make `Path.iterdir` list folders as-is, reversed or shuffled (set `mode[0]`)."""
    mode: list[str] = ["as-is"]
    real = Path.iterdir

    def iterdir(self: Path) -> Iterator[Path]:
        items = list(real(self))
        if mode[0] == "reversed":
            items.sort(reverse=True)
        elif mode[0] == "shuffled":
            random.Random(str(self)).shuffle(items)
        return iter(items)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    yield mode


@pytest.mark.parametrize("order", ["reversed", "shuffled"])
def test_rule_file_listing_order_does_not_matter(
    tmp_path: Path, listing_order: list[str], order: str, drawn: list[Case]
) -> None:
    listing_order[0] = order
    folder = _scratch(tmp_path, f"rules-{order}")
    loaded = {r: load_regime(folder / r) for r in REGIMES}
    for regime in REGIMES:
        bundled = load_regime(regime)
        assert [x.id for x in loaded[regime].rules] == [x.id for x in bundled.rules]
        assert loaded[regime].version == bundled.version
        for case in drawn[:200]:
            assert _comparable(evaluate(case, loaded[regime])) == _comparable(
                evaluate(case, bundled)
            ), f"{case.case_id} under {regime} depends on the rule-file listing order"


def _rename_reversed(folder: Path) -> None:
    """Prefix the rule files so that they load in the reverse of their usual order."""
    files = sorted(p for p in folder.glob("*.yaml") if p.name != "regime.yaml")
    for rank, path in enumerate(reversed(files)):
        path.rename(folder / f"{chr(ord('a') + rank)}_{path.name}")


def test_rule_file_loading_order_does_not_matter(tmp_path: Path, drawn: list[Case]) -> None:
    folder = _scratch(tmp_path, "rules-renamed")
    for regime in REGIMES:
        _rename_reversed(folder / regime)
    loaded: dict[str, Regime] = {r: load_regime(folder / r) for r in REGIMES}
    assert [x.id for x in loaded["standard"].rules] != [
        x.id for x in load_regime("standard").rules
    ], "the renaming should change the order the rules load in"
    for regime in REGIMES:
        for case in drawn[:200]:
            assert _by_id(evaluate(case, loaded[regime])) == _by_id(evaluate(case, regime)), (
                f"{case.case_id} under {regime} depends on the order the rule files load in"
            )
