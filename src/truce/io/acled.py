"""Read ACLED CSV exports into incidents (and, optionally, unit sightings) for a rulebook.

A mapping file (YAML, data only) says which ACLED actor is which party of the
rulebook and which event and sub-event types are which incident kinds. Every
row is either accepted or reported with its line and reason; ``read ==
accepted + len(rejected)`` always holds, rows the mapping sets aside included.

Uncertainty is carried, not dropped:

- ``time_precision`` 1 = the day given, 2 = the week around it (three days
  either side), 3 = the calendar month: the incident's ``time``/``latest``
  span that period (local days, at the mapping's ``utc_offset``).
- ``geo_precision`` 1 = the place named (exact), 2 = near it, 3 = only the
  region is known. Positions get an ``uncertainty_km`` of 0, 10 and 50 km: 10 km
  is the reach of a town's surroundings or a sub-district, 50 km that of an
  Idlib-sized governorate. A point closer than that to a zone's edge leaves
  zone membership unknown.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .._errors import Problem, TruceError, did_you_mean
from .._load import load_rulebook
from .._rulebook import Id, Rulebook
from .._scenario import Incident, Position, Scenario, Unit
from .._source import Document, read_document, validate

__all__ = [
    "COLUMNS",
    "SAMPLE_CSV",
    "SAMPLE_MAPPING",
    "AcledError",
    "AcledImport",
    "AcledMapping",
    "RowProblem",
    "load_mapping",
    "read_acled",
]

COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
_REQUIRED = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
             "location", "latitude", "longitude", "geo_precision", "fatalities")  # fmt: skip
_UNCERTAINTY_KM = {1: None, 2: 10.0, 3: 50.0}
_SAMPLES = Path(__file__).resolve().parent / "samples"
SAMPLE_CSV = _SAMPLES / "idlib-2019-acled-sample.csv"
SAMPLE_MAPPING = _SAMPLES / "idlib-2019-acled-mapping.yaml"

ActorTarget = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class AcledError(TruceError):
    """An ACLED file or its mapping cannot be used at all (not a single bad row: those are reported)."""


class Presence(BaseModel):
    """Which events place each named party's forces at the event's location, and as what kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_types: list[Name] = Field(min_length=1)
    kind: Id


class AcledMapping(BaseModel):
    """ACLED actors -> party ids (or ``unattributed`` / ``ignore``); event types -> incident kinds (or ``ignore``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agreement: Id
    utc_offset: Annotated[str, StringConstraints(pattern=r"^[+-]\d\d:\d\d$")] = "+00:00"
    actors: dict[Name, ActorTarget] = {}
    actor_prefixes: dict[Name, ActorTarget] = {}
    unknown_actor: Literal["reject", "unattributed"] = "reject"
    events: dict[Name, ActorTarget | dict[Name, ActorTarget]] = Field(min_length=1)
    presence: Presence | None = None

    @property
    def zone(self) -> timezone:
        sign = -1 if self.utc_offset.startswith("-") else 1
        hours, minutes = self.utc_offset[1:].split(":")
        return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))

    def actor(self, name: str) -> str | None:
        """The target an ACLED actor maps to, or None if the mapping does not know it."""
        if name in self.actors:
            return self.actors[name]
        best = max((p for p in self.actor_prefixes if name.startswith(p)), key=len, default=None)
        return self.actor_prefixes[best] if best is not None else None

    def kind(self, event_type: str, sub_event_type: str) -> str | None:
        """The incident kind (or ``ignore``) an event maps to, or None if unmapped."""
        target = self.events.get(event_type)
        if isinstance(target, dict):
            return target.get(sub_event_type)
        return target


@dataclass(frozen=True)
class RowProblem:
    """A row not turned into an incident: its line, its event id, and why."""

    line: int
    event_id: str | None
    reason: str
    ignored: bool = False

    def __str__(self) -> str:
        what = "set aside" if self.ignored else "rejected"
        return f"line {self.line} ({self.event_id or 'no event id'}): {what}: {self.reason}"


@dataclass(frozen=True)
class AcledImport:
    """What a file gave: incidents, unit sightings, and every row not accepted, with the counts."""

    file: str
    book: Rulebook
    read: int
    incidents: tuple[Incident, ...]
    units: tuple[Unit, ...]
    rejected: tuple[RowProblem, ...] = field(default=())

    @property
    def accepted(self) -> int:
        """Rows turned into incidents (one each)."""
        return len(self.incidents)

    def scenario(self, as_of: datetime | None = None) -> Scenario:
        """The log as a scenario, at ``as_of`` (default: when the last incident surely happened)."""
        last = max(((i.latest or i.time) for i in self.incidents), default=self.book.in_force.start)
        return Scenario(
            agreement=self.book.id,
            title=f"ACLED events from {Path(self.file).name}",
            as_of=as_of or last,
            units=list(self.units),
            incidents=list(self.incidents),
        )

    def report(self) -> str:
        """The counts, then one line per row not accepted."""
        head = f"{self.file}: {self.read} rows read, {self.accepted} accepted, {len(self.rejected)} not accepted"
        return "\n".join([head, *(f"  {p}" for p in self.rejected)])


def load_mapping(path: str | Path, book: Rulebook | None = None) -> tuple[AcledMapping, Rulebook]:
    """A validated mapping and its rulebook; every id it maps to must be one the rulebook declares."""
    doc = read_document(Path(path), AcledError)
    mapping: AcledMapping = validate(AcledMapping.model_validate, doc, AcledError, f"invalid ACLED mapping {path}")
    book = book or load_rulebook(mapping.agreement)
    problems = _check_mapping(mapping, book, doc)
    if problems:
        raise AcledError.from_problems(f"ACLED mapping {path} does not fit rulebook {book.id}", problems)
    return mapping, book


def _check_mapping(mapping: AcledMapping, book: Rulebook, doc: Document) -> list[Problem]:
    problems = []
    parties = {*book.parties, *book.groups, "unattributed", "ignore"}
    for section, table in (("actors", mapping.actors), ("actor_prefixes", mapping.actor_prefixes)):
        for name, target in table.items():
            if target not in parties:
                hint = did_you_mean(target, parties)
                message = f"unknown party {target!r}"
                problems.append(doc.problem((section, name), message, value=target, suggestion=hint))
    kinds = {*book.incident_kinds, "ignore"}
    for event_type, kinds_of in mapping.events.items():
        pairs = kinds_of.items() if isinstance(kinds_of, dict) else [(None, kinds_of)]
        for sub, kind in pairs:
            if kind not in kinds:
                loc = ("events", event_type) if sub is None else ("events", event_type, sub)
                problems.append(doc.problem(loc, f"unknown incident kind {kind!r}", value=kind,
                                            suggestion=did_you_mean(kind, kinds)))
    presence = mapping.presence
    if presence is not None and presence.kind not in book.kinds:
        problems.append(doc.problem(("presence", "kind"), f"unknown kind {presence.kind!r}",
                                    value=presence.kind, suggestion=did_you_mean(presence.kind, book.kinds)))
    return problems


def read_acled(
    source: str | Path, mapping: str | Path | AcledMapping, rules: Rulebook | str | Path | None = None
) -> AcledImport:
    """Read an ACLED CSV export with a mapping; bad rows are reported, never dropped silently."""
    book = rules if isinstance(rules, Rulebook) else (load_rulebook(rules) if rules is not None else None)
    if not isinstance(mapping, AcledMapping):
        mapping, book = load_mapping(mapping, book)
    book = book or load_rulebook(mapping.agreement)
    name = str(source)
    try:
        text = Path(source).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problem = Problem("", f"cannot read file: {exc}", file=name)
        raise AcledError.from_problems(f"cannot read {name}", [problem]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise AcledError.from_problems(f"{name} is empty", [Problem("", "no header row", file=name, line=1)])
    absent = [c for c in _REQUIRED if c not in header]
    if absent:
        raise AcledError.from_problems(
            f"{name} is not an ACLED export",
            [Problem("", f"missing column {c!r}", file=name, line=1, suggestion="export every ACLED column")
             for c in absent],
        )
    rows = _Rows(mapping, book)
    read = 0
    for line, values in _records(reader):
        read += 1
        rows.take(line, header, values)
    return AcledImport(name, book, read, tuple(rows.incidents), tuple(rows.units.values()), tuple(rows.rejected))


def _records(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank record with the line it starts on."""
    line = 2
    for values in reader:
        here = line
        line = reader.line_num + 1  # type: ignore[attr-defined]
        if values and any(v.strip() for v in values):
            yield here, values


class _Reject(Exception):
    def __init__(self, reason: str, ignored: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.ignored = reason, ignored


class _Rows:
    """Turns rows into incidents and sightings, collecting what it cannot accept."""

    def __init__(self, mapping: AcledMapping, book: Rulebook) -> None:
        self.mapping, self.book = mapping, book
        self.incidents: list[Incident] = []
        self.units: dict[tuple[str, datetime], Unit] = {}
        self.rejected: list[RowProblem] = []
        self.seen: set[str] = set()

    def take(self, line: int, header: list[str], values: list[str]) -> None:
        row = dict(zip(header, values, strict=False))
        event_id = row.get("event_id_cnty", "").strip() or None
        try:
            if len(values) != len(header):
                raise _Reject(f"has {len(values)} fields, the header has {len(header)} (a truncated or broken line?)")
            self._accept(event_id, row)
        except _Reject as reason:
            self.rejected.append(RowProblem(line, event_id, reason.reason, reason.ignored))

    def _accept(self, event_id: str | None, row: Mapping[str, str]) -> None:
        if event_id is None:
            raise _Reject("event_id_cnty is empty")
        if event_id in self.seen:
            raise _Reject(f"event_id_cnty {event_id!r} appears twice; the first was kept")
        kind = self.mapping.kind(row["event_type"], row["sub_event_type"])
        if kind is None:
            pair = f"{row['event_type']!r} / {row['sub_event_type']!r}"
            raise _Reject(f"event type {pair} is not in the mapping's 'events'")
        if kind == "ignore":
            raise _Reject(f"the mapping ignores {row['event_type']} / {row['sub_event_type']}", ignored=True)
        actors = [self._actor(row[c].strip(), c) for c in ("actor1", "actor2")]
        if actors[0] == "ignore":
            raise _Reject(f"the mapping ignores actor1 {row['actor1']!r} (not a party to the agreement)", ignored=True)
        start, latest = _period(row["event_date"], row["time_precision"], self.mapping.zone)
        position = _position(row["latitude"], row["longitude"])
        radius = _UNCERTAINTY_KM[_precision(row["geo_precision"], "geo_precision")]
        fatalities = _count(row["fatalities"])
        self.seen.add(event_id)
        by = actors[0] if actors[0] != "unattributed" else None
        note = f"{row['location']}: {row.get('notes', '')}".strip()[:1000]
        incident = Incident(id=event_id, time=start, latest=latest, kind=kind, by=by, position=position,
                            uncertainty_km=radius, fatalities=fatalities, note=note)
        self.incidents.append(incident)
        presence = self.mapping.presence
        if presence is not None and row["event_type"] in presence.event_types:
            for party in {a for a in actors if a and a not in ("ignore", "unattributed")}:
                unit_id = f"{party}@{row['location'].strip() or event_id}"
                sighting = Unit(id=unit_id, party=party, kind=presence.kind, position=position,
                                uncertainty_km=radius, observed=latest)
                self.units.setdefault((unit_id, latest), sighting)

    def _actor(self, name: str, column: str) -> str | None:
        if not name:
            if column == "actor1":
                raise _Reject("actor1 is empty")
            return None
        target = self.mapping.actor(name)
        if target is not None:
            return target
        if self.mapping.unknown_actor == "unattributed":
            return "unattributed"
        hint = did_you_mean(name, [*self.mapping.actors, *self.mapping.actor_prefixes])
        raise _Reject(f"{column} {name!r} is not in the mapping's 'actors' ({hint})")


_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y")


def _day(text: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise _Reject(f"event_date {text!r} is not a date (expected e.g. 2019-08-02 or 02 August 2019)")


def _precision(text: str, column: str) -> int:
    value = text.strip()
    if not re.fullmatch(r"[123]", value):
        raise _Reject(f"{column} {text!r} must be 1, 2 or 3")
    return int(value)


def _period(text: str, precision_text: str, zone: timezone) -> tuple[datetime, datetime]:
    """The local period (start inclusive, end exclusive) an ACLED date and time_precision stand for."""
    day = _day(text)
    precision = _precision(precision_text, "time_precision")
    if precision == 1:
        first, last = day, day + timedelta(days=1)
    elif precision == 2:
        first, last = day - timedelta(days=3), day + timedelta(days=4)
    else:
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1)
    return (datetime(first.year, first.month, first.day, tzinfo=zone),
            datetime(last.year, last.month, last.day, tzinfo=zone))


def _position(lat_text: str, lon_text: str) -> Position:
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise _Reject(f"latitude/longitude {lat_text!r}, {lon_text!r} are not numbers (missing coordinates?)") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _Reject(f"latitude/longitude {lat}, {lon} are out of range")
    return Position(lat=lat, lon=lon)


def _count(text: str) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not value.isdigit():
        raise _Reject(f"fatalities {text!r} is not a whole number")
    return int(value)
