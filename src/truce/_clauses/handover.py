"""``handover``: ``area`` is controlled by ``controlled_by`` from ``deadline`` on; ``parties`` are
those bound to hand it over."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from .._items import Items
from .._terms import Fixed, Id
from ._base import Changes, Check, Clause, ClauseReading, Edit, Loc, Measure, Parts, Place, Probe, Remedy, Sizes, Tip, Trace, actors, when

if TYPE_CHECKING:
    from .._items import State
    from .._rulebook import Rulebook


class HandoverReading(ClauseReading):
    """What a handover says under one reading: any field given replaces the clause's own."""

    deadline: Fixed | None = None
    """The deadline, instead of the clause's own."""


class Handover(Clause):
    """``area`` is controlled by ``controlled_by`` from ``deadline`` on; ``parties`` are those bound to hand it over."""

    type: Literal["handover"]
    """`handover`."""
    area: Id
    """The area id handed over."""
    controlled_by: Id
    """The party (or group) id that is to control it."""
    deadline: Fixed
    """From when it must: a time, or `{after_start: {days: 14}}`."""
    readings: Mapping[Id, HandoverReading] = {}
    """What the clause says under particular readings, by reading id."""

    @property
    def stated_deadline(self) -> Fixed | None:
        """The deadline the clause states."""
        return self.deadline

    def check_references(self, book: Rulebook, check: Check, loc: Loc) -> None:
        """Report every id the clause (and each of its reading overrides) names that the rulebook does not declare."""
        super().check_references(book, check, loc)
        check((*loc, "area"), self.area, book.areas, "area")
        check((*loc, "controlled_by"), self.controlled_by, set(book.parties) | set(book.groups), "party or group")

    def uses(self, book: Rulebook) -> Iterator[tuple[str, str]]:
        """The actors it binds, the area and the party it is handed to."""
        yield from super().uses(book)
        yield "areas", self.area
        yield "actors", self.controlled_by

    def measure(self, state: State, at: float) -> Measure:
        """Whether the area is held by the party it was to be handed to (whatever the instant, once due)."""
        del at
        book = state.book
        holder = state.areas.get(self.area)
        if holder is None:
            missing = (f"who controls {book.areas[self.area].name} ({self.area})",)
            return Measure(self, "due", possible=1, unknown_evidence=(self.area,), missing=missing)
        receivers = book.members(self.controlled_by) | {self.controlled_by}
        if book.members(holder) <= receivers:
            return Measure(self, "due", evidence=(self.area,))
        return Measure(self, "due", amount=1, possible=1, evidence=(self.area,), parties=(holder,))

    def repair(self, state: State, at: float) -> Remedy:
        """The area handed over to the party it was to be (or its control learned to be with that party)."""
        measure, book = self.measure(state, at), state.book
        if measure.possible == 0:
            return Remedy()
        area, receiver = book.areas[self.area].name, actors(book, [self.controlled_by])
        if measure.amount:
            holder = measure.parties[0]
            message = f"{actors(book, [holder])} must hand {area} over to {receiver}."
        else:
            holder = ", ".join(self.parties)
            message = f"Who controls {area} must become known to be {receiver}, or {actors(book, self.parties)} must hand it over."
        return Remedy((Edit("hand_over", holder, self.area, message, area=self.area, holder=self.controlled_by),))

    def tips(self, state: State, at: float) -> Iterator[Tip]:
        """Who controls the area, where that is not known: held by another party, or by the one it was to be handed to."""
        measure = self.measure(state, at)
        if measure.amount == 0 and measure.possible:
            yield Tip(
                self.area, measure.missing,
                Measure(self, "due", amount=1, possible=1, evidence=(self.area,)), Measure(self, "due", evidence=(self.area,)),
            )

    def probes(self, book: Rulebook, places: Sequence[Place], moment: datetime) -> Iterator[Probe]:
        """The area held by each party."""
        del places, moment
        for party in sorted(book.parties):
            yield {"areas": [{"id": self.area, "controlled_by": party}]}

    def track(self, state: State) -> Trace:
        """No dated item moves a handover: its measure is fixed once due."""
        return Trace(Items([], state.book), Changes.none(), Changes.none(), self.measure(state, 0.0))

    def message(self, book: Rulebook, measure: Measure, status: str) -> str:
        """The finding in plain language."""
        area, receiver, deadline = book.areas[self.area].name, actors(book, [self.controlled_by]), when(book.deadline(self))
        return {
            "not_due": f"{actors(book, self.parties)} have until {deadline} to hand {area} over to {receiver}.",
            "met": f"{area} is controlled by {receiver}, as agreed.",
            "violated": f"{area} is still controlled by {actors(book, measure.parties)} after {deadline}.",
            "unknown": f"Who controls {area} is not known.",
        }[status]

    @classmethod
    def strategy(cls, book: Rulebook, sizes: Sizes) -> Parts:
        """Who controls the rulebook's named areas, as far as known."""
        del sizes
        from ._strategies import areas  # noqa: PLC0415 - hypothesis is a test extra

        return {"areas": areas(book)}
