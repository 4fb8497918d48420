"""The building blocks of rulebook data that clause units share: ids, texts, spans and deadlines."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ._limits import Instant

__all__ = ["DATA", "AfterMet", "AfterStart", "Data", "Deadline", "Fixed", "Id", "Number", "Span", "Text"]

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
"""A finite number in a rulebook: not a boolean, not a text."""


DATA = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)
"""Rulebook data is frozen, an unknown field is an error, and each field's docstring is its description (in schemas and docs)."""


class Data(BaseModel):
    """Frozen data whose unknown fields are errors and whose field docstrings are descriptions."""

    model_config = DATA


class Span(Data):
    """A length of time in days and hours."""

    days: int = Field(default=0, ge=0, le=36500, strict=True)
    """Whole days."""
    hours: int = Field(default=0, ge=0, le=876000, strict=True)
    """Whole hours, added to the days."""

    @property
    def delta(self) -> dt.timedelta:
        return dt.timedelta(days=self.days, hours=self.hours)


class AfterStart(Data):
    """A deadline counted from the truce's start: ``{after_start: {hours: 72}}``."""

    after_start: Span
    """How long after the truce's start (`in_force.start`) the deadline falls."""


class AfterMet(Data):
    """A deadline counted from another clause being met: ``{after_met: a-withdraws, within: {hours: 48}}``."""

    after_met: Id
    """The id of the clause whose being met starts the clock."""
    within: Span
    """How long after that clause is met the deadline falls."""


Fixed = Instant | AfterStart
"""A deadline that falls at one instant, whatever the state."""
Deadline = Fixed | AfterMet


