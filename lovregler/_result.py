"""What an evaluation returns: the published output shape, as pydantic models."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

Status = Literal["required", "waived", "dispensed", "not_applicable"]
STATUSES: tuple[Status, ...] = ("required", "waived", "dispensed", "not_applicable")
Confidence = Literal["verified", "secondary", "to_confirm"]
CONFIDENCES: tuple[Confidence, ...] = ("verified", "secondary", "to_confirm")
"""Strongest first: an answer is as sure as the weakest mark of what decided it."""
ReasonKind = Literal[
    "rule", "condition", "exception", "dispensation", "addition", "deadline", "selection", "order"
]


M = TypeVar("M", bound=BaseModel)
_FIELDS: dict[type[BaseModel], set[str]] = {}


def trusted(cls: type[M], **values: Any) -> M:
    """A model built from parts lovregler made itself, every field given, without validation:
    the hot path of an evaluation (several times quicker than ``model_construct``)."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = set(cls.model_fields)
    if values.keys() != names:
        raise TypeError(f"{cls.__name__}: give exactly its fields; off: {values.keys() ^ names}")
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", names)
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model


def weakest(*marks: str | None) -> Confidence:
    """The weakest of ``marks`` (``None`` marks nothing); ``verified`` if none is given."""
    rank = 0
    for mark in marks:
        if mark is not None:
            rank = max(rank, CONFIDENCES.index(mark))
    return CONFIDENCES[rank]


class Link(BaseModel):
    """A citation and where to read it: the consolidation in force on the decision date."""

    model_config = ConfigDict(frozen=True)

    citation: str = Field(description="The citation as in legal_basis, e.g. SEL § 50, stk. 1")
    act: str = Field(description="The consolidation, e.g. LBK nr. 798 af 07/08/2019")
    url: str = Field(description="Its ELI address on retsinformation.dk")


class Reason(BaseModel):
    """One node of an obligation's structured reasons: what was tested, whether it held, where
    the law and the rule file say so. ``because`` is rendered from the same decision."""

    model_config = ConfigDict(frozen=True)

    kind: ReasonKind
    id: str = Field(description="The rule, exception or condition id (conditions: their path)")
    holds: bool | None = None
    text: str = ""
    legal_basis: str = ""
    confidence: str = ""
    source: str = Field("", description="Rule file and line")
    children: list[Reason] = []


class Window(BaseModel):
    """A participant's experiment window (both days included)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)
    from_: date = Field(alias="from")
    to: date

    @model_serializer(mode="wrap")
    def _by_alias(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if "from_" in data:
            data["from"] = data.pop("from_")
            data = {"from": data.pop("from"), **data}
        return data


class Selection(BaseModel):
    """Which regime was applied to the case, and why, as data (``regime_reason`` renders it)."""

    model_config = ConfigDict(frozen=True)

    requested: str = Field(description="What the caller asked for: auto, a regime name, a folder")
    applied: str = Field(description="The regime whose rules were applied")
    folder: str = Field("", description="The rule folder the applied regime was read from")
    base: str = Field("", description="The regime at the root of the applied chain")
    day: date | None = Field(None, description="The case date the selection was judged on")
    verdict: str = Field(
        "",
        description="requested, everywhere, in_window, not_member, outside_window or excluded: "
        "the outcome for the overlay judged last",
    )
    overlay: str | None = Field(None, description="The overlay judged last, if any")
    municipality: str = Field("", description="The case's kommunekode")
    participant: bool | None = Field(
        None, description="Whether the municipality takes part in that overlay"
    )
    window: Window | None = Field(None, description="The participant's window that decided")
    exclusion: str | None = Field(None, description="The exclusion that kept the overlay out")
    in_force: bool | None = Field(
        None, description="auto: whether the chosen base regime is in force on the date"
    )
    confidence: Confidence = "verified"
    experiments: list[str] = Field(
        default=[], description="The overlay's experiments that run for the case"
    )
    experiments_not_applied: list[str] = Field(
        default=[], description="The overlay's experiments that do not run for the case"
    )


class Recurrence(BaseModel):
    """A recurring obligation: again at least every ``max`` units (not before ``min``)."""

    model_config = ConfigDict(frozen=True)
    unit: str
    max: int
    min: int | None = None


class Obligation(BaseModel):
    """One procedural obligation and why it has its status."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Obligation id, as the rule files name it")
    status: Status
    legal_basis: str = Field(description="Citation(s) in force on the decision date")
    due: date | None = Field(description="Due date when required, else null")
    because: list[str] = Field(description="Reasons, each naming the rule and its citation")
    replaced_by: list[str] = Field(default=[], description="When dispensed: what takes its place")
    replaces: list[str] = Field(default=[], description="For an overlay rule: what it replaces")
    title: str = ""
    confidence: str = ""
    source: str = Field("", description="Rule file and line the rule comes from")
    repeats: Recurrence | None = None
    reasons: list[Reason] = Field(
        default=[], description="What decided the status, as a tree (beside `because`)"
    )
    links: list[Link] = Field(
        default=[], description="Each citation of legal_basis with its act's ELI address"
    )

    @model_serializer(mode="wrap")
    def _omit_empty_links(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in ("replaced_by", "replaces", "reasons", "links"):
            if not data.get(key):
                data.pop(key, None)
        return data


class EvaluationResult(BaseModel):
    """The obligations of one case under one regime."""

    model_config = ConfigDict(frozen=True)

    case_id: str
    regime: str = Field(description="The regime whose rules were applied")
    regime_reason: str = Field(description="Why that regime applies to this case")
    ruleset_version: str = Field(description="sha256 of the rule content used")
    obligations: list[Obligation]
    requested_regime: str = Field(
        "", description="The regime asked for: a name of the catalogue, auto, or a folder"
    )
    backend: str = Field("", description="The engine that answered the rule checks")
    warnings: list[str] = []
    selection: Selection | None = Field(None, description="Which regime applies, as data")
    experiments: list[str] = Field(
        default=[], description="The overlay's experiments that applied (ids from the rule files)"
    )

    def _requested(self, requested: str) -> EvaluationResult:
        if requested == self.requested_regime:
            return self
        return self.model_copy(update={"requested_regime": requested})

    def obligation(self, obligation_id: str) -> Obligation:
        """The obligation with this id; ``KeyError`` if the regime does not know it."""
        for item in self.obligations:
            if item.id == obligation_id:
                return item
        raise KeyError(obligation_id)

    def statuses(self) -> dict[str, Status]:
        return {o.id: o.status for o in self.obligations}

    def required(self) -> list[Obligation]:
        return [o for o in self.obligations if o.status == "required"]


class Difference(BaseModel):
    """One obligation whose status or due date differs between two regimes.

    ``standard``/``frikommune`` and their ``_due`` twins are the second edition's names of
    ``base_status``/``other_status`` and ``base_due``/``other_due``: aliases kept for at least one
    release (see the CHANGELOG).
    """

    model_config = ConfigDict(frozen=True)

    id: str
    base_status: Status | None
    other_status: Status | None
    base_due: date | None = None
    other_due: date | None = None
    replaced_by: list[str] = []
    replaces: list[str] = []
    standard: Status | None = Field(None, description="Deprecated alias of base_status")
    frikommune: Status | None = Field(None, description="Deprecated alias of other_status")
    standard_due: date | None = Field(None, description="Deprecated alias of base_due")
    frikommune_due: date | None = Field(None, description="Deprecated alias of other_due")

    @classmethod
    def between(
        cls,
        oid: str,
        base: Status | None,
        other: Status | None,
        base_due: date | None,
        other_due: date | None,
        replaced_by: list[str],
        replaces: list[str],
    ) -> Difference:
        """A difference with its deprecated aliases filled in."""
        return cls(
            id=oid,
            base_status=base,
            other_status=other,
            base_due=base_due,
            other_due=other_due,
            replaced_by=replaced_by,
            replaces=replaces,
            standard=base,
            frikommune=other,
            standard_due=base_due,
            frikommune_due=other_due,
        )


class Comparison(BaseModel):
    """One case under two regimes, and where they differ.

    ``standard``/``frikommune`` are the second edition's names of ``base``/``other``: aliases kept
    for at least one release (see the CHANGELOG).
    """

    model_config = ConfigDict(frozen=True)

    case_id: str
    base_regime: str = Field(description="The regime asked for as the base of the comparison")
    other_regime: str = Field(description="The regime compared with it")
    base: EvaluationResult
    other: EvaluationResult
    differences: list[Difference]
    standard: EvaluationResult | None = Field(None, description="Deprecated alias of base")
    frikommune: EvaluationResult | None = Field(None, description="Deprecated alias of other")

    @classmethod
    def of(
        cls, base: EvaluationResult, other: EvaluationResult, differences: list[Difference]
    ) -> Comparison:
        """A comparison with its deprecated aliases filled in."""
        return cls(
            case_id=base.case_id,
            base_regime=base.requested_regime or base.regime,
            other_regime=other.requested_regime or other.regime,
            base=base,
            other=other,
            differences=differences,
            standard=base,
            frikommune=other,
        )


class ExplanationLine(BaseModel):
    """One line of an explanation: a condition (or heading), whether it held, where it is written."""

    model_config = ConfigDict(frozen=True)

    depth: int
    text: str
    holds: bool | None = None
    source: str = ""


class Explanation(BaseModel):
    """Why one obligation has its status for one case (``lovregler explain``)."""

    model_config = ConfigDict(frozen=True)

    case_id: str
    regime: str
    obligation: Obligation | None
    lines: list[ExplanationLine]
    lang: str = "da"
    reasons: list[Reason] = Field(default=[], description="The same explanation as a tree")

    def render(self) -> str:
        marks = {True: "✓", False: "✗", None: " "}
        words = {"da": ("opfyldt", "ikke opfyldt"), "en": ("holds", "does not hold")}[
            "en" if self.lang == "en" else "da"
        ]
        out = []
        for line in self.lines:
            text = "  " * line.depth + (f"{marks[line.holds]} " if line.holds is not None else "")
            text += line.text
            if line.holds is not None and line.depth == 0:
                text += f" – {words[0] if line.holds else words[1]}"
            if line.source:
                text += f"  [{line.source}]"
            out.append(text)
        return "\n".join(out) + "\n"
