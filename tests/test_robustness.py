"""Robustness: distances to zone edges, and whether a verdict survives the edges moved by their margin.

The claims are checked against geometry that is really moved: the zones of three rulebooks (polygons, bands,
sides of a line and unions of them) grown and shrunk by the margin on the ground (a uniform move is one of the
moves the margin allows), each state evaluated again.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import truce
from bookcopy import copy_rulebook
from geodesy import geodesic_km, offset
from truce._engines import available_engines
from truce._geo import Projection, polygon_area
from truce._lint import lint_rulebook
from truce.strategies import scenarios

ROOT = Path(__file__).resolve().parents[1]
BOOK = truce.load_rulebook("idlib-2019")
MARGIN = 2.0
NEAR = MARGIN * 1.01 + 0.01
"""How close to an edge an item counts as near: within the margin, and 1% and 10 m more (distances in another metric
differ by that much, and an item right at the margin may be carried across)."""
ENGINES = [
    "python",
    pytest.param("durable", marks=pytest.mark.skipif("durable" not in available_engines(), reason="durable_rules does not import here")),
]
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def moved(original: truce.Rulebook, km: float) -> truce.Rulebook:
    """The rulebook with every zone's edge moved outward by ``km`` on the ground (inward if negative)."""
    book = copy.deepcopy(original)
    for zone in book.zones:
        outline = original.geometry(zone)
        centre = outline.centroid
        projection = Projection(centre.x, centre.y)
        grown = shapely.buffer(projection.to_metric(shapely.segmentize(outline, 0.005)), km * 1000)
        book._areas[zone] = polygon_area(projection.to_lonlat(grown))
    return book


MOVED = ("idlib-2019", "minsk-2015", "korea-1953")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("book_id", MOVED)
def test_a_stable_verdict_survives_the_zones_moved_by_the_margin(book_id: str, engine: str) -> None:
    book = BOOK if book_id == BOOK.id else truce.load_rulebook(book_id)
    shifts = (moved(book, MARGIN), moved(book, -MARGIN))

    @SETTINGS
    @given(scenarios(book), st.sampled_from(sorted(book.readings)))
    def check(state: dict[str, Any], reading: str) -> None:
        found = truce.robustness(state, rules=book, reading=reading, margin_km=MARGIN, engine=engine)
        assert found.status == truce.evaluate(state, rules=book, reading=reading, engine=engine).status
        shifted = [truce.evaluate(state, rules=other, reading=reading, engine=engine) for other in shifts]
        if found.stable:
            assert found.deciding == []
            assert all(v.status == found.status for v in shifted), [v.status for v in shifted]
        else:
            assert found.deciding
        for finding in found.findings:
            if finding.stable:
                assert all(v.finding(finding.clause).status == finding.status for v in shifted)

    check()


def test_distances_are_signed_by_the_side_and_near_within_the_margin() -> None:
    rng = np.random.default_rng(7)
    units = [{"id": f"u{i}", "party": "hts", "kind": "fighters", "count": 5,
              "position": {"lat": float(lat), "lon": float(lon)}}
             for i, (lat, lon) in enumerate(zip(rng.uniform(35.1, 36.0, 60), rng.uniform(36.3, 37.0, 60), strict=True))]
    state = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00", "units": units}
    found = truce.robustness(state, margin_km=MARGIN)
    (buffer,) = [f for f in found.findings if f.clause == "jihadists-leave-buffer"]
    case = truce.prepare(state)
    inside = dict(zip(case.state.units.ids.tolist(), case.state.units.in_zone("buffer").tolist(), strict=True))
    assert buffer.distances
    for distance in buffer.distances:
        assert (distance.distance_km <= 0) == (inside[distance.item] == 1)
        assert distance.near == (abs(distance.distance_km) <= NEAR)
    units = case.state.units
    deep = BOOK.area("buffer").edge_km(units.lon, units.lat) < -NEAR
    assert buffer.stable == bool(deep.any())
    assert set(buffer.deciding) == (set() if deep.any() else {d.item for d in buffer.distances if d.near})


ZONES = [(info.id, zone) for info in truce.list_rulebooks() for zone in truce.load_rulebook(info.id).zones]


@pytest.mark.parametrize(("book_id", "zone"), ZONES)
def test_distances_within_a_bound_are_the_exact_ones_near_the_edge(book_id: str, zone: str) -> None:
    """A bound only leaves out points farther than it: points scattered around every bundled zone's edge (polygons,
    bands, sides of a line, unions) have within each their own bound the same distance as unbounded, and beyond it
    none."""
    area = truce.load_rulebook(book_id).area(zone)
    lon0, lat0, lon1, lat1 = area.lonlat.bounds
    rng = np.random.default_rng(len(zone))
    pad = 0.3
    lon, lat = rng.uniform(lon0 - pad, lon1 + pad, 4000), rng.uniform(lat0 - pad, lat1 + pad, 4000)
    lon[::50] = np.nan  # points without a place have no distance
    exact = area.edge_km(lon, lat)
    bounds = rng.choice([0.0, 0.5, 2.0, 7.5, 30.0, np.inf], len(lon))
    bounded = area.edge_km(lon, lat, bounds)
    within = np.abs(exact) <= bounds
    assert np.isnan(exact[::50]).all() and np.isnan(bounded[::50]).all()
    np.testing.assert_allclose(bounded[within], exact[within], rtol=0, atol=1e-9)
    assert np.isnan(bounded[~within & ~np.isnan(exact)]).all()
    inside = area.covers_xy(lon, lat)
    placed = ~np.isnan(lon)
    assert (exact[placed & inside] <= 0).all() and (exact[placed & ~inside] >= 0).all()
    assert within.sum() > 100 and (~within & placed).sum() > 100


@pytest.mark.parametrize(("book_id", "zone"), ZONES)
def test_a_point_is_in_a_zone_drawn_in_metres_exactly_when_its_projection_is(book_id: str, zone: str) -> None:
    """Zones built in metres (bands, sides of a line, their unions, the depths a text allows) place most points by
    their lon/lat outline and project only those near the edge: the answer is the projected one everywhere."""
    book = truce.load_rulebook(book_id)
    area = book.area(zone)
    parts = [a for a in (area, *area._parts, *area.depths.values()) if a._projection is not None and a._metric is not None]
    spec = book.zones[zone]
    drawn = any(book.zones[z].band or book.zones[z].beyond for z in (spec.union or [zone])) or bool(area.depths)
    assert bool(parts) == drawn  # no zone drawn in metres is left out
    rng = np.random.default_rng(len(zone) + 1)
    for part in parts:
        lon0, lat0, lon1, lat1 = part.lonlat.bounds
        lon, lat = rng.uniform(lon0 - 0.2, lon1 + 0.2, 3000), rng.uniform(lat0 - 0.2, lat1 + 0.2, 3000)
        # and the middles of the outline's straight lon/lat segments, which the metric edge passes a little apart
        ring = np.asarray(shapely.get_coordinates(part.lonlat.boundary))
        middle = (ring[:-1] + ring[1:]) / 2
        lon, lat = np.concatenate([lon, middle[:, 0]]), np.concatenate([lat, middle[:, 1]])
        projected = shapely.intersects_xy(part._metric, *part._projection.forward(lon, lat))
        assert (part.covers_xy(lon, lat) == projected).all()
        assert projected.any() and not projected.all()


def test_the_margin_defaults_to_the_zones_uncertainty() -> None:
    found = truce.robustness(ROOT / "examples" / "minsk-2015" / "03-government-guns-inside.yaml")
    assert {f.margin_km for f in found.findings} == {5.0}
    assert (found.stable, found.deciding, found.if_moved) == (False, ["dpr-grad-1", "ua-msta-1"], "indeterminate")
    assert truce.robustness(ROOT / "examples" / "minsk-2015" / "03-government-guns-inside.yaml", margin_km=0.05).stable


def test_acts_from_a_zone_are_measured_by_where_they_were_launched() -> None:
    found = truce.robustness(ROOT / "examples" / "korea-1953" / "10-shelling-from-the-zone.yaml", margin_km=2)
    (dmz,) = [f for f in found.findings if f.clause == "no-hostile-act-dmz"]
    assert {(d.point, d.distance_km < 0) for d in dmz.distances} >= {("origin", True)}


def test_an_act_is_placed_by_the_origin_given_or_by_where_its_kind_reaches_from_where_it_landed() -> None:
    # shellings 30 km north of the line, launched 1.7 km (inside the 2 km zone, 300 m from its edge) and 5 km
    # north of it (3 km outside), and one landed 20 km north with no origin given: a shell reaches 25 km, so it
    # may have come from the zone, though where it landed is far from it
    mdl = json.loads((ROOT / "rules" / "zones" / "korea-mdl.geojson").read_text())
    line = [tuple(c) for c in mdl["features"][0]["geometry"]["coordinates"]]

    def at(km: float) -> dict[str, float]:
        lon, lat = offset(line, "left", km)
        return {"lat": lat, "lon": lon}

    act = {"time": "1953-08-10T12:00:00+09:00", "kind": "shelling", "by": "kpa"}
    incidents = [{**act, "id": "inside", "position": at(30), "origin": at(1.7)},
                 {**act, "id": "outside", "position": at(30), "origin": at(5)}, {**act, "id": "reaching", "position": at(20)}]
    found = truce.robustness({"agreement": "korea-1953", "as_of": "1953-08-11T00:00:00+09:00", "incidents": incidents}, margin_km=1)
    (dmz,) = [f for f in found.findings if f.clause == "no-hostile-act-dmz"]
    assert [(d.item, d.point, d.inside, d.near) for d in dmz.distances] == [
        ("inside", "origin", True, True), ("reaching", "origin", False, True), ("reaching", "position", False, False)]
    assert dmz.distances[0].distance_km == pytest.approx(-0.3, abs=0.01)
    assert (dmz.status, dmz.deciding) == ("violated", ["inside", "reaching"])


def test_a_unit_of_unknown_place_is_not_one_an_edge_moved_by_the_margin_decides() -> None:
    # its place is unknown wherever the edge is drawn; the nearest unit of known place stands 24 km outside the zone
    found = truce.robustness(ROOT / "examples" / "idlib-2019" / "07-unknown-position.yaml", margin_km=1)
    (buffer,) = [f for f in found.findings if f.clause == "jihadists-leave-buffer"]
    assert (found.stable, found.deciding, buffer.status, buffer.deciding) == (True, [], "unknown", [])
    assert [(d.item, d.point, d.near) for d in buffer.distances] == [("hts-bn-1", "position", False)]


def test_bad_margins_are_truce_errors() -> None:
    for bad in (-1, float("nan"), True, "5"):
        with pytest.raises(truce.TruceError) as caught:
            truce.robustness(ROOT / "examples" / "idlib-2019" / "02-jihadists-stay-in-buffer.yaml", margin_km=bad)  # type: ignore[arg-type]
        assert [p.path for p in caught.value.problems] == ["margin_km"]


def test_an_illustrative_zone_without_uncertainty_is_a_lint_error(tmp_path: Path) -> None:
    path = copy_rulebook(tmp_path, "idlib-2019", lambda data: data["zones"]["buffer"].pop("uncertainty_km"))
    found = [lint for lint in lint_rulebook(path) if lint.code == "illustrative-without-uncertainty"]
    assert [(lint.severity, lint.problem.path) for lint in found] == [("error", "zones.buffer.illustrative")]


def test_a_band_at_another_depth_the_text_allows_is_decided_too(tmp_path: Path) -> None:
    def deepen(data: dict[str, Any]) -> None:
        data["zones"]["corridor"]["band"]["depths_km"] = [4, 8]

    book = truce.load_rulebook(copy_rulebook(tmp_path, "moscow-2020", deepen))
    guns = ROOT / "examples" / "moscow-2020" / "04-guns-in-the-corridor.yaml"
    found = truce.robustness(guns, rules=book, reading="demilitarized-corridor", margin_km=0)
    assert [(d.depth_km, d.status, d.switching) for d in found.depths] == [(4.0, "holds", ["sy-art-2"]), (8.0, "breached", [])]
    assert (found.status, found.stable, found.deciding) == ("breached", False, ["sy-art-2"])
    assert truce.robustness(guns, rules=book, reading="text", margin_km=0).stable


def test_a_sighting_too_old_leaves_the_place_unknown_at_every_depth(tmp_path: Path) -> None:
    # the guns 5.9 km north of the M4 were last seen four days before, when sightings go stale after two: whether
    # the corridor is drawn 4, 6 or 8 km deep, where they stand now is not known
    def deepen(data: dict[str, Any]) -> None:
        data["zones"]["corridor"]["band"]["depths_km"] = [4, 8]
        data["stale_after"] = {"days": 2}

    book = truce.load_rulebook(copy_rulebook(tmp_path, "moscow-2020", deepen))
    guns = {"id": "sy-art-2", "party": "sy-gov", "kind": "artillery", "count": 4, "observed": "2020-03-10T12:00:00+03:00",
            "position": {"lat": 35.855839, "lon": 36.540831}}
    state = {"agreement": "moscow-2020", "as_of": "2020-03-14T12:00:00+03:00", "units": [guns]}
    found = truce.robustness(state, rules=book, reading="demilitarized-corridor", margin_km=0)
    assert found.status == "indeterminate"
    assert [(d.depth_km, d.findings["corridor-heavy-weapons"]) for d in found.depths] == [(4.0, "unknown"), (8.0, "unknown")]


def test_depths_must_differ_from_the_band_and_lie_beyond_its_start(tmp_path: Path) -> None:
    for depths in ([6], [0], [4, 4]):
        def deepen(data: dict[str, Any], depths: list[int] = depths) -> None:
            data["zones"]["corridor"]["band"]["depths_km"] = depths

        with pytest.raises(truce.RulebookError) as caught:
            truce.load_rulebook(copy_rulebook(tmp_path, "moscow-2020", deepen))
        assert any(p.path.startswith("zones.corridor.band") for p in caught.value.problems), caught.value


CONTACT_LINE = json.loads((ROOT / "rules" / "zones" / "idlib-contact-line.geojson").read_text())["features"][0]["geometry"]["coordinates"]


@pytest.mark.parametrize("segment", range(len(CONTACT_LINE) - 1))
def test_a_drawn_zone_at_each_depth_its_text_allows_is_the_band_from_its_line(segment: int) -> None:
    """The Sochi zone is drawn, and measured 15 to 20 km from the line of contact (art. 3): at each depth, a point on
    the zone's side of the line lies in it exactly when it is that close to the line on the ground, and a point on
    the other side never does."""
    depths = BOOK.area("buffer").depths
    assert sorted(depths) == [15.0, 20.0]
    line = [tuple(point) for point in CONTACT_LINE]
    for km in (2.0, 13.5, 16.5, 18.5, 21.5):
        for side in ("left", "right"):
            lon, lat = offset(line, side, km, segment)
            reference, _ = geodesic_km(line, lon, lat)
            for depth, area in depths.items():
                if abs(reference - depth) < 0.2:
                    continue
                inside = bool(area.covers_xy(np.array([lon]), np.array([lat]))[0])
                assert inside == (side == "left" and reference < depth), (km, side, depth, reference)


@pytest.mark.parametrize(("edit", "where"), [
    (lambda z: z["buffer"]["depths"].update(depths_km=[0, 15]), "zones.buffer.depths.depths_km"),
    (lambda z: z["buffer"]["depths"].update(depths_km=[15, 15]), "zones.buffer.depths.depths_km"),
    (lambda z: z["buffer"]["depths"].update(depths_km=[]), "zones.buffer.depths.depths_km"),
    (lambda z: z["buffer"]["depths"].update(side="north"), "zones.buffer.depths.side"),
    (lambda z: z["buffer"]["depths"].update(line="../idlib-2019.yaml"), "zones.buffer.depths.line"),
    (lambda z: z["buffer"]["depths"].update(line="zones/idlib-buffer.geojson"), "zones.buffer.depths.line"),
    (lambda z: z["deescalation"].update(geojson=None, band={"line": "zones/idlib-contact-line.geojson", "side": "left",
                                                            "to_km": 20}, depths=z["buffer"]["depths"]), "zones.deescalation"),
])
def test_a_bad_depths_is_a_rulebook_error_at_its_field(tmp_path: Path, edit: Any, where: str) -> None:
    def change(data: dict[str, Any]) -> None:
        data["zones"]["deescalation"] = {k: v for k, v in data["zones"]["deescalation"].items()}
        edit(data["zones"])
        data["zones"]["deescalation"] = {k: v for k, v in data["zones"]["deescalation"].items() if v is not None}

    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(copy_rulebook(tmp_path, "idlib-2019", change))
    assert [p.path for p in caught.value.problems if p.path.startswith(where)], caught.value
    assert all(p.line for p in caught.value.problems), caught.value


def test_an_item_right_at_the_margin_decides_the_verdict() -> None:
    """A CPV gun on the DMZ's southern edge stands 2 km south of the demarcation line: with the line 2 km off, it
    may be on either side, so a 2 km margin must name it (found by the property test above, moving Korea's zones)."""
    korea = truce.load_rulebook("korea-1953")
    gun = {"id": "u-1", "party": "cpv", "kind": "artillery", "count": 1, "position": {"lat": 38.11795182907462, "lon": 126.93174338107234}}
    state = {"agreement": "korea-1953", "as_of": "1953-07-27T22:00:00+09:00", "units": [gun]}
    found = truce.robustness(state, reading="text", margin_km=MARGIN)
    assert (found.status, found.stable, found.deciding) == ("breached", False, ["u-1"])
    assert {truce.evaluate(state, rules=moved(korea, km), reading="text").status for km in (MARGIN, -MARGIN)} == {"breached", "holds"}
