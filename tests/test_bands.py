"""Distance bands: every band of every bundled rulebook, 100 m either side of each edge,
checked through truce.evaluate; and the metric projection against a geodesic reference."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyproj import Geod

import truce
from truce._geo import Projection
from truce._rulebook import Band, Bounds, Clause, Rulebook

GEOD = Geod(ellps="WGS84")
EDGE_KM = 0.1


def _line(book: Rulebook, band: Band) -> list[tuple[float, float]]:
    assert book.origin is not None
    data = json.loads((Path(book.origin).parent / band.line).read_text())
    return [tuple(c) for c in data["features"][0]["geometry"]["coordinates"]]  # type: ignore[misc]


def _geodesic_km(line: list[tuple[float, float]], lon: float, lat: float) -> tuple[float, bool]:
    """Reference distance: the least geodesic distance to points every ~50 m along the line,
    and whether that nearest point lies strictly between the line's ends."""
    lons, lats = [], []
    for (x1, y1), (x2, y2) in itertools.pairwise(line):
        length = GEOD.inv(x1, y1, x2, y2)[2]
        inner = GEOD.npts(x1, y1, x2, y2, int(length // 50))
        lons += [x1, *(p[0] for p in inner)]
        lats += [y1, *(p[1] for p in inner)]
    lons.append(line[-1][0])
    lats.append(line[-1][1])
    distances = GEOD.inv(np.full(len(lons), lon), np.full(len(lats), lat), np.array(lons), np.array(lats))[2]
    nearest = int(distances.argmin())
    return float(distances[nearest]) / 1000, 0 < nearest < len(lons) - 1


def _offset(line: list[tuple[float, float]], side: str, km: float, segment: int | None = None) -> tuple[float, float]:
    """The point ``km`` from the middle of a segment (by default the middle one), square to it, on ``side``."""
    i = (len(line) - 1) // 2 if segment is None else segment
    (x1, y1), (x2, y2) = line[i], line[i + 1]
    azimuth, _, length = GEOD.inv(x1, y1, x2, y2)
    mx, my, _ = GEOD.fwd(x1, y1, azimuth, length / 2)
    heading = GEOD.inv(mx, my, x2, y2)[0]
    lon, lat, _ = GEOD.fwd(mx, my, heading + (-90 if side == "left" else 90), km * 1000)
    return lon, lat


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


def _scenario(book: Rulebook, clause: Clause, lon: float, lat: float) -> dict[str, Any]:
    """A state whose one unit (or incident) offends ``clause`` if and only if it lies in the zone."""
    party = sorted(book.members(clause.parties[0]))[0]
    as_of = max(book.deadline(clause), book.in_force.start) + dt.timedelta(hours=1)
    position = {"lat": lat, "lon": lon}
    state: dict[str, Any] = {"agreement": book.id, "as_of": as_of.isoformat()}
    if clause.type == "prohibition":
        assert clause.incidents
        state["incidents"] = [{"id": "i", "time": as_of.isoformat(), "kind": clause.incidents[0], "by": party, "position": position}]
        return state
    kind, attributes = _fitting_kind(book, clause)
    state["units"] = [{"id": "u", "party": party, "kind": kind, "count": clause.limit + 1, "attributes": attributes, "position": position}]
    return state


def _fitting_kind(book: Rulebook, clause: Clause) -> tuple[str, dict[str, float]]:
    """A kind of the clause's forces, with attributes inside its class's bounds."""
    for kind in book.kinds:
        for cls in book.classes_of(kind):
            if clause.forces == "all" or cls in (clause.forces or []):
                where = book.classes[cls].where if cls in book.classes else {}
                attributes = {attribute: _within(bounds) for attribute, bounds in where.items()}
                return kind, attributes
    raise AssertionError(f"no kind fits clause {clause.id}")


def _within(bounds: Bounds) -> float:
    if bounds.min is not None:
        return bounds.min
    if bounds.max is not None:
        return bounds.max
    return bounds.above + 1 if bounds.above is not None else float(bounds.below or 0) - 1


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
    points = [_offset(line, s, km, i) for i in range(len(line) - 1) for s in sides]
    nearest = [p for p in points if _geodesic_km(line, *p)[0] == pytest.approx(km, rel=1e-3)]
    assert nearest, "some test point must be nearest the segment it was measured from"
    lon, lat = nearest[0]
    clause = next(c for c in book.clauses if c.id == clause_id)
    reading = next(r for r in book.readings if clause.under(r) is not None)
    verdict = truce.evaluate(_scenario(book, clause, lon, lat), reading=reading)
    assert book.area(zone).covers_xy(np.array([lon]), np.array([lat]))[0] == inside
    assert verdict.finding(clause_id).status == ("violated" if inside else "met"), verdict.explain()


def test_side_matters() -> None:
    """The north-east Syria band lies south of the border only: 5 km north of it is outside."""
    book = truce.load_rulebook("nes-2019")
    band = book.zones["border-30km"].band
    assert band is not None
    line = _line(book, band)
    south, north = _offset(line, "right", 5), _offset(line, "left", 5)
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
    """Random points near the Minsk 70 km band: inside exactly when the geodesic distance is within it.

    Points nearest an end of the line, or within 0.5% of the edge, say nothing; points are drawn
    until exactly ``want`` inside and ``want`` outside the band have been checked."""
    want = 25
    book = truce.load_rulebook("minsk-2015")
    band = book.zones["formations-long-range-zone"].band
    assert band is not None
    line = _line(book, band)
    rng = np.random.default_rng(11)
    checked = {True: 0, False: 0}
    for _ in range(10):
        lon = rng.uniform(37.0, 40.5, 60)
        lat = rng.uniform(47.0, 49.5, 60)
        covered = book.area("formations-long-range-zone").covers_xy(lon, lat)
        for x, y, inside in zip(lon, lat, covered, strict=True):
            reference, between_ends = _geodesic_km(line, float(x), float(y))
            within = bool(reference <= band.to_km)
            if not between_ends or abs(reference - band.to_km) <= band.to_km * 0.005 or checked[within] == want:
                continue
            assert inside == within, (x, y, reference)
            checked[within] += 1
        if min(checked.values()) == want:
            break
    assert checked == {True: want, False: want}
