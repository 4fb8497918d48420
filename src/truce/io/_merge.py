"""Several event logs read together, with one event reported by two of them merged once.

ACLED and UCDP GED (or two exports of one dataset) often code the same event. Read as one
log, it would count twice toward thresholds and totals. ``read_logs`` reads each log with
its mapping and, unless told not to, merges each incident of a later log into at most one
incident of the earlier ones when all of these hold:

- the same row id of the same dataset (the same record in two exports), or else
- their time windows overlap (``time`` .. ``latest``; an exact time is an instant),
- their places lie within the sum of their uncertainty radii plus ``slack_km``, and
- their dyads agree: each side of one pairs with a side of the other that is the same id,
  a group and one of its members, or ``unattributed`` beside a party (never ``ignore``).

The incident kept is the one placed more precisely (then the shorter window, then the
earlier log); its window narrows to the overlap of the two, its perpetrator to the
narrower of the two where one includes the other (unknown where they disagree). Every
merge is reported with both rows and whatever they disagree on; nothing is dropped unseen.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .._errors import Problem
from .._geo import great_circle_km
from .._rulebook import Rulebook
from .._scenario import EventSource, Incident, Scenario, Unit
from ._core import MAX_BYTES, EventImport, EventLogError, log_scenario

__all__ = ["SLACK_KM", "EventLogs", "Merge", "read_logs"]

SLACK_KM = 2.0
"""Default distance, in km, allowed between two records of one event beyond their stated precisions
(two datasets rarely geocode a town to the same point)."""
_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True)
class Merge:
    """Two rows taken as one event: the incident kept, the row merged into it, and why."""

    kept: str
    """The id of the incident kept."""
    kept_file: str
    merged: EventSource
    """The source of the row merged into it."""
    merged_file: str
    reason: str
    differences: tuple[str, ...] = ()
    """What the two rows disagree on, and what was kept."""

    def as_dict(self) -> dict[str, object]:
        """The merge as JSON-ready data."""
        return {"kept": self.kept, "kept_file": self.kept_file, "merged": self.merged.row, "merged_dataset": self.merged.dataset,
                "merged_file": self.merged_file, "merged_line": self.merged.line, "reason": self.reason,
                "differences": list(self.differences)}  # fmt: skip

    def __str__(self) -> str:
        where = f"{self.merged_file}:{self.merged.line}" if self.merged.line else self.merged_file
        also = f" ({'; '.join(self.differences)})" if self.differences else ""
        return f"{self.merged.dataset} {self.merged.row} ({where}) merged into {self.kept} ({self.kept_file}): {self.reason}{also}"


@dataclass(frozen=True)
class EventLogs:
    """What several logs gave together: each log's import, the incidents once each, and every merge."""

    logs: tuple[EventImport, ...]
    book: Rulebook
    incidents: tuple[Incident, ...]
    units: tuple[Unit, ...]
    merges: tuple[Merge, ...] = ()
    renamed: tuple[str, ...] = field(default=())
    """Incidents given a new id because an earlier log used theirs, as ``old -> new (why)``."""

    @property
    def read(self) -> int:
        """Records read in all the logs."""
        return sum(log.read for log in self.logs)

    @property
    def accepted(self) -> int:
        """Records accepted in all the logs (before merging)."""
        return sum(log.accepted for log in self.logs)

    def scenario(self, as_of: datetime | None = None) -> Scenario:
        """The logs as one scenario, at ``as_of`` (default: when the last incident surely happened)."""
        names = ", ".join(Path(log.file).name for log in self.logs)
        sources = " and ".join(dict.fromkeys(log.source for log in self.logs))
        return log_scenario(self.book, f"{sources} events from {names}", self.incidents, self.units, as_of)

    def summary(self) -> dict[str, object]:
        """The counts of all the logs and of each, and every merge, as JSON-ready data."""
        return {"rows_read": self.read, "accepted": self.accepted, "rejected": sum(len(log.rejected) for log in self.logs),
                "merged": len(self.merges), "incidents": len(self.incidents), "files": [log.summary() for log in self.logs],
                "merges": [m.as_dict() for m in self.merges], "renamed": list(self.renamed)}  # fmt: skip

    def report(self) -> str:
        """Each log's report, then the merges: accepted rows = incidents + merges."""
        rejected = sum(len(log.rejected) for log in self.logs)
        head = (f"{len(self.logs)} logs: {self.read} rows read, {self.accepted} accepted, {rejected} not accepted; "
                f"{len(self.merges)} merged as the same event, giving {len(self.incidents)} incidents")  # fmt: skip
        lines = [*(log.report() for log in self.logs), head, *(f"  {m}" for m in self.merges)]
        return "\n".join(lines + [f"  renamed {r}" for r in self.renamed])


def read_logs(
    logs: Sequence[tuple[str | Path, str | Path]],
    rules: Rulebook | str | Path | None = None,
    *,
    formats: Sequence[str | None] | None = None,
    dedupe: bool = True,
    slack_km: float = SLACK_KM,
    max_bytes: int = MAX_BYTES,
) -> EventLogs:
    """Read ``(log, mapping)`` pairs onto one rulebook (``rules``, else the mappings' one agreement) and, with
    ``dedupe``, merge the rows two logs report of one event (see the module's rules)."""
    from . import read_events  # noqa: PLC0415  (the package imports this module)

    if not logs:
        raise EventLogError.from_problems("no event logs to read", [Problem("", "give at least one log and its mapping")])
    if isinstance(slack_km, bool) or not isinstance(slack_km, int | float) or not (math.isfinite(slack_km) and 0 <= slack_km <= 1000):
        raise EventLogError.from_problems("bad slack_km", [Problem(
            "slack_km", "must be a number of km from 0 to 1000", value=repr(slack_km), suggestion=f"the default is {SLACK_KM}")])
    kinds = list(formats) if formats is not None else [None] * len(logs)
    if len(kinds) != len(logs):
        raise EventLogError.from_problems("formats do not match the logs", [Problem(
            "formats", f"{len(kinds)} formats for {len(logs)} logs", suggestion="give one format per log, or none to read each header")])
    read = [read_events(log, mapping, rules, format=kind, max_bytes=max_bytes) for (log, mapping), kind in zip(logs, kinds, strict=True)]
    if len({data.book.id for data in read}) > 1:
        raise EventLogError.from_problems("the logs' mappings name different agreements", [
            Problem("agreement", f"{data.file}'s mapping gives {data.book.id!r}", file=str(mapping),
                    suggestion="map every log onto one rulebook, or name it with rules= (--agreement)")
            for data, (_, mapping) in zip(read, logs, strict=True)])  # fmt: skip
    incidents = [(index, incident) for index, data in enumerate(read) for incident in data.incidents]
    units = {(u.id, u.observed): u for data in read for u in data.units}
    merges: list[Merge] = []
    if dedupe:
        incidents = _Merger(read[0].book, [data.file for data in read], slack_km, merges).run(incidents)
    flat, renamed = _distinct_ids(incidents, read)
    return EventLogs(tuple(read), read[0].book, tuple(flat), tuple(units.values()), tuple(merges), tuple(renamed))


def _distinct_ids(incidents: Sequence[tuple[int, Incident]], read: Sequence[EventImport]) -> tuple[list[Incident], list[str]]:
    """The incidents with distinct ids: one a former log already used gets its dataset's name before it (or, in
    the same dataset, its log's number after it)."""
    taken: dict[str, int] = {}
    out: list[Incident] = []
    renamed: list[str] = []
    given = {incident.id for _, incident in incidents}  # a new id must be none of these, even one a later row has
    for log, incident in incidents:
        first = taken.setdefault(incident.id, log)
        if first == log:
            out.append(incident)
            continue
        data = read[log]
        new = f"{data.source.lower().replace(' ', '-')}:{incident.id}" if data.source != read[first].source else f"{incident.id}:{log + 1}"
        while new in taken or new in given:
            new += "'"
        taken[new] = log
        renamed.append(f"{incident.id} -> {new} ({data.file}; {read[first].file} has an incident {incident.id})")
        out.append(incident.model_copy(update={"id": new}))
    return out, renamed


class _Merger:
    """Merges each incident of a later log into the best-matching group of the earlier logs' incidents."""

    def __init__(self, book: Rulebook, files: Sequence[str], slack_km: float, merges: list[Merge]) -> None:
        self.book, self.files, self.slack_km, self.merges = book, files, slack_km, merges
        self.groups: list[tuple[int, Incident]] = []

    def run(self, incidents: Iterable[tuple[int, Incident]]) -> list[tuple[int, Incident]]:
        """The incidents with each later one merged into its match, if it has one."""
        by_log: dict[int, list[Incident]] = {}
        for log, incident in incidents:
            by_log.setdefault(log, []).append(incident)
        by_row: dict[tuple[str, str], int] = {}
        for log, mine in by_log.items():
            matches = self._matches(mine, by_row) if self.groups else {}
            for j, incident in enumerate(mine):
                if j in matches:
                    g, reason = matches[j]
                    first_log, kept = self.groups[g]
                    self.groups[g] = (first_log, self._merge(kept, first_log, incident, log, reason))
                    continue
                self.groups.append((log, incident))
                if incident.source is not None:
                    by_row.setdefault((incident.source.dataset, incident.source.row), len(self.groups) - 1)
        return self.groups

    def _matches(self, mine: Sequence[Incident], by_row: Mapping[tuple[str, str], int]) -> dict[int, tuple[int, str]]:
        """Which earlier group each of a log's incidents joins: the same row id first, then the closest pairs
        (in km, then in start time) that fit, each group and each incident used once."""
        found: dict[int, tuple[int, str]] = {}
        for j, incident in enumerate(mine):
            g = by_row.get((incident.source.dataset, incident.source.row)) if incident.source is not None else None
            if g is not None:
                found[j] = (g, "the same row id")
        taken = {g for g, _ in found.values()}
        index = _Index([incident for _, incident in self.groups])
        pairs = sorted(pair for j, incident in enumerate(mine) if j not in found for pair in self._near(j, incident, index))
        for km, _, g, j in pairs:
            if j not in found and g not in taken:
                found[j] = (g, f"windows overlap, {km:.1f} km apart, same dyad")
                taken.add(g)
        return found

    def _near(self, j: int, incident: Incident, index: _Index) -> list[tuple[float, float, int, int]]:
        """The earlier groups ``incident`` may report again, as (km, seconds between starts, group, j)."""
        if incident.position is None:
            return []
        start, end = _seconds(incident)
        near, km = index.near(start, end, incident.position.lat, incident.position.lon)
        fits = km <= index.reach[near] + (incident.uncertainty_km or 0.0) + self.slack_km
        return [(d, abs(float(index.start[g]) - start), g, j) for g, d in zip(near[fits].tolist(), km[fits].tolist(), strict=True)
                if self._same_dyad(self.groups[g][1], incident)]  # fmt: skip

    def _same_dyad(self, a: Incident, b: Incident) -> bool:
        x = a.source.sides if a.source is not None else None
        y = b.source.sides if b.source is not None else None
        if not x or not y:
            return False
        return (self._side(x[0], y[0]) and self._side(x[1], y[1])) or (self._side(x[0], y[1]) and self._side(x[1], y[0]))

    def _side(self, a: str, b: str) -> bool:
        """Whether two sides may be the same actor: one id, a group and its member, or an unattributed party."""
        if a == b:
            return True
        if "ignore" in (a, b):
            return False
        if "unattributed" in (a, b):
            return True
        return self.book.members(a) <= self.book.members(b) or self.book.members(b) <= self.book.members(a)

    def _merge(self, kept: Incident, kept_log: int, other: Incident, other_log: int, reason: str) -> Incident:
        """One incident for two rows: the more precisely placed kept, its window and perpetrator narrowed."""
        (first, first_log), (second, second_log) = sorted(((kept, kept_log), (other, other_log)), key=lambda p: _precision(*p))
        differences: list[str] = []
        time, latest = max(first.time, second.time), min(_end(first), _end(second))
        if latest <= time:  # one row id, two windows that never meet: a revised record
            differences.append(f"windows do not overlap: kept {first.id}'s")
            time, latest = first.time, _end(first)
        if first.kind != second.kind:
            differences.append(f"kind {first.kind} vs {second.kind}: kept {first.kind}")
        if first.fatalities != second.fatalities:
            differences.append(f"fatalities {first.fatalities} vs {second.fatalities}: kept {first.fatalities} (never summed)")
        by = self._perpetrator(first.by, second.by, differences)
        rows = [source for i in (first, second) if i.source is not None for source in (i.source, *i.source.merged)]
        bare = [source.model_copy(update={"merged": []}) for source in rows]
        source = bare[0].model_copy(update={"merged": bare[1:]}) if first.source is not None else None
        gone = second.source.model_copy(update={"merged": []}) if second.source is not None else EventSource(dataset="none", row=second.id)
        self.merges.append(Merge(first.id, self.files[first_log], gone, self.files[second_log], reason, tuple(differences)))
        return first.model_copy(update={
            "time": time.astimezone(first.time.tzinfo), "by": by, "source": source,
            "latest": None if latest - time <= _INSTANT else latest.astimezone(first.time.tzinfo)})  # fmt: skip

    def _perpetrator(self, a: str | list[str] | None, b: str | list[str] | None, differences: list[str]) -> str | list[str] | None:
        """The narrower of two perpetrators where one includes the other (None: anyone); not known where they differ."""
        if a is None or b is None:
            return a if b is None else b
        if self._parties(a) <= self._parties(b):
            return a
        if self._parties(b) <= self._parties(a):
            return b
        differences.append(f"perpetrator {_who(a)} vs {_who(b)}: kept as not known")
        return None

    def _parties(self, by: str | list[str]) -> frozenset[str]:
        return frozenset().union(*(self.book.members(x) for x in ([by] if isinstance(by, str) else by)))


class _Index:
    """The earlier logs' incidents as arrays of time windows and places, for finding the ones near an incident.

    Windows are kept in classes of similar length (powers of two of an hour), each sorted by start, so a
    month-long row does not widen the search for the day-long ones.
    """

    def __init__(self, incidents: Sequence[Incident]) -> None:
        rows = [(*_seconds(i), i.position.lat if i.position else np.nan, i.position.lon if i.position else np.nan,
                 i.uncertainty_km or 0.0) for i in incidents]  # fmt: skip
        table = np.array(rows, dtype=np.float64).reshape(-1, 5)
        self.start, self.end, self.lat, self.lon, self.reach = (table[:, k].copy() for k in range(5))
        length = np.ceil(np.log2(1 + (self.end - self.start) / 3600)).astype(np.int64)
        self.classes = []
        for value in np.unique(length):
            members = np.flatnonzero(length == value)
            members = members[np.argsort(self.start[members], kind="stable")]
            longest = float(np.max(self.end[members] - self.start[members]))
            self.classes.append((members, self.start[members], longest))

    def near(self, start: float, end: float, lat: float, lon: float) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The incidents whose windows overlap ``start`` .. ``end``, and their distances in km from the point."""
        found = []
        for members, starts, longest in self.classes:
            lo, hi = np.searchsorted(starts, [start - longest, end], side="left")
            found.append(members[lo:hi])
        near = np.concatenate(found) if found else np.empty(0, dtype=np.int64)
        near = near[(self.start[near] < end) & (self.end[near] > start)]
        return near, great_circle_km(self.lat[near], self.lon[near], lat, lon)


def _who(by: str | list[str]) -> str:
    return by if isinstance(by, str) else f"one of {', '.join(by)}"


def _end(incident: Incident) -> datetime:
    """Where an incident's time window ends; an exact time is an instant."""
    return incident.latest if incident.latest is not None else incident.time + _INSTANT


def _seconds(incident: Incident) -> tuple[float, float]:
    """An incident's time window in epoch seconds."""
    return incident.time.timestamp(), _end(incident).timestamp()


def _precision(incident: Incident, log: int) -> tuple[float, float, int]:
    """How precisely an incident is known: place, then window, then the earlier log first."""
    start, end = _seconds(incident)
    return incident.uncertainty_km or 0.0, end - start, log


