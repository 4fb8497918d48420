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

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ._items import INSIDE, OUTSIDE, UNKNOWN, Floats, Items, Mask, Tri
from ._rulebook import Clause, Rulebook
from ._scenario import Scenario

Phase = Literal["due", "not_due", "not_applicable"]
Window = Literal["before", "in_force", "after"]

COUNTS_UNITS = ("withdrawal", "cap")


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
