"""The rulebook language: an agreement's terms as validated data (never code)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator
from shapely.geometry.base import BaseGeometry

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class WeaponClass(_Data):
    """A class that kinds of forces fall in (heavy, medium, the Sochi list, ...)."""

    name: Text
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


class Zone(_Data):
    """An area from a GeoJSON file beside the rulebook."""

    name: Text
    geojson: Text
    illustrative: bool = False
    note: Text | None = None


class Reading(_Data):
    """One way of reading ambiguous terms; clauses may differ per reading."""

    name: Text
    description: Text
    default: bool = False


class InForce(_Data):
    """When the truce binds: from ``start`` until ``end`` (open-ended if absent)."""

    start: AwareDatetime
    end: AwareDatetime | None = None
    article: Text
    note: Text | None = None

    @model_validator(mode="after")
    def _end_after_start(self) -> InForce:
        if self.end is not None and self.end <= self.start:
            raise ValueError("end must come after start")
        return self


class ClauseReading(_Data):
    """What a clause says under one reading: any field given replaces the clause's own."""

    applies: bool = True
    parties: list[Id] | None = Field(default=None, min_length=1)
    forces: Literal["all"] | list[Id] | None = None
    zone: Id | None = None
    deadline: AwareDatetime | None = None
    incidents: list[Id] | None = Field(default=None, min_length=1)
    note: Text | None = None


class Clause(_Data):
    """One term of the agreement, citing the article it encodes.

    ``withdrawal``: no unit of ``parties`` whose kind is in ``forces`` may be in
    ``zone`` from ``deadline`` on. ``prohibition``: no incident of a kind in
    ``incidents`` by ``parties`` (inside ``zone`` if given) while the truce is in
    force. ``role: condition`` makes the clause a condition the whole truce
    depends on (set by ``set_by``) rather than a term a party can breach.
    """

    id: Id
    type: Literal["withdrawal", "prohibition"]
    role: Literal["term", "condition"] = "term"
    title: Text
    article: Text
    set_by: Id | None = None
    parties: list[Id] = Field(min_length=1)
    forces: Literal["all"] | list[Id] | None = None
    zone: Id | None = None
    deadline: AwareDatetime | None = None
    incidents: list[Id] | None = Field(default=None, min_length=1)
    readings: dict[Id, ClauseReading] = {}
    note: Text | None = None

    @model_validator(mode="after")
    def _fields_fit_type(self) -> Clause:
        if self.type == "withdrawal":
            if self.forces is None or self.zone is None:
                raise ValueError("a withdrawal clause needs 'forces' (a list of kinds/classes, or all) and 'zone'")
            if self.incidents is not None:
                raise ValueError("'incidents' belongs to prohibition clauses, not withdrawals")
        else:
            if self.incidents is None:
                raise ValueError("a prohibition clause needs 'incidents' (the incident kinds it forbids)")
            if self.forces is not None or self.deadline is not None:
                raise ValueError("'forces' and 'deadline' belong to withdrawal clauses, not prohibitions")
        if self.role == "condition" and self.set_by is None:
            raise ValueError("a condition needs 'set_by': the party whose truce depends on it")
        return self

    @property
    def limit(self) -> int:
        """The most of what the clause counts that the state may hold before it is violated."""
        return 0

    def under(self, reading: str) -> Clause | None:
        """This clause as a reading has it, or None if it does not apply under that reading."""
        override = self.readings.get(reading)
        if override is None:
            return self
        if not override.applies:
            return None
        update: dict[str, Any] = {
            k: v for k, v in override.model_dump(exclude={"applies", "note"}).items() if v is not None
        }
        return self.model_copy(update=update)


class Rulebook(_Data):
    """An agreement's identity, vocabulary, zones, readings and clauses."""

    id: Id
    title: Text
    date: dt.date
    summary: Text
    sources: list[Source] = Field(min_length=1)
    parties: dict[Id, Party] = Field(min_length=1)
    groups: dict[Id, Group] = {}
    classes: dict[Id, WeaponClass] = {}
    kinds: dict[Id, Kind] = Field(min_length=1)
    incident_kinds: dict[Id, IncidentKind] = {}
    zones: dict[Id, Zone] = {}
    readings: dict[Id, Reading] = Field(min_length=1)
    in_force: InForce
    clauses: list[Clause] = Field(min_length=1)

    _geometry: dict[str, BaseGeometry] = PrivateAttr(default_factory=dict)
    _origin: str | None = PrivateAttr(default=None)

    @property
    def origin(self) -> str | None:
        """The file this rulebook was read from, if any."""
        return self._origin

    @property
    def default_reading(self) -> str:
        """The reading marked default, else the first declared."""
        for name, reading in self.readings.items():
            if reading.default:
                return name
        return next(iter(self.readings))

    def geometry(self, zone: str) -> BaseGeometry:
        """The shapely geometry of a zone (lon/lat degrees)."""
        return self._geometry[zone]

    def members(self, party_or_group: str) -> frozenset[str]:
        """Party ids an id stands for: itself, or a group's members."""
        group = self.groups.get(party_or_group)
        return frozenset(group.members) if group else frozenset({party_or_group})

    def classes_of(self, kind: str) -> frozenset[str]:
        """A kind's id together with the classes it falls in."""
        return frozenset({kind, *self.kinds[kind].classes})

    def clauses_under(self, reading: str) -> list[Clause]:
        """The clauses in force under a reading, overrides applied, in rulebook order."""
        return [c for c in (clause.under(reading) for clause in self.clauses) if c is not None]

    def party_name(self, party_or_group: str) -> str:
        """A readable name for a party or group id."""
        entry = self.parties.get(party_or_group) or self.groups.get(party_or_group)
        return entry.name if entry else party_or_group
