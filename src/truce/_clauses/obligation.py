"""``obligation``: ``parties`` must do what records of one kind show done: once from ``deadline`` on, or
(``schedule: periodic``) with no stretch longer than ``every`` without a record; for the status of named sites,
each of ``roads`` open, each of ``posts`` manned.

A state that carries no record of the kind (``records``) does not assess the clause: its finding is
``not_assessed``. Where it carries some, a stretch without a record is a violation inside the period the
records declare ``complete``, and unknown elsewhere (a record may have gone unreported).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
from pydantic import Field

from .._items import Items
from .._scenario import RECORD_SETS, SITE_STATUS, Inspection, Patrol, Record, RecordSet, SiteStatus
from .._terms import Fixed, Id, Span
from ._base import Changes, Check, Clause, ClauseReading, Loc, Measure, Parts, Place, Probe, Remedy, Sizes, Tip, Trace, actors, parts, when

if TYPE_CHECKING:
    from .._items import State
    from .._rulebook import Rulebook, Site

_TICK = timedelta(microseconds=1)


class _Words(NamedTuple):
    """How findings speak of one kind of named site: what the parties must do, its status when kept and when not."""

    task: str
    kept: str
    lapsed: str


_SITES = {"roads": _Words("open the {} to transit", "open to transit", "Still closed"),
          "posts": _Words("keep the {} manned", "manned", "Withdrawn")}
"""The words of each kind of record that gives named sites' status (``SITE_STATUS``)."""


class ObligationReading(ClauseReading):
    """What an obligation says under one reading: any field given replaces the clause's own."""

    deadline: Fixed | None = None
    """The deadline, instead of the clause's own."""
    since: Fixed | None = None
    """From when records count, instead of the clause's own."""
    schedule: Literal["once", "periodic"] | None = None
    """`once` or `periodic`, instead of the clause's own."""
    every: Span | None = None
    """The longest stretch allowed without a record, instead of the clause's own."""


class Obligation(Clause):
    """``parties`` must do what records of kind ``records`` show done: once, or at least every ``every``."""

    type: Literal["obligation"]
    """`obligation`."""
    records: Literal["patrols", "inspections", "roads", "posts"]
    """The kind of record that shows it done: `patrols`, `inspections`, `roads` (road status) or `posts` (post status)."""
    schedule: Literal["once", "periodic"] = "once"
    """`once` (a record from `since` on does it) or `periodic` (no stretch longer than `every` without one)."""
    every: Span | None = None
    """For `periodic`: the longest stretch allowed without a record, e.g. `{days: 15}`."""
    deadline: Fixed
    """From when it binds: a time, or `{after_start: {days: 15}}`."""
    since: Fixed | None = None
    """From when a record counts (default: the truce's start)."""
    roads: list[Id] = Field(default_factory=list)
    """Road ids: a patrol counts along one of them; for `records: roads`, each must be open."""
    posts: list[Id] = Field(default_factory=list)
    """Post ids, for `records: posts`: each must be manned."""
    zone: Id | None = None
    """For `records: inspections`: the zone id an inspection must name to count (by id, not by ground)."""
    readings: Mapping[Id, ObligationReading] = {}
    """What the clause says under particular readings, by reading id."""

    @property
    def stated_deadline(self) -> Fixed | None:
        """The deadline the clause states."""
        return self.deadline

    def counts_from(self, book: Rulebook) -> datetime:
        """From when a record counts: ``since``, else the truce's start."""
        return book.instant(self.since) if self.since else book.in_force.start

    def check_references(self, book: Rulebook, check: Check, loc: Loc) -> None:
        """Report unknown roads and zones, and a schedule or a filter its kind of record cannot have, under every reading."""
        super().check_references(book, check, loc)
        for i, road in enumerate(self.roads):
            check((*loc, "roads", i), road, book.roads, "road")
        for i, post in enumerate(self.posts):
            check((*loc, "posts", i), post, book.posts, "post")
        if self.zone is not None:
            check((*loc, "zone"), self.zone, book.zones, "zone")
        _check_shape(self, check, loc)
        for at, part in parts(loc, self, self.readings):
            read = self.under(str(at[-1])) if isinstance(part, ObligationReading) and (part.schedule or part.every) else None
            if read is not None:
                _check_shape(read, check, at)

    def uses(self, book: Rulebook) -> Iterator[tuple[str, str]]:
        """The actors it binds, and the roads, posts and zone it names."""
        yield from super().uses(book)
        yield from (("roads", road) for road in self.roads)
        yield from (("posts", post) for post in self.posts)
        if self.zone is not None:
            yield "zones", self.zone

    def measure(self, state: State, at: float) -> Measure:
        """Whether the records show it done by instant ``at`` (epoch seconds); not assessed without any."""
        found = state.records.of(self.records)
        if found is None:
            return Measure(self, "not_assessed", lacking=(self.records,))
        if self.records in SITE_STATUS:
            return self._sites(state.book, found, at)
        return self._done(state.book, found, at)

    def extent(self, state: State, at: float) -> Measure:
        """Whether it has been done by ``at``, whatever its deadline (for a clause whose clock starts once it is met):
        before the instant it counts from, no record counts, so what is to be done is not done yet."""
        measure = self.measure(state, at)
        if measure.phase == "due" and self.records not in SITE_STATUS and at < self.counts_from(state.book).timestamp():
            return replace(measure, amount=1, possible=1)
        return measure

    def _done(self, book: Rulebook, found: RecordSet, at: float) -> Measure:
        """The stretches from ``since`` to ``at`` longer than allowed without a record that counts."""
        done, certain, doubtful = self._stretches(book, found, at)
        spans = {s: _span_text(book, s) for s in (*certain, *doubtful)}
        bounding = sorted({i for t, i in done for a, b in certain if t in (a, b)})
        return Measure(
            self, "due", amount=len(certain), possible=len(certain) + len(doubtful),
            evidence=tuple(bounding if certain else sorted(i for _, i in done)), parties=tuple(sorted(self.parties)) if certain else (),
            missing=tuple(f"{RECORD_SETS[self.records].noun} {self._what(book)} {spans[s]}" for s in doubtful),
            detail=tuple(spans[s] for s in (certain or doubtful)),
        )

    def _stretches(
        self, book: Rulebook, found: RecordSet, at: float
    ) -> tuple[list[tuple[float, str]], list[tuple[float, float]], list[tuple[float, float]]]:
        """The records that count by ``at`` (time, id), and the stretches longer than allowed without one: those
        inside the complete period (certain), and the others (doubtful)."""
        since = self.counts_from(book).timestamp()
        done = sorted((r.time.timestamp(), r.id) for r in found.entries if self._counts(book, r) and since <= r.time.timestamp() <= at)
        allowed = self.every.delta.total_seconds() if self.schedule == "periodic" and self.every else None
        if allowed is None:
            bounds = [(since, at)] if not done and at >= since else []
        else:
            edges = [since, *(t for t, _ in done), at]
            bounds = [(a, b) for a, b in itertools.pairwise(edges) if b - a > allowed]
        complete = (found.complete.start.timestamp(), found.complete.end.timestamp()) if found.complete else None
        certain: list[tuple[float, float]] = []
        doubtful: list[tuple[float, float]] = []
        for a, b in bounds:
            covered = max(0.0, min(b, complete[1]) - max(a, complete[0])) if complete else 0.0
            whole = complete is not None and complete[0] <= a and b <= complete[1]
            (certain if (whole if allowed is None else covered > allowed) else doubtful).append((a, b))
        return done, certain, doubtful

    def tips(self, state: State, at: float) -> Iterator[Tip]:
        """Each stretch without a record where the records are not complete (each road of unknown status): the records
        that would settle it, and the measure if none was done there (closed) and if one was (open)."""
        found, measure = state.records.of(self.records), self.measure(state, at)
        if found is None or measure.phase != "due":
            return
        if self.records in SITE_STATUS:
            seen = _latest(found, at)
            doubts = [(r, self._status_of(state.book, r)) for r in self._named() if r not in seen]
        else:
            doubtful = self._stretches(state.book, found, at)[2]
            doubts = [(f"{self.records} {_span_text(state.book, s)}", f"{RECORD_SETS[self.records].noun} {self._what(state.book)} "
                       f"{_span_text(state.book, s)}") for s in doubtful]
        for item, fact in doubts:
            counts = replace(measure, amount=measure.amount + 1, parties=tuple(sorted(self.parties)))
            yield Tip(item, (fact,), counts, replace(measure, possible=measure.possible - 1))

    def _sites(self, book: Rulebook, found: RecordSet, at: float) -> Measure:
        """Each named site's latest status at or before ``at``: those not kept count, those with no status may."""
        latest, named = _latest(found, at), self._named()
        lapsed = [r for r in named if r in latest and not latest[r].kept]
        unknown = [r for r in named if r not in latest]
        return Measure(
            self, "due", amount=len(lapsed), possible=len(lapsed) + len(unknown),
            evidence=tuple(sorted(latest[r].id for r in (lapsed or [r for r in named if r in latest]))),
            parties=tuple(sorted(self.parties)) if lapsed else (),
            missing=tuple(self._status_of(book, r) for r in unknown),
            detail=tuple(self._catalogue(book)[r].name for r in lapsed),
        )

    def _named(self) -> list[str]:
        """The sites whose status it reads: its roads or its posts."""
        return self.posts if self.records == "posts" else self.roads

    def _catalogue(self, book: Rulebook) -> Mapping[str, Site]:
        """The rulebook's sites of its kind, by id."""
        return book.posts if self.records == "posts" else book.roads

    def _status_of(self, book: Rulebook, site: str) -> str:
        """``the status of the M4 (m4)``: the fact that would settle one site."""
        return f"the status of the {self._catalogue(book)[site].name} ({site})"

    def _counts(self, book: Rulebook, record: Record) -> bool:
        """Whether a record shows the obligation done: by every party bound, along its roads, of its zone."""
        if isinstance(record, Patrol | Inspection):
            took_part = frozenset().union(*(book.members(p) for p in record.parties))
            if not all(book.members(p) <= took_part for p in self.parties):
                return False
        if isinstance(record, Patrol):
            return not self.roads or record.road in self.roads
        if isinstance(record, Inspection):
            return self.zone is None or record.zone == self.zone
        return False

    def track(self, state: State) -> Trace:
        """Its measure from each instant a record, the end of a stretch allowed or a bound of the complete period
        may change it; a fixed measure without records."""
        nothing = Items([], state.book)
        found = state.records.of(self.records)
        if found is None:
            return Trace(nothing, Changes.none(), Changes.none(), Measure(self, "not_assessed", lacking=(self.records,)))
        book = state.book
        since = self.counts_from(book)
        bases = [since, *(r.time for r in found.entries), *([found.complete.start, found.complete.end] if found.complete else [])]
        allowed = self.every.delta if self.schedule == "periodic" and self.every else timedelta(0)
        moments = {t for b in bases for t in (b.timestamp(), _just_after(b), _just_after(b + allowed))}
        times = np.array([-np.inf, *sorted(moments)])
        return Trace(nothing, Changes.none(), Changes.none(), steps=(times, tuple(self.measure(state, float(t)) for t in times)))

    def repair(self, state: State, at: float) -> Remedy:
        """None: what was done (or not) is past; only records can show it."""
        del state, at
        return Remedy(unrepairable=f"no change to units, incidents or areas can make it met: {RECORD_SETS[self.records].noun} show it")

    def probes(self, book: Rulebook, places: Sequence[Place], moment: datetime) -> Iterator[Probe]:
        """Records of the kind that show it done at ``moment`` (a periodic one also every ``every`` before it, back to
        the instant it counts from), and a complete period up to it with none."""
        del places
        record: dict[str, Any] = {"id": "witness", "time": moment.isoformat()}
        if self.records in SITE_STATUS:
            kept = SITE_STATUS[self.records]
            entries = [{**record, "id": f"witness-{r}", kept.site_field: r, "status": kept.statuses[0]} for r in self._named()]
        else:
            times, since = [moment], self.counts_from(book)
            while self.schedule == "periodic" and self.every and times[-1] - self.every.delta > since:
                times.append(times[-1] - self.every.delta)
            entries = [{**record, "id": f"witness-{i}" if i else "witness", "time": t.isoformat(), "parties": sorted(self.parties),
                        **self._filters()} for i, t in enumerate(times)]
        yield {"records": {self.records: {"entries": entries}}}
        start = book.in_force.start.isoformat()
        yield {"records": {self.records: {"complete": {"start": start, "end": (moment + timedelta(days=1)).isoformat()}}}}

    def _filters(self) -> dict[str, str]:
        """The fields a record needs to count: a road, a zone."""
        if self.records == "patrols" and self.roads:
            return {"road": self.roads[0]}
        if self.records == "inspections" and self.zone:
            return {"zone": self.zone}
        return {}

    def _what(self, book: Rulebook) -> str:
        """What a record must show, in words: ``by Turkey (tr), Russia (ru) along the M4``."""
        where = (f" along the {' or the '.join(book.roads[r].name for r in self.roads)}" if self.roads else
                 f" of the {book.zones[self.zone].name}" if self.zone else "")
        return f"by {actors(book, self.parties)}{where}"

    def message(self, book: Rulebook, measure: Measure, status: str) -> str:
        """The finding in plain language."""
        noun = RECORD_SETS[self.records].noun
        if status == "not_assessed":
            return f"Not assessed: the state carries no {noun}, which are what shows this done."
        deadline = when(book.deadline(self))
        if self.records in SITE_STATUS:
            words, named = _SITES[self.records], _listed([self._catalogue(book)[r].name for r in self._named()])
            return {
                "not_due": f"{actors(book, self.parties)} have until {deadline} to {words.task.format(named)}.",
                "met": f"The {named} {'is' if len(self._named()) == 1 else 'are'} {words.kept} (records {', '.join(measure.evidence)}).",
                "violated": f"{words.lapsed} after {deadline}: the {_listed(list(measure.detail))} "
                            f"(records {', '.join(measure.evidence)}).",
                "unknown": f"Not known: {'; '.join(measure.missing)}.",
            }[status]
        what, kind = self._what(book), self.records[:-1]
        rule = f"at least every {_span(self.every)}" if self.schedule == "periodic" and self.every else "at least once"
        return {
            "not_due": f"From {deadline}, {kind}s {what} must run {rule}.",
            "met": f"{kind.capitalize()}s {what} ran {rule}, as agreed (records {', '.join(measure.evidence) or 'none needed yet'}).",
            "violated": f"No {kind} {what} {'; '.join(measure.detail)}, where the {noun} are complete ({rule} is agreed).",
            "unknown": f"Not known whether {kind}s {what} ran {rule}: none is recorded {'; '.join(measure.detail)}, "
                       f"where the {noun} are not declared complete.",
        }[status]

    @classmethod
    def strategy(cls, book: Rulebook, sizes: Sizes) -> Parts:
        """Records of every kind the rulebook's obligations read, or none of a kind (so not assessed)."""
        from ._strategies import records  # noqa: PLC0415 - hypothesis is a test extra

        return {"records": records(book, sizes.get("records", 4))}


def _check_shape(clause: Obligation, check: Check, loc: Loc) -> None:
    """A schedule and filters the clause's kind of record can have, at the field that is wrong."""
    if clause.schedule == "periodic" and clause.every is None:
        check.problem((*loc, "every"), "a periodic obligation needs 'every', the longest stretch allowed without a record",
                      suggestion="add e.g. every: {days: 15}, or write schedule: once")
    if clause.schedule == "once" and clause.every is not None:
        check.problem((*loc, "every"), "'every' is for a periodic obligation", suggestion="write schedule: periodic, or drop 'every'")
    if clause.every is not None and clause.every.delta.total_seconds() == 0:
        check.problem((*loc, "every"), "'every' must be longer than nothing", suggestion="give e.g. every: {days: 15}")
    if clause.records in SITE_STATUS:
        site, kept = SITE_STATUS[clause.records].site_field, SITE_STATUS[clause.records].statuses[0]
        if not clause._named():
            check.problem((*loc, clause.records), f"an obligation on {site} status names the {site}s that must be {kept}",
                          suggestion=f"add {clause.records}: [<{site} id>, ...] from the rulebook's {clause.records}")
        if clause.schedule == "periodic":
            check.problem((*loc, "schedule"), f"{site} status is a state, not an act: it cannot be periodic",
                          suggestion=f"write schedule: once (each {site} must be {kept} from the deadline on)")
    if clause.zone is not None and clause.records != "inspections":
        check.problem((*loc, "zone"), f"{clause.records} records name no zone", suggestion="drop 'zone', or use records: inspections")
    if clause.roads and clause.records in ("inspections", "posts"):
        check.problem((*loc, "roads"), f"{RECORD_SETS[clause.records].noun} name no road",
                      suggestion="drop 'roads', or give 'zone'" if clause.records == "inspections" else "drop 'roads', or give 'posts'")
    if clause.posts and clause.records != "posts":
        check.problem((*loc, "posts"), f"{RECORD_SETS[clause.records].noun} name no post", suggestion="drop 'posts', or use records: posts")


def _latest(found: RecordSet, at: float) -> dict[str, SiteStatus]:
    """Each site's latest status at or before ``at`` (of two at one time, the later id)."""
    latest: dict[str, SiteStatus] = {}
    for record in found.entries:
        if isinstance(record, SiteStatus) and record.time.timestamp() <= at:
            seen = latest.get(record.site)
            if seen is None or (record.time, record.id) > (seen.time, seen.id):
                latest[record.site] = record
    return latest


def _listed(names: list[str]) -> str:
    """``A``, ``A and the B``, ``A, the B and the C``."""
    return " and the ".join([", the ".join(names[:-1]), names[-1]] if len(names) > 2 else names)


def _span_text(book: Rulebook, span: tuple[float, float]) -> str:
    """``from 15 March 2020 00:00 (+03:00) to ...``, in the time zone of the truce's start."""
    zone = book.in_force.start.tzinfo
    return f"from {when(datetime.fromtimestamp(span[0], zone))} to {when(datetime.fromtimestamp(span[1], zone))}"


def _just_after(moment: datetime) -> float:
    """The first instant after ``moment`` a time can name (a microsecond later), where a stretch that ends there
    becomes longer than allowed."""
    return max((moment + _TICK).timestamp(), float(np.nextafter(moment.timestamp(), np.inf)))


def _span(span: Span) -> str:
    """``15 days``, ``1 day and 12 hours``."""
    parts_ = [f"{n} {unit}{'s' * (n != 1)}" for n, unit in ((span.days, "day"), (span.hours, "hour")) if n]
    return " and ".join(parts_)
