"""The limits every scenario value obeys, in one table, and the checks of one value against them.

Rows (dicts, files) and ``Columns`` obey the same table with the same checks: the
pydantic types of ``_scenario`` call the scalar checks below, and the columnar
converter applies them (or their vectorised form) to every row. A value of the
wrong type is an error, never coerced: a boolean is not a number, a number is not
a time.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import BeforeValidator, Field

__all__ = [
    "EARLIEST", "FIRST_YEAR", "LAST_YEAR", "LATEST", "LIMITS", "MAX_COUNT", "MAX_ID", "MAX_NOTE", "Limit", "candidates",
    "check_perpetrator", "instant", "number",
]

MAX_ID = 200
MAX_NOTE = 10_000
MAX_COUNT = 1_000_000_000
MAX_FATALITIES = 10_000_000
MAX_KM = 20_000.0
MAX_ATTRIBUTE = 1e9
FIRST_YEAR = 1000
LAST_YEAR = 8999
"""Every time, in scenarios and rulebooks, lies in these years, so that any span added to it or any
margin around it (timelines, charts, time zones) stays within what ``datetime`` can represent."""
EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
LATEST = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Limit:
    """One row of the table: which fields, what they accept."""

    fields: str
    accepts: str


LIMITS: tuple[Limit, ...] = (
    Limit(
        "ids (`id`, `party`, `kind`, `zone`, `by`, area ids, a record's `parties`, `road`, `post`, `granted_by`, `clause` and `incidents`)",
        f"text of 1 to {MAX_ID} characters",
    ),
    Limit("`by` as candidates", "a list of 2 or more distinct such ids (one of them did it)"),
    Limit("`note`, `title`, `description`, `agreement`", f"text of at most {MAX_NOTE:,} characters"),
    Limit("`count`", f"a whole number from 0 to {MAX_COUNT:,} (absent: 1)"),
    Limit("`fatalities`", f"a whole number from 0 to {MAX_FATALITIES:,}"),
    Limit("`lat`, `lon` (of a `position`, an `origin` or a `baseline`)", "a finite number of degrees, -90..90 and -180..180"),
    Limit("`uncertainty_km` (of a position, an origin or a baseline)", f"a finite number of kilometres from 0 to {MAX_KM:,.0f}"),
    Limit("unit `attributes`", f"finite numbers from -{MAX_ATTRIBUTE:,.0f} to {MAX_ATTRIBUTE:,.0f}"),
    Limit(
        "times (`as_of`, `time`, `latest`, `observed`, a record set's `complete` `start` and `end`, a permission's `valid` "
        "`start` and `end`)",
        f"ISO 8601 text with a date, a time and an offset, or an aware datetime, in the years {FIRST_YEAR} to {LAST_YEAR}",
    ),
)
"""What every field accepts; ``docs/architecture.md`` shows this table and a test keeps the two equal."""

_TIME_EXAMPLE = "e.g. 2019-08-02T00:40:00+03:00"


def instant(value: object) -> datetime:
    """An aware datetime from an aware datetime or ISO 8601 text with date, time and offset; else ValueError."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) < 11 or text[10] not in "Tt " or not text[:4].isdigit():
            raise ValueError(f"expected a time with a date, a time and an offset ({_TIME_EXAMPLE})")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not a valid ISO 8601 time ({_TIME_EXAMPLE})") from None
    elif isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        raise ValueError(f"a date alone is not a time: add a time and an offset ({_TIME_EXAMPLE})")
    else:
        raise ValueError(f"expected a time, not {type(value).__name__} ({_TIME_EXAMPLE})")
    if moment.utcoffset() is None:
        raise ValueError("time zone required: a naive time is ambiguous (add e.g. +03:00 or Z)")
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"time out of range: truce takes times in the years {FIRST_YEAR} to {LAST_YEAR}")
    return moment


def candidates(value: object) -> tuple[str, ...]:
    """The ids of a list of candidate perpetrators (a list or tuple of 2 or more distinct ids); else ValueError."""
    if not isinstance(value, list | tuple):
        raise ValueError(f"expected a party or group id, or a list of candidates, not {type(value).__name__}")
    if not all(isinstance(v, str) and 1 <= len(v) <= MAX_ID for v in value):
        raise ValueError(f"expected candidates as texts of 1 to {MAX_ID} characters")
    if len(value) < 2:
        raise ValueError("a list of candidates names 2 or more; give a single id as text")
    if len(set(value)) != len(value):
        raise ValueError("name each candidate once")
    return tuple(value)


def check_perpetrator(value: object) -> str | list[str] | None:
    """None, an id, or candidates (``candidates``), with one message for any wrong value (not one per member of the union)."""
    if isinstance(value, str) and not 1 <= len(value) <= MAX_ID:
        raise ValueError(f"expected a text of 1 to {MAX_ID} characters")
    return value if value is None or isinstance(value, str) else list(candidates(value))


def number(low: float, high: float, *, whole: bool = False) -> Callable[[object], float]:
    """A check that a value is a finite real (not a boolean) within ``low``..``high``; an integer if ``whole``.

    (A numpy float array is checked for whole values instead: it is how pandas holds integers with gaps.)"""
    what = "a whole number" if whole else "a finite number"

    def check(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or (whole and not isinstance(value, int)):
            raise ValueError(f"expected {what} from {low:g} to {high:g}, not {type(value).__name__}")
        if isinstance(value, int) and not low <= value <= high:
            raise ValueError(f"expected {what} from {low:g} to {high:g}")
        number = float(value)
        if not math.isfinite(number) or not low <= number <= high or (whole and number != round(number)):
            raise ValueError(f"expected {what} from {low:g} to {high:g}")
        return number

    return check


# The row path's types: pydantic's strict checks with the bounds of the table (what ``number`` and
# ``text`` check for columns), and ``instant`` for times.
Instant = Annotated[datetime, BeforeValidator(instant)]
ObjectId = Annotated[str, Field(strict=True, min_length=1, max_length=MAX_ID)]
Candidates = Annotated[list[ObjectId], Field(min_length=2, json_schema_extra={"uniqueItems": True})]
Perpetrator = Annotated[ObjectId | Candidates, BeforeValidator(check_perpetrator)]
"""A party or group id, or a list of candidates (one of them did it)."""
Note = Annotated[str, Field(strict=True, min_length=1, max_length=MAX_NOTE)]
Count = Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)]
Fatalities = Annotated[int, Field(strict=True, ge=0, le=MAX_FATALITIES)]
Latitude = Annotated[float, Field(strict=True, ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(strict=True, ge=-180, le=180, allow_inf_nan=False)]
Kilometres = Annotated[float, Field(strict=True, ge=0, le=MAX_KM, allow_inf_nan=False)]
Measurement = Annotated[float, Field(strict=True, ge=-MAX_ATTRIBUTE, le=MAX_ATTRIBUTE, allow_inf_nan=False)]
