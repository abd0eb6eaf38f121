"""A case history: the facts of one case plus what actually happened, dated.

A :class:`CaseHistory` is what :func:`lovregler.audit` checks against the obligations the rule
files give the case. Each event type says which obligation it fulfils in one table,
:data:`EVENT_KINDS`, read from the rules' ``vocabulary.yaml`` (no law is written here). An
impossible history (events out of order, before awareness, an unknown type, a measure the case
does not have) is a :class:`~lovregler.CaseError` whose problems name the field, e.g.
``events[3].date``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, model_validator
from pydantic_core import ErrorDetails

from lovregler._errors import CaseError, Problem, RuleFileError, on_line
from lovregler.case.model import MAX_ID_LENGTH, Case, CaseDate
from lovregler.law.problems import Loc, validation_problems
from lovregler.law.records import (
    Record,
    document_records,
    json_record,
    json_records,
    opened,
    parse_all,
)
from lovregler.law.safe_yaml import Positions, format_path
from lovregler.law.vocabulary import MEASURE_NUMBERS, vocabulary

EventType = Literal[
    "notification_received",
    "notification_assessed",
    "awareness",
    "investigation_completed",
    "assessment_completed",
    "child_conversation_held",
    "involvement_plan_made",
    "handleplan_made",
    "goals_set",
    "measure_decided",
    "measure_started",
    "follow_up",
]


@dataclass(frozen=True)
class EventKind:
    """What one event type means for the audit.

    ``obligations`` are the obligation ids the event fulfils; ``{measure}`` stands for the
    event's measure number. ``via_replacement``: the event fulfils whatever the regime puts in
    the place of those obligations (``replaced_by``), not the obligations themselves.
    ``choose``: the event may name one of ``obligations`` in its ``obligation`` field; without
    it, it fulfils each of them that the regime requires.
    """

    obligations: tuple[str, ...] = ()
    measure: bool = False
    via_replacement: bool = False
    choose: bool = False
    case_date: str | None = None  # the case field this event dates, if any
    before_awareness: bool = False  # may lie before awareness (it is about the notification)


# The one table from event types to obligation ids: read from the rules (vocabulary.yaml).
EVENT_KINDS: dict[str, EventKind] = {
    name: EventKind(
        tuple(meaning.obligations),
        measure=meaning.measure,
        via_replacement=meaning.via_replacement,
        choose=meaning.choose,
        case_date=meaning.case_date,
        before_awareness=meaning.before_awareness,
    )
    for name, meaning in vocabulary().events.items()
}
if set(EVENT_KINDS) != set(get_args(EventType)):  # the type names the same events as the table
    raise RuleFileError(
        "vocabulary.yaml: its events differ from the event types lovregler knows: "
        + ", ".join(sorted(set(EVENT_KINDS) ^ set(get_args(EventType))))
    )
EVENT_TYPES: tuple[str, ...] = tuple(EVENT_KINDS)


class Event(BaseModel):
    """One dated thing that happened in the case."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Annotated[EventType, Field(description="What happened; see EVENT_KINDS")]
    date: Annotated[CaseDate, Field(description="The day it happened (YYYY-MM-DD)")]
    measure: Annotated[
        StrictInt | None,
        Field(
            ge=MEASURE_NUMBERS[0],
            le=MEASURE_NUMBERS[-1],
            description="measure_decided / measure_started: the measure nr "
            f"({MEASURE_NUMBERS[0]}-{MEASURE_NUMBERS[-1]})",
        ),
    ] = None
    obligation: Annotated[
        str | None,
        Field(
            max_length=MAX_ID_LENGTH,
            description="follow_up: the recurring obligation it follows up (default: each)",
        ),
    ] = None

    @model_validator(mode="after")
    def _fields_for_type(self) -> Event:
        kind = EVENT_KINDS[self.type]
        if kind.measure and self.measure is None:
            raise ValueError(
                f"measure: a {self.type} event needs the measure nr "
                f"({MEASURE_NUMBERS[0]}-{MEASURE_NUMBERS[-1]})"
            )
        if not kind.measure and self.measure is not None:
            raise ValueError(f"measure: a {self.type} event has no measure")
        if self.obligation is not None:
            if not kind.choose:
                raise ValueError(f"obligation: a {self.type} event does not name an obligation")
            if self.obligation not in kind.obligations:
                raise ValueError(
                    f"obligation: {self.obligation!r} is not followed up by a {self.type} event; "
                    "choose one of: " + ", ".join(kind.obligations)
                )
        return self

    def obligation_ids(self) -> tuple[str, ...]:
        """The obligation ids this event names (before the regime maps replacements)."""
        kind = EVENT_KINDS[self.type]
        if self.obligation is not None:
            return (self.obligation,)
        return tuple(o.replace("{measure}", str(self.measure)) for o in kind.obligations)


class _HistoryError(CaseError):
    """A CaseError that still knows the data path of each problem (to find its line)."""

    def __init__(self, located: list[tuple[tuple[str | int, ...], str]]) -> None:
        self.located = located
        super().__init__([Problem(msg, field=format_path(loc) or None) for loc, msg in located])


class CaseHistory(BaseModel):
    """The facts of one case (``case``) and its dated ``events``, in the order they happened.

    ``case.decision_date`` defaults to the first ``measure_decided`` event, and
    ``case.notification_date`` to the ``notification_received`` event (see :meth:`facts`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    case: Annotated[Case, Field(description="The case facts, as for evaluate")]
    events: Annotated[
        list[Event], Field(description="What happened, in date order (same-day events any order)")
    ] = []

    @model_validator(mode="after")
    def _consistent(self) -> CaseHistory:
        located = history_problems(self)
        if located:
            raise _HistoryError(located)
        return self

    def facts(self) -> Case:
        """The case to evaluate: ``case``, with the dates the events supply filled in."""
        update: dict[str, date] = {}
        if self.case.decision_date is None:
            decided = [e.date for e in self.events if e.type == "measure_decided"]
            if decided:
                update["decision_date"] = min(decided)
        if self.case.notification_date is None:
            for e in self.events:
                if EVENT_KINDS[e.type].case_date == "notification_date":
                    update["notification_date"] = e.date
        return self.case.model_copy(update=update) if update else self.case


def history_problems(history: CaseHistory) -> list[tuple[tuple[str | int, ...], str]]:
    """What is impossible about a history, each with the data path it concerns."""
    case = history.case
    out: list[tuple[tuple[str | int, ...], str]] = []
    previous: Event | None = None
    for index, event in enumerate(history.events):
        where: tuple[str | int, ...] = ("events", index, "date")
        kind = EVENT_KINDS[event.type]
        if previous is not None and event.date < previous.date:
            out.append(
                (
                    where,
                    f"{event.date} lies before the previous event ({previous.type} on "
                    f"{previous.date}); list events in the order they happened",
                )
            )
        if event.date < case.awareness_date and not (kind.before_awareness or kind.case_date):
            out.append(
                (
                    where,
                    f"{event.date} lies before awareness_date {case.awareness_date}; only the "
                    "notification and its assessment may come before awareness",
                )
            )
        if kind.case_date is not None:
            given: date | None = getattr(case, kind.case_date)
            if given is not None and given != event.date:
                out.append(
                    (
                        where,
                        f"{event.type} on {event.date} disagrees with case.{kind.case_date} "
                        f"{given}",
                    )
                )
            elif given is None and event.date > case.awareness_date:
                out.append(
                    (
                        where,
                        f"{event.date} lies after awareness_date {case.awareness_date} (a "
                        "notification makes the municipality aware)",
                    )
                )
        if kind.measure and event.measure not in case.measures:
            shown = ", ".join(str(m) for m in case.measures) or "none"
            out.append(
                (
                    ("events", index, "measure"),
                    f"measure {event.measure} is not among the case's measures ({shown})",
                )
            )
        previous = event
    return out


# --- reading histories -----------------------------------------------------------------------


def parse_history(
    data: Any, positions: Positions | None = None, *, line_offset: int = 0
) -> CaseHistory:
    """Validate one history from plain data; raise :class:`CaseError` naming every bad field.

    ``line_offset`` is added to the lines in ``positions`` (a JSONL record's line number - 1).
    """
    if isinstance(data, CaseHistory):
        return data
    if not isinstance(data, dict):
        where = positions.file if positions else None
        line = line_offset + 1 if positions else None
        raise CaseError(
            [Problem("a case history must be a mapping with case: and events:", where, line)]
        )
    try:
        return CaseHistory.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(
            exc.errors(),
            data,
            positions,
            wording={"extra_forbidden": _unknown_field, "literal_error": _unknown_type},
            names_field=_names_field,
            name_absent=False,
            dedupe=False,
        )
    except _HistoryError as exc:
        problems = [
            Problem(msg, field=format_path(loc) or None)
            if positions is None
            else positions.problem(loc, data, msg)
            for loc, msg in exc.located
        ]
    if positions is not None:
        problems = [_moved_down(p, line_offset) for p in problems]
    raise CaseError(problems)


def _names_field(loc: Loc, head: str) -> bool:
    """A model-level check names its field at the start of the message ("consent: ...")."""
    on_case = loc == ["case"] and head in Case.model_fields
    on_event = len(loc) == 2 and loc[0] == "events" and head in Event.model_fields
    return on_case or on_event


def _unknown_field(loc: Loc, message: str, err: ErrorDetails) -> str:
    model = CaseHistory if len(loc) == 1 else Event if loc[0] == "events" else Case
    return "unknown field; known fields: " + ", ".join(model.model_fields)


def _unknown_type(loc: Loc, message: str, err: ErrorDetails) -> str:
    if err["loc"][-1] != "type":
        return message
    return "unknown event type; known types: " + ", ".join(EVENT_TYPES)


def _moved_down(problem: Problem, line_offset: int) -> Problem:
    """A problem in a record that starts on line ``line_offset + 1`` of its file."""
    line = line_offset + 1 if problem.line is None else problem.line + line_offset
    return replace(problem, line=line)


def load_history_file(path: Path | str) -> list[CaseHistory]:
    """Histories from a YAML or JSON file (one history or a list), or a ``.jsonl`` file."""
    path = Path(path)
    if path.suffix == ".jsonl":
        return list(iter_history_file(path))
    return parse_all(document_records(path, "case history"), parse_history)


def parse_history_line(text: str, file: str, line: int) -> CaseHistory:
    """One JSONL record (line number ``line``, 1-based) -> a history; problems name the line."""
    return _history_of(json_record(text, file, line))


def _history_of(record: Record) -> CaseHistory:
    line = record.line or 1
    try:
        return parse_history(record.data)
    except CaseError as exc:
        # Slow path, only for bad records: parse again remembering positions, for the column.
        again = record.located()
        if again.positions is None:
            raise CaseError(on_line(exc.problems, record.file, line)) from None
    return parse_history(again.data, again.positions, line_offset=line - 1)


def iter_history_lines(lines: Iterable[str], file: str = "<stdin>") -> Iterator[CaseHistory]:
    """Histories from JSON Lines, one at a time (constant memory); blank lines are skipped.

    Raises :class:`CaseError` at the first bad record; see :func:`iter_history_records` to go on.
    """
    for _, item in iter_history_records(lines, file):
        if isinstance(item, CaseError):
            raise item
        yield item


def iter_history_records(
    lines: Iterable[str], file: str = "<stdin>"
) -> Iterator[tuple[int, CaseHistory | CaseError]]:
    """``(line number, history)`` per JSON Lines record, or ``(line number, error)`` for a bad
    one, and goes on; blank lines are skipped."""
    for number, record in json_records(lines, file):
        if isinstance(record, CaseError):
            yield number, record
            continue
        try:
            yield number, _history_of(record)
        except CaseError as exc:
            yield number, exc


def iter_history_file(path: Path | str) -> Iterator[CaseHistory]:
    """Histories from a ``.jsonl`` file, read line by line."""
    with opened(Path(path)) as source:
        yield from iter_history_lines(source.lines, source.name)
