"""``prohibition``: no incident of a kind in ``incidents`` by ``parties`` (inside ``zone`` if given)
while the truce is in force; ``acts`` say whether an act counts by where it landed, where it was
launched from, or both."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, get_args

import numpy as np
import numpy.typing as npt
from pydantic import AfterValidator, Field, field_validator, model_validator

from .._items import INSIDE, OUTSIDE, UNKNOWN
from .._terms import Data, Id, Span
from ._base import (
    Changes,
    Check,
    ClauseReading,
    Counting,
    Loc,
    Measure,
    Parts,
    Place,
    Probe,
    Reach,
    Remedy,
    Sizes,
    Trace,
    actors,
    check_zone,
    excused,
    parts,
    perpetrators,
    span_text,
    where_text,
)

if TYPE_CHECKING:
    from .._items import Floats, Items, Mask, State, Tri
    from .._rulebook import Rulebook


Act = Literal["within", "from", "into", "against"]

_TRUTH: dict[str, Callable[[bool, bool], bool]] = {
    "within": lambda launched, landed: launched and landed,
    "from": lambda launched, landed: launched,
    "into": lambda launched, landed: landed and not launched,
    "against": lambda launched, landed: landed,
}
"""Whether an act of each form is one in the zone, given whether it was launched there and whether it landed there."""
_DEFAULT: tuple[Act, ...] = ("against",)


def _distinct(acts: list[Act]) -> list[Act]:
    if len(set(acts)) != len(acts):
        raise ValueError("name each act once")
    return acts


Acts = Annotated[list[Act], Field(min_length=1), AfterValidator(_distinct)]
"""Which acts count, by where they were launched and where they landed (see ``Prohibition``)."""


class Threshold(Data):
    """How much a prohibition tolerates: it is violated only while more than ``more_than`` acts (or, with
    ``of: fatalities``, people killed) fall within the window ``within`` that ends at the instant evaluated."""

    more_than: int = Field(strict=True)
    """The most acts (or fatalities) within the window that do not yet violate the clause (1 or more)."""
    of: Literal["incidents", "fatalities"] = "incidents"
    """What is counted: `incidents` (each forbidden act once) or `fatalities` (the people they killed)."""
    within: Span
    """The window, e.g. `{days: 1}`: the clause counts what falls in the last this long before the instant."""

    @model_validator(mode="before")
    @classmethod
    def _a_count_and_a_window(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            absent = [field for field in ("more_than", "within") if field not in data]
            if absent:
                raise ValueError(
                    f"a threshold needs {' and '.join(repr(a) for a in absent)}: how many acts (or fatalities) it tolerates "
                    "and the window they are counted in, e.g. 'threshold: {more_than: 3, within: {days: 1}}'"
                )
        return data

    @field_validator("more_than")
    @classmethod
    def _tolerates_some(cls, more_than: int) -> int:
        if more_than < 1:
            raise ValueError(
                f"a threshold of {more_than} tolerates no act, as the plain prohibition does: give 1 or more "
                "(e.g. 'more_than: 3'), or drop 'threshold'"
            )
        return more_than

    @field_validator("within")
    @classmethod
    def _a_window(cls, within: Span) -> Span:
        if within.delta.total_seconds() <= 0:
            raise ValueError("the window must be longer than 0: give days or hours, e.g. 'within: {days: 1}'")
        return within

    @property
    def seconds(self) -> float:
        """The window's length in seconds."""
        return self.within.delta.total_seconds()

    def text(self) -> str:
        """The window in words: "1 day", "2 days and 6 hours"."""
        return span_text(self.within)


class ProhibitionReading(ClauseReading):
    """What a prohibition says under one reading: any field given replaces the clause's own."""

    incidents: list[Id] | None = Field(default=None, min_length=1)
    """The incident kinds forbidden, instead of the clause's own."""
    zone: Id | None = None
    """The zone, instead of the clause's own."""
    acts: Acts | None = None
    """Which acts count: `against` (landed in the zone, the default), `from`, `within` or `into` it."""
    threshold: Threshold | None = None
    """The threshold, instead of the clause's own."""


class Prohibition(Counting):
    """No incident of a kind in ``incidents`` by ``parties`` (inside ``zone`` if given) while the truce is in force.

    With a zone, ``acts`` say which incidents count: ``against`` it (landed in it, launched from
    anywhere; the default), ``from`` it (launched from it, landed anywhere), ``within`` it (launched
    from it and landed in it) or ``into`` it (landed in it, launched from outside); an incident counts
    if it is any of them. Where an incident gives no ``origin``, its kind's ``range_km`` bounds where
    it came from (``Items.launched_in``).
    """

    type: Literal["prohibition"]
    """`prohibition`."""
    incidents: list[Id] = Field(min_length=1)
    """Incident kind ids forbidden."""
    zone: Id | None = None
    """Only acts inside this zone count (anywhere, without one)."""
    acts: Acts | None = None
    """Which acts count with a zone: `against` it (landed in it; the default), `from` it, `within` it or `into` it."""
    threshold: Threshold | None = None
    """Violated only beyond a number of acts (or fatalities) within a window; without one, by any act."""
    readings: Mapping[Id, ProhibitionReading] = {}
    """What the clause says under particular readings, by reading id."""

    @model_validator(mode="after")
    def _acts_need_a_zone(self) -> Self:
        for at, part in parts((), self, self.readings):
            if part.acts is not None and (part.zone or self.zone) is None:
                where = f" (reading {at[-1]!r})" if at else ""
                raise ValueError(f"'acts'{where} say how an act stands to a zone: give the clause a 'zone', or drop 'acts'")
        return self

    @property
    def zone_id(self) -> str | None:
        """The zone the clause is set on, if it has one."""
        return self.zone

    @property
    def limit(self) -> int:
        """The most acts (or fatalities) within the window the threshold tolerates; 0 without one."""
        return self.threshold.more_than if self.threshold else 0

    @property
    def forms(self) -> tuple[Act, ...]:
        """The acts that count, in the order of ``Act`` (``against`` if the clause names none)."""
        named = set(self.acts or _DEFAULT)
        return tuple(act for act in get_args(Act) if act in named)

    def check_references(self, book: Rulebook, check: Check, loc: Loc) -> None:
        """Report every id the clause (and each of its reading overrides) names that the rulebook does not declare."""
        super().check_references(book, check, loc)
        for at, part in parts(loc, self, self.readings):
            check_zone(book, check, at, part.zone)
            for i, incident in enumerate(part.incidents or []):
                check((*at, "incidents", i), incident, book.incident_kinds, "incident kind")
        self._check_ranges(book, check, loc)

    def _check_ranges(self, book: Rulebook, check: Check, loc: Loc) -> None:
        """Acts judged by where they were launched need, for every kind they count, how far that kind reaches."""
        reported: set[tuple[Loc, str]] = set()
        for at, part in parts(loc, self, self.readings):
            acts_at = (*at, "acts") if part.acts is not None else (*loc, "acts")
            acts = part.acts or self.acts or []
            launched = [act for act in get_args(Act) if act in acts and act != "against"]
            for kind in part.incidents or self.incidents:
                declared = book.incident_kinds.get(kind)
                if not launched or declared is None or declared.range_km is not None or (acts_at, kind) in reported:
                    continue
                reported.add((acts_at, kind))
                check.problem(
                    acts_at,
                    f"acts {' and '.join(repr(a) for a in launched)} turn on where an incident was launched, which an "
                    f"incident without an origin leaves open: incident kind {kind!r} has no range_km to bound it",
                    value=kind,
                    suggestion=f"declare incident_kinds.{kind}.range_km, the farthest (in km) an act of that kind reaches "
                    "from where it was launched (0 if it takes place where it is reported)",
                )

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

    def repair(self, state: State, at: float) -> Remedy:
        """None: a forbidden act, once carried out, cannot be undone by any change to the state."""
        del state, at
        return Remedy(unrepairable="forbidden acts already carried out cannot be undone")

    def track(self, state: State) -> Trace:
        """An incident may count from the first moment it may have happened, surely once its last has passed;
        under a threshold it leaves the count once the window has passed its last moment (what may count) or
        its first (what surely does)."""
        items, classified = self._items(state), self.classified(state)
        surely, maybe = items.during(np.inf)
        sure, may = np.flatnonzero(classified.certain & surely), np.flatnonzero(classified.relevant & maybe)
        if self.threshold is None:
            return Trace(items, Changes(items.stop[sure], items.weights[sure], sure), Changes(items.start[may], items.weights[may], may))
        window = self.threshold.seconds
        sure = sure[items.start[sure] + window > items.stop[sure]]
        return Trace(items, _passing(items, sure, items.stop, items.start + window), _passing(items, may, items.start, items.stop + window))

    def message(self, book: Rulebook, measure: Measure, status: str) -> str:
        """The finding in plain language; acts other than ``against`` alone are named ("within, from or against the zone")."""
        who = actors(book, self.parties)
        kinds = ", ".join(book.incident_kinds[k].name for k in self.incidents)
        where = where_text(book, self.zone)
        if self.zone is not None and self.forms != _DEFAULT:
            *rest, last = self.forms
            where = f" {', '.join(rest)} or {last}" if rest else f" {last}"
            where += f" the {book.zones[self.zone].name}"
        if self.threshold is not None:
            return self._threshold_message(book, measure, status, self.threshold, f"{kinds}{where}")
        if status == "not_due":
            return f"{who} are bound not to carry out {kinds}{where} once the truce starts."
        if status == "met":
            return f"No {kinds}{where} by {who} while the truce was in force."
        if status == "violated":
            acts = "1 forbidden act" if len(measure.evidence) == 1 else f"{len(measure.evidence)} forbidden acts"
            return f"{acts}{where} by {perpetrators(book, measure)}: incidents {', '.join(measure.evidence)}."
        place = "place" if self.forms == _DEFAULT else "place, origin"
        return (
            f"Incidents {', '.join(measure.unknown_evidence)} may be forbidden acts{where}, "
            f"but their perpetrator, {place} or time is unknown."
        )

    def _threshold_message(self, book: Rulebook, measure: Measure, status: str, threshold: Threshold, acts: str) -> str:
        """The finding of a prohibition with a threshold: how many acts (or fatalities) fell in the window."""
        window, most = threshold.text(), self.limit
        what = "people killed in " if threshold.of == "fatalities" else "acts of "
        rule = f"more than {most} {what}{acts} within {window}"
        if status == "not_due":
            return f"{actors(book, self.parties)} are bound not to carry out {rule} once the truce starts."
        if status == "met":
            return f"Not {rule} by {actors(book, self.parties)}: {measure.amount} in the last {window}."
        if status == "violated":
            return (
                f"{measure.amount} {what}{acts} within the last {window}, more than the {most} "
                f"tolerated, by {perpetrators(book, measure)}: incidents {', '.join(measure.evidence)}."
            )
        return (
            f"Incidents {', '.join(measure.unknown_evidence)} may bring the count in the last {window} beyond {most} "
            f"({measure.amount} for certain), but their perpetrator, place, time or toll is unknown."
        )

    def probes(self, book: Rulebook, places: Sequence[Place], moment: datetime) -> Iterator[Probe]:
        """One incident of each kind by each party at ``moment``, launched from and landed at each place (under a
        threshold, one more than it tolerates: as many incidents, or one with as many killed)."""
        fatal = self.threshold is not None and self.threshold.of == "fatalities"
        acts = 1 if fatal else self.limit + 1
        toll = {"fatalities": self.limit + 1} if fatal else {}
        for party, kind, place in itertools.product(sorted(book.parties), sorted(book.incident_kinds), places):
            where = {"position": place, "origin": place} if place else {}
            incident = {"time": moment.isoformat(), "kind": kind, "by": party, **toll, **where}
            yield {"incidents": [{"id": "witness" if i == 0 else f"witness-{i}", **incident} for i in range(acts)]}

    @classmethod
    def strategy(cls, book: Rulebook, sizes: Sizes) -> Parts:
        """Incidents of any declared kind, by anyone or no one known, around the truce's key instants, with a toll
        or without (for thresholds of fatalities)."""
        from ._strategies import incidents  # noqa: PLC0415 - hypothesis is a test extra

        return {"incidents": incidents(book, sizes["incidents"])}

    def _items(self, state: State) -> Items:
        """The incidents, each weighing 1, or under a threshold of fatalities the people it killed (one more than
        the threshold where that is not known: it may be any number); those a recorded permission covers weigh 0."""
        incidents = state.incidents
        if self.threshold is not None and self.threshold.of == "fatalities":
            killed = incidents.fatalities
            incidents = incidents.with_weights(np.where(np.isnan(killed), self.limit + 1, killed).astype(np.int64))
        return excused(self, state, incidents)[0]

    def _counting(self, items: Items, at: float) -> tuple[Mask, Mask]:
        """The incidents that surely, and that may, have fallen in the truce's period by ``at`` (and, under a
        threshold, in its window: the last ``within`` before ``at``)."""
        surely, maybe = items.during(at)
        if self.threshold is None:
            return surely, maybe
        since = at - self.threshold.seconds
        return surely & (items.start > since), maybe & (items.stop > since)

    def _force(self, items: Items) -> Tri:
        """INSIDE if an incident is of a forbidden kind; under a threshold of fatalities, UNKNOWN if how many it
        killed is not known."""
        forbidden = items.among("kinds", self.incidents)
        if self.threshold is not None and self.threshold.of == "fatalities":
            return np.where(forbidden, np.where(np.isnan(items.fatalities), UNKNOWN, INSIDE), OUTSIDE).astype(np.int8)
        return np.where(forbidden, INSIDE, OUTSIDE).astype(np.int8)

    def _place(self, items: Items) -> Tri:
        """Whether each incident is one of the clause's acts as to its zone (everywhere, without one)."""
        if self.zone is None or self.forms == _DEFAULT:
            return super()._place(items)
        return _acts(self.forms, items.launched_in(self.zone), items.in_zone(self.zone))

    def _reaches(self, items: Items, zone: str) -> tuple[Reach, ...]:
        """Where the incidents stand as to the zone: where they landed, where they were launched from, or
        both, as the clause's acts turn on them."""
        landing, launching = self.forms != ("from",), self.forms != ("against",)
        return (
            *((Reach("position", *items.points(zone)),) if landing else ()),
            *((Reach("origin", *items.points(zone, origin=True)),) if launching else ()),
        )

    def _missing(self, items: Items, row: int, party: int, where: int, force: int, *, since: float | None = None) -> list[str]:
        del since  # incidents are dated acts, not sightings
        missing: list[str] = []
        item, actor, kind = items.ids[row], items.actors[row], items.kinds[row]
        if force == UNKNOWN:
            missing.append(f"how many people incident {item} ({kind}) killed")
        if party == UNKNOWN:
            if actor is None:
                missing.append(f"the perpetrator of incident {item} ({kind})")
            elif isinstance(actor, tuple):
                missing.append(f"which of {', '.join(actor)} carried out incident {item}")
            else:
                missing.append(f"which member of group {actor} carried out incident {item}")
        if where == UNKNOWN and self.zone is not None:
            landed = int(items.in_zone(self.zone)[row])
            launched = int(items.launched_in(self.zone)[row]) if self.forms != _DEFAULT else INSIDE

            def decides(origins: tuple[int, int], places: tuple[int, int]) -> bool:
                """Whether the two cases (launched, landed) would settle the act differently."""
                cases = _acts(self.forms, np.array(origins, dtype=np.int8), np.array(places, dtype=np.int8))
                return bool(cases[0] != cases[1])

            if landed == UNKNOWN and decides((launched, launched), (INSIDE, OUTSIDE)):
                missing.append(f"the position of incident {item} ({kind})")
            if launched == UNKNOWN and decides((INSIDE, OUTSIDE), (landed, landed)):
                missing.append(f"the origin of incident {item} ({kind})")
        if not missing:
            until = items.stamp(row, 1) if items.stop[row] > items.start[row] else "?"
            missing.append(f"the time of incident {item} ({kind}, from {items.stamp(row, 0)} to before {until})")
        return missing


def _passing(items: Items, rows: npt.NDArray[np.intp], join: Floats, leave: Floats) -> Changes:
    """The incidents at ``rows`` each counted from its ``join`` time until its ``leave`` time."""
    weights = items.weights[rows]
    return Changes(np.concatenate([join[rows], leave[rows]]), np.concatenate([weights, -weights]), np.concatenate([rows, rows]))


def _acts(forms: tuple[Act, ...], launched: Tri, landed: Tri) -> Tri:
    """Whether each incident is any of the acts ``forms``: INSIDE if it is however its unknown facts (where
    it was launched, where it landed) turn out, OUTSIDE if it is in no way, else UNKNOWN.

    For one act this is Kleene's logic; for several it is exact where Kleene's is not: an act that
    landed in the zone is ``from`` or ``into`` it wherever it came from.
    """
    always, ever = np.ones(len(landed), dtype=bool), np.zeros(len(landed), dtype=bool)
    for origin, place in itertools.product((True, False), repeat=2):
        possible = (launched != (OUTSIDE if origin else INSIDE)) & (landed != (OUTSIDE if place else INSIDE))
        if any(_TRUTH[form](origin, place) for form in forms):
            ever |= possible
        else:
            always &= ~possible
    return np.where(always, INSIDE, np.where(ever, UNKNOWN, OUTSIDE)).astype(np.int8)
