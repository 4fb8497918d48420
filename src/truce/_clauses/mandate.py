"""``mandate``: the force of ``parties`` is deployed in ``zone`` for terms of ``term`` from ``since``, each
renewed unless one of ``objectors`` objects at least ``notice`` before it ends; once it has ended, no
``forces`` of ``parties`` may remain in ``zone``.

An objection record (``records: {objections: ...}``) ends the mandate at the first term's end at least
``notice`` after it (an objection later than that for one term ends the next). A state with no objection
records does not assess the clause (``not_assessed``): the mandate is taken as renewed, and the clauses on
the force (its caps) keep binding as they are.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Self

import numpy as np
from pydantic import Field, model_validator

from .._limits import Instant
from .._scenario import RECORD_SETS, Objection, RecordKind, RecordSet
from .._terms import Data, Id
from ._base import Changes, Check, Edges, Loc, Measure, Parts, Place, Probe, Sizes, Trace, actors, when
from ._units import CountsUnits

if TYPE_CHECKING:
    from .._geo import Area
    from .._items import State
    from .._rulebook import Rulebook

_KIND: RecordKind = "objections"


class Term(Data):
    """A length of time in calendar years and months (a month from the 31st ends on the month's last day)."""

    years: int = Field(default=0, ge=0, le=1000, strict=True)
    """Whole years."""
    months: int = Field(default=0, ge=0, le=12000, strict=True)
    """Whole months, added to the years."""

    def after(self, moment: datetime, times: int = 1) -> datetime:
        """The instant ``times`` such lengths after ``moment`` (before it, for a negative ``times``)."""
        total = moment.year * 12 + moment.month - 1 + times * (self.years * 12 + self.months)
        year, month = divmod(total, 12)
        return moment.replace(year=year, month=month + 1, day=min(moment.day, calendar.monthrange(year, month + 1)[1]))

    def text(self) -> str:
        """``5 years``, ``6 months``."""
        parts = [f"{n} {unit}{'s' * (n != 1)}" for n, unit in ((self.years, "year"), (self.months, "month")) if n]
        return " and ".join(parts)


class Mandate(CountsUnits):
    """The force of ``parties`` stays in ``zone`` for terms of ``term`` from ``since``, renewed unless one of
    ``objectors`` objects ``notice`` ahead; once the mandate has ended, none of its ``forces`` may remain there."""

    type: Literal["mandate"]
    """`mandate`."""
    zone: Id
    """The zone the force is deployed in, which it must leave once the mandate ends."""
    since: Instant
    """When the first term starts (a date, a time and an offset)."""
    term: Term
    """How long each term runs, e.g. `{years: 5}`."""
    notice: Term
    """How long before a term's end an objection must come to end the mandate then, e.g. `{months: 6}`."""
    objectors: list[Id] = Field(min_length=1)
    """The parties (or groups) whose objection ends the mandate."""

    @model_validator(mode="after")
    def _terms_fit(self) -> Self:
        if self.deadline is not None or any(r.deadline is not None for r in self.readings.values()):
            raise ValueError("a mandate's deadline is the end of its term: drop 'deadline' (give 'since' and 'term')")
        if self.term.years == self.term.months == 0:
            raise ValueError("a mandate's 'term' must be longer than nothing: give e.g. term: {years: 5}")
        if self.notice.years * 12 + self.notice.months >= self.term.years * 12 + self.term.months:
            raise ValueError("the 'notice' must be shorter than the 'term', or no objection could ever come in time")
        return self

    @property
    def stated_deadline(self) -> datetime:
        """The end of the first term: before it the mandate cannot have ended."""
        return self.term.after(self.since)

    def check_references(self, book: Rulebook, check: Check, loc: Loc) -> None:
        """Report unknown objectors besides what a clause on units reports."""
        super().check_references(book, check, loc)
        for i, party in enumerate(self.objectors):
            check((*loc, "objectors", i), party, set(book.parties) | set(book.groups), "party or group")

    def uses(self, book: Rulebook) -> Iterator[tuple[str, str]]:
        """The actors it binds and those that may object, the forces and the zone it names."""
        yield from super().uses(book)
        yield from (("actors", party) for party in self.objectors)

    def ends(self, book: Rulebook, found: RecordSet, at: float) -> tuple[datetime, str] | None:
        """When the mandate ends by the objections recorded by ``at`` (epoch seconds), and the objection that ends
        it (the earliest end; of two objections for it, the first): None while none has come from an objector."""
        allowed = frozenset().union(*(book.members(p) for p in self.objectors))
        ends = sorted((self._end_after(r.time), r.time, r.id) for r in found.entries if isinstance(r, Objection)
                      and r.clause == self.id and book.members(r.party) <= allowed and r.time.timestamp() <= at)
        return (ends[0][0], ends[0][2]) if ends else None

    def term_ends(self) -> Iterator[datetime]:
        """The end of each term in turn, up to the years a time can name."""
        months = self.term.years * 12 + self.term.months
        for k in range(1, (8999 - self.since.year) * 12 // months + 1):
            yield self.term.after(self.since, k)

    def notice_by(self, end: datetime) -> datetime:
        """The last instant an objection ends the mandate at a term's ``end``."""
        return self.notice.after(end, -1)

    def _end_after(self, objected: datetime) -> datetime:
        """The first term's end at least ``notice`` after an objection (the last a time can name, if none is)."""
        end = self.stated_deadline
        for end in self.term_ends():
            if self.notice_by(end) >= objected:
                break
        return end

    def _runs_on(self, state: State, at: float) -> Measure | None:
        """Its measure at ``at`` while no force need have left (not assessed, renewed, or ending later); None
        once it has ended, when its forces in the zone are counted."""
        found = state.records.of(_KIND)
        if found is None:
            return Measure(self, "not_assessed", lacking=(_KIND,))
        ended = self.ends(state.book, found, at)
        if ended is None:
            until = next((e for e in self.term_ends() if e.timestamp() > at), self.stated_deadline)
            return Measure(self, "due", detail=("renewed", when(until)))
        end, objection = ended
        if at < end.timestamp():
            return Measure(self, "not_due", evidence=(objection,), detail=("ending", when(end)))
        return None

    def measure(self, state: State, at: float) -> Measure:
        """Renewed, ending later, or not assessed; once ended, the forces of its parties still in the zone."""
        running = self._runs_on(state, at)
        if running is not None:
            return running
        found = state.records.of(_KIND)
        ended = self.ends(state.book, found, at) if found is not None else None
        counted = super().measure(state, at)
        return replace(counted, detail=("ended", when(ended[0]), ended[1])) if ended else counted

    def edges(self, state: State, at: float) -> Edges | None:
        """Its units near the zone's edge once it has ended; none before."""
        return super().edges(state, at) if self._runs_on(state, at) is None else None

    def redrawn(self, state: State, at: float, area: Area) -> Measure:
        """Its measure were the zone drawn as ``area``, once it has ended; before, what it is."""
        running = self._runs_on(state, at)
        return super().redrawn(state, at, area) if running is None else running

    def track(self, state: State) -> Trace:
        """Its measure from each instant an objection, a term's end, or a unit's sighting (and its going stale) may
        change it."""
        units = state.units
        found = state.records.of(_KIND)
        objected = [r.time for r in (found.entries if found else []) if isinstance(r, Objection)]
        bases = [self.stated_deadline, *objected, *(self._end_after(t) for t in objected)]
        moments = {b.timestamp() for b in bases} | set(units.start.tolist()) | set(units.stop.tolist())
        if state.book.stale_after is not None:
            moments |= set((units.start + state.book.stale_after.delta.total_seconds()).tolist())
        times = np.array([-np.inf, *sorted(t for t in moments if np.isfinite(t))])
        return Trace(units, Changes.none(), Changes.none(), steps=(times, tuple(self.measure(state, float(t)) for t in times)))

    def message(self, book: Rulebook, measure: Measure, status: str) -> str:
        """The finding in plain language."""
        force, zone = actors(book, self.parties), book.zones[self.zone].name
        rule = (f"renewed for {self.term.text()} at a time unless {actors(book, self.objectors)} object "
                f"{self.notice.text()} ahead")
        if status == "not_assessed":
            return (f"Not assessed: the state carries no {RECORD_SETS[_KIND].noun}, which would show the mandate ended; "
                    f"it is taken as renewed ({rule}).")
        phase = measure.detail[0] if measure.detail else ""
        if status == "not_due":
            if phase == "ending":
                return (f"The mandate of {force} runs until {measure.detail[1]}, when it ends (objection "
                        f"{', '.join(measure.evidence)}, {self.notice.text()} or more ahead of that term's end).")
            return f"The first term of the mandate of {force} runs until {when(self.stated_deadline)}; it is {rule}."
        if phase == "renewed":
            return f"The mandate of {force} is renewed until {measure.detail[1]}: no objection came in time ({rule})."
        ended = f"The mandate of {force} ended on {measure.detail[1]} (objection {measure.detail[2]})"
        what = self.forces_text(book)
        if status == "met":
            return f"{ended}, and no {what} of {force} remain in the {zone}."
        tally = ", ".join(f"{n} x {book.kinds[k].name}" for k, n in measure.tally)
        if status == "violated":
            return f"{ended}, but {tally} of {actors(book, measure.parties)} remain in the {zone} (units {', '.join(measure.evidence)})."
        doubtful = ", ".join(measure.unknown_evidence)
        return f"{ended}; cannot tell whether {what} of {force} remain in the {zone}: units {doubtful} lack what is needed."

    def probes(self, book: Rulebook, places: Sequence[Place], moment: datetime) -> Iterator[Probe]:
        """Units that would count once it has ended, with an objection in time for the first term's end."""
        objection: dict[str, Any] = {"id": "witness-objection", "time": self.since.isoformat(), "party": self.objectors[0],
                                     "clause": self.id}
        records = {"records": {_KIND: {"entries": [objection]}}}
        for probe in super().probes(book, places, moment):
            yield {**probe, **records}

    @classmethod
    def strategy(cls, book: Rulebook, sizes: Sizes) -> Parts:
        """Units as for any clause on units, and records of every kind the rulebook's clauses read (objections
        among them), or none of a kind."""
        from ._strategies import records  # noqa: PLC0415 - hypothesis is a test extra

        return {**super().strategy(book, sizes), "records": records(book, sizes.get("records", 4))}
