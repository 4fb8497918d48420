"""The scenario state: forces, weapons, positions and incidents at one instant."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from ._rulebook import Id

ObjectId = Annotated[str, StringConstraints(min_length=1, max_length=200)]
FindingStatus = Literal["met", "violated", "unknown", "not_due", "not_applicable"]
Status = Literal["holds", "breached", "conditions_unmet", "not_in_force", "indeterminate"]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Position(_Data):
    """A point in decimal degrees (WGS 84)."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)

    @field_validator("lat", "lon")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


class _Located(_Data):
    position: Position | None = None
    zone: Id | None = None
    uncertainty_km: float | None = Field(default=None, ge=0, le=20000, allow_inf_nan=False)

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
    party: Id
    kind: Id
    count: int = Field(default=1, ge=0, le=1_000_000_000)
    observed: AwareDatetime | None = None
    attributes: dict[Id, float] = Field(default_factory=dict)

    @field_validator("attributes")
    @classmethod
    def _finite_attributes(cls, value: dict[str, float]) -> dict[str, float]:
        if not all(math.isfinite(v) for v in value.values()):
            raise ValueError("attribute values must be finite numbers")
        return value


class AreaControl(_Data):
    """Who controls a named area at ``as_of``; ``controlled_by: null`` means not known."""

    id: Id
    controlled_by: Id | None = None


class Incident(_Located):
    """A time-stamped act; ``by: null`` means the perpetrator is not known.

    ``latest`` makes the time uncertain: the act happened at some moment from
    ``time`` up to, not including, ``latest`` (a date known only to the day,
    week or month).
    """

    id: ObjectId
    time: AwareDatetime
    latest: AwareDatetime | None = None
    kind: Id
    by: Id | None = None
    fatalities: int | None = Field(default=None, ge=0)
    note: str | None = None

    @model_validator(mode="after")
    def _latest_after_time(self) -> Incident:
        if self.latest is not None and self.latest <= self.time:
            raise ValueError("'latest' must come after 'time'")
        return self


class Expectation(_Data):
    """The verdict a scenario file expects under one reading (for example tests)."""

    status: Status
    responsible: list[Id] = []
    findings: dict[Id, FindingStatus] = {}


class Scenario(_Data):
    """A whole scenario state; ``agreement`` picks a bundled rulebook."""

    agreement: Id | None = None
    title: str | None = None
    description: str | None = None
    reading: Id | None = None
    as_of: AwareDatetime
    units: list[Unit] = []
    incidents: list[Incident] = []
    areas: list[AreaControl] = []
    expect: dict[Id, Expectation] = {}
