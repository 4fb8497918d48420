"""``cap``: units of ``parties`` whose kind is in ``forces`` in ``zone`` (or anywhere) number at most ``max``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from .._terms import Id
from ._base import Measure, actors, deadline_text, where_text
from ._units import CountsUnits, UnitsReading

if TYPE_CHECKING:
    from .._items import Items, Mask
    from .._rulebook import Rulebook


class CapReading(UnitsReading):
    """What a cap says under one reading: any field given replaces the clause's own."""

    max: int | None = Field(default=None, ge=0, strict=True)
    """The cap, instead of the clause's own."""


class Cap(CountsUnits):
    """Units of ``parties`` whose kind is in ``forces`` in ``zone`` (or anywhere, without a zone) number
    at most ``max`` from ``deadline`` on; ``per: party`` applies the cap to each party as scenarios report it."""

    type: Literal["cap"]
    """`cap`."""
    max: int = Field(ge=0, strict=True)
    """The most units counted that the cap allows (their `count`s added up)."""
    per: Literal["party"] | None = None
    """`party`: the cap applies to each party separately."""
    readings: Mapping[Id, CapReading] = {}
    """What the clause says under particular readings, by reading id."""

    @property
    def limit(self) -> int:
        """The most units the cap allows."""
        return self.max

    @property
    def party_floor(self) -> int:
        """How many one party may hold before it surely offends: the cap, if it applies per party."""
        return self.max if self.per == "party" else 0

    def totals_by(self, items: Items) -> list[tuple[Any, Mask]]:
        """Each actor's rows for ``per: party``, else all rows as one total."""
        return items.groups("actors") if self.per == "party" else super().totals_by(items)

    def message(self, book: Rulebook, measure: Measure, status: str) -> str:
        """The finding in plain language."""
        each = " for each party" if self.per == "party" else ""
        rule = f"at most {self.max} {self.forces_text(book)} of {actors(book, self.parties)}{where_text(book, self.zone)}{each}"
        if status == "not_due":
            return f"From {deadline_text(book, self)}: {rule}."
        if status == "met":
            return f"Within the cap ({rule}): the most counted is {measure.amount}."
        if status == "violated" and self.per == "party":  # the kinds of all the parties over it added up would say nothing
            over = actors(book, measure.parties)
            counts = f"counts {measure.amount}" if len(measure.parties) == 1 else f"each count more, the most {measure.amount}"
            return f"Over the cap ({rule}): {over} {counts} (units {', '.join(measure.evidence)})."
        if status == "violated":
            tally = ", ".join(f"{n} x {book.kinds[k].name}" for k, n in measure.tally)
            return f"Over the cap ({rule}): {tally} of {actors(book, measure.parties)} (units {', '.join(measure.evidence)})."
        return f"Cannot tell whether the cap holds ({rule}): units {', '.join(measure.unknown_evidence)} lack what is needed."
