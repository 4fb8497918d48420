"""The condition role: a clause the whole truce depends on, set by one party, rather than a term it binds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._base import Check, Clause, Loc


def check(clause: Clause) -> None:
    """A condition must name the party whose truce depends on it."""
    if clause.role == "condition" and clause.set_by is None:
        raise ValueError("a condition needs 'set_by': the party whose truce depends on it")


def check_references(clause: Clause, check: Check, loc: Loc, actors: Iterable[str]) -> None:
    """The party that sets a condition must be one the rulebook declares."""
    if clause.set_by is not None:
        check((*loc, "set_by"), clause.set_by, actors, "party")
