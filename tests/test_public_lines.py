"""Zones rebuilt from Natural Earth stay within 1 km of the public features, and only zones
drawn from a public line are marked as not illustrative."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

import truce
from truce._geo import Projection

NATURAL_EARTH = Path(__file__).parent / "data" / "naturalearth"
ZONES = Path(__file__).resolve().parents[1] / "rules" / "zones"
PUBLIC_FILES = {"korea-mdl", "golan-line-a", "golan-line-b", "golan-separation", "turkey-syria-border"}


def _feature(name: str, key: str, value: str) -> BaseGeometry:
    features = json.loads((NATURAL_EARTH / name).read_text())["features"]
    return shapely.union_all([shape(f["geometry"]) for f in features if f["properties"].get(key) == value])


def _hausdorff_km(a: BaseGeometry, b: BaseGeometry) -> float:
    """The Hausdorff distance in kilometres, in a projection centred between the two, both densified to 100 m."""
    centre = shapely.union_all([a, b]).centroid
    projection = Projection(centre.x, centre.y)
    metric = [shapely.segmentize(projection.to_metric(g), 100.0) for g in (a, b)]
    return float(shapely.hausdorff_distance(*metric)) / 1000


def _zone_file(name: str) -> BaseGeometry:
    return shape(json.loads((ZONES / f"{name}.geojson").read_text())["features"][0]["geometry"])


LINES = "lines-of-control-naturalearth-10m.geojson"
AREAS = "ne-disputed-areas-subset.geojson"


@pytest.mark.parametrize(("zone_file", "public"), [
    ("korea-mdl", lambda: _feature(LINES, "name", "Military Demarcation Line 1953")),
    ("golan-line-a", lambda: _feature(LINES, "name", "Ceasefire Lines 1974")),
    ("golan-separation", lambda: _feature(AREAS, "BRK_NAME", "UNDOF Zone")),
    ("turkey-syria-border", lambda: shapely.intersection(
        _feature("turkey-syria-border-naturalearth-10m.geojson", "adm0_right", "Syria"), shapely.box(38.0, 30, 43, 40))),
])
def test_each_line_is_the_public_one(zone_file: str, public: object) -> None:
    assert callable(public)
    assert _hausdorff_km(_zone_file(zone_file), public()) < 1.0


def test_line_b_is_the_eastern_edge_of_the_undof_zone() -> None:
    undof = _feature(AREAS, "BRK_NAME", "UNDOF Zone")
    line_b = _zone_file("golan-line-b")
    assert _hausdorff_km(line_b, shapely.intersection(undof.boundary, shapely.buffer(line_b, 0.001))) < 1.0
    east = shapely.difference(undof.boundary, shapely.buffer(_zone_file("golan-line-a"), 0.002))
    assert shapely.length(shapely.intersection(east, shapely.buffer(line_b, 0.001))) > 0.9 * shapely.length(line_b)


def test_the_korean_dmz_is_2_km_each_side_of_the_public_line() -> None:
    """Natural Earth's own DMZ outline strays up to 5 km from its demarcation line; the zone follows the
    armistice's definition (2 km each side of the line) instead: its edge lies 2 km from the line."""
    book = truce.load_rulebook("korea-1953")
    line = _feature(LINES, "name", "Military Demarcation Line 1953")
    edge = shapely.difference(book.geometry("dmz").boundary, shapely.buffer(shapely.boundary(line), 0.03))
    projection = Projection(line.centroid.x, line.centroid.y)
    points = shapely.points(shapely.get_coordinates(shapely.segmentize(projection.to_metric(edge), 100.0)))
    distances = shapely.distance(projection.to_metric(line), points) / 1000
    assert distances.min() == pytest.approx(2.0, abs=0.02)
    assert distances.max() == pytest.approx(2.0, abs=0.02)


def test_only_zones_drawn_from_public_files_are_not_illustrative() -> None:
    for info in truce.list_rulebooks():
        book = truce.load_rulebook(info.id)
        for zone_id, zone in book.zones.items():
            used = {part for part in zone.union or [zone_id]}
            files = set()
            for part in used:
                spec = book.zones[part]
                files |= {f for f in (spec.geojson, spec.band and spec.band.line, spec.beyond and spec.beyond.line) if f}
            public = {Path(f).stem for f in files} <= PUBLIC_FILES
            assert zone.illustrative != public, (info.id, zone_id, sorted(files))


def test_public_files_name_their_source_and_licence() -> None:
    for name in PUBLIC_FILES:
        properties = json.loads((ZONES / f"{name}.geojson").read_text())["features"][0]["properties"]
        assert properties["illustrative"] is False
        assert properties["source"].startswith("Natural Earth 10m: ")
        assert "public domain" in properties["licence"]
    assert np.all([name + ".geojson" in (ZONES / "ATTRIBUTION.md").read_text() for name in PUBLIC_FILES])
