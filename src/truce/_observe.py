"""Reduce a scenario state to the few facts the rules need, vectorised, keeping evidence ids.

Each clause gets one ``Measure``: whether it is due, how much of what it
forbids is present for certain (``amount``), and how much might be if the
unknowns were known (``possible``). The decision itself is left to the rules.

Each clause unit measures itself (``Clause.measure``) on one ``State``: it
classifies the items once, whatever the time, and ``Items.active_at`` and
``Items.during`` say which items count at an instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from ._clauses import Measure, Phase
from ._items import Floats, Items
from ._rulebook import Rulebook

if TYPE_CHECKING:
    from ._case import Case

__all__ = ["WINDOWS", "Measure", "Observation", "Phase", "Window", "observe", "window_at", "window_index"]

Window = Literal["before", "in_force", "after"]


@dataclass(frozen=True)
class Observation:
    """The facts of one evaluation: the truce's window and a measure per clause."""

    window: Window
    measures: tuple[Measure, ...]
    ignored: tuple[str, ...] = field(default=())
    later_units: tuple[str, ...] = field(default=())


WINDOWS: tuple[Window, ...] = ("before", "in_force", "after")


def window_index(book: Rulebook, instants: Floats) -> npt.NDArray[np.intp]:
    """For each instant (epoch seconds), its index in ``WINDOWS``."""
    bounds = [book.in_force.start.timestamp(), book.in_force.end.timestamp() if book.in_force.end else np.inf]
    return np.searchsorted(bounds, instants, side="right")


def window_at(book: Rulebook, instant: datetime) -> Window:
    """Whether ``instant`` is before, inside or after the truce's period of force."""
    return WINDOWS[int(window_index(book, np.array([instant.timestamp()]))[0])]


def observe(case: Case) -> Observation:
    """A measure for every clause of a prepared case, as its reading has the clause."""
    book, state, moment = case.book, case.state, case.as_of
    as_of = moment.timestamp()
    measures = []
    for original, clause in case.clauses:
        if clause is None:
            measures.append(Measure(original, "not_applicable"))
        elif moment < book.deadline(clause):
            measures.append(Measure(clause, "not_due"))
        else:
            measures.append(clause.measure(state, as_of))
    ignored = tuple(state.incidents.ids[state.incidents.start > as_of].tolist())
    return Observation(window_at(book, moment), tuple(measures), ignored, _unseen(state.units, as_of))


def _unseen(units: Items, as_of: float) -> tuple[str, ...]:
    """Units observed only after ``as_of``: absent at that instant, and named so in the verdict's notes."""
    later = units.start > as_of
    if not later.any():
        return ()
    return tuple(sorted(set(units.ids[later].tolist()) - set(units.ids[~later].tolist())))
