"""The scenario state: forces, weapons, positions and incidents at one instant."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ._limits import Count, Fatalities, Instant, Kilometres, Latitude, Longitude, Measurement, Note, ObjectId
from ._terms import Id

FindingStatus = Literal["met", "violated", "unknown", "not_due", "not_applicable"]
Status = Literal["holds", "breached", "conditions_unmet", "not_in_force", "indeterminate"]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Position(_Data):
    """A point in decimal degrees (WGS 84)."""

    lat: Latitude
    lon: Longitude


class _Located(_Data):
    position: Position | None = None
    zone: ObjectId | None = None
    uncertainty_km: Kilometres | None = None

    @model_validator(mode="after")
    def _one_place(self) -> _Located:
        if self.position is not None and self.zone is not None:
            raise ValueError("give either 'position' or 'zone', not both")
        if self.uncertainty_km is not None and self.position is None:
            raise ValueError("'uncertainty_km' qualifies a 'position'; give one or drop it")
        return self


class Unit(_Located):
    """Forces or weapons of one kind and party, as observed; no position means unknown.

    ``observed`` dates the observation: a unit id may then appear several times, and
    at any instant its latest observation at or before that instant counts. A unit
    without ``observed`` stands for the whole scenario.
    """

    id: ObjectId
    party: ObjectId
    kind: ObjectId
    count: Count = 1
    observed: Instant | None = None
    attributes: dict[ObjectId, Measurement] = Field(default_factory=dict)


class AreaControl(_Data):
    """Who controls a named area at ``as_of``; ``controlled_by: null`` means not known."""

    id: ObjectId
    controlled_by: ObjectId | None = None


class EventSource(_Data):
    """Where an incident read from an event log came from: the dataset, its id for the row, the row's first
    line in the file, and the dataset's licence where the reader knows it."""

    dataset: Note
    row: ObjectId
    line: int | None = Field(default=None, ge=1)
    licence: Note | None = None


class Incident(_Located):
    """A time-stamped act; ``by: null`` means the perpetrator is not known.

    ``latest`` makes the time uncertain: the act happened at some moment from
    ``time`` up to, not including, ``latest`` (a date known only to the day,
    week or month). ``source`` keeps where an incident from an event log came from.
    """

    id: ObjectId
    time: Instant
    latest: Instant | None = None
    kind: ObjectId
    by: ObjectId | None = None
    fatalities: Fatalities | None = None
    note: Note | None = None
    source: EventSource | None = None

    @model_validator(mode="after")
    def _latest_after_time(self) -> Incident:
        if self.latest is not None and self.latest <= self.time:
            raise ValueError("'latest' must come after 'time'")
        return self


class Expectation(_Data):
    """The verdict a scenario file expects under one reading (for example tests)."""

    status: Status
    responsible: list[ObjectId] = []
    findings: dict[ObjectId, FindingStatus] = {}


class Scenario(_Data):
    """A whole scenario state; ``agreement`` picks a bundled rulebook."""

    agreement: Id | None = None
    title: Note | None = None
    description: Note | None = None
    reading: Id | None = None
    as_of: Instant
    units: list[Unit] = []
    incidents: list[Incident] = []
    areas: list[AreaControl] = Field(default_factory=list)
    expect: dict[ObjectId, Expectation] = Field(default_factory=dict)
