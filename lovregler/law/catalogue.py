"""The catalogue of regimes (``regimes.yaml``): which regimes exist, where each lives, when each
base regime is the law in force, and which are compared by default.

Nothing in Python names a regime: ``auto``, the command line's choices, scenario files, the audit
and the test strategies all read this catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lovregler._errors import Problem, RegimeError, RuleFileError, display_path
from lovregler.law.loader import CATALOGUE_FILE, HEADER_FILE, read_model
from lovregler.law.models import Catalogue, CatalogueEntry
from lovregler.law.safe_yaml import load_yaml


@dataclass(frozen=True)
class LoadedCatalogue:
    """A validated catalogue and the folder it was read from."""

    folder: Path
    model: Catalogue
    folders: dict[str, Path] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for entry in self.model.regimes:
            self.folders[entry.name] = (self.folder / entry.folder).resolve()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(entry.name for entry in self.model.regimes)

    @property
    def file(self) -> Path:
        return self.folder / CATALOGUE_FILE

    def entry(self, name: str) -> CatalogueEntry | None:
        return next((e for e in self.model.regimes if e.name == name), None)

    def folder_of(self, name: str) -> Path:
        folder = self.folders.get(name)
        if folder is None:
            raise RegimeError(f"the catalogue {display_path(self.file)} has no regime {name!r}")
        return folder

    def bases(self) -> list[CatalogueEntry]:
        """The entries with a period of force: the base regimes ``auto`` chooses between."""
        return [e for e in self.model.regimes if e.in_force is not None]

    def in_force(self, day: date) -> tuple[CatalogueEntry, bool]:
        """The base regime in force on ``day`` (the latest ``from`` among those covering it), and
        whether one covers it at all; if none does, the one in force most recently before ``day``
        (or else the earliest)."""
        bases = self.bases()
        if not bases:
            raise RegimeError(
                f"{display_path(self.file)}: no regime has `in_force`, so `auto` cannot choose"
            )

        def start(e: CatalogueEntry) -> date:
            assert e.in_force is not None
            return e.in_force.from_ or date.min

        covering = [e for e in bases if e.in_force is not None and e.in_force.covers(day)]
        if covering:
            return max(covering, key=start), True
        before = [e for e in bases if start(e) <= day]
        return (max(before, key=start) if before else min(bases, key=start)), False


def read_catalogue(folder: Path) -> LoadedCatalogue:
    """Read and check ``folder/regimes.yaml``: names unique, folders present, references known."""
    path = folder / CATALOGUE_FILE
    problems: list[Problem] = []
    model = read_model(path, Catalogue, problems)
    if model is None:
        raise RuleFileError(problems)
    file = display_path(path)
    seen: dict[str, int] = {}
    for index, entry in enumerate(model.regimes):
        where = f"regimes[{index}]"
        if entry.name in seen:
            problems.append(
                Problem(
                    f"regime {entry.name!r} is listed twice (first as regimes[{seen[entry.name]}])",
                    file,
                    entry._line,
                    field=f"{where}.name",
                )
            )
        seen.setdefault(entry.name, index)
        header = folder / entry.folder / HEADER_FILE
        if not header.is_file():
            problems.append(
                Problem(
                    f"the folder {entry.folder!r} holds no {HEADER_FILE}",
                    file,
                    entry._key_lines.get("folder", entry._line),
                    field=f"{where}.folder",
                )
            )
            continue
        try:
            data, _ = load_yaml(header)
        except Exception:  # the regime's own check reports a broken header
            continue
        named = data.get("regime") if isinstance(data, dict) else None
        if named is not None and named != entry.name:
            problems.append(
                Problem(
                    f"the folder {entry.folder!r} holds the regime {named!r}, not {entry.name!r}",
                    file,
                    entry._key_lines.get("name", entry._line),
                    field=f"{where}.name",
                )
            )
        if entry.in_force is not None and isinstance(data, dict) and data.get("extends"):
            problems.append(
                Problem(
                    "`in_force` is for base regimes; an overlay reaches as far as its "
                    "participants' windows",
                    file,
                    entry._key_lines.get("in_force", entry._line),
                    field=f"{where}.in_force",
                )
            )
    for key, name in (
        ("default", model.default),
        ("compare.base", model.compare.base),
        ("compare.other", model.compare.other),
    ):
        if name not in seen:
            owner = model.compare if key.startswith("compare.") else model
            line = owner._key_lines.get(key.rsplit(".", 1)[-1], owner._line)
            problems.append(
                Problem(
                    f"{name!r} is not a regime of the catalogue (" + ", ".join(seen) + ")",
                    file,
                    line,
                    field=key,
                )
            )
    if problems:
        raise RuleFileError(problems)
    return LoadedCatalogue(folder.resolve(), model)
