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
        elif clause.type in ("withdrawal", "cap"):
            measures.append(_presence(clause, units, scenario, book))
        elif clause.type == "handover":
            measures.append(_handover(clause, scenario, book))
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
            area = self.book.area(zone)
            located = ~np.isnan(self.lon)
            result = np.full(len(self), UNKNOWN, dtype=np.int8)
            result[located] = np.where(area.covers_xy(self.lon[located], self.lat[located]), INSIDE, OUTSIDE)
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


def _presence(clause: Clause, units: _Items, scenario: Scenario, book: Rulebook) -> Measure:
    """Units a withdrawal forbids, or a cap counts, in the clause's zone once it binds.

    With ``per: party`` the amount is the worst party's total, and the evidence
    the units of every party over the limit (else of the worst one).
    """
    illustrative = clause.zone is not None and book.zones[clause.zone].illustrative
    if scenario.as_of < book.deadline(clause):
        return Measure(clause, "not_due", illustrative_zone=illustrative)
    items = scenario.units
    party = units.coverage(np.array([u.party for u in items], dtype=object), _covered_parties(book, clause))
    kinds = np.array([u.kind for u in items], dtype=object)
    counts = np.array([u.count for u in items], dtype=np.int64)
    force = _force_fit(book, clause, items, kinds)
    where = units.in_zone(clause.zone) if clause.zone else np.full(len(items), INSIDE, dtype=np.int8)
    relevant = (counts > 0) & (force != OUTSIDE) & (party != OUTSIDE) & (where != OUTSIDE)
    certain = relevant & (force == INSIDE) & (party == INSIDE) & (where == INSIDE)
    doubtful = relevant & ~certain
    keys = np.array([u.party if clause.per == "party" else "" for u in items], dtype=object)
    totals = {key: int(counts[certain & (keys == key)].sum()) for key in set(keys.tolist())}
    possibles = {key: int(counts[relevant & (keys == key)].sum()) for key in set(keys.tolist())}
    amount = max(totals.values(), default=0)
    over = {key for key, total in totals.items() if total > clause.limit} or {
        key for key, total in totals.items() if total == amount and amount > 0
    }
    shown = certain & np.isin(keys, list(over)) if len(items) else certain
    missing = [m for i, u in enumerate(items) if doubtful[i] for m in _missing_unit(book, clause, u, where[i], party[i], force=force[i])]
    tally: dict[str, int] = {}
    for kind, count in zip(kinds[shown].tolist(), counts[shown].tolist(), strict=True):
        tally[kind] = tally.get(kind, 0) + count
    return Measure(
        clause,
        "due",
        amount=amount,
        possible=max(possibles.values(), default=0),
        evidence=tuple(sorted(units.ids[shown].tolist())),
        unknown_evidence=tuple(sorted(units.ids[doubtful].tolist())),
        parties=tuple(sorted({items[int(i)].party for i in np.flatnonzero(shown)})),
        missing=tuple(sorted(set(missing))),
        tally=tuple(sorted(tally.items())),
        illustrative_zone=illustrative,
    )


def _force_fit(book: Rulebook, clause: Clause, items: Sequence[Unit], kinds: npt.NDArray[np.object_]) -> Tri:
    """INSIDE if a unit is of the clause's forces, UNKNOWN if that turns on an attribute it lacks."""
    if clause.forces == "all":
        return np.full(len(items), INSIDE, dtype=np.int8)
    wanted = set(clause.forces or [])
    result = np.full(len(items), OUTSIDE, dtype=np.int8)
    for kind in set(kinds.tolist()):
        rows = np.flatnonzero(kinds == kind)
        fits = [_class_fit(book, cls, [items[int(i)] for i in rows]) for cls in book.classes_of(kind) & wanted]
        if fits:
            result[rows] = _any(np.stack(fits))
    return result


def _class_fit(book: Rulebook, cls: str, units: list[Unit]) -> Tri:
    """Whether units of a kind in class ``cls`` meet the class's attribute bounds."""
    bounds = book.classes[cls].where if cls in book.classes else {}
    fit = np.full(len(units), INSIDE, dtype=np.int8)
    for attribute, bound in bounds.items():
        value = np.array([u.attributes.get(attribute, np.nan) for u in units], dtype=float)
        ok = np.ones(len(units), dtype=bool)
        with np.errstate(invalid="ignore"):
            for limit, test in ((bound.min, np.greater_equal), (bound.max, np.less_equal),
                                (bound.above, np.greater), (bound.below, np.less)):
                if limit is not None:
                    ok &= test(value, limit)
        this = np.where(np.isnan(value), UNKNOWN, np.where(ok, INSIDE, OUTSIDE)).astype(np.int8)
        fit = np.where((fit == OUTSIDE) | (this == OUTSIDE), OUTSIDE, np.minimum(fit, this)).astype(np.int8)
    return fit


def _any(fits: Tri) -> Tri:
    """Per column: INSIDE if any row is, else UNKNOWN if any row is, else OUTSIDE."""
    return np.where((fits == INSIDE).any(axis=0), INSIDE, np.where((fits == UNKNOWN).any(axis=0), UNKNOWN, OUTSIDE)).astype(
        np.int8
    )


def _missing_unit(book: Rulebook, clause: Clause, unit: Unit, where: int, party: int, *, force: int) -> list[str]:
    missing = []
    if where == UNKNOWN:
        missing.append(f"the position of unit {unit.id} ({unit.party}, {unit.kind})")
    if party == UNKNOWN:
        missing.append(f"which member of group {unit.party} unit {unit.id} belongs to")
    if force == UNKNOWN:
        wanted = book.classes_of(unit.kind) & set(clause.forces or [])
        absent = sorted({a for c in wanted if c in book.classes for a in book.classes[c].where} - set(unit.attributes))
        missing.append(f"the {' and '.join(absent)} of unit {unit.id} ({unit.party}, {unit.kind})")
    return missing


def _handover(clause: Clause, scenario: Scenario, book: Rulebook) -> Measure:
    """Whether a named area is held by the party it was to be handed to, once due."""
    if scenario.as_of < book.deadline(clause):
        return Measure(clause, "not_due")
    assert clause.area is not None and clause.controlled_by is not None
    holder = {a.id: a.controlled_by for a in scenario.areas}.get(clause.area)
    if holder is None:
        missing = (f"who controls {book.areas[clause.area].name} ({clause.area})",)
        return Measure(clause, "due", possible=1, unknown_evidence=(clause.area,), missing=missing)
    receivers = book.members(clause.controlled_by) | {clause.controlled_by}
    if book.members(holder) <= receivers:
        return Measure(clause, "due", evidence=(clause.area,))
    return Measure(clause, "due", amount=1, possible=1, evidence=(clause.area,), parties=(holder,))


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
