"""The building blocks of rulebook data that clause units share: ids, texts, spans and deadlines."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

__all__ = ["DATA", "AfterStart", "Data", "Deadline", "Id", "Span", "Text"]

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


DATA = ConfigDict(extra="forbid", frozen=True)
"""Rulebook data is frozen, and an unknown field is an error."""


class Data(BaseModel):
    """Rulebook data: frozen, and an unknown field is an error."""

    model_config = DATA


class Span(Data):
    """A length of time in days and hours."""

    days: int = Field(default=0, ge=0, le=36500)
    hours: int = Field(default=0, ge=0, le=876000)

    @property
    def delta(self) -> dt.timedelta:
        return dt.timedelta(days=self.days, hours=self.hours)


class AfterStart(Data):
    """A deadline counted from the truce's start: ``{after_start: {hours: 72}}``."""

    after_start: Span


Deadline = AwareDatetime | AfterStart


