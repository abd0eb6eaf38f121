"""The declarative difference between two regimes, for legal review (``lovregler diff``).

Unlike :func:`lovregler.compare`, which compares two results for one case, this compares the
rules themselves: every obligation added, removed, dispensed or changed (deadline, conditions,
exceptions, citations), and where the overlay applies.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from lovregler.explain.describe import describe_condition, describe_deadline
from lovregler.explain.describe import localized as _title
from lovregler.explain.texts import Lang, phrase
from lovregler.law.loader import Regime
from lovregler.law.models import Citation, Rule

ChangeKind = Literal["added", "removed", "dispensed", "changed"]
_KIND_LABELS: dict[str, dict[Lang, str]] = {
    "added": {"da": "tilføjet", "en": "added"},
    "removed": {"da": "fjernet", "en": "removed"},
    "dispensed": {"da": "dispenseret", "en": "dispensed"},
    "changed": {"da": "ændret", "en": "changed"},
}
_ASPECTS: dict[str, dict[Lang, str]] = {
    "title": {"da": "titel", "en": "title"},
    "legal_basis": {"da": "hjemmel", "en": "legal basis"},
    "when": {"da": "betingelse", "en": "condition"},
    "unless": {"da": "undtagelser", "en": "exceptions"},
    "deadline": {"da": "frist", "en": "deadline"},
    "additions": {"da": "tillæg", "en": "additions"},
    "dispenses": {"da": "dispenserer", "en": "dispenses"},
}


class RuleChange(BaseModel):
    """One obligation that differs between the two regimes."""

    model_config = ConfigDict(frozen=True)

    kind: ChangeKind
    id: str
    title: str
    legal_basis: str
    details: list[str]
    source: str = ""


class RegimeDiff(BaseModel):
    """Every difference between ``base`` and ``regime``."""

    model_config = ConfigDict(frozen=True)

    base: str
    regime: str
    base_version: str
    regime_version: str
    scope: list[str]
    changes: list[RuleChange]

    def render(self, lang: Lang = "da", markdown: bool = False) -> str:
        head = {
            "da": ("Pligt", "Ændring", "Hjemmel", "Detaljer"),
            "en": ("Obligation", "Change", "Legal basis", "Details"),
        }[lang]
        title = f"{self.base} → {self.regime}"
        if self.base == self.regime:
            title = f"{self.base} ({self.base_version[:19]}…) → {self.regime} ({self.regime_version[:19]}…)"
        if markdown:
            lines = [f"## {title}", ""]
            if self.scope:
                lines += [*(f"- {s}" for s in self.scope), ""]
            lines += [f"| {' | '.join(head)} |", "|---|---|---|---|"]
            for c in self.changes:
                details = "<br>".join(d.replace("|", "\\|") for d in c.details)
                lines.append(
                    f"| `{c.id}` | {_KIND_LABELS[c.kind][lang]} | {c.legal_basis} | {details} |"
                )
            return "\n".join(lines) + "\n"
        lines = [title, *(f"  {s}" for s in self.scope)]
        width = max((len(c.id) for c in self.changes), default=10)
        for c in self.changes:
            lines.append(f"  {c.id:<{width}}  {_KIND_LABELS[c.kind][lang]:<11}  {c.legal_basis}")
            lines += [f"  {'':<{width}}    {d}" for d in c.details]
        if not self.changes:
            lines.append("  (ingen forskelle)" if lang == "da" else "  (no differences)")
        return "\n".join(lines) + "\n"


def _basis(citations: list[Citation]) -> str:
    return "; ".join(c.render() for c in citations)


def _aspects(rule: Rule) -> dict[str, object]:
    data = rule.model_dump(
        mode="json", by_alias=True, exclude={"notes", "confidence", "title_en", "legal_text"}
    )
    return {k: data.get(k) for k in _ASPECTS}


def _summary(rule: Rule, lang: Lang, titles: dict[str, str]) -> list[str]:
    cond = "betingelse" if lang == "da" else "condition"
    lines = [f"{cond}: {describe_condition(rule.when, lang, titles)}"]
    for exc in rule.unless:
        label = "undtagelse" if lang == "da" else "exception"
        lines.append(
            f"{label} {exc.id}: {_title(exc.reason, exc.reason_en, lang)} ({_basis(exc.legal_basis)})"
        )
    for d in rule.deadlines:
        lines.append(f"{'frist' if lang == 'da' else 'deadline'}: {describe_deadline(d, lang)}")
    return lines


def _aspect_text(rule: Rule, aspect: str, lang: Lang, titles: dict[str, str]) -> str:
    """One aspect of a rule in words, for 'was → now'."""
    if aspect == "deadline":
        return "; ".join(describe_deadline(d, lang) for d in rule.deadlines) or "-"
    if aspect == "when":
        return describe_condition(rule.when, lang, titles)
    if aspect == "legal_basis":
        return _basis(rule.legal_basis)
    if aspect == "title":
        return _title(rule.title, rule.title_en, lang)
    if aspect == "unless":
        return (
            "; ".join(f"{e.id}: {describe_condition(e.when, lang, titles)}" for e in rule.unless)
            or "-"
        )
    if aspect == "additions":
        return "; ".join(_title(a.text, a.text_en, lang) for a in rule.additions) or "-"
    return ", ".join(link.obligation for link in rule.dispenses) or "-"


def _change(kind: ChangeKind, rule: Rule, details: list[str], lang: Lang) -> RuleChange:
    return RuleChange(
        kind=kind,
        id=rule.id,
        title=_title(rule.title, rule.title_en, lang),
        legal_basis=_basis(rule.legal_basis),
        details=details,
        source=rule.origin,
    )


def diff_regimes(base: Regime, regime: Regime, lang: Lang = "da") -> RegimeDiff:
    """Every obligation added, removed, dispensed or changed from ``base`` to ``regime``."""
    before = {r.id: r for _, r in base.all_rules()}
    after = {r.id: r for _, r in regime.all_rules()}
    titles = {rid: _title(r.title, r.title_en, lang) for rid, r in {**before, **after}.items()}
    dispensed_by: dict[str, list[tuple[Rule, list[Citation]]]] = {}
    for rule in after.values():
        for link in rule.dispenses:
            if link.obligation in before and rule.id not in before:
                dispensed_by.setdefault(link.obligation, []).append((rule, link.legal_basis))
    otherwise = {
        "da": "når den ellers ville være påkrævet",
        "en": "where it would otherwise be required",
    }
    changes: list[RuleChange] = []
    for rid, rule in before.items():
        if rid not in after:
            changes.append(_change("removed", rule, _summary(rule, lang, titles), lang))
            continue
        if rid in dispensed_by:
            details = [
                phrase(
                    "dispensation", lang, basis=_basis(basis), id=by.id, title=titles[by.id]
                ).rstrip(".")
                for by, basis in dispensed_by[rid]
            ]
            details.append(f"{otherwise[lang]}: {describe_condition(rule.when, lang, titles)}")
            changes.append(_change("dispensed", rule, details, lang))
        other = after[rid]
        old, new = _aspects(rule), _aspects(other)
        details = [
            f"{_ASPECTS[aspect][lang]}: {_aspect_text(rule, aspect, lang, titles)} → "
            f"{_aspect_text(other, aspect, lang, titles)}"
            for aspect in _ASPECTS
            if old[aspect] != new[aspect]
        ]
        if details:
            changes.append(_change("changed", other, details, lang))
    for rid, rule in after.items():
        if rid in before:
            continue
        details = _summary(rule, lang, titles)
        if rule.dispenses:
            label = "erstatter" if lang == "da" else "replaces"
            details.insert(0, f"{label}: " + ", ".join(link.obligation for link in rule.dispenses))
        changes.append(_change("added", rule, details, lang))
    return RegimeDiff(
        base=base.name,
        regime=regime.name,
        base_version=base.version,
        regime_version=regime.version,
        scope=_scope(base, regime, lang),
        changes=changes,
    )


def _scope(base: Regime, regime: Regime, lang: Lang) -> list[str]:
    base_names = {r.name for r in base.chain}
    lines: list[str] = []
    for layer in regime.chain:
        if layer.name in base_names:
            continue
        named = [e for e in layer.experiments or [] if e.named and e.model is not None]
        if named:
            for experiment in named:
                assert experiment.model is not None
                title = _title(experiment.model.title, experiment.model.title_en, lang)
                where = ", ".join(
                    f"{p.municipality} {p.window_from}..{p.window_to}"
                    for p in experiment.participants
                )
                runs = "kører for: " if lang == "da" else "runs for: "
                lines.append(
                    f"{title} ({experiment.id}; {_basis(experiment.model.legal_basis)}) – {runs}{where}"
                )
        elif layer.participants is not None:
            where = ", ".join(
                f"{p.municipality} {p.window_from}..{p.window_to}" for p in layer.participants
            )
            lines.append(("gælder kun for: " if lang == "da" else "applies only to: ") + where)
        for ex in layer.exclusions:
            label = "undtaget" if lang == "da" else "excluded"
            lines.append(
                f"{label}: {describe_condition(ex.when, lang)} – "
                f"{_title(ex.reason, ex.reason_en, lang)} ({_basis(ex.legal_basis)})"
            )
    return lines
