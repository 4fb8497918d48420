"""Scenario states as columns: arrays of units and incidents, for states too large for a Python object per row.

``Columns`` checks every column on construction, and every id against the
rulebook when evaluated, with the row path's guarantees, vectorised: each bad
row is a ``Problem`` named like the row path's (``units[17].party``), and none
is dropped. A position is ``lat`` and ``lon``, both NaN when unknown; times are
epoch seconds (UTC), or aware datetimes or ISO 8601 texts with an offset.

    >>> state = truce.Columns(agreement="idlib-2019", as_of="2019-08-03T12:00:00+03:00",
    ...                       units={"id": ids, "party": parties, "kind": kinds, "lat": lat, "lon": lon})
    >>> truce.evaluate(state)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from ._errors import Problem, ScenarioError, did_you_mean
from ._items import Floats, Items, Strings
from ._load import id_problems
from ._rulebook import Rulebook
from ._scenario import Scenario
from ._source import Document, dotted, validate

__all__ = ["Columns"]

_UNIT_COLUMNS = ("id", "party", "kind", "count", "lat", "lon", "zone", "uncertainty_km", "observed", "attributes")
_INCIDENT_COLUMNS = ("id", "time", "latest", "kind", "by", "lat", "lon", "zone", "uncertainty_km", "fatalities", "note")
_SHOWN = 20
_MAX_ID = 200
_MAX_KM = 20000


class Columns:
    """A scenario state whose units and incidents are columns (mappings of name to array-like).

    ``header`` holds the scenario's other fields (``agreement``, ``as_of``,
    ``areas``, ``reading``, ...), validated as in a scenario file.
    """

    def __init__(
        self, units: Mapping[str, Any] | None = None, incidents: Mapping[str, Any] | None = None, **header: Any
    ) -> None:
        doc = Document(header, None)
        problems = [doc.problem((key,), "give units and incidents as columns, not here") for key in ("units", "incidents") if key in header]
        try:
            self.scenario: Scenario = validate(Scenario.model_validate, doc, ScenarioError, "invalid scenario")
        except ScenarioError as exc:
            problems.extend(exc.problems)
        self._units = _Table("units", units or {}, _UNIT_COLUMNS, ("id", "party", "kind"), problems)
        self._incidents = _Table("incidents", incidents or {}, _INCIDENT_COLUMNS, ("id", "time", "kind"), problems)
        self._units.check_units(problems)
        self._incidents.check_incidents(problems)
        _raise(problems, "invalid scenario columns")

    def __len__(self) -> int:
        return len(self._units) + len(self._incidents)

    def items(self, book: Rulebook) -> tuple[Items, Items]:
        """Units and incidents for ``observe``, once every id (the header's too) is checked against ``book``."""
        problems = id_problems(self.scenario, book, Document(None, None))
        actors = set(book.parties) | set(book.groups)
        units, incidents = self._units, self._incidents
        units.known(units.actors, "party", options=actors, what="party or group", book=book, problems=problems)
        units.known(units.kinds, "kind", options=book.kinds, what="kind", book=book, problems=problems)
        incidents.known(incidents.actors, "by", options=actors, what="party or group", book=book, problems=problems)
        incidents.known(incidents.kinds, "kind", options=book.incident_kinds, what="incident kind", book=book, problems=problems)
        for table in (units, incidents):
            table.known(table.zone, "zone", options=book.zones, what="zone", book=book, problems=problems)
        for name, values in self._units.attributes.items():
            if name not in book.attributes:
                for row in np.flatnonzero(~np.isnan(values)):
                    problems.append(_problem(("units", int(row), "attributes", name), f"unknown attribute {name!r} in rulebook {book.id}",
                                             name, did_you_mean(name, book.attributes)))
        _raise(problems, f"scenario columns do not fit rulebook {book.id}")
        return units.build(book), incidents.build(book)


class _Table:
    """One table's columns, converted and checked; problems are appended, never raised here."""

    def __init__(
        self, name: str, given: Mapping[str, Any], allowed: tuple[str, ...], required: tuple[str, ...], problems: list[Problem]
    ) -> None:
        self.name = name
        self.given = given
        before = len(problems)
        for column in given:
            if column not in allowed:
                problems.append(_problem((name, column), "unknown column; a typo here would silently drop data",
                                         column, did_you_mean(column, allowed)))
        sizes = {c: len(v) for c, v in given.items() if c != "attributes"}
        sizes |= {f"attributes.{a}": len(v) for a, v in given.get("attributes", {}).items()}
        self.size = max(sizes.values(), default=0)
        for column, size in sizes.items():
            if size != self.size:
                hint = "give every column the same length"
                problems.append(_problem((name, column), f"has {size} rows, other columns have {self.size}", size, hint))
        for column in required:
            if column not in given and self.size:
                problems.append(_problem((name, column), "required column missing", None, f"add a {column!r} column"))
        self.ok = len(problems) == before
        self.attributes: dict[str, Floats] = {}

    def __len__(self) -> int:
        return self.size

    def texts(self, column: str, problems: list[Problem], *, optional: bool) -> Strings:
        """A column of strings (None where optional and absent); anything else is a problem per row."""
        values = np.empty(self.size, dtype=object)
        if column not in self.given or not self.ok:
            return values
        raw = np.asarray(self.given[column])
        if raw.dtype.kind == "U":
            lengths = np.char.str_len(raw)
            values, absent, wrong = raw.astype(object), lengths == 0, lengths > _MAX_ID
        else:
            values[:] = list(self.given[column])
            absent = np.frompyfunc(lambda v: v is None or v == "" or (isinstance(v, float) and math.isnan(v)), 1, 1)(values).astype(bool)
            wrong = ~np.frompyfunc(lambda v: isinstance(v, str) and len(v) <= _MAX_ID, 1, 1)(values).astype(bool) & ~absent
        for row in np.flatnonzero(wrong | (absent & (not optional))):
            problems.append(_problem((self.name, int(row), column), f"expected a text of 1 to {_MAX_ID} characters", _scalar(values[row])))
        values[absent] = None
        return values

    def numbers(self, column: str, problems: list[Problem], *, low: float, high: float, whole: bool = False) -> Floats:
        """A numeric column, NaN where absent; infinite, out-of-range or fractional values are problems."""
        if column not in self.given or not self.ok:
            return np.full(self.size, np.nan)
        try:
            values = np.asarray(self.given[column], dtype=float)
        except (TypeError, ValueError):
            problems.append(_problem((self.name, column), "expected numbers (NaN where unknown)", None))
            return np.full(self.size, np.nan)
        with np.errstate(invalid="ignore"):
            bad = np.isinf(values) | (values < low) | (values > high)
            if whole:
                bad |= np.isfinite(values) & (values != np.round(values))
        what = "a whole number" if whole else "a finite number"
        for row in np.flatnonzero(bad):
            problems.append(_problem((self.name, int(row), column), f"expected {what} from {low:g} to {high:g}", float(values[row])))
        return values

    def instants(self, column: str, problems: list[Problem], *, required: bool = False) -> tuple[Floats, npt.NDArray[np.int32]]:
        """Epoch seconds and UTC offsets (NaN, 0 where absent); naive, unreadable or missing required times are problems."""
        seconds, offsets = np.full(self.size, np.nan), np.zeros(self.size, dtype=np.int32)
        if column not in self.given or not self.ok:
            return seconds, offsets
        raw = np.asarray(self.given[column])
        if raw.dtype.kind == "M":
            problems.append(_problem((self.name, column), "numpy datetime64 has no time zone", None,
                                     "give epoch seconds (UTC), aware datetimes, or ISO 8601 texts with an offset"))
            return seconds, offsets
        unreadable = np.zeros(self.size, dtype=bool)
        if raw.dtype.kind in "iuf":
            before = len(problems)
            seconds = self.numbers(column, problems, low=-1e11, high=1e11)
            unreadable[[int(p.path.split("[")[1].split("]")[0]) for p in problems[before:]]] = True
        else:
            unique, inverse = np.unique(raw.astype(object).astype(str), return_inverse=True)
            parsed = [_instant(text) for text in unique.tolist()]
            seconds = np.array([p[0] for p in parsed], dtype=float)[inverse]
            offsets = np.array([p[1] for p in parsed], dtype=np.int32)[inverse]
            unreadable = np.array([p[2] is not None for p in parsed], dtype=bool)[inverse]
            for row in np.flatnonzero(unreadable):
                problems.append(_problem((self.name, int(row), column), str(parsed[inverse[row]][2]), str(unique[inverse[row]])))
        if required:
            for row in np.flatnonzero(np.isnan(seconds) & ~unreadable):
                problems.append(_problem((self.name, int(row), column), "required: when the act happened", None))
        return seconds, offsets

    def place(self, problems: list[Problem]) -> None:
        """Positions (both NaN = unknown), named zones and uncertainty, checked row by row as the row path does."""
        self.lat = self.numbers("lat", problems, low=-90, high=90)
        self.lon = self.numbers("lon", problems, low=-180, high=180)
        self.zone = self.texts("zone", problems, optional=True)
        self.radius = self.numbers("uncertainty_km", problems, low=0, high=_MAX_KM)
        half = np.isnan(self.lat) != np.isnan(self.lon)
        located = ~np.isnan(self.lat) & ~np.isnan(self.lon)
        for row in np.flatnonzero(half):
            problems.append(_problem((self.name, int(row), "lat" if np.isnan(self.lat[row]) else "lon"),
                                     "a position needs both lat and lon", None, "give both, or NaN in both for an unknown position"))
        for row in np.flatnonzero(located & ~_none(self.zone)):
            problems.append(_problem((self.name, int(row), "zone"), "give either a position or a zone, not both", self.zone[row]))
        for row in np.flatnonzero(~located & ~np.isnan(self.radius)):
            problems.append(_problem((self.name, int(row), "uncertainty_km"), "'uncertainty_km' qualifies a position; give one or drop it",
                                     float(self.radius[row])))
        self.lat[~located], self.lon[~located] = np.nan, np.nan

    def check_units(self, problems: list[Problem]) -> None:
        """Every unit column, and ids unique unless dated by distinct ``observed`` times."""
        self.ids = self.texts("id", problems, optional=False)
        self.actors = self.texts("party", problems, optional=False)
        self.kinds = self.texts("kind", problems, optional=False)
        count = self.numbers("count", problems, low=0, high=2**62, whole=True)
        self.weights = np.where(np.isnan(count), 1, count).astype(np.int64)
        self.place(problems)
        self.start = self.instants("observed", problems)[0]
        self.stop, self.offsets = np.full(self.size, np.inf), np.zeros((self.size, 2), dtype=np.int32)
        dated = ~np.isnan(self.start)
        self.start[~dated] = -np.inf
        for name, values in self.given.get("attributes", {}).items():
            column = np.asarray(values, dtype=float) if self.ok else np.full(self.size, np.nan)
            for row in np.flatnonzero(np.isinf(column)):
                problems.append(
                    _problem((self.name, int(row), "attributes", name), "attribute values must be finite numbers", float(column[row]))
                )
            self.attributes[name] = column
        self._unique(dated, problems)

    def check_incidents(self, problems: list[Problem]) -> None:
        """Every incident column; ``latest`` after ``time``; ids unique."""
        self.ids = self.texts("id", problems, optional=False)
        self.actors = self.texts("by", problems, optional=True)
        self.kinds = self.texts("kind", problems, optional=False)
        self.texts("note", problems, optional=True)
        self.numbers("fatalities", problems, low=0, high=2**62, whole=True)
        self.weights = np.ones(self.size, dtype=np.int64)
        self.place(problems)
        self.start, first = self.instants("time", problems, required=True)
        latest, last = self.instants("latest", problems)
        for row in np.flatnonzero(latest <= self.start):
            problems.append(_problem(("incidents", int(row), "latest"), "'latest' must come after 'time'", float(latest[row])))
        given = ~np.isnan(latest)
        self.stop = np.where(given, latest, self.start)
        self.offsets = np.column_stack([first, np.where(given, last, first)]).astype(np.int32)
        self._unique(np.zeros(self.size, dtype=bool), problems)

    def _unique(self, dated: npt.NDArray[np.bool_], problems: list[Problem]) -> None:
        """A repeated id is a problem unless every row of it is dated, each at a distinct time."""
        if not self.size or not self.ok or len(set(self.ids.tolist())) == self.size:
            return
        codes = np.unique(self.ids.astype(str), return_inverse=True)[1]
        rows = np.arange(self.size)
        later = np.ones(self.size, dtype=bool)
        later[np.unique(codes, return_index=True)[1]] = False
        first_undated = np.full(int(np.max(codes)) + 1, self.size)
        np.minimum.at(first_undated, codes[~dated], rows[~dated])
        pairs = np.column_stack([codes.astype(float), np.where(dated, self.start, -np.inf)])
        again = np.ones(self.size, dtype=bool)
        again[np.unique(pairs, axis=0, return_index=True)[1]] = False
        twice = later & (~dated | (first_undated[codes] < rows) | again)
        hint = "ids must be unique; observations of one unit need distinct 'observed' times"
        for row in np.flatnonzero(twice):
            problems.append(_problem((self.name, int(row), "id"), f"id {self.ids[row]!r} is used twice", self.ids[row], hint))

    def known(
        self, values: Strings, column: str, *, options: Iterable[str], what: str, book: Rulebook, problems: list[Problem]
    ) -> None:
        """Every value of a column is one the rulebook declares; each other row is a problem with a did-you-mean."""
        choices = set(options)
        unknown = ~_none(values) & ~np.isin(values, sorted(choices))
        if not unknown.any():
            return
        unique, inverse = np.unique(values[unknown].astype(str), return_inverse=True)
        rows = np.flatnonzero(unknown)
        for code, value in enumerate(unique.tolist()):
            if value not in choices:
                hint = did_you_mean(value, choices)
                for row in rows[inverse == code]:
                    problems.append(_problem((self.name, int(row), column), f"unknown {what} {value!r} in rulebook {book.id}", value, hint))

    def build(self, book: Rulebook) -> Items:
        """The checked columns as ``Items``, without a Python object per row."""
        return Items.from_columns(
            book, ids=self.ids, actors=self.actors, kinds=self.kinds, weights=self.weights, lon=self.lon, lat=self.lat,
            radius_km=np.nan_to_num(self.radius), named_zone=np.where(_none(self.zone), "", self.zone),
            start=self.start, stop=self.stop, offsets=self.offsets, attributes=self.attributes,
        )


def _instant(text: str) -> tuple[float, int, str | None]:
    """Epoch seconds, UTC offset and an error (or None) for one ISO 8601 time."""
    if text in ("None", "nan", "NaT", ""):
        return np.nan, 0, None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return np.nan, 0, "not an ISO 8601 time, e.g. 2019-08-02T00:40:00+03:00"
    offset = moment.utcoffset()
    if offset is None:
        return np.nan, 0, "time zone required: a naive time is ambiguous (add e.g. +03:00 or Z)"
    return moment.timestamp(), int(offset.total_seconds()), None


def _none(values: Strings) -> npt.NDArray[np.bool_]:
    """Which entries are None (only an object array can hold one)."""
    if values.dtype != object:
        return np.zeros(values.shape, dtype=bool)
    return np.asarray(values == None, dtype=np.bool_)  # noqa: E711 (elementwise, on an object array)


def _problem(loc: tuple[str | int, ...], message: str, value: object, suggestion: str | None = None) -> Problem:
    return Problem(dotted(loc), message, value=value, suggestion=suggestion)


def _scalar(value: object) -> object:
    return value if value is None or isinstance(value, str | int | float | bool) else repr(value)


def _raise(problems: list[Problem], what: str) -> None:
    """One error with every problem; the message lists the first few, ``error.problems`` all of them."""
    if not problems:
        return
    lines = "\n".join(f"  - {p}" for p in problems[:_SHOWN])
    more = f"\n  ... and {len(problems) - _SHOWN} more (all in error.problems)" if len(problems) > _SHOWN else ""
    noun = "problem" if len(problems) == 1 else "problems"
    raise ScenarioError(f"{what}: {len(problems)} {noun}\n{lines}{more}", problems)
