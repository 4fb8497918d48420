"""The illustrative Idlib zones hold the places the brief says they hold, and no others."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import shapely
from pyproj import Geod

import places
import truce
from bookcopy import copy_rulebook
from geodesy import offset
from truce._geo import KM_PER_DEGREE, great_circle_km

INSIDE_BUFFER = ["KHAN_SHAYKHUN", "MOREK", "KAFR_ZITA", "AL_LATAMINA", "QALAAT_AL_MADIQ"]
OUTSIDE_BOTH = ["HAMA", "ALEPPO", "LATAKIA"]
INTERIOR = ["IDLIB_CITY", "KAFR_NABL", "MAARAT_AL_NUMAN", "ARIHA", "SARAQIB", "JISR_AL_SHUGHUR"]


def _contains(book: truce.Rulebook, zone: str, place: str) -> bool:
    point = getattr(places, place)
    return bool(shapely.contains_xy(book.geometry(zone), point["lon"], point["lat"]))


@pytest.mark.parametrize("rulebook", ["idlib-2019", "sochi-2018"])
def test_zones_are_marked_illustrative(rulebook: str) -> None:
    book = truce.load_rulebook(rulebook)
    assert all(zone.illustrative for zone in book.zones.values())


@pytest.mark.parametrize("place", INSIDE_BUFFER)
def test_buffer_holds_the_towns_inside_the_sochi_zone(idlib: truce.Rulebook, place: str) -> None:
    assert _contains(idlib, "buffer", place)
    assert _contains(idlib, "deescalation", place)


@pytest.mark.parametrize("place", ["IDLIB_CITY", *OUTSIDE_BOTH])
def test_buffer_excludes_the_interior_and_government_cities(idlib: truce.Rulebook, place: str) -> None:
    assert not _contains(idlib, "buffer", place)


@pytest.mark.parametrize("place", INTERIOR)
def test_deescalation_area_holds_the_interior(idlib: truce.Rulebook, place: str) -> None:
    assert _contains(idlib, "deescalation", place)


@pytest.mark.parametrize("place", OUTSIDE_BOTH)
def test_deescalation_area_excludes_government_held_cities(idlib: truce.Rulebook, place: str) -> None:
    assert not _contains(idlib, "deescalation", place)


def test_buffer_lies_within_the_deescalation_area(idlib: truce.Rulebook) -> None:
    assert idlib.geometry("deescalation").covers(idlib.geometry("buffer"))


# Zone files a rulebook author could get wrong: each is refused at the zone's field, with the file named.

_OUTSIDE = "zone files must lie inside the rulebook's folder: "
_WAY_BACK = "give a path relative to the rulebook's folder without '..', e.g. zones/buffer.geojson"


def _idlib(tmp_path: Path, edit: Callable[[dict[str, Any]], object]) -> Path:
    return copy_rulebook(tmp_path, "idlib-2019", edit)


def _buffer_from(given: str) -> Callable[[dict[str, Any]], object]:
    return lambda book: book["zones"]["buffer"].update(geojson=given)


def _only_problem(path: Path) -> truce.Problem:
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(path)
    (problem,) = caught.value.problems
    assert problem.file == str(path) and problem.line is not None
    return problem


@pytest.mark.parametrize(("given", "reason"), [
    ("../idlib-2019.yaml", "the path leads out of the folder (through '..' or a symbolic link)"),
    ("zones/../../idlib-2019.yaml", "the path leads out of the folder (through '..' or a symbolic link)"),
    ("/etc/hostname", "an absolute path is not allowed"),
    ("C:\\zones\\idlib-buffer.geojson", "an absolute path is not allowed"),
    ("zones/idlib\0buffer.geojson", "the path contains a NUL byte"),
])
def test_a_zone_file_outside_the_rulebooks_folder_is_never_read(tmp_path: Path, given: str, reason: str) -> None:
    folder = tmp_path / "book"
    problem = _only_problem(_idlib(folder, _buffer_from(given)))
    expected = ("zones.buffer.geojson", _OUTSIDE + reason, given, _WAY_BACK)
    assert (problem.path, problem.message, problem.value, problem.suggestion) == expected


def test_a_symbolic_link_may_not_lead_out_of_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    path = _idlib(folder, _buffer_from("zones/link.geojson"))
    (tmp_path / "elsewhere.geojson").write_bytes((folder / "zones" / "idlib-buffer.geojson").read_bytes())
    (folder / "zones" / "link.geojson").symlink_to(tmp_path / "elsewhere.geojson")
    problem = _only_problem(path)
    assert problem.message == _OUTSIDE + "the path leads out of the folder (through '..' or a symbolic link)"
    (folder / "zones" / "link.geojson").unlink()
    (folder / "zones" / "link.geojson").symlink_to(folder / "zones" / "idlib-buffer.geojson")
    assert "zones/idlib-buffer.geojson" in truce.load_rulebook(path).files  # the file read, by its own path


def test_a_rulebooks_files_are_its_own_and_each_zone_file_read_once(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:  # read in the order deescalation, contact line, buffer; listed by name
        book["zones"]["buffer"]["geojson"] = "zones/idlib-deescalation.geojson"
        book["zones"]["deescalation"]["geojson"] = "./zones/idlib-buffer.geojson"
        book["zones"]["again"] = {"name": "again", "geojson": "zones/../zones/idlib-deescalation.geojson"}

    path = _idlib(tmp_path, edit)
    files = truce.load_rulebook(path).files
    names = ["idlib-2019.yaml", "zones/idlib-buffer.geojson", "zones/idlib-contact-line.geojson", "zones/idlib-deescalation.geojson"]
    assert list(files) == names
    assert files == {name: hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() for name in names}


def _feature_collection(*features: object) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def _square(lon: float, lat: float, size: float = 1.0) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


_LONLAT = ": coordinates must be lon/lat degrees (GeoJSON order: lon, lat)"


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", " is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    ("[" * 100_000 + "]" * 100_000, " is nested too deeply"),
    (_feature_collection(1), ": each feature must be a JSON object"),
    (_feature_collection({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": "x"}}),
     ": not a GeoJSON geometry (could not convert string to float: 'x')"),
    (_feature_collection(), " holds no geometry"),
    (json.dumps({"type": "FeatureCollection"}), " holds no geometry"),
    (json.dumps(_square(35.0, 100.0)), _LONLAT),
    (json.dumps(_square(35.0, -91.0)), _LONLAT),
    (json.dumps(_square(35.0, 89.75, 0.5)), _LONLAT),
    (json.dumps(_square(35.0, -90.25, 0.5)), _LONLAT),
    (json.dumps(_square(180.0, 35.0, 0.5)), _LONLAT),
    (json.dumps(_square(-180.5, 35.0, 0.5)), _LONLAT),
    (json.dumps({"type": "LineString", "coordinates": [[36.0, 35.0], [36.5, 35.5]]}),
     ": expected a non-empty Polygon or MultiPolygon, found LineString"),
    (json.dumps({"type": "Polygon", "coordinates": []}), " holds no geometry"),  # once said to be not lon/lat (its bounds are NaN)
    (_feature_collection({"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": []}}), " holds no geometry"),
])
def test_a_zone_file_that_is_no_lon_lat_polygon_is_named(tmp_path: Path, content: str, message: str) -> None:
    path = _idlib(tmp_path, _buffer_from("zones/drawn.geojson"))
    (tmp_path / "zones" / "drawn.geojson").write_text(content, encoding="utf-8")
    problem = _only_problem(path)
    assert (problem.path, problem.value, problem.suggestion) == ("zones.buffer.geojson", "zones/drawn.geojson", None)
    assert problem.message == f"zone file {tmp_path / 'zones' / 'drawn.geojson'}{message}"


@pytest.mark.parametrize("drawn", [
    _square(179.0, 89.0),
    _square(-180.0, -90.0),
    {"type": "Feature", "properties": {}, "geometry": _square(36.0, 35.0, 0.5)},
    {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": _square(36.0, 35.0, 0.5)}, _square(37.0, 35.0, 0.5)]},
])
def test_a_zone_drawn_to_the_edges_of_the_map_or_as_a_feature_loads(tmp_path: Path, drawn: dict[str, Any]) -> None:
    path = _idlib(tmp_path, _buffer_from("zones/drawn.geojson"))
    (tmp_path / "zones" / "drawn.geojson").write_text(json.dumps(drawn), encoding="utf-8")
    book = truce.load_rulebook(path)
    expected = shapely.union_all([shapely.geometry.shape(g) for g in _geometries(drawn)])
    assert book.geometry("buffer").equals(expected)


def _geometries(drawn: dict[str, Any]) -> list[dict[str, Any]]:
    if drawn["type"] == "FeatureCollection":
        return [g for f in drawn["features"] for g in _geometries(f)]
    return [drawn["geometry"]] if drawn["type"] == "Feature" else [drawn]


def test_a_missing_zone_file_is_named(tmp_path: Path) -> None:
    problem = _only_problem(_idlib(tmp_path, _buffer_from("zones/missing.geojson")))
    assert (problem.path, problem.value) == ("zones.buffer.geojson", "zones/missing.geojson")
    assert problem.message == f"zone file {tmp_path / 'zones' / 'missing.geojson'}: cannot read file: No such file or directory"


@pytest.mark.parametrize(("drawn", "found"), [
    ({"type": "Polygon", "coordinates": [[[36.0, 35.0], [36.5, 35.0], [36.5, 35.5], [36.0, 35.0]]]},
     ": expected one LineString, found Polygon"),
    ({"type": "MultiLineString", "coordinates": [[[36.0, 35.0], [36.5, 35.0]], [[36.0, 35.5], [36.5, 35.5]]]},
     ": expected one LineString, found MultiLineString"),
    ({"type": "LineString", "coordinates": []}, " holds no geometry"),
    ({"type": "LineString", "coordinates": [[36.0, 35.0], [36.0, 35.0]]}, " holds no geometry"),  # a line of no length
])
def test_a_depth_line_file_that_holds_no_line_is_named(tmp_path: Path, drawn: dict[str, Any], found: str) -> None:
    path = _idlib(tmp_path, lambda book: book["zones"]["buffer"]["depths"].update(line="zones/line.geojson"))
    (tmp_path / "zones" / "line.geojson").write_text(json.dumps(drawn), encoding="utf-8")
    problem = _only_problem(path)
    assert (problem.path, problem.value) == ("zones.buffer.depths.line", "zones/line.geojson")
    kind = "line" if found.startswith(": expected") else "zone"
    assert problem.message == f"{kind} file {tmp_path / 'zones' / 'line.geojson'}{found}"


def test_a_depth_line_that_is_no_line_is_named(tmp_path: Path) -> None:
    problem = _only_problem(_idlib(tmp_path, lambda book: book["zones"]["buffer"]["depths"].update(line="zones/idlib-buffer.geojson")))
    assert (problem.path, problem.value) == ("zones.buffer.depths.line", "zones/idlib-buffer.geojson")
    assert problem.message == f"line file {tmp_path / 'zones' / 'idlib-buffer.geojson'}: expected one LineString, found Polygon"


def test_a_union_of_unions_is_refused(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        book["zones"]["both"] = {"name": "both", "union": ["buffer", "deescalation"]}
        book["zones"]["all"] = {"name": "all", "union": ["deescalation", "both"]}

    problem = _only_problem(_idlib(tmp_path, edit))
    assert (problem.path, problem.message, problem.value) == ("zones.all.union[1]", "a union is made of zones that are not unions", "both")


def test_zones_geos_cannot_join_are_a_located_error_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GEOS raises on some nearly coinciding edges; none of the bundled zones does, so the failure is planted
    def fails(parts: object) -> None:
        raise shapely.errors.GEOSException("TopologyException: side location conflict at 36.5 35.6")

    monkeypatch.setattr(truce._geo, "union_area", fails)
    problem = _only_problem(_idlib(tmp_path, lambda book: book["zones"].update(both={"name": "both", "union": ["buffer", "deescalation"]})))
    assert (problem.path, problem.message) == (
        "zones.both.union", "the zones cannot be joined: TopologyException: side location conflict at 36.5 35.6"
    )


def test_a_union_holds_the_ground_of_its_parts(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        book["zones"]["both"] = {"name": "both", "union": ["buffer", "deescalation"]}

    book = truce.load_rulebook(_idlib(tmp_path, edit))
    assert book.geometry("both").equals(shapely.union(book.geometry("buffer"), book.geometry("deescalation")))
    for place in [*INSIDE_BUFFER, *INTERIOR]:
        assert _contains(book, "both", place)
    for place in OUTSIDE_BOTH:
        assert not _contains(book, "both", place)


# How far a point lies from a zone's edge (what truce.robustness moves an edge by): signed, in km on the ground.

GEOD = Geod(ellps="WGS84")


def _squares(tmp_path: Path) -> truce.Rulebook:
    """Idlib's rulebook with its buffer a 0.5 degree square and its de-escalation area a square overlapping
    the buffer's eastern 0.1 degree, and a zone ``pair`` joining them."""

    def edit(book: dict[str, Any]) -> None:
        book["zones"]["buffer"]["geojson"] = "zones/west.geojson"
        book["zones"]["deescalation"]["geojson"] = "zones/east.geojson"
        book["zones"]["pair"] = {"name": "both squares", "union": ["buffer", "deescalation"]}

    path = _idlib(tmp_path, edit)
    (tmp_path / "zones" / "west.geojson").write_text(json.dumps(_square(36.0, 35.0, 0.5)), encoding="utf-8")
    (tmp_path / "zones" / "east.geojson").write_text(json.dumps(_square(36.4, 35.0, 0.5)), encoding="utf-8")
    return truce.load_rulebook(path)


def _north_of(lon: float, lat: float, *km: float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Points ``km`` due north of (lon, lat) (south for negative km), as lon and lat arrays."""
    moved = [GEOD.fwd(lon, lat, 0.0, k * 1000)[:2] for k in km]
    return np.array([m[0] for m in moved]), np.array([m[1] for m in moved])


def test_the_distance_to_a_zones_edge_is_signed_and_true_on_the_ground(tmp_path: Path) -> None:
    area = _squares(tmp_path).area("buffer")
    lon, lat = _north_of(36.25, 35.5, -2, 3, 50, 600)  # from the middle of the square's northern edge
    expected = np.array([-2.0, 3.0, 50.0, 600.0])
    assert area.edge_km(lon, lat) == pytest.approx(expected, rel=1e-5)
    assert area.edge_km(lon, lat, 5.0) == pytest.approx(np.array([-2.0, 3.0, np.nan, np.nan]), rel=1e-5, nan_ok=True)
    reach = np.array([1.9, 3.1, 49.0, 601.0])  # one for each point: only the second and the last are within theirs
    assert area.edge_km(lon, lat, reach) == pytest.approx(np.array([np.nan, 3.0, np.nan, 600.0]), rel=1e-5, nan_ok=True)
    assert area.edge_km(lon, lat, 0.0) == pytest.approx(np.full(4, np.nan), nan_ok=True)
    # a point just within the distance asked is found, however wide: 5 km, 50 km
    near_lon, near_lat = _north_of(36.25, 35.5, 4.99, -4.99, 49.9)
    assert area.edge_km(near_lon[:2], near_lat[:2], 5.0) == pytest.approx(np.array([4.99, -4.99]), rel=1e-5)
    assert area.edge_km(near_lon[2:], near_lat[2:], 50.0) == pytest.approx(np.array([49.9]), rel=1e-5)


def test_a_point_without_a_place_has_no_distance(tmp_path: Path) -> None:
    area = _squares(tmp_path).area("buffer")
    lon, lat = _north_of(36.25, 35.5, 3, 4)
    lon[0] = lat[0] = np.nan
    assert area.edge_km(lon, lat) == pytest.approx(np.array([np.nan, 4.0]), rel=1e-5, nan_ok=True)
    assert area.edge_km(lon, lat, 10.0) == pytest.approx(np.array([np.nan, 4.0]), rel=1e-5, nan_ok=True)


def test_the_distance_to_a_unions_edge_is_the_deepest_inside_a_part_or_the_nearest_outside_all(tmp_path: Path) -> None:
    book = _squares(tmp_path)
    pair = book.area("pair")
    # inside both squares 0.02 degrees east of the eastern square's western edge; inside the western square only;
    # north of the overlap; east of both
    lon, lat = np.array([36.42, 36.2, 36.45, 37.0]), np.array([35.25, 35.25, 35.55, 35.25])
    own = [book.area(zone).edge_km(lon, lat) for zone in ("buffer", "deescalation")]
    assert pair.edge_km(lon, lat) == pytest.approx(np.fmin(*own))
    assert np.sign(pair.edge_km(lon, lat)).tolist() == [-1, -1, 1, 1]
    assert pair.covers_xy(lon, lat).tolist() == [True, True, False, False]
    assert book.area("deescalation").covers_xy(lon, lat).tolist() == [True, False, False, False]
    near = pair.edge_km(lon, lat, 6.0)  # the first lies more than 6 km inside the western square: deep inside the pair
    assert np.isnan(near[0]) and not np.isnan(own[1][0]) and abs(own[1][0]) < 6
    assert near[2] == pytest.approx(min(own[0][2], own[1][2]))


def test_the_nearest_point_to_a_zones_edge_is_looked_for_out_to_a_thousand_times_the_distance_known(tmp_path: Path) -> None:
    area = _squares(tmp_path).area("buffer")
    lon, lat = _north_of(36.25, 35.5, 20, -8, 9, 400)
    assert area.nearest(lon, lat, 1.0) == 1
    assert area.nearest(lon[2:], lat[2:], 1.0) == 0
    assert area.nearest(lon[3:], lat[3:], 1.0) == 0
    assert area.nearest(lon[3:], lat[3:], 0.1) == -1  # past 0.1 km doubled ten times
    either_side = _north_of(36.25, 35.5, -12, 11)  # both found within 16 km: the one outside is nearer
    assert area.nearest(*either_side, 1.0) == 1
    far_lon, far_lat = _north_of(36.25, 35.5, 1000, 1030)
    assert area.nearest(far_lon, far_lat, 1.0) == 0  # the first is within 1 km doubled ten times, the second is not
    assert area.nearest(far_lon[1:], far_lat[1:], 1.0) == -1


def _line_points(
    folder: Path, name: str, *sides_km: tuple[str, float], segment: int | None = None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Points square to the middle of a segment of a line file (by default its middle one), ``km`` to its ``side``."""
    data = json.loads((folder / "zones" / name).read_text(encoding="utf-8"))
    line = [tuple(c) for c in data["features"][0]["geometry"]["coordinates"]]
    points = [offset(line, side, km, segment) for side, km in sides_km]
    return np.array([p[0] for p in points]), np.array([p[1] for p in points])


def test_the_distance_to_a_bands_edge_is_measured_from_the_band_drawn_along_its_line(tmp_path: Path) -> None:
    book = truce.load_rulebook(copy_rulebook(tmp_path, "korea-1953", lambda book: None))
    # the demilitarized zone: 2 km either side of the demarcation line
    lon, lat = _line_points(tmp_path, "korea-mdl.geojson", ("left", 0.5), ("right", 1.0), ("left", 5.0), ("right", 12.0))
    area = book.area("dmz")
    assert area.edge_km(lon, lat) == pytest.approx(np.array([-1.5, -1.0, 3.0, 10.0]), abs=1e-4)
    assert area.edge_km(lon, lat, 4.0) == pytest.approx(np.array([-1.5, -1.0, 3.0, np.nan]), abs=1e-4, nan_ok=True)
    assert area.nearest(lon[2:], lat[2:], 2.5) == 0


def test_a_band_from_one_distance_to_another_is_drawn_to_the_metre(tmp_path: Path) -> None:
    """Golan's Israeli zone of limited armament: 10 to 20 km west of Line A (its right)."""
    book = truce.load_rulebook(copy_rulebook(tmp_path, "golan-1974", lambda book: None))
    # square to a stretch of the line that no other stretch comes within 20 km of
    sides_km = [("right", 9.99), ("right", 10.01), ("right", 12.0), ("right", 19.99), ("right", 20.01), ("left", 15.0)]
    lon, lat = _line_points(tmp_path, "golan-line-a.geojson", *sides_km, segment=17)
    area = book.area("il-10-20")
    assert area.covers_xy(lon, lat).tolist() == [False, True, True, True, False, False]
    assert area.edge_km(lon[:5], lat[:5]) == pytest.approx(np.array([0.01, -0.01, -2.0, -0.01, 0.01]), abs=1e-4)


def test_a_zone_drawn_at_one_depth_keeps_the_band_at_each_depth_its_text_allows(tmp_path: Path) -> None:
    """The Sochi buffer is 15 to 20 km deep along the line of contact, on its left: a band at each depth."""
    book = truce.load_rulebook(_idlib(tmp_path, lambda book: None))
    data = json.loads((tmp_path / "zones" / "idlib-contact-line.geojson").read_text(encoding="utf-8"))
    line = [tuple(c) for c in data["features"][0]["geometry"]["coordinates"]]
    # square to the line's first segment, which no other part of the line comes within 25 km of
    points = [offset(line, "left", km, 0) for km in (0.5, 10, 17, 25)] + [offset(line, "right", 5, 0)]
    lon, lat = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    depths = book.area("buffer").depths
    assert sorted(depths) == [15.0, 20.0]
    assert book.area("deescalation").depths == {}
    assert depths[15.0].covers_xy(lon, lat).tolist() == [True, True, False, False, False]
    assert depths[20.0].covers_xy(lon, lat).tolist() == [True, True, True, False, False]


def test_a_depth_band_that_reaches_a_pole_is_located(tmp_path: Path) -> None:
    path = _idlib(tmp_path, lambda book: book["zones"]["buffer"]["depths"].update(line="zones/polar.geojson"))
    line = {"type": "LineString", "coordinates": [[0.0, 89.9], [10.0, 89.9]]}  # 11 km from the pole
    (tmp_path / "zones" / "polar.geojson").write_text(json.dumps(line), encoding="utf-8")
    problem = _only_problem(path)
    assert (problem.path, problem.value, problem.suggestion) == ("zones.buffer.depths.depths_km", "zones/polar.geojson", None)
    assert problem.message == "the band reaches a pole or crosses the 180th meridian, where it cannot be drawn in lon/lat"


def test_a_point_exactly_at_the_distance_asked_is_within_it(tmp_path: Path) -> None:
    area = _squares(tmp_path).area("buffer")
    lon, lat = _north_of(36.25, 35.5, -2, 3, 50)
    distance = area.edge_km(lon, lat)
    assert area.edge_km(lon, lat, np.abs(distance)).tolist() == distance.tolist()


def test_a_union_of_bands_keeps_the_lines_they_are_measured_from(tmp_path: Path) -> None:
    """Golan's zones of limited forces join a band west of Line A and one east of Line B; maps draw both lines."""
    book = truce.load_rulebook(copy_rulebook(tmp_path, "golan-1974", lambda book: None))
    names = ("golan-line-a.geojson", "golan-line-b.geojson")
    files = [json.loads((tmp_path / "zones" / name).read_text(encoding="utf-8")) for name in names]
    lines = [shapely.geometry.shape(data["features"][0]["geometry"]) for data in files]
    assert [line.wkt for line in book.area("first-zones").lines] == [line.wkt for line in lines]
    assert book.area("separation").lines == ()


# The great-circle distance (how far a unit moved from its baseline, how far apart two reports lie).

SPHERE = Geod(a=6371008.8, b=6371008.8)  # the mean Earth radius great_circle_km measures on


def test_great_circle_distances_are_those_of_a_sphere() -> None:
    # near, across the equator, a quarter and half the globe round, pole to pole, across the 180th meridian
    lat, lon = np.array([35.0, 35.0, -10.0, 0.0, 0.0, 89.0, 0.0]), np.array([36.0, 36.0, 100.0, 0.0, 0.0, 10.0, -179.5])
    lat0, lon0 = np.array([35.0, 36.0, 12.5, 0.0, 0.0, -89.0, 0.0]), np.array([36.0, 36.5, -60.0, 90.0, 180.0, -170.0, 179.5])
    expected = np.asarray(SPHERE.inv(lon, lat, lon0, lat0)[2]) / 1000
    assert great_circle_km(lat, lon, lat0, lon0) == pytest.approx(expected, rel=1e-9, abs=1e-6)
    from_one = np.asarray(SPHERE.inv(lon, lat, np.full(7, 36.0), np.full(7, 35.0))[2]) / 1000  # to one point from many
    assert great_circle_km(lat, lon, 35.0, 36.0) == pytest.approx(from_one, rel=1e-9, abs=1e-6)


def test_a_degree_of_latitude_is_the_sphere_s() -> None:
    assert great_circle_km(np.array([1.0]), np.array([20.0]), 0.0, 20.0)[0] == pytest.approx(KM_PER_DEGREE, rel=1e-12)
    assert great_circle_km(np.array([90.0]), np.array([0.0]), -90.0, 0.0)[0] == pytest.approx(180 * KM_PER_DEGREE, rel=1e-12)
    assert great_circle_km(np.array([2.5]), np.array([1.0]), -2.5, -179.0)[0] == pytest.approx(180 * KM_PER_DEGREE, rel=1e-12)  # antipodes


def test_a_band_keeps_the_band_at_each_other_depth_its_text_allows(tmp_path: Path) -> None:
    """Golan's 10-20 km zone, were its text to allow 15 km too: a band from 10 to 15 km beside the one to 20 km."""
    book = truce.load_rulebook(copy_rulebook(tmp_path, "golan-1974", lambda book: book["zones"]["il-10-20"]["band"].update(depths_km=[15])))
    lon, lat = _line_points(tmp_path, "golan-line-a.geojson", ("right", 9.9), ("right", 12.0), ("right", 17.0), segment=17)
    depths = book.area("il-10-20").depths
    assert list(depths) == [15.0]
    assert depths[15.0].covers_xy(lon, lat).tolist() == [False, True, False]
    assert book.area("il-10-20").covers_xy(lon, lat).tolist() == [False, True, True]
    assert book.area("il-0-10").depths == {}


def test_a_band_that_cannot_be_drawn_is_located_at_its_line(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        book["zones"]["dmz"]["band"]["line"] = "zones/dateline.geojson"

    path = copy_rulebook(tmp_path, "korea-1953", edit)
    (tmp_path / "zones" / "dateline.geojson").write_text(json.dumps({"type": "LineString", "coordinates": [[179.99, 0.0], [179.99, 1.0]]}))
    problem = _only_problem(path)
    assert (problem.path, problem.value, problem.suggestion) == ("zones.dmz.band.line", "zones/dateline.geojson", None)
    assert problem.message == "the band reaches a pole or crosses the 180th meridian, where it cannot be drawn in lon/lat"


def test_a_union_of_a_zone_that_failed_or_that_is_unknown_reports_only_that(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        book["zones"]["pair"] = {"name": "pair", "union": ["buffer", "deescalation"]}
        book["zones"]["odd"] = {"name": "odd", "union": ["buffer", "nowhere"]}
        book["zones"]["deescalation"]["geojson"] = "zones/missing.geojson"

    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(_idlib(tmp_path, edit))
    assert [p.path for p in caught.value.problems] == ["zones.odd.union[1]", "zones.deescalation.geojson"]


def test_a_rulebook_in_a_linked_folder_reads_its_zone_files(tmp_path: Path) -> None:
    real = tmp_path / "real"
    path = _idlib(real, lambda book: None)
    (tmp_path / "linked").symlink_to(real, target_is_directory=True)
    book = truce.load_rulebook(tmp_path / "linked" / path.name)
    assert sorted(book.files) == ["idlib-2019.yaml", "zones/idlib-buffer.geojson", "zones/idlib-contact-line.geojson",
                                  "zones/idlib-deescalation.geojson"]


@pytest.mark.parametrize("content", ["[1, 2]", '"a polygon"', "3"])
def test_a_zone_file_of_no_json_object_is_named(tmp_path: Path, content: str) -> None:
    path = _idlib(tmp_path, _buffer_from("zones/drawn.geojson"))
    (tmp_path / "zones" / "drawn.geojson").write_text(content, encoding="utf-8")
    assert _only_problem(path).message == f"zone file {tmp_path / 'zones' / 'drawn.geojson'}: each feature must be a JSON object"


def test_a_zone_file_of_a_polygon_that_crosses_itself_is_named(tmp_path: Path) -> None:
    path = _idlib(tmp_path, _buffer_from("zones/drawn.geojson"))
    bowtie = {"type": "Polygon", "coordinates": [[[36, 35], [37, 36], [37, 35], [36, 36], [36, 35]]]}
    (tmp_path / "zones" / "drawn.geojson").write_text(json.dumps(bowtie), encoding="utf-8")
    problem = _only_problem(path)
    assert problem.message.startswith(f"zone file {tmp_path / 'zones' / 'drawn.geojson'}: invalid polygon (Self-intersection")


@pytest.mark.parametrize("coordinates", [
    [[36.5, 35.0], [36.5, 36.0]],  # along a meridian: its least and greatest longitudes are one
    [[36.0, 35.5], [37.0, 35.5]],  # along a parallel
])
def test_a_line_file_along_a_meridian_or_a_parallel_loads(tmp_path: Path, coordinates: list[list[float]]) -> None:
    path = _idlib(tmp_path, lambda book: book["zones"]["buffer"]["depths"].update(line="zones/straight.geojson"))
    (tmp_path / "zones" / "straight.geojson").write_text(json.dumps({"type": "LineString", "coordinates": coordinates}))
    assert sorted(truce.load_rulebook(path).area("buffer").depths) == [15.0, 20.0]


def test_a_band_line_file_that_is_no_line_is_located_at_it(tmp_path: Path) -> None:
    path = copy_rulebook(tmp_path, "korea-1953", lambda book: book["zones"]["dmz"]["band"].update(line="zones/korea-peninsula.geojson"))
    problem = _only_problem(path)
    assert (problem.path, problem.value) == ("zones.dmz.band.line", "zones/korea-peninsula.geojson")
    assert problem.message.endswith(": expected one LineString, found Polygon")


def test_a_bands_other_depth_that_cannot_be_drawn_is_located_at_it(tmp_path: Path) -> None:
    """A band 10 km either side of a line 22 km from the 180th meridian may be drawn; at 30 km it would cross it."""

    def edit(book: dict[str, Any]) -> None:
        book["zones"]["dmz"]["band"] = {"line": "zones/east.geojson", "side": "both", "to_km": 10, "depths_km": [30]}

    path = copy_rulebook(tmp_path, "korea-1953", edit)
    (tmp_path / "zones" / "east.geojson").write_text(json.dumps({"type": "LineString", "coordinates": [[179.8, 0.0], [179.8, 1.0]]}))
    problem = _only_problem(path)
    assert (problem.path, problem.value) == ("zones.dmz.band.depths_km", "zones/east.geojson")
    assert problem.message == "the band reaches a pole or crosses the 180th meridian, where it cannot be drawn in lon/lat"
