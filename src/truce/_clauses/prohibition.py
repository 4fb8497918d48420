"""``prohibition``: no incident of a kind in ``incidents`` by ``parties`` (inside ``zone`` if given)
while the truce is in force."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from .._items import INSIDE, OUTSIDE, UNKNOWN
from .._terms import Id
from ._base import (
    Changes,
    Check,
    ClauseReading,
    Counting,
    Loc,
    Measure,
    Parts,
    Sizes,
    Trace,
    actors,
    check_zone,
    parts,
    where_text,
)

if TYPE_CHECKING:
    from .._items import Items, Mask, State, Tri
    from .._rulebook import Rulebook


class ProhibitionReading(ClauseReading):
    """What a prohibition says under one reading: any field given replaces the clause's own."""

    incidents: list[Id] | None = Field(default=None, min_length=1)
    """The incident kinds forbidden, instead of the clause's own."""
    zone: Id | None = None
    """The zone, instead of the clause's own."""


class Prohibition(Counting):
    """No incident of a kind in ``incidents`` by ``parties`` (inside ``zone`` if given) while the truce is in force."""

    type: Literal["prohibition"]
    """`prohibition`."""
    incidents: list[Id] = Field(min_length=1)
    """Incident kind ids forbidden."""
    zone: Id | None = None
    """Only acts inside this zone count (anywhere, without one)."""
    readings: Mapping[Id, ProhibitionReading] = {}
    """What the clause says under particular readings, by reading id."""

    @property
    def zone_id(self) -> str | None:
        """The zone the clause is set on, if it has one."""
        return self.zone

    def check_references(self, book: Rulebook, check: Check, loc: Loc) -> None:
        """Report every id the clause (and each of its reading overrides) names that the rulebook does not declare."""
        super().check_references(book, check, loc)
        for at, part in parts(loc, self, self.readings):
            check_zone(book, check, at, part.zone)
            for i, incident in enumerate(part.incidents or []):
                check((*at, "incidents", i), incident, book.incident_kinds, "incident kind")

    def uses(self, book: Rulebook) -> Iterator[tuple[str, str]]:
        """The rulebook ids the clause draws on: its actors, the incident kinds it forbids, its zone."""
        yield from super().uses(book)
        yield from (("incident_kinds", kind) for kind in self.incidents)
        if self.zone is not None:
            yield "zones", self.zone

    def counted(self, book: Rulebook) -> frozenset[str]:
        """The kinds of incidents the clause forbids."""
        del book
        return frozenset(self.incidents)

    def track(self, state: State) -> Trace:
        """An incident may count from the first moment it may have happened, surely once its last has passed."""
        items, classified = state.incidents, self.classified(state)
        surely, maybe = items.during(np.inf)
        sure, may = np.flatnonzero(classified.certain & surely), np.flatnonzero(classified.relevant & maybe)
        return Trace(items, Changes(items.stop[sure], items.weights[sure], sure), Changes(items.start[may], items.weights[may], may))

    def message(self, book: Rulebook, measure: Measure, status: str) -> str:
        """The finding in plain language."""
        who = actors(book, self.parties)
        kinds = ", ".join(book.incident_kinds[k].name for k in self.incidents)
        where = where_text(book, self.zone)
        if status == "not_due":
            return f"{who} are bound not to carry out {kinds}{where} once the truce starts."
        if status == "met":
            return f"No {kinds}{where} by {who} while the truce was in force."
        if status == "violated":
            acts = "1 forbidden act" if len(measure.evidence) == 1 else f"{len(measure.evidence)} forbidden acts"
            return f"{acts}{where} by {actors(book, measure.parties)}: incidents {', '.join(measure.evidence)}."
        return (
            f"Incidents {', '.join(measure.unknown_evidence)} may be forbidden acts{where}, "
            "but their perpetrator, place or time is unknown."
        )

    @classmethod
    def strategy(cls, book: Rulebook, sizes: Sizes) -> Parts:
        """Incidents of any declared kind, by anyone or no one known, around the truce's key instants."""
        from ._strategies import incidents  # noqa: PLC0415 - hypothesis is a test extra

        return {"incidents": incidents(book, sizes["incidents"])}

    def _items(self, state: State) -> Items:
        return state.incidents

    def _counting(self, items: Items, at: float) -> tuple[Mask, Mask]:
        return items.during(at)

    def _force(self, items: Items) -> Tri:
        """INSIDE if an incident is of a forbidden kind."""
        return np.where(np.isin(items.kinds, self.incidents), INSIDE, OUTSIDE).astype(np.int8)

    def _missing(self, items: Items, row: int, party: int, where: int, force: int) -> list[str]:
        del force
        missing: list[str] = []
        item, actor, kind = items.ids[row], items.actors[row], items.kinds[row]
        if party == UNKNOWN:
            missing.append(f"the perpetrator of incident {item} ({kind})" if actor is None
                           else f"which member of group {actor} carried out incident {item}")
        if where == UNKNOWN:
            missing.append(f"the position of incident {item} ({kind})")
        if not missing:
            until = items.stamp(row, 1) if items.stop[row] > items.start[row] else "?"
            missing.append(f"the time of incident {item} ({kind}, from {items.stamp(row, 0)} to before {until})")
        return missing
