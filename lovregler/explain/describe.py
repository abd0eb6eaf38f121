"""Conditions and deadlines as readable sentences, in Danish or English (for diff and explain)."""

from __future__ import annotations

from lovregler.explain.texts import FIELD_LABELS, Lang, describe_test, phrase, unit_name
from lovregler.law.models import AllOf, AnyOf, Condition, Deadline, FieldCondition, NotOf


def localized(da: str | None, en: str | None, lang: Lang) -> str:
    """The English text where English is asked for and given, else the Danish."""
    return (en if lang == "en" and en else da) or en or ""


def describe_condition(
    cond: Condition | None, lang: Lang, titles: dict[str, str] | None = None
) -> str:
    """A condition as one readable sentence (its own ``text`` where it has one); ``titles`` names
    the rules that ``rule`` references point at."""
    if cond is None:
        return phrase("always", lang).rstrip(".")
    if cond.text:
        return localized(cond.text, cond.text_en, lang)
    if isinstance(cond, AllOf | AnyOf):
        joiner = {"da": (" og ", " eller "), "en": (" and ", " or ")}[lang][isinstance(cond, AnyOf)]
        items = cond.all if isinstance(cond, AllOf) else cond.any
        return "(" + joiner.join(describe_condition(c, lang, titles) for c in items) + ")"
    if isinstance(cond, NotOf):
        return ("ikke " if lang == "da" else "not ") + describe_condition(cond.not_, lang, titles)
    if isinstance(cond, FieldCondition):
        op, value = cond.operator
        return describe_test(cond.field, op, value, lang)
    key = "rule_ref_required" if cond.is_ == "required" else "rule_ref_applicable"
    return phrase(key, lang, id=cond.rule, title=(titles or {}).get(cond.rule, cond.rule))


def describe_deadline(deadline: Deadline, lang: Lang) -> str:
    start = FIELD_LABELS[deadline.from_][lang]
    if deadline.amount:
        text = f"{deadline.amount} {unit_name(deadline.unit, deadline.amount, lang)} " + (
            f"efter {start}" if lang == "da" else f"after {start}"
        )
    else:
        text = f"senest {start}" if lang == "da" else f"no later than {start}"
    if deadline.when is not None:
        text += (" når " if lang == "da" else " when ") + describe_condition(deadline.when, lang)
    if deadline.repeat is not None:
        r = deadline.repeat
        every = f"{r.min}-{r.max}" if r.min else f"{r.max}"
        text += f"; {'derefter hver' if lang == 'da' else 'then every'} {every} " + unit_name(
            r.unit, r.max, lang
        )
    return text
