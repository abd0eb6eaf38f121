"""The wording of the cited law, as data: each act's consolidations (``rules/acts/``), their
periods of force, their ELI addresses and the text of each cited section, stk. and nr.

It lets ``lovregler check`` refuse a citation of a stk. or nr. the act lacks and a ``legal_text``
that is not the act's wording, lets results link each citation to the consolidation in force on
the decision date, and lets ``explain`` show the law beside the reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import Field

from lovregler._errors import Problem, RuleFileError
from lovregler.law.loader import Regime
from lovregler.law.models import Citation, Rule, _Model
from lovregler.law.vocabulary import read_data_file

ACTS_FOLDER = "acts"
INDEX_FILE = "acts.yaml"
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))


class ActEntry(_Model):
    id: str
    folder: str
    title: str
    names: list[str] = Field(min_length=1, description="How citations name the act (`law:`)")


class ActsIndex(_Model):
    acts: list[ActEntry]


class ActInForce(_Model):
    from_: date = Field(alias="from")
    to: date | None = None


class Section(_Model):
    heading: str | None = None
    stk: dict[str, str] = Field(default_factory=dict)
    nr: dict[str, dict[str, str]] = Field(default_factory=dict)
    repealed: bool = False


class Consolidation(_Model):
    """One consolidation (LBK) or act (LOV) and the wording of its cited sections."""

    act: str
    title: str
    kind: str
    year: int
    number: int
    issued: date
    in_force: ActInForce | None
    eli: str
    source_file: str | None = None
    sections: dict[str, Section] = Field(default_factory=dict)

    @property
    def name(self) -> str:
        """``LBK nr. 798 af 07/08/2019``."""
        return f"{self.kind} nr. {self.number} af {self.issued:%d/%m/%Y}"

    def covers(self, first: date, last: date) -> bool:
        """Whether it was in force on some day of ``first..last``."""
        if self.in_force is None:
            return False
        return self.in_force.from_ <= last and (
            self.in_force.to is None or first <= self.in_force.to
        )


def normalized(text: str) -> str:
    """Text as compared word for word: NFC, no invisible characters, single spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).translate(_INVISIBLE)).strip()


def numbers(value: str | int | list[int] | None) -> list[str]:
    """``1``, ``"1 og 3-7"``, ``[2, 3, 6, 9]`` -> the single numbers they name, as text."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    out: list[str] = []
    for part in re.split(r"\s*(?:,|og|and)\s*", str(value).strip()):
        span = re.fullmatch(r"(\d+)\s*-\s*(\d+)", part)
        if span:
            out += [str(n) for n in range(int(span[1]), int(span[2]) + 1)]
        elif part:
            out.append(part)
    return out


def paragraph_key(value: str | int) -> str:
    """``52``, ``"52 a"``, ``"52a"`` -> the section key of the acts' files (``"52 a"``)."""
    return re.sub(r"^(\d+)\s*([a-z])$", r"\1 \2", str(value).strip())


@dataclass
class Acts:
    """Every act of ``rules/acts/``, by the names citations use."""

    folder: Path
    by_name: dict[str, str] = field(default_factory=dict)  # a citation's law -> act id
    consolidations: dict[str, list[Consolidation]] = field(default_factory=dict)  # oldest first

    def act_of(self, citation: Citation) -> str | None:
        return self.by_name.get(citation.law or "")

    def in_force(self, act: str, day: date) -> Consolidation | None:
        """The consolidation of ``act`` in force on ``day`` (else the nearest before, else the
        first)."""
        versions = self.consolidations.get(act, [])
        dated = [c for c in versions if c.in_force is not None]
        if not dated:
            return None
        for version in dated:
            assert version.in_force is not None
            if version.covers(day, day):
                return version
        before = [c for c in dated if c.in_force is not None and c.in_force.from_ <= day]
        return before[-1] if before else dated[0]

    def during(self, act: str, first: date, last: date) -> list[Consolidation]:
        return [c for c in self.consolidations.get(act, []) if c.covers(first, last)]

    def missing(self, citation: Citation, version: Consolidation) -> str | None:
        """What ``version`` lacks of what ``citation`` names (``None``: it has it all)."""
        if citation.paragraph is None:
            return None
        key = paragraph_key(citation.paragraph)
        section = version.sections.get(key)
        if section is None:
            return None  # a section the corpus does not carry: nothing to check it against
        if section.repealed:
            return f"§ {key} is repealed"
        for stk in numbers(citation.stk):
            if stk not in section.stk:
                have = ", ".join(section.stk)
                return f"§ {key} has no stk. {stk} (it has stk. {have})"
            wanted = numbers(citation.nr)
            items = section.nr.get(stk, {})
            for nr in wanted:
                if nr not in items:
                    shown = f"nr. {', '.join(items)}" if items else "no numbered items"
                    return f"§ {key}, stk. {stk} has no nr. {nr} (it has {shown})"
        return None

    def wording(self, citation: Citation, version: Consolidation) -> str | None:
        """The text ``citation`` points at in ``version`` (its stk., or its one nr.)."""
        if citation.paragraph is None:
            return None
        section = version.sections.get(paragraph_key(citation.paragraph))
        stks = numbers(citation.stk)
        if section is None or len(stks) != 1 or stks[0] not in section.stk:
            return None
        nrs = numbers(citation.nr)
        if len(nrs) == 1:
            return section.nr.get(stks[0], {}).get(nrs[0])
        return section.stk[stks[0]]

    def version_on(self, day: date) -> tuple[int, ...]:
        """Which consolidation of each act is in force on ``day`` (a cache key for links)."""
        out: list[int] = []
        for act, versions in self.consolidations.items():
            version = self.in_force(act, day)
            out.append(versions.index(version) if version in versions else -1)
        return tuple(out)

    def url(self, citation: Citation, day: date) -> str | None:
        act = self.act_of(citation)
        version = self.in_force(act, day) if act else None
        return version.eli if version else None


def load_acts(rules: Path) -> Acts | None:
    """The acts beside a catalogue (``None`` where the rules folder has none)."""
    folder = rules / ACTS_FOLDER
    index_file = folder / INDEX_FILE
    if not index_file.is_file():
        return None
    index = read_data_file(index_file, ActsIndex)
    acts = Acts(folder)
    for entry in index.acts:
        for name in entry.names:
            acts.by_name[name] = entry.id
        versions = [
            read_data_file(path, Consolidation)
            for path in sorted((folder / entry.folder).glob("*.yaml"))
        ]
        for version in versions:
            if version.act != entry.id:
                raise RuleFileError(
                    f"{folder / entry.folder}: a file of act {version.act!r} in the folder of {entry.id!r}"
                )
        acts.consolidations[entry.id] = sorted(
            versions, key=lambda v: v.in_force.from_ if v.in_force else date.min
        )
    return acts


# --- checking a regime's citations against the acts --------------------------------------------


def _citations(regime: Regime) -> Iterator[tuple[_Model, Citation, str]]:
    """Every citation a regime's own files make, with the item that holds it and its field."""
    header = regime.header
    for c in header.legal_basis:
        yield header, c, "legal_basis"
    for experiment in header.experiments or []:
        for c in experiment.legal_basis:
            yield experiment, c, "legal_basis"
        for c in experiment.sections:
            yield experiment, c, "sections"
    for exclusion in regime.exclusions:
        for c in exclusion.legal_basis:
            yield exclusion, c, "legal_basis"
    for rule in regime.rules:
        for c in rule.legal_basis:
            yield rule, c, "legal_basis"
        for exc in rule.unless:
            for c in exc.legal_basis:
                yield exc, c, "legal_basis"
        for deadline in rule.deadlines:
            for c in deadline.legal_basis:
                yield deadline, c, "legal_basis"
        for addition in rule.additions:
            for c in addition.legal_basis:
                yield addition, c, "legal_basis"
        for link in rule.dispenses:
            for c in link.legal_basis:
                yield link, c, "legal_basis"


def _period(regime: Regime, citation: Citation) -> tuple[date, date] | None:
    valid = regime.header.valid
    first = max(d for d in (valid.from_ if valid else None, citation.valid_from, date.min) if d)
    last = min(d for d in (valid.to if valid else None, citation.valid_to, date.max) if d)
    return (first, last) if first <= last else None


def check_citations(regime: Regime, acts: Acts) -> list[Problem]:
    """Citations of a section, stk. or nr. the act lacks in a consolidation in force in the
    regime's period, and ``legal_text`` that is not the cited subsection's wording."""
    problems: list[Problem] = []
    for owner, citation, key in _citations(regime):
        act = acts.act_of(citation)
        span = _period(regime, citation)
        if act is None or span is None or citation.paragraph is None:
            continue
        lacking = [
            (version, gap)
            for version in acts.during(act, *span)
            if (gap := acts.missing(citation, version)) is not None
        ]
        if lacking:
            names = ", ".join(v.name for v, _ in lacking)
            problems.append(
                _at(
                    citation,
                    key,
                    f"{citation.render()} cites what the act lacks: {lacking[0][1]} in {names}",
                    owner,
                )
            )
    for rule in regime.rules:
        if rule.legal_text:
            problem = _check_legal_text(regime, rule, acts)
            if problem is not None:
                problems.append(problem)
    return problems


def _check_legal_text(regime: Regime, rule: Rule, acts: Acts) -> Problem | None:
    cited = next(
        (
            c
            for c in rule.legal_basis
            if acts.act_of(c) and c.paragraph is not None and c.stk is not None
        ),
        None,
    )
    if cited is None or rule.legal_text is None:
        return None
    act = acts.act_of(cited)
    span = _period(regime, cited)
    if act is None or span is None:
        return None
    quoted = normalized(rule.legal_text)
    texts = [(v, acts.wording(cited, v)) for v in acts.during(act, *span)]
    known = [(v, t) for v, t in texts if t is not None]
    if not known or any(quoted in normalized(t) for _, t in known):
        return None
    version, text = known[-1]
    return _at(
        rule,
        "legal_text",
        f"is not the wording of {cited.render()} in any consolidation in force in the regime's "
        f"period ({', '.join(v.name for v, _ in known)}); {version.name} reads: {normalized(text)}",
    )


def _at(node: _Model, key: str, message: str, owner: _Model | None = None) -> Problem:
    """A problem at ``node``: its own line if it has one, else its ``key``'s line in ``owner``."""
    private = node.__pydantic_private__ or {}
    line = private.get("_line")
    if owner is not None and line is None:
        private = owner.__pydantic_private__ or {}
        line = (private.get("_key_lines") or {}).get(key, private.get("_line"))
    elif owner is None:
        line = (private.get("_key_lines") or {}).get(key, line)
    return Problem(message, private.get("_file"), line, field=key)
