"""JSON Schema for scenario and rulebook files, so editors can validate and complete the YAML."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from ._rulebook import Rulebook
from ._scenario import Scenario

__all__ = ["SchemaName", "json_schema"]


class SchemaName(StrEnum):
    """The file formats truce reads."""

    scenario = "scenario"
    rulebook = "rulebook"


_MODELS: dict[SchemaName, type[BaseModel]] = {SchemaName.scenario: Scenario, SchemaName.rulebook: Rulebook}


def json_schema(name: SchemaName) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario or a rulebook file."""
    model = _MODELS[SchemaName(name)]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **model.model_json_schema(),
        "title": f"truce {name.value} file",
        "description": (model.__doc__ or "").strip(),
    }
