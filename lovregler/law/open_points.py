"""The lawyer's work list: every point of a rule folder marked ``to_confirm``, with file and line.

Each regime's header, experiments, participants, exclusions, rules, exceptions, deadlines,
ordering rules, conditions and citations may carry a ``confidence``; the ones marked
``to_confirm`` are listed here, in Danish, with their ``notes``, so that a lawyer can check them
against retsinformation.dk. The README's open points are generated from this list.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lovregler.law.loader import Regime, walk_conditions
from lovregler.law.models import Citation, Rule, _Model

UNCONFIRMED = "to_confirm"


@dataclass(frozen=True)
class OpenPoint:
    """One point marked ``to_confirm``: where it is written, what it is, and the note on it."""

    origin: str  # file:line
    kind: str  # Danish: regime, forsøg, deltager, undtagelse, regel, frist, ...
    what: str
    notes: str

    def text(self) -> str:
        note = f" – {self.notes}" if self.notes else ""
        return f"{self.origin}: {self.kind} {self.what}{note}"

    def markdown(self) -> str:
        note = f": {self.notes}" if self.notes else ""
        return f"- `{self.origin}` — **{self.kind} {self.what}**{note}"


def _note(model: _Model) -> str:
    notes = getattr(model, "notes", None)
    return " ".join(str(notes).split()) if notes else ""


def _cited(citations: list[Citation], where: _Model, owner: str) -> Iterator[OpenPoint]:
    for citation in citations:
        if citation.confidence == UNCONFIRMED:
            yield OpenPoint(
                citation.origin or where.origin, "henvisning", f"{citation.render()} ({owner})", ""
            )


def _rule_points(rule: Rule) -> Iterator[OpenPoint]:
    if rule.confidence == UNCONFIRMED:
        yield OpenPoint(rule.origin, "regel", f"{rule.id} ({rule.title})", _note(rule))
    yield from _cited(rule.legal_basis, rule, rule.id)
    conditions = [rule.when] if rule.when is not None else []
    for exc in rule.unless:
        if exc.confidence == UNCONFIRMED:
            yield OpenPoint(
                exc.origin, "undtagelse", f"{exc.id} ({rule.id}): {exc.reason}", _note(exc)
            )
        yield from _cited(exc.legal_basis, exc, rule.id)
        conditions.append(exc.when)
    for deadline in rule.deadlines:
        if deadline.confidence == UNCONFIRMED:
            yield OpenPoint(deadline.origin, "frist", f"for {rule.id}", _note(deadline))
        yield from _cited(deadline.legal_basis, deadline, rule.id)
        if deadline.when is not None:
            conditions.append(deadline.when)
    for addition in rule.additions:
        yield from _cited(addition.legal_basis, addition, rule.id)
    for link in rule.dispenses:
        yield from _cited(link.legal_basis, link, rule.id)
    if rule.follows is not None:
        if rule.follows.confidence == UNCONFIRMED:
            yield OpenPoint(
                rule.follows.origin, "rækkefølge", f"for {rule.id}", _note(rule.follows)
            )
        yield from _cited(rule.follows.legal_basis, rule.follows, rule.id)
    for condition in conditions:
        for node in walk_conditions(condition):
            if node.confidence == UNCONFIRMED:
                shown = node.text or "betingelse"
                yield OpenPoint(node.origin, "betingelse", f"{shown} ({rule.id})", "")


def open_points(regime: Regime) -> list[OpenPoint]:
    """Every ``to_confirm`` point of ``regime``'s own files, in file order."""
    header = regime.header
    points: list[OpenPoint] = []
    if header.confidence == UNCONFIRMED:
        points.append(
            OpenPoint(header.origin, "regime", f"{regime.name} ({header.title})", _note(header))
        )
    points += _cited(header.legal_basis, header, regime.name)
    for experiment in header.experiments or []:
        if experiment.confidence == UNCONFIRMED:
            points.append(
                OpenPoint(
                    experiment.origin,
                    "forsøg",
                    f"{experiment.id} ({experiment.title})",
                    _note(experiment),
                )
            )
        points += _cited(experiment.legal_basis, experiment, experiment.id)
        points += _cited(experiment.sections, experiment, experiment.id)
        for p in experiment.participants:
            if p.confidence == UNCONFIRMED:
                points.append(
                    OpenPoint(
                        p.origin,
                        "deltager",
                        f"{p.municipality} i {experiment.id} ({p.window})",
                        _note(p),
                    )
                )
    for p in header.participants or []:
        if p.confidence == UNCONFIRMED:
            points.append(
                OpenPoint(p.origin, "deltager", f"{p.municipality} ({p.window})", _note(p))
            )
    for exclusion in regime.exclusions:
        if exclusion.confidence == UNCONFIRMED:
            points.append(
                OpenPoint(exclusion.origin, "undtaget sag", exclusion.id, _note(exclusion))
            )
        points += _cited(exclusion.legal_basis, exclusion, exclusion.id)
    for rule in regime.rules:
        points += _rule_points(rule)
    return list(dict.fromkeys(points))  # a YAML anchor used again is one point


def markdown_list(regimes: list[Regime]) -> str:
    """The open points of ``regimes`` as the Markdown list the README carries."""
    lines: list[str] = []
    for regime in regimes:
        points = open_points(regime)
        lines.append(f"**{regime.name}** ({len(points)}):")
        lines.append("")
        lines += [p.markdown() for p in points] or ["- ingen"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
