"""``freeze``: units of ``parties`` whose kind is in ``forces`` stand within ``tolerance_km`` of where they stood at
their baseline from ``deadline`` on (forces stop where they stand); with ``must: move``, each such unit has moved
more than ``tolerance_km`` from its baseline by ``deadline`` (a withdrawal that has begun). With a ``zone``, only
units that stood in it at their baseline count.

A unit's ``baseline`` is where it stood when forces were to stop. A state in which no unit of the bound parties
carries one does not assess the clause: its finding is ``not_assessed``. Where some do, a bound unit without one,
or whose distance from it the uncertainties of the two places leave on both sides of the tolerance, is unknown.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
from pydantic import BeforeValidator

from .._errors import Invalid
from .._geo import KM_PER_DEGREE
from .._items import INSIDE, OUTSIDE, UNKNOWN, Items, both
from .._limits import MAX_KM, number
from .._terms import Id
from ._base import Changes, Classified, Lint, Loc, Measure, Place, Probe, Reach, Trace, actors, deadline_text, where_text
from ._units import CountsUnits, UnitsReading

if TYPE_CHECKING:
    from .._items import Mask, State, Tri
    from .._rulebook import Rulebook
    from .._source import Document

_TOLERANCE_FIX = "write e.g. tolerance_km: 2, how far in km a unit may stand from its baseline, and say in the note why"
_km = number(0, MAX_KM)


def _tolerance(value: object) -> float:
    """A tolerance in km, by the scenario limits' check of a distance; else the error with its fix."""
    try:
        return _km(value)
    except ValueError as error:
        raise Invalid(str(error), _TOLERANCE_FIX) from None


Tolerance = Annotated[float, BeforeValidator(_tolerance)]
"""A distance in km from a baseline: a finite number from 0 (not a boolean, not a text)."""


class FreezeReading(UnitsReading):
    """What a freeze says under one reading: any field given replaces the clause's own."""

    tolerance_km: Tolerance | None = None
    """The tolerance, instead of the clause's own."""


class Freeze(CountsUnits):
    """Units of ``parties`` whose kind is in ``forces`` stay within ``tolerance_km`` of their baseline (``must: stay``),
    or have moved farther than that from it (``must: move``), from ``deadline`` on."""

    type: Literal["freeze"]
    """`freeze`."""
    forces: Literal["all"] | list[Id] = "all"
    """Kind or class ids counted, or `all` (the default)."""
    tolerance_km: Tolerance
    """How far, in km, a unit may stand from its baseline and still stand where it stood (`must: stay`), or must
    have moved from it (`must: move`, more than this far)."""
    must: Literal["stay", "move"] = "stay"
    """`stay` (a unit farther than `tolerance_km` from its baseline breaks it) or `move` (a unit still within
    `tolerance_km` of its baseline breaks it: its withdrawal has not begun)."""
    zone: Id | None = None
    """Where a unit must have stood at its baseline to count (anywhere, without one)."""
    readings: Mapping[Id, FreezeReading] = {}
    """What the clause says under particular readings, by reading id."""

    @classmethod
    def fix_for(cls, absent: Sequence[str]) -> str | None:
        """How to give a missing ``tolerance_km``."""
        return _TOLERANCE_FIX if "tolerance_km" in absent else None

    def lint(self, book: Rulebook, doc: Document, loc: Loc, reading: str) -> Iterator[Lint]:
        """Forces no kind falls in; a tolerance of 0 km, which any error in a reported position breaks (or meets)."""
        yield from super().lint(book, doc, loc, reading)
        if self.tolerance_km == 0:
            yield Lint("zero-tolerance", "warning", doc.problem(
                (*loc, "tolerance_km"), f"under reading {reading!r} the tolerance is 0 km: any error in a reported position decides it",
                suggestion="state how far a unit may stand from its baseline, e.g. tolerance_km: 2, and say why in the note"))

    def track(self, state: State) -> Trace:
        """A fixed ``not_assessed`` measure where no unit of its parties carries a baseline; else the units' changes."""
        fixed = self._unassessed(state.units, self.classified(state))
        if fixed is None:
            return super().track(state)
        return Trace(Items([], state.book), Changes.none(), Changes.none(), fixed)

    def _unassessed(self, items: Items, classified: Classified) -> Measure | None:
        """The ``not_assessed`` measure, if no unit the clause may bind carries a baseline."""
        if ((classified.party != OUTSIDE) & ~np.isnan(items.baseline[:, 0])).any():
            return None
        return Measure(self, "not_assessed", lacking=("baselines",))

    def _count(self, items: Items, classified: Classified, surely: Mask, maybe: Mask, words: bool = True) -> Measure:
        """As ``Counting`` counts, or not assessed without baselines (so its measure, extent, tips, placed and
        redrawn measures are too)."""
        return self._unassessed(items, classified) or super()._count(items, classified, surely, maybe, words)

    def _place(self, items: Items) -> Tri:
        """INSIDE where a unit surely breaks it by how far it stands from its baseline (``_moved``) and stood in
        ``zone``; OUTSIDE where either surely fails; else UNKNOWN."""
        offends = self._moved(items)
        return both(offends, items.baseline_in(self.zone)) if self.zone else offends

    def _put(self, items: Items, moved: Mask, where: int) -> Tri:
        """The ``moved`` units with their baselines put INSIDE, OUTSIDE or UNKNOWN (``where``) as to the zone: whether
        they count then turns on how far they stand from them too."""
        return both(self._moved(items)[moved], np.full(int(moved.sum()), where, dtype=np.int8))

    def _moved(self, items: Items) -> Tri:
        """INSIDE where a unit surely breaks it by how far it stands from its baseline, OUTSIDE where it surely does
        not, UNKNOWN where its position or baseline is missing, or their uncertainties straddle the tolerance."""
        near, far = items.from_baseline()
        beyond = np.where(near > self.tolerance_km, INSIDE, np.where(far <= self.tolerance_km, OUTSIDE, UNKNOWN))
        if self.must == "move":
            beyond = np.where(beyond == UNKNOWN, UNKNOWN, INSIDE + OUTSIDE - beyond)
        return beyond.astype(np.int8)

    def _reaches(self, items: Items, zone: str) -> tuple[Reach, ...]:
        """Where the units stood as to the zone: by their baseline."""
        del zone
        return (Reach("position", items.baseline[:, 0], items.baseline[:, 1], np.nan_to_num(items.baseline[:, 2])),)

    def _missing(self, items: Items, row: int, party: int, where: int, force: int, *, since: float | None = None) -> list[str]:
        """Besides what ``CountsUnits`` names: the unit's position or baseline, a closer fix on either where the
        distance between them straddles the tolerance, or whether it stood in the zone."""
        known = where != UNKNOWN or since is not None
        facts = super()._missing(items, row, party, where if known else OUTSIDE, force, since=since)
        if known:
            return facts
        unit = f"unit {items.ids[row]} ({items.actors[row]}, {items.kinds[row]})"
        place = [f"the {what} of {unit}" for what, lon in (("position", items.lon[row]), ("baseline", items.baseline[row, 0]))
                 if np.isnan(lon)]
        if not place and self.zone and items.baseline_in(self.zone)[row] == UNKNOWN:
            place.append(f"whether {unit} stood in the {items.book.zones[self.zone].name} at its baseline")
        if not place:
            near, far = (float(d[row]) for d in items.from_baseline())
            place.append(f"a closer fix on where {unit} stands and stood (between {near:.1f} and {far:.1f} km from its "
                         f"baseline; the tolerance is {self.tolerance_km:g} km)")
        return place + facts

    def _leave(self, book: Rulebook) -> str:
        """What a unit that counts must do to count no more, in words."""
        del book
        if self.must == "move":
            return f"move more than {self.tolerance_km:g} km from where it stood at its baseline"
        return f"return to within {self.tolerance_km:g} km of where it stood at its baseline"

    def probes(self, book: Rulebook, places: Sequence[Place], moment: datetime) -> Iterator[Probe]:
        """Each unit ``CountsUnits`` probes with a baseline at its place (a point of the rulebook's first zone where
        no place is given), standing 0 km, half the tolerance, the tolerance and a kilometre beyond it north of there."""
        known = [place for place in places if place is not None] or [_somewhere(book)]
        for probe, km in itertools.product(super().probes(book, known, moment), self._probe_distances()):
            unit = probe["units"][0]
            place = unit["position"]
            moved = {"lat": min(90.0, place["lat"] + km / KM_PER_DEGREE), "lon": place["lon"]}
            yield {"units": [{**unit, "position": moved, "baseline": place}]}

    def _probe_distances(self) -> list[float]:
        return sorted({0.0, self.tolerance_km / 2, self.tolerance_km, self.tolerance_km + 1})

    def message(self, book: Rulebook, measure: Measure, status: str) -> str:
        """The finding in plain language."""
        who, what, tolerance = actors(book, self.parties), self.forces_text(book), f"{self.tolerance_km:g} km"
        whose = f"{what} of {who}" + (f" whose baselines lie{where_text(book, self.zone)}" if self.zone else "")
        far = f"more than {tolerance} from" if self.must == "move" else f"within {tolerance} of"
        if status == "not_assessed":
            return f"Not assessed: no unit of {who} carries a baseline, the place this is measured from."
        if status == "not_due":
            rule = "must have moved" if self.must == "move" else "must stay"
            return f"From {deadline_text(book, self)}, {whose} {rule} {far} their baselines."
        if status == "met":
            done = "have all moved" if self.must == "move" else "stand"
            return f"{whose[0].upper()}{whose[1:]} {done} {far} their baselines, as agreed."
        if status == "violated":
            tally = ", ".join(f"{n} x {book.kinds[k].name}" for k, n in measure.tally)
            broke = f"had not moved more than {tolerance} from" if self.must == "move" else f"stand more than {tolerance} from"
            return (f"{tally} of {actors(book, measure.parties)} {broke} their baselines after {deadline_text(book, self)} "
                    f"(units {', '.join(measure.evidence)}).")
        rule = "have moved" if self.must == "move" else "stay"
        units = ", ".join(measure.unknown_evidence)
        return f"Cannot tell whether {whose} {rule} {far} their baselines: units {units} lack what is needed."


def _somewhere(book: Rulebook) -> dict[str, float]:
    """A place to probe a freeze at where no zone gives one: a point of the rulebook's first zone, or 0, 0."""
    for zone in book.zones:
        point = book.geometry(zone).representative_point()
        return {"lat": point.y, "lon": point.x}
    return {"lat": 0.0, "lon": 0.0}
