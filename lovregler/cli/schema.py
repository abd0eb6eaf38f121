"""JSON Schemas for rule files, regime headers and cases, generated from the pydantic models.

The same schemas are shipped in ``rules/schemas/`` so that editors can validate rule files
as legal staff type (each rule file starts with ``# yaml-language-server: $schema=...``). They
sit in the rules folder so that the path, relative to each rule file, is the same in a checkout,
in a copy of the folder and in the installed wheel (which holds ``rules`` as
``lovregler/rules``). A test keeps the shipped files equal to what this module generates.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from lovregler.case.model import Case
from lovregler.law.models import Catalogue, RegimeHeader, RuleFile, Safeguards, Vocabulary

SCHEMA_FILES = {
    "scenario": "scenario.schema.json",
    "rules": "rulefile.schema.json",
    "regime": "regime.schema.json",
    "case": "case.schema.json",
    "catalogue": "catalogue.schema.json",
    "vocabulary": "vocabulary.schema.json",
    "safeguards": "safeguards.schema.json",
}
_MODELS: dict[str, type[BaseModel]] = {
    "rules": RuleFile,
    "regime": RegimeHeader,
    "case": Case,
    "catalogue": Catalogue,
    "vocabulary": Vocabulary,
    "safeguards": Safeguards,
}


def schema_for(kind: str) -> dict[str, Any]:
    if kind == "scenario":
        from lovregler.testing.scenarios import scenario_json_schema

        scenario = scenario_json_schema()
        scenario["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        scenario["$id"] = f"https://lovregler.invalid/schemas/{SCHEMA_FILES[kind]}"
        return scenario
    schema: dict[str, Any] = _MODELS[kind].model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://lovregler.invalid/schemas/{SCHEMA_FILES[kind]}"
    return schema
