"""``truce schema``: the JSON Schemas accept the files truce reads and reject what it rejects."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from truce._cli import main

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "tests" / "data").glob("*/*.yaml"))
RULEBOOKS = sorted((ROOT / "rules").glob("*.yaml"))


def _schema(name: str, tmp_path: Path) -> dict[str, object]:
    out = tmp_path / f"{name}.json"
    assert main(["schema", name, "-o", str(out)]) == 0
    schema: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _load(path: Path) -> object:
    # JSON Schema sees what an editor sees: dates as strings, as YAML-to-JSON tools render them.
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


@pytest.mark.parametrize(("name", "files"), [("scenario", SCENARIOS), ("rulebook", RULEBOOKS)])
def test_schema_accepts_valid_files(name: str, files: list[Path], tmp_path: Path) -> None:
    assert files
    validator = jsonschema.Draft202012Validator(_schema(name, tmp_path))
    for path in files:
        errors = [e.message for e in validator.iter_errors(_load(path))]
        assert not errors, f"{path}: {errors}"


def test_scenario_schema_rejects_typos_and_bad_values(tmp_path: Path) -> None:
    validator = jsonschema.Draft202012Validator(_schema("scenario", tmp_path))
    good = _load(SCENARIOS[0])
    assert isinstance(good, dict)
    assert not list(validator.iter_errors(good))
    assert list(validator.iter_errors({**good, "unitz": []}))
    assert list(validator.iter_errors({**good, "units": [{"id": "u", "party": "hts", "kind": "tank", "count": -1}]}))
    assert list(validator.iter_errors({key: v for key, v in good.items() if key != "as_of"}))


def test_schema_to_stdout_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "rulebook"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "clauses" in schema["properties"]
    assert "clauses" in schema["required"]
