"""Distance bands: every band of every bundled rulebook, 100 m either side of each edge,
checked through truce.evaluate; and the metric projection against a geodesic reference."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import Geod

import truce
from geodesy import geodesic_km, offending_state, offset
from truce._geo import Projection, Side, _metric_area, band_area
from truce._rulebook import Band, Rulebook

GEOD = Geod(ellps="WGS84")
EDGE_KM = 0.1


def _line(book: Rulebook, band: Band) -> list[tuple[float, float]]:
    assert book.origin is not None
    data = json.loads((Path(book.origin).parent / band.line).read_text())
    return [tuple(c) for c in data["features"][0]["geometry"]["coordinates"]]  # type: ignore[misc]


def _band_parts(book: Rulebook, zone: str) -> list[tuple[str, Band]]:
    spec = book.zones[zone]
    if spec.union:
        return [part for z in spec.union for part in _band_parts(book, z)]
    return [(zone, spec.band)] if spec.band else []


def _cases() -> list[Any]:
    cases = []
    for info in truce.list_rulebooks():
        book = truce.load_rulebook(info.id)
        for clause in book.clauses:
            if clause.zone_id is None:
                continue
            for part, band in _band_parts(book, clause.zone_id):
                edges = [band.to_km] + ([band.from_km] if band.from_km > 0 else [])
                for edge in edges:
                    for km, inside in ((edge - EDGE_KM, edge != band.from_km), (edge + EDGE_KM, edge == band.from_km)):
                        cases.append(pytest.param(info.id, clause.id, part, km, inside, id=f"{clause.id}-{part}-{km:g}km"))
    return cases


CASES = _cases()


def test_every_rulebook_with_bands_has_its_band_edges_cased() -> None:
    with_bands = set()
    for info in truce.list_rulebooks():
        if any(zone.band is not None for zone in truce.load_rulebook(info.id).zones.values()):
            with_bands.add(info.id)
    assert with_bands
    assert {case.values[0] for case in CASES} == with_bands


@pytest.mark.parametrize(("rulebook", "clause_id", "zone", "km", "inside"), CASES)
def test_unit_each_side_of_each_band_edge(rulebook: str, clause_id: str, zone: str, km: float, inside: bool) -> None:
    book = truce.load_rulebook(rulebook)
    band = book.zones[zone].band
    assert band is not None
    line = _line(book, band)
    sides = [band.side] if band.side != "both" else ["left", "right"]
    points = [offset(line, s, km, i) for i in range(len(line) - 1) for s in sides]
    nearest = [p for p in points if geodesic_km(line, *p)[0] == pytest.approx(km, rel=1e-3)]
    assert nearest, "some test point must be nearest the segment it was measured from"
    lon, lat = nearest[0]
    clause = next(c for c in book.clauses if c.id == clause_id)
    reading = next(r for r in book.readings if clause.under(r) is not None)
    verdict = truce.evaluate(offending_state(book, clause, lon, lat), reading=reading)
    assert book.area(zone).covers_xy(np.array([lon]), np.array([lat]))[0] == inside
    assert verdict.finding(clause_id).status == ("violated" if inside else "met"), verdict.explain()


def test_side_matters() -> None:
    """The north-east Syria band lies south of the border only: 5 km north of it is outside."""
    book = truce.load_rulebook("nes-2019")
    band = book.zones["border-30km"].band
    assert band is not None
    line = _line(book, band)
    south, north = offset(line, "right", 5), offset(line, "left", 5)
    assert south[1] < north[1]
    covered = book.area("border-30km").covers_xy(np.array([south[0], north[0]]), np.array([south[1], north[1]]))
    assert covered.tolist() == [True, False]


def test_projection_distances_match_geodesics() -> None:
    """Distances in each band's projection agree with WGS 84 geodesics to within 0.5%, out to 300 km."""
    rng = np.random.default_rng(7)
    checked = set()
    for info in truce.list_rulebooks():
        book = truce.load_rulebook(info.id)
        for zone_id, zone in book.zones.items():
            if zone.band is None:
                continue
            line = _line(book, zone.band)
            lon0, lat0 = np.mean(line, axis=0)
            projection = Projection(float(lon0), float(lat0))
            lon = lon0 + rng.uniform(-3, 3, 200)
            lat = lat0 + rng.uniform(-2, 2, 200)
            x, y = projection.forward(lon, lat)
            planar = np.hypot(x[1:] - x[:-1], y[1:] - y[:-1])
            geodesic = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2]
            assert np.abs(planar / geodesic - 1).max() < 0.005, zone.name
            checked.add((info.id, zone_id))
    cased = {(case.values[0], case.values[2]) for case in CASES}
    assert cased and cased <= checked


def test_band_membership_matches_geodesic_distance() -> None:
    """Random points near a 70 km band both sides of the Minsk memorandum line: inside exactly when the
    geodesic distance is within it.

    Points nearest an end of the line, or within 0.5% of the edge, say nothing; points are drawn
    until exactly ``want`` inside and ``want`` outside the band have been checked."""
    want = 25
    book = truce.load_rulebook("minsk-2015")
    band = Band(line="zones/minsk-memorandum-line.geojson", side="both", to_km=70)
    line = _line(book, band)
    area = band_area(shapely.LineString(line), band.side, band.from_km, band.to_km)
    rng = np.random.default_rng(11)
    checked = {True: 0, False: 0}
    for _ in range(10):
        lon = rng.uniform(37.0, 40.5, 60)
        lat = rng.uniform(47.0, 49.5, 60)
        covered = area.covers_xy(lon, lat)
        for x, y, inside in zip(lon, lat, covered, strict=True):
            reference, between_ends = geodesic_km(line, float(x), float(y))
            within = bool(reference <= band.to_km)
            if not between_ends or abs(reference - band.to_km) <= band.to_km * 0.005 or checked[within] == want:
                continue
            assert inside == within, (x, y, reference)
            checked[within] += 1
        if min(checked.values()) == want:
            break
    assert checked == {True: want, False: want}


def test_one_side_of_a_line_bent_round_is_the_ground_it_encloses_on_that_side() -> None:
    """A line bent round like a horseshoe (the Idlib line of contact) has two sides although its ends, carried on,
    would cross far beyond the band: the inside of the bend is on its left, the outside on its right."""
    bend = shapely.LineString([[36.0, 36.0], [36.0, 35.5], [36.5, 35.3], [37.0, 35.5], [37.0, 36.0], [36.8, 36.2]])
    left, right = band_area(bend, "left", 0, 15), band_area(bend, "right", 0, 15)
    inner, outer = (np.array([36.1]), np.array([35.6])), (np.array([35.9]), np.array([35.6]))
    assert left.covers_xy(*inner)[0] and not left.covers_xy(*outer)[0]
    assert right.covers_xy(*outer)[0] and not right.covers_xy(*inner)[0]
    assert shapely.intersection(left.lonlat, right.lonlat).area < 1e-6


def test_a_line_that_crosses_itself_has_no_sides() -> None:
    loop = shapely.LineString([[36.0, 35.5], [36.4, 35.5], [36.4, 35.8], [36.2, 35.8], [36.2, 35.3]])
    with pytest.raises(ValueError, match="crosses itself"):
        band_area(loop, "left", 0, 10)


def test_a_band_that_starts_under_a_kilometre_from_its_line_leaves_the_ground_nearer_out() -> None:
    meridian = shapely.LineString([(31.0, 49.5), (31.0, 50.5)])
    band = band_area(meridian, "both", 0.5, 2.0)
    km = [-2.1, -1.9, -0.8, -0.3, 0.3, 0.49, 0.51, 0.8, 1.9, 2.1]  # east of the line's middle (west for negative km)
    points = [GEOD.fwd(31.0, 50.0, 90.0 if k > 0 else 270.0, abs(k) * 1000)[:2] for k in km]
    covered = band.covers_xy(np.array([p[0] for p in points]), np.array([p[1] for p in points]))
    assert covered.tolist() == [False, True, True, False, False, False, True, True, True, False]


@pytest.mark.parametrize(("line", "side"), [
    ([(179.95, 0.0), (179.95, 1.0)], "both"),  # 10 km either side: across the 180th meridian
    ([(-179.95, 0.0), (-179.95, 1.0)], "both"),
    ([(0.0, 89.95), (20.0, 89.95)], "both"),  # round the north pole
    ([(0.0, -89.95), (20.0, -89.95)], "both"),  # round the south pole
    ([(10.0, 89.9), (10.0, 90.0)], "left"),  # up to the north pole: no wider than 90 degrees of longitude
    ([(0.0, -89.9), (0.0, -90.0)], "left"),  # down to the south pole
])
def test_a_band_that_cannot_be_drawn_in_lon_lat_is_refused(line: list[tuple[float, float]], side: Side) -> None:
    with pytest.raises(ValueError, match=r"^the band reaches a pole or crosses the 180th meridian, where it cannot be drawn in lon/lat$"):
        band_area(shapely.LineString(line), side, 0, 10)


def test_a_band_near_a_pole_may_span_more_than_half_the_globe_in_longitude() -> None:
    # along the 80th parallel from 100 W to 100 E: 200 degrees of longitude, without crossing the 180th meridian
    line = shapely.LineString([(lon, 80.0) for lon in np.linspace(-100.0, 100.0, 41)])
    band = band_area(line, "right", 0, 10)
    assert band.lonlat.bounds[0] == pytest.approx(-100.0) and band.lonlat.bounds[2] == pytest.approx(100.0)
    assert band.covers_xy(np.array([0.0]), np.array([79.95])).tolist() == [True]


def test_a_band_beside_the_180th_meridian_or_a_pole_is_drawn() -> None:
    for line in ([(179.7, 0.0), (179.7, 1.0)], [(0.0, 89.7), (20.0, 89.7)], [(0.0, -89.7), (20.0, -89.7)]):
        band = band_area(shapely.LineString(line), "both", 0, 10)
        assert band.lonlat.bounds[2] - band.lonlat.bounds[0] < 180


def _around(lon: float, lat: float, azimuths: np.ndarray, km: float) -> tuple[np.ndarray, np.ndarray]:
    n = len(azimuths)
    moved = GEOD.fwd(np.full(n, lon), np.full(n, lat), azimuths, np.full(n, km * 1000))
    return np.asarray(moved[0]), np.asarray(moved[1])


def test_a_band_ends_square_with_its_lines_ends() -> None:
    meridian = shapely.LineString([(31.0, 49.5), (31.0, 50.5)])
    band = band_area(meridian, "both", 0, 2.0)
    # 1 km past each end, and beside the ends just within them
    past = [GEOD.fwd(31.0, 50.5, 0.0, 1000.0)[:2], GEOD.fwd(31.0, 49.5, 180.0, 1000.0)[:2]]
    within_ends = [GEOD.fwd(31.0, 50.5, 180.0, 50.0)[:2], GEOD.fwd(31.0, 49.5, 0.0, 50.0)[:2]]  # 50 m inside each end
    beside = [GEOD.fwd(*within_ends[0], 90.0, 1500.0)[:2], GEOD.fwd(*within_ends[1], 270.0, 1500.0)[:2]]
    points = past + beside
    assert band.covers_xy(np.array([p[0] for p in points]), np.array([p[1] for p in points])).tolist() == [False, False, True, True]


def test_a_band_round_the_outside_of_a_bend_is_its_width_to_the_metre() -> None:
    """A line north then east: on its left, round the corner, every point 15 m short of 10 km from the corner is in."""
    bend = shapely.LineString([(31.0, 49.5), (31.0, 50.0), (31.7, 50.0)])
    band = band_area(bend, "left", 0, 10.0)
    azimuths = np.linspace(272.0, 358.0, 44)  # west to north of the corner
    assert band.covers_xy(*_around(31.0, 50.0, azimuths, 9.985)).all()
    assert not band.covers_xy(*_around(31.0, 50.0, azimuths, 10.015)).any()



def _cut_bands() -> list[Any]:
    """Every bundled band that starts away from its line (from_km > 0), by rulebook and zone."""
    return [pytest.param(info.id, zone, id=f"{info.id}-{zone}") for info in truce.list_rulebooks()
            for zone, spec in truce.load_rulebook(info.id).zones.items() if spec.band and spec.band.from_km > 0]


@pytest.mark.parametrize(("rid", "zone"), _cut_bands())
def test_the_edge_of_a_band_cut_from_its_line_is_the_edge_of_its_ground(rid: str, zone: str) -> None:
    # The square ends of the two bands cut from each other (to 20 km, less to 10 km) nearly coincide; what that
    # once left was kilometres long and of no width, yet counted as the zone's edge: a unit between the line and
    # the band, well outside the zone, was taken to stand on its edge. So: halfway between each end of the line
    # and the band, the distance to the edge is the distance to the zone's ground (some ground lies just beyond it).
    book = truce.load_rulebook(rid)
    band = book.zones[zone].band
    assert band is not None
    line, area = _line(book, band), book.area(zone)
    turns = {"left": [-90.0], "right": [90.0], "both": [-90.0, 90.0]}[band.side]
    ends = [(line[0], GEOD.inv(*line[0], *line[1])[0]), (line[-1], GEOD.inv(*line[-2], *line[-1])[0])]
    for ((lon, lat), heading), turn in itertools.product(ends, turns):
        x, y, _ = GEOD.fwd(lon, lat, heading + turn, band.from_km * 500)
        edge = float(area.edge_km(np.array([x]), np.array([y]))[0])
        assert edge >= 0, "the point lies between the line and the band, outside the zone"
        around = np.arange(0.0, 360.0, 1.0)
        ring_x, ring_y, _ = GEOD.fwd(np.full(around.size, x), np.full(around.size, y), around, np.full(around.size, edge * 1000 + 200))
        assert area.covers_xy(ring_x, ring_y).any(), f"no ground within {edge:.2f} km of the edge found from {x, y}"


@pytest.mark.parametrize("rid", [info.id for info in truce.list_rulebooks()])
def test_no_zone_drawn_from_a_line_has_a_part_narrower_than_a_metre(rid: str) -> None:
    # what cutting one band from another once left (a spike of no width, a strip of millimetres) is drawn on the
    # map as a stray line and measured as the zone's edge; opening the outline by half a metre must not shorten it
    book = truce.load_rulebook(rid)
    for zone, spec in book.zones.items():
        if spec.band is None and spec.beyond is None:
            continue
        outline = book.area(zone).lonlat
        half_metre = 0.5 / 111_000  # in degrees of latitude, a little less in longitude
        opened = shapely.buffer(shapely.buffer(outline, -half_metre, join_style="mitre"), half_metre, join_style="mitre")
        assert opened.boundary.length == pytest.approx(outline.boundary.length, rel=1e-3), zone


@pytest.mark.parametrize("rid", [info.id for info in truce.list_rulebooks()])
def test_a_zone_drawn_in_metres_places_a_point_a_centimetre_from_its_edge_on_the_right_side(rid: str) -> None:
    # a band (or the ground beyond a line) is drawn in metres and placed by its lon/lat outline, densified every
    # 500 m: every 100 m along the metric edge, a point 1 cm inside is in the zone and one 1 cm outside is not
    book = truce.load_rulebook(rid)
    drawn = [book.area(zone) for zone, spec in book.zones.items() if spec.band or spec.beyond]
    drawn += [deeper for area in drawn for deeper in area.depths.values()]
    for area in drawn:
        projection, metric = area._projection, area._metric  # the outline it was drawn as, in metres
        assert projection is not None and metric is not None
        for metres, inside in ((-0.01, True), (0.01, False)):
            lon, lat = shapely.get_coordinates(projection.to_lonlat(shapely.segmentize(metric.buffer(metres).boundary, 100))).T
            assert (area.covers_xy(lon, lat) == inside).all(), (rid, metres)


def test_an_outline_that_crosses_itself_once_moved_to_lon_lat_is_repaired() -> None:
    """A zone drawn in metres with a hole touching its edge at one point is valid there, but its edges, densified
    and moved to lon/lat, can cross (the point lies between two of the points the edge is densified to): the zone's
    lon/lat outline (what unions, relations between zones and maps use) is then made valid, of the same area, the
    hole still out of it."""
    projection, half, tip = Projection(36.5, 35.5), 30_000.0, -15_250.0
    shell = [(-half, -half), (half, -half), (half, half), (-half, half)]
    ground = shapely.Polygon(shell, [[(tip, half), (tip + 1_500, half - 3_000), (tip - 1_500, half - 3_000)]])
    moved = projection.to_lonlat(ground)
    assert ground.is_valid and not moved.is_valid, "the case this test is about: valid in metres, not in lon/lat"
    area = _metric_area(ground, projection, "zone", shapely.LineString(shell[:2]))
    assert area.lonlat.is_valid
    assert area.lonlat.area == pytest.approx(moved.area, rel=1e-9)
    middle, in_hole = projection.to_lonlat(shapely.Point(0, 0)), projection.to_lonlat(shapely.Point(tip, half - 2_000))
    assert area.lonlat.covers(middle) and not area.lonlat.covers(in_hole)
