"""``withdrawal``: no unit of ``parties`` whose kind is in ``forces`` may be in ``zone`` from ``deadline`` on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from .._terms import Id
from ._base import Measure, actors, deadline_text
from ._units import CountsUnits

if TYPE_CHECKING:
    from .._rulebook import Rulebook


class Withdrawal(CountsUnits):
    """No unit of ``parties`` whose kind is in ``forces`` may be in ``zone`` from ``deadline`` on."""

    type: Literal["withdrawal"]
    """`withdrawal`."""
    zone: Id
    """The zone the forces must leave."""

    def message(self, book: Rulebook, measure: Measure, status: str) -> str:
        """The finding in plain language."""
        who, zone = actors(book, self.parties), book.zones[self.zone].name
        what, deadline = self.forces_text(book), deadline_text(book, self)
        if status == "not_due":
            return f"{who} have until {deadline} to withdraw {'all ' * (self.forces == 'all')}{what} from the {zone}."
        if status == "met":
            return f"No {what} of {who} remain in the {zone}."
        tally = ", ".join(f"{n} x {book.kinds[k].name}" for k, n in measure.tally)
        if status == "violated":
            return (
                f"{tally} of {actors(book, measure.parties)} remain in the {zone} after the deadline of {deadline} "
                f"(units {', '.join(measure.evidence)})."
            )
        return (
            f"Cannot tell whether {what} of {who} remain in the {zone}: "
            f"units {', '.join(measure.unknown_evidence)} lack what is needed."
        )
