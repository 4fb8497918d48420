"""``permission``: acts that ``clause`` forbids are allowed where a permission record of the grantor
(``granted_by``) covers them; the acts of ``parties`` only.

The permission reaches the clause it exempts through the state's items: before that clause counts, the
incidents a valid record covers weigh 0 (``_base.excused``), so every stage (evaluate, timeline, repair,
robustness) sees the same excused acts, and the finding cites the records. A state with no permission
records leaves the exempted clause as it is and does not assess this one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

import numpy as np

from .._items import Items
from .._scenario import RECORD_SETS, RecordKind
from .._scenario import Permission as Leave
from .._terms import Id
from ._base import Changes, Check, Clause, Loc, Measure, Parts, Place, Probe, Sizes, Trace, actors

if TYPE_CHECKING:
    from .._items import Mask, State
    from .._rulebook import Rulebook

_KIND: RecordKind = "permissions"


class Permission(Clause):
    """Acts of ``parties`` that clause ``clause`` forbids are allowed where a permission of ``granted_by`` covers them."""

    type: Literal["permission"]
    """`permission`."""
    clause: Id
    """The id of the clause whose acts it may allow (a clause that forbids incidents)."""
    granted_by: Id
    """The party (or body) id whose leave allows an act, e.g. the armistice commission."""

    def check_references(self, book: Rulebook, check: Check, loc: Loc) -> None:
        """Report an unknown clause or grantor, a permission for itself, and one for a clause that forbids no acts."""
        super().check_references(book, check, loc)
        check((*loc, "granted_by"), self.granted_by, set(book.parties) | set(book.groups), "party or group")
        others = {c.id: c for c in book.clauses if c.id != self.id}
        if self.clause == self.id:
            check.problem((*loc, "clause"), "a permission cannot exempt itself", value=self.clause,
                          suggestion="name the clause whose acts it allows, e.g. clause: no-crossing")
            return
        check((*loc, "clause"), self.clause, others, "clause")
        target = others.get(self.clause)
        if target is not None and not _forbids_acts(book, target):
            check.problem((*loc, "clause"), f"clause {self.clause!r} forbids no incidents, so no leave can allow one",
                          value=self.clause, suggestion="name a clause that forbids incidents (a prohibition)")

    def uses(self, book: Rulebook) -> Iterator[tuple[str, str]]:
        """The actors it names, its grantor among them."""
        yield from super().uses(book)
        yield "actors", self.granted_by

    def excuses(self, state: State, clause: Clause, items: Items) -> dict[str, Mask]:
        """The incidents of the kinds ``clause`` forbids that each valid record of this permission covers."""
        found = state.records.of(_KIND)
        if clause.id != self.clause or found is None:
            return {}
        book = state.book
        counted = items.among("kinds", clause.counted(book))
        allowed = _members(book, self.parties)
        covered: dict[str, Mask] = {}
        for record in found.entries:
            if isinstance(record, Leave) and self._grants(book, record):
                rows = counted & self._covers(book, record, items, allowed)
                if rows.any():
                    covered[record.id] = rows
        return covered

    def _grants(self, book: Rulebook, record: Leave) -> bool:
        """Whether a record is this permission's: for its clause, granted by its grantor (or a member of it)."""
        return record.clause == self.clause and book.members(record.granted_by) <= book.members(self.granted_by)

    @staticmethod
    def _covers(book: Rulebook, record: Leave, items: Items, allowed: frozenset[str]) -> Mask:
        """The items a record covers: named, or by a party it names (every candidate, where one of several did
        it), of the parties the permission allows, and wholly inside the period it is valid from its grant."""
        named = _members(book, record.parties)

        def among(actor: object, within: frozenset[str]) -> bool:
            candidates = actor if isinstance(actor, tuple) else (actor,)
            return all(isinstance(a, str) and book.members(a) <= within for a in candidates)

        listed = np.isin(items.ids, record.incidents)
        by_party = np.array([among(a, named) for a in items.actors], dtype=bool)
        bound = np.array([among(a, allowed) for a in items.actors], dtype=bool)
        begins = max(record.time, record.valid.start).timestamp()
        inside = (items.start >= begins) & (items.stop <= record.valid.end.timestamp())
        covers: Mask = (listed | by_party) & bound & inside
        return covers

    def measure(self, state: State, at: float) -> Measure:
        """Met, citing this permission's records granted by ``at``; not assessed without permission records."""
        found = state.records.of(_KIND)
        if found is None:
            return Measure(self, "not_assessed", lacking=(_KIND,))
        mine = sorted(r.id for r in found.entries if isinstance(r, Leave) and self._grants(state.book, r) and r.time.timestamp() <= at)
        return Measure(self, "due", evidence=tuple(mine))

    def track(self, state: State) -> Trace:
        """Its measure from each instant a record is granted."""
        found = state.records.of(_KIND)
        times = np.array([-np.inf, *sorted({r.time.timestamp() for r in (found.entries if found else [])})])
        return Trace(Items([], state.book), Changes.none(), Changes.none(),
                     steps=(times, tuple(self.measure(state, float(t)) for t in times)))

    def message(self, book: Rulebook, measure: Measure, status: str) -> str:
        """The finding in plain language."""
        grantor = actors(book, [self.granted_by])
        if status == "not_assessed":
            noun = RECORD_SETS[_KIND].noun
            return f"Not assessed: the state carries no {noun}, so no leave of {grantor} excuses acts against clause {self.clause}."
        if status == "not_due":
            return f"From the truce's start, {grantor} may allow acts against clause {self.clause}."
        granted = f"permissions {', '.join(measure.evidence)}" if measure.evidence else "no permission for it"
        return f"Acts of {actors(book, self.parties)} against clause {self.clause} are allowed where {grantor} gave leave ({granted})."

    def bears_on(self) -> tuple[str, ...]:
        """The clause whose acts it excuses."""
        return (self.clause,)

    def probes(self, book: Rulebook, places: Sequence[Place], moment: datetime) -> Iterator[Probe]:
        """A permission record of its grantor for every act of its parties around ``moment``."""
        del places
        valid = {"start": (moment - timedelta(days=1)).isoformat(), "end": (moment + timedelta(days=1)).isoformat()}
        entry = {"id": "witness-leave", "time": valid["start"], "granted_by": self.granted_by, "clause": self.clause,
                 "parties": sorted(self.parties), "valid": valid}
        del book
        yield {"records": {_KIND: {"entries": [entry]}}}

    @classmethod
    def strategy(cls, book: Rulebook, sizes: Sizes) -> Parts:
        """Records of every kind the rulebook's clauses read (permissions among them), or none of a kind."""
        from ._strategies import records  # noqa: PLC0415 - hypothesis is a test extra

        return {"records": records(book, sizes.get("records", 4))}


def _members(book: Rulebook, ids: Sequence[str]) -> frozenset[str]:
    """The party ids some party or group ids stand for."""
    return frozenset().union(*(book.members(i) for i in ids))


def _forbids_acts(book: Rulebook, clause: Clause) -> bool:
    """Whether a clause counts incidents (what a permission allows), not units or records."""
    counted = clause.counted(book)
    return bool(counted) and counted <= set(book.incident_kinds)
