"""The case vocabulary and the safeguards, read from the files beside the bundled catalogue.

``vocabulary.yaml`` says what a case may give (the age range, the measure numbers and their
consent rule, the range of its dates) and what each event of a case history fulfils; ``safeguards.yaml`` says what the
property tests prove for each overlay. Both are law, so both are data: a new regime needs an
edit of these files, never of Python. They describe the :class:`~lovregler.Case` type itself,
so they are read once, from the bundled rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from lovregler._errors import Problem, RuleFileError
from lovregler.law.models import Safeguards, Vocabulary
from lovregler.law.problems import must_be, validation_problems
from lovregler.law.safe_yaml import YamlProblem, load_yaml

VOCABULARY_FILE = "vocabulary.yaml"
SAFEGUARDS_FILE = "safeguards.yaml"
M = TypeVar("M", bound=BaseModel)


def bundled_rules() -> Path:
    here = Path(__file__).resolve().parent.parent  # lovregler/ (law/ is one below)
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / VOCABULARY_FILE).is_file():
            return candidate
    raise RuleFileError(f"the bundled {VOCABULARY_FILE} is missing from this installation")


def read_data_file(path: Path, model: type[M]) -> M:
    """A YAML file beside the catalogue, validated; every problem names file, line and field."""
    try:
        data, positions = load_yaml(path)
    except YamlProblem as exc:
        raise RuleFileError([exc.problem]) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        wording = {"extra_forbidden": "unknown key", "missing": "required key is missing"}
        raise RuleFileError(
            validation_problems(
                exc.errors(), data, positions, wording={**wording, "literal_error": must_be}
            )
        ) from None


@cache
def vocabulary() -> Vocabulary:
    """The bundled case vocabulary (read once: it shapes the Case type)."""
    return read_data_file(bundled_rules() / VOCABULARY_FILE, Vocabulary)


@cache
def safeguards() -> Safeguards:
    """The bundled safeguards of each overlay."""
    return read_data_file(bundled_rules() / SAFEGUARDS_FILE, Safeguards)


def check_companions(folder: Path, known: dict[str, set[str]]) -> list[Problem]:
    """Dangling references in the files beside a catalogue: each obligation id ``vocabulary.yaml``
    and ``safeguards.yaml`` name must exist in the regime (``known``: name -> the obligation ids
    its chain defines)."""
    problems: list[Problem] = []
    anywhere = set().union(*known.values()) if known else set()
    measures = vocabulary().case.measures.numbers
    path = folder / VOCABULARY_FILE
    if path.is_file():
        try:
            words = read_data_file(path, Vocabulary)
            data, positions = load_yaml(path)
        except RuleFileError as exc:
            problems.extend(exc.problems)
        else:
            for event, meaning in words.events.items():
                for index, oid in enumerate(meaning.obligations):
                    ids = (
                        [oid.replace("{measure}", str(n)) for n in measures]
                        if meaning.measure
                        else [oid]
                    )
                    missing = [i for i in ids if i not in anywhere]
                    if missing:
                        problems.append(
                            positions.problem(
                                ["events", event, "obligations", index],
                                data,
                                f"no regime of the catalogue defines {missing[0]!r}",
                            )
                        )
            target = words.time_to_help
            if target.regime not in known:
                problems.append(
                    positions.problem(
                        ["time_to_help", "regime"],
                        data,
                        f"{target.regime!r} is not a regime of the catalogue",
                    )
                )
            elif target.obligation not in known[target.regime]:
                problems.append(
                    positions.problem(
                        ["time_to_help", "obligation"],
                        data,
                        f"the regime {target.regime!r} defines no {target.obligation!r}",
                    )
                )
    path = folder / SAFEGUARDS_FILE
    if path.is_file():
        try:
            guards = read_data_file(path, Safeguards)
            data, positions = load_yaml(path)
        except RuleFileError as exc:
            problems.extend(exc.problems)
        else:
            for index, entry in enumerate(guards.overlays):
                where: list[str | int] = ["overlays", index]
                if entry.overlay not in known:
                    problems.append(
                        positions.problem(
                            [*where, "overlay"],
                            data,
                            f"{entry.overlay!r} is not a regime of the catalogue",
                        )
                    )
                    continue
                defined = known[entry.overlay]
                named: list[tuple[list[str | int], str]] = []
                for by, targets in entry.replaces.items():
                    named.append(([*where, "replaces", by], by))
                    named += [([*where, "replaces", by, i], t) for i, t in enumerate(targets)]
                for key, pair in entry.never_lost.items():
                    named += [([*where, "never_lost", key, "obligation"], pair.obligation)]
                    named += [([*where, "never_lost", key, "or"], pair.or_)]
                named += [([*where, "no_slower", i], t) for i, t in enumerate(entry.no_slower)]
                if entry.merge is not None:
                    m = entry.merge
                    named += [
                        ([*where, "merge", "measures", i], t) for i, t in enumerate(m.measures)
                    ]
                    named += [([*where, "merge", "merged", i], t) for i, t in enumerate(m.merged)]
                    named.append(([*where, "merge", "into"], m.into))
                for loc, oid in named:
                    if oid not in defined:
                        problems.append(
                            positions.problem(
                                loc, data, f"the regime {entry.overlay!r} defines no {oid!r}"
                            )
                        )
    return problems


# --- the case fields rule conditions may use (from the vocabulary) -------------------------------

_CASE = vocabulary().case
MIN_AGE, MAX_AGE = _CASE.child_age.min, _CASE.child_age.max
MEASURE_NUMBERS: tuple[int, ...] = tuple(sorted(_CASE.measures.numbers))
CONSENT_REQUIRED_WITH_MEASURES = _CASE.measures.consent_required
FIRST_CASE_DATE, LAST_CASE_DATE = _CASE.dates.from_, _CASE.dates.to


@dataclass(frozen=True)
class FieldSpec:
    """What a rule condition may do with a case field."""

    name: str
    kind: Literal["bool", "int", "date", "choice", "set", "municipality"]
    choices: tuple[Any, ...] = ()


CONDITION_FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("support_need_presumed", "bool"),
        FieldSpec("consent", "bool"),
        FieldSpec("urgent", "bool"),
        FieldSpec("child_age", "int", tuple(range(MIN_AGE, MAX_AGE + 1))),
        FieldSpec("awareness_date", "date"),
        FieldSpec("notification_date", "date"),
        FieldSpec("decision_date", "date"),
        FieldSpec("measures", "set", MEASURE_NUMBERS),
        FieldSpec("child_conversation_exception", "choice", (None, "maturity", "nature_of_case")),
        FieldSpec("municipality", "municipality"),
    )
}
DATE_FIELDS = tuple(n for n, s in CONDITION_FIELDS.items() if s.kind == "date")
