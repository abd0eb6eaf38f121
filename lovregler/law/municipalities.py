"""The 98 Danish municipalities, resolvable by name, alias or kommunekode."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from lovregler.law.problems import did_you_mean


@dataclass(frozen=True, order=True)
class Municipality:
    """One municipality: its three-digit kommunekode and its name."""

    code: str
    name: str

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class UnknownMunicipality(ValueError):
    """Neither a known name nor a kommunekode; the message suggests close names."""


def _key(text: str) -> str:
    text = " ".join(text.strip().casefold().split())
    for suffix in (" kommune", " regionskommune"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text.replace("-", " ")


@cache
def _table() -> tuple[dict[str, Municipality], dict[str, Municipality]]:
    raw = yaml.safe_load(
        resources.files("lovregler").joinpath("data/kommuner.yaml").read_text(encoding="utf-8")
    )
    by_code: dict[str, Municipality] = {}
    by_name: dict[str, Municipality] = {}
    for row in raw["municipalities"]:
        m = Municipality(code=str(row["code"]), name=str(row["name"]))
        by_code[m.code] = m
        for name in [m.name, *row.get("aliases", [])]:
            by_name[_key(str(name))] = m
    return by_code, by_name


def all_municipalities() -> list[Municipality]:
    """Every municipality, by kommunekode."""
    return sorted(_table()[0].values())


def resolve_municipality(value: str | int) -> Municipality:
    """``"756"``, ``756``, ``"0756"``, ``"Ikast-Brande"`` and ``"ikast-brande kommune"`` all
    resolve to the same :class:`Municipality`."""
    by_code, by_name = _table()
    if isinstance(value, bool):
        raise UnknownMunicipality(f"{value!r} is not a municipality name or kommunekode")
    text = str(value).strip()
    if text.isdigit():
        code = text.lstrip("0").zfill(3) if len(text) <= 4 else text
        if code in by_code:
            return by_code[code]
        raise UnknownMunicipality(f"{text!r} is not a Danish kommunekode (three digits)")
    found = by_name.get(_key(text))
    if found is not None:
        return found
    hint = did_you_mean(_key(text), by_name, n=3, cutoff=0.75, show=lambda k: repr(by_name[k].name))
    raise UnknownMunicipality(
        f"{text!r} is not a Danish municipality" + (f"; {hint}" if hint else "")
    )
