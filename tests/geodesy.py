"""Geodesic references for tests of zones drawn from lines: distances to a line, points square to it,
and a state whose one item offends a clause exactly when it lies in the clause's zone."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import numpy as np
from pyproj import Geod

from truce._clauses.freeze import Freeze
from truce._geo import KM_PER_DEGREE
from truce._rulebook import Bounds, Clause, Rulebook

GEOD = Geod(ellps="WGS84")


def geodesic_km(line: list[tuple[float, float]], lon: float, lat: float) -> tuple[float, bool]:
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


def offset(line: list[tuple[float, float]], side: str, km: float, segment: int | None = None) -> tuple[float, float]:
    """The point ``km`` from the middle of a segment (by default the middle one), square to it, on ``side``."""
    i = (len(line) - 1) // 2 if segment is None else segment
    (x1, y1), (x2, y2) = line[i], line[i + 1]
    azimuth, _, length = GEOD.inv(x1, y1, x2, y2)
    mx, my, _ = GEOD.fwd(x1, y1, azimuth, length / 2)
    heading = GEOD.inv(mx, my, x2, y2)[0]
    lon, lat, _ = GEOD.fwd(mx, my, heading + (-90 if side == "left" else 90), km * 1000)
    return lon, lat


def offending_state(book: Rulebook, clause: Clause, lon: float, lat: float) -> dict[str, Any]:
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
    unit = {"id": "u", "party": party, "kind": kind, "count": clause.limit + 1, "attributes": attributes, "position": position}
    if isinstance(clause, Freeze):  # its zone holds the baseline: the unit offends by standing still, or by moving off
        unit["baseline"] = position
        if clause.must == "stay":
            unit["position"] = {"lat": lat + (clause.tolerance_km + 5) / KM_PER_DEGREE, "lon": lon}
    state["units"] = [unit]
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
