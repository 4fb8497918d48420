"""``truce.robustness``: whether a verdict survives the real line, from each deciding item's distance to the
zone's edge, at the cost of about one evaluation (no shifted geometry is built or evaluated)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from ._case import Case, prepare
from ._clauses import Edges, Reach
from ._columns import Columns
from ._engines import Decider, decider, default_engine
from ._errors import Problem, ScenarioError
from ._geo import Area
from ._items import INSIDE, OUTSIDE, UNKNOWN, Floats, Mask
from ._limits import MAX_KM
from ._logic import Decision, measure_fact
from ._observe import Measure, Observation, observe
from ._provenance import Provenance
from ._rulebook import Rulebook
from ._scenario import FindingStatus, Scenario, Status

__all__ = ["DepthCase", "Distance", "Robustness", "ZoneFinding", "robustness"]

_TOLERANCE, _TOLERANCE_KM = 0.01, 0.01
"""An item this close to the margin (1% of it, and 10 m) counts as near: distances measured in another metric
(a geodesic, another projection) differ by that much, and an item right at the margin may be carried across."""


class Distance(BaseModel):
    """How far an item stands from a zone's edge: by its ``position`` (where an incident landed) or its ``origin``
    (where it was launched from), in km to the metre, negative inside (``inside``: within the zone as drawn, its edge
included); ``near`` if the edge moved by the margin (and the item's own uncertainty) may put it on the other side."""

    model_config = ConfigDict(frozen=True)

    item: str
    point: Literal["position", "origin"]
    distance_km: float
    inside: bool
    near: bool


class ZoneFinding(BaseModel):
    """One finding that rests on a zone's edge: its status; ``stable`` if it is the same wherever the items within
    ``margin_km`` of the edge (beyond their own uncertainty) stand, else those items are ``deciding``; the status it
    gets while their side is open (``if_moved``)."""

    model_config = ConfigDict(frozen=True)

    clause: str
    zone: str
    status: FindingStatus
    margin_km: float
    stable: bool
    if_moved: FindingStatus
    deciding: list[str]
    distances: list[Distance]


class DepthCase(BaseModel):
    """The verdict with a band drawn at another depth its text allows: its status, the findings of the clauses on
    the band, and the items counted there that stand on the other side of its edge at that depth (``switching``)."""

    model_config = ConfigDict(frozen=True)

    zone: str
    depth_km: float
    status: Status
    findings: dict[str, FindingStatus]
    switching: list[str]


class Robustness(BaseModel):
    """Whether a verdict survives moving every zone's edge by its margin and drawing each zone at the other depths its
    text allows: ``stable``, or the items whose side of a line decides it (``deciding``), with each zone finding and
    the distances of the items nearest its edge, the status while their side is open (``if_moved``), and each depth."""

    model_config = ConfigDict(frozen=True)

    agreement: str
    reading: str
    as_of: str
    status: Status
    stable: bool
    if_moved: Status
    deciding: list[str]
    findings: list[ZoneFinding]
    depths: list[DepthCase]
    provenance: Provenance

    def explain(self) -> str:
        """The verdict's robustness in plain language, finding by finding."""
        head = f"{self.agreement} [{self.reading}] as of {self.as_of}: {self.status.replace('_', ' ')}"
        lines = [head, self.summary()]
        for found in self.findings:
            state = "stable" if found.stable else f"may become {found.if_moved} (deciding: {', '.join(found.deciding)})"
            lines.append(f"  {found.clause} ({found.status}, zone {found.zone}, margin {found.margin_km:g} km): {state}")
            lines += [f"      {d.item} ({d.point}): {_side(d)}{' - near' if d.near else ''}" for d in found.distances]
        for case in self.depths:
            moved = f"; on the other side then: {', '.join(case.switching)}" if case.switching else ""
            lines.append(f"  {case.zone} drawn {case.depth_km:g} km deep: {case.status.replace('_', ' ')}{moved}")
        return "\n".join(lines)


    def summary(self) -> str:
        """Whether it is stable, in one sentence, and if not, what may change it and whose side of a line decides."""
        if self.stable:
            return "Stable: no zone edge moved by its margin, and no other depth its text allows, changes the verdict."
        edges = any(not f.stable for f in self.findings) and not self.if_moved == self.status != "indeterminate"
        reasons = [f"with the edges moved the verdict may be {self.if_moved.replace('_', ' ')}"] if edges else []
        reasons += [f"with the {c.zone} drawn {c.depth_km:g} km deep it is {c.status.replace('_', ' ')}"
                    for c in self.depths if c.status != self.status]
        return f"Not stable: {'; '.join(reasons)}; the side of the line of {', '.join(self.deciding)} decides it."


def _side(distance: Distance) -> str:
    return f"{abs(distance.distance_km):.2f} km {'inside' if distance.inside else 'outside'}"


def robustness(
    state: Mapping[str, Any] | Scenario | Columns | Case | str | Path,
    rules: Rulebook | str | Path | None = None,
    reading: str | None = None,
    margin_km: float | None = None,
    engine: str | None = None,
) -> Robustness:
    """Whether the verdict on ``state`` holds up if zone edges lie ``margin_km`` (default: each zone's declared
    ``uncertainty_km``, else 0) from where they are drawn, and which items' side of a line decides it.

    Each finding resting on a zone is measured again with the items within the margin of its edge (beyond their
    own uncertainty) placed on neither side, and the verdict decided from those measures: it is stable if that
    verdict is the same.
    """
    if margin_km is not None and (isinstance(margin_km, bool) or not isinstance(margin_km, (int, float))
                                  or not math.isfinite(margin_km) or not 0 <= margin_km <= MAX_KM):
        raise ScenarioError.from_problems("invalid margin", [Problem(
            "margin_km", f"a margin is a number of km from 0 to {MAX_KM:g}", value=margin_km, suggestion="margin_km=5")])
    case = prepare(state, rules, reading)
    case = replace(case, state=replace(case.state, remember=True))  # each clause classifies its items once, not per placing
    decide, at = decider(engine), case.as_of.timestamp()
    observation = observe(case)
    decision = decide(case.book, case.reading, observation)
    extremes = {where: list(observation.measures) for where in (INSIDE, OUTSIDE, UNKNOWN)}
    located, seen = [], dict[object, _Placed]()
    for index, measure in enumerate(observation.measures):
        edges = measure.clause.edges(case.state, at) if measure.phase == "due" else None
        if edges is None:
            continue
        margin = float(margin_km if margin_km is not None else case.book.zones[edges.zone].uncertainty_km or 0)
        placed = [_placed(case.book.area(edges.zone), reach, margin, edges.rows, seen) for reach in edges.reaches]
        near = np.any([p.near for p in placed], axis=0) if placed else np.zeros(len(edges.rows), dtype=bool)
        moved = np.zeros(len(edges.items), dtype=bool)
        moved[edges.rows[near]] = True
        if near.any():
            for where, measures in extremes.items():
                measures[index] = measure.clause.placed(case.state, at, moved, where)
        located.append((measure.clause.id, edges, margin, near, placed))
    decided = _Decided(decide, case.book, case.reading, observation, decision)
    inner, outer, blurred = (decided(tuple(extremes[w])) for w in (INSIDE, OUTSIDE, UNKNOWN))
    findings = []
    for clause, edges, margin, near, placed in located:
        steady = inner.findings[clause] == outer.findings[clause]
        findings.append(ZoneFinding(
            clause=clause, zone=edges.zone, status=decision.findings[clause], margin_km=margin, stable=steady,
            if_moved=blurred.findings[clause], deciding=[] if steady else sorted(set(edges.items.ids[edges.rows[near]].tolist())),
            distances=_distances(edges, placed),
        ))
    depths = _depths(case, observation, located, decided)
    edges_stable = all(f.stable for f in findings) or (blurred.status == decision.status != "indeterminate")
    deciding = {i for f in findings for i in f.deciding} if not edges_stable else set()
    deciding |= {i for d in depths if d.status != decision.status for i in d.switching}
    return Robustness(
        agreement=case.book.id, reading=case.reading, as_of=case.as_of.isoformat(), status=decision.status,
        stable=edges_stable and all(d.status == decision.status for d in depths),
        if_moved=decision.status if edges_stable else blurred.status, deciding=sorted(deciding), findings=findings, depths=depths,
        provenance=Provenance.of(case.book, case.reading, engine or default_engine(), case.input_sha256),
    )


class _Decided:
    """The engine's decision on the observation with other measures, decided once per distinct set of the facts
    deciding reads (most placements leave most clauses as they were)."""

    def __init__(self, decide: Decider, book: Rulebook, reading: str, observation: Observation, decision: Decision) -> None:
        self._decide, self._book, self._reading, self._observation = decide, book, reading, observation
        self._known = {self._key(observation.measures): decision}

    def __call__(self, measures: tuple[Measure, ...]) -> Decision:
        key = self._key(measures)
        if key not in self._known:
            self._known[key] = self._decide(self._book, self._reading, replace(self._observation, measures=measures))
        return self._known[key]

    @staticmethod
    def _key(measures: tuple[Measure, ...]) -> tuple[tuple[object, ...], ...]:
        return tuple(tuple(measure_fact(m).values()) for m in measures)


def _depths(case: Case, observation: Observation, located: list[tuple[str, Edges, float, Mask, list[_Placed]]],
            decide: _Decided) -> list[DepthCase]:
    """The verdict with each band drawn at each other depth its text allows, its clauses' items placed again."""
    at, found = case.as_of.timestamp(), []
    for zone in case.book.zones:
        for depth, area in case.book.area(zone).depths.items():
            on = [m.clause.id for m in observation.measures if m.phase == "due" and m.clause.zone_id == zone]
            measures = tuple(m.clause.redrawn(case.state, at, area) if m.clause.id in on else m for m in observation.measures)
            decision = decide(measures)
            switching: set[str] = set()
            for _, edges, *_ in (entry for entry in located if entry[1].zone == zone):
                items, rows = edges.items, edges.rows
                moved = items.in_zone(zone)[rows] != items.redrawn(zone, area).in_zone(zone)[rows]
                switching |= set(items.ids[rows[moved]].tolist())
            found.append(DepthCase(zone=zone, depth_km=depth, status=decision.status,
                                   findings={c: decision.findings[c] for c in on}, switching=sorted(switching)))
    return found


@dataclass(frozen=True)
class _Placed:
    """One point of some items as to a zone's edge: the signed distance (km; NaN where not worked out: items far from
    the edge but the nearest on a side, and items without a point), whether it is near, whether it is inside, and
    whether it was ``measured`` yet."""

    point: Literal["position", "origin"]
    distance: Floats
    near: Mask
    inside: Mask
    measured: Mask

    def at(self, rows: npt.NDArray[np.intp]) -> _Placed:
        """The same for the items at ``rows``."""
        return _Placed(self.point, self.distance[rows], self.near[rows], self.inside[rows], self.measured[rows])


def _placed(area: Area, reach: Reach, margin: float, rows: npt.NDArray[np.intp], seen: dict[object, _Placed]) -> _Placed:
    """The distances that matter for the points of the items at ``rows``: of those the edge moved by ``margin`` (and
    their own slack) may cross, once per zone and point of all the items (kept in ``seen``), and on a side where none
    is near, of the nearest item; only those are measured exactly."""
    key = (id(area), id(reach.lon), reach.point)
    if key not in seen:
        empty = np.zeros(len(reach.lon), dtype=bool)
        seen[key] = _Placed(reach.point, np.full(len(reach.lon), np.nan), empty, empty.copy(), empty.copy())
    known = seen[key]
    todo = rows[~known.measured[rows] & ~np.isnan(reach.lon[rows])]
    if len(todo):
        reach_km = (margin + reach.slack[todo]) * (1 + _TOLERANCE) + _TOLERANCE_KM
        distance = area.edge_km(reach.lon[todo], reach.lat[todo], reach_km)
        known.inside[todo] = area.covers_xy(reach.lon[todo], reach.lat[todo])
        known.near[todo] = (np.abs(distance) <= reach_km) | (np.isinf(reach.slack[todo]) & (margin > 0))
        known.distance[todo] = np.where(known.near[todo], distance, np.nan)
        known.measured[todo] = True
    known.near[rows] |= np.isinf(reach.slack[rows]) & (margin > 0)
    found = seen[key].at(rows)
    lon, lat = reach.lon[rows], reach.lat[rows]
    for side in (found.inside, ~found.inside):
        rest = np.flatnonzero(~np.isnan(lon) & side & ~found.near)
        index = -1 if (side & found.near).any() else area.nearest(lon[rest], lat[rest], margin)
        if index >= 0:
            row = rest[index]
            found.distance[row] = area.edge_km(lon[row:row + 1], lat[row:row + 1])[0]
    return found


def _distances(edges: Edges, placed: list[_Placed]) -> list[Distance]:
    """The items near the edge, and on a side with none near, the nearest, by each point (a clause places its items
    by one point at least), in order of distance."""
    shown = [(p, np.flatnonzero(~np.isnan(p.distance))) for p in placed]
    km = np.array([round(d, 3) for p, rows in shown for d in p.distance[rows].tolist()])
    items = np.concatenate([edges.items.ids[edges.rows[rows]].astype(str) for _, rows in shown])
    points = np.concatenate([np.full(len(rows), p.point) for p, rows in shown])
    inside = np.concatenate([p.inside[rows] for p, rows in shown])
    near = np.concatenate([p.near[rows] for p, rows in shown])
    order = np.lexsort((points, items, km))
    return [Distance(item=i, point=pt, distance_km=d, inside=a, near=b) for i, pt, d, a, b in zip(
        items[order].tolist(), points[order].tolist(), km[order].tolist(), inside[order].tolist(), near[order].tolist(), strict=True)]
