"""The case vocabulary and the safeguards, read from the files beside the bundled catalogue.

``vocabulary.yaml`` says what a case may give (the age range, the measure numbers and their
consent rule) and what each event of a case history fulfils; ``safeguards.yaml`` says what the
property tests prove for each overlay. Both are law, so both are data: a new regime needs an
edit of these files, never of Python. They describe the :class:`~lovregler.Case` type itself,
so they are read once, from the bundled rules.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from ._errors import Problem, RuleFileError
from ._rulemodel import Safeguards, Vocabulary
from ._yaml import YamlProblem, load_yaml

VOCABULARY_FILE = "vocabulary.yaml"
SAFEGUARDS_FILE = "safeguards.yaml"
M = TypeVar("M", bound=BaseModel)


def bundled_rules() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / VOCABULARY_FILE).is_file():
            return candidate
    raise RuleFileError(f"the bundled {VOCABULARY_FILE} is missing from this installation")


def read_data_file(path: Path, model: type[M]) -> M:
    """A YAML file beside the catalogue, validated; every problem names file, line and field."""
    try:
        data, positions = load_yaml(path)
    except YamlProblem as exc:
        raise RuleFileError([exc.problem]) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems: list[Problem] = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if isinstance(p, str | int)]
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = "unknown key"
            problems.append(positions.problem(loc, data, message, missing=err["type"] == "missing"))
        raise RuleFileError(problems) from None


@cache
def vocabulary() -> Vocabulary:
    """The bundled case vocabulary (read once: it shapes the Case type)."""
    return read_data_file(bundled_rules() / VOCABULARY_FILE, Vocabulary)


@cache
def safeguards() -> Safeguards:
    """The bundled safeguards of each overlay."""
    return read_data_file(bundled_rules() / SAFEGUARDS_FILE, Safeguards)
