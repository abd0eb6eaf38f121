"""The facts of one child's case, strictly validated (the ``Case`` of the published contract)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from lovregler._errors import CaseError, Problem
from lovregler.law.municipalities import Municipality, UnknownMunicipality, resolve_municipality
from lovregler.law.problems import Loc, did_you_mean, validation_problems
from lovregler.law.records import document_records, parse_all
from lovregler.law.safe_yaml import PathKey, Positions
from lovregler.law.vocabulary import (
    CONSENT_REQUIRED_WITH_MEASURES,
    FIRST_CASE_DATE,
    LAST_CASE_DATE,
    MAX_AGE,
    MEASURE_NUMBERS,
    MIN_AGE,
)

ChildConversationException = Literal["maturity", "nature_of_case"]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _strict_date(value: Any) -> Any:
    """A date, or text written YYYY-MM-DD: no timestamps, no times of day, no numbers."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"{value.strip()} is not a real date ({exc})") from None
    raise ValueError("must be a date written YYYY-MM-DD")


def _in_range(value: date) -> date:
    """A date the law's range covers (``vocabulary.yaml``): every deadline from it is a date."""
    if not FIRST_CASE_DATE <= value <= LAST_CASE_DATE:
        raise ValueError(
            f"{value} lies outside the dates a case may give ({FIRST_CASE_DATE}..{LAST_CASE_DATE})"
        )
    return value


CaseDate = Annotated[date, BeforeValidator(_strict_date), AfterValidator(_in_range)]
# The case vocabulary is law (the age of a child, the measure numbers): read from the rules.

MAX_ID_LENGTH = 200  # the caller's id is echoed in every result and report line: kept short
MAX_NAME_LENGTH = 100  # far above the longest municipality name; a longer text is no name


class Case(BaseModel):
    """One child's case as a case-management system hands it to lovregler.

    Give ``child_age`` or ``child_birth_date`` (not both). ``decision_date`` defaults to
    ``awareness_date``. ``municipality`` accepts a name or a kommunekode and is stored as the
    three-digit kommunekode.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    case_id: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MAX_ID_LENGTH,
            description="The calling system's id; echoed back.",
        ),
    ]
    municipality: Annotated[
        str, Field(description="Municipality name or three-digit kommunekode; stored as the code.")
    ]
    child_age: Annotated[
        StrictInt | None,
        Field(
            ge=MIN_AGE,
            le=MAX_AGE,
            description=f"The child's age on awareness_date ({MIN_AGE}-{MAX_AGE}).",
        ),
    ] = None
    child_birth_date: Annotated[
        CaseDate | None, Field(description="Alternative to child_age: the child's birth date.")
    ] = None
    awareness_date: Annotated[
        CaseDate,
        Field(description="The day the municipality became aware the child may need support."),
    ]
    decision_date: Annotated[
        CaseDate | None,
        Field(description="The day of the decision being evaluated; defaults to awareness_date."),
    ] = None
    support_need_presumed: Annotated[
        StrictBool, Field(description="It must be presumed that the child needs special support.")
    ]
    measures: Annotated[
        list[Annotated[StrictInt, Field(ge=MEASURE_NUMBERS[0], le=MEASURE_NUMBERS[-1])]],
        Field(
            description=f"The support measures (nr. {MEASURE_NUMBERS[0]}-{MEASURE_NUMBERS[-1]}) "
            "considered or decided; may be empty."
        ),
    ] = []
    consent: Annotated[
        StrictBool | None,
        Field(
            description="Consent of the custody holders and of a young person of 15 or over "
            "to the measures; required when measures are given."
        ),
    ] = None
    child_conversation_exception: Annotated[
        ChildConversationException | None,
        Field(
            description="Why the child's maturity or the nature of the case speaks decisively "
            "against a child conversation, if it does."
        ),
    ] = None
    notification_date: Annotated[
        CaseDate | None,
        Field(
            description="The day a notification (underretning) about the child was received, "
            "if the case began with one; it must not lie after awareness_date."
        ),
    ] = None
    urgent: Annotated[
        StrictBool,
        Field(
            description="The child's interest means the action plan cannot be awaited before "
            "the decision (a brief statement of purpose is made; the full plan follows)."
        ),
    ] = False

    @field_validator("municipality", mode="before")
    @classmethod
    def _resolve_municipality(cls, value: Any) -> str:
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise ValueError("must be a municipality name or a three-digit kommunekode")
        if isinstance(value, int) and not 0 <= value <= 9999:
            raise ValueError("is not a Danish kommunekode (three digits)")
        if isinstance(value, str) and len(value) > MAX_NAME_LENGTH:
            raise ValueError(
                f"is {len(value):,} characters long; a municipality name or kommunekode has "
                f"at most {MAX_NAME_LENGTH}"
            )
        try:
            return resolve_municipality(value).code
        except UnknownMunicipality as exc:
            raise ValueError(str(exc)) from None

    @field_validator("measures")
    @classmethod
    def _no_repeated_measures(cls, value: list[int]) -> list[int]:
        known = set(MEASURE_NUMBERS)
        unknown = [m for m in value if m not in known]
        if unknown:
            raise ValueError(f"there is no measure nr. {unknown[0]}")
        seen: set[int] = set()
        repeated: set[int] = set()
        for m in value:  # linear: a long list must not cost quadratic time
            (repeated if m in seen else seen).add(m)
        if repeated:
            raise ValueError(f"measure {min(repeated)} is listed more than once")
        return sorted(value)

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        if self.child_age is None and self.child_birth_date is None:
            raise ValueError("child_age: give child_age or child_birth_date")
        if self.child_age is not None and self.child_birth_date is not None:
            raise ValueError("child_birth_date: give child_age or child_birth_date, not both")
        if self.child_birth_date is not None:
            if self.child_birth_date > self.awareness_date:
                raise ValueError("child_birth_date: lies after awareness_date")
            if not MIN_AGE <= _age_on(self.child_birth_date, self.awareness_date) <= MAX_AGE:
                raise ValueError("child_birth_date: makes the child 18 or older on awareness_date")
        if self.decision_date is not None and self.decision_date < self.awareness_date:
            raise ValueError(
                f"decision_date: {self.decision_date} lies before awareness_date "
                f"{self.awareness_date}"
            )
        if self.notification_date is not None and self.notification_date > self.awareness_date:
            raise ValueError(
                f"notification_date: {self.notification_date} lies after awareness_date "
                f"{self.awareness_date} (a notification makes the municipality aware)"
            )
        if CONSENT_REQUIRED_WITH_MEASURES and self.measures and self.consent is None:
            raise ValueError("consent: is required when measures are given")
        return self

    @property
    def age(self) -> int:
        """The child's age on ``awareness_date``."""
        if self.child_age is not None:
            return self.child_age
        assert self.child_birth_date is not None
        return _age_on(self.child_birth_date, self.awareness_date)

    @property
    def effective_decision_date(self) -> date:
        return self.decision_date or self.awareness_date

    @property
    def kommune(self) -> Municipality:
        return resolve_municipality(self.municipality)


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def case_field_value(case: Case, name: str) -> Any:
    """The value a condition sees for ``name`` (derived where the case offers alternatives)."""
    if name == "child_age":
        return case.age
    if name == "decision_date":
        return case.effective_decision_date
    if name == "consent":
        return bool(case.consent)
    return getattr(case, name)


# --- reading cases ---------------------------------------------------------------------------


def case_problems(
    exc: ValidationError, data: Any, positions: Positions | None = None, where: PathKey = ()
) -> list[Problem]:
    """Pydantic errors as problems that name the field (and the line, when known). ``where`` is
    the path of the case inside a larger document (e.g. a scenario file)."""
    return validation_problems(
        exc.errors(),
        data,
        positions,
        where=where,
        wording={"extra_forbidden": _unknown_field, "missing": "required field is missing"},
        names_field=lambda loc, head: not loc and head in Case.model_fields,
    )


def _unknown_field(loc: Loc, message: str, err: ErrorDetails) -> str:
    return "unknown field; " + (
        did_you_mean(str(loc[-1]), Case.model_fields) or _known_fields_hint()
    )


def _known_fields_hint() -> str:
    return "known fields: " + ", ".join(Case.model_fields)


def parse_case(data: Any, positions: Positions | None = None) -> Case:
    """Validate one case from plain data; raise :class:`CaseError` naming every bad field."""
    if isinstance(data, Case):
        return data
    if not isinstance(data, dict):
        where = positions.file if positions else None
        raise CaseError([Problem("a case must be a mapping of field: value", where, 1)])
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError(case_problems(exc, data, positions)) from None


def load_case_file(path: Path | str) -> list[Case]:
    """Read cases from a YAML or JSON file (one case, or a list of cases)."""
    return parse_all(document_records(Path(path), "case"), parse_case)
