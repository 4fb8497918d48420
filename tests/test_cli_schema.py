"""``truce schema``: the JSON Schemas accept the files truce reads and reject what it rejects, describe every
field, and with ``--agreement`` list a rulebook's ids; ``truce.load_data`` gives a validator what JSON would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import truce
from truce._cli import main

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "tests" / "data").glob("*/*.yaml")) + sorted((ROOT / "examples").glob("*/*.yaml"))
RULEBOOKS = sorted((ROOT / "rules").glob("*.yaml"))


def _schema(tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "schema.json"
    assert main(["schema", *args, "-o", str(out)]) == 0
    schema: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _errors(schema: dict[str, Any], data: object) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]


@pytest.mark.parametrize(("name", "files"), [("scenario", SCENARIOS), ("rulebook", RULEBOOKS)])
def test_schema_accepts_valid_files(name: str, files: list[Path], tmp_path: Path) -> None:
    assert files
    schema = _schema(tmp_path, name)
    for path in files:
        assert not _errors(schema, truce.load_data(path)), path


def test_scenario_schema_rejects_typos_and_bad_values(tmp_path: Path) -> None:
    schema = _schema(tmp_path, "scenario")
    good = truce.load_data(SCENARIOS[0])
    assert isinstance(good, dict)
    assert not _errors(schema, good)
    assert _errors(schema, {**good, "unitz": []})
    assert _errors(schema, {**good, "units": [{"id": "u", "party": "hts", "kind": "tank", "count": -1}]})
    assert _errors(schema, {key: v for key, v in good.items() if key != "as_of"})


def _properties(node: object) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property schema in a JSON Schema, by name."""
    if isinstance(node, dict):
        yield from (node.get("properties") or {}).items()
        for value in node.values():
            yield from _properties(value)
    elif isinstance(node, list):
        for value in node:
            yield from _properties(value)


@pytest.mark.parametrize("name", ["scenario", "rulebook"])
def test_every_field_is_described(name: str) -> None:
    found = list(_properties(truce.json_schema(name)))
    assert len(found) > 30
    assert [field for field, prop in found if not prop.get("description")] == []


def test_agreement_lists_the_rulebooks_ids(tmp_path: Path) -> None:
    schema = _schema(tmp_path, "scenario", "--agreement", "idlib-2019")
    book = truce.load_rulebook("idlib-2019")
    unit = schema["$defs"]["Unit"]["properties"]
    assert unit["party"]["enum"] == [*book.parties, *book.groups]
    assert unit["kind"]["enum"] == list(book.kinds)
    assert schema["properties"]["reading"]["anyOf"][0]["enum"] == ["sochi", "government"]
    good = truce.load_data(ROOT / "examples" / "idlib-2019" / "02-jihadists-stay-in-buffer.yaml")
    assert not _errors(schema, good)
    unit_row = {"id": "u", "party": "hts", "kind": "fighters", "zone": "buffer"}
    assert not _errors(schema, {**good, "units": [unit_row]})
    for field, wrong in (("party", "HTS"), ("kind", "tanks"), ("zone", "bufer")):
        assert _errors(schema, {**good, "units": [{**unit_row, field: wrong}]}), field
    incident = {"id": "i", "time": "2019-08-02T00:40:00+03:00", "kind": "shelling", "by": None}
    assert not _errors(schema, {**good, "incidents": [incident]})
    assert _errors(schema, {**good, "incidents": [{**incident, "kind": "shellings"}]})
    assert _errors(schema, {**good, "expect": {"sochi": {"status": "holds", "findings": {"no-attack": "met"}}}})
    assert _errors(schema, {**good, "expect": {"text": {"status": "holds"}}})
    assert _errors(schema, {**good, "expect": {"sochi": {"status": "holds", "responsible": ["nfll"]}}})


def test_every_example_fits_its_rulebooks_schema() -> None:
    for path in SCENARIOS:
        data = truce.load_data(path)
        assert not _errors(truce.json_schema("scenario", agreement=data["agreement"]), data), path


def test_agreement_may_be_a_rulebook_file_or_a_loaded_rulebook() -> None:
    book = truce.load_rulebook("korea-1953")
    by_file = truce.json_schema("scenario", agreement=ROOT / "rules" / "korea-1953.yaml")
    assert by_file == truce.json_schema("scenario", agreement=book) == truce.json_schema("scenario", agreement="korea-1953")
    assert by_file["$defs"]["AreaControl"]["properties"]["id"]["enum"] == []


def test_bad_requests_are_truce_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(truce.TruceError, match="only the scenario schema"):
        truce.json_schema("rulebook", agreement="idlib-2019")
    with pytest.raises(truce.TruceError, match="no such file format") as caught:
        truce.json_schema("scenarios")
    assert caught.value.suggestion is not None and "scenario" in caught.value.suggestion
    assert main(["schema", "scenario", "--agreement", "idlib-2091"]) == 3
    assert "idlib-2019" in capsys.readouterr().err


def test_load_data_keeps_times_as_text_where_yaml_makes_datetimes(tmp_path: Path) -> None:
    path = ROOT / "examples" / "idlib-2019" / "01-holds-after-withdrawal.yaml"
    data = truce.load_data(path)
    schema = truce.json_schema("scenario")
    assert isinstance(data["as_of"], str) and data["as_of"] == yaml.safe_load(path.read_text(encoding="utf-8"))["as_of"].isoformat()
    assert not _errors(schema, data)
    assert _errors(schema, yaml.safe_load(path.read_text(encoding="utf-8")))  # why load_data exists
    rulebook = truce.load_data(ROOT / "rules" / "korea-1953.yaml")
    assert rulebook["date"] == "1953-07-27" and not _errors(truce.json_schema("rulebook"), rulebook)
    broken = tmp_path / "broken.yaml"
    broken.write_text("as_of: [", encoding="utf-8")
    with pytest.raises(truce.TruceError, match="not valid YAML"):
        truce.load_data(broken)


def test_schema_to_stdout_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "rulebook"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "clauses" in schema["properties"]
    assert "clauses" in schema["required"]
