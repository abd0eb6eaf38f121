"""Pydantic models of the YAML rule files: what legal staff may write, and nothing else.

A regime folder holds ``regime.yaml`` (a :class:`RegimeHeader`) and any number of rule files
(each a :class:`RuleFile`). Every model forbids unknown keys, so a typo is an error that names
the key, the file and the line.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from lovregler.law.dates import ROOM_YEARS, Unit, too_long

Confidence = Literal["verified", "secondary", "to_confirm"]
ObligationId = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$",
        description="Dotted obligation id: the section, then the duty's Danish name",
    ),
]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
DateField = Literal["awareness_date", "decision_date", "notification_date"]
Scalar = StrictBool | StrictInt | str | date | None


def _counted(value: int) -> int:
    if value < 1:
        raise ValueError("must be 1 or more: sections, stk., nr. and pkt. count from 1")
    return value


Number = Annotated[StrictInt, AfterValidator(_counted), Field(json_schema_extra={"minimum": 1})]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    _file: str | None = PrivateAttr(default=None)
    _line: int | None = PrivateAttr(default=None)
    _key_lines: dict[str, int] = PrivateAttr(default_factory=dict)

    @property
    def origin(self) -> str:
        """``file:line`` where this item was written, or ``""`` if not from a file."""
        private = self.__pydantic_private__ or {}  # read directly: this is on the hot path
        file, line = private.get("_file"), private.get("_line")
        if file is None:
            return ""
        return f"{file}:{line}" if line else file


class Citation(_Model):
    """A reference to the law: ``{law: SEL, paragraph: 50, stk: 1}`` or ``{ref: "..."}``."""

    law: str | None = Field(None, description="Short name of the law, e.g. SEL")
    paragraph: str | Number | None = Field(None, description="Section, e.g. 50 or '52 a'")
    stk: str | Number | None = Field(None, description="Subsection (stk.), e.g. 1 or '1 og 3-7'")
    nr: str | Number | list[Number] | None = Field(None, description="Number(s) (nr.)")
    pkt: Number | None = Field(None, description="Sentence (pkt.)")
    ref: str | None = Field(None, description="Free-text citation, where § does not fit")
    valid_from: date | None = Field(None, description="First day this citation is right")
    valid_to: date | None = Field(None, description="Last day this citation is right")
    confidence: Confidence | None = Field(
        None, description="How sure the citation is, where it is less sure than its rule"
    )

    @model_validator(mode="after")
    def _complete(self) -> Citation:
        if self.ref is None and (self.law is None or self.paragraph is None):
            raise ValueError("a citation needs `law` and `paragraph`, or `ref`")
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError("valid_from lies after valid_to")
        return self

    def render(self) -> str:
        if self.law is None or self.paragraph is None:
            return str(self.ref)
        text = f"{self.law} § {self.paragraph}"
        if self.stk is not None:
            text += f", stk. {self.stk}"
        if self.nr is not None:
            nrs = self.nr if isinstance(self.nr, list) else [self.nr]
            text += ", nr. " + _join_numbers([str(n) for n in nrs])
        if self.pkt is not None:
            text += f", {self.pkt}. pkt."
        if self.ref:
            text += f" ({self.ref})"
        return text

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


def _join_numbers(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


LegalBasis = Annotated[list[Citation], Field(min_length=1)]


class _Explained(_Model):
    text: str | None = Field(None, description="How to say this condition in Danish")
    text_en: str | None = Field(None, description="How to say this condition in English")
    confidence: Confidence | None = Field(
        None,
        description="How sure this condition's reading of the law is, where less than its rule",
    )


class FieldCondition(_Explained):
    """A test on one case field. Give exactly one operator."""

    field: str = Field(description="A case field, e.g. support_need_presumed")
    equals: Scalar = None
    not_equals: Scalar = None
    in_: list[Scalar] | None = Field(None, alias="in", min_length=1)
    not_in: list[Scalar] | None = Field(None, min_length=1)
    at_least: StrictInt | date | None = None
    at_most: StrictInt | date | None = None
    greater_than: StrictInt | date | None = None
    less_than: StrictInt | date | None = None
    between: list[StrictInt | date] | None = Field(None, min_length=2, max_length=2)
    contains: StrictInt | str | None = None
    contains_any: list[StrictInt | str] | None = Field(None, min_length=1)
    contains_all: list[StrictInt | str] | None = Field(None, min_length=1)
    contains_none: list[StrictInt | str] | None = Field(None, min_length=1)
    is_empty: StrictBool | None = None

    @property
    def operator(self) -> tuple[str, Any]:
        given = self.model_fields_set & set(OPERATORS)
        (name,) = given
        return name, getattr(self, name)

    @model_validator(mode="after")
    def _one_operator(self) -> FieldCondition:
        given = sorted(self.model_fields_set & set(OPERATORS))
        if len(given) != 1:
            shown = ", ".join(_ALIASES.get(g, g) for g in given) or "none"
            raise ValueError(
                "give exactly one operator ("
                + ", ".join(_ALIASES.get(o, o) for o in OPERATORS)
                + f"); given: {shown}"
            )
        return self


EQUALITY_OPERATORS = ("equals", "not_equals", "in_", "not_in")
ORDER_OPERATORS = ("at_least", "at_most", "greater_than", "less_than", "between")
SET_OPERATORS = ("contains", "contains_any", "contains_all", "contains_none", "is_empty")
OPERATORS = EQUALITY_OPERATORS + ORDER_OPERATORS + SET_OPERATORS
_ALIASES = {"in_": "in"}


class AllOf(_Explained):
    """Every condition in the list holds."""

    all: list[Condition] = Field(min_length=1)


class AnyOf(_Explained):
    """At least one condition in the list holds."""

    any: list[Condition] = Field(min_length=1)


class NotOf(_Explained):
    """The condition does not hold."""

    not_: Condition = Field(alias="not")


class RuleRef(_Explained):
    """The status another rule would have: ``{rule: sel48.boernesamtale, is: applicable}``.

    ``applicable``: the rule's ``when`` holds; ``required``: it holds and no ``unless`` lifts it.
    """

    rule: ObligationId
    is_: Literal["required", "applicable"] = Field("required", alias="is")


def _condition_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key, tag in (
            ("all", "all-of"),
            ("any", "any-of"),
            ("not", "not-of"),
            ("rule", "rule-ref"),
            ("field", "field-test"),
        ):
            if key in value:
                return tag
        return None
    if isinstance(value, BaseModel):
        return {
            AllOf: "all-of",
            AnyOf: "any-of",
            NotOf: "not-of",
            RuleRef: "rule-ref",
            FieldCondition: "field-test",
        }.get(type(value))
    return None


Condition = Annotated[
    Annotated[AllOf, Tag("all-of")]
    | Annotated[AnyOf, Tag("any-of")]
    | Annotated[NotOf, Tag("not-of")]
    | Annotated[RuleRef, Tag("rule-ref")]
    | Annotated[FieldCondition, Tag("field-test")],
    Discriminator(
        _condition_kind,
        custom_error_type="condition",
        custom_error_message="a condition is a mapping with one of: all, any, not, rule, field",
    ),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


class Exception_(_Model):
    """An exception in the same law that lifts the obligation: its status becomes ``waived``."""

    id: Name
    when: Condition
    reason: str = Field(description="Why it is lifted, in Danish")
    reason_en: str | None = None
    legal_basis: LegalBasis
    confidence: Confidence
    notes: str | None = None


class Repeat(_Model):
    """A recurring obligation: again at least every ``max`` units (and not before ``min``)."""

    unit: Unit
    max: StrictInt = Field(ge=1)
    min: StrictInt | None = Field(None, ge=1)

    @field_validator("max", "min")
    @classmethod
    def _representable(cls, amount: int | None, info: ValidationInfo) -> int | None:
        unit = info.data.get("unit")
        reason = None if amount is None or unit is None else too_long(amount, unit)
        if reason:
            raise ValueError(reason)
        return amount


class Deadline(_Model):
    """When the obligation is due: ``amount`` ``unit``s after the case date ``from``."""

    from_: DateField = Field(alias="from")
    unit: Unit = "days"  # before amount: the longest amount depends on the unit
    amount: StrictInt = Field(0, ge=0)
    when: Condition | None = Field(None, description="Only this deadline if the condition holds")
    reason: str | None = Field(None, description="Why this deadline, in Danish")
    reason_en: str | None = None
    legal_basis: list[Citation] = []
    repeat: Repeat | None = None
    confidence: Confidence | None = None
    notes: str | None = None

    @field_validator("amount")
    @classmethod
    def _representable(cls, amount: int, info: ValidationInfo) -> int:
        unit = info.data.get("unit")
        reason = None if unit is None else too_long(amount, unit)
        if reason:
            raise ValueError(reason)
        return amount


class Addition(_Model):
    """An extra reason (and citation) shown when its condition holds, e.g. for youths of 16+."""

    when: Condition
    text: str
    text_en: str | None = None
    legal_basis: list[Citation] = []


class Dispensation(_Model):
    """An obligation of the base regime that this overlay rule lifts and replaces."""

    obligation: ObligationId
    legal_basis: LegalBasis
    notes: str | None = None


class Follows(_Model):
    """An ordering rule: this obligation's decision may only come after ``obligation`` is done
    (e.g. SEL § 52, stk. 2: measures follow the investigation). It is a reason on the rule and a
    warning where the decision date falls before the other obligation is due; not a due date."""

    obligation: ObligationId
    text: str = Field(description="The ordering rule, in Danish (the law's own words if possible)")
    text_en: str | None = None
    legal_basis: LegalBasis
    unless: Condition | None = Field(
        None, description="When the order may be broken (e.g. urgent: support alongside it)"
    )
    unless_text: str | None = Field(None, description="That exception, in Danish")
    unless_text_en: str | None = None
    confidence: Confidence
    notes: str | None = None


class Rule(_Model):
    """One obligation: when it applies, what lifts it, when it is due, and why."""

    id: ObligationId
    title: str = Field(description="Danish title, e.g. Børnefaglig undersøgelse")
    title_en: str | None = None
    legal_basis: LegalBasis
    legal_text: str | None = Field(None, description="The wording of the law, quoted")
    when: Condition | None = Field(
        None, description="When the obligation applies; always if absent"
    )
    unless: list[Exception_] = []
    deadline: Deadline | list[Deadline] | None = None
    additions: list[Addition] = []
    dispenses: list[Dispensation] = []
    follows: Follows | None = Field(
        None, description="An ordering rule: what must be done before this decision"
    )
    experiment: Name | None = Field(
        None,
        description="In an overlay with experiments: the experiment this rule belongs to; it "
        "applies only where that experiment runs for the case's municipality on the case's date",
    )
    confidence: Confidence
    notes: str | None = None

    @property
    def deadlines(self) -> list[Deadline]:
        if self.deadline is None:
            return []
        return self.deadline if isinstance(self.deadline, list) else [self.deadline]

    @property
    def legal_basis_marked(self) -> bool:
        """Whether a citation of this rule carries a confidence mark of its own."""
        return any(c.confidence is not None for c in self.legal_basis)


class Exclusion(_Model):
    """Cases this overlay may never touch: the base regime applies to them in full."""

    id: Name
    when: Condition
    reason: str
    reason_en: str | None = None
    legal_basis: LegalBasis
    confidence: Confidence
    notes: str | None = None


class RuleFile(_Model):
    """A rule file: rules and/or exclusions, usually one section of the law."""

    title: str | None = None
    notes: str | None = None
    rules: list[Rule] = []
    exclusions: list[Exclusion] = []

    @model_validator(mode="after")
    def _not_empty(self) -> RuleFile:
        if not self.rules and not self.exclusions:
            raise ValueError("a rule file needs `rules` or `exclusions`")
        return self


class Window(_Model):
    from_: date = Field(alias="from")
    to: date

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.from_ > self.to:
            raise ValueError(f"window starts ({self.from_}) after it ends ({self.to})")
        return self

    def __str__(self) -> str:
        return f"{self.from_}..{self.to}"


class Participant(_Model):
    """A municipality taking part in an overlay, and its experiment window."""

    municipality: str | StrictInt
    window: Window
    confidence: Confidence
    source: str | None = None
    notes: str | None = None


class Experiment(_Model):
    """One experiment of an overlay: what it dispenses from, on what legal basis, and where and
    when it runs (each participant with its own window, confidence and source)."""

    id: Name
    title: str = Field(description="Danish title, e.g. Forsøg 1: ...")
    title_en: str | None = None
    label: str | None = Field(None, description="Short Danish name used in sentences")
    label_en: str | None = None
    legal_basis: LegalBasis
    sections: list[Citation] = Field(
        min_length=1, description="The sections of the base law the experiment dispenses from"
    )
    participants: list[Participant] = Field(min_length=1)
    confidence: Confidence
    source: str | None = None
    notes: str | None = None


class Source(_Model):
    title: str
    reference: str | None = None
    url: str | None = None


class RegimeHeader(_Model):
    """``regime.yaml``: what the regime is, where it comes from, and where it applies."""

    regime: Name
    title: str
    title_en: str | None = None
    label: str | None = Field(None, description="Short Danish name used in sentences")
    label_en: str | None = Field(None, description="Short English name used in sentences")
    extends: Name | None = Field(None, description="The regime this one overlays")
    legal_basis: list[Citation] = []
    sources: list[Source] = []
    valid: Window | None = Field(None, description="The period whose law this regime encodes")
    participants: list[Participant] | None = Field(
        None, description="Municipalities the overlay applies to; absent = everywhere"
    )
    experiments: list[Experiment] | None = Field(
        None,
        description="The overlay's experiments, each with its own participants and windows "
        "(instead of `participants`)",
    )
    network: list[str | StrictInt] | None = Field(
        None,
        description="The municipalities the law lets take part (participants must be among them)",
    )
    window_date: DateField = Field(
        "decision_date", description="Which case date must lie in a participant's window"
    )
    confidence: Confidence
    notes: str | None = None

    @model_validator(mode="after")
    def _overlay_parts(self) -> RegimeHeader:
        for key in ("participants", "experiments", "network"):
            if getattr(self, key) is not None and self.extends is None:
                raise ValueError(f"{key}: `{key}` only make sense in an overlay (give `extends`)")
        if self.participants is not None and self.experiments is not None:
            raise ValueError(
                "experiments: give `participants` or `experiments` (each with its participants), "
                "not both"
            )
        return self


class InForce(_Model):
    """The period in which a base regime is the law ``auto`` applies (open at either end)."""

    from_: date | None = Field(None, alias="from", description="First day in force")
    to: date | None = Field(None, description="Last day in force")
    confidence: Confidence | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> InForce:
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError(f"in force from {self.from_}, after its end ({self.to})")
        return self

    def covers(self, day: date) -> bool:
        return (self.from_ is None or self.from_ <= day) and (self.to is None or day <= self.to)

    def __str__(self) -> str:
        return f"{self.from_ or ''}..{self.to or ''}"


class CatalogueEntry(_Model):
    """One regime of the catalogue: its name and the folder (beside the catalogue) that holds it."""

    name: Name
    folder: str = Field(description="The regime's folder, relative to the catalogue file")
    in_force: InForce | None = Field(
        None,
        description="Base regimes only: when `auto` applies this law (overlays reach as far as "
        "their participants' windows)",
    )
    notes: str | None = None


class ComparedPair(_Model):
    """The two regimes ``compare`` and ``diff`` set side by side when none are named."""

    base: Name
    other: Name


class Catalogue(_Model):
    """``regimes.yaml``: every regime lovregler knows, and how the law in force is chosen."""

    title: str
    default: Name = Field(description="The regime `evaluate` applies when none is named")
    compare: ComparedPair
    selection_date: DateField = Field(
        "decision_date",
        description="The case date that decides which base regime is in force (`auto`)",
    )
    regimes: list[CatalogueEntry] = Field(min_length=1)
    notes: str | None = None


# --- the case vocabulary and the safeguards (files beside the catalogue) -----------------------


class AgeRange(_Model):
    min: StrictInt = Field(ge=0)
    max: StrictInt = Field(ge=0)
    notes: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.min > self.max:
            raise ValueError(f"max: {self.max} lies below min {self.min}")
        return self


class MeasureNumbers(_Model):
    numbers: list[StrictInt] = Field(
        min_length=1, description="The measure numbers a case may give"
    )
    consent_required: StrictBool = Field(
        description="Whether a case with measures must say whether there is consent"
    )
    notes: str | None = None


class CaseDates(_Model):
    """The range every date of a case lies in: birth, notification, awareness, decision and the
    events of its history."""

    from_: date = Field(alias="from", description="The earliest date a case may give")
    to: date = Field(description="The latest date a case may give")
    notes: str | None = None

    @model_validator(mode="after")
    def _room(self) -> CaseDates:
        if self.to < self.from_:
            raise ValueError(f"to: {self.to} lies before from {self.from_}")
        latest = date(date.max.year - ROOM_YEARS, 12, 31)
        if self.to > latest:
            raise ValueError(
                f"to: {self.to} leaves no room for the due dates lovregler computes from it "
                f"({ROOM_YEARS} years); the latest possible is {latest}"
            )
        return self


class CaseVocabulary(_Model):
    child_age: AgeRange
    measures: MeasureNumbers
    dates: CaseDates


class EventMeaning(_Model):
    """What one event type of a case history fulfils (see ``vocabulary.yaml``)."""

    obligations: list[str] = []
    measure: StrictBool = False
    via_replacement: StrictBool = False
    choose: StrictBool = False
    case_date: DateField | None = None
    before_awareness: StrictBool = False


class TimeToHelp(_Model):
    regime: Name
    obligation: ObligationId


class Vocabulary(_Model):
    """``vocabulary.yaml``: what a case may say, and what each history event fulfils."""

    title: str
    case: CaseVocabulary
    events: dict[str, EventMeaning]
    time_to_help: TimeToHelp
    notes: str | None = None


class NeverLost(_Model):
    """Where the base regime requires ``obligation``, the overlay requires it or ``or_``."""

    obligation: ObligationId
    or_: ObligationId = Field(alias="or")


class Merge(_Model):
    """The overlay merges ``merged`` (of the family ``measures``) into ``into``."""

    measures: list[ObligationId] = Field(min_length=1)
    merged: list[ObligationId] = Field(min_length=1)
    into: ObligationId


class OverlaySafeguards(_Model):
    overlay: Name
    replaces: dict[ObligationId, list[ObligationId]]
    never_lost: dict[Name, NeverLost] = {}
    merge: Merge | None = None
    no_slower: list[ObligationId] = Field(
        default=[],
        description="Replacements that must be due no later than what they replace (like for like)",
    )


class Safeguards(_Model):
    """``safeguards.yaml``: what the property tests prove for each overlay."""

    title: str
    overlays: list[OverlaySafeguards]
    notes: str | None = None
