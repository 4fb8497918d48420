"""Provenance: every verdict and timeline says what produced it, the same on every machine."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

import truce
from truce._provenance import _texts
from truce.io import read_events

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "idlib-2019" / "02-jihadists-stay-in-buffer.yaml"
UCDP = ROOT / "examples" / "real" / "idlib-2019-ucdp"

_PRINT = "import sys, truce; v = truce.evaluate(sys.argv[1]); t = truce.timeline(sys.argv[1]); " \
         "print(v.provenance.model_dump_json()); print(t.provenance.model_dump_json())"


def test_a_verdict_names_its_version_rulebook_files_reading_engine_and_input() -> None:
    verdict = truce.evaluate(EXAMPLE, reading="government", engine="python")
    found = verdict.provenance
    assert (found.schema_version, found.rulebook, found.reading, found.engine) == ("1", "idlib-2019", "government", "python")
    rules = ROOT / "rules"
    assert found.files == {
        name: hashlib.sha256((rules / name).read_bytes()).hexdigest()
        for name in ("idlib-2019.yaml", "zones/idlib-buffer.geojson", "zones/idlib-contact-line.geojson",
                     "zones/idlib-deescalation.geojson")
    }
    assert found.truce == version("truce")
    assert found.input is not None and len(found.input) == 64


def test_the_same_input_gives_the_same_provenance_in_two_processes() -> None:
    runs = [subprocess.run([sys.executable, "-c", _PRINT, str(EXAMPLE)], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]  # fmt: skip
    assert runs[0] == runs[1]
    verdict, line = (json.loads(text) for text in runs[0].splitlines())
    assert verdict == json.loads(truce.evaluate(EXAMPLE).provenance.model_dump_json())
    assert line["input"] == verdict["input"]


def test_the_input_hash_follows_the_state_not_its_spelling() -> None:
    golan = ROOT / "examples" / "golan-1974" / "05-long-range-artillery.yaml"
    data = truce.load_scenario(golan).model_dump(mode="json")
    same = truce.evaluate(dict(reversed(list(data.items())))).provenance.input
    assert same == truce.evaluate(golan).provenance.input
    data["units"].reverse()
    data["units"][0]["attributes"] = {"calibre_mm": 122, "range_km": 20}
    turned = {**data, "units": [*data["units"][1:], {**data["units"][0], "attributes": {"range_km": 20, "calibre_mm": 122}}]}
    assert truce.evaluate(data).provenance.input == truce.evaluate(turned).provenance.input != same
    data["units"][0]["count"] += 1
    assert truce.evaluate(data).provenance.input not in (same, truce.evaluate(turned).provenance.input)


def test_editing_a_copy_of_a_rulebook_changes_its_hash_and_nothing_else(tmp_path: Path) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", copy)
    before = truce.evaluate(EXAMPLE, rules=copy / "idlib-2019.yaml").provenance
    assert before.files == truce.evaluate(EXAMPLE).provenance.files
    zone = copy / "zones" / "idlib-buffer.geojson"
    zone.write_text(zone.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    text = (copy / "idlib-2019.yaml").read_text(encoding="utf-8")
    (copy / "idlib-2019.yaml").write_text(text + "\n# reviewed\n", encoding="utf-8")
    after = truce.evaluate(EXAMPLE, rules=copy / "idlib-2019.yaml").provenance
    changed = {name for name in before.files if before.files[name] != after.files[name]}
    assert changed == {"idlib-2019.yaml", "zones/idlib-buffer.geojson"}


def test_columns_are_hashed_by_their_values() -> None:
    columns = {"id": ["a", "b"], "party": ["hts", "hts"], "kind": ["fighters", "fighters"], "count": [3, 4]}

    def state(counts: list[int]) -> truce.Columns:
        return truce.Columns(agreement="idlib-2019", as_of="2019-08-03T12:00:00+03:00", units={**columns, "count": counts})

    assert truce.evaluate(state([3, 4])).provenance.input == truce.evaluate(state([3, 4])).provenance.input
    assert truce.evaluate(state([3, 4])).provenance.input != truce.evaluate(state([3, 5])).provenance.input


def test_incidents_from_event_logs_keep_their_dataset_row_and_licence() -> None:
    log = read_events(UCDP / "ucdp-ged-syria-nw-2019-07-25-to-08-15.csv", UCDP / "ucdp-mapping.yaml")
    first = log.incidents[0]
    assert first.source is not None
    assert (first.source.dataset, first.source.row, first.source.line) == ("UCDP GED", first.id, 2)
    assert first.source.licence is not None and first.source.licence.startswith("CC BY 4.0")
    line = truce.timeline(log.scenario())
    assert all(i.source is not None and i.source.row == i.id for i in line.incidents)


@pytest.mark.parametrize(("one", "other"), [
    (["a\x1fb"], ["a", "b"]),          # a value holding the separator
    (['["a"]'], [["a"]]),              # a text that looks like JSON, and a list
    (["None"], [None]),
    (["a", "b"], ["b", "a"]),
    ([], [""]),
])
def test_text_columns_digest_apart(one: list[object], other: list[object]) -> None:
    """Columns are hashed fast by joining their texts; no two different columns may give the same bytes."""
    assert _texts(one) != _texts(other)
    assert _texts(list(one)) == _texts(one)


def test_the_input_hash_is_the_documented_text_of_the_state() -> None:
    """The digest's definition, written out: the header with sorted keys, then each table's rows as pydantic writes
    them, sorted; a unit without a baseline leaves the field out, one with several attributes has them sorted."""
    data = {
        "agreement": "golan-1974", "as_of": "1974-06-12T12:00:00+03:00",
        "units": [
            {"id": "b", "party": "sy", "kind": "artillery", "count": 2, "position": {"lat": 39.8, "lon": 46.75},
             "attributes": {"range_km": 20, "calibre_mm": 122}},
            {"id": "a", "party": "il", "kind": "tank", "count": 3, "zone": "separation",
             "baseline": {"lat": 39.7, "lon": 46.7, "uncertainty_km": 1.0}},
            {"id": "c", "party": "sy", "kind": "artillery", "observed": "1974-06-11T12:00:00+03:00", "attributes": {"range_km": 9}},
        ],
        "incidents": [{"id": "i", "time": "1974-06-11T10:00:00+03:00", "kind": "shelling", "by": "sy", "fatalities": 0, "note": "ü"}],
    }  # fmt: skip
    scenario = truce.Scenario.model_validate(data)
    header = scenario.model_dump(mode="json", exclude={"units", "incidents", "areas", "records"})

    def written(row: Any) -> str:
        fields = json.loads(row.model_dump_json())
        if isinstance(row, truce.Unit) and row.baseline is None:
            del fields["baseline"]
        several = len(getattr(row, "attributes", ())) > 1
        return json.dumps(fields, sort_keys=several, separators=(",", ":"), ensure_ascii=False)

    tables = ["[" + ",".join(sorted(written(row) for row in rows)) + "]" for rows in (scenario.units, scenario.incidents, [])]
    text = "[" + ",".join([json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False), *tables]) + "]"
    assert truce.prepare(scenario).input_sha256 == hashlib.sha256(text.encode()).hexdigest()
