"""One side of a line within a region (``beyond:``): every such zone of the bundled rulebooks
checked through truce.evaluate near the line, at its depth and far from it; the two sides of
a line partition their region; and each misuse is a RulebookError at its file, line and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

import truce
from bookcopy import copy_rulebook
from cli_output import problem_lines
from geodesy import geodesic_km, offending_state, offset
from truce._cli import main
from truce._geo import beyond_area
from truce._rulebook import Beyond, Rulebook

EDGE_KM = 0.1
DEEP_KM = 30.0


def _coords(book: Rulebook, name: str) -> list[tuple[float, float]]:
    assert book.origin is not None
    data = json.loads((Path(book.origin).parent / name).read_text())
    geometry = data["features"][0]["geometry"]
    return [tuple(c) for c in (geometry["coordinates"] if geometry["type"] == "LineString" else geometry["coordinates"][0])]


def _sides(book: Rulebook, zone: str) -> list[tuple[str, Beyond]]:
    spec = book.zones[zone]
    if spec.union:
        return [part for z in spec.union for part in _sides(book, z)]
    return [(zone, spec.beyond)] if spec.beyond else []


def _cases() -> list[Any]:
    cases = []
    for info in truce.list_rulebooks():
        book = truce.load_rulebook(info.id)
        for clause in book.clauses:
            for part, beyond in _sides(book, clause.zone_id) if clause.zone_id else []:
                other = "left" if beyond.side == "right" else "right"
                points = [(beyond.side, beyond.from_km + EDGE_KM, True), (beyond.side, beyond.from_km + DEEP_KM, True),
                          (other, EDGE_KM, False), (other, DEEP_KM, False)]
                if beyond.from_km > 0:
                    points.append((beyond.side, beyond.from_km - EDGE_KM, False))
                for side, km, inside in points:
                    cases.append(pytest.param(info.id, clause.id, part, side, km, inside, id=f"{clause.id}-{part}-{side}-{km:g}km"))
    return cases


CASES = _cases()


def test_the_three_rulebooks_of_lines_and_the_patrol_depth_are_cased() -> None:
    assert {case.values[0] for case in CASES} == {"korea-1953", "golan-1974", "minsk-2015", "nes-2019"}


@pytest.mark.parametrize(("rulebook", "clause_id", "zone", "side", "km", "inside"), CASES)
def test_a_unit_on_each_side_near_and_far(  # noqa: PLR0917 - one parameter per column of the cases
    rulebook: str, clause_id: str, zone: str, side: str, km: float, inside: bool
) -> None:
    """Square to each segment of the line, at ``km`` on ``side``: the point nearest that segment decides."""
    book = truce.load_rulebook(rulebook)
    beyond = book.zones[zone].beyond
    assert beyond is not None
    line = _coords(book, beyond.line)
    region = shapely.Polygon(_coords(book, beyond.region))
    points = [offset(line, side, km, i) for i in range(len(line) - 1)]
    nearest = [p for p in points if region.contains(shapely.Point(p)) and geodesic_km(line, *p) == pytest.approx((km, True), rel=1e-3)]
    assert nearest, "some test point must lie in the region, nearest the segment it was measured from"
    clause = next(c for c in book.clauses if c.id == clause_id)
    assert clause.zone_id is not None
    reading = next(r for r in book.readings if clause.under(r) is not None)
    for lon, lat in nearest:
        x, y = np.array([lon]), np.array([lat])
        assert book.area(zone).covers_xy(x, y)[0] == inside, (lon, lat)
        offends = bool(book.area(clause.zone_id).covers_xy(x, y)[0])  # the side may be part of a union
        assert offends >= inside
        verdict = truce.evaluate(offending_state(book, clause, lon, lat), reading=reading)
        assert verdict.finding(clause_id).status == ("violated" if offends else "met"), verdict.explain()


def _zigzag(draw: st.DrawFn) -> list[tuple[float, float]]:
    """A line across the box from west to east, wandering north and south, never turning back."""
    xs = sorted(draw(st.lists(st.floats(30.2, 31.8), min_size=1, max_size=5, unique=True)))
    xs = [30.05, *xs, 31.95]
    ys = draw(st.lists(st.floats(49.4, 50.6), min_size=len(xs), max_size=len(xs)))
    return list(zip(xs, ys, strict=True))


@settings(max_examples=40, deadline=None)
@given(line=st.composite(_zigzag)(), lon=st.lists(st.floats(30.0, 32.0), min_size=50, max_size=50),
       lat=st.lists(st.floats(49.0, 51.0), min_size=50, max_size=50))
def test_the_two_sides_of_a_line_partition_the_region(line: list[tuple[float, float]], lon: list[float], lat: list[float]) -> None:
    region = shapely.box(30.0, 49.0, 32.0, 51.0)
    geometry = shapely.LineString(line)
    left, right = (beyond_area(geometry, side, region) for side in ("left", "right"))
    x, y = np.array(lon), np.array(lat)
    # the line's segments are straight in a metric projection and bow by up to ~200 m from straight
    # lon/lat lines here; points within ~2 km of the line or the region's edge are left out
    points = shapely.points(x, y)
    clear = ~shapely.dwithin(geometry, points, 0.03) & ~shapely.dwithin(region.boundary, points, 0.03)
    in_left, in_right = left.covers_xy(x, y), right.covers_xy(x, y)
    assert (in_left ^ in_right)[clear].all()
    # walking the line west to east, north of it is on the left: compare with the line's height there
    north = y > np.interp(x, [p[0] for p in line], [p[1] for p in line])
    assert (in_left == north)[clear].all()


def test_depth_is_the_distance_from_the_line_itself() -> None:
    region = shapely.box(30.0, 49.0, 32.0, 51.0)
    line = shapely.LineString([(30.5, 50.0), (31.5, 50.0)])
    deep = beyond_area(line, "right", region, from_km=10)
    km = 1 / 111.2  # degrees of latitude per kilometre, near enough for 1 km either side of an edge
    # beside the line; 3.6 km past its west end (9.7 and 11.6 km from the end); 21 km past it; far south
    lon = np.array([31.0, 31.0, 30.45, 30.45, 30.2, 31.9])
    lat = np.array([50.0 - 9 * km, 50.0 - 11 * km, 50.0 - 9 * km, 50.0 - 11 * km, 50.0 - 9 * km, 49.1])
    assert deep.covers_xy(lon, lat).tolist() == [False, True, False, True, True, True]


def _book(tmp_path: Path, edit: Any, rulebook: str = "korea-1953") -> Path:
    return copy_rulebook(tmp_path, rulebook, edit)


def _region(tmp_path: Path, name: str, geometry: shapely.Geometry) -> str:
    feature = {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(geometry)}
    (tmp_path / "zones" / name).write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return f"zones/{name}"


def _problem(path: Path, field: str) -> truce.Problem:
    with pytest.raises(truce.RulebookError) as info:
        truce.load_rulebook(path)
    found = {p.path: p for p in info.value.problems}
    assert field in found, sorted(found)
    problem = found[field]
    assert problem.file == str(path)
    assert problem.line is not None
    return problem


def test_a_side_that_names_no_line(tmp_path: Path) -> None:
    path = _book(tmp_path, lambda data: data["zones"]["north-of-line"]["beyond"].pop("line"))
    assert "Field required" in _problem(path, "zones.north-of-line.beyond.line").message


def test_a_side_must_be_left_or_right(tmp_path: Path) -> None:
    path = _book(tmp_path, lambda data: data["zones"]["north-of-line"]["beyond"].update(side="both"))
    assert "'left' or 'right'" in _problem(path, "zones.north-of-line.beyond.side").message


def test_a_region_that_does_not_contain_the_line(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        # the eastern half of the peninsula only: the western part of the line lies outside it
        data["zones"]["north-of-line"]["beyond"]["region"] = _region(tmp_path, "east.geojson", shapely.box(127.5, 33.0, 131.0, 43.0))

    problem = _problem(_book(tmp_path, edit), "zones.north-of-line.beyond.region")
    assert "the region does not contain the line" in problem.message
    assert "km of the line lies outside it" in problem.message
    assert problem.suggestion == "draw the region around the whole line"


def test_a_region_with_a_part_the_line_never_reaches(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        island = shapely.MultiPolygon([shapely.box(124.0, 33.0, 131.0, 43.0), shapely.box(131.5, 37.0, 132.0, 37.5)])
        data["zones"]["south-of-line"]["beyond"]["region"] = _region(tmp_path, "islands.geojson", island)

    problem = _problem(_book(tmp_path, edit), "zones.south-of-line.beyond.region")
    assert problem.message == "part of the region does not reach the line"
    assert problem.suggestion == "draw the region as one piece the line crosses"


def test_a_depth_that_leaves_no_ground(tmp_path: Path) -> None:
    path = _book(tmp_path, lambda data: data["zones"]["beyond-patrol-depth"]["beyond"].update(from_km=900), "nes-2019")
    problem = _problem(path, "zones.beyond-patrol-depth.beyond.region")
    assert "no ground of the region lies 900 km or more" in problem.message
    assert problem.suggestion == "widen the region"


@pytest.mark.parametrize(("field", "given", "message"), [
    ("region", "../korea-1953.yaml", "must lie inside the rulebook's folder"),
    ("region", "zones/korea-mdl.geojson", "expected a non-empty Polygon or MultiPolygon"),
    ("line", "zones/korea-peninsula.geojson", "expected one LineString"),
])
def test_files_of_a_side_are_checked_like_any_zone_file(tmp_path: Path, field: str, given: str, message: str) -> None:
    path = _book(tmp_path, lambda data: data["zones"]["north-of-line"]["beyond"].update({field: given}))
    assert message in _problem(path, f"zones.north-of-line.beyond.{field}").message


def test_truce_check_reports_a_misdrawn_region_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["zones"]["north-of-line"]["beyond"]["region"] = _region(tmp_path, "far.geojson", shapely.box(0.0, 0.0, 1.0, 1.0))

    path = _book(tmp_path, edit)
    assert main(["check", str(path)]) == 3
    err = capsys.readouterr().err
    assert any(f"{path}:" in line and "zones.north-of-line.beyond.region" in line and "does not contain the line" in line
               for line in problem_lines(err)), err


def test_every_bundled_zone_has_a_valid_outline() -> None:
    """Outlines feed maps, exports and the tests of named zones and vague positions: none may cross itself."""
    for info in truce.list_rulebooks():
        book = truce.load_rulebook(info.id)
        for zone in book.zones:
            assert shapely.is_valid(book.geometry(zone)), (info.id, zone, shapely.is_valid_reason(book.geometry(zone)))


def test_the_length_of_line_outside_its_region_is_given_in_km(tmp_path: Path) -> None:
    """A line drawn along a meridian from 34.0 N, and a region that starts at 34.9 N: the part outside is the
    meridian's arc between them (less the metre the region's edge is widened by)."""

    def edit(data: dict[str, Any]) -> None:
        beyond = data["zones"]["north-of-line"]["beyond"]
        beyond["line"] = _region(tmp_path, "meridian.geojson", shapely.LineString([(36.5, 34.0), (36.5, 36.0)]))
        beyond["region"] = _region(tmp_path, "box.geojson", shapely.box(36.0, 34.9, 37.0, 36.5))

    problem = _problem(_book(tmp_path, edit), "zones.north-of-line.beyond.region")
    outside_km = (Geod(ellps="WGS84").inv(36.5, 34.0, 36.5, 34.9)[2] - 1.0) / 1000
    assert problem.message == f"the region does not contain the line ({outside_km:.1f} km of the line lies outside it)"
    assert (problem.value, problem.suggestion) == ("zones/box.geojson", "draw the region around the whole line")


_MERIDIAN = shapely.LineString([(31.0, 49.5), (31.0, 50.5)])  # walked north: its right is east
_GEOD = Geod(ellps="WGS84")


def _from(lon: float, lat: float, azimuths: np.ndarray, km: float) -> tuple[np.ndarray, np.ndarray]:
    moved = _GEOD.fwd(np.full(len(azimuths), lon), np.full(len(azimuths), lat), azimuths, np.full(len(azimuths), km * 1000))
    return moved[0], moved[1]


def test_a_depth_under_a_kilometre_is_kept() -> None:
    near = beyond_area(_MERIDIAN, "right", shapely.box(30.0, 49.0, 32.0, 51.0), from_km=0.5)
    points = [_GEOD.fwd(31.0, 50.0, 90.0, km * 1000)[:2] for km in (0.3, 0.49, 0.51, 0.8)]  # east of the line's middle
    assert near.covers_xy(np.array([p[0] for p in points]), np.array([p[1] for p in points])).tolist() == [False, False, True, True]
    beside = beyond_area(_MERIDIAN, "right", shapely.box(30.0, 49.0, 32.0, 51.0))  # no depth: from the line itself
    assert beside.covers_xy(np.array([p[0] for p in points]), np.array([p[1] for p in points])).all()


def test_a_depth_past_the_lines_end_is_the_distance_from_the_end_to_the_metre() -> None:
    """Past the line's south end the ground 10 km from it is cut along a circle round the end: every point 30 m
    short of it, in any direction, is cut; every point 5 m past it is kept."""
    deep = beyond_area(_MERIDIAN, "right", shapely.box(30.0, 49.0, 32.0, 51.0), from_km=10)
    azimuths = np.linspace(100.0, 170.0, 29)  # east-south-east to south-south-east of the end
    assert not deep.covers_xy(*_from(31.0, 49.5, azimuths, 9.97)).any()
    assert deep.covers_xy(*_from(31.0, 49.5, azimuths, 10.005)).all()


def test_a_line_is_carried_on_along_its_last_few_kilometres() -> None:
    """A line along the 50th parallel whose last 5 km at each end turn north-east: carried on from each end in that
    direction (not in the direction of the parallel it mostly follows), it divides the region there."""
    line = shapely.LineString([(30.16, 49.96), (30.2, 50.0), (31.0, 50.0), (31.04, 50.04)])
    region = shapely.box(30.0, 49.0, 32.0, 51.0)
    right, left = beyond_area(line, "right", region), beyond_area(line, "left", region)
    # east of the line's end: below and above its north-eastward extension; west of its start: likewise
    lon, lat = np.array([31.8, 31.5, 30.05, 30.05]), np.array([50.3, 50.8, 49.9, 49.7])
    assert right.covers_xy(lon, lat).tolist() == [True, False, False, True]
    assert left.covers_xy(lon, lat).tolist() == [False, True, True, False]


def test_a_line_whose_end_carried_on_crosses_it_has_no_sides(tmp_path: Path) -> None:
    """A line drawn east, north, west and back south: carried on south from its end, it crosses its first stretch."""

    def edit(data: dict[str, Any]) -> None:
        beyond = data["zones"]["north-of-line"]["beyond"]
        hook = shapely.LineString([(30.5, 50.0), (31.5, 50.0), (31.5, 50.5), (30.8, 50.5), (30.8, 50.1)])
        beyond["line"] = _region(tmp_path, "hook.geojson", hook)
        beyond["region"] = _region(tmp_path, "box.geojson", shapely.box(30.0, 49.0, 32.0, 51.0))

    problem = _problem(_book(tmp_path, edit), "zones.north-of-line.beyond.region")
    assert problem.message == "the line, carried on straight from its ends to the region's edge, crosses itself"
    assert (problem.value, problem.suggestion) == ("zones/box.geojson", "draw the region so the line's ends lie near its edge")


def test_a_line_bent_round_divides_a_region_its_end_carried_on_leaves_through_a_bay_and_re_enters() -> None:
    """A horseshoe (open to the north) whose ends, carried on, meet north of the region: clipped to the region, the
    north-west extension of its east end is in two pieces where it crosses a bay cut into the region's north edge.
    Each side is then what it is without the bay, less the bay (it was once refused: "crosses itself")."""
    line = shapely.LineString([(36.0, 36.0), (36.0, 35.5), (36.5, 35.3), (37.0, 35.5), (37.0, 36.0), (36.8, 36.2)])
    region, bay = shapely.box(35.5, 35.0, 37.5, 36.6), shapely.box(36.55, 36.3, 36.65, 36.6)
    lon, lat = np.array([36.5, 36.5, 36.45, 37.3, 36.6]), np.array([35.6, 35.1, 36.58, 36.5, 36.45])  # the last in the bay
    for side, inside in (("left", [True, False, False, False, False]), ("right", [False, True, True, True, False])):
        whole, cut = beyond_area(line, side, region), beyond_area(line, side, region.difference(bay))
        assert cut.covers_xy(lon, lat).tolist() == inside
        assert cut.lonlat.symmetric_difference(whole.lonlat.difference(bay)).area < 1e-6 * whole.lonlat.area


@pytest.mark.parametrize(("line", "region", "left_points", "right_points"), [
    # a strip 22 km from south to north and 143 km from west to east, and a line across its middle
    ([(30.9, 50.0), (31.1, 50.0)], (30.0, 49.9, 32.0, 50.1), [(30.05, 50.05), (31.95, 50.05)], [(30.05, 49.95), (31.95, 49.95)]),
    # a strip 7 km from west to east and 222 km from south to north, and a line down its middle (its left is east)
    ([(31.0, 50.1), (31.0, 49.9)], (30.95, 49.0, 31.05, 51.0), [(31.02, 49.05), (31.02, 50.95)], [(30.98, 49.05), (30.98, 50.95)]),
])
def test_a_line_is_carried_on_across_a_long_narrow_region(
    line: list[tuple[float, float]], region: tuple[float, float, float, float], left_points: list[tuple[float, float]],
    right_points: list[tuple[float, float]],
) -> None:
    """Carried on from its ends, the line divides the strip all along, out to both far ends."""
    left = beyond_area(shapely.LineString(line), "left", shapely.box(*region))
    points = left_points + right_points
    covered = left.covers_xy(np.array([p[0] for p in points]), np.array([p[1] for p in points]))
    assert covered.tolist() == [True, True, False, False]


def test_a_short_line_is_carried_on_along_its_last_quarter() -> None:
    """A line of 8 km whose last 1.3 km turn north-east: carried on along its last quarter (2 km), not 5 km."""
    line = shapely.LineString([(31.0, 50.0), (31.09, 50.0), (31.1, 50.01)])
    right = beyond_area(line, "right", shapely.box(30.5, 49.5, 32.0, 51.0))
    # 60 km east of the end: under its extension along the last 2 km (40 degrees from east), over one along 5 km (14)
    assert right.covers_xy(np.array([31.94, 31.94]), np.array([50.31, 50.55])).tolist() == [True, False]


def test_a_side_that_reaches_a_pole_is_refused() -> None:
    """A region up to the north pole, and a line up it: east of the line the ground reaches the pole."""
    line, region = shapely.LineString([(10.0, 89.5), (10.0, 89.9)]), shapely.box(0.0, 89.0, 20.0, 90.0)
    with pytest.raises(ValueError, match=r"^the zone reaches a pole or crosses the 180th meridian, where it cannot be drawn in lon/lat$"):
        beyond_area(line, "right", region)


def test_a_side_keeps_the_line_it_is_measured_from(tmp_path: Path) -> None:
    book = truce.load_rulebook(_book(tmp_path, lambda data: None))
    line = json.loads((tmp_path / "zones" / "korea-mdl.geojson").read_text(encoding="utf-8"))["features"][0]["geometry"]
    assert [drawn.wkt for drawn in book.area("north-of-line").lines] == [shapely.geometry.shape(line).wkt]
