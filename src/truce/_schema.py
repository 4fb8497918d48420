"""JSON Schema for scenario and rulebook files, so editors can validate and complete the YAML."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from ._assemble import IN_FORCE
from ._errors import Problem, TruceError, did_you_mean
from ._load import load_rulebook
from ._rulebook import Rulebook
from ._scenario import Scenario
from ._source import read_document

__all__ = ["SchemaName", "json_schema", "load_data"]


class SchemaName(StrEnum):
    """The file formats truce reads."""

    scenario = "scenario"
    rulebook = "rulebook"


_MODELS: dict[SchemaName, type[BaseModel]] = {SchemaName.scenario: Scenario, SchemaName.rulebook: Rulebook}

_How = Literal["value", "items", "keys"]
"""Where ids go in a field's schema: its (text) value, each item of its list, or each key of its mapping."""


def json_schema(name: SchemaName | str, agreement: Rulebook | str | Path | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario or a rulebook file, every field described.

    Given a rulebook (a bundled id, a file, or a loaded ``Rulebook``), the scenario schema
    also lists its ids as the values each field may take, so an editor completes them.
    """
    if name not in SchemaName.__members__:
        raise TruceError.from_problems(
            "unknown schema", [Problem("name", "no such file format", value=str(name), suggestion=did_you_mean(str(name), SchemaName))]
        )
    kind = SchemaName(name)
    model = _MODELS[kind]
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **model.model_json_schema(),
        "title": f"truce {kind.value} file",
        "description": (model.__doc__ or "").strip(),
    }
    if agreement is None:
        return schema
    if kind is not SchemaName.scenario:
        raise TruceError.from_problems(
            "a rulebook's ids narrow only the scenario schema",
            [Problem("agreement", "given for a rulebook schema", suggestion="leave it out, or ask for the scenario schema")],
        )
    book = agreement if isinstance(agreement, Rulebook) else load_rulebook(agreement)
    for (model_name, field), (how, ids) in _vocabulary(book).items():
        _narrow(schema["$defs"][model_name]["properties"][field] if model_name != "Scenario" else schema["properties"][field], how, ids)
    schema["description"] += f" Ids are those of rulebook {book.id}."
    return schema


def _vocabulary(book: Rulebook) -> dict[tuple[str, str], tuple[_How, list[str]]]:
    """Each scenario field that names one of the rulebook's ids, by model and field, with where the ids go."""
    actors = [*book.parties, *book.groups]
    return {
        ("Unit", "party"): ("value", actors),
        ("Unit", "kind"): ("value", list(book.kinds)),
        ("Unit", "zone"): ("value", list(book.zones)),
        ("Unit", "attributes"): ("keys", list(book.attributes)),
        ("Incident", "by"): ("value", actors),
        ("Incident", "kind"): ("value", list(book.incident_kinds)),
        ("Incident", "zone"): ("value", list(book.zones)),
        ("AreaControl", "id"): ("value", list(book.areas)),
        ("AreaControl", "controlled_by"): ("value", actors),
        ("Patrol", "parties"): ("items", actors),
        ("Patrol", "road"): ("value", list(book.roads)),
        ("Inspection", "parties"): ("items", actors),
        ("Inspection", "zone"): ("value", list(book.zones)),
        ("RoadStatus", "road"): ("value", list(book.roads)),
        ("PostStatus", "post"): ("value", list(book.posts)),
        ("Expectation", "responsible"): ("items", actors),
        ("Expectation", "responsible_one_of"): ("items", actors),
        ("Expectation", "findings"): ("keys", [IN_FORCE, *(clause.id for clause in book.clauses)]),
        ("Scenario", "reading"): ("value", list(book.readings)),
        ("Scenario", "expect"): ("keys", list(book.readings)),
    }


def _narrow(field: dict[str, Any], how: _How, ids: list[str]) -> None:
    """Let a field's schema take only ``ids`` where ``how`` says they go (a null stays allowed where it was)."""
    if how == "keys":
        field.setdefault("propertyNames", {})["enum"] = ids
        return
    target = field["items"] if how == "items" else field
    for branch in target.get("anyOf", [target]):
        if branch.get("type") == "string":
            branch["enum"] = ids
        elif branch.get("type") == "array":  # candidate perpetrators
            branch["items"]["enum"] = ids


def load_data(source: str | Path) -> Any:
    """A YAML or JSON file as JSON data, for a JSON Schema validator: read as truce reads files (safe YAML,
    size and depth budgets), but with dates and times kept as the text written, as JSON holds them (YAML
    makes them datetimes, which a schema's strings reject)."""
    return read_document(Path(source), TruceError, times_as_text=True).data
