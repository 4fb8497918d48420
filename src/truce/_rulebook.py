"""The rulebook language: an agreement's terms as validated data (never code)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr, StrictBool, field_validator, model_validator
from shapely.geometry.base import BaseGeometry

from ._clauses import AnyClause, Clause
from ._geo import Area
from ._limits import FIRST_YEAR, LAST_YEAR, MAX_KM, Instant
from ._source import Document
from ._terms import DATA, AfterMet, AfterStart, Deadline, Fixed, Id, Number, Span, Text

__all__ = ["FIRST_YEAR", "LAST_YEAR", "AfterStart", "Deadline", "Id", "Rulebook", "Span", "Text"]




class _Data(BaseModel):
    model_config = DATA


class Source(_Data):
    """Where the text of the agreement, or of one report of it, can be read."""

    title: Text
    """The title of the text or report."""
    url: Text | None = None
    """Where it can be read online."""
    date: dt.date | None = None
    """When it was published (YYYY-MM-DD)."""
    note: Text | None = None
    """Anything a reader should know about this source."""


class Party(_Data):
    """A signatory or belligerent, named by the id scenarios use."""

    name: Text
    """The party's name as the agreement gives it."""
    side: Text | None = None
    """Which side the party stands on, for readers (decides nothing)."""
    note: Text | None = None
    """A remark for readers."""


class Group(_Data):
    """Several parties named together by the agreement (e.g. 'jihadists')."""

    name: Text
    """The group's name as the agreement gives it."""
    members: list[Id] = Field(min_length=1)
    """The ids of the parties in the group; a clause binding the group binds each of them."""
    note: Text | None = None
    """A remark for readers."""


class Bounds(_Data):
    """Limits on a unit attribute: ``min``/``max`` include the bound, ``above``/``below`` exclude it."""

    min: Number | None = None
    """The least value allowed (included)."""
    max: Number | None = None
    """The greatest value allowed (included)."""
    above: Number | None = None
    """Values must be greater than this (excluded)."""
    below: Number | None = None
    """Values must be less than this (excluded)."""

    @model_validator(mode="after")
    def _some_bound(self) -> Bounds:
        if self.min is None and self.max is None and self.above is None and self.below is None:
            raise ValueError("give at least one of min, max, above, below")
        return self


class Attribute(_Data):
    """A measurable property scenario units may report (calibre, range, ...)."""

    name: Text
    """What the measurement is, e.g. calibre."""
    unit: Text | None = None
    """The unit scenarios report it in, e.g. mm or km."""
    note: Text | None = None
    """A remark for readers."""


class WeaponClass(_Data):
    """A class that kinds of forces fall in (heavy, medium, the Sochi list, ...).

    A kind falls in a class if the kind lists the class or the class lists the
    kind in ``kinds``; ``where`` further requires unit attributes within bounds
    (e.g. ``calibre_mm: {min: 100}``), so a unit lacking one is of unknown class.
    """

    name: Text
    """The class's name, e.g. heavy weapons."""
    kinds: list[Id] = []
    """Kind ids that fall in this class."""
    where: dict[Id, Bounds] = {}
    """Attribute bounds a unit must also meet to be of the class, by attribute id; a unit lacking a measurement is of unknown class."""
    note: Text | None = None
    """A remark for readers."""


class Kind(_Data):
    """A kind of force or weapon that scenario units are counted in."""

    name: Text
    """The kind's name, e.g. tanks."""
    classes: list[Id] = []
    """Class ids this kind falls in (besides classes that list it)."""
    note: Text | None = None
    """A remark for readers."""


class IncidentKind(_Data):
    """A kind of act that scenario incidents report.

    ``range_km`` is the farthest an act of the kind reaches from where it was launched (0: it
    takes place where it is reported, as an armed clash does); a prohibition of acts ``from``
    a zone uses it to bound where an incident without an ``origin`` may have come from.
    """

    name: Text
    """The kind of act, e.g. shelling."""
    range_km: Number | None = Field(default=None, ge=0, le=MAX_KM)
    """The farthest, in km, an act of this kind reaches from where it was launched (0: where reported)."""
    note: Text | None = None
    """A remark for readers."""


class Band(_Data):
    """The ground between ``from_km`` and ``to_km`` from a line, on one side of it or both.

    ``left`` and ``right`` are as seen walking the line in the order its points
    are drawn. Distances are kilometres on the ground (a metric projection).
    """

    line: Text
    """A GeoJSON file holding the line (a LineString), relative to the rulebook's folder."""
    side: Literal["left", "right", "both"]
    """Which side of the line: `left`, `right` (walking the line as drawn) or `both`."""
    from_km: Number = Field(default=0, ge=0)
    """Where the band begins, in km from the line (0: at the line)."""
    to_km: Number = Field(gt=0, le=1000)
    """Where the band ends, in km from the line (at most 1000)."""
    depths_km: list[Number] = []
    """Other depths (`to_km`) the text allows, e.g. `[15]` beside `to_km: 20` for "15 to 20 km"; robustness decides each."""

    @model_validator(mode="after")
    def _from_below_to(self) -> Band:
        if self.from_km >= self.to_km:
            raise ValueError("from_km must be less than to_km")
        for depth in self.depths_km:
            if not self.from_km < depth <= 1000 or depth == self.to_km:
                raise ValueError(f"each of depths_km lies beyond from_km, at most 1000 and differs from to_km: {depth:g} does not")
        if len(set(self.depths_km)) != len(self.depths_km):
            raise ValueError("name each of depths_km once")
        return self


class Beyond(_Data):
    """All the ground of ``region`` on one side of a line, however far from it (or ``from_km`` and more).

    ``region`` is a GeoJSON polygon file that contains the whole line; the line is carried on
    straight from its ends to the region's edge, so it divides the region in two.
    """

    line: Text
    """A GeoJSON file holding the line (a LineString), relative to the rulebook's folder."""
    side: Literal["left", "right"]
    """Which side of the line: `left` or `right`, walking the line as drawn."""
    region: Text
    """A GeoJSON file of the polygon the side is clipped to; it must contain the whole line."""
    from_km: Number = Field(default=0, ge=0, le=1000)
    """How far from the line the zone begins, in km (0: at the line)."""


class Depths(_Data):
    """Where a text defines a drawn zone by its depth from a line ("15 to 20 km deep along the line of contact"):
    the band at each depth it allows, which robustness decides beside the drawing."""

    line: Text
    """A GeoJSON file holding the line the depth is measured from (a LineString), relative to the rulebook's folder."""
    side: Literal["left", "right", "both"]
    """The zone's side of the line: `left`, `right` (walking the line as drawn) or `both`."""
    depths_km: list[Number] = Field(min_length=1)
    """The depths the text allows, in km from the line (more than 0, at most 1000), each once, e.g. `[15, 20]`."""

    @field_validator("depths_km")
    @classmethod
    def _on_the_ground(cls, depths: list[float]) -> list[float]:
        for depth in depths:
            if not 0 < depth <= 1000:
                raise ValueError(f"each depth lies beyond 0 and at most 1000 km: {depth:g} does not")
        if len(set(depths)) != len(depths):
            raise ValueError("name each depth once")
        return depths


class Zone(_Data):
    """An area: a GeoJSON polygon file, a band along a line, one side of a line within a region, or
    the union of other zones."""

    name: Text
    """The zone's name, used in findings."""
    geojson: Text | None = None
    """A GeoJSON file of the zone's polygon(s), relative to the rulebook's folder."""
    band: Band | None = None
    """The ground within some kilometres of a line, on one side or both."""
    beyond: Beyond | None = None
    """All the ground on one side of a line, however far, within a region."""
    union: list[Id] | None = Field(default=None, min_length=2)
    """The ids of two or more zones this zone joins."""
    depths: Depths | None = None
    """For a zone drawn as a polygon whose text defines it by depth from a line: that line and the depths allowed."""
    illustrative: StrictBool = False
    """`true` where the agreement never published the line and the geometry is the project's trace; every verdict resting on it says so."""
    uncertainty_km: Number | None = Field(default=None, ge=0, le=MAX_KM)
    """How far, in km, the true edge may lie from the drawn one (required of an illustrative zone); robustness moves the edge by it."""
    note: Text | None = None
    """A remark for readers, e.g. where the geometry comes from."""

    @model_validator(mode="after")
    def _one_shape(self) -> Zone:
        if sum(x is not None for x in (self.geojson, self.band, self.beyond, self.union)) != 1:
            raise ValueError("give exactly one of 'geojson', 'band', 'beyond' or 'union'")
        if self.depths is not None and self.geojson is None:
            raise ValueError("'depths' belongs to a zone drawn from a 'geojson' file; a band gives its own 'band.depths_km'")
        return self


class NamedArea(_Data):
    """A named place whose control scenarios report (a district to hand over, a corridor)."""

    name: Text
    """The place's name, used in findings."""
    note: Text | None = None
    """A remark for readers."""


class Site(_Data):
    """A named road (or stretch of one) or post whose status, or patrols along it, scenarios report (the M4 from
    Trumba to Ain al-Havr; a Turkish observation post)."""

    name: Text
    """The site's name, used in findings."""
    note: Text | None = None
    """A remark for readers, e.g. where the stretch begins and ends."""


class Landmark(_Data):
    """A town or site drawn on maps for orientation; it decides nothing."""

    name: Text
    """The name drawn on maps."""
    lat: Number = Field(ge=-90, le=90)
    """Latitude in decimal degrees (WGS 84)."""
    lon: Number = Field(ge=-180, le=180)
    """Longitude in decimal degrees (WGS 84)."""


class Reading(_Data):
    """One way of reading ambiguous terms; clauses may differ per reading."""

    name: Text
    """A short name for the reading."""
    description: Text
    """What this reading takes the ambiguous terms to mean (required)."""
    default: StrictBool = False
    """`true` for the reading used when a scenario names none (else the first declared)."""


class InForce(_Data):
    """When the truce binds: from ``start`` until ``end`` (open-ended if absent)."""

    start: Instant
    """When the truce starts to bind: a date, a time and an offset."""
    end: Instant | None = None
    """When it stops binding, if it does."""
    article: Text
    """The article that sets the period of force."""
    note: Text | None = None
    """A remark for readers."""

    @model_validator(mode="after")
    def _end_after_start(self) -> InForce:
        if self.end is not None and self.end <= self.start:
            raise ValueError("end must come after start")
        return self


class Rulebook(_Data):
    """An agreement's identity, vocabulary, zones, readings and clauses."""

    id: Id
    """The id scenarios give as `agreement:`: lower case letters, digits, `.`, `_` and `-`."""
    title: Text
    """The agreement's title."""
    date: dt.date
    """The day the agreement was made (YYYY-MM-DD)."""
    summary: Text
    """What the agreement provides, in a few sentences."""
    sources: list[Source] = Field(min_length=1)
    """Where its text can be read (at least one)."""
    parties: dict[Id, Party] = Field(min_length=1)
    """The parties, by the id scenarios use."""
    groups: dict[Id, Group] = {}
    """Names for several parties at once, by id."""
    attributes: dict[Id, Attribute] = {}
    """Measurements units may report (calibre, range), by id, for classes' `where`."""
    classes: dict[Id, WeaponClass] = {}
    """Classes that kinds of forces fall in, by id."""
    kinds: dict[Id, Kind] = Field(min_length=1)
    """Kinds of forces and weapons that scenario units are counted in, by id."""
    incident_kinds: dict[Id, IncidentKind] = {}
    """Kinds of acts scenario incidents report, by id."""
    zones: dict[Id, Zone] = {}
    """The zones clauses are set on, by id."""
    areas: dict[Id, NamedArea] = {}
    """Named places whose control scenarios report, for handovers, by id."""
    roads: dict[Id, Site] = {}
    """Named roads (or stretches) whose status or patrols scenarios report, for obligations, by id."""
    posts: dict[Id, Site] = {}
    """Named posts (observation posts) whose status scenarios report, for obligations, by id."""
    landmarks: dict[Id, Landmark] = {}
    """Towns or sites drawn on maps, by id; they decide nothing."""
    readings: dict[Id, Reading] = Field(min_length=1)
    """Ways of reading ambiguous terms, by id (at least one)."""
    in_force: InForce
    """When the truce binds."""
    stale_after: Span | None = None
    """How long a unit's sighting (`observed`) shows where it is, e.g. `{hours: 48}`; then, until a newer one, its place is unknown."""
    clauses: list[AnyClause] = Field(min_length=1)
    """The terms, each of one type."""

    @field_validator("stale_after", mode="before")
    @classmethod
    def _a_duration(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, Mapping | Span):
            raise ValueError(f"a stale limit is a duration, not {value!r}: give days and hours, e.g. 'stale_after: {{hours: 48}}'")
        return value

    @field_validator("stale_after")
    @classmethod
    def _longer_than_nothing(cls, value: Span | None) -> Span | None:
        if value is not None and value.delta.total_seconds() <= 0:
            raise ValueError("a stale limit must be longer than 0 (every sighting would be stale at once): e.g. 'stale_after: {hours: 48}'")
        return value

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
        """The instant from which a clause binds: its deadline, else the truce's start (for a deadline after another
        clause is met, the earliest it can fall)."""
        deadline = clause.stated_deadline
        if isinstance(deadline, AfterMet):  # the earliest it can fall: the other clause met from the start
            return self.in_force.start + deadline.within.delta
        return self.instant(deadline) if deadline else self.in_force.start

    def instant(self, deadline: Fixed) -> dt.datetime:
        """A deadline that falls at one instant: a time, or a span after the truce's start."""
        return self.in_force.start + deadline.after_start.delta if isinstance(deadline, AfterStart) else deadline

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
            read: dict[str, Clause | None] = {clause.id: clause.under(reading) for clause in self.clauses}
            bound: dict[str, Clause | None] = {}
            entry = self._read[reading] = (self.clauses, tuple((clause, _bound(clause.id, read, bound)) for clause in self.clauses))
        return entry[1]

    def party_name(self, party_or_group: str) -> str:
        """A readable name for a party or group id."""
        entry = self.parties.get(party_or_group) or self.groups.get(party_or_group)
        return entry.name if entry else party_or_group


def _bound(clause_id: str, read: dict[str, Clause | None], bound: dict[str, Clause | None]) -> Clause | None:
    """The clause as a reading has it, holding (if its deadline counts from another clause being met) that clause
    as the same reading has it; loading has refused cycles."""
    if clause_id not in bound:
        clause = bound[clause_id] = read[clause_id]  # first as it is, so that a cycle (refused on loading) ends
        deadline = clause.stated_deadline if clause is not None else None
        if clause is not None and isinstance(deadline, AfterMet) and deadline.after_met in read:
            clause = clause.model_copy()
            clause._after = (_bound(deadline.after_met, read, bound),)
            bound[clause_id] = clause
    return bound[clause_id]


# Clause types build on the vocabulary above, so they are read once it exists.
