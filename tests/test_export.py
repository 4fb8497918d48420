"""Outputs for other tools: GeoJSON (validated as RFC 7946), CSV with one row per finding, HTML for notebooks."""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path
from typing import Any

import pytest
import shapely
from geojson_pydantic import FeatureCollection
from shapely.geometry import shape

import truce
from truce._cli import EXIT_CODES, main
from truce._export import CSV_COLUMNS, feature_collection

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "examples").glob("*/*.yaml"))
BUFFER = ROOT / "examples" / "idlib-2019" / "02-jihadists-stay-in-buffer.yaml"


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def _check_rfc7946(collection: dict[str, Any]) -> None:
    """What RFC 7946 asks beyond the shape the validator checks: lon/lat ranges, closed rings, exteriors counterclockwise."""
    FeatureCollection.model_validate(collection)
    for feature in collection["features"]:
        geometry = feature["geometry"]
        points = [geometry["coordinates"]] if geometry["type"] == "Point" else [p for ring in _rings(geometry) for p in ring]
        assert points and all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in points), feature["properties"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons if geometry["type"] != "Point" else []:
            assert all(ring[0] == ring[-1] and len(ring) >= 4 for ring in polygon)
            rings = [shapely.LinearRing(ring) for ring in polygon if shapely.Polygon(ring).area > 1e-12]  # slivers have none
            assert all(ring.is_ccw == (i == 0) for i, ring in enumerate(rings))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_geojson_of_every_example_validates_and_keeps_every_located_item(path: Path) -> None:
    case = truce.prepare(path)
    verdict = truce.evaluate(case)
    collection = json.loads(json.dumps(feature_collection(case, verdict)))
    _check_rfc7946(collection)
    by_layer: dict[str, dict[str, dict[str, Any]]] = {}
    for feature in collection["features"]:
        by_layer.setdefault(feature["properties"]["layer"], {})[feature["properties"]["id"]] = feature
    assert set(by_layer.get("zone", {})) == set(case.book.zones)
    for zone_id, feature in by_layer.get("zone", {}).items():
        assert shape(feature["geometry"]).symmetric_difference(case.book.geometry(zone_id)).area < 1e-12
    located = {u.id for u in case.scenario.units if u.position}, {i.id for i in case.scenario.incidents if i.position}
    assert (set(by_layer.get("unit", {})), set(by_layer.get("incident", {}))) == located
    for finding in verdict.findings:
        for item in finding.evidence:
            for layer in ("unit", "incident"):
                if item in by_layer.get(layer, {}):
                    properties = by_layer[layer][item]["properties"]
                    assert finding.clause in properties["clauses"] and finding.reference in properties["articles"]
                    if finding.status == "violated":
                        assert properties["finding"] == "violated"
    assert collection["verdict"]["status"] == verdict.status
    assert collection["verdict"]["provenance"] == json.loads(verdict.provenance.model_dump_json())


def test_evaluate_format_geojson_prints_one_collection_per_file(capsys: pytest.CaptureFixture[str]) -> None:
    paths = SCENARIOS[:3]
    code = main(["evaluate", "--format", "geojson", *map(str, paths)])
    lines = capsys.readouterr().out.splitlines()
    assert code == max(EXIT_CODES[truce.evaluate(p).status] for p in paths)
    assert len(lines) == 3
    for line, path in zip(lines, paths, strict=True):
        case = truce.prepare(path)
        assert json.loads(line) == {"file": str(path), **json.loads(json.dumps(feature_collection(case, truce.evaluate(case))))}


def test_evaluate_format_csv_has_one_row_per_finding(capsys: pytest.CaptureFixture[str]) -> None:
    paths = [BUFFER, ROOT / "examples" / "korea-1953" / "04-crossing-to-the-south.yaml"]
    main(["evaluate", "-f", "csv", *map(str, paths)])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    verdicts = [truce.evaluate(p) for p in paths]
    assert len(rows) == sum(len(v.findings) for v in verdicts)
    assert list(rows[0]) == list(CSV_COLUMNS)
    expected = [(str(p), v.status, f.clause, f.status, ";".join(f.evidence), f.reference)
                for p, v in zip(paths, verdicts, strict=True) for f in v.findings]  # fmt: skip
    assert [(r["scenario"], r["verdict"], r["clause"], r["finding"], r["evidence"], r["article"]) for r in rows] == expected


def test_html_shows_status_colour_clauses_missing_and_notes_and_escapes_every_text() -> None:
    state = truce.load_scenario(ROOT / "examples" / "idlib-2019" / "07-unknown-position.yaml").model_dump(mode="json")
    state["units"].append({"id": "<b>x&y</b>", "party": "hts", "kind": "fighters", "count": 5})
    verdict = truce.evaluate(state)
    assert verdict.missing and verdict.notes and any("<b>x&y</b>" in f.unknown for f in verdict.findings)
    page = verdict._repr_html_()
    assert "<b>x&y</b>" not in page and "&lt;b&gt;x&amp;y&lt;/b&gt;" in page
    assert "#ff9f1c" in page and "INDETERMINATE" in page
    assert all(f.clause in page for f in verdict.findings)
    assert all(html.escape(m) in page for m in verdict.missing)
    assert all(html.escape(n) in page for n in verdict.notes)
    assert verdict.provenance.input is not None and verdict.provenance.input[:12] in page


def test_timeline_html_has_a_row_per_interval() -> None:
    line = truce.timeline(BUFFER)
    page = line._repr_html_()
    assert page.count("<tr>") == 1 + len(line.intervals)
    assert all(f"{i.start.isoformat()}" in page for i in line.intervals)


def test_geojson_round_trips_through_geopandas() -> None:
    """What an analyst does next: read the collection as a GeoDataFrame, one row per feature, with its properties."""
    import geopandas  # noqa: PLC0415 - in the test extra

    case = truce.prepare(BUFFER)
    collection = feature_collection(case, truce.evaluate(case))
    frame = geopandas.GeoDataFrame.from_features(collection["features"], crs="EPSG:4326")
    assert len(frame) == len(collection["features"])
    assert set(frame["layer"]) >= {"zone", "unit"}
    units = frame[frame["layer"] == "unit"].set_index("id")
    for unit in case.scenario.units:
        assert unit.position is not None
        assert (units.loc[unit.id].geometry.x, units.loc[unit.id].geometry.y) == (unit.position.lon, unit.position.lat)


def test_csv_cells_never_start_a_spreadsheet_formula(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Ids come from scenario authors; one that starts with = (or +, -, @) must reach a spreadsheet as text."""
    state = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00",
             "units": [{"id": "=HYPERLINK(\"x\")", "party": "hts", "kind": "fighters", "position": {"lat": 35.4389, "lon": 36.6511}}]}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(state))
    main(["evaluate", "--format", "csv", str(path)])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    evidence = [row["evidence"] for row in rows if row["evidence"]]
    assert evidence and all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
    assert "'=HYPERLINK(\"x\")" in evidence
