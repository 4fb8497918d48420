"""A verdict as data for other tools: a GeoJSON FeatureCollection (RFC 7946) and CSV rows, one per finding."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from typing import IO, Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from ._case import Case
from ._items import Items
from ._map import item_status, zone_status
from ._verdict import Verdict

__all__ = ["CSV_COLUMNS", "feature_collection", "write_csv"]

CSV_COLUMNS = ("scenario", "agreement", "reading", "as_of", "verdict", "clause", "title", "role", "finding", "parties",
               "evidence", "unknown", "article", "message", "input_sha256")  # fmt: skip


def feature_collection(case: Case, verdict: Verdict) -> dict[str, Any]:
    """The rulebook's zones and the state's located units and incidents as GeoJSON features (lon, lat; WGS 84),
    each with its finding and the ids and articles of the clauses it bears on; the verdict rides along."""
    book = case.book
    zones = zone_status(case, verdict)
    bearing: dict[str, list[tuple[str, str]]] = {}
    for _, clause in case.clauses:
        if clause is not None and clause.zone_id is not None:
            bearing.setdefault(clause.zone_id, []).append((clause.id, clause.article))
    features = [
        _feature(_oriented(book.geometry(zone_id)), {
            "layer": "zone", "id": zone_id, "name": zone.name, "illustrative": zone.illustrative,
            "finding": zones.get(zone_id), "clauses": [c for c, _ in bearing.get(zone_id, [])],
            "articles": [a for _, a in bearing.get(zone_id, [])]})
        for zone_id, zone in book.zones.items()
    ]  # fmt: skip
    items = item_status(verdict)
    cited: dict[str, list[tuple[str, str]]] = {}
    for finding in verdict.findings:
        for item in dict.fromkeys([*finding.evidence, *finding.unknown]):
            cited.setdefault(item, []).append((finding.clause, finding.reference))
    for layer, table in (("unit", case.state.units), ("incident", case.state.incidents)):
        features += [_item_feature(layer, table, row, items, cited) for row in np.flatnonzero(~np.isnan(table.lon)).tolist()]
    summary = verdict.model_dump(
        mode="json", include={"agreement", "title", "reading", "as_of", "status", "responsible", "not_assessed", "provenance"})
    return {"type": "FeatureCollection", "verdict": summary, "features": features}


def _item_feature(layer: str, table: Items, row: int, status: dict[str, str], cited: dict[str, list[tuple[str, str]]]) -> dict[str, Any]:
    item = str(table.ids[row])
    properties: dict[str, Any] = {"layer": layer, "id": item, "party" if layer == "unit" else "by": table.actors[row],
                                  "kind": str(table.kinds[row])}  # fmt: skip
    if layer == "unit":
        properties["count"] = int(table.weights[row])
    if math.isfinite(table.start[row]):
        properties["observed" if layer == "unit" else "time"] = table.stamp(row, 0)
    if table.radius_km[row] > 0:
        properties["uncertainty_km"] = float(table.radius_km[row])
    properties |= {"finding": status.get(item), "clauses": [c for c, _ in cited.get(item, [])],
                   "articles": [a for _, a in cited.get(item, [])]}  # fmt: skip
    return _feature(shapely.Point(float(table.lon[row]), float(table.lat[row])), properties)


def _feature(geometry: BaseGeometry, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": _lists(mapping(geometry)), "properties": properties}


def _oriented(geometry: BaseGeometry) -> BaseGeometry:
    """Polygons with exterior rings counterclockwise and holes clockwise, as RFC 7946 asks."""
    if isinstance(geometry, Polygon):
        return orient(geometry, 1.0)
    if isinstance(geometry, MultiPolygon):
        return MultiPolygon([orient(part, 1.0) for part in geometry.geoms])
    return geometry


def _lists(value: Any) -> Any:
    """Shapely's tuples as JSON lists."""
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(item) for item in value]
    return value


def write_csv(verdicts: Iterable[tuple[str, Verdict]], stream: IO[str]) -> None:
    """One CSV row per finding of each verdict (``CSV_COLUMNS``, a header first); lists are joined with ``;``;
    cells that a spreadsheet would read as a formula are quoted (``_inert``)."""
    writer = csv.DictWriter(stream, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for scenario, verdict in verdicts:
        for f in verdict.findings:
            row = {
                "scenario": scenario, "agreement": verdict.agreement, "reading": verdict.reading, "as_of": verdict.as_of,
                "verdict": verdict.status, "clause": f.clause, "title": f.title, "role": f.role, "finding": f.status,
                "parties": ";".join(f.parties), "evidence": ";".join(f.evidence), "unknown": ";".join(f.unknown),
                "article": f.reference, "message": f.message, "input_sha256": verdict.provenance.input,
            }  # fmt: skip
            writer.writerow({column: _inert(value) for column, value in row.items()})


def _inert(value: object) -> object:
    """A cell a spreadsheet will not run: text starting with =, +, -, @, tab or carriage return gets a leading quote."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
