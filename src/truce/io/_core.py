"""What every event-log reader shares, written once: safe streaming of CSV records, row rejections,
mapping checks and the import report. A format is a small ``BaseEventReader`` subclass.

No row is lost: ``read`` counts CSV records (a quoted field may hold line breaks), every
record is accepted or reported with its first and last physical line, and blank lines
are the only lines that belong to no record. Physical lines end at ``\\n``, ``\\r\\n`` or ``\\r``.
"""

from __future__ import annotations

import csv
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Annotated, ClassVar, Generic, TextIO, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, field_validator, model_validator

from .._errors import Problem, TruceError, did_you_mean
from .._load import load_rulebook
from .._rulebook import Rulebook
from .._scenario import EventSource, Incident, Position, Scenario, Unit
from .._source import NOT_REGULAR, Document, open_regular, read_document, validate

__all__ = [
    "FIELD_LIMIT",
    "MAX_BYTES",
    "BaseEventReader",
    "EventImport",
    "EventLogError",
    "EventMapping",
    "Record",
    "Reject",
    "RowProblem",
    "load_mapping",
    "log_scenario",
    "read_header",
]

MAX_BYTES = 1 << 30
"""Default bound on an event log's size: 1 GiB holds a whole public ACLED or UCDP release."""
FIELD_LIMIT = 131_072
"""Longest field accepted, in characters (the csv module's default limit)."""
_MAX_RECORD = 1 << 23  # characters in one record, all lines together; bounds memory
_MAX_ID = 200
_YEARS = (1900, 2199)
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
_ISO_DAY = re.compile(r"(\d{4})-(\d\d)-(\d\d)", re.ASCII)
_TOO_LONG = f"a field is over {FIELD_LIMIT} characters"

Target = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]
"""A party, group or incident-kind id a mapping points to (or a keyword such as ``ignore``)."""
Name = Annotated[str, StringConstraints(min_length=1, max_length=300)]
"""A name as the data source spells it (an actor, a side, an event type)."""


class EventLogError(TruceError):
    """An event log or its mapping cannot be used at all (a bad row is reported, never raised).

    A ``ValueError``, like every ``TruceError``.
    """


@dataclass(frozen=True)
class RowProblem:
    """A record not turned into an incident: its lines, its event id, and why."""

    line: int
    event_id: str | None
    reason: str
    ignored: bool = False
    last_line: int | None = None

    @property
    def lines(self) -> tuple[int, int]:
        """First and last physical line of the record."""
        return self.line, self.last_line or self.line

    def as_dict(self) -> dict[str, object]:
        """The problem as JSON-ready data."""
        return {"line": self.line, "last_line": self.lines[1], "id": self.event_id, "reason": self.reason,
                "ignored": self.ignored}  # fmt: skip

    def __str__(self) -> str:
        what = "set aside" if self.ignored else "rejected"
        first, last = self.lines
        where = f"line {first}" if first == last else f"lines {first}-{last}"
        return f"{where} ({self.event_id or 'no event id'}): {what}: {self.reason}"


@dataclass(frozen=True)
class EventImport:
    """What a file gave: incidents (with their lines), unit sightings, and every record not accepted."""

    file: str
    book: Rulebook
    read: int
    incidents: tuple[Incident, ...]
    units: tuple[Unit, ...]
    rejected: tuple[RowProblem, ...] = field(default=())
    source: str = "logged"
    lines: tuple[tuple[int, int], ...] = ()
    """First and last physical line of each incident's record, in the order of ``incidents``."""

    @property
    def accepted(self) -> int:
        """Records turned into incidents (one each)."""
        return len(self.incidents)

    def scenario(self, as_of: datetime | None = None) -> Scenario:
        """The log as a scenario, at ``as_of`` (default: when the last incident surely happened)."""
        return log_scenario(self.book, f"{self.source} events from {Path(self.file).name}", self.incidents, self.units, as_of)

    def summary(self) -> dict[str, object]:
        """The counts and every record not accepted, as JSON-ready data."""
        return {"file": self.file, "format": self.source, "rows_read": self.read, "accepted": self.accepted,
                "rejected": len(self.rejected), "rejected_rows": [p.as_dict() for p in self.rejected]}  # fmt: skip

    def report(self) -> str:
        """The counts, then one line per record not accepted."""
        head = f"{self.file}: {self.read} rows read, {self.accepted} accepted, {len(self.rejected)} not accepted"
        return "\n".join([head, *(f"  {p}" for p in self.rejected)])


def log_scenario(book: Rulebook, title: str, incidents: Sequence[Incident], units: Sequence[Unit], as_of: datetime | None) -> Scenario:
    """Incidents and sightings as a scenario, at ``as_of`` (default: when the last incident surely happened)."""
    last = max(((i.latest or i.time) for i in incidents), default=book.in_force.start)
    return Scenario(agreement=book.id, title=title, as_of=as_of or last, units=list(units), incidents=list(incidents))


class EventMapping(BaseModel):
    """What every mapping says: the rulebook, and the time zone of the log's calendar days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agreement: Target
    time_zone: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    utc_offset: Annotated[str, StringConstraints(pattern=r"^[+-]\d\d:\d\d$")] | None = None

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str | None) -> str | None:
        if name is not None:
            _zone_info(name)
        return name

    @field_validator("utc_offset")
    @classmethod
    def _real_offset(cls, offset: str | None) -> str | None:
        if offset is not None:
            _offset(offset)
        return offset

    @model_validator(mode="after")
    def _one_zone(self) -> EventMapping:
        if self.time_zone is not None and self.utc_offset is not None:
            raise ValueError("give 'time_zone' or the older 'utc_offset', not both")
        return self

    @property
    def zone(self) -> tzinfo:
        """The log's time zone: ``time_zone`` (an IANA name), else the fixed ``utc_offset``, else UTC."""
        if self.time_zone is not None:
            return _zone_info(self.time_zone)
        return _offset(self.utc_offset) if self.utc_offset is not None else UTC

    def problems(self, book: Rulebook, doc: Document) -> list[Problem]:
        """Every id the mapping names that ``book`` does not declare (none here; formats add theirs)."""
        return []


def _zone_info(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        hint = did_you_mean(name, available_timezones()) or ""
        close = f" ({hint})" if hint.startswith("did you mean") else ""
        raise ValueError(f"unknown time zone {name!r}: expected an IANA name such as 'Asia/Damascus'{close}") from None


def _offset(text: str) -> timezone:
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 23 or minutes > 59:
        raise ValueError(f"UTC offset {text!r} is out of range (-23:59 to +23:59)")
    sign = -1 if text.startswith("-") else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


M = TypeVar("M", bound=EventMapping)


def load_mapping(path: str | Path, model: type[M], error: type[TruceError], book: Rulebook | None = None) -> tuple[M, Rulebook]:
    """A validated mapping and its rulebook; every id it maps to must be one the rulebook declares."""
    doc = read_document(Path(path), error)
    mapping: M = validate(model, doc, error, f"invalid mapping {path}")
    book = book or load_rulebook(mapping.agreement)
    problems = mapping.problems(book, doc)
    if problems:
        raise error.from_problems(f"mapping {path} does not fit rulebook {book.id}", problems)
    return mapping, book


def resolve(mapping: M | str | Path, model: type[M], error: type[TruceError], rules: Rulebook | str | Path | None) -> tuple[M, Rulebook]:
    """A mapping (loaded and checked unless given as a model) and its rulebook (``rules``, else the mapping's)."""
    book = rules if isinstance(rules, Rulebook) else (load_rulebook(rules) if rules is not None else None)
    if isinstance(mapping, str | Path):
        return load_mapping(mapping, model, error, book)
    return mapping, book or load_rulebook(mapping.agreement)


def unknown_id(doc: Document, loc: tuple[str | int, ...], value: str, known: Iterable[str], noun: str) -> list[Problem]:
    """A problem if ``value`` is not among ``known`` ids, with a did-you-mean."""
    choices = set(known)
    if value in choices:
        return []
    return [doc.problem(loc, f"unknown {noun} {value!r}", value=value, suggestion=did_you_mean(value, choices))]


class Reject(Exception):
    """Raised while reading one row: the row is reported (``ignored``: set aside by the mapping)."""

    def __init__(self, reason: str, ignored: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.ignored = reason, ignored


@dataclass(frozen=True)
class Record:
    """One CSV record: its first and last physical line, its fields, and why it is unreadable, if it is."""

    first: int
    last: int
    values: list[str]
    problem: str | None = None
    inner: tuple[str, ...] = ()
    """The physical lines strictly inside a record spanning three or more lines."""


class _Oversized(Exception):
    """A record grew past ``_MAX_RECORD`` characters."""


class _Lines:
    """The physical lines of a stream for the csv module, counted, keeping the current record's lines."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.line = 0
        self.start_record()

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        text = self.stream.readline(_MAX_RECORD + 1)
        if not text:
            raise StopIteration
        self.line += 1
        self.size += len(text)
        if self.size > _MAX_RECORD:
            while text and not text.endswith(("\n", "\r")):
                text = self.stream.readline(_MAX_RECORD)
            raise _Oversized
        self.current.append(text)
        return text

    def start_record(self) -> None:
        """Begin a record: its lines so far, and their characters in all."""
        self.current: list[str] = []
        self.size = 0


def _open(path: Path, error: type[TruceError], max_bytes: int) -> TextIO:
    """A regular file opened for text, never blocking on a FIFO; ``error`` if it is none or too large."""
    name = str(path)
    try:
        fd, info = open_regular(path)
    except ValueError as exc:
        hint = "save the log to a file first" if str(exc) == NOT_REGULAR else None
        raise error.from_problems(f"cannot read {name}", [Problem("", str(exc), file=name, suggestion=hint)]) from None
    try:
        if info.st_size > max_bytes:
            raise error.from_problems(f"{name} is too large", [Problem(
                "", f"file is {info.st_size} bytes, over the limit of {max_bytes}", file=name, suggestion="raise max_bytes")])
        return open(fd, encoding="utf-8-sig", errors="surrogateescape", newline="")
    except BaseException:
        os.close(fd)
        raise


def records(path: Path, error: type[TruceError], max_bytes: int = MAX_BYTES) -> Generator[Record, None, None]:
    """Every non-blank CSV record of a regular file, the header first; a malformed record comes with
    its problem instead of raising, so one bad record never stops the rest."""
    with _open(path, error, max_bytes) as stream:
        lines = _Lines(stream)
        reader = csv.reader(lines)
        while True:
            lines.start_record()
            first = lines.line + 1
            problem = None
            try:
                values = next(reader)
            except StopIteration:
                return
            except _Oversized:
                values, problem = [], f"record over {_MAX_RECORD} characters (a stray quote?)"
            except csv.Error as exc:
                reason = _TOO_LONG if "field limit" in str(exc) else f"not readable as CSV: {exc}"
                values, problem = [], f"{reason} (a stray quote?)"
            if not values and problem is None:
                continue
            if problem is None and any(_NOT_UTF8.search(text) for text in lines.current):
                problem = "not UTF-8 text"
            if problem is None and lines.size > FIELD_LIMIT and any(len(v) > FIELD_LIMIT for v in values):
                problem = _TOO_LONG
            inner = tuple(lines.current[1:-1]) if lines.line - first >= 2 else ()
            yield Record(first, lines.line, values, problem, inner)


def read_header(path: Path, error: type[TruceError], max_bytes: int = MAX_BYTES) -> list[str]:
    """A CSV file's column names; ``error`` if it has none."""
    with closing(records(path, error, max_bytes)) as rows:
        return _header(rows, path, error)


def _header(rows: Iterator[Record], path: Path, error: type[TruceError]) -> list[str]:
    header = next(rows, None)
    if header is None or header.problem is not None:
        reason = header.problem if header is not None and header.problem else "no header row"
        raise error.from_problems(f"{path} has no readable header", [Problem("", reason, file=str(path), line=1)])
    return [name.strip() for name in header.values]


def _swallowed(record: Record, width: int) -> int:
    """How many inner lines of a multi-line record read as whole rows of ``width`` fields on their own."""
    count = 0
    for text in record.inner:
        try:
            count += len(next(csv.reader([text]), [])) == width
        except csv.Error:
            continue
    return count


class BaseEventReader(ABC, Generic[M]):
    """One event-log format: its columns and how one row becomes an incident.

    Subclasses set the class variables and implement ``incident``; ``read`` (here, once)
    streams the file, checks each record's shape and id, and collects the report.
    """

    source: ClassVar[str]
    error: ClassVar[type[EventLogError]]
    required: ClassVar[tuple[str, ...]]
    id_column: ClassVar[str]
    licence: ClassVar[str | None] = None
    """The dataset's licence, kept with every incident read (None where the reader does not know it)."""

    def __init__(self, mapping: M, book: Rulebook) -> None:
        self.mapping, self.book, self.zone = mapping, book, mapping.zone

    @classmethod
    def fits(cls, header: Iterable[str]) -> bool:
        """Whether a header has every column this format needs."""
        return set(cls.required) <= set(header)

    @abstractmethod
    def incident(self, event_id: str, row: Mapping[str, str]) -> Incident:
        """The incident a row stands for; raise ``Reject`` to report the row instead."""

    @abstractmethod
    def sides(self, row: Mapping[str, str]) -> list[str]:
        """The two sides of an accepted row as the mapping names them, for telling one event in two logs."""

    def sightings(self, row: Mapping[str, str], incident: Incident) -> Iterable[Unit]:
        """Units an accepted row shows in place (none unless the format says so)."""
        return ()

    def read(self, path: str | Path, max_bytes: int = MAX_BYTES) -> EventImport:
        """Read a whole file: every record accepted or reported, so ``read == accepted + rejected``."""
        with closing(records(Path(path), self.error, max_bytes)) as rows:
            return self._read(str(path), rows)

    def _read(self, name: str, rows: Iterator[Record]) -> EventImport:
        header = _header(rows, Path(name), self.error)
        twice = sorted({c for c in self.required if header.count(c) > 1})
        if twice:
            raise self.error.from_problems(f"{name} has a column twice", [
                Problem("", f"column {c!r} appears twice in the header", file=name, line=1) for c in twice])  # fmt: skip
        absent = [c for c in self.required if c not in header]
        if absent:
            raise self.error.from_problems(f"{name} is not an export of {self.source}", [
                Problem("", f"missing column {c!r}", file=name, line=1, suggestion=f"export every {self.source} column")
                for c in absent])  # fmt: skip
        read, seen = 0, set[str]()
        incidents: list[Incident] = []
        lines: list[tuple[int, int]] = []
        rejected: list[RowProblem] = []
        units: dict[tuple[str, datetime | None], Unit] = {}
        for record in rows:
            read += 1
            row = dict(zip(header, record.values, strict=False))
            event_id = row.get(self.id_column, "").strip()
            shown = _NOT_UTF8.sub("\ufffd", event_id if len(event_id) <= 80 else f"{event_id[:80]}...")
            try:
                self._check(record, len(header), event_id, seen)
                incident = self.incident(event_id, row).model_copy(
                    update={"source": EventSource(dataset=self.source, row=event_id, line=record.first, licence=self.licence,
                                                  sides=self.sides(row))})
            except Reject as reason:
                rejected.append(RowProblem(record.first, shown or None, reason.reason, reason.ignored, record.last))
                continue
            except ValidationError as exc:
                why = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False))
                rejected.append(RowProblem(record.first, shown or None, why, False, record.last))
                continue
            seen.add(event_id)
            incidents.append(incident)
            lines.append((record.first, record.last))
            for unit in self.sightings(row, incident):
                units.setdefault((unit.id, unit.observed), unit)
        return EventImport(name, self.book, read, tuple(incidents), tuple(units.values()), tuple(rejected),
                           self.source, tuple(lines))  # fmt: skip

    def _check(self, record: Record, width: int, event_id: str, seen: set[str]) -> None:
        if record.problem is not None:
            raise Reject(record.problem)
        swallowed = _swallowed(record, width)
        if swallowed:
            raise Reject(f"a quoted field runs from line {record.first} to line {record.last} and swallows "
                         f"{swallowed} line(s) that read as whole rows (a stray quote?)")  # fmt: skip
        if len(record.values) != width:
            raise Reject(f"has {len(record.values)} fields, the header has {width} (a truncated or broken line?)")
        if not event_id:
            raise Reject(f"{self.id_column} is empty")
        if len(event_id) > _MAX_ID:
            raise Reject(f"{self.id_column} is over {_MAX_ID} characters")
        if event_id in seen:
            raise Reject(f"{self.id_column} {event_id!r} appears twice; the first was kept")


def day(text: str, column: str, formats: tuple[str, ...] = ("%Y-%m-%d",)) -> date:
    """A calendar day in one of ``formats``, within the years event data can cover."""
    value = text.strip()
    for fmt in formats:
        try:
            found = _iso_day(value) if fmt == "%Y-%m-%d" else datetime.strptime(value[:40], fmt).date()
        except ValueError:
            continue
        if not _YEARS[0] <= found.year <= _YEARS[1]:
            raise Reject(f"{column} {value[:40]!r} is outside the years {_YEARS[0]}-{_YEARS[1]}")
        return found
    raise Reject(f"{column} {value[:40]!r} is not a date (expected e.g. {date(2019, 8, 2).strftime(formats[0])})")


def _iso_day(value: str) -> date:
    """``%Y-%m-%d``, parsed faster than by ``strptime`` (which also takes single-digit months and days)."""
    found = _ISO_DAY.fullmatch(value)
    if found is None:
        return datetime.strptime(value[:40], "%Y-%m-%d").date()
    return date(int(found[1]), int(found[2]), int(found[3]))


def midnight(when: date, zone: tzinfo) -> datetime:
    """The start of a local calendar day."""
    return datetime(when.year, when.month, when.day, tzinfo=zone)


def precision(text: str, column: str, allowed: Iterable[int]) -> int:
    """A precision code, one of ``allowed``."""
    codes = [str(code) for code in allowed]
    value = text.strip()
    if value not in codes:
        raise Reject(f"{column} {text[:40]!r} must be one of {', '.join(codes)}")
    return int(value)


def position(lat_text: str, lon_text: str) -> Position:
    """A WGS 84 point from two columns of decimal degrees."""
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        shown = f"{lat_text[:40]!r}, {lon_text[:40]!r}"
        raise Reject(f"latitude/longitude {shown} are not numbers (missing coordinates?)") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Reject(f"latitude/longitude {lat}, {lon} are out of range")
    return Position(lat=lat, lon=lon)


def count(text: str, column: str) -> int | None:
    """A whole number of people (ASCII digits), or None if the field is empty."""
    value = text.strip()
    if not value:
        return None
    if not re.fullmatch(r"[0-9]{1,9}", value):
        raise Reject(f"{column} {text[:40]!r} is not a whole number")
    return int(value)
