"""Rule folders -> validated rule models (:class:`Regime`).

Reading happens in three passes, each reporting *every* problem it finds with file, line and
field: YAML (syntax, duplicate keys, hostile content), schema (pydantic models), and meaning
(known case fields and values, rule references, dispensations, windows, ``extends`` chains).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from lovregler._errors import Problem, RegimeError, RuleFileError, SourcePosition, display_path
from lovregler.law.models import (
    EQUALITY_OPERATORS,
    ORDER_OPERATORS,
    SET_OPERATORS,
    AllOf,
    AnyOf,
    Condition,
    Exclusion,
    Experiment,
    FieldCondition,
    NotOf,
    Participant,
    RegimeHeader,
    Rule,
    RuleFile,
    RuleRef,
    _Model,
)
from lovregler.law.municipalities import Municipality, UnknownMunicipality, resolve_municipality
from lovregler.law.problems import Loc, did_you_mean, must_be, validation_problems
from lovregler.law.records import read_mapping
from lovregler.law.safe_yaml import (
    Positions,
    YamlProblem,
    format_path,
    load_yaml,
    read_limited,
    step,
)
from lovregler.law.vocabulary import CONDITION_FIELDS, FieldSpec, bundled_rules

HEADER_FILE = "regime.yaml"


@dataclass(frozen=True)
class LoadedParticipant:
    municipality: Municipality
    window_from: date
    window_to: date
    confidence: str
    origin: str
    experiment: str = ""  # the experiment's id ("" for an overlay without experiments)
    source: str | None = None
    position: SourcePosition | None = None  # where it is written


@dataclass(frozen=True)
class LoadedExperiment:
    """An experiment of an overlay, validated: its participants resolved to municipalities. An
    overlay that gives plain ``participants`` has one experiment without an id."""

    id: str
    participants: tuple[LoadedParticipant, ...]
    model: Experiment | None = None  # None for the implicit experiment

    @property
    def named(self) -> bool:
        return bool(self.id)

    def runs_for(self, code: str) -> list[LoadedParticipant]:
        return [p for p in self.participants if p.municipality.code == code]


@dataclass
class Regime:
    """A validated regime: its header, its rules in order, and the regime it extends."""

    name: str
    folder: Path
    header: RegimeHeader
    rules: list[Rule]
    exclusions: list[Exclusion]
    participants: list[LoadedParticipant] | None
    base: Regime | None
    digest: str
    experiments: list[LoadedExperiment] | None = None
    _compiled: Any = field(default=None, repr=False)
    shown_folder: str = field(default="", repr=False)  # the folder as messages show it

    @property
    def version(self) -> str:
        """``sha256:...`` of the validated content of this regime and every regime below it."""
        return f"sha256:{self.digest}"

    @property
    def chain(self) -> list[Regime]:
        """The regimes from the root (e.g. ``standard``) up to this one."""
        return [*(self.base.chain if self.base else []), self]

    def rule(self, rule_id: str) -> Rule | None:
        for regime in reversed(self.chain):
            for rule in regime.rules:
                if rule.id == rule_id:
                    return rule
        return None

    def all_rules(self) -> Iterator[tuple[Regime, Rule]]:
        for regime in self.chain:
            for rule in regime.rules:
                yield regime, rule


CATALOGUE_FILE = "regimes.yaml"
RULE_SUFFIXES = (".yaml", ".yml")


def builtin_rules_dir() -> Path:
    """The bundled rules (the catalogue and its regime folders): inside the installed package, or
    ``rules/`` in a checkout."""
    try:
        folder = bundled_rules()  # the one lookup of the bundled rules folder
    except RuleFileError:
        folder = None
    if folder is None or not (folder / CATALOGUE_FILE).is_file():
        raise RegimeError("the bundled rule folders are missing from this installation")
    return folder


def looks_like_path(text: str) -> bool:
    """A regime is named by a bare word (``standard``); a folder always by a path
    (``./standard``, ``rules/standard``, ``/abs/standard``)."""
    return not re.fullmatch(r"[a-z][a-z0-9_-]*", text)


def folder_stamp(
    folder: Path, known: tuple[tuple[str, int, int], ...] | None = None
) -> tuple[tuple[str, int, int], ...]:
    """What identifies one version of a rule folder: the folder's own mtime (it changes when a
    file is added, removed or renamed) and each rule file's name, mtime and size.

    With ``known`` (an earlier stamp of the same folder) and an unchanged folder mtime, only the
    known files are looked at again: the quick check a watching engine makes on every call.
    """
    base = str(folder)
    try:
        own = os.stat(base).st_mtime_ns
    except OSError:
        return ()
    if known and known[0] == ("", own, 0):
        stamp = [known[0]]
        for name, _, _ in known[1:]:
            try:
                info = os.stat(f"{base}{os.sep}{name}")
            except OSError:
                return folder_stamp(folder)  # a file went missing: look at the folder again
            stamp.append((name, info.st_mtime_ns, info.st_size))
        return tuple(stamp)
    files: list[tuple[str, int, int]] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return ()
    for entry in entries:
        if entry.name.endswith(RULE_SUFFIXES):
            try:
                info = entry.stat()
            except OSError:
                continue
            files.append((entry.name, info.st_mtime_ns, info.st_size))
    return (("", own, 0), *files)


RACY_NS = 2_000_000_000
"""A file written this close (2 s) before it was read may change again within the same
timestamp tick (file clocks are coarse): its content is compared too, until it is older."""


def content_digest(folder: Path, stamp: tuple[tuple[str, int, int], ...]) -> str:
    """A digest of the content of the files a stamp names."""
    digest = hashlib.sha256()
    for name, _, _ in stamp:
        if not name:
            continue  # the folder itself
        try:
            digest.update(name.encode() + b"\0" + read_limited(folder / name) + b"\0")
        except YamlProblem:  # unreadable, not a file, too large: loading the folder says so
            digest.update(name.encode() + b"\0?\0")
    return digest.hexdigest()


def racy_digest(folder: Path, stamp: tuple[tuple[str, int, int], ...]) -> str | None:
    """For files too new to trust their timestamps: a digest of their content; else ``None``."""
    if not stamp or time.time_ns() - max(mtime for _, mtime, _ in stamp) > RACY_NS:
        return None
    return content_digest(folder, stamp)


BaseResolver = Callable[[str, Path, tuple[Path, ...]], "Regime"]
"""Finds the regime ``extends`` names (its name, the folder that names it, the folders being
read): the engine's catalogue and cache stand behind it."""


def cycle_error(folder: Path, seen: tuple[Path, ...]) -> RuleFileError:
    start = seen.index(folder)
    cycle = " -> ".join(display_path(p) for p in (*seen[start:], folder))
    first = seen[start]
    try:
        _, spots = load_yaml(first / HEADER_FILE)
        line = spots.spots.get(("extends",), (None, None))[0]
    except YamlProblem:
        line = None
    return RuleFileError(
        [
            Problem(
                f"`extends` makes a cycle: {cycle}",
                display_path(first / HEADER_FILE),
                line,
                field="extends",
            )
        ]
    )


def natural_key(name: str) -> list[Any]:
    """``sel48`` before ``sel140``: numbers in names sort by value."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def read_regime(folder: Path, seen: tuple[Path, ...], resolve_base: BaseResolver) -> Regime:
    """Read and validate the regime in ``folder``; ``resolve_base`` supplies what it extends."""
    if not (folder / HEADER_FILE).is_file():
        raise RegimeError(
            [Problem(f"not a regime folder: it has no {HEADER_FILE}", display_path(folder))]
        )
    problems: list[Problem] = []
    header_path = folder / HEADER_FILE
    header = _read_model(header_path, RegimeHeader, problems)
    files: list[tuple[Path, RuleFile]] = []
    rule_paths = sorted(
        (p for p in folder.iterdir() if p.suffix in RULE_SUFFIXES and p.name != HEADER_FILE),
        key=lambda p: natural_key(p.name),
    )
    for path in rule_paths:
        model = _read_model(path, RuleFile, problems)
        if model is not None:
            files.append((path, model))
    if header is None:
        raise RuleFileError(problems)
    base: Regime | None = None
    if header.extends is not None:
        try:
            base = resolve_base(header.extends, folder, (*seen, folder))
        except RegimeError as exc:
            problems.append(_at(header, "extends", f"cannot find the regime it extends: {exc}"))
    rules = [rule for _, model in files for rule in model.rules]
    exclusions = [ex for _, model in files for ex in model.exclusions]
    experiments = _experiments(header, problems)
    participants = None if experiments is None else [p for e in experiments for p in e.participants]
    problems.extend(_check_meaning(header, rules, exclusions, base))
    if problems:
        raise RuleFileError(problems)
    digest = hashlib.sha256(
        json.dumps(
            {
                "header": header.model_dump(mode="json", by_alias=True),
                "files": [m.model_dump(mode="json", by_alias=True) for _, m in files],
                "base": base.digest if base else None,
            },
            sort_keys=True,
            ensure_ascii=False,
        ).encode()
    ).hexdigest()
    return Regime(
        name=header.regime,
        folder=folder,
        header=header,
        rules=rules,
        exclusions=exclusions,
        participants=participants,
        experiments=experiments,
        base=base,
        digest=digest,
        shown_folder=display_path(folder),
    )


M = TypeVar("M", bound=_Model)


def _read_model(path: Path, model: type[M], problems: list[Problem]) -> M | None:
    try:
        data, positions = read_mapping(path)
    except YamlProblem as exc:
        problems.append(exc.problem)
        return None
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_schema_problems(exc, data, positions))
        return None
    _attach_origins(parsed, (), positions)
    return parsed


_UNION_NOISE = ("list_type", "dict_type", "model_type", "model_attributes_type")
_PATTERNS = {
    r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$": "is not an obligation id: lower-case words joined by "
    "dots: the section, then the duty, e.g. sel50.undersoegelse",
    r"^[a-z][a-z0-9_-]*$": "is not a name: use lower-case letters, digits, _ and -, starting "
    "with a letter",
}


def _schema_problems(exc: ValidationError, data: Any, positions: Positions) -> list[Problem]:
    errors = exc.errors()

    def noise(err: ErrorDetails) -> bool:
        """The other member of a union (e.g. one deadline or a list) said it better."""
        parent = err["loc"][:-1]
        return err["type"] in _UNION_NOISE and any(
            other["type"] not in _UNION_NOISE and other["loc"][: len(parent)] == parent
            for other in errors
        )

    def unknown_key(loc: Loc, message: str, err: ErrorDetails) -> str:
        return "unknown key" + _allowed_keys_hint(exc.title, loc, data)

    def too_short(loc: Loc, message: str, err: ErrorDetails) -> str:
        return "give at least one citation" if loc and loc[-1] == "legal_basis" else message

    def pattern_mismatch(loc: Loc, message: str, err: ErrorDetails) -> str:
        pattern = str((err.get("ctx") or {}).get("pattern", ""))
        return f"{err['input']!r} {_PATTERNS[pattern]}" if pattern in _PATTERNS else message

    return validation_problems(
        [err for err in errors if not noise(err)],
        data,
        positions,
        wording={
            "extra_forbidden": unknown_key,
            "missing": "required key is missing",
            "literal_error": must_be,
            "too_short": too_short,
            "string_pattern_mismatch": pattern_mismatch,
        },
        names_field=lambda loc, head: _has_key(data, loc, head),
    )


def _has_key(data: Any, loc: list[str | int], key: str) -> bool:
    node = data
    for part in loc:
        found, node = step(node, part)
        if not found:
            return False
    return isinstance(node, dict) and key in node


def _allowed_keys_hint(title: str, loc: list[str | int], data: Any) -> str:
    from lovregler.law.models import Catalogue

    models: dict[str, type[BaseModel]] = {
        "RuleFile": RuleFile,
        "RegimeHeader": RegimeHeader,
        "Catalogue": Catalogue,
    }
    model = models.get(title)
    owner = _model_for_path(model, [p for p in loc[:-1]], data) if model else None
    if owner is None:
        return ""
    keys = [f.alias or name for name, f in owner.model_fields.items()]
    hint = did_you_mean(str(loc[-1]), keys) if loc else None
    return f"; {hint + ' ' if hint else ''}allowed here: " + ", ".join(keys)


def _model_for_path(
    model: type[BaseModel], loc: list[str | int], data: Any
) -> type[BaseModel] | None:
    """Follow ``loc`` through the model classes (best effort, for the hint only)."""
    from lovregler.law.models import _condition_kind

    current: Any = model
    node = data
    for part in loc:
        node = step(node, part)[1]
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        fields = {f.alias or n: f for n, f in current.model_fields.items()}
        if part not in fields:
            return None
        current = _model_in(fields[part].annotation, node)
    if isinstance(node, dict) and current is not None:
        kind = _condition_kind(node)
        if kind:
            kinds: dict[str, type[BaseModel]] = {
                "all-of": AllOf,
                "any-of": AnyOf,
                "not-of": NotOf,
                "rule-ref": RuleRef,
                "field-test": FieldCondition,
            }
            return kinds[kind]
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _model_in(annotation: Any, node: Any) -> Any:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg, node)
        if found is not None:
            return found
    return None


def _attach_origins(model: _Model, path: tuple[str | int, ...], positions: Positions) -> None:
    """Give every model its file and line (for explanations and later error messages)."""
    model._file = positions.file
    spot = positions.spots.get(path)
    model._line = spot[0] if spot else None
    for name, info in type(model).model_fields.items():
        key = info.alias or name
        key_spot = positions.spots.get((*path, key))
        if key_spot is not None:
            model._key_lines[key] = key_spot[0]
        value = getattr(model, name)
        if isinstance(value, _Model):
            _attach_origins(value, (*path, key), positions)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, _Model):
                    _attach_origins(item, (*path, key, index), positions)


def _experiments(header: RegimeHeader, problems: list[Problem]) -> list[LoadedExperiment] | None:
    """The overlay's experiments (or its plain participants, as one experiment without an id)."""
    network: set[Municipality] | None = None
    if header.network is not None:
        network = set()
        for index, item in enumerate(header.network):
            try:
                network.add(resolve_municipality(item))
            except UnknownMunicipality as exc:
                problems.append(
                    Problem(str(exc), header._file, header._line, field=f"network[{index}]")
                )
    if header.experiments is not None:
        out: list[LoadedExperiment] = []
        seen: dict[str, Experiment] = {}
        for index, experiment in enumerate(header.experiments):
            where = f"experiments[{index}]"
            if experiment.id in seen:
                problems.append(_at(experiment, "id", f"duplicate experiment id {experiment.id!r}"))
            seen[experiment.id] = experiment
            loaded = _participants(
                header,
                experiment.participants,
                f"{where}.participants",
                experiment.id,
                network,
                problems,
            )
            out.append(LoadedExperiment(experiment.id, tuple(loaded), experiment))
        return out
    if header.participants is None:
        return None
    loaded = _participants(header, header.participants, "participants", "", network, problems)
    return [LoadedExperiment("", tuple(loaded))]


def _participants(
    header: RegimeHeader,
    given: list[Participant],
    where: str,
    experiment: str,
    network: set[Municipality] | None,
    problems: list[Problem],
) -> list[LoadedParticipant]:
    out: list[LoadedParticipant] = []
    for index, p in enumerate(given):
        try:
            municipality = resolve_municipality(p.municipality)
        except UnknownMunicipality as exc:
            problems.append(
                Problem(str(exc), header._file, p._line, field=f"{where}[{index}].municipality")
            )
            continue
        if network is not None and municipality not in network:
            members = ", ".join(str(m) for m in sorted(network))
            problems.append(
                Problem(
                    f"{municipality} is not in the network (`network`: {members}); the law lets "
                    "no other municipality take part",
                    header._file,
                    p._line,
                    field=f"{where}[{index}].municipality",
                )
            )
        for other in out:
            if other.municipality == municipality and not (
                p.window.to < other.window_from or other.window_to < p.window.from_
            ):
                problems.append(
                    Problem(
                        f"{municipality} has overlapping windows ({other.window_from}.."
                        f"{other.window_to} at {other.origin} and {p.window})",
                        header._file,
                        p._line,
                        field=f"{where}[{index}].window",
                    )
                )
        out.append(
            LoadedParticipant(
                municipality,
                p.window.from_,
                p.window.to,
                p.confidence,
                p.origin,
                experiment,
                p.source,
                SourcePosition(header._file, p._line),
            )
        )
    return out


# --- meaning ----------------------------------------------------------------------------------


def _check_meaning(
    header: RegimeHeader, rules: list[Rule], exclusions: list[Exclusion], base: Regime | None
) -> list[Problem]:
    problems: list[Problem] = []
    base_rules = {r.id: r for _, r in base.all_rules()} if base else {}
    own: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in own:
            problems.append(
                _at(rule, "id", f"duplicate rule id {rule.id!r} (first at {own[rule.id].origin})")
            )
        elif rule.id in base_rules:
            problems.append(
                _at(
                    rule,
                    "id",
                    f"rule id {rule.id!r} is already defined by the regime this one "
                    f"extends ({base_rules[rule.id].origin}); lift it with `dispenses` instead",
                )
            )
        own[rule.id] = rule
    known = {**base_rules, **own}
    if base is None and exclusions:
        problems.append(
            _at(
                exclusions[0],
                "exclusions",
                "`exclusions` only make sense in an overlay (the regime header needs `extends`)",
            )
        )
    seen_exclusions: dict[str, Exclusion] = {}
    for exclusion in exclusions:
        if exclusion.id in seen_exclusions:
            problems.append(_at(exclusion, "id", f"duplicate exclusion id {exclusion.id!r}"))
        seen_exclusions[exclusion.id] = exclusion
        problems.extend(_check_condition(exclusion.when, known, None))
    for rule in rules:
        if rule.when is not None:
            problems.extend(_check_condition(rule.when, known, rule.id))
        for exc in rule.unless:
            problems.extend(_check_condition(exc.when, known, rule.id))
        deadlines = rule.deadlines
        for index, deadline in enumerate(deadlines):
            if deadline.when is not None:
                problems.extend(_check_condition(deadline.when, known, rule.id))
            elif index != len(deadlines) - 1:
                problems.append(
                    _at(deadline, "when", "only the last deadline may leave out `when`")
                )
        for addition in rule.additions:
            problems.extend(_check_condition(addition.when, known, rule.id))
        if rule.follows is not None:
            if rule.follows.obligation not in known:
                problems.append(
                    _at(
                        rule.follows,
                        "obligation",
                        f"follows {rule.follows.obligation!r}, which is not defined"
                        f"{_suggest(rule.follows.obligation, known)}",
                    )
                )
            elif rule.follows.obligation == rule.id:
                problems.append(_at(rule.follows, "obligation", "a rule cannot follow itself"))
            if rule.follows.unless is not None:
                problems.extend(_check_condition(rule.follows.unless, known, rule.id))
        for link in rule.dispenses:
            if base is None:
                problems.append(
                    _at(
                        link,
                        "obligation",
                        "`dispenses` only makes sense in an overlay (the regime header needs `extends`)",
                    )
                )
            elif link.obligation not in base_rules:
                problems.append(
                    _at(
                        link,
                        "obligation",
                        f"dispenses {link.obligation!r}, which the regime {base.name!r} does not define{_suggest(link.obligation, base_rules)}",
                    )
                )
    problems.extend(_check_ref_cycles(own, base_rules))
    problems.extend(_check_experiments(header, rules, base_rules))
    return problems


def _check_experiments(
    header: RegimeHeader, rules: list[Rule], base_rules: dict[str, Rule]
) -> list[Problem]:
    """Every overlay rule belongs to one experiment; one obligation is dispensed by one
    experiment only; and only from the sections that experiment may dispense from."""
    problems: list[Problem] = []
    experiments = {e.id: e for e in header.experiments or []}
    dispensed_by: dict[str, tuple[str, Rule]] = {}
    for rule in rules:
        if not experiments:
            if rule.experiment is not None:
                problems.append(
                    _at(
                        rule,
                        "experiment",
                        "`experiment` only makes sense in an overlay whose regime.yaml declares "
                        "`experiments`",
                    )
                )
            continue
        if rule.experiment is None:
            problems.append(
                _at(
                    rule,
                    "id",
                    "this overlay declares experiments: name the one this rule belongs to "
                    "(`experiment:` " + " or ".join(experiments) + ")",
                )
            )
            continue
        experiment = experiments.get(rule.experiment)
        if experiment is None:
            problems.append(
                _at(
                    rule,
                    "experiment",
                    f"no experiment {rule.experiment!r} in regime.yaml{_suggest(rule.experiment, experiments)}",
                )
            )
            continue
        allowed = {(c.law, str(c.paragraph)) for c in experiment.sections if c.law}
        for link in rule.dispenses:
            earlier = dispensed_by.get(link.obligation)
            if earlier is not None and earlier[0] != experiment.id:
                problems.append(
                    _at(
                        link,
                        "obligation",
                        f"{link.obligation!r} is dispensed by the experiment {earlier[0]!r} already "
                        f"({earlier[1].origin}); one obligation belongs to one experiment",
                    )
                )
            dispensed_by.setdefault(link.obligation, (experiment.id, rule))
            target = base_rules.get(link.obligation)
            if target is None or not allowed:
                continue
            cited = {(c.law, str(c.paragraph)) for c in target.legal_basis if c.law}
            if not cited & allowed:
                shown = "; ".join(c.render() for c in experiment.sections)
                problems.append(
                    _at(
                        link,
                        "obligation",
                        f"the experiment {experiment.id!r} dispenses from {shown}, but "
                        f"{link.obligation!r} rests on "
                        + "; ".join(c.render() for c in target.legal_basis),
                    )
                )
    return problems


def _at(model: _Model, field_name: str, message: str) -> Problem:
    line = model._key_lines.get(field_name.removesuffix("_"), model._line)
    return Problem(message, model._file, line, field=field_name)


def _suggest(name: str, known: dict[str, Any]) -> str:
    hint = did_you_mean(name, known)
    return f"; {hint}" if hint else ""


def walk_conditions(cond: Condition) -> Iterator[Condition]:
    """``cond`` and every condition inside it, depth first."""
    yield cond
    if isinstance(cond, AllOf):
        for c in cond.all:
            yield from walk_conditions(c)
    elif isinstance(cond, AnyOf):
        for c in cond.any:
            yield from walk_conditions(c)
    elif isinstance(cond, NotOf):
        yield from walk_conditions(cond.not_)


def _check_condition(cond: Condition, known: dict[str, Rule], owner: str | None) -> list[Problem]:
    problems: list[Problem] = []
    for node in walk_conditions(cond):
        if isinstance(node, RuleRef):
            if node.rule not in known:
                problems.append(
                    _at(
                        node,
                        "rule",
                        f"refers to rule {node.rule!r}, which is not defined{_suggest(node.rule, known)}",
                    )
                )
            elif node.rule == owner:
                problems.append(_at(node, "rule", "a rule cannot refer to itself"))
        elif isinstance(node, FieldCondition):
            problems.extend(_check_field_test(node))
    return problems


_OPS_BY_KIND = {
    "bool": {"equals", "not_equals"},
    "int": {*EQUALITY_OPERATORS, *ORDER_OPERATORS},
    "date": {*EQUALITY_OPERATORS, *ORDER_OPERATORS},
    "choice": set(EQUALITY_OPERATORS),
    "municipality": set(EQUALITY_OPERATORS),
    "set": set(SET_OPERATORS),
}


def _check_field_test(node: FieldCondition) -> list[Problem]:
    spec = CONDITION_FIELDS.get(node.field)
    if spec is None:
        return [
            _at(
                node,
                "field",
                f"unknown case field {node.field!r}; known: " + ", ".join(CONDITION_FIELDS),
            )
        ]
    op, value = node.operator
    op_name = "in" if op == "in_" else op
    if op not in _OPS_BY_KIND[spec.kind]:
        allowed = ", ".join(sorted("in" if o == "in_" else o for o in _OPS_BY_KIND[spec.kind]))
        return [
            _at(
                node,
                op_name,
                f"{op_name!r} cannot be used on {node.field} ({spec.kind}); use one of: {allowed}",
            )
        ]
    values = value if isinstance(value, list) else [value]
    if op == "is_empty":
        return []
    problems = []
    for item in values:
        shown = str(item).lower() if isinstance(item, bool) else repr(item)
        if item is None and spec.kind == "municipality":
            problems.append(_at(node, op_name, "null: every case names its municipality"))
            continue
        if item is None and spec.kind != "choice":
            if op in ("equals", "not_equals"):
                continue  # "is given" / "is not given" for an optional field
            problems.append(_at(node, op_name, "null can only be used with equals or not_equals"))
            continue
        reason = _bad_value(spec, item)
        if reason:
            problems.append(_at(node, op_name, f"{shown} {reason}"))
    if op == "between" and len(values) == 2 and not problems and values[0] > values[1]:
        problems.append(_at(node, op_name, "between needs [low, high]"))
    return problems


def _bad_value(spec: FieldSpec, value: Any) -> str | None:
    if spec.kind == "bool":
        if isinstance(value, bool):
            return None
        if isinstance(value, str):
            return f"is text, not true/false; {spec.name} is true/false (write true or false without quotes)"
        return f"is not true/false; {spec.name} is true/false"
    if spec.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"is not a whole number ({spec.name})"
        if value not in spec.choices:
            return f"is outside the possible values of {spec.name} ({spec.choices[0]}-{spec.choices[-1]})"
        return None
    if spec.kind == "date":
        return None if isinstance(value, date) else f"is not a date (YYYY-MM-DD) for {spec.name}"
    if spec.kind in ("choice", "set"):
        if value in spec.choices and not isinstance(value, bool):
            return None
        shown = ", ".join("null" if c is None else str(c) for c in spec.choices)
        message = f"is not a possible value of {spec.name} ({shown})"
        if isinstance(value, bool):
            message += "; YAML reads an unquoted yes/no/on/off as true/false: quote it"
        return message
    if spec.kind == "municipality":
        try:
            resolve_municipality(value)
        except UnknownMunicipality as exc:
            return f"is not a municipality: {exc}"
        return None
    return None


def _check_ref_cycles(own: dict[str, Rule], base_rules: dict[str, Rule]) -> list[Problem]:
    graph: dict[str, set[str]] = {}
    for rid, rule in {**base_rules, **own}.items():
        refs: set[str] = set()
        conditions = [rule.when] if rule.when is not None else []
        conditions += [e.when for e in rule.unless]
        for cond in conditions:
            refs |= {n.rule for n in walk_conditions(cond) if isinstance(n, RuleRef)}
        graph[rid] = refs - {rid}  # a self-reference is reported on its own
    problems: list[Problem] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                rule = own.get(node) or base_rules[node]
                problems.append(
                    _at(
                        rule,
                        "when",
                        "rule references make a cycle: " + " -> ".join([*trail, node, nxt]),
                    )
                )
            elif state.get(nxt) is None and nxt in graph:
                visit(nxt, [*trail, node])
        state[node] = 2

    for rid in sorted(own):
        if state.get(rid) is None:
            visit(rid, [])
    return problems


read_model = _read_model
"""Read one YAML file into a rule-file model, adding every problem found to ``problems``."""

__all__ = ["Regime", "builtin_rules_dir", "format_path", "read_model", "read_regime"]
