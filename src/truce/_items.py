"""The state as columns: units or incidents as arrays, with zone membership and party coverage.

Every input form (dicts, files, ``Columns``, event readers) ends here, so observe,
the timeline and every clause unit read one representation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import shapely

from ._scenario import Incident, Unit

if TYPE_CHECKING:
    from ._rulebook import Rulebook

INSIDE, OUTSIDE, UNKNOWN = 1, 0, -1
Tri = npt.NDArray[np.int8]
Mask = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Strings = npt.NDArray[np.object_]

_KM_PER_DEGREE = 111.32

class Items:
    """Columns of units or incidents, with zone membership computed once per zone.

    ``start``/``stop`` bound when each item counts: for a unit, from its
    observation until the next observation of the same id (always, if it has
    none); for an incident, the moments it may have happened, ``stop`` exclusive
    when the time is uncertain and equal to ``start`` when it is exact.
    ``offsets`` keep each start's and stop's UTC offset in seconds, for messages.
    ``attributes`` hold a column per measured attribute, NaN where a unit lacks it.
    """

    def __init__(self, items: Sequence[Unit | Incident], book: Rulebook) -> None:
        units = [i for i in items if isinstance(i, Unit)]
        names = sorted({a for u in units for a in u.attributes})
        start = np.array([_start(i) for i in items], dtype=float)
        self._fill(
            book,
            ids=np.array([i.id for i in items], dtype=object),
            actors=np.array([i.party if isinstance(i, Unit) else i.by for i in items], dtype=object),
            kinds=np.array([i.kind for i in items], dtype=object),
            weights=np.array([i.count if isinstance(i, Unit) else 1 for i in items], dtype=np.int64),
            lon=np.array([i.position.lon if i.position else np.nan for i in items], dtype=float),
            lat=np.array([i.position.lat if i.position else np.nan for i in items], dtype=float),
            radius_km=np.array([i.uncertainty_km or 0.0 for i in items], dtype=float),
            named_zone=np.array([i.zone or "" for i in items], dtype=object),
            start=start,
            stop=np.array([_stop(i) for i in items], dtype=float),
            offsets=np.array([_offsets(i) for i in items], dtype=np.int32).reshape(len(items), 2),
            attributes={a: np.array([u.attributes.get(a, np.nan) for u in units], dtype=float) for a in names},
        )

    @classmethod
    def from_columns(cls, book: Rulebook, **columns: Any) -> Items:
        """Items straight from validated columns (see ``__init__`` for their meaning), no object per row."""
        items = cls.__new__(cls)
        items._fill(book, **columns)
        return items

    def _fill(
        self, book: Rulebook, *, ids: Strings, actors: Strings, kinds: Strings, weights: npt.NDArray[np.int64],
        lon: Floats, lat: Floats, radius_km: Floats, named_zone: Strings, start: Floats, stop: Floats,
        offsets: npt.NDArray[np.int32], attributes: Mapping[str, Floats],
    ) -> None:
        self.book = book
        self.ids, self.actors, self.kinds, self.weights = ids, actors, kinds, weights
        self.lon, self.lat, self.radius_km, self.named_zone = lon, lat, radius_km, named_zone
        self.start, self.stop, self.offsets, self.attributes = start, _chain(ids, start, stop), offsets, attributes
        self._zones: dict[str, Tri] = {}
        self._groups: dict[str, list[tuple[Any, Mask]]] = {}

    def __len__(self) -> int:
        return len(self.ids)

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
        """INSIDE/OUTSIDE/UNKNOWN for every item; the zone's boundary counts as inside.

        A position with ``uncertainty_km`` closer than that to the zone's boundary
        is UNKNOWN: the true place may lie on either side.
        """
        if zone not in self._zones:
            located = ~np.isnan(self.lon)
            result = np.full(len(self), UNKNOWN, dtype=np.int8)
            inside = self.book.area(zone).covers_xy(self.lon[located], self.lat[located])
            result[located] = np.where(inside, INSIDE, OUTSIDE)
            vague = located & (self.radius_km > 0)
            if vague.any():
                # degrees of longitude are the shorter ones, so this radius in degrees errs on the wide side
                shrink = np.maximum(np.cos(np.radians(self.lat[vague])), 0.01)
                degrees = self.radius_km[vague] / (_KM_PER_DEGREE * shrink)
                outline = self.book.geometry(zone).boundary
                near = shapely.dwithin(outline, shapely.points(self.lon[vague], self.lat[vague]), degrees)
                result[np.flatnonzero(vague)[near]] = UNKNOWN
            for named in set(self.named_zone[~located]) - {""}:
                result[self.named_zone == named] = _zone_relation(self.book, named, zone)
            self._zones[zone] = result
        return self._zones[zone]

    def groups(self, column: Literal["actors", "kinds"]) -> list[tuple[Any, Mask]]:
        """Each distinct value of a column with the rows that hold it, found once per column."""
        if column not in self._groups:
            values: npt.NDArray[np.object_] = getattr(self, column)
            self._groups[column] = [(v, values == v) for v in sorted(set(values.tolist()), key=str)]
        return self._groups[column]

    def coverage(self, covered: frozenset[str]) -> Tri:
        """INSIDE if an item's actor is covered by a clause's parties, UNKNOWN if it may be (or is missing)."""
        result = np.full(len(self), UNKNOWN, dtype=np.int8)
        for value, rows in self.groups("actors"):
            result[rows] = party_relation(self.book, value, covered)
        return result


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


def _offsets(item: Unit | Incident) -> tuple[int, int]:
    if isinstance(item, Unit):
        return (0, 0)
    first = item.time.utcoffset() or timedelta(0)
    last = (item.latest or item.time).utcoffset() or timedelta(0)
    return int(first.total_seconds()), int(last.total_seconds())


def _start(item: Unit | Incident) -> float:
    if isinstance(item, Incident):
        return item.time.timestamp()
    return item.observed.timestamp() if item.observed else -np.inf


def _stop(item: Unit | Incident) -> float:
    if isinstance(item, Incident):
        return (item.latest or item.time).timestamp()
    return np.inf



def _zone_relation(book: Rulebook, named: str, zone: str) -> int:
    if named == zone:
        return INSIDE
    inner, outer = book.geometry(named), book.geometry(zone)
    if outer.covers(inner):
        return INSIDE
    if outer.intersection(inner).area == 0:
        return OUTSIDE
    return UNKNOWN


def party_relation(book: Rulebook, actor: str | None, covered: frozenset[str]) -> int:
    if actor is None:
        return UNKNOWN
    if actor in covered:
        return INSIDE
    members = book.members(actor)
    if members <= covered:
        return INSIDE
    return UNKNOWN if members & covered else OUTSIDE


@dataclass(frozen=True)
class State:
    """One scenario state as clause units read it: its units and incidents as columns, and who
    controls each named area (None: not known; absent: not reported)."""

    book: Rulebook
    units: Items
    incidents: Items
    areas: Mapping[str, str | None] = field(default_factory=dict)
    remember: bool = False
    """Whether clause units keep what they work out (which items they count) in ``cache``: for a
    timeline, which measures the same state at many instants; one evaluation need not hold it."""
    cache: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)
