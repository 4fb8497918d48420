"""The clause unit every clause type extends, and the counting of items several types share.

A clause unit owns its fields and their validation, its cross-references, its
measure, its timeline part, its wording, its lint checks and its hypothesis
strategy.
"""

from __future__ import annotations

import difflib
import functools
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self, TypeVar, get_args

import numpy as np
import numpy.typing as npt
from pydantic import Field, PrivateAttr, StrictBool, model_validator

from .._errors import Invalid, Problem
from .._items import INSIDE, OUTSIDE, UNKNOWN
from .._terms import AfterMet, Deadline, Id, Span, Text
from .._terms import Data as _Data
from . import condition

if TYPE_CHECKING:
    from hypothesis import strategies as st

    from .._geo import Area
    from .._items import Items, Mask, State, Tri
    from .._rulebook import Rulebook
    from .._source import Document

Loc = tuple[str | int, ...]


class Check(Protocol):
    """Reports a clause's problems with the rulebook around it, each at a field path."""

    def __call__(self, loc: Loc, value: str, known: Iterable[str], what: str, /) -> None:
        """A problem if an id (``value``) is not among the ``known`` ones (of kind ``what``)."""

    def problem(self, loc: Loc, message: str, *, value: object = None, suggestion: str | None = None) -> None:
        """Any other problem."""

Phase = Literal["due", "not_due", "not_applicable", "not_assessed"]
"""Whether a clause binds yet; ``not_assessed``: it binds, but the state carries no record of the kind its evidence is."""
Action = Literal["withdraw", "locate", "identify", "measure", "hand_over"]
"""What a change asks: units leave a zone (or are cut down), or a fact is learned that shows they do not
count (their position, which member of a group they belong to, a measured attribute), or an area changes hands."""
Severity = Literal["error", "warning"]
Sizes = Mapping[str, int]
Parts = dict[str, "st.SearchStrategy[Any]"]
Place = dict[str, float] | None
"""A position (``lat``, ``lon``) or None."""
Probe = dict[str, Any]
"""Parts of a scenario state (``units``, ``incidents``, ``areas``, ``records``), as a file holds them."""

_R = TypeVar("_R", bound="ClauseReading")
_C = TypeVar("_C", bound="Clause")


@dataclass(frozen=True)
class Measure:
    """What the state shows about one clause."""

    clause: Clause
    phase: Phase
    amount: int = 0
    possible: int = 0
    evidence: tuple[str, ...] = ()
    unknown_evidence: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    parties_one_of: tuple[tuple[str, ...], ...] = ()
    """Candidate groups behind the evidence where the data says only that one of them acted (sorted)."""
    missing: tuple[str, ...] = ()
    tally: tuple[tuple[str, int], ...] = ()
    illustrative_zone: bool = False
    detail: tuple[str, ...] = ()
    """What the measure found, in words, where no item can say it (an obligation's stretches without a record)."""
    lacking: tuple[str, ...] = ()
    """The kinds of record (``Records`` fields) the state carries none of, for a clause not assessed."""
    excused: tuple[str, ...] = ()
    """The ids of the records (permissions) that excuse acts the clause would otherwise count by then."""


@dataclass(frozen=True)
class Lint:
    """One linter finding: a code, how serious it is, and where (file, line, field path)."""

    code: str
    severity: Severity
    problem: Problem

    def __str__(self) -> str:
        return f"{self.problem} [{self.severity}: {self.code}]"


@dataclass(frozen=True)
class Classified:
    """Per item, whatever the time: may it offend the clause (``relevant``), surely (``certain``)?"""

    relevant: Mask
    certain: Mask
    party: Tri
    where: Tri
    force: Tri
    aged: Mask | None = None
    """At one instant: the items whose sighting is too old for their place to be known (``where`` UNKNOWN)."""
    since: float = float("nan")
    """The instant (epoch seconds) a newer sighting of an ``aged`` item would have to be from."""


@dataclass(frozen=True)
class Changes:
    """When counted items (``rows``) join a running total (positive weight) or leave it (negative)."""

    times: npt.NDArray[np.float64]
    weights: npt.NDArray[np.int64]
    rows: npt.NDArray[np.intp]

    @staticmethod
    def none() -> Changes:
        """No change ever."""
        return Changes(np.zeros(0), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.intp))

    def plus(self, other: Changes) -> Changes:
        """These changes and ``other``'s together."""
        times, weights = np.concatenate([self.times, other.times]), np.concatenate([self.weights, other.weights])
        return Changes(times, weights, np.concatenate([self.rows, other.rows]))


@dataclass(frozen=True)
class Edit:
    """One change to the state that a clause's repair asks for: the unit at ``row`` of the units cut to
    ``remaining`` (0: it leaves, or is shown not to count), or ``area`` handed to ``holder``."""

    action: Action
    party: str
    item: str
    message: str
    row: int = -1
    remaining: int = 0
    area: str | None = None
    holder: str | None = None


@dataclass(frozen=True)
class Remedy:
    """What would make a due clause met: changes to the state, or why no change to the state can."""

    edits: tuple[Edit, ...] = ()
    unrepairable: str | None = None


@dataclass(frozen=True)
class Tip:
    """A doubtful item of a clause: the facts that would settle it, and the clause's measure if it counts and if it does not."""

    item: str
    facts: tuple[str, ...]
    counts: Measure
    not_counts: Measure


@dataclass(frozen=True)
class Reach:
    """Where some items stand as to a zone's edge, by one of their points (``position`` or ``origin``): its longitude
    and latitude (NaN for an item placed by a named zone) and the slack of its own uncertainty, in km."""

    point: Literal["position", "origin"]
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    slack: npt.NDArray[np.float64]


@dataclass(frozen=True)
class Edges:
    """The items (at ``rows``) whose side of a clause's zone edge may decide it, and where every item stands."""

    zone: str
    items: Items
    rows: npt.NDArray[np.intp]
    reaches: tuple[Reach, ...]


@dataclass(frozen=True)
class Trace:
    """What a timeline needs to follow a clause: the items it counts, when what surely offends
    (``amount``) and what may (``possible``) changes, or the ``fixed`` measure of a clause no dated
    item moves, or the ``steps`` of one the clock moves."""

    items: Items
    amount: Changes
    possible: Changes
    fixed: Measure | None = None
    follows: npt.NDArray[np.float64] | None = None
    """For a clause whose clock starts once another is met: the further instants its finding may change at (the
    other clause's, and each as much later as the clock runs); the timeline then takes its measure at every point."""
    steps: tuple[npt.NDArray[np.float64], tuple[Measure, ...]] | None = None
    """For a clause the clock moves rather than items (an obligation): from each instant on (sorted, the first
    -inf), its measure, until the next."""


class ClauseReading(_Data):
    """What a clause says under one reading: any field given replaces the clause's own."""

    applies: StrictBool = True
    """`false`: the clause says nothing under this reading."""
    parties: list[Id] | None = Field(default=None, min_length=1)
    """The parties or groups bound, instead of the clause's own."""
    note: Text | None = None
    """Why this reading differs."""


class Clause(_Data):
    """One term of the agreement, citing the article it encodes; each clause type extends it.

    ``role: condition`` makes the clause a condition the whole truce depends on
    (set by ``set_by``) rather than a term a party can breach.
    """

    id: Id
    """The clause's id, unique in the rulebook."""
    type: str
    """The clause type."""
    role: Literal["term", "condition"] = "term"
    """`term` (a party can breach it) or `condition` (the whole truce depends on it)."""
    title: Text
    """What the clause demands, in a line."""
    article: Text
    """The article of the agreement it encodes."""
    set_by: Id | None = None
    """For a condition: the party whose truce depends on it."""
    parties: list[Id] = Field(min_length=1)
    """The parties or groups it binds."""
    readings: Mapping[Id, ClauseReading] = {}
    """What the clause says under particular readings, by reading id."""
    note: Text | None = None
    """A remark for readers."""

    _after: tuple[Clause | None] | None = PrivateAttr(default=None)
    """The clause whose being met starts this one's clock, as the same reading has it (None inside: it does not
    apply under that reading), once ``Rulebook.read_as`` has bound it."""

    @model_validator(mode="before")
    @classmethod
    def _fields_fit_type(cls, data: Any) -> Any:
        """Name a missing field of the type as needed, and a field only other types have as one it has not."""
        if not isinstance(data, Mapping):
            return data
        name = f"{'an' if cls.name()[0] in 'aeiou' else 'a'} {cls.name()}"
        own = cls.model_fields.keys() - Clause.model_fields.keys()
        absent = sorted(field for field in own if cls.model_fields[field].is_required() and field not in data)
        if absent:
            unknown = [str(key) for key in data if key not in cls.model_fields]
            typos = [f"{typo!r} for {field!r}?" for field in absent for typo in difflib.get_close_matches(field, unknown, n=1)]
            hint = f" (did you write {', '.join(typos)})" if typos else ""
            message = f"{name} clause needs {', '.join(repr(a) for a in absent)}{hint}"
            fix = cls.fix_for(absent)
            raise Invalid(message, fix) if fix else ValueError(message)
        foreign = [field for field in data if field not in cls.model_fields and field in _clause_fields()]
        if foreign:
            raise ValueError(f"{name} clause has no {', '.join(repr(f) for f in foreign)}")
        return data

    @model_validator(mode="after")
    def _role_fits(self) -> Self:
        condition.check(self)
        return self

    @classmethod
    def fix_for(cls, absent: Sequence[str]) -> str | None:
        """How to give the ``absent`` required fields, where the type says more than their names: none by default."""
        del absent
        return None

    @classmethod
    def name(cls) -> str:
        """The clause type's name, as rulebooks give it in ``type:``."""
        return str(get_args(cls.model_fields["type"].annotation)[0])

    def under(self, reading: str) -> Self | None:
        """This clause as a reading has it, or None if it does not apply under that reading."""
        override = self.readings.get(reading)
        if override is None:
            return self
        if not override.applies:
            return None
        update: dict[str, Any] = {
            k: getattr(override, k)
            for k in type(override).model_fields
            if k not in ("applies", "note") and getattr(override, k) is not None
        }
        return self.model_copy(update=update)

    @property
    def limit(self) -> int:
        """The most of what the clause counts that the state may hold before it is violated."""
        return 0

    @property
    def zone_id(self) -> str | None:
        """The zone the clause is set on, if it has one."""
        return None

    @property
    def stated_deadline(self) -> Deadline | None:
        """The deadline the clause states, if its type has one."""
        return None

    @property
    def party_floor(self) -> int:
        """How many a single party may hold before that party surely offends the clause."""
        return 0

    def illustrative(self, book: Rulebook) -> bool:
        """Whether the clause rests on a zone line the agreement never published."""
        return self.zone_id is not None and book.zones[self.zone_id].illustrative

    def totals_by(self, items: Items) -> list[tuple[Any, Mask]]:
        """What the clause totals by: all rows as one total."""
        return [("", np.ones(len(items), dtype=bool))]

    def check_references(self, book: Rulebook, check: Check, loc: Loc) -> None:
        """Report every id the clause (and each of its reading overrides) names that the rulebook does not declare."""
        actors = set(book.parties) | set(book.groups)
        condition.check_references(self, check, loc, actors)
        for at, part in parts(loc, self, self.readings):
            for i, party in enumerate(part.parties or []):
                check((*at, "parties", i), party, actors, "party or group")

    def uses(self, book: Rulebook) -> Iterator[tuple[str, str]]:
        """The rulebook ids the clause draws on, as (section, id): ``actors`` it binds or that set it."""
        del book
        for actor in (*self.parties, *([self.set_by] if self.set_by else [])):
            yield "actors", actor

    def counted(self, book: Rulebook) -> frozenset[str]:
        """The ids of the kinds of units or incidents the clause counts."""
        del book
        return frozenset()

    def classes_for(self, book: Rulebook, kind: str) -> list[str]:
        """The classes (or the kind itself) through which the clause counts units of ``kind``."""
        del book, kind
        return []

    def bears_on(self) -> tuple[str, ...]:
        """The ids of the other clauses whose findings this one changes (a permission: the clause it excuses acts
        from): none by default. Where two readings part on it, the difference may show only in those findings."""
        return ()

    def excuses(self, state: State, clause: Clause, items: Items) -> dict[str, Mask]:
        """Which of ``items`` (those ``clause`` counts) this clause excuses from it, by the record that does: none by
        default (a permission excuses the acts its records cover)."""
        del state, clause, items
        return {}

    @abstractmethod
    def measure(self, state: State, at: float) -> Measure:
        """The due clause's measure at instant ``at`` (epoch seconds)."""

    def extent(self, state: State, at: float) -> Measure:
        """What the clause counts at ``at``, whatever its deadline: whether it is met then (for a clause whose clock
        starts once this one is met)."""
        return self.measure(state, at)

    def after_clause(self, book: Rulebook) -> Clause | None:
        """The clause whose being met starts this one's clock, if its deadline says so (as the reading has it)."""
        deadline = self.stated_deadline
        if not isinstance(deadline, AfterMet):
            return None
        if self._after is not None:
            return self._after[0]
        return next((c for c in book.clauses if c.id == deadline.after_met), None)

    @abstractmethod
    def track(self, state: State) -> Trace:
        """What a timeline needs to follow the due clause through time."""

    @abstractmethod
    def message(self, book: Rulebook, measure: Measure, status: str) -> str:
        """The finding in plain language."""

    def repair(self, state: State, at: float) -> Remedy:
        """The changes to the state that would make the due clause met at ``at``: by default none can."""
        del state, at
        return Remedy(unrepairable="no change to the state can make it met")

    def tips(self, state: State, at: float) -> Iterator[Tip]:
        """Each item of which it is not known whether it counts against the due clause at ``at``: by default none."""
        del state, at
        return iter(())

    def edges(self, state: State, at: float) -> Edges | None:
        """The items whose side of the zone's edge may decide the due clause at ``at``: none by default."""
        del state, at
        return None

    def placed(self, state: State, at: float, moved: Mask, where: int) -> Measure:
        """The due clause's measure at ``at`` with the ``moved`` items INSIDE, OUTSIDE or UNKNOWN (``where``) as to its
        zone: at least what deciding reads (phase and amounts; its words may be left out)."""
        del moved, where
        return self.measure(state, at)

    @abstractmethod
    def probes(self, book: Rulebook, places: Sequence[Place], moment: datetime) -> Iterator[Probe]:
        """Scenario parts of one item each that the clause might count, at each of ``places`` (None: no known place),
        acts at ``moment``: where two readings of it part, one of them counts against one and not the other."""

    def redrawn(self, state: State, at: float, area: Area) -> Measure:
        """The due clause's measure at ``at`` were its zone drawn as ``area`` (at least what deciding reads): by
        default its measure."""
        del area
        return self.measure(state, at)

    def lint(self, book: Rulebook, doc: Document, loc: Loc, reading: str) -> Iterator[Lint]:
        """What is valid but suspect in the clause as ``reading`` has it (at ``loc``)."""
        del book, doc, loc, reading
        return iter(())

    @classmethod
    @abstractmethod
    def strategy(cls, book: Rulebook, sizes: Sizes) -> Parts:
        """Hypothesis strategies of the scenario parts this type needs, by part name, ``sizes`` long at most."""


def sequenced(clause: Clause, state: State, at: float, own: Measure) -> Measure:
    """The measure at ``at`` of a clause whose deadline counts from another being met, from ``own`` (its measure were
    it due): when that other clause became met is read from the state at earlier instants (each of its change points
    from the truce's start on). Still unmet: not due. Met since an instant known: due that long after. Met, or maybe
    met, since an instant only bounded (its status was unknown before): what would be a violation is unknown."""
    deadline = clause.stated_deadline
    if not isinstance(deadline, AfterMet):
        return own
    book, after = state.book, clause.after_clause(state.book)
    not_due = Measure(clause, "not_due")
    if after is None:  # the other clause says nothing under this reading: the clock never starts
        return not_due
    start = book.in_force.start.timestamp()
    times = np.unique(np.concatenate([[start], moments(after.track(state))]))
    times = times[(times >= start) & (times <= at)]
    statuses = [_status(after.extent(state, float(t))) for t in times]
    if not statuses or statuses[-1] == "violated":
        return not_due
    runs = {"met": len(statuses), "maybe": len(statuses)}
    while runs["met"] > 0 and statuses[runs["met"] - 1] == "met":
        runs["met"] -= 1
    runs["maybe"] = runs["met"]
    while runs["maybe"] > 0 and statuses[runs["maybe"] - 1] != "violated":
        runs["maybe"] -= 1
    window = deadline.within.delta.total_seconds()
    early = float(times[runs["maybe"]])
    late = float(times[runs["met"]]) if runs["met"] < len(statuses) else None
    if at < early + window:
        return not_due
    if late is not None and at >= late + window:
        return own
    zone = book.in_force.start.tzinfo
    since = datetime.fromtimestamp(early, zone).isoformat()
    fact = (
        f"when clause {after.id} became met (between {since} and {datetime.fromtimestamp(late, zone).isoformat()})"
        if late is not None else f"whether clause {after.id} has been met (it may have been since {since})"
    )
    return replace(
        own, amount=0, evidence=(), parties=(), parties_one_of=(), tally=(),
        unknown_evidence=tuple(sorted({*own.evidence, *own.unknown_evidence})), missing=(*own.missing, fact),
    )


def excused(clause: Clause, state: State, items: Items) -> tuple[Items, dict[str, Mask]]:
    """``items`` with those another clause of the rulebook excuses from ``clause`` weighing 0 (so nothing counts
    them), and the covering rows by the id of each record that excuses some."""
    others = state.book.clauses if state.clauses is None else state.clauses
    found = {record: rows for other in others for record, rows in other.excuses(state, clause, items).items()}
    if not found:
        return items, found
    covered = np.any(list(found.values()), axis=0)
    return items.with_weights(np.where(covered, 0, items.weights)), found


def excusal(measure: Measure) -> str:
    """`` Acts excused by recorded leave: permissions p-1, p-2.`` for a measure some records excuse acts of."""
    return f" Acts excused by recorded leave: permissions {', '.join(measure.excused)}." if measure.excused else ""


def moments(trace: Trace) -> npt.NDArray[np.float64]:
    """Every finite instant a clause's trace may change at."""
    times: npt.NDArray[np.float64] = np.concatenate([
        trace.amount.times, trace.possible.times, *([trace.follows] if trace.follows is not None else []),
        *([trace.steps[0]] if trace.steps is not None else []),
    ])
    return times[np.isfinite(times)]


def _status(measure: Measure) -> str:
    """Whether a measure shows its clause violated, maybe so, or met."""
    limit = measure.clause.limit
    return "violated" if measure.amount > limit else "maybe" if measure.possible > limit else "met"


def _clause_fields() -> frozenset[str]:
    """Every field some clause type has."""
    found: set[str] = set(Clause.model_fields)
    pending = Clause.__subclasses__()
    while pending:
        cls = pending.pop()
        found |= cls.model_fields.keys()
        pending += cls.__subclasses__()
    return frozenset(found)


def parts(loc: Loc, clause: _C, readings: Mapping[str, _R]) -> Iterator[tuple[Loc, _C | _R]]:
    """The clause at ``loc`` and each of its reading overrides at theirs."""
    yield loc, clause
    for name, override in readings.items():
        yield (*loc, "readings", name), override


def check_zone(book: Rulebook, check: Check, loc: Loc, zone: str | None) -> None:
    """Report a zone the rulebook does not declare."""
    if zone is not None:
        check((*loc, "zone"), zone, book.zones, "zone")


def deadline_text(book: Rulebook, clause: Clause) -> str:
    """A clause's deadline in words: an instant, or a span after another clause is met."""
    deadline = clause.stated_deadline
    if isinstance(deadline, AfterMet):
        return f"{span_text(deadline.within)} after clause {deadline.after_met} is met"
    return when(book.deadline(clause))


def span_text(span: Span) -> str:
    """A span in words: "1 day", "2 days and 6 hours"."""
    parts = [f"{n} {unit}{'s' * (n != 1)}" for n, unit in ((span.days, "day"), (span.hours, "hour")) if n]
    return " and ".join(parts) or "0 hours"


@functools.lru_cache(maxsize=1024)
def when(instant: datetime) -> str:
    """An instant as messages show it: day, month, year, time and UTC offset (remembered: messages name the same
    few deadlines over and over)."""
    return instant.strftime("%d %B %Y %H:%M") + f" ({instant.strftime('%z')[:3]}:{instant.strftime('%z')[3:]})"


def actors(book: Rulebook, ids: Iterable[str]) -> str:
    """Parties or groups by name and id."""
    return ", ".join(f"{book.party_name(i)} ({i})" for i in ids)


def perpetrators(book: Rulebook, measure: Measure) -> str:
    """Who carried out what a measure counts: its parties, then each candidate group as "one of" them."""
    named = [actors(book, measure.parties)] if measure.parties else []
    return "; ".join(named + [f"one of {actors(book, group)}" for group in measure.parties_one_of])


def where_text(book: Rulebook, zone: str | None) -> str:
    """`` in the <zone>``, or nothing without a zone."""
    return f" in the {book.zones[zone].name}" if zone else ""


class Counting(Clause):
    """A clause that counts items (units or incidents) of its parties, in its zone if it has one."""

    def measure(self, state: State, at: float) -> Measure:
        """The due clause's measure at instant ``at`` (epoch seconds), with the records that excuse acts by then."""
        items = self._items(state)
        surely, maybe = self._counting(items, at)
        measure = self._count(items, self.classified_at(state, at), surely, maybe)
        leave = tuple(sorted(r for r, rows in excused(self, state, items)[1].items() if (rows & maybe).any()))
        return replace(measure, excused=leave) if leave else measure

    def tips(self, state: State, at: float) -> Iterator[Tip]:
        """Each doubtful item at ``at``: the facts that would settle it, and the measure if it surely counts and if it does not."""
        items, classified = self._items(state), self.classified_at(state, at)
        surely, maybe = self._counting(items, at)
        doubtful = classified.relevant & maybe & ~(classified.certain & surely)
        for row in np.flatnonzero(doubtful):
            one = np.zeros(len(items), dtype=bool)
            one[row] = True
            counts = replace(classified, relevant=classified.relevant | one, certain=classified.certain | one)
            not_counts = replace(classified, relevant=classified.relevant & ~one, certain=classified.certain & ~one)
            facts = self._facts(items, classified, int(row))
            yield Tip(
                str(items.ids[row]), tuple(facts),
                self._count(items, counts, surely | one, maybe | one), self._count(items, not_counts, surely, maybe),
            )

    def edges(self, state: State, at: float) -> Edges | None:
        """The items that count at ``at`` but for their place, each with the points that place it."""
        zone = self.zone_id
        if zone is None:
            return None
        items, classified = self._items(state), self.classified(state)
        _, maybe = self._counting(items, at)
        rows = np.flatnonzero((classified.force != OUTSIDE) & (classified.party != OUTSIDE) & (items.weights > 0) & maybe)
        return Edges(zone, items, rows, self._reaches(items, zone))

    def _reaches(self, items: Items, zone: str) -> tuple[Reach, ...]:
        """Where the items stand as to the zone: by their position."""
        return (Reach("position", *items.points(zone)),)

    def placed(self, state: State, at: float, moved: Mask, where: int) -> Measure:
        """The measure at ``at`` with the ``moved`` items INSIDE, OUTSIDE or UNKNOWN (``where``) as to the zone."""
        items, classified = self._items(state), self.classified(state)
        place = classified.where.copy()
        place[moved] = self._put(items, moved, where)
        surely, maybe = self._counting(items, at)
        return self._count(items, self._aged(items, _classify(self, items, classified.force, place, classified.party), at),
                           surely, maybe, words=False)

    def _put(self, items: Items, moved: Mask, where: int) -> Tri | int:
        """Where the ``moved`` items count as placed, put INSIDE, OUTSIDE or UNKNOWN (``where``) as to the zone: there."""
        del items, moved
        return where

    def redrawn(self, state: State, at: float, area: Area) -> Measure:
        """The measure at ``at`` were the zone drawn as ``area``: each item's place in it found again (asked only of a
        clause with a zone)."""
        zone = self.zone_id
        assert zone is not None, "only a clause with a zone is drawn again"
        items, classified = self._items(state).redrawn(zone, area), self.classified(state)  # kinds and parties stay
        surely, maybe = self._counting(items, at)
        return self._count(items, self._aged(items, _classify(self, items, classified.force, party=classified.party), at),
                           surely, maybe, words=False)

    def classified_at(self, state: State, at: float) -> Classified:
        """Which items the clause counts at ``at``: as ``classified``, but an item whose sighting is too old by then
        (``_stale``) is of unknown place."""
        return self._aged(self._items(state), self.classified(state), at)

    def _aged(self, items: Items, classified: Classified, at: float) -> Classified:
        stale = self._stale(items, at)
        if stale is None or not stale[0].any():
            return classified
        rows, since = stale
        where = classified.where.copy()
        where[rows] = UNKNOWN
        return replace(_classify(self, items, classified.force, where, classified.party), aged=rows, since=since)

    def _stale(self, items: Items, at: float) -> tuple[Mask, float] | None:
        """The items whose sighting is too old at ``at`` for their place to be known, and the instant a newer one
        would have to be from: none by default."""
        del items, at
        return None

    def _facts(self, items: Items, classified: Classified, row: int) -> list[str]:
        """What would settle whether the doubtful item at ``row`` counts."""
        aged = classified.aged is not None and bool(classified.aged[row])
        return self._missing(
            items, row, party=int(classified.party[row]), where=int(classified.where[row]), force=int(classified.force[row]),
            since=classified.since if aged else None,
        )

    def classified(self, state: State) -> Classified:
        """Which items of the state the clause counts, whatever the time; found once per state that remembers."""
        entry = state.cache.get(self.id)
        if not (isinstance(entry, tuple) and entry[0] is self):
            items = self._items(state)
            entry = (self, _classify(self, items, self._force(items)))
            if state.remember:
                state.cache[self.id] = entry
        found: Classified = entry[1]
        return found

    @abstractmethod
    def _items(self, state: State) -> Items:
        """The items the clause counts: the state's units or its incidents."""

    @abstractmethod
    def _counting(self, items: Items, at: float) -> tuple[Mask, Mask]:
        """The items that surely, and that maybe, count at instant ``at``."""

    @abstractmethod
    def _force(self, items: Items) -> Tri:
        """INSIDE where an item is of what the clause counts, UNKNOWN where that is not known."""

    def _place(self, items: Items) -> Tri:
        """INSIDE where an item is in the clause's zone (everywhere, without one), UNKNOWN where that is not known."""
        zone = self.zone_id
        return items.in_zone(zone) if zone else np.full(len(items), INSIDE, dtype=np.int8)

    @abstractmethod
    def _missing(self, items: Items, row: int, party: int, where: int, force: int, *, since: float | None = None) -> list[str]:
        """What would settle whether a doubtful item (at ``row``) counts; ``since``: its place is unknown because
        its sighting is older than that instant."""

    def _count(self, items: Items, classified: Classified, surely: Mask, maybe: Mask, words: bool = True) -> Measure:
        """The measure from the items' classification and the items that (surely, maybe) count now; without
        ``words`` only its amounts (all that deciding reads), not the evidence, parties and missing facts.

        With several totals (``totals_by``) the amount is the worst one, and the evidence the
        items of every total over the limit (else of the worst one).
        """
        certain = classified.certain & surely
        relevant = classified.relevant & maybe
        if not relevant.any():  # nothing counts, surely or maybe: what follows finds no amount and no words
            return Measure(self, "due", illustrative_zone=words and self.illustrative(items.book))
        doubtful = relevant & ~certain
        keys = self.totals_by(items)
        totals = [int(items.weights[certain & rows].sum()) for _, rows in keys]
        amount = max(totals, default=0)
        possible = max((int(items.weights[relevant & rows].sum()) for _, rows in keys), default=0)
        if not words:
            return Measure(self, "due", amount=amount, possible=possible)
        over = [total > self.limit for total in totals]
        if not any(over):
            over = [total == amount and amount > 0 for total in totals]
        chosen = [rows for (_, rows), pick in zip(keys, over, strict=True) if pick]
        shown = certain & np.any(chosen, axis=0) if chosen else np.zeros(len(items), dtype=bool)
        missing = [m for i in np.flatnonzero(doubtful) for m in self._facts(items, classified, int(i))]
        behind = [actor for actor, _ in items.tally("actors", shown)]
        return Measure(
            self,
            "due",
            amount=amount,
            possible=possible,
            evidence=tuple(sorted(items.ids[shown].tolist())),
            unknown_evidence=tuple(sorted(items.ids[doubtful].tolist())),
            parties=tuple(sorted(str(actor) for actor in behind if not isinstance(actor, tuple))),
            parties_one_of=tuple(sorted(actor for actor in behind if isinstance(actor, tuple))),
            missing=tuple(sorted(set(missing))),
            tally=tuple(sorted(items.tally("kinds", shown))),
            illustrative_zone=self.illustrative(items.book),
        )


def _classify(clause: Counting, items: Items, force: Tri, where: Tri | None = None, party: Tri | None = None) -> Classified:
    """Which items a clause counts: ``force`` (kind, measured attributes), ``party`` and place (``where``), each
    the clause's own where not given, but not time."""
    party = items.coverage(_covered_parties(items.book, clause.parties)) if party is None else party
    where = clause._place(items) if where is None else where
    relevant = (force != OUTSIDE) & (items.weights > 0) & (party != OUTSIDE) & (where != OUTSIDE)
    certain = relevant & (force == INSIDE) & (party == INSIDE) & (where == INSIDE)
    return Classified(relevant, certain, party, where, force)


def _covered_parties(book: Rulebook, ids: Iterable[str]) -> frozenset[str]:
    covered: set[str] = set()
    for actor in ids:
        covered |= {actor, *book.members(actor)}
    return frozenset(covered)
