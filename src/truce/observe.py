"""Reduce a scenario state to the few facts the rules need, vectorised, keeping evidence ids.

Each clause gets one ``Measure``: whether it is due, how much of what it
forbids is present for certain (``amount``), and how much might be if the
unknowns were known (``possible``). The decision itself is left to the rules.
"""

from __future__ import annotations

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


def window_at(book: Rulebook, instant: datetime) -> Window:
    """Whether ``instant`` is before, inside or after the truce's period of force."""
    if instant < book.in_force.start:
        return "before"
    if book.in_force.end is not None and instant >= book.in_force.end:
        return "after"
    return "in_force"


def observe(scenario: Scenario, book: Rulebook, reading: str) -> Observation:
    """All measures for a scenario under a reading of the rulebook."""
    units = _Items(scenario.units, book)
    incidents = _Items(scenario.incidents, book)
    times = np.array([i.time.timestamp() for i in scenario.incidents], dtype=float)
    as_of = scenario.as_of.timestamp()
    measures = []
    for original in book.clauses:
        clause = original.under(reading)
        if clause is None:
            measures.append(Measure(original, "not_applicable"))
        elif clause.type == "withdrawal":
            measures.append(_withdrawal(clause, units, scenario, book))
        else:
            measures.append(_prohibition(clause, incidents, times, scenario, book))
    ignored = tuple(i.id for i, t in zip(scenario.incidents, times, strict=True) if t > as_of)
    return Observation(window_at(book, scenario.as_of), tuple(measures), ignored)


class _Items:
    """Columns of units or incidents, with zone membership computed once per zone."""

    def __init__(self, items: Sequence[Unit | Incident], book: Rulebook) -> None:
        self.items = items
        self.book = book
        self.ids = np.array([i.id for i in items], dtype=object)
        self.lon = np.array([i.position.lon if i.position else np.nan for i in items], dtype=float)
        self.lat = np.array([i.position.lat if i.position else np.nan for i in items], dtype=float)
        self.named_zone = np.array([i.zone or "" for i in items], dtype=object)
        self._zones: dict[str, Tri] = {}

    def __len__(self) -> int:
        return len(self.items)

    def in_zone(self, zone: str) -> Tri:
        """INSIDE/OUTSIDE/UNKNOWN for every item; the zone's boundary counts as inside."""
        if zone not in self._zones:
            geom = self.book.geometry(zone)
            located = ~np.isnan(self.lon)
            result = np.full(len(self), UNKNOWN, dtype=np.int8)
            result[located] = np.where(shapely.intersects_xy(geom, self.lon[located], self.lat[located]), INSIDE, OUTSIDE)
            for named in set(self.named_zone[~located]) - {""}:
                result[self.named_zone == named] = _zone_relation(self.book, named, zone)
            self._zones[zone] = result
        return self._zones[zone]

    def coverage(self, values: npt.NDArray[np.object_], covered: frozenset[str]) -> Tri:
        """INSIDE if a value is covered by a clause's parties, UNKNOWN if it may be (or is missing)."""
        result = np.full(len(values), UNKNOWN, dtype=np.int8)
        for value in set(values.tolist()):
            result[values == value] = _party_relation(self.book, value, covered)
        return result


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


def _withdrawal(clause: Clause, units: _Items, scenario: Scenario, book: Rulebook) -> Measure:
    deadline = clause.deadline or book.in_force.start
    assert clause.zone is not None
    illustrative = book.zones[clause.zone].illustrative
    if scenario.as_of < deadline:
        return Measure(clause, "not_due", illustrative_zone=illustrative)
    items = scenario.units
    party = units.coverage(np.array([u.party for u in items], dtype=object), _covered_parties(book, clause))
    kinds = np.array([u.kind for u in items], dtype=object)
    counts = np.array([u.count for u in items], dtype=np.int64)
    if clause.forces == "all":
        kind_ok = np.ones(len(items), dtype=bool)
    else:
        wanted = set(clause.forces or [])
        kind_ok = np.zeros(len(items), dtype=bool)
        for kind in set(kinds.tolist()):
            if book.classes_of(kind) & wanted:
                kind_ok[kinds == kind] = True
    where = units.in_zone(clause.zone)
    relevant = kind_ok & (counts > 0) & (party != OUTSIDE) & (where != OUTSIDE)
    certain = relevant & (party == INSIDE) & (where == INSIDE)
    doubtful = relevant & ~certain
    missing = [_missing_unit(u, where[i], party[i]) for i, u in enumerate(items) if doubtful[i]]
    tally: dict[str, int] = {}
    for kind, count in zip(kinds[certain].tolist(), counts[certain].tolist(), strict=True):
        tally[kind] = tally.get(kind, 0) + count
    return Measure(
        clause,
        "due",
        amount=int(counts[certain].sum()),
        possible=int(counts[relevant].sum()),
        evidence=tuple(sorted(units.ids[certain].tolist())),
        unknown_evidence=tuple(sorted(units.ids[doubtful].tolist())),
        parties=tuple(sorted({items[i].party for i in np.flatnonzero(certain)})),
        missing=tuple(sorted(missing)),
        tally=tuple(sorted(tally.items())),
        illustrative_zone=illustrative,
    )


def _missing_unit(unit: Unit, where: int, party: int) -> str:
    if where == UNKNOWN:
        return f"the position of unit {unit.id} ({unit.party}, {unit.kind})"
    return f"which member of group {unit.party} unit {unit.id} belongs to"


def _prohibition(clause: Clause, incidents: _Items, times: npt.NDArray[np.float64], scenario: Scenario, book: Rulebook) -> Measure:
    illustrative = clause.zone is not None and book.zones[clause.zone].illustrative
    if scenario.as_of < book.in_force.start:
        return Measure(clause, "not_due", illustrative_zone=illustrative)
    items = scenario.incidents
    start = book.in_force.start.timestamp()
    end = book.in_force.end.timestamp() if book.in_force.end else np.inf
    kinds = np.array([i.kind for i in items], dtype=object)
    kind_ok = np.isin(kinds, list(clause.incidents or [])) if len(items) else np.zeros(0, dtype=bool)
    during = (times >= start) & (times < end) & (times <= scenario.as_of.timestamp())
    party = incidents.coverage(np.array([i.by for i in items], dtype=object), _covered_parties(book, clause))
    where = incidents.in_zone(clause.zone) if clause.zone else np.full(len(items), INSIDE, dtype=np.int8)
    relevant = kind_ok & during & (party != OUTSIDE) & (where != OUTSIDE)
    certain = relevant & (party == INSIDE) & (where == INSIDE)
    doubtful = relevant & ~certain
    missing = []
    for i in np.flatnonzero(doubtful):
        incident = items[i]
        if party[i] == UNKNOWN:
            missing.append(f"the perpetrator of incident {incident.id} ({incident.kind})" if incident.by is None
                           else f"which member of group {incident.by} carried out incident {incident.id}")
        if where[i] == UNKNOWN:
            missing.append(f"the position of incident {incident.id} ({incident.kind})")
    tally: dict[str, int] = {}
    for kind in kinds[certain].tolist():
        tally[kind] = tally.get(kind, 0) + 1
    return Measure(
        clause,
        "due",
        amount=int(certain.sum()),
        possible=int(relevant.sum()),
        evidence=tuple(sorted(incidents.ids[certain].tolist())),
        unknown_evidence=tuple(sorted(incidents.ids[doubtful].tolist())),
        parties=tuple(sorted({str(items[i].by) for i in np.flatnonzero(certain)})),
        missing=tuple(sorted(missing)),
        tally=tuple(sorted(tally.items())),
        illustrative_zone=illustrative,
    )
