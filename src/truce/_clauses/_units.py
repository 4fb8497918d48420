"""What clauses that count units of some forces share (withdrawal, cap): forces, their fit, and unit timelines."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from .._items import INSIDE, OUTSIDE, UNKNOWN, both, either
from .._terms import AfterMet, Deadline, Id
from ._base import (
    Action,
    Changes,
    Check,
    Classified,
    ClauseReading,
    Counting,
    Edit,
    Lint,
    Loc,
    Measure,
    Parts,
    Place,
    Probe,
    Remedy,
    Sizes,
    Trace,
    _classify,
    check_zone,
    moments,
    parts,
    sequenced,
)

if TYPE_CHECKING:
    from .._items import Floats, Items, Mask, State, Tri
    from .._rulebook import Bounds, Rulebook
    from .._source import Document



class UnitsReading(ClauseReading):
    """What a clause on units says under one reading: any field given replaces the clause's own."""

    forces: Literal["all"] | list[Id] | None = None
    """The forces counted, instead of the clause's own."""
    zone: Id | None = None
    """The zone, instead of the clause's own."""
    deadline: Deadline | None = None
    """The deadline, instead of the clause's own."""


class CountsUnits(Counting):
    """A clause on the units of its parties whose kind is in ``forces`` (kinds or classes, or ``all``),
    in ``zone`` (anywhere, without one), from ``deadline`` on (the truce's start, without one)."""

    forces: Literal["all"] | list[Id]
    """Kind or class ids counted, or `all`."""
    zone: Id | None = None
    """The zone the clause is set on."""
    deadline: Deadline | None = None
    """From when the clause binds: a time, or `{after_start: {hours: 72}}` (default: the truce's start)."""
    readings: Mapping[Id, UnitsReading] = {}
    """What the clause says under particular readings, by reading id."""

    @property
    def zone_id(self) -> str | None:
        """The zone the clause is set on, if it has one."""
        return self.zone

    @property
    def stated_deadline(self) -> Deadline | None:
        """The deadline the clause states, if any."""
        return self.deadline

    def check_references(self, book: Rulebook, check: Check, loc: Loc) -> None:
        """Report every id the clause (and each of its reading overrides) names that the rulebook does not declare,
        and a deadline counted from a clause that is this one or counts, in the end, from it."""
        super().check_references(book, check, loc)
        known = set(book.kinds) | set(book.classes)
        for at, part in parts(loc, self, self.readings):
            if isinstance(part.forces, list):
                for i, force in enumerate(part.forces):
                    check((*at, "forces", i), force, known, "kind or class")
            check_zone(book, check, at, part.zone)
            if isinstance(part.deadline, AfterMet):
                self._check_sequence(book, check, (*at, "deadline", "after_met"), part.deadline.after_met)

    def _check_sequence(self, book: Rulebook, check: Check, loc: Loc, first: str) -> None:
        ids = {clause.id: clause for clause in book.clauses}
        check(loc, first, ids, "clause")
        chain, current = [self.id], first
        while current in ids and current not in chain:
            chain.append(current)
            after = ids[current].stated_deadline
            current = after.after_met if isinstance(after, AfterMet) else ""
        if current == self.id:
            loop = " -> ".join([*chain, self.id])
            check.problem(
                loc, f"the deadline counts from clause {first!r}, which counts back to this one ({loop}): it can never fall",
                value=first, suggestion="count one of them from the truce's start ({after_start: ...}) or from a time",
            )

    def uses(self, book: Rulebook) -> Iterator[tuple[str, str]]:
        """The rulebook ids the clause draws on: its actors, the forces it names, the kinds it counts, its zone."""
        yield from super().uses(book)
        if isinstance(self.forces, list):
            yield from (("classes", force) for force in self.forces)
        yield from (("kinds", kind) for kind in self.counted(book))
        if self.zone_id is not None:
            yield "zones", self.zone_id

    def counted(self, book: Rulebook) -> frozenset[str]:
        """The kinds of units the clause counts (some only if their attributes fit)."""
        if self.forces == "all":
            return frozenset(book.kinds)
        wanted = set(self.forces)
        return frozenset(k for k in book.kinds if book.classes_of(k) & wanted)

    def classes_for(self, book: Rulebook, kind: str) -> list[str]:
        """The classes (or the kind itself) through which the clause counts units of ``kind``."""
        if self.forces == "all":
            return [kind]
        return sorted(book.classes_of(kind) & set(self.forces))

    def forces_text(self, book: Rulebook) -> str:
        """The forces the clause counts, by name."""
        if self.forces == "all":
            return "forces"
        return ", ".join((book.classes[f].name if f in book.classes else book.kinds[f].name) for f in self.forces)

    def lint(self, book: Rulebook, doc: Document, loc: Loc, reading: str) -> Iterator[Lint]:
        """Forces no kind falls in: the clause can never be violated."""
        if isinstance(self.forces, list) and not self.counted(book):
            yield Lint(
                "never-applies",
                "error",
                doc.problem(
                    (*loc, "forces"),
                    f"under reading {reading!r} no kind falls in {self.forces}: the clause can never be violated",
                    suggestion="add the class to some kinds' classes",
                ),
            )

    def measure(self, state: State, at: float) -> Measure:
        """The due clause's measure at ``at``; with a deadline after another clause is met, not due or unknown
        where that clause was met too recently, or since when is not known (``sequenced``)."""
        return sequenced(self, state, at, super().measure(state, at))

    def extent(self, state: State, at: float) -> Measure:
        """What the clause counts at ``at``, whatever its deadline."""
        return super().measure(state, at)

    def repair(self, state: State, at: float) -> Remedy:
        """Units that leave the zone (or are cut down) until every total is within the limit: the largest that surely
        count first; a doubtful unit leaves unless what it lacks shows it does not count."""
        items, classified = state.units, self.classified_at(state, at)
        relevant = classified.relevant & items.active_at(at)
        edits: list[Edit] = []
        for _, rows in self.totals_by(items):
            chosen = np.flatnonzero(relevant & rows)
            excess = int(items.weights[chosen].sum()) - self.limit
            for row in sorted(chosen.tolist(), key=lambda r: (not classified.certain[r], -items.weights[r], items.ids[r])):
                if excess <= 0:
                    break
                cut = min(int(items.weights[row]), excess)
                excess -= cut
                edits.append(self._edit(items, classified, row, cut))
        return Remedy(tuple(edits))

    def _edit(self, items: Items, classified: Classified, row: int, cut: int) -> Edit:
        """The change that takes ``cut`` of the unit at ``row`` out of what the clause counts, in words."""
        book, count = items.book, int(items.weights[row])
        party, where, force = int(classified.party[row]), int(classified.where[row]), int(classified.force[row])
        unit = f"unit {items.ids[row]} ({count} {book.kinds[items.kinds[row]].name} of {items.actors[row]})"
        moved = f"{unit if cut == count else f'{cut} of {unit}'} must {self._leave(book)}"
        action: Action = "withdraw"
        if (party, where, force) != (INSIDE, INSIDE, INSIDE):
            action = "locate" if where == UNKNOWN else "identify" if party == UNKNOWN else "measure"
            learn = "; ".join(self._facts(items, classified, row))
            moved = f"{learn} must become known and show that it does not count, or {moved}"
        return Edit(action, str(items.actors[row]), str(items.ids[row]), f"{moved[0].upper()}{moved[1:]}.", row=row, remaining=count - cut)

    def _leave(self, book: Rulebook) -> str:
        """What a unit that counts must do to count no more, in words."""
        return f"leave the {book.zones[self.zone].name}" if self.zone else "be withdrawn"

    def track(self, state: State) -> Trace:
        """A unit observation counts from its time until the next observation of that unit; where the rulebook
        says when a sighting goes stale, it counts as seen only until then, and then as of unknown place."""
        items, classified = state.units, self.classified(state)
        fresh_until, stale = items.stop, np.zeros(len(items), dtype=bool)
        stale_after = state.book.stale_after
        if stale_after is not None:
            fresh_until = np.minimum(items.stop, items.start + stale_after.delta.total_seconds())
            anywhere = _classify(self, items, classified.force, np.full(len(items), UNKNOWN, dtype=np.int8)).relevant
            stale = anywhere & (fresh_until < items.stop)

        def changes(mask: Mask, start: Floats, stop: Floats) -> Changes:
            index = np.flatnonzero(mask)
            weights = items.weights[index]
            return Changes(
                np.concatenate([start[index], stop[index]]), np.concatenate([weights, -weights]), np.concatenate([index, index])
            )

        sure = changes(classified.certain, items.start, fresh_until)
        fresh, aged = changes(classified.relevant, items.start, fresh_until), changes(stale, fresh_until, items.stop)
        return Trace(items, sure, fresh.plus(aged), follows=self._follows(state))

    def _follows(self, state: State) -> Floats | None:
        """The instants the clause whose being met starts its clock may change at, and each as much later."""
        after = self.after_clause(state.book)
        if after is None or not isinstance(self.deadline, AfterMet):
            return None
        changes = moments(after.track(state))
        return np.concatenate([changes, changes + self.deadline.within.delta.total_seconds()])

    def probes(self, book: Rulebook, places: Sequence[Place], moment: datetime) -> Iterator[Probe]:
        """One unit of each party, kind and measurement a class bound names, at each place, one more than the limit."""
        del moment
        for party, kind, place in itertools.product(sorted(book.parties), sorted(book.kinds), places):
            for attributes in _measurements(book, kind):
                unit = {"id": "witness", "party": party, "kind": kind, "count": self.limit + 1}
                yield {"units": [{**unit, **({"attributes": attributes} if attributes else {}), **({"position": place} if place else {})}]}

    @classmethod
    def strategy(cls, book: Rulebook, sizes: Sizes) -> Parts:
        """Units of any declared party or group and kind, placed anywhere (or nowhere)."""
        from ._strategies import units  # noqa: PLC0415 - hypothesis is a test extra

        return {"units": units(book, sizes["units"])}

    def _items(self, state: State) -> Items:
        return state.units

    def _stale(self, items: Items, at: float) -> tuple[Mask, float] | None:
        """The units last seen too long before ``at`` (the rulebook's ``stale_after``) for their place to be known."""
        stale_after = items.book.stale_after
        if stale_after is None:
            return None
        since = at - stale_after.delta.total_seconds()
        return np.isfinite(items.start) & (items.start <= since), since

    def _counting(self, items: Items, at: float) -> tuple[Mask, Mask]:
        active = items.active_at(at)
        return active, active

    def _force(self, items: Items) -> Tri:
        """INSIDE if a unit is of the clause's forces, UNKNOWN if that turns on an attribute it lacks."""
        book = items.book
        if self.forces == "all":
            return np.full(len(items), INSIDE, dtype=np.int8)
        wanted = set(self.forces)
        kinds, codes = items.codes("kinds")
        classes = [book.classes_of(kind) & wanted for kind in kinds]
        unbounded = [any(not _bounds(book, cls) for cls in named) for named in classes]
        result = np.array([INSIDE if free else OUTSIDE for free in unbounded], dtype=np.int8)[codes]
        for code, (named, free) in enumerate(zip(classes, unbounded, strict=True)):
            if named and not free:  # every class it may fall in turns on measured attributes
                rows = np.flatnonzero(codes == code)
                result[rows] = either([_class_fit(book, cls, items, rows) for cls in named])
        return result

    def _missing(self, items: Items, row: int, party: int, where: int, force: int, *, since: float | None = None) -> list[str]:
        book, missing = items.book, []
        item, actor, kind = items.ids[row], items.actors[row], items.kinds[row]
        if since is not None:
            newer = datetime.fromtimestamp(since, book.in_force.start.tzinfo).isoformat()
            seen = datetime.fromtimestamp(float(items.start[row]), book.in_force.start.tzinfo).isoformat()
            missing.append(f"a sighting of unit {item} ({actor}, {kind}) newer than {newer} (the last, of {seen}, is stale)")
        elif where == UNKNOWN:
            missing.append(f"the position of unit {item} ({actor}, {kind})")
        if party == UNKNOWN:
            missing.append(f"which member of group {actor} unit {item} belongs to")
        if force == UNKNOWN:
            wanted = book.classes_of(kind) & set(self.forces)
            given = {a for a, values in items.attributes.items() if not np.isnan(values[row])}
            absent = sorted({a for c in wanted if c in book.classes for a in book.classes[c].where} - given)
            missing.append(f"the {' and '.join(absent)} of unit {item} ({actor}, {kind})")
        return missing


def _measurements(book: Rulebook, kind: str) -> list[dict[str, float]]:
    """No measurements, then each attribute its classes bound set to each bound and one either side of it."""
    bounds = [b for c in book.classes_of(kind) if c in book.classes for b in book.classes[c].where.items()]
    values = sorted({v + d for _, b in bounds for v in (b.min, b.max, b.above, b.below) if v is not None for d in (-1, 0, 1)})
    names = sorted({name for name, _ in bounds})
    return [{}, *({name: value for name in names} for value in values)] if names else [{}]


def _bounds(book: Rulebook, cls: str) -> dict[str, Bounds]:
    """The attribute bounds a unit must meet to fall in class ``cls`` (none for a kind id or a class without)."""
    return book.classes[cls].where if cls in book.classes else {}


def _class_fit(book: Rulebook, cls: str, items: Items, rows: npt.NDArray[np.intp]) -> Tri:
    """Whether the units at ``rows`` (of a kind in class ``cls``) meet the class's attribute bounds."""
    fit = np.full(len(rows), INSIDE, dtype=np.int8)
    for attribute, bound in _bounds(book, cls).items():
        value = items.attributes[attribute][rows] if attribute in items.attributes else np.full(len(rows), np.nan)
        ok = np.ones(len(rows), dtype=bool)
        with np.errstate(invalid="ignore"):
            for limit, test in ((bound.min, np.greater_equal), (bound.max, np.less_equal),
                                (bound.above, np.greater), (bound.below, np.less)):
                if limit is not None:
                    ok &= test(value, limit)
        this = np.where(np.isnan(value), UNKNOWN, np.where(ok, INSIDE, OUTSIDE)).astype(np.int8)
        fit = both(fit, this)
    return fit
