"""Reduce a scenario state to the few facts the rules need, vectorised, keeping evidence ids.

Each clause gets one ``Measure``: whether it is due, how much of what it
forbids is present for certain (``amount``), and how much might be if the
unknowns were known (``possible``). The decision itself is left to the rules.

The work splits in two so that a timeline can reuse it: ``classify`` says once,
for every item, whether it may or surely does offend a clause whatever the
time; ``Items.active_at`` and ``Items.during`` say which items count at an
instant; ``measure`` combines the two.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
import numpy.typing as npt
import shapely

from .rulebook import Clause, Rulebook
from .scenario import Incident, Scenario, Unit

Phase = Literal["due", "not_due", "not_applicable"]
Window = Literal["before", "in_force", "after"]

INSIDE, OUTSIDE, UNKNOWN = 1, 0, -1
Tri = npt.NDArray[np.int8]
Mask = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]

_KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Measure:
    """What the state shows about one clause."""

    clause: Clause
    phase: Phase
    amount: int = 0
    possible: int = 0
    evidence: tuple[str, ...] = ()
    unknown_evidence: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    tally: tuple[tuple[str, int], ...] = ()
    illustrative_zone: bool = False


@dataclass(frozen=True)
class Observation:
    """The facts of one evaluation: the truce's window and a measure per clause."""

    window: Window
    measures: tuple[Measure, ...]
    ignored: tuple[str, ...] = field(default=())


WINDOWS: tuple[Window, ...] = ("before", "in_force", "after")


def window_index(book: Rulebook, instants: Floats) -> npt.NDArray[np.intp]:
    """For each instant (epoch seconds), its index in ``WINDOWS``."""
    bounds = [book.in_force.start.timestamp(), book.in_force.end.timestamp() if book.in_force.end else np.inf]
    return np.searchsorted(bounds, instants, side="right")


def window_at(book: Rulebook, instant: datetime) -> Window:
    """Whether ``instant`` is before, inside or after the truce's period of force."""
    return WINDOWS[int(window_index(book, np.array([instant.timestamp()]))[0])]


def due_from(clause: Clause, book: Rulebook) -> datetime:
    """The instant from which a clause binds: its deadline, else the truce's start."""
    return (clause.deadline if clause.type == "withdrawal" else None) or book.in_force.start


def observe(scenario: Scenario, book: Rulebook, reading: str) -> Observation:
    """All measures for a scenario under a reading of the rulebook."""
    units = Items(scenario.units, book)
    incidents = Items(scenario.incidents, book)
    as_of = scenario.as_of.timestamp()
    active = units.active_at(as_of)
    surely, maybe = incidents.during(as_of)
    measures = []
    for original in book.clauses:
        clause = original.under(reading)
        if clause is None:
            measures.append(Measure(original, "not_applicable"))
        elif scenario.as_of < due_from(clause, book):
            measures.append(Measure(clause, "not_due", illustrative_zone=_illustrative(clause, book)))
        elif clause.type == "withdrawal":
            measures.append(measure(clause, units, classify(clause, units), active, active))
        else:
            measures.append(measure(clause, incidents, classify(clause, incidents), surely, maybe))
    ignored = tuple(incidents.ids[incidents.start > as_of].tolist())
    return Observation(window_at(book, scenario.as_of), tuple(measures), ignored)


class Items:
    """Columns of units or incidents, with zone membership computed once per zone.

    ``start``/``stop`` bound when each item counts: for a unit, from its
    observation until the next observation of the same id (always, if it has
    none); for an incident, the moments it may have happened, ``stop`` exclusive
    when the time is uncertain and equal to ``start`` when it is exact.
    """

    def __init__(self, items: Sequence[Unit | Incident], book: Rulebook) -> None:
        self.items = items
        self.book = book
        self.ids = np.array([i.id for i in items], dtype=object)
        self.actors = np.array([i.party if isinstance(i, Unit) else i.by for i in items], dtype=object)
        self.kinds = np.array([i.kind for i in items], dtype=object)
        self.weights = np.array([i.count if isinstance(i, Unit) else 1 for i in items], dtype=np.int64)
        self.lon = np.array([i.position.lon if i.position else np.nan for i in items], dtype=float)
        self.lat = np.array([i.position.lat if i.position else np.nan for i in items], dtype=float)
        self.radius_km = np.array([i.uncertainty_km or 0.0 for i in items], dtype=float)
        self.named_zone = np.array([i.zone or "" for i in items], dtype=object)
        self.start, self.stop = _spans(items)
        self._zones: dict[str, Tri] = {}

    def __len__(self) -> int:
        return len(self.items)

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
            geom = self.book.geometry(zone)
            located = ~np.isnan(self.lon)
            result = np.full(len(self), UNKNOWN, dtype=np.int8)
            inside = shapely.intersects_xy(geom, self.lon[located], self.lat[located])
            result[located] = np.where(inside, INSIDE, OUTSIDE)
            vague = located & (self.radius_km > 0)
            if vague.any():
                # degrees of longitude are the shorter ones, so this radius in degrees errs on the wide side
                shrink = np.maximum(np.cos(np.radians(self.lat[vague])), 0.01)
                degrees = self.radius_km[vague] / (_KM_PER_DEGREE * shrink)
                near = shapely.dwithin(geom.boundary, shapely.points(self.lon[vague], self.lat[vague]), degrees)
                result[np.flatnonzero(vague)[near]] = UNKNOWN
            for named in set(self.named_zone[~located]) - {""}:
                result[self.named_zone == named] = _zone_relation(self.book, named, zone)
            self._zones[zone] = result
        return self._zones[zone]

    def coverage(self, covered: frozenset[str]) -> Tri:
        """INSIDE if an item's actor is covered by a clause's parties, UNKNOWN if it may be (or is missing)."""
        result = np.full(len(self), UNKNOWN, dtype=np.int8)
        for value in set(self.actors.tolist()):
            result[self.actors == value] = _party_relation(self.book, value, covered)
        return result


def _spans(items: Sequence[Unit | Incident]) -> tuple[Floats, Floats]:
    start = np.array([_start(i) for i in items], dtype=float)
    stop = np.array([_stop(i) for i in items], dtype=float)
    observed = [k for k, i in enumerate(items) if isinstance(i, Unit) and i.observed is not None]
    if observed:
        order = sorted(observed, key=lambda k: (items[k].id, start[k]))
        for here, after in itertools.pairwise(order):
            if items[here].id == items[after].id:
                stop[here] = start[after]
    return start, stop


def _start(item: Unit | Incident) -> float:
    if isinstance(item, Incident):
        return item.time.timestamp()
    return item.observed.timestamp() if item.observed else -np.inf


def _stop(item: Unit | Incident) -> float:
    if isinstance(item, Incident):
        return (item.latest or item.time).timestamp()
    return np.inf


@dataclass(frozen=True)
class Classified:
    """Per item, whatever the time: may it offend the clause (``relevant``), surely (``certain``)?"""

    relevant: Mask
    certain: Mask
    party: Tri
    where: Tri


def classify(clause: Clause, items: Items) -> Classified:
    """Which items a clause counts: kind, party and place, but not time."""
    book = items.book
    if clause.type == "withdrawal":
        if clause.forces == "all":
            kind_ok = np.ones(len(items), dtype=bool)
        else:
            wanted = set(clause.forces or [])
            kind_ok = np.zeros(len(items), dtype=bool)
            for kind in set(items.kinds.tolist()):
                if book.classes_of(kind) & wanted:
                    kind_ok[items.kinds == kind] = True
    else:
        kind_ok = np.isin(items.kinds, list(clause.incidents or [])) if len(items) else np.zeros(0, dtype=bool)
    party = items.coverage(_covered_parties(book, clause))
    where = items.in_zone(clause.zone) if clause.zone else np.full(len(items), INSIDE, dtype=np.int8)
    relevant = kind_ok & (items.weights > 0) & (party != OUTSIDE) & (where != OUTSIDE)
    return Classified(relevant, relevant & (party == INSIDE) & (where == INSIDE), party, where)


def measure(clause: Clause, items: Items, classified: Classified, surely: Mask, maybe: Mask) -> Measure:
    """A due clause's measure from its classification and the items that (surely, maybe) count now."""
    certain = classified.certain & surely
    relevant = classified.relevant & maybe
    doubtful = relevant & ~certain
    missing = [_missing(items.items[int(i)], classified.party[i], classified.where[i])
               for i in np.flatnonzero(doubtful)]
    tally: dict[str, int] = {}
    for kind, count in zip(items.kinds[certain].tolist(), items.weights[certain].tolist(), strict=True):
        tally[kind] = tally.get(kind, 0) + count
    return Measure(
        clause,
        "due",
        amount=int(items.weights[certain].sum()),
        possible=int(items.weights[relevant].sum()),
        evidence=tuple(sorted(items.ids[certain].tolist())),
        unknown_evidence=tuple(sorted(items.ids[doubtful].tolist())),
        parties=tuple(sorted({str(a) for a in items.actors[certain].tolist()})),
        missing=tuple(sorted(m for ms in missing for m in ms)),
        tally=tuple(sorted(tally.items())),
        illustrative_zone=_illustrative(clause, book=items.book),
    )


def _illustrative(clause: Clause, book: Rulebook) -> bool:
    return clause.zone is not None and book.zones[clause.zone].illustrative


def _zone_relation(book: Rulebook, named: str, zone: str) -> int:
    if named == zone:
        return INSIDE
    inner, outer = book.geometry(named), book.geometry(zone)
    if outer.covers(inner):
        return INSIDE
    if outer.intersection(inner).area == 0:
        return OUTSIDE
    return UNKNOWN


def _party_relation(book: Rulebook, actor: str | None, covered: frozenset[str]) -> int:
    if actor is None:
        return UNKNOWN
    if actor in covered:
        return INSIDE
    members = book.members(actor)
    if members <= covered:
        return INSIDE
    return UNKNOWN if members & covered else OUTSIDE


def _covered_parties(book: Rulebook, clause: Clause) -> frozenset[str]:
    covered: set[str] = set()
    for actor in clause.parties:
        covered |= {actor, *book.members(actor)}
    return frozenset(covered)


def _missing(item: Unit | Incident, party: int, where: int) -> list[str]:
    """What would settle whether a doubtful item counts."""
    if isinstance(item, Unit):
        if where == UNKNOWN:
            return [f"the position of unit {item.id} ({item.party}, {item.kind})"]
        return [f"which member of group {item.party} unit {item.id} belongs to"]
    missing = []
    if party == UNKNOWN:
        missing.append(f"the perpetrator of incident {item.id} ({item.kind})" if item.by is None
                       else f"which member of group {item.by} carried out incident {item.id}")
    if where == UNKNOWN:
        missing.append(f"the position of incident {item.id} ({item.kind})")
    if not missing:
        until = item.latest.isoformat() if item.latest else "?"
        missing.append(f"the time of incident {item.id} ({item.kind}, from {item.time.isoformat()} to before {until})")
    return missing
