"""What an evaluation returns: the published output shape, as pydantic models."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

Status = Literal["required", "waived", "dispensed", "not_applicable"]
STATUSES: tuple[Status, ...] = ("required", "waived", "dispensed", "not_applicable")


class Recurrence(BaseModel):
    """A recurring obligation: again at least every ``max`` units (not before ``min``)."""

    model_config = ConfigDict(frozen=True)
    unit: str
    max: int
    min: int | None = None


class Obligation(BaseModel):
    """One procedural obligation and why it has its status."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Obligation id, e.g. sel50.boernefaglig_undersoegelse")
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

    @model_serializer(mode="wrap")
    def _omit_empty_links(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in ("replaced_by", "replaces"):
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
        "", description="The regime asked for (standard, frikommune, auto)"
    )
    backend: str = Field("", description="The engine that answered the rule checks")
    warnings: list[str] = []

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
    """One obligation whose status or due date differs between the two regimes."""

    model_config = ConfigDict(frozen=True)

    id: str
    standard: Status | None
    frikommune: Status | None
    standard_due: date | None = None
    frikommune_due: date | None = None
    replaced_by: list[str] = []
    replaces: list[str] = []


class Comparison(BaseModel):
    """Both regimes for one case, and where they differ."""

    model_config = ConfigDict(frozen=True)

    case_id: str
    standard: EvaluationResult
    frikommune: EvaluationResult
    differences: list[Difference]


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
