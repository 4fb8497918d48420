"""``truce.timeline``: a truce's status over time, from dated incidents and unit observations.

Incremental: each clause unit classifies each item once (``Clause.track``);
it then enters or leaves that clause's running totals at known instants, so
the totals at every change point are cumulative sums. The rules are consulted
once per distinct combination of clause outcomes, never once per event.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler
from pydantic_core import core_schema

from ._assemble import responsible, responsible_one_of
from ._case import Case, prepare
from ._clauses import Changes, Clause, when
from ._columns import Columns
from ._engines import Decider, decider, default_engine
from ._errors import Problem, ScenarioError
from ._items import Items, State
from ._logic import Decision
from ._observe import WINDOWS, Measure, Observation, window_index
from ._provenance import Provenance
from ._rulebook import Rulebook
from ._scenario import FindingStatus, Incident, Origin, Position, Scenario, Status
from ._verdict import responsibility

__all__ = ["FindingChange", "Incidents", "Interval", "Moment", "Timeline", "timeline"]

_PHASES = ("not_applicable", "not_due", "due", "not_assessed")

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


class Incidents(Sequence[Incident]):
    """A timeline's incidents in time order (then by id): the rows given, or a log's columns whose rows are built
    only as they are read, so a timeline of a million events given as columns holds no object per event."""

    def __init__(self, rows: Sequence[Incident] = (), items: Items | None = None) -> None:
        self._rows = sorted(rows, key=lambda i: (i.time, i.id))
        self._items = items
        self._order: npt.NDArray[np.intp] | None = None

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        """Validated and serialised as a list of incidents; a timeline's own ``Incidents`` are taken as they are."""
        rows = handler.generate_schema(list[Incident])
        from_rows = core_schema.no_info_after_validator_function(cls, rows)
        return core_schema.json_or_python_schema(
            json_schema=from_rows, python_schema=core_schema.union_schema([core_schema.is_instance_schema(cls), from_rows]),
            serialization=core_schema.plain_serializer_function_ser_schema(list, return_schema=rows),
        )

    def __len__(self) -> int:
        return len(self._rows) if self._items is None else len(self._items)

    @overload
    def __getitem__(self, index: int) -> Incident: ...

    @overload
    def __getitem__(self, index: slice) -> list[Incident]: ...

    def __getitem__(self, index: int | slice) -> Incident | list[Incident]:
        if self._items is None:
            return self._rows[index]
        if isinstance(index, slice):
            return _incidents(self._items, self._sorted()[index])
        return _incidents(self._items, self._sorted()[[index]])[0]

    def __iter__(self) -> Iterator[Incident]:
        if self._items is None:
            yield from self._rows
            return
        order = self._sorted()
        for first in range(0, len(order), _CHUNK):
            yield from _incidents(self._items, order[first : first + _CHUNK])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{len(self)} incidents>"

    def _sorted(self) -> npt.NDArray[np.intp]:
        """The rows of the columns in time order, then by id."""
        if self._order is None:
            assert self._items is not None
            self._order = np.lexsort((self._items.ids.astype(str), self._items.start))
        return self._order


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class FindingChange(_Model):
    """A clause whose finding changed when an interval began, and the items behind the change."""

    clause: str
    before: FindingStatus | None
    after: FindingStatus
    evidence: list[str]


class Interval(_Model):
    """A stretch of time with one status, one set of responsible parties and one finding per clause."""

    start: datetime
    end: datetime | None
    status: Status
    responsible: list[str]
    responsible_one_of: list[list[str]]
    findings: dict[str, FindingStatus]
    changed: list[FindingChange]


class Moment(_Model):
    """The first instant something became certain: which clauses, whose doing, on what evidence."""

    at: datetime
    clauses: list[str]
    parties: list[str]
    parties_one_of: list[list[str]]
    evidence: list[str]


class Timeline(_Model):
    """The status of a truce over time, with its first breach and the first lapse of its conditions.

    ``incidents`` are the log's incidents in time order, for charts; ``provenance`` says what produced it.
    """

    agreement: str
    title: str
    reading: str
    truce_start: datetime
    intervals: list[Interval]
    first_breach: Moment | None
    first_unmet: Moment | None
    incidents: Incidents
    provenance: Provenance

    def at(self, instant: datetime) -> Interval | None:
        """The interval holding ``instant``, if the timeline covers it."""
        for interval in self.intervals:
            if interval.start <= instant and (interval.end is None or instant < interval.end):
                return interval
        return None

    def _repr_html_(self) -> str:
        """The timeline in a notebook: a row per interval in its status colour, then the first breach and lapse."""
        from ._html import timeline_html  # noqa: PLC0415  (it imports the renderers, which import the verdict)

        return timeline_html(self)

    def explain(self) -> str:
        """A plain account: one line per interval, then the first breach and the first lapse."""
        lines = [f"{self.title} ({self.agreement}), reading {self.reading}"]
        lines += [f"Truce starts {_show(self.truce_start)}", ""]
        for interval in self.intervals:
            until = _show(interval.end) if interval.end else "onwards"
            who = responsibility(interval.responsible, interval.responsible_one_of)
            who = f" [{who}]" if who else ""
            lines.append(f"{_show(interval.start)} .. {until}: {interval.status.replace('_', ' ')}{who}")
            for change in interval.changed:
                was = change.before.replace("_", " ") if change.before else "-"
                items = f" ({', '.join(change.evidence)})" if change.evidence else ""
                lines.append(f"    {change.clause}: {was} -> {change.after.replace('_', ' ')}{items}")
        return "\n".join([*lines, "", *self.summary()])

    def summary(self) -> list[str]:
        """Two lines: the first breach and the first lapse of conditions, with parties and evidence."""
        lines = []
        for label, moment in (("First breach", self.first_breach), ("Conditions first unmet", self.first_unmet)):
            if moment is None:
                lines.append(f"{label}: none in this log.")
            else:
                lines.append(
                    f"{label}: {_show(moment.at)} by {responsibility(moment.parties, moment.parties_one_of) or 'unknown'} "
                    f"({', '.join(moment.clauses)}; evidence {', '.join(moment.evidence)})"
                )
        return lines


def _show(instant: datetime) -> str:
    return when(instant)


_CHUNK = 10_000
"""Incidents built at a time while iterating over a log given as columns."""


def _incidents(items: Items, order: npt.NDArray[np.intp]) -> list[Incident]:
    """Rows ``order`` of incidents that came as columns, as incidents (for charts and the timeline's JSON). The
    columns were validated once, so the rows are built without validating them again."""
    offsets = items.offsets[order]
    zones = {seconds: timezone(timedelta(seconds=seconds)) for seconds in set(offsets.ravel().tolist())}
    rows = []
    columns = zip(items.ids[order].tolist(), items.start[order].tolist(), items.stop[order].tolist(), offsets.tolist(),
                  items.kinds[order].tolist(), items.actors[order].tolist(), items.lat[order].tolist(), items.lon[order].tolist(),
                  items.radius_km[order].tolist(), items.named_zone[order].tolist(), items.origin[order].tolist(),
                  items.fatalities[order].tolist(), items.notes[order].tolist(), strict=True)  # fmt: skip
    for id_, start, stop, (first, last), kind, actor, lat, lon, radius, zone, origin, fatalities, note in columns:
        located = not math.isnan(lon)
        rows.append(Incident.model_construct(
            id=id_, time=datetime.fromtimestamp(start, zones[first]),
            latest=datetime.fromtimestamp(stop, zones[last]) if stop > start else None,
            kind=kind, by=list(actor) if isinstance(actor, tuple) else actor,
            position=Position.model_construct(lat=lat, lon=lon) if located else None, zone=zone or None,
            uncertainty_km=radius if located and radius > 0 else None, origin=_origin(origin),
            fatalities=None if math.isnan(fatalities) else int(fatalities), note=note))  # fmt: skip
    return rows


def _origin(origin: list[float]) -> Origin | None:
    """An incident's origin from its row of ``Items.origin`` (longitude, latitude, uncertainty; NaN: not given)."""
    if math.isnan(origin[0]):
        return None
    return Origin.model_construct(lon=origin[0], lat=origin[1], uncertainty_km=None if math.isnan(origin[2]) else origin[2])


def _moved(track: _Track, point: float, status: FindingStatus) -> npt.NDArray[np.intp]:
    """The items whose joining or leaving at ``point`` made the clause's new finding: for a violation, those
    that surely offend from then on; for an unknown, those that only may; otherwise any that moved."""
    surely, maybe = track.amount.at(point), track.possible.at(point)
    if status == "violated":
        return surely
    if status == "unknown":
        return np.setdiff1d(maybe, surely)
    return np.union1d(surely, maybe)


def timeline(
    source: Mapping[str, Any] | Scenario | Columns | Case | str | Path,
    rules: Rulebook | str | Path | None = None,
    reading: str | None = None,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    engine: str | None = None,
) -> Timeline:
    """The truce's status over time for a log (a scenario whose units carry ``observed``
    times and whose incidents may carry a ``latest`` time), from ``start`` (default:
    the first dated item or the truce's start) until ``end`` (default: open), decided
    by ``engine`` as in ``truce.evaluate``."""
    case = prepare(source, rules, reading)
    for name, value in (("start", start), ("end", end)):
        if value is not None and value.tzinfo is None:
            raise ScenarioError.from_problems(
                f"naive {name} time",
                [Problem(name, "a time zone is required", value=str(value), suggestion="add an offset such as +03:00")],
            )
    if start is not None and end is not None and end <= start:
        raise ScenarioError.from_problems(
            "empty timeline", [Problem("end", "must come after start", value=end.isoformat(), suggestion="swap them")]
        )
    return _Sweep(case, decider(engine), engine or default_engine()).run(start, end)


@dataclass(frozen=True)
class _Entries:
    """When items join (positive weight) or leave (negative) a running total; sorted by time."""

    times: Floats
    weights: Ints
    items: npt.NDArray[np.intp]

    @staticmethod
    def of(changes: Changes) -> _Entries:
        order = np.argsort(changes.times, kind="stable")
        return _Entries(changes.times[order], changes.weights[order], changes.rows[order])

    def totals(self, points: Floats, masks: Iterable[npt.NDArray[np.bool_]]) -> Iterator[Ints]:
        """For each mask of entries, the running total at each point: every entry at or before it counts."""
        at = np.searchsorted(self.times, points, side="right")
        for mask in masks:
            yield np.concatenate(([0], np.cumsum(np.where(mask, self.weights, 0))))[at]

    def at(self, point: float) -> npt.NDArray[np.intp]:
        """The items that join or leave exactly at ``point``."""
        lo, hi = np.searchsorted(self.times, [point, point], side="left"), np.searchsorted(self.times, point, "right")
        return self.items[int(lo[0]) : int(hi)]


@dataclass(frozen=True)
class _Track:
    """One clause's running totals: what surely offends (``amount``) and what may (``possible``).

    A clause no dated item moves (a handover) has a ``fixed`` measure once due; one the clock moves (an
    obligation), ``steps``.
    """

    clause: Clause
    state: State
    items: Items
    due: float
    amount: _Entries
    possible: _Entries
    fixed: Measure | None = None
    follows: Floats | None = None
    steps: tuple[Floats, tuple[Measure, ...]] | None = None

    def measures(self, points: Floats) -> tuple[tuple[Measure, ...], npt.NDArray[np.intp]] | None:
        """For a clause with a fixed measure or steps, or one whose clock starts once another is met (measured at
        every point from its earliest deadline on): its measures and which of them holds at each point; None for
        one that counts items."""
        if self.fixed is not None:
            return (self.fixed,), np.zeros(len(points), dtype=np.intp)
        if self.steps is not None:
            times, measures = self.steps
            return measures, np.maximum(np.searchsorted(times, points, side="right") - 1, 0)
        if self.follows is not None:
            found = tuple(self.measure_at(p) if p >= self.due else Measure(self.clause, "not_due") for p in points.tolist())
            return found, np.arange(len(points))
        return None

    def phases(self, points: Floats) -> tuple[Ints, Ints, Ints]:
        """At each point, the index in ``_PHASES`` of the clause's phase (not due before its deadline; not assessed,
        for a clause whose records the state lacks; not due, for one whose clock has not started), its amount and
        its possible; for ``per: party`` caps, the worst party's. A clause's measures are found once per call."""
        phase = np.full(len(points), _PHASES.index("due"), dtype=np.int64)
        found = self.measures(points)
        if found is not None:
            measures, which = found
            phase = np.array([_PHASES.index(m.phase) for m in measures], dtype=np.int64)[which]
            due = phase == _PHASES.index("due")
            amount = np.where(due, np.array([m.amount for m in measures], dtype=np.int64)[which], 0)
            possible = np.where(due, np.array([m.possible for m in measures], dtype=np.int64)[which], 0)
        else:
            keys = self.clause.totals_by(self.items)
            amount, possible = (
                functools.reduce(np.maximum, entries.totals(points, (rows[entries.items] for _, rows in keys)))
                if keys else np.zeros(len(points), dtype=np.int64) for entries in (self.amount, self.possible)
            )  # fmt: skip
        return np.where(points < self.due, _PHASES.index("not_due"), phase), amount, possible

    def measure_at(self, point: float) -> Measure:
        """The clause's measure at ``point`` (once due), with its evidence."""
        return self.clause.measure(self.state, point)


class _Sweep:
    """Sweeps the change points of one scenario under one reading."""

    def __init__(self, case: Case, decide: Decider, engine: str) -> None:
        scenario, book, reading = case.scenario, case.book, case.reading
        self.provenance = Provenance.of(book, reading, engine, case.input_sha256)
        self.scenario, self.book, self.reading, self.decide = scenario, book, reading, decide
        self.zone: tzinfo | None = book.in_force.start.tzinfo
        units, incidents = case.state.units, case.state.incidents
        self.incidents = incidents
        state = replace(case.state, remember=True)
        starts = np.concatenate([units.start, incidents.start, [np.inf]])
        self.first_dated = float(starts[np.isfinite(starts)].min(initial=np.inf))
        self.tracks: dict[str, _Track | None] = {}
        for original, clause in case.clauses:
            self.tracks[original.id] = None if clause is None else self._track(clause, state)

    def _track(self, clause: Clause, state: State) -> _Track:
        trace = clause.track(state)
        due = self.book.deadline(clause).timestamp()
        return _Track(clause, state, trace.items, due, _Entries.of(trace.amount), _Entries.of(trace.possible), trace.fixed,
                      trace.follows, trace.steps)

    def _points(self, start: datetime | None, end: datetime | None) -> Floats:
        """Every instant something may change, from ``start`` (default: the first dated item or the truce's start)."""
        moments = [self.book.in_force.start.timestamp()]
        if self.book.in_force.end is not None:
            moments.append(self.book.in_force.end.timestamp())
        dated = []
        for track in self.tracks.values():
            if track is not None:
                moments.append(track.due)
                dated += [track.amount.times, track.possible.times, *([track.follows] if track.follows is not None else []),
                          *([track.steps[0]] if track.steps else [])]
        times = np.concatenate(dated) if dated else np.zeros(0)
        times = times[np.isfinite(times)]
        first = start.timestamp() if start is not None else min(moments[0], self.first_dated)
        points = np.unique(np.concatenate([np.array(moments), times]))
        points = points[points >= first]
        if end is not None:
            points = points[points < end.timestamp()]
        return np.union1d([first], points)

    def run(self, start: datetime | None, end: datetime | None) -> Timeline:
        points = self._points(start, end)
        columns = [window_index(self.book, points)]
        for track in self.tracks.values():
            if track is None:
                columns += [np.zeros(len(points), dtype=np.int64)] * 4
                continue
            limit = track.clause.limit
            phase, amount, possible = track.phases(points)
            columns.append(phase)
            columns.append(np.minimum(amount, limit + 1))
            columns.append(np.minimum(possible, limit + 1))
            columns.append(self._responsible_codes(track, points))
        changed = np.zeros(len(points), dtype=bool)
        changed[0] = True
        for column in columns:
            changed[1:] |= column[1:] != column[:-1]
        rows = np.flatnonzero(changed)
        table = np.stack([column[rows] for column in columns], axis=1)
        decisions: dict[tuple[int, ...], Decision] = {}
        intervals: list[Interval] = []
        first_breach: Moment | None = None
        first_unmet: Moment | None = None
        for point, values in zip(points[rows].tolist(), map(tuple, table.tolist()), strict=True):
            key = tuple(v for i, v in enumerate(values) if i == 0 or i % 4 != 0)
            decision = decisions.get(key)
            if decision is None:
                decision = decisions[key] = self.decide(self.book, self.reading, self._observation(values))
            findings: dict[str, FindingStatus] = {"in-force": decision.in_force}
            findings.update(decision.findings)
            if decision.in_force == "met":
                if first_breach is None:
                    first_breach = self._moment(point, decision, "term")
                if first_unmet is None:
                    first_unmet = self._moment(point, decision, "condition")
            previous = intervals[-1] if intervals else None
            responsible, one_of = self._responsible(point, decision)
            if previous and (previous.status, previous.responsible, previous.responsible_one_of, previous.findings) == (
                decision.status, responsible, one_of, findings
            ):
                continue
            when = self._time(point)
            if previous:
                intervals[-1] = previous.model_copy(update={"end": when})
            intervals.append(
                Interval(
                    start=when,
                    end=end,
                    status=decision.status,
                    responsible=responsible,
                    responsible_one_of=one_of,
                    findings=findings,
                    changed=self._changes(point, previous.findings if previous else {}, findings),
                )
            )
        return Timeline(
            agreement=self.book.id,
            title=self.book.title,
            reading=self.reading,
            truce_start=self.book.in_force.start,
            intervals=intervals,
            first_breach=first_breach,
            first_unmet=first_unmet,
            incidents=Incidents(self.scenario.incidents) if self.scenario.incidents else Incidents(items=self.incidents),
            provenance=self.provenance,
        )

    def _responsible_codes(self, track: _Track, points: Floats) -> Ints:
        """Per point, a count that steps exactly where the actors (parties, groups, candidate groups) that surely
        offend the clause change (over the cap, for a per-party cap); a fixed measure's never change."""
        changed = np.zeros(len(points), dtype=bool)
        found = track.measures(points) if track.steps is not None else None
        if found is not None:
            measures, which = found
            parties = [m.parties for m in measures]
            code = np.array([parties.index(p) for p in parties], dtype=np.intp)[which]
            changed[1:] = code[1:] != code[:-1]
        elif track.fixed is None:
            floor = track.clause.party_floor
            for total in track.amount.totals(points, (rows[track.amount.items] for _, rows in track.items.groups("actors"))):
                present = total > floor
                changed[1:] |= present[1:] != present[:-1]
        return np.cumsum(changed, dtype=np.int64)

    def _responsible(self, point: float, decision: Decision) -> tuple[list[str], list[list[str]]]:
        """Who is behind the status at ``point``, as ``evaluate`` says it: from the measures the verdict rests on,
        the parties certainly behind it and the candidate groups of which one is."""
        if decision.status not in ("breached", "conditions_unmet"):
            return [], []
        tracks = [self.tracks[clause_id] for clause_id in decision.because]
        measures = [track.measure_at(point) for track in tracks if track is not None]
        return responsible(measures, decision), responsible_one_of(measures, decision)

    def _observation(self, values: tuple[int, ...]) -> Observation:
        measures = []
        for i, (clause_id, track) in enumerate(self.tracks.items()):
            phase, amount, possible = values[1 + 4 * i : 4 + 4 * i]
            clause = track.clause if track else next(c for c in self.book.clauses if c.id == clause_id)
            measures.append(Measure(clause, _PHASES[phase], amount=amount, possible=possible))  # type: ignore[arg-type]
        return Observation(WINDOWS[values[0]], tuple(measures))

    def _moment(self, point: float, decision: Decision, role: str) -> Moment | None:
        """The clauses of ``role`` violated at ``point``, with their parties and evidence, or None."""
        clauses: list[str] = []
        parties: set[str] = set()
        one_of: set[tuple[str, ...]] = set()
        evidence: set[str] = set()
        for clause_id, outcome in decision.findings.items():
            track = self.tracks[clause_id]
            if outcome != "violated" or track is None or track.clause.role != role:
                continue
            found = track.measure_at(point)
            clauses.append(clause_id)
            parties.update(found.parties)
            one_of.update(found.parties_one_of)
            evidence.update(found.evidence)
        if not clauses:
            return None
        return Moment(at=self._time(point), clauses=clauses, parties=sorted(parties), parties_one_of=[list(g) for g in sorted(one_of)],
                      evidence=sorted(evidence))

    def _changes(
        self, point: float, before: dict[str, FindingStatus], after: dict[str, FindingStatus]
    ) -> list[FindingChange]:
        changes = []
        for clause_id, status in after.items():
            if before.get(clause_id) == status:
                continue
            track = self.tracks.get(clause_id)
            evidence: list[str] = []
            if track is not None:
                index = _moved(track, point, status)
                if len(index) == 0 and status in ("violated", "unknown"):
                    # the clock changed it (a deadline, the start): show what counts at that moment
                    found = track.measure_at(point)
                    evidence = list(found.evidence if status == "violated" else found.unknown_evidence)
                else:
                    evidence = sorted(str(i) for i in track.items.ids[index].tolist())
            was = before.get(clause_id)
            changes.append(FindingChange(clause=clause_id, before=was, after=status, evidence=evidence))
        return changes

    def _time(self, point: float) -> datetime:
        return datetime.fromtimestamp(point, self.zone)
