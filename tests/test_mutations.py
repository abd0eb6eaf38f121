"""The property suite must bite: each deliberate fault in a scratch copy of the rules breaks at
least one invariant of :mod:`lovregler.testing` (or stops the folder from loading).

The invariants judge the mutated overlay against the *bundled* (published) one as reference, so
a wider window or a missing exclusion cannot justify itself. Cases come from a fixed, seeded
sample of the case strategy; the unmutated copy passes every invariant on the same sample.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import strategies as st

from lovregler import Case, LovreglerError, load_regime
from lovregler.testing import (
    INVARIANTS,
    cases,
    check_invariants,
    first_violations,
    sample,
    window_edges,
)

RULES = Path(__file__).resolve().parents[1] / "rules"
OVERLAY_FILES = sorted(p.name for p in (RULES / "frikommune").glob("*.yaml"))

Data = dict[str, Any]
Mutation = Callable[[Path], None]


def _on_every_edge() -> list[Case]:
    """For each participant of each experiment: a case on the day before, the first day, the
    last day and the day after its window (one with merged measures, one without)."""
    out: list[Case] = []
    for p in load_regime("frikommune").participants or []:
        one = timedelta(days=1)
        for day in (p.window_from - one, p.window_from, p.window_to, p.window_to + one):
            for measures in ([], [2, 3]):
                out.append(
                    Case.model_validate(
                        {
                            "case_id": f"edge-{p.municipality.code}-{day}-{len(measures)}",
                            "municipality": p.municipality.code,
                            "child_age": 9,
                            "awareness_date": day,
                            "support_need_presumed": True,
                            "measures": measures,
                            "consent": True,
                        }
                    )
                )
    return out


@pytest.fixture(scope="module")
def drawn() -> list[Case]:
    """Cases across the whole space, cases whose window date is a window edge, and each
    participant's own window edges."""
    on_edges = cases(window_days=st.sampled_from(window_edges()))
    return (
        sample(cases(), 500, seed_value=20180501)
        + sample(on_edges, 500, seed_value=20200830)
        + _on_every_edge()
    )


# --- editing a scratch copy --------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _edit(path: Path, change: Callable[[Data], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    if not data.get("rules") and not data.get("exclusions") and path.name != "regime.yaml":
        path.unlink()  # a rule file with nothing in it is invalid; the fault is its absence
        return
    path.write_text(
        yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )


def _overlay_file_of(folder: Path, rule_id: str) -> Path:
    for path in sorted((folder / "frikommune").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if any(rule["id"] == rule_id for rule in data.get("rules", [])):
            return path
    raise LookupError(rule_id)


def _rule(data: Data, rule_id: str) -> Data:
    found: Data = next(r for r in data["rules"] if r["id"] == rule_id)
    return found


def delete_rule(rule_id: str) -> Mutation:
    def mutate(folder: Path) -> None:
        _edit(
            _overlay_file_of(folder, rule_id),
            lambda d: d.update(rules=[r for r in d["rules"] if r["id"] != rule_id]),
        )

    return mutate


def drop_link(rule_id: str, obligation: str) -> Mutation:
    def mutate(folder: Path) -> None:
        def change(data: Data) -> None:
            rule = _rule(data, rule_id)
            rule["dispenses"] = [x for x in rule["dispenses"] if x["obligation"] != obligation]

        _edit(_overlay_file_of(folder, rule_id), change)

    return mutate


def move_window(experiment: int, index: int, side: str, days: int) -> Mutation:
    """Move one end of one participant's window of one experiment by ``days``."""

    def mutate(folder: Path) -> None:
        def change(data: Data) -> None:
            window = data["experiments"][experiment]["participants"][index]["window"]
            window[side] += timedelta(days=days)

        _edit(folder / "frikommune" / "regime.yaml", change)

    return mutate


def give_the_merge_to(municipality: str) -> Mutation:
    """Let a municipality that does not take part in the merge's experiment take part in it."""

    def mutate(folder: Path) -> None:
        def change(data: Data) -> None:
            merge = next(e for e in data["experiments"] if e["id"] == EXPERIMENT_OF_MERGE)
            first = next(e for e in data["experiments"] if e["id"] != EXPERIMENT_OF_MERGE)
            theirs = next(p for p in first["participants"] if p["municipality"] == municipality)
            merge["participants"].append(dict(theirs))

        _edit(folder / "frikommune" / "regime.yaml", change)

    return mutate


def _windows() -> list[tuple[int, int, str]]:
    """(experiment index, participant index, municipality) of every window of the bundled rules."""
    data = yaml.safe_load((RULES / "frikommune" / "regime.yaml").read_text(encoding="utf-8"))
    return [
        (e, p, participant["municipality"])
        for e, experiment in enumerate(data["experiments"])
        for p, participant in enumerate(experiment["participants"])
    ]


EXPERIMENT_OF_MERGE = "forsoeg2"


def remove_nr6_from_merge(folder: Path) -> None:
    merged, nr6 = "frikommune.familieorienteret_indsats", "sel52.stk3.nr6"

    def change(data: Data) -> None:
        rule = _rule(data, merged)
        rule["when"]["any"] = [c for c in rule["when"]["any"] if c.get("rule") != nr6]
        rule["dispenses"] = [x for x in rule["dispenses"] if x["obligation"] != nr6]

    _edit(_overlay_file_of(folder, merged), change)


def delete_exclusion(folder: Path) -> None:
    for path in sorted((folder / "frikommune").glob("*.yaml")):
        _edit(path, lambda d: d.pop("exclusions", None))


def untouched(folder: Path) -> None:
    """Round-trip every file through the YAML dumper: the copy must still be the law."""
    for path in sorted(folder.glob("*/*.yaml")):
        _edit(path, lambda d: None)


OVERLAY_RULES = [
    "frikommune.socialfaglig_vurdering",
    "frikommune.inddragelsesplan",
    "frikommune.maal_og_opfoelgning",
    "frikommune.familieorienteret_indsats",
]
LINKS = [
    ("frikommune.socialfaglig_vurdering", "sel50.boernefaglig_undersoegelse"),
    ("frikommune.inddragelsesplan", "sel48.boernesamtale"),
    ("frikommune.maal_og_opfoelgning", "sel140.handleplan"),
    *(("frikommune.familieorienteret_indsats", f"sel52.stk3.nr{n}") for n in (2, 3, 6, 9)),
]
MERGE = "frikommune.familieorienteret_indsats"
# each fault, and the invariant that names the safeguard it breaks
MUTATIONS: dict[str, tuple[Mutation, str]] = {
    **{
        f"delete rule {r}": (
            delete_rule(r),
            "no_help_lost_in_merge" if r == MERGE else "declared_dispensations_take_effect",
        )
        for r in OVERLAY_RULES
    },
    **{
        f"drop link {r} -> {o}": (
            drop_link(r, o),
            "no_help_lost_in_merge" if r == MERGE else "declared_dispensations_take_effect",
        )
        for r, o in LINKS
    },
    **{
        f"move the {side} of {who}'s window in experiment {e + 1} by {days:+d} day": (
            move_window(e, p, side, days),
            "no_experiment_without_participation",
        )
        for e, p, who in _windows()
        for side in ("from", "to")
        for days in (-1, 1)
    },
    "give Guldborgsund the merge": (
        give_the_merge_to("Guldborgsund"),
        "no_experiment_without_participation",
    ),
    "give Gladsaxe the merge": (
        give_the_merge_to("Gladsaxe"),
        "no_experiment_without_participation",
    ),
    "remove nr. 6 from the merge": (remove_nr6_from_merge, "no_help_lost_in_merge"),
    "delete the § 10, stk. 6 exclusion": (delete_exclusion, "outside_overlay_nothing_changes"),
}


def _scratch(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    return folder


def _load(folder: Path) -> tuple[Any, Any]:
    return load_regime(folder / "standard"), load_regime(folder / "frikommune")


# --- the tests ---------------------------------------------------------------------------------


def test_the_unmutated_copy_passes_every_invariant(tmp_path: Path, drawn: list[Case]) -> None:
    folder = _scratch(tmp_path)
    untouched(folder)
    standard, frikommune = _load(folder)
    for case in drawn:
        found = check_invariants(case, standard, frikommune)
        assert not found, found[0].report()


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_each_fault_breaks_an_invariant(tmp_path: Path, drawn: list[Case], name: str) -> None:
    mutate, expected = MUTATIONS[name]
    folder = _scratch(tmp_path)
    mutate(folder)
    standard, frikommune = _load(folder)
    found = first_violations(drawn, standard, frikommune)
    assert found, f"no invariant caught the fault {name!r} on {len(drawn)} cases"
    assert {v.invariant for v in found} <= set(INVARIANTS)
    named = first_violations(drawn, standard, frikommune, only=[expected])
    assert named, f"{expected} did not catch the fault {name!r} on {len(drawn)} cases"


@pytest.mark.parametrize("filename", OVERLAY_FILES)
def test_deleting_any_overlay_file_is_caught(
    tmp_path: Path, drawn: list[Case], filename: str
) -> None:
    folder = _scratch(tmp_path)
    (folder / "frikommune" / filename).unlink()
    try:
        standard, frikommune = _load(folder)
    except LovreglerError:
        return  # the folder no longer loads: caught
    found = first_violations(drawn, standard, frikommune)
    assert found, f"deleting rules/frikommune/{filename} broke no invariant"


def test_a_caught_fault_reads_as_a_counterexample(tmp_path: Path, drawn: list[Case]) -> None:
    """The report shows the invariant, the case as YAML and both results side by side."""
    folder = _scratch(tmp_path)
    remove_nr6_from_merge(folder)
    standard, frikommune = _load(folder)
    found = first_violations(drawn, standard, frikommune, only=["no_help_lost_in_merge"])
    assert found
    report = found[0].report()
    assert "no_help_lost_in_merge" in report
    pasted = yaml.safe_load(report.split("Case (YAML):\n", 1)[1].split("\n\n", 1)[0])
    assert Case.model_validate(pasted["case"]) == found[0].case
    assert "sel52.stk3.nr6" in report and "standard (standard)" in report
