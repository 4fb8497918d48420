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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import shapely

from ._rulebook import Clause, Rulebook
from ._scenario import Incident, Scenario, Unit

Phase = Literal["due", "not_due", "not_applicable"]
Window = Literal["before", "in_force", "after"]

INSIDE, OUTSIDE, UNKNOWN = 1, 0, -1
COUNTS_UNITS = ("withdrawal", "cap")
Tri = npt.NDArray[np.int8]
Mask = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Strings = npt.NDArray[np.object_]

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


def observe(
    scenario: Scenario, book: Rulebook, reading: str, units: Items | None = None, incidents: Items | None = None
) -> Observation:
    """All measures for a scenario under a reading of the rulebook; ``units``/``incidents``
    stand in for the scenario's own lists when a state comes as columns."""
    units = Items(scenario.units, book) if units is None else units
    incidents = Items(scenario.incidents, book) if incidents is None else incidents
    as_of = scenario.as_of.timestamp()
    active = units.active_at(as_of)
    surely, maybe = incidents.during(as_of)
    measures = []
    for original in book.clauses:
        clause = original.under(reading)
        if clause is None:
            measures.append(Measure(original, "not_applicable"))
        elif scenario.as_of < book.deadline(clause):
            measures.append(Measure(clause, "not_due", illustrative_zone=_illustrative(clause, book)))
        elif clause.type == "handover":
            measures.append(handover(clause, scenario, book))
        elif clause.type in COUNTS_UNITS:
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
            result[rows] = _party_relation(self.book, value, covered)
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


@dataclass(frozen=True)
class Classified:
    """Per item, whatever the time: may it offend the clause (``relevant``), surely (``certain``)?"""

    relevant: Mask
    certain: Mask
    party: Tri
    where: Tri
    force: Tri


def classify(clause: Clause, items: Items) -> Classified:
    """Which items a clause counts: kind (and measured attributes), party and place, but not time."""
    book = items.book
    if clause.type in COUNTS_UNITS:
        force = _force_fit(book, clause, items)
    else:
        force = np.where(np.isin(items.kinds, list(clause.incidents or [])), INSIDE, OUTSIDE).astype(np.int8)
    party = items.coverage(_covered_parties(book, clause))
    where = items.in_zone(clause.zone) if clause.zone else np.full(len(items), INSIDE, dtype=np.int8)
    relevant = (force != OUTSIDE) & (items.weights > 0) & (party != OUTSIDE) & (where != OUTSIDE)
    certain = relevant & (force == INSIDE) & (party == INSIDE) & (where == INSIDE)
    return Classified(relevant, certain, party, where, force)


def _force_fit(book: Rulebook, clause: Clause, items: Items) -> Tri:
    """INSIDE if a unit is of the clause's forces, UNKNOWN if that turns on an attribute it lacks."""
    if clause.forces == "all":
        return np.full(len(items), INSIDE, dtype=np.int8)
    wanted = set(clause.forces or [])
    result = np.full(len(items), OUTSIDE, dtype=np.int8)
    for kind, mask in items.groups("kinds"):
        rows = np.flatnonzero(mask)
        fits = [_class_fit(book, cls, items, rows) for cls in book.classes_of(kind) & wanted]
        if fits:
            result[rows] = _any(np.stack(fits))
    return result


def _class_fit(book: Rulebook, cls: str, items: Items, rows: npt.NDArray[np.intp]) -> Tri:
    """Whether the units at ``rows`` (of a kind in class ``cls``) meet the class's attribute bounds."""
    bounds = book.classes[cls].where if cls in book.classes else {}
    fit = np.full(len(rows), INSIDE, dtype=np.int8)
    for attribute, bound in bounds.items():
        value = items.attributes[attribute][rows] if attribute in items.attributes else np.full(len(rows), np.nan)
        ok = np.ones(len(rows), dtype=bool)
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


def party_keys(clause: Clause, items: Items) -> list[tuple[Any, Mask]]:
    """What a clause totals by: each actor's rows for ``per: party`` caps, else all rows as one total."""
    return items.groups("actors") if clause.per == "party" else [("", np.ones(len(items), dtype=bool))]


def measure(clause: Clause, items: Items, classified: Classified, surely: Mask, maybe: Mask) -> Measure:
    """A due clause's measure from its classification and the items that (surely, maybe) count now.

    With ``per: party`` the amount is the worst party's total, and the evidence the
    units of every party over the limit (else of the worst one).
    """
    certain = classified.certain & surely
    relevant = classified.relevant & maybe
    doubtful = relevant & ~certain
    keys = party_keys(clause, items)
    totals = [int(items.weights[certain & rows].sum()) for _, rows in keys]
    amount = max(totals, default=0)
    over = [total > clause.limit for total in totals]
    if not any(over):
        over = [total == amount and amount > 0 for total in totals]
    chosen = [rows for (_, rows), pick in zip(keys, over, strict=True) if pick]
    shown = certain & np.any(chosen, axis=0) if chosen else np.zeros(len(items), dtype=bool)
    missing = [
        m
        for i in np.flatnonzero(doubtful)
        for m in _missing(
            clause, items, int(i), party=classified.party[i], where=classified.where[i], force=classified.force[i]
        )
    ]
    tally = {kind: int(items.weights[shown & rows].sum()) for kind, rows in items.groups("kinds") if (shown & rows).any()}
    return Measure(
        clause,
        "due",
        amount=amount,
        possible=max((int(items.weights[relevant & rows].sum()) for _, rows in keys), default=0),
        evidence=tuple(sorted(items.ids[shown].tolist())),
        unknown_evidence=tuple(sorted(items.ids[doubtful].tolist())),
        parties=tuple(sorted(str(actor) for actor, rows in items.groups("actors") if (shown & rows).any())),
        missing=tuple(sorted(set(missing))),
        tally=tuple(sorted(tally.items())),
        illustrative_zone=_illustrative(clause, book=items.book),
    )


def handover(clause: Clause, scenario: Scenario, book: Rulebook) -> Measure:
    """Whether a named area is held by the party it was to be handed to (the clause being due)."""
    assert clause.area is not None and clause.controlled_by is not None
    holder = {a.id: a.controlled_by for a in scenario.areas}.get(clause.area)
    if holder is None:
        missing = (f"who controls {book.areas[clause.area].name} ({clause.area})",)
        return Measure(clause, "due", possible=1, unknown_evidence=(clause.area,), missing=missing)
    receivers = book.members(clause.controlled_by) | {clause.controlled_by}
    if book.members(holder) <= receivers:
        return Measure(clause, "due", evidence=(clause.area,))
    return Measure(clause, "due", amount=1, possible=1, evidence=(clause.area,), parties=(holder,))


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


def _missing(clause: Clause, items: Items, row: int, *, party: int, where: int, force: int) -> list[str]:
    """What would settle whether a doubtful item (at ``row``) counts."""
    book, missing = items.book, []
    item, actor, kind = items.ids[row], items.actors[row], items.kinds[row]
    if clause.type in COUNTS_UNITS:
        if where == UNKNOWN:
            missing.append(f"the position of unit {item} ({actor}, {kind})")
        if party == UNKNOWN:
            missing.append(f"which member of group {actor} unit {item} belongs to")
        if force == UNKNOWN:
            wanted = book.classes_of(kind) & set(clause.forces or [])
            given = {a for a, values in items.attributes.items() if not np.isnan(values[row])}
            absent = sorted({a for c in wanted if c in book.classes for a in book.classes[c].where} - given)
            missing.append(f"the {' and '.join(absent)} of unit {item} ({actor}, {kind})")
        return missing
    if party == UNKNOWN:
        missing.append(f"the perpetrator of incident {item} ({kind})" if actor is None
                       else f"which member of group {actor} carried out incident {item}")
    if where == UNKNOWN:
        missing.append(f"the position of incident {item} ({kind})")
    if not missing:
        until = items.stamp(row, 1) if items.stop[row] > items.start[row] else "?"
        missing.append(f"the time of incident {item} ({kind}, from {items.stamp(row, 0)} to before {until})")
    return missing
