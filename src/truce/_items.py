"""The state as columns: units or incidents as arrays, with zone membership and party coverage.

Every input form (dicts, files, ``Columns``, event readers) ends here, so observe,
the timeline and every clause unit read one representation.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import shapely

from ._geo import great_circle_km
from ._scenario import Baseline, Incident, Origin, Records, Unit

if TYPE_CHECKING:
    from ._clauses import Clause
    from ._geo import Area
    from ._rulebook import Rulebook

INSIDE, OUTSIDE, UNKNOWN = 1, 0, -1
Tri = npt.NDArray[np.int8]
Mask = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Strings = npt.NDArray[np.object_]

_KM_PER_DEGREE = 110.57
"""A degree of latitude at its shortest (at the equator); a degree of longitude there is longer."""

class Items:
    """Columns of units or incidents, with zone membership computed once per zone.

    ``start``/``stop`` bound when each item counts: for a unit, from its
    observation until the next observation of the same id (always, if it has
    none); for an incident, the moments it may have happened, ``stop`` exclusive
    when the time is uncertain and equal to ``start`` when it is exact.
    ``offsets`` keep each start's and stop's UTC offset in seconds, for messages.
    ``attributes`` hold a column per measured attribute, NaN where a unit lacks it; ``fatalities`` an
    incident's people killed, NaN where not known (and for units); ``notes`` an incident's note, None where
    none is given (kept only for items built from columns, whose rows are rebuilt for display); ``baseline``
    a unit's baseline (longitude, latitude, uncertainty; NaN where it has none), which one observation of a
    unit id gives all of them.
    """

    def __init__(self, items: Sequence[Unit | Incident], book: Rulebook) -> None:
        incidents = [i for i in items if isinstance(i, Incident)]  # the rows are units or incidents, never both
        self._fill(book, **(_incident_columns(incidents) if incidents else _unit_columns([i for i in items if isinstance(i, Unit)])))

    @classmethod
    def from_columns(cls, book: Rulebook, **columns: Any) -> Items:
        """Items straight from validated columns (see ``__init__`` for their meaning), no object per row."""
        items = cls.__new__(cls)
        items._fill(book, **columns)
        return items

    def _fill(
        self, book: Rulebook, *, ids: Strings, actors: Strings, kinds: Strings, weights: npt.NDArray[np.int64],
        lon: Floats, lat: Floats, radius_km: Floats, named_zone: Strings, start: Floats, stop: Floats,
        offsets: npt.NDArray[np.int32], attributes: Mapping[str, Floats], origin: Floats | None = None,
        fatalities: Floats | None = None, baseline: Floats | None = None, notes: Strings | None = None,
    ) -> None:
        self.book = book
        self.ids, self.actors, self.kinds, self.weights = ids, actors, kinds, weights
        self.lon, self.lat, self.radius_km, self.named_zone = lon, lat, radius_km, named_zone
        self.origin = np.full((len(ids), 3), np.nan) if origin is None else origin
        self.fatalities = np.full(len(ids), np.nan) if fatalities is None else fatalities
        self.notes = np.full(len(ids), None, dtype=object) if notes is None else notes
        self.baseline = np.full((len(ids), 3), np.nan) if baseline is None else _spread(ids, start, baseline)
        self.start, self.stop, self.offsets, self.attributes = start, _chain(ids, start, stop), offsets, attributes
        self._zones: dict[str, Tri] = {}
        self._origins: dict[str, Tri] = {}
        self._baselines: dict[str, Tri] = {}
        self._redrawn: dict[str, Area] = {}
        self._codes: dict[str, tuple[list[Any], npt.NDArray[np.intp]]] = {}
        self._copies: dict[tuple[str, int], Items] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def redrawn(self, zone: str, area: Area) -> Items:
        """The same items with ``zone`` drawn as ``area`` (another depth its text allows): what they hold in it is
        found again, once per zone and area; items placed by a named zone keep that zone's relation to it as drawn."""
        key = (zone, id(area))
        if key not in self._copies:
            other = copy.copy(self)
            other._redrawn = {**self._redrawn, zone: area}
            other._zones = {k: v for k, v in self._zones.items() if k != zone}
            other._origins = {k: v for k, v in self._origins.items() if k != zone}
            other._baselines = {k: v for k, v in self._baselines.items() if k != zone}
            other._copies = {}
            self._copies[key] = other
        return self._copies[key]

    def with_weights(self, weights: npt.NDArray[np.int64]) -> Items:
        """The same items with other counts (what they hold in zones and groups does not depend on them)."""
        other = copy.copy(self)
        other.weights = weights
        other._copies = {}
        return other

    def stamp(self, row: int, end: int) -> str:
        """The ISO 8601 text of a row's start (``end`` 0) or stop (1), in the offset it was given in."""
        moment = (self.start, self.stop)[end][row]
        return datetime.fromtimestamp(moment, timezone(timedelta(seconds=int(self.offsets[row, end])))).isoformat()

    def active_at(self, instant: float) -> Mask:
        """Units whose observation is the one that counts at ``instant``."""
        return (self.start <= instant) & (instant < self.stop)

    def during(self, instant: float) -> tuple[Mask, Mask]:
        """Incidents that surely, and that possibly, fell in the truce's period by ``instant``."""
        start = self.book.in_force.start.timestamp()
        end = self.book.in_force.end.timestamp() if self.book.in_force.end else np.inf
        surely = (self.start >= start) & (self.start < end) & (self.stop <= end) & (self.stop <= instant)
        maybe = ((self.stop > start) | (self.start >= start)) & (self.start < end) & (self.start <= instant)
        return surely, maybe

    def in_zone(self, zone: str) -> Tri:
        """INSIDE/OUTSIDE/UNKNOWN for every item's position (where an incident landed); the zone's
        boundary counts as inside. A position closer than its ``uncertainty_km`` to the boundary is
        UNKNOWN: the true place may lie on either side."""
        if zone not in self._zones:
            self._zones[zone] = self._relation(zone, self.lon, self.lat, self.radius_km, self.named_zone)
        return self._zones[zone]

    def launched_in(self, zone: str) -> Tri:
        """INSIDE/OUTSIDE/UNKNOWN for where every incident was launched from.

        An incident with an ``origin`` is placed there, with the origin's uncertainty. Without one
        its origin lies within its kind's ``range_km`` of its position (widened by the position's
        uncertainty): UNKNOWN if that circle meets the zone's boundary. A kind of range 0 is
        launched where it lands (the same as ``in_zone``, a named zone included); a position- and
        origin-less incident of a longer range, or of a kind with no range, is UNKNOWN.
        """
        if zone not in self._origins:
            reach = self._ranges()
            given = ~np.isnan(self.origin[:, 0])
            lon, lat = np.where(given, self.origin[:, 0], self.lon), np.where(given, self.origin[:, 1], self.lat)
            radius = np.where(given, np.nan_to_num(self.origin[:, 2]), self.radius_km + reach)
            lon[np.isnan(radius)] = np.nan  # a kind with no range: where it came from is not known
            named = np.where(given | (reach == 0), self.named_zone, "")
            self._origins[zone] = self._relation(zone, lon, lat, radius, named)
        return self._origins[zone]

    def _relation(self, zone: str, lon: Floats, lat: Floats, radius_km: Floats, named_zone: Strings) -> Tri:
        """Whether points (NaN: none), each somewhere within ``radius_km`` of where it is given, lie in
        ``zone``: UNKNOWN where that circle meets the boundary; a point-less row by its named zone, if any."""
        located = ~np.isnan(lon)
        result = np.full(len(lon), UNKNOWN, dtype=np.int8)
        area = self._redrawn.get(zone) or self.book.area(zone)
        inside = area.covers_xy(lon[located], lat[located])
        result[located] = np.where(inside, INSIDE, OUTSIDE)
        vague = located & (radius_km > 0)
        if vague.any():
            # the radius in degrees errs on the wide side (so on the side of UNKNOWN): km per degree of
            # a meridian at its shortest, and degrees of longitude where the circle reaches nearest a pole
            poleward = np.minimum(np.abs(lat[vague]) + radius_km[vague] / _KM_PER_DEGREE, 90.0)
            degrees = radius_km[vague] / (_KM_PER_DEGREE * np.maximum(np.cos(np.radians(poleward)), 0.01))
            outline = area.lonlat.boundary
            near = shapely.dwithin(outline, shapely.points(lon[vague], lat[vague]), degrees)
            result[np.flatnonzero(vague)[near]] = UNKNOWN
        for named in set(named_zone[~located]) - {""}:
            result[~located & (named_zone == named)] = _zone_relation(self.book, named, zone)
        return result

    def points(self, zone: str, origin: bool = False) -> tuple[Floats, Floats, Floats]:
        """For each item: the longitude and latitude of their position (or, with ``origin``, of where they
        were launched from), NaN for one placed by a named zone, and the slack of its uncertainty in km (without
        bound for one placed by another zone than ``zone``, whose relation to it rests on both edges). Without an
        origin, an incident was launched from within its kind's range of its position."""
        lon, lat = self.lon, self.lat
        slack = np.where(np.isnan(lon) & (self.named_zone != "") & (self.named_zone != zone), np.inf, self.radius_km)
        if origin:
            given = ~np.isnan(self.origin[:, 0])
            reach = self._ranges()
            lon, lat = np.where(given, self.origin[:, 0], lon), np.where(given, self.origin[:, 1], lat)
            slack = np.where(given, np.nan_to_num(self.origin[:, 2]), slack + np.nan_to_num(reach, nan=np.inf))
        return lon, lat, slack

    def from_baseline(self) -> tuple[Floats, Floats]:
        """For each unit: the least and the most its true place may lie from where it stood at its baseline, in km
        (the distance between the two points, less and plus both uncertainties); NaN where either point is missing."""
        lon, lat, slack = self.baseline[:, 0], self.baseline[:, 1], np.nan_to_num(self.baseline[:, 2])
        distance = great_circle_km(self.lat, self.lon, lat, lon)
        slack = slack + self.radius_km
        return np.maximum(distance - slack, 0.0), distance + slack

    def baseline_in(self, zone: str) -> Tri:
        """INSIDE/OUTSIDE/UNKNOWN for where every unit stood at its baseline (UNKNOWN without one)."""
        if zone not in self._baselines:
            lon, lat, slack = self.baseline[:, 0], self.baseline[:, 1], np.nan_to_num(self.baseline[:, 2])
            self._baselines[zone] = self._relation(zone, lon, lat, slack, np.full(len(self), "", dtype=object))
        return self._baselines[zone]

    def _ranges(self) -> Floats:
        """Each incident's kind's ``range_km`` (NaN for a kind with no range, or not an incident kind)."""
        distinct, codes = self.codes("kinds")
        declared = [self.book.incident_kinds.get(kind) for kind in distinct]
        return np.array([np.nan if d is None or d.range_km is None else d.range_km for d in declared], dtype=float)[codes]

    def codes(self, column: Literal["actors", "kinds"]) -> tuple[list[Any], npt.NDArray[np.intp]]:
        """Each distinct value of a column (candidate perpetrators, a tuple, after every single id) and each row's
        index among them, found once per column."""
        if column not in self._codes:
            self._codes[column] = _factorised(getattr(self, column))
        return self._codes[column]

    def groups(self, column: Literal["actors", "kinds"]) -> list[tuple[Any, Mask]]:
        """Each distinct value of a column with the rows that hold it, in the order of ``codes``."""
        distinct, codes = self.codes(column)
        return [(value, codes == index) for index, value in enumerate(distinct)]

    def among(self, column: Literal["actors", "kinds"], values: Iterable[object]) -> Mask:
        """Rows whose value in a column is one of ``values``."""
        wanted = set(values)
        distinct, codes = self.codes(column)
        return np.array([value in wanted for value in distinct], dtype=bool)[codes]

    def coverage(self, covered: frozenset[str]) -> Tri:
        """INSIDE if an item's actor is covered by a clause's parties, UNKNOWN if it may be (or is missing)."""
        distinct, codes = self.codes("actors")
        return np.array([party_relation(self.book, value, covered) for value in distinct], dtype=np.int8)[codes]

    def tally(self, column: Literal["actors", "kinds"], rows: Mask) -> list[tuple[Any, int]]:
        """Each distinct value of a column that some of ``rows`` hold, with the rows' total weight."""
        if not rows.any():
            return []
        distinct, codes = self.codes(column)
        held = np.bincount(codes[rows], minlength=len(distinct))
        weight = np.bincount(codes[rows], weights=self.weights[rows], minlength=len(distinct))
        return [(distinct[index], int(weight[index])) for index in np.flatnonzero(held)]


def perpetrator(by: str | Sequence[str] | None) -> str | tuple[str, ...] | None:
    """An incident's ``by`` as ``Items`` hold it: an id, None, or candidates as a sorted tuple."""
    return by if by is None or isinstance(by, str) else tuple(sorted(by))


def object_column(values: Iterable[object], size: int) -> Strings:
    """An object column of ``size`` rows holding each value as it is (a list or tuple stays one entry, where
    ``np.asarray`` would nest it)."""
    return np.fromiter(values, dtype=object, count=size)


def _factorised(values: Strings) -> tuple[list[Any], npt.NDArray[np.intp]]:
    """The distinct values (single ids by their text, then candidate tuples) and each row's index among them."""
    listed = values.tolist()
    distinct = sorted(dict.fromkeys(listed), key=lambda v: (isinstance(v, tuple), str(v)))
    index = {value: code for code, value in enumerate(distinct)}
    return distinct, np.fromiter(map(index.__getitem__, listed), dtype=np.intp, count=len(listed))


def _chain(ids: Strings, start: Floats, stop: Floats) -> Floats:
    """Stops with each dated observation of a unit ending where the next one of that id begins."""
    dated = np.flatnonzero(np.isfinite(start) & np.isinf(stop))
    if len(dated) < 2:
        return stop
    codes = np.unique(ids[dated], return_inverse=True)[1]
    ranked = np.lexsort((start[dated], codes))
    order, sorted_codes = dated[ranked], codes[ranked]
    same = sorted_codes[1:] == sorted_codes[:-1]
    chained = stop.copy()
    chained[order[:-1][same]] = start[order[1:][same]]
    return chained


def _spread(ids: Strings, start: Floats, points: Floats) -> Floats:
    """Points (rows of longitude, latitude, uncertainty) with a row that gives none taking the one given on the
    earliest observation of its id that gives one, so that a unit's baseline, given once, holds for all of them."""
    given = ~np.isnan(points[:, 0])
    if given.all() or not given.any():
        return points
    codes = np.unique(ids.astype(str), return_inverse=True)[1]
    first = np.full(int(np.max(codes)) + 1, -1)
    rows = np.flatnonzero(given)
    rows = rows[np.argsort(-start[rows], kind="stable")]  # latest first, so the earliest is written last
    first[codes[rows]] = rows
    source = first[codes]
    taken = ~given & (source >= 0)
    spread = points.copy()
    spread[taken] = points[source[taken]]
    return spread


def _unit_columns(units: Sequence[Unit]) -> dict[str, Any]:
    """The columns of ``Items`` (see its ``__init__``) for units given as rows."""
    size = len(units)
    baselines = [u.baseline for u in units]
    names = sorted({a for u in units for a in u.attributes})
    return {
        "ids": object_column((u.id for u in units), size), "actors": object_column((u.party for u in units), size),
        "kinds": object_column((u.kind for u in units), size), "weights": np.array([u.count for u in units], dtype=np.int64),
        **_located(units), "baseline": _points(baselines) if any(baselines) else None,
        "start": np.array([u.observed.timestamp() if u.observed else -np.inf for u in units], dtype=float),
        "stop": np.full(size, np.inf), "offsets": np.zeros((size, 2), dtype=np.int32),
        "attributes": {a: np.array([u.attributes.get(a, np.nan) for u in units], dtype=float) for a in names},
    }  # fmt: skip


def _incident_columns(incidents: Sequence[Incident]) -> dict[str, Any]:
    """The columns of ``Items`` (see its ``__init__``) for incidents given as rows."""
    size = len(incidents)
    times = [i.time for i in incidents]
    lasts = [i.latest or i.time for i in incidents]
    origins = [i.origin for i in incidents]
    return {
        "ids": object_column((i.id for i in incidents), size), "actors": object_column((perpetrator(i.by) for i in incidents), size),
        "kinds": object_column((i.kind for i in incidents), size), "weights": np.ones(size, dtype=np.int64),
        **_located(incidents), "origin": _points(origins) if any(origins) else None,
        "start": np.array([t.timestamp() for t in times], dtype=float), "stop": np.array([t.timestamp() for t in lasts], dtype=float),
        "offsets": np.array([_offset(t) for t in (*times, *lasts)], dtype=np.int32).reshape(2, size).T.copy(),
        "fatalities": np.array([np.nan if i.fatalities is None else i.fatalities for i in incidents], dtype=float),
        "attributes": {},
    }  # fmt: skip


def _located(rows: Sequence[Unit | Incident]) -> dict[str, Any]:
    """The columns of where rows are: longitude and latitude (NaN without a position), uncertainty, named zone."""
    places = [row.position for row in rows]
    return {
        "lon": np.array([p.lon if p else np.nan for p in places], dtype=float),
        "lat": np.array([p.lat if p else np.nan for p in places], dtype=float),
        "radius_km": np.array([r.uncertainty_km or 0.0 for r in rows], dtype=float),
        "named_zone": object_column((r.zone or "" for r in rows), len(rows)),
    }


def _points(points: Sequence[Origin | Baseline | None]) -> Floats:
    """Launch points or baselines as rows of longitude, latitude and uncertainty (NaN where not given)."""
    rows = [(np.nan, np.nan, np.nan) if p is None else (p.lon, p.lat, np.nan if p.uncertainty_km is None else p.uncertainty_km)
            for p in points]
    return np.array(rows, dtype=float).reshape(len(points), 3)


def _offset(moment: datetime) -> int:
    return int((moment.utcoffset() or timedelta(0)).total_seconds())


_SLIVER = 1e-9
"""The share of a named zone's area below which what it has in common with another zone (or holds beyond it) is
the floating-point noise of outlines drawn apart along one line, not ground (ground north and south of Korea's
demarcation line share about 1e-16 of theirs)."""


def _zone_relation(book: Rulebook, named: str, zone: str) -> int:
    """Where a row placed only by the named zone ``named`` stands as to ``zone``: INSIDE if ``zone`` holds all of it,
    OUTSIDE if they share no ground, else UNKNOWN."""
    if named == zone:
        return INSIDE
    inner, outer = book.geometry(named), book.geometry(zone)
    if inner.difference(outer).area <= _SLIVER * inner.area:
        return INSIDE
    if inner.intersection(outer).area <= _SLIVER * inner.area:
        return OUTSIDE
    return UNKNOWN


def both(first: Tri, second: Tri) -> Tri:
    """Kleene AND, row by row: OUTSIDE if either is, else UNKNOWN if either is, else INSIDE."""
    return np.where((first == OUTSIDE) | (second == OUTSIDE), OUTSIDE, np.minimum(first, second)).astype(np.int8)


def either(values: Sequence[Tri]) -> Tri:
    """Kleene OR, row by row: INSIDE if any is, else UNKNOWN if any is, else OUTSIDE."""
    stacked = np.stack(values)
    return np.where((stacked == INSIDE).any(axis=0), INSIDE, np.where((stacked == UNKNOWN).any(axis=0), UNKNOWN, OUTSIDE)).astype(
        np.int8
    )


def party_relation(book: Rulebook, actor: str | tuple[str, ...] | None, covered: frozenset[str]) -> int:
    """INSIDE if the actor (a party, a group, or candidates: one of them acted) is surely among ``covered``,
    OUTSIDE if it surely is not, else UNKNOWN (None: not known)."""
    if actor is None:
        return UNKNOWN
    if isinstance(actor, tuple):
        each = {party_relation(book, candidate, covered) for candidate in actor}
        return each.pop() if len(each) == 1 else UNKNOWN
    if actor in covered:
        return INSIDE
    members = book.members(actor)
    if members <= covered:
        return INSIDE
    return UNKNOWN if members & covered else OUTSIDE


@dataclass(frozen=True)
class State:
    """One scenario state as clause units read it: its units and incidents as columns, who controls each
    named area (None: not known; absent: not reported), and its records of other kinds."""

    book: Rulebook
    units: Items
    incidents: Items
    areas: Mapping[str, str | None] = field(default_factory=dict)
    records: Records = field(default_factory=Records)
    """Records of other kinds (patrols, inspections, road and post status), as the scenario gives them."""
    clauses: tuple[Clause, ...] | None = None
    """The rulebook's clauses as the case's reading has them (those that apply): the ones that may excuse acts
    (permissions) are asked among them, so a reading that narrows or drops one excuses only as it reads it; None:
    the rulebook's clauses as written."""
    remember: bool = False
    """Whether clause units keep what they work out (which items they count) in ``cache``: for a
    timeline, which measures the same state at many instants; one evaluation need not hold it."""
    cache: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)
