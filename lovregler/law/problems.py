"""Problems in lovregler's own words: pydantic's validation errors, and the "did you mean" hint.

Rule files, regime headers, scenario files, cases and case histories are all validated by
pydantic models; :func:`validation_problems` turns the errors into :class:`Problem`\\ s that name
the field and, when the document's :class:`~lovregler.law.safe_yaml.Positions` are known, its file, line
and column. What differs between those inputs is passed in: the words for an unknown or a
missing key, and which model-level checks name a field.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic_core import ErrorDetails

from lovregler._errors import Problem
from lovregler.law.safe_yaml import PathKey, Positions, format_path

Loc = list[str | int]
Reword = Callable[[Loc, str, ErrorDetails], str]
"""Words one error: ``(its data path, pydantic's message, the error) -> message``."""


def did_you_mean(
    word: str,
    choices: Iterable[str],
    *,
    n: int = 1,
    cutoff: float = 0.6,
    show: Callable[[str], str] = repr,
) -> str | None:
    """``did you mean 'x'?`` (``'x' or 'y'`` when ``n`` > 1) for the choices closest to
    ``word``, or ``None`` when none is close enough; ``show`` writes a choice in the hint."""
    close = difflib.get_close_matches(word, list(choices), n=n, cutoff=cutoff)
    if not close:
        return None
    return "did you mean " + " or ".join(show(c) for c in close) + "?"


def must_be(loc: Loc, message: str, err: ErrorDetails) -> str:
    """Pydantic's ``Input should be 'a' or 'b'`` as ``must be 'a' or 'b'``."""
    return message.replace("Input should be", "must be")


def validation_problems(
    errors: Iterable[ErrorDetails],
    data: Any,
    positions: Positions | None = None,
    *,
    wording: Mapping[str, str | Reword],
    names_field: Callable[[Loc, str], bool] | None = None,
    where: PathKey = (),
    name_absent: bool = True,
    dedupe: bool = True,
) -> list[Problem]:
    """Pydantic's errors about ``data`` as problems, each naming its field (and, with
    ``positions``, its file, line and column).

    ``wording`` maps an error type (``"extra_forbidden"``, ``"missing"``, ...) to the message
    to give instead of pydantic's, or to a :data:`Reword` function. A model-level check may
    name its field at the start of its message (``"consent: is required ..."``); where
    ``names_field(loc, "consent")`` holds, the problem is placed on that field. ``where`` is
    the path of ``data`` inside the document that ``positions`` describe (a case in a scenario
    file). With ``name_absent``, a problem about a key the data lacks names that key, on its
    parent's line; without it, the problem names the nearest key present. Without
    ``positions`` the field is the error's own path.
    """
    inner = positions.under(where) if positions is not None else None
    out: list[Problem] = []
    for err in errors:
        loc: Loc = [p for p in err["loc"] if isinstance(p, str | int)]
        message = err["msg"].removeprefix("Value error, ")
        kind = err["type"]
        head, sep, rest = message.partition(": ")
        moved = bool(
            kind == "value_error" and sep and names_field is not None and names_field(loc, head)
        )
        if moved:
            loc, message = [*loc, head], rest
        reword = wording.get(kind)
        if isinstance(reword, str):
            message = reword
        elif reword is not None:
            message = reword(loc, message, err)
        if inner is None:
            problem = Problem(message, field=format_path((*where, *loc)) or None)
        else:
            absent = name_absent and (kind == "missing" or moved)
            path, position = inner.place(loc, data, missing=absent)
            problem = Problem.at(position, message, format_path((*where, *path)) or None)
        if not (dedupe and problem in out):
            out.append(problem)
    return out
