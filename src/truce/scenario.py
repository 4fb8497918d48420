"""The scenario state: forces, weapons, positions and incidents at one instant."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from .rulebook import Id

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

    @model_validator(mode="after")
    def _one_place(self) -> _Located:
        if self.position is not None and self.zone is not None:
            raise ValueError("give either 'position' or 'zone', not both")
        return self


class Unit(_Located):
    """Forces or weapons of one kind and party, as observed; no position means unknown."""

    id: ObjectId
    party: Id
    kind: Id
    count: int = Field(default=1, ge=0, le=1_000_000_000)


class Incident(_Located):
    """A time-stamped act; ``by: null`` means the perpetrator is not known."""

    id: ObjectId
    time: AwareDatetime
    kind: Id
    by: Id | None = None
    fatalities: int | None = Field(default=None, ge=0)
    note: str | None = None


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
    expect: dict[Id, Expectation] = {}
