"""Read ACLED CSV exports into incidents (and, optionally, unit sightings) for a rulebook.

A mapping file (YAML, data only) says which ACLED actor is which party of the
rulebook and which event and sub-event types are which incident kinds. Every
row is either accepted or reported with its line and reason; ``read ==
accepted + len(rejected)`` always holds, rows the mapping sets aside included.

Uncertainty is carried, not dropped:

- ``time_precision`` 1 = the day given, 2 = the week around it (three days
  either side), 3 = the calendar month: the incident's ``time``/``latest``
  span that period (local days in the mapping's ``time_zone``).
- ``geo_precision`` 1 = the place named (exact), 2 = near it, 3 = only the
  region is known. Positions get an ``uncertainty_km`` of 0, 10 and 50 km: 10 km
  is the reach of a town's surroundings or a sub-district, 50 km that of an
  Idlib-sized governorate. A point closer than that to a zone's edge leaves
  zone membership unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .._errors import Problem, did_you_mean
from .._rulebook import Id, Rulebook
from .._scenario import Incident, Unit
from .._source import Document
from . import _core
from ._core import MAX_BYTES, BaseEventReader, EventImport, EventLogError, EventMapping, Name, Reject, RowProblem, Target

__all__ = [
    "COLUMNS",
    "SAMPLE_CSV",
    "SAMPLE_MAPPING",
    "AcledError",
    "AcledImport",
    "AcledMapping",
    "AcledReader",
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
_UNCERTAINTY_KM = {1: None, 2: 10.0, 3: 50.0}
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y")
_SAMPLES = Path(__file__).resolve().parent / "samples"
SAMPLE_CSV = _SAMPLES / "idlib-2019-acled-sample.csv"
SAMPLE_MAPPING = _SAMPLES / "idlib-2019-acled-mapping.yaml"

AcledImport = EventImport
"""What an ACLED file gave (the shared import report)."""


class AcledError(EventLogError):
    """An ACLED file or its mapping cannot be used at all (not a single bad row: those are reported)."""


class Presence(BaseModel):
    """Which events place each named party's forces at the event's location, and as what kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_types: list[Name] = Field(min_length=1)
    kind: Id


class AcledMapping(EventMapping):
    """ACLED actors -> party ids (or ``unattributed`` / ``ignore``); event types -> incident kinds (or ``ignore``)."""

    actors: dict[Name, Target] = Field(default_factory=dict)
    actor_prefixes: dict[Name, Target] = Field(default_factory=dict)
    unknown_actor: Literal["reject", "unattributed"] = "reject"
    events: dict[Name, Target | dict[Name, Target]] = Field(min_length=1)
    presence: Presence | None = None

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

    def problems(self, book: Rulebook, doc: Document) -> list[Problem]:
        """Actors must map to declared parties or groups, events to declared incident kinds."""
        parties = {*book.parties, *book.groups, "unattributed", "ignore"}
        found = [p for section, table in (("actors", self.actors), ("actor_prefixes", self.actor_prefixes))
                 for name, target in table.items() for p in _core.unknown_id(doc, (section, name), target, parties, "party")]
        kinds = {*book.incident_kinds, "ignore"}
        for event_type, kinds_of in self.events.items():
            pairs = kinds_of.items() if isinstance(kinds_of, dict) else [(None, kinds_of)]
            for sub, kind in pairs:
                loc = ("events", event_type) if sub is None else ("events", event_type, sub)
                found += _core.unknown_id(doc, loc, kind, kinds, "incident kind")
        if self.presence is not None:
            found += _core.unknown_id(doc, ("presence", "kind"), self.presence.kind, book.kinds, "kind")
        return found


def load_mapping(path: str | Path, book: Rulebook | None = None) -> tuple[AcledMapping, Rulebook]:
    """A validated ACLED mapping and its rulebook; every id it maps to must be one the rulebook declares."""
    return _core.load_mapping(path, AcledMapping, AcledError, book)


def read_acled(
    source: str | Path,
    mapping: str | Path | AcledMapping,
    rules: Rulebook | str | Path | None = None,
    *,
    max_bytes: int = MAX_BYTES,
) -> EventImport:
    """Read an ACLED CSV export with a mapping; bad rows are reported, never dropped silently."""
    return AcledReader(*_core.resolve(mapping, AcledMapping, AcledError, rules)).read(source, max_bytes)


class AcledReader(BaseEventReader[AcledMapping]):
    """ACLED rows: actor1 is taken as the perpetrator; battles may place both sides' fighters."""

    source = "ACLED"
    error = AcledError
    required = ("event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
                "location", "latitude", "longitude", "geo_precision", "fatalities")  # fmt: skip
    id_column = "event_id_cnty"

    def incident(self, event_id: str, row: Mapping[str, str]) -> Incident:
        """The incident of one ACLED row, its date and place widened by their precision."""
        kind = self.mapping.kind(row["event_type"], row["sub_event_type"])
        if kind is None:
            pair = f"{row['event_type']!r} / {row['sub_event_type']!r}"
            raise Reject(f"event type {pair} is not in the mapping's 'events'")
        if kind == "ignore":
            raise Reject(f"the mapping ignores {row['event_type']} / {row['sub_event_type']}", ignored=True)
        actor = self._actor(row["actor1"].strip(), "actor1")
        if actor == "ignore":
            raise Reject(f"the mapping ignores actor1 {row['actor1']!r} (not a party to the agreement)", ignored=True)
        self._actor(row["actor2"].strip(), "actor2")
        start, latest = _period(row["event_date"], row["time_precision"], self.zone)
        note = f"{row['location']}: {row.get('notes', '')}".strip()[:1000]
        return Incident(id=event_id, time=start, latest=latest, kind=kind, by=actor if actor != "unattributed" else None,
                        position=_core.position(row["latitude"], row["longitude"]),
                        uncertainty_km=_UNCERTAINTY_KM[_core.precision(row["geo_precision"], "geo_precision", (1, 2, 3))],
                        fatalities=_core.count(row["fatalities"], "fatalities"), note=note)  # fmt: skip

    def sightings(self, row: Mapping[str, str], incident: Incident) -> Iterable[Unit]:
        """A battle (per the mapping's ``presence``) shows each named party's fighters at its location."""
        presence = self.mapping.presence
        if presence is None or row["event_type"] not in presence.event_types:
            return []
        actors = {self.mapping.actor(row[c].strip()) for c in ("actor1", "actor2")}
        return [Unit(id=f"{party}@{row['location'].strip() or incident.id}", party=party, kind=presence.kind,
                     position=incident.position, uncertainty_km=incident.uncertainty_km, observed=incident.latest)
                for party in sorted(a for a in actors if a and a not in ("ignore", "unattributed"))]  # fmt: skip

    def sides(self, row: Mapping[str, str]) -> list[str]:
        """``actor1`` and ``actor2`` as the mapping names them; an empty or unmapped actor is ``unattributed``."""
        return [self.mapping.actor(row[column].strip()) or "unattributed" for column in ("actor1", "actor2")]

    def _actor(self, name: str, column: str) -> str | None:
        if not name:
            if column == "actor1":
                raise Reject("actor1 is empty")
            return None
        target = self.mapping.actor(name)
        if target is not None:
            return target
        if self.mapping.unknown_actor == "unattributed":
            return "unattributed"
        hint = did_you_mean(name, [*self.mapping.actors, *self.mapping.actor_prefixes])
        raise Reject(f"{column} {name[:80]!r} is not in the mapping's 'actors' ({hint})")


def _period(text: str, precision_text: str, zone: tzinfo) -> tuple[datetime, datetime]:
    """The local period (start inclusive, end exclusive) an ACLED date and time_precision stand for."""
    day = _core.day(text, "event_date", _DATE_FORMATS)
    precision = _core.precision(precision_text, "time_precision", (1, 2, 3))
    first: date
    if precision == 1:
        first, last = day, day + timedelta(days=1)
    elif precision == 2:
        first, last = day - timedelta(days=3), day + timedelta(days=4)
    else:
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1)
    return _core.midnight(first, zone), _core.midnight(last, zone)
