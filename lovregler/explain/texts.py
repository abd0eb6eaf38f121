"""Sentences lovregler writes around the law's own words, in Danish (default) and English.

Nothing here is law: titles, citations, reasons and condition texts come from the rule files.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

Lang = Literal["da", "en"]
LANGS: tuple[Lang, ...] = ("da", "en")

PHRASES: dict[str, dict[Lang, str]] = {
    "required": {
        "da": "Regel {id} ({basis}): {title} er påkrævet.",
        "en": "Rule {id} ({basis}): {title} is required.",
    },
    "waived": {
        "da": "Regel {id} ({basis}): {title} ville gælde, men er undtaget.",
        "en": "Rule {id} ({basis}): {title} would apply, but is waived.",
    },
    "dispensed": {
        "da": "Regel {id} ({basis}): {title} ville være påkrævet efter {base}, men er dispenseret.",
        "en": "Rule {id} ({basis}): {title} would be required under {base}, but is dispensed.",
    },
    "not_applicable": {
        "da": "Regel {id} ({basis}): {title} gælder ikke i denne sag.",
        "en": "Rule {id} ({basis}): {title} does not apply to this case.",
    },
    "held": {"da": "Opfyldt: {text}.", "en": "Holds: {text}."},
    "failed": {"da": "Ikke opfyldt: {text}.", "en": "Does not hold: {text}."},
    "always": {"da": "Gælder i alle sager.", "en": "Applies to every case."},
    "exception": {"da": "Undtagelse: {reason} ({basis}).", "en": "Exception: {reason} ({basis})."},
    "dispensation": {
        "da": "Dispensation ({basis}): {title} ({id}) træder i stedet.",
        "en": "Dispensation ({basis}): {title} ({id}) takes its place.",
    },
    "addition": {"da": "{text}{basis}.", "en": "{text}{basis}."},
    "due_after": {
        "da": "Frist: {amount} {unit} efter {start} ({start_date}), dvs. {due}{basis}.",
        "en": "Due: {amount} {unit} after {start} ({start_date}), i.e. {due}{basis}.",
    },
    "due_on": {
        "da": "Frist: senest {start} ({due}){basis}.",
        "en": "Due: no later than {start} ({due}){basis}.",
    },
    "due_clamped": {
        "da": "Der er ingen {day}. {month} {year}; fristen er månedens sidste dag, {due}.",
        "en": "There is no {day} {month} {year}; the deadline is the month's last day, {due}.",
    },
    "repeat_max": {
        "da": "Derefter igen mindst hver {max}. {unit_one}.",
        "en": "Then again at least every {max} {unit}.",
    },
    "repeat_range": {
        "da": "Derefter igen hver {min}.-{max}. {unit_one}.",
        "en": "Then again every {min} to {max} {unit}.",
    },
    "rule_ref_required": {
        "da": "{title} ({id}) ville være påkrævet",
        "en": "{title} ({id}) would be required",
    },
    "rule_ref_applicable": {
        "da": "{title} ({id}) finder anvendelse",
        "en": "{title} ({id}) applies",
    },
    "regime_requested": {
        "da": "Regimet {name} er valgt: {title}",
        "en": "The {name} regime was requested: {title}",
    },
    "regime_everywhere": {
        "da": "{label} gælder for alle kommuner",
        "en": "{label} applies in every municipality",
    },
    "regime_in_window": {
        "da": "{municipality} deltager i {label}; {day} ligger i {window}",
        "en": "{municipality} takes part in {label}; {day} lies in {window}",
    },
    "regime_in_experiments": {
        "da": "{municipality} deltager i {label} på {day}: {running}{others}",
        "en": "{municipality} takes part in {label} on {day}: {running}{others}",
    },
    "experiment_not_member": {"da": "ikke i {name}", "en": "not in {name}"},
    "experiment_outside": {
        "da": "{name} kun {window}",
        "en": "{name} only {window}",
    },
    "experiment_idle": {
        "da": "{name} kører ikke for {municipality} på {day}.",
        "en": "{name} does not run for {municipality} on {day}.",
    },
    "regime_not_member": {
        "da": "{municipality} deltager ikke i {label}; {base} gælder",
        "en": "{municipality} does not take part in {label}; {base} applies",
    },
    "regime_outside_window": {
        "da": "{municipality} deltager i {label}, men {day} ligger uden for {window}; {base} gælder",
        "en": "{municipality} takes part in {label}, but {day} lies outside {window}; {base} applies",
    },
    "regime_excluded": {
        "da": "{municipality} deltager i {label}, og {day} ligger i {window}, men sagen er undtaget: {reason} ({basis}); {base} gælder fuldt ud",
        "en": "{municipality} takes part in {label}, and {day} lies in {window}, but the case is excluded: {reason} ({basis}); {base} applies in full",
    },
    "x_head": {"da": "{id}: {status} ({basis})", "en": "{id}: {status} ({basis})"},
    "x_rule": {"da": "Regel: {title}", "en": "Rule: {title}"},
    "x_regime": {"da": "Regime: {regime} – {reason}", "en": "Regime: {regime} – {reason}"},
    "x_when": {"da": "Betingelse (when):", "en": "Condition (when):"},
    "x_always": {
        "da": "Betingelse: ingen (gælder i alle sager)",
        "en": "Condition: none (applies to every case)",
    },
    "x_unless": {
        "da": "Undtagelse {id} (unless): {reason} ({basis})",
        "en": "Exception {id} (unless): {reason} ({basis})",
    },
    "x_deadline": {"da": "Frist {n}: {text}", "en": "Deadline {n}: {text}"},
    "x_addition": {"da": "Tillæg: {text}", "en": "Addition: {text}"},
    "x_dispenses": {"da": "Dispenserer: {ids}", "en": "Dispenses: {ids}"},
    "x_law": {
        "da": "Lovtekst, {citation} ({act}, {url}): »{text}«",
        "en": "The law, {citation} ({act}, {url}): »{text}«",
    },
    "x_because": {"da": "Begrundelse:", "en": "Reasons:"},
    "x_all": {"da": "alle disse:", "en": "all of:"},
    "x_any": {"da": "mindst én af disse:", "en": "at least one of:"},
    "x_not": {"da": "ikke:", "en": "not:"},
    "x_holds": {"da": "opfyldt", "en": "holds"},
    "x_fails": {"da": "ikke opfyldt", "en": "does not hold"},
    "not_in_force": {
        "da": "Intet regime i kataloget er i kraft {day}; {name} (i kraft {period}) er anvendt",
        "en": "No regime of the catalogue is in force on {day}; {name} (in force {period}) was applied",
    },
    "unconfirmed": {
        "da": "Skal bekræftes (to_confirm): {parts}.",
        "en": "To confirm (to_confirm): {parts}.",
    },
    "order": {
        "da": "Rækkefølge ({basis}): {text}.",
        "en": "Order ({basis}): {text}.",
    },
    "order_dispensed": {
        "da": "Rækkefølgen gælder ikke her: {id} er dispenseret.",
        "en": "The order does not apply here: {id} is dispensed.",
    },
    "order_excepted": {
        "da": "Undtagelse fra rækkefølgen: {text}.",
        "en": "Exception from the order: {text}.",
    },
    "order_warning": {
        "da": "{id}: afgørelsen ({day}) ligger før {after} senest skal være afsluttet ({due}); {text} ({basis}) – medmindre: {exception}",
        "en": "{id}: the decision ({day}) lies before {after} must be finished at the latest ({due}); {text} ({basis}) – unless: {exception}",
    },
    "outside_validity": {
        "da": "{day} ligger uden for den periode, regelsættet {name} beskriver ({window}); resultatet bygger på reglerne fra den periode",
        "en": "{day} lies outside the period the rule set {name} encodes ({window}); the result applies that period's rules",
    },
}

UNCONFIRMED_PARTS: dict[Lang, dict[str, str]] = {
    "da": {
        "rule": "reglen ({what})",
        "citation": "henvisningen {what}",
        "condition": "en betingelse i reglen",
        "selection": "om {what} gælder for kommunen på datoen (deltagelse og vindue)",
        "exception": "undtagelsen {what}",
        "dispensation": "reglen, der dispenserer ({what})",
        "deadline": "fristen",
    },
    "en": {
        "rule": "the rule ({what})",
        "citation": "the citation {what}",
        "condition": "a condition of the rule",
        "selection": "whether {what} applies to the municipality on the date (participation and window)",
        "exception": "the exception {what}",
        "dispensation": "the rule that dispenses ({what})",
        "deadline": "the deadline",
    },
}

MONTHS: dict[Lang, tuple[str, ...]] = {
    "da": (
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

UNITS: dict[str, dict[Lang, tuple[str, str]]] = {
    "hours": {"da": ("time", "timer"), "en": ("hour", "hours")},
    "days": {"da": ("dag", "dage"), "en": ("day", "days")},
    "weeks": {"da": ("uge", "uger"), "en": ("week", "weeks")},
    "months": {"da": ("måned", "måneder"), "en": ("month", "months")},
    "years": {"da": ("år", "år"), "en": ("year", "years")},
}

FIELD_LABELS: dict[str, dict[Lang, str]] = {
    "support_need_presumed": {
        "da": "det må antages, at barnet trænger til særlig støtte",
        "en": "the child must be presumed to need special support",
    },
    "consent": {
        "da": "samtykke fra forældremyndighedens indehaver og en ung på 15 år eller derover",
        "en": "consent of the custody holders and of a young person of 15 or over",
    },
    "urgent": {
        "da": "barnets tarv betyder, at handleplanen ikke kan afventes",
        "en": "the child's interest means the action plan cannot be awaited",
    },
    "child_age": {"da": "barnets alder", "en": "the child's age"},
    "awareness_date": {
        "da": "den dag, kommunen blev opmærksom på barnet",
        "en": "the day the municipality became aware of the child",
    },
    "decision_date": {"da": "afgørelsen", "en": "the decision"},
    "notification_date": {
        "da": "modtagelsen af underretningen",
        "en": "the receipt of the notification",
    },
    "measures": {"da": "foranstaltningerne", "en": "the measures"},
    "child_conversation_exception": {
        "da": "undtagelsen fra børnesamtalen",
        "en": "the exception from the child conversation",
    },
    "municipality": {"da": "kommunen", "en": "the municipality"},
}

_OPERATORS: dict[str, dict[Lang, str]] = {
    "equals": {"da": "er", "en": "is"},
    "not_equals": {"da": "er ikke", "en": "is not"},
    "in_": {"da": "er en af", "en": "is one of"},
    "not_in": {"da": "er ingen af", "en": "is none of"},
    "at_least": {"da": "er mindst", "en": "is at least"},
    "at_most": {"da": "er højst", "en": "is at most"},
    "greater_than": {"da": "er over", "en": "is over"},
    "less_than": {"da": "er under", "en": "is under"},
    "between": {"da": "ligger mellem", "en": "lies between"},
    "contains": {"da": "omfatter nr.", "en": "include nr."},
    "contains_any": {"da": "omfatter mindst et af nr.", "en": "include at least one of nr."},
    "contains_all": {"da": "omfatter alle af nr.", "en": "include all of nr."},
    "contains_none": {"da": "omfatter ingen af nr.", "en": "include none of nr."},
}
_YES_NO = {"da": ("ja", "nej"), "en": ("yes", "no")}
VALUE_LABELS: dict[str, dict[Lang, str]] = {
    "maturity": {"da": "barnets modenhed", "en": "the child's maturity"},
    "nature_of_case": {"da": "sagens karakter", "en": "the nature of the case"},
}
STATUS_LABELS: dict[str, dict[Lang, str]] = {
    "required": {"da": "påkrævet", "en": "required"},
    "waived": {"da": "undtaget", "en": "waived"},
    "dispensed": {"da": "dispenseret", "en": "dispensed"},
    "not_applicable": {"da": "gælder ikke", "en": "not applicable"},
}


def phrase(key: str, lang: Lang, **values: Any) -> str:
    return PHRASES[key][lang].format(**values)


def unit_name(unit: str, amount: int, lang: Lang) -> str:
    one, many = UNITS[unit][lang]
    return one if amount == 1 else many


def render_value(value: Any, lang: Lang) -> str:
    if isinstance(value, bool):
        return _YES_NO[lang][0 if value else 1]
    if value is None:
        return "ingen" if lang == "da" else "none"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value in VALUE_LABELS:
        return VALUE_LABELS[value][lang]
    if isinstance(value, list):
        joiner = " og " if lang == "da" else " and "
        items = [render_value(v, lang) for v in value]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + joiner + items[-1]
    return str(value)


def describe_test(field: str, operator: str, value: Any, lang: Lang) -> str:
    """A readable default for a field test that has no ``text`` in its rule file."""
    label = FIELD_LABELS.get(field, {}).get(lang, field)
    if isinstance(value, bool) and operator in ("equals", "not_equals"):
        positive = value == (operator == "equals")
        if positive:
            return label
        return f"ikke: {label}" if lang == "da" else f"not: {label}"
    if operator == "is_empty":
        empty = {"da": ("er tomme", "er ikke tomme"), "en": ("are empty", "are not empty")}
        return f"{label} {empty[lang][0 if value else 1]}"
    return f"{label} {_OPERATORS[operator][lang]} {render_value(value, lang)}"
