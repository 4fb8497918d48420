"""The rulebook language: an agreement's terms as validated data (never code)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr, StrictBool, model_validator
from shapely.geometry.base import BaseGeometry

from ._clauses import AnyClause, Clause
from ._geo import Area
from ._limits import FIRST_YEAR, LAST_YEAR, Instant
from ._source import Document
from ._terms import DATA, AfterStart, Deadline, Id, Number, Span, Text

__all__ = ["FIRST_YEAR", "LAST_YEAR", "AfterStart", "Deadline", "Id", "Rulebook", "Span", "Text"]




class _Data(BaseModel):
    model_config = DATA


class Source(_Data):
    """Where the text of the agreement, or of one report of it, can be read."""

    title: Text
    url: Text | None = None
    date: dt.date | None = None
    note: Text | None = None


class Party(_Data):
    """A signatory or belligerent, named by the id scenarios use."""

    name: Text
    side: Text | None = None
    note: Text | None = None


class Group(_Data):
    """Several parties named together by the agreement (e.g. 'jihadists')."""

    name: Text
    members: list[Id] = Field(min_length=1)
    note: Text | None = None


class Bounds(_Data):
    """Limits on a unit attribute: ``min``/``max`` include the bound, ``above``/``below`` exclude it."""

    min: Number | None = None
    max: Number | None = None
    above: Number | None = None
    below: Number | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> Bounds:
        if self.min is None and self.max is None and self.above is None and self.below is None:
            raise ValueError("give at least one of min, max, above, below")
        return self


class Attribute(_Data):
    """A measurable property scenario units may report (calibre, range, ...)."""

    name: Text
    unit: Text | None = None
    note: Text | None = None


class WeaponClass(_Data):
    """A class that kinds of forces fall in (heavy, medium, the Sochi list, ...).

    A kind falls in a class if the kind lists the class or the class lists the
    kind in ``kinds``; ``where`` further requires unit attributes within bounds
    (e.g. ``calibre_mm: {min: 100}``), so a unit lacking one is of unknown class.
    """

    name: Text
    kinds: list[Id] = []
    where: dict[Id, Bounds] = {}
    note: Text | None = None


class Kind(_Data):
    """A kind of force or weapon that scenario units are counted in."""

    name: Text
    classes: list[Id] = []
    note: Text | None = None


class IncidentKind(_Data):
    """A kind of act that scenario incidents report."""

    name: Text
    note: Text | None = None


class Band(_Data):
    """The ground between ``from_km`` and ``to_km`` from a line, on one side of it or both.

    ``left`` and ``right`` are as seen walking the line in the order its points
    are drawn. Distances are kilometres on the ground (a metric projection).
    """

    line: Text
    side: Literal["left", "right", "both"]
    from_km: Number = Field(default=0, ge=0)
    to_km: Number = Field(gt=0, le=1000)

    @model_validator(mode="after")
    def _from_below_to(self) -> Band:
        if self.from_km >= self.to_km:
            raise ValueError("from_km must be less than to_km")
        return self


class Beyond(_Data):
    """All the ground of ``region`` on one side of a line, however far from it (or ``from_km`` and more).

    ``region`` is a GeoJSON polygon file that contains the whole line; the line is carried on
    straight from its ends to the region's edge, so it divides the region in two.
    """

    line: Text
    side: Literal["left", "right"]
    region: Text
    from_km: Number = Field(default=0, ge=0, le=1000)


class Zone(_Data):
    """An area: a GeoJSON polygon file, a band along a line, one side of a line within a region, or
    the union of other zones."""

    name: Text
    geojson: Text | None = None
    band: Band | None = None
    beyond: Beyond | None = None
    union: list[Id] | None = Field(default=None, min_length=2)
    illustrative: StrictBool = False
    note: Text | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> Zone:
        if sum(x is not None for x in (self.geojson, self.band, self.beyond, self.union)) != 1:
            raise ValueError("give exactly one of 'geojson', 'band', 'beyond' or 'union'")
        return self


class NamedArea(_Data):
    """A named place whose control scenarios report (a district to hand over, a corridor)."""

    name: Text
    note: Text | None = None


class Landmark(_Data):
    """A town or site drawn on maps for orientation; it decides nothing."""

    name: Text
    lat: Number = Field(ge=-90, le=90)
    lon: Number = Field(ge=-180, le=180)


class Reading(_Data):
    """One way of reading ambiguous terms; clauses may differ per reading."""

    name: Text
    description: Text
    default: StrictBool = False


class InForce(_Data):
    """When the truce binds: from ``start`` until ``end`` (open-ended if absent)."""

    start: Instant
    end: Instant | None = None
    article: Text
    note: Text | None = None

    @model_validator(mode="after")
    def _end_after_start(self) -> InForce:
        if self.end is not None and self.end <= self.start:
            raise ValueError("end must come after start")
        return self


class Rulebook(_Data):
    """An agreement's identity, vocabulary, zones, readings and clauses."""

    id: Id
    title: Text
    date: dt.date
    summary: Text
    sources: list[Source] = Field(min_length=1)
    parties: dict[Id, Party] = Field(min_length=1)
    groups: dict[Id, Group] = {}
    attributes: dict[Id, Attribute] = {}
    classes: dict[Id, WeaponClass] = {}
    kinds: dict[Id, Kind] = Field(min_length=1)
    incident_kinds: dict[Id, IncidentKind] = {}
    zones: dict[Id, Zone] = {}
    areas: dict[Id, NamedArea] = {}
    landmarks: dict[Id, Landmark] = {}
    readings: dict[Id, Reading] = Field(min_length=1)
    in_force: InForce
    clauses: list[AnyClause] = Field(min_length=1)

    _areas: dict[str, Area] = PrivateAttr(default_factory=dict)
    _origin: str | None = PrivateAttr(default=None)
    _document: Document | None = PrivateAttr(default=None)
    _files: dict[str, str] = PrivateAttr(default_factory=dict)
    _read: dict[str, tuple[list[AnyClause], tuple[tuple[Clause, Clause | None], ...]]] = PrivateAttr(default_factory=dict)

    @property
    def origin(self) -> str | None:
        """The file this rulebook was read from, if any."""
        return self._origin

    @property
    def files(self) -> dict[str, str]:
        """The SHA-256 of every file the rulebook was read from: its own (by name) and each zone file it read
        (by its path from the rulebook's folder); empty for a rulebook built in memory."""
        return dict(self._files)

    @property
    def document(self) -> Document:
        """The parsed file this rulebook was read from (for the line of a later problem); empty if built in memory."""
        return self._document or Document(None, self._origin)

    @property
    def default_reading(self) -> str:
        """The reading marked default, else the first declared."""
        for name, reading in self.readings.items():
            if reading.default:
                return name
        return next(iter(self.readings))

    def geometry(self, zone: str) -> BaseGeometry:
        """The shapely geometry of a zone (lon/lat degrees)."""
        return self._areas[zone].lonlat

    def zones_without_geometry(self) -> list[str]:
        """Zones whose ground was never read (a rulebook built in memory rather than loaded from its file)."""
        return [zone for zone in self.zones if zone not in self._areas]

    def area(self, zone: str) -> Area:
        """A zone's ground, for testing which points lie in it."""
        return self._areas[zone]

    def deadline(self, clause: Clause) -> dt.datetime:
        """The instant from which a clause binds: its deadline, else the truce's start."""
        deadline = clause.stated_deadline
        if isinstance(deadline, AfterStart):
            return self.in_force.start + deadline.after_start.delta
        return deadline or self.in_force.start

    def members(self, party_or_group: str) -> frozenset[str]:
        """Party ids an id stands for: itself, or a group's members."""
        group = self.groups.get(party_or_group)
        return frozenset(group.members) if group else frozenset({party_or_group})

    def classes_of(self, kind: str) -> frozenset[str]:
        """A kind's id together with the classes it falls in (some only if attributes fit)."""
        listed = {cid for cid, cls in self.classes.items() if kind in cls.kinds}
        return frozenset({kind, *self.kinds[kind].classes, *listed})

    def read_as(self, reading: str) -> tuple[tuple[Clause, Clause | None], ...]:
        """Each clause paired with the clause as ``reading`` has it (None where it does not apply), in rulebook
        order: the one place a reading is applied, once per rulebook and reading."""
        entry = self._read.get(reading)
        if entry is None or entry[0] is not self.clauses:  # a copy with other clauses shares this cache
            entry = self._read[reading] = (self.clauses, tuple((clause, clause.under(reading)) for clause in self.clauses))
        return entry[1]

    def party_name(self, party_or_group: str) -> str:
        """A readable name for a party or group id."""
        entry = self.parties.get(party_or_group) or self.groups.get(party_or_group)
        return entry.name if entry else party_or_group


# Clause types build on the vocabulary above, so they are read once it exists.
