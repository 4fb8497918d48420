"""Scenario states as columns: arrays of units and incidents, for states too large for a Python object per row.

``Columns`` checks every column on construction, and every id against the
rulebook when evaluated, with the row path's guarantees, vectorised: each bad
row is a ``Problem`` named like the row path's (``units[17].party``), and none
is dropped. A position is ``lat`` and ``lon``, both NaN when unknown (or a GeoDataFrame's
points); an incident's origin is ``origin_lat``, ``origin_lon`` and ``origin_uncertainty_km``, a unit's baseline
``baseline_lat``, ``baseline_lon`` and ``baseline_uncertainty_km``.
Times are epoch seconds (UTC), or aware datetimes or ISO 8601 texts with an offset.
Columns are lists, numpy arrays, pandas Series or pyarrow arrays; a table may be a mapping of
them, a pandas DataFrame, a pyarrow Table or a geopandas GeoDataFrame.

    >>> state = truce.Columns(agreement="idlib-2019", as_of="2019-08-03T12:00:00+03:00",
    ...                       units={"id": ids, "party": parties, "kind": kinds, "lat": lat, "lon": lon})
    >>> truce.evaluate(state)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from ._errors import Problem, ScenarioError, by_place, did_you_mean
from ._items import Floats, Items, Strings, object_column, perpetrator
from ._limits import (
    EARLIEST,
    LATEST,
    MAX_ATTRIBUTE,
    MAX_COUNT,
    MAX_FATALITIES,
    MAX_ID,
    MAX_KM,
    MAX_NOTE,
    check_perpetrator,
    instant,
    number,
)
from ._rulebook import Rulebook
from ._scenario import Records, Scenario
from ._source import Document, dotted, validate

__all__ = ["Columns"]

_UNIT_COLUMNS = (
    "id", "party", "kind", "count", "lat", "lon", "zone", "uncertainty_km", "observed", "attributes", "baseline_lat", "baseline_lon",
    "baseline_uncertainty_km",
)
_INCIDENT_COLUMNS = (
    "id", "time", "latest", "kind", "by", "lat", "lon", "zone", "uncertainty_km", "origin_lat", "origin_lon", "origin_uncertainty_km",
    "fatalities", "note",
)
_SHOWN = 20
_VOCABULARY = ("party", "kind", "by", "zone")
"""Columns whose texts come from a rulebook's few ids: their rows share one text object per distinct value."""
_DISTINCT = 32
EARLIEST_S, LATEST_S = EARLIEST.timestamp(), LATEST.timestamp()


class Columns:
    """A scenario state whose units and incidents are columns (mappings of name to array-like).

    ``header`` holds the scenario's other fields (``agreement``, ``as_of``,
    ``areas``, ``reading``, ...), validated as in a scenario file.
    """

    def __init__(
        self, units: Mapping[str, Any] | None = None, incidents: Mapping[str, Any] | None = None, **header: Any
    ) -> None:
        doc = Document(header, None)
        problems: list[Problem] = []
        try:
            self.scenario: Scenario = validate(Scenario, doc, ScenarioError, "invalid scenario")
        except ScenarioError as exc:
            problems.extend(exc.problems)
        self._units = _Table("units", _columns("units", units, problems), _UNIT_COLUMNS, ("id", "party", "kind"), problems)
        incident_columns = _columns("incidents", incidents, problems)
        self._incidents = _Table("incidents", incident_columns, _INCIDENT_COLUMNS, ("id", "time", "kind"), problems)
        self._units.check_units(problems)
        self._incidents.check_incidents(problems)
        _raise(problems, "invalid scenario columns")

    def __len__(self) -> int:
        return len(self._units) + len(self._incidents)

    def items(self, book: Rulebook) -> tuple[Items, Items]:
        """Units and incidents for ``observe``, once every id (the header's too) is checked against ``book``."""
        units, incidents = self._units.build(book), self._incidents.build(book)
        empty = Document(None, None)
        problems = header_problems(self.scenario, book, empty) + fit_problems(units, incidents, book, empty, repeats=False)
        _raise(problems, f"scenario columns do not fit rulebook {book.id}")
        return units, incidents


def _columns(name: str, given: object, problems: list[Problem]) -> dict[str, Any]:
    """A table's columns as one-dimensional arrays or sequences; anything else is a problem, never an exception,
    and its column None (given, but unusable). A pandas DataFrame or a pyarrow Table gives its columns, a
    geopandas GeoDataFrame its points as ``lon`` and ``lat``; ``attributes`` is itself a mapping of columns."""
    if given is None:
        return {}
    found: dict[str, Any] = {}
    names = getattr(given, "column_names", getattr(given, "columns", None))  # a pyarrow Table's, a DataFrame's
    if not isinstance(given, Mapping) and hasattr(given, "__getitem__") and names is not None:
        geometry = getattr(getattr(given, "geometry", None), "name", None) if hasattr(given, "crs") else None
        if geometry is not None:
            found |= _points(name, given, problems)
        given = {str(column): given[column] for column in names if column != geometry}
    if not isinstance(given, Mapping):
        problems.append(_problem((name,), "expected a mapping of column names to arrays", _scalar(given),
                                 "e.g. {'id': [...], 'party': [...]}, a pandas DataFrame or a pyarrow Table"))
        return {}
    for column, given_values in given.items():
        values = _plain(given_values)
        if column == "attributes" and isinstance(values, Mapping):
            found[column] = {a: _plain(v) for a, v in values.items() if _column(name, (str(column), str(a)), _plain(v), problems)}
        else:
            found[str(column)] = values if _column(name, (str(column),), values, problems) else None
    return found


def _plain(values: object) -> object:
    """A pandas Series, a pyarrow array (anything with ``to_numpy``) as a numpy array; anything else as it is.
    A pyarrow column's nulls become None or NaN, and its times aware datetimes."""
    to_numpy = getattr(values, "to_numpy", None)
    if not callable(to_numpy) or isinstance(values, np.ndarray):
        return values
    if type(values).__module__.startswith("pyarrow"):
        if str(getattr(values, "type", "")).startswith("timestamp"):
            return values.to_pylist()  # type: ignore[attr-defined]
        return to_numpy(zero_copy_only=False)
    return to_numpy()


def _points(name: str, frame: Any, problems: list[Problem]) -> dict[str, Any]:
    """A GeoDataFrame's points as ``lon`` and ``lat`` columns (NaN for a missing or empty one); a geometry that
    is not a point, or a frame whose coordinates are not longitude and latitude, is a problem."""
    loc = (name, str(frame.geometry.name))
    if frame.crs is None or not frame.crs.equals("EPSG:4326", ignore_axis_order=True):
        problems.append(_problem(loc, "expected longitude and latitude (EPSG:4326)", str(frame.crs),
                                 "convert with frame.to_crs('EPSG:4326'), or set_crs('EPSG:4326') if they are lon/lat already"))
        return {"lon": None, "lat": None}
    geometries = np.asarray(frame.geometry.to_numpy(), dtype=object)
    kinds = shapely.get_type_id(geometries)
    for row in np.flatnonzero((kinds != shapely.GeometryType.POINT) & (kinds != shapely.GeometryType.MISSING)):
        problems.append(_problem((name, int(row), loc[1]), "expected a point", str(geometries[row].geom_type),
                                 "give each position as a point"))
    if "lon" in frame.columns or "lat" in frame.columns:
        problems.append(_problem(loc, "give positions either as points or as lon and lat columns, not both", None,
                                 "drop the lon and lat columns"))
    points = (kinds == shapely.GeometryType.POINT) & ~shapely.is_empty(geometries)
    lon, lat = np.full(len(geometries), np.nan), np.full(len(geometries), np.nan)
    lon[points], lat[points] = shapely.get_x(geometries[points]), shapely.get_y(geometries[points])
    return {"lon": lon, "lat": lat}


def _column(name: str, loc: tuple[str, ...], values: object, problems: list[Problem]) -> bool:
    """Whether a column is a one-dimensional array or sequence of values (a problem is added if not)."""
    shape = getattr(values, "shape", None)
    if isinstance(values, str | bytes | Mapping) or not hasattr(values, "__len__") or (shape is not None and len(shape) != 1):
        what = f"a {len(shape)}-dimensional array" if shape is not None else type(values).__name__
        problems.append(_problem((name, *loc), f"expected a one-dimensional array or list of values, not {what}", _scalar(values),
                                 "give one value per row"))
        return False
    return True


def header_problems(data: Scenario | Mapping[str, Any], book: Rulebook, doc: Document) -> list[Problem]:
    """Ids in a scenario's header (areas, records, reading, expectations) its rulebook does not declare, and areas (or
    records of a kind) listed twice."""
    problems: list[Problem] = []
    areas = _entries(data, "areas")
    if areas:
        names = _strings([_get(a, "id") for a in areas])
        problems += repeated_ids("areas", names, np.zeros(len(areas), dtype=bool), np.zeros(len(areas)), doc, what="area")
        problems += unknown_ids(("areas", "id"), names, book.areas, "area", book=book, doc=doc)
        holders = _strings([_get(a, "controlled_by") for a in areas])
        problems += unknown_ids(("areas", "controlled_by"), holders, {*book.parties, *book.groups}, "party or group",
                                book=book, doc=doc)
    problems += _record_problems(_get(data, "records"), book, doc)
    expect = _get(data, "expect")
    readings: list[tuple[tuple[str | int, ...], object]] = [(("reading",), _get(data, "reading"))]
    readings += [(("expect", str(name)), name) for name in (expect if isinstance(expect, Mapping) else ())]
    for loc, name in readings:
        if isinstance(name, str) and name not in book.readings:
            problems.append(doc.problem(loc, f"unknown reading {name!r} in rulebook {book.id}", value=name,
                                        suggestion=did_you_mean(name, book.readings)))
    return problems


def _record_problems(records: object, book: Rulebook, doc: Document) -> list[Problem]:
    """Ids in a scenario's records (parties, roads, posts, zones, clauses) its rulebook does not declare, and ids used twice in a kind."""
    vocabulary = {
        "parties": ({*book.parties, *book.groups}, "party or group"), "road": (set(book.roads), "road"), "post": (set(book.posts), "post"),
        "zone": (set(book.zones), "zone"),
        "granted_by": ({*book.parties, *book.groups}, "party or group"), "party": ({*book.parties, *book.groups}, "party or group"),
        "clause": ({c.id for c in book.clauses}, "clause"),
    }
    problems: list[Problem] = []
    for kind in Records.model_fields:
        seen: set[str] = set()
        for row, entry in enumerate(_entries(_get(records, kind), "entries")):
            ident = _get(entry, "id")
            if isinstance(ident, str):
                if ident in seen:
                    problems.append(doc.problem(("records", kind, "entries", row, "id"), f"id {ident!r} is used twice among the {kind}",
                                                value=ident, suggestion="give each record of a kind its own id"))
                seen.add(ident)
            for field, (known, what) in vocabulary.items():
                given = _get(entry, field)
                for index, value in enumerate(given) if isinstance(given, list) else [(None, given)]:
                    if isinstance(value, str) and value not in known:
                        loc = ("records", kind, "entries", row, field, *(() if index is None else (index,)))
                        problems.append(doc.problem(loc, f"unknown {what} {value!r} in rulebook {book.id}", value=value,
                                                    suggestion=did_you_mean(value, known)))
    return problems


def fit_problems(units: Items, incidents: Items, book: Rulebook, doc: Document, *, repeats: bool = True) -> list[Problem]:
    """Every id of the state's units and incidents its rulebook does not declare, and (if ``repeats``) every id
    used twice."""
    problems: list[Problem] = []
    for name, items in (("units", units), ("incidents", incidents)):
        dated = np.isfinite(items.start) if name == "units" else np.zeros(len(items), dtype=bool)
        problems += _row_problems(name, (items.ids, dated, items.start) if repeats else None, items.actors, items.kinds,
                                  items.named_zone, book=book, doc=doc)
    problems += _attribute_problems(units.attributes, lambda name: np.flatnonzero(~np.isnan(units.attributes[name])), book, doc)
    return by_place(problems)


def raw_problems(data: Mapping[str, Any], book: Rulebook, doc: Document) -> list[Problem]:
    """The id problems of a scenario that failed validation, read from its raw rows as far as they go."""
    problems = header_problems(data, book=book, doc=doc)
    for name in ("units", "incidents"):
        rows = _entries(data, name)
        stamps = [_get(r, "observed") if name == "units" else None for r in rows]
        codes = {str(s): float(i) for i, s in enumerate(dict.fromkeys(str(s) for s in stamps))}
        dated = np.array([s is not None for s in stamps], dtype=bool)
        ids = (_strings([_get(r, "id") for r in rows]), dated, np.array([codes[str(s)] for s in stamps], dtype=float))
        actor = "party" if name == "units" else "by"
        actors = _strings([_get(r, actor) for r in rows], candidates=name == "incidents")
        problems += _row_problems(name, ids, actors, *(_strings([_get(r, c) for r in rows]) for c in ("kind", "zone")), book=book, doc=doc)
    units = _entries(data, "units")
    given = [_get(r, "attributes") for r in units]
    named = {str(a) for g in given if isinstance(g, Mapping) for a in g}
    problems += _attribute_problems(named, lambda name: [i for i, g in enumerate(given) if isinstance(g, Mapping) and name in g],
                                    book, doc)
    return problems


def _row_problems(
    name: str, ids: tuple[Strings, npt.NDArray[np.bool_], Floats] | None, actors: Strings, kinds: Strings, zones: Strings, *,
    book: Rulebook, doc: Document,
) -> list[Problem]:
    """A table's unknown parties, kinds and zones, and (given ids, whether dated, and when) its repeated ids."""
    units = name == "units"
    problems = repeated_ids(name, *ids, doc) if ids is not None else []
    problems += unknown_ids((name, "party" if units else "by"), actors, {*book.parties, *book.groups}, "party or group", book=book, doc=doc)
    problems += unknown_ids((name, "kind"), kinds, book.kinds if units else book.incident_kinds, "kind" if units else "incident kind",
                            book=book, doc=doc)
    problems += unknown_ids((name, "zone"), zones, book.zones, "zone", book=book, doc=doc)
    return problems


def _attribute_problems(names: Iterable[str], rows_of: Callable[[str], Iterable[int]], book: Rulebook, doc: Document) -> list[Problem]:
    """Each unit that reports an attribute its rulebook does not declare (``rows_of`` gives the rows that report one)."""
    problems: list[Problem] = []
    for attribute in sorted(set(names) - set(book.attributes)):
        message, hint = f"unknown attribute {attribute!r} in rulebook {book.id}", did_you_mean(attribute, book.attributes)
        problems += [doc.problem(("units", int(row), "attributes", attribute), message, value=attribute, suggestion=hint)
                     for row in rows_of(attribute)]
    return problems


def repeated_ids(
    name: str, ids: Strings, dated: npt.NDArray[np.bool_], start: Floats, doc: Document, *, what: str = "id"
) -> list[Problem]:
    """A repeated id is a problem unless every row of it is dated, each at a distinct time (ids: texts or None)."""
    values = ids.tolist()
    if len(set(values)) == len(values):
        return []
    named = np.flatnonzero(~_none(ids))
    size = len(ids)
    codes = np.full(size, -1)
    codes[named] = np.unique(ids[named].astype(str), return_inverse=True)[1]
    rows = np.arange(size)
    later = np.zeros(size, dtype=bool)
    later[named] = True
    later[named[np.unique(codes[named], return_index=True)[1]]] = False
    first_undated = np.full(int(np.max(codes)) + 2, size)
    undated = named[~dated[named]]
    np.minimum.at(first_undated, codes[undated], rows[undated])
    pairs = np.column_stack([codes.astype(float), np.where(dated, start, -np.inf)])[named]
    again = np.zeros(size, dtype=bool)
    again[named] = True
    again[named[np.unique(pairs, axis=0, return_index=True)[1]]] = False
    twice = later & (~dated | (first_undated[codes] < rows) | again)
    if what == "area":
        return [doc.problem((name, int(row), "id"), f"area {ids[row]!r} is listed twice", value=ids[row])
                for row in np.flatnonzero(twice)]
    hint = "ids must be unique; observations of one unit need distinct 'observed' times"
    return [doc.problem((name, int(row), "id"), f"id {ids[row]!r} is used twice", value=ids[row], suggestion=hint)
            for row in np.flatnonzero(twice)]


def unknown_ids(
    field: tuple[str, str], values: Strings, options: Iterable[str], what: str, *, book: Rulebook, doc: Document
) -> list[Problem]:
    """Each row whose text in a column (texts, candidates as tuples of texts, or None) is not one the rulebook
    declares, with a did-you-mean; ``field`` is the table and the column."""
    choices = set(options)
    listed = values.tolist()
    distinct = set(listed)
    named = {v for v in distinct if not isinstance(v, tuple)} | {c for v in distinct if isinstance(v, tuple) for c in v}
    unknown = named - choices - {None, ""}  # "" is how Items say "no named zone"
    problems: list[Problem] = []
    for value in sorted(unknown):
        hint = did_you_mean(value, choices)
        for row in (i for i, v in enumerate(listed) if v == value or (isinstance(v, tuple) and value in v)):
            problems.append(doc.problem((field[0], row, field[1]), f"unknown {what} {value!r} in rulebook {book.id}",
                                        value=value, suggestion=hint))
    return problems


def _strings(values: list[object], *, candidates: bool = False) -> Strings:
    """Raw values as a column of texts, None for anything that is not one (its own check reports it); with
    ``candidates``, a list of texts as candidate perpetrators (a sorted tuple)."""
    return object_column((v if isinstance(v, str) else _candidates(v) if candidates else None for v in values), len(values))


def _candidates(value: object) -> str | tuple[str, ...] | None:
    """A raw list of texts as ``Items`` hold candidates, else None."""
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return perpetrator(value)
    return None


def _get(item: object, name: str) -> object:
    """A field of a raw (parsed) dict or of a validated model; None where absent."""
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _entries(data: object, name: str) -> list[object]:
    value = _get(data, name)
    return value if isinstance(value, list) else []


class _Table:
    """One table's columns, converted and checked; problems are appended, never raised here."""

    def __init__(
        self, name: str, given: Mapping[str, Any], allowed: tuple[str, ...], required: tuple[str, ...], problems: list[Problem]
    ) -> None:
        self.name = name
        rejected = {column for column, values in given.items() if values is None}
        given = self.given = {column: values for column, values in given.items() if values is not None}
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
            if column not in given and column not in rejected and self.size:
                problems.append(_problem((name, column), "required column missing", None, f"add a {column!r} column"))
        self.ok = len(problems) == before
        self.attributes: dict[str, Floats] = {}
        self.origins: Floats | None = None
        self.baselines: Floats | None = None
        self.fatalities: Floats | None = None
        self.notes: Strings | None = None

    def __len__(self) -> int:
        return self.size

    def texts(self, column: str, problems: list[Problem], *, optional: bool, longest: int = MAX_ID) -> Strings:
        """A column of texts (None where optional and absent: None or NaN); anything else is a problem per row."""
        values = np.empty(self.size, dtype=object)
        if column not in self.given or not self.ok:
            return values
        raw = self.given[column]
        if isinstance(raw, np.ndarray) and raw.dtype.kind == "U":
            lengths = np.char.str_len(raw)
            values = _shared(raw) if column in _VOCABULARY else raw.astype(object)
            absent, wrong = np.zeros(self.size, dtype=bool), (lengths == 0) | (lengths > longest)
        else:
            values = object_column(raw, self.size)
            absent = np.asarray(np.frompyfunc(_absent, 1, 1)(values), dtype=bool)
            wrong = ~np.frompyfunc(lambda v: isinstance(v, str) and 1 <= len(v) <= longest, 1, 1)(values).astype(bool) & ~absent
        for row in np.flatnonzero(wrong | (absent & (not optional))):
            problems.append(_problem((self.name, int(row), column), f"expected a text of 1 to {longest} characters", _scalar(values[row])))
        values[absent | wrong] = None  # a wrong value is reported; the column holds texts or None
        return values

    def perpetrators(self, problems: list[Problem]) -> Strings:
        """The ``by`` column: per row an id, None or NaN (not known), or candidates (a list or tuple of ids, held
        as a sorted tuple), each checked by the row path's check; a wrong value is a problem and None."""
        raw = self.given.get("by")
        if raw is None or not self.ok or (isinstance(raw, np.ndarray) and raw.dtype.kind == "U"):
            return self.texts("by", problems, optional=True)
        values = object_column(raw, self.size)
        absent = np.asarray(np.frompyfunc(_absent, 1, 1)(values), dtype=bool)
        plain = np.frompyfunc(lambda v: isinstance(v, str) and 1 <= len(v) <= MAX_ID, 1, 1)(values).astype(bool)
        values[absent] = None
        for row in np.flatnonzero(~plain & ~absent):  # candidates, or a wrong value
            value = values[row]
            given = value.tolist() if isinstance(value, np.ndarray) else value  # a pyarrow list column's rows
            try:
                values[row] = perpetrator(check_perpetrator(given))
            except ValueError as exc:
                problems.append(_problem((self.name, int(row), "by"), str(exc), _scalar(given)))
                values[row] = None
        return values

    def numbers(
        self, column: str, problems: list[Problem], *, low: float, high: float, whole: bool = False, required: bool = False,
        attribute: str | None = None,
    ) -> Floats:
        """A numeric column (or an attribute's), NaN where absent (None or NaN); booleans, texts, infinite,
        out-of-range or fractional values are a problem per row, by the same check as the row path's."""
        given = self.given.get("attributes", {}) if attribute else self.given
        key = attribute or column
        if key not in given or not self.ok:
            return np.full(self.size, np.nan)
        raw = given[key]
        loc = (column, attribute) if attribute else (column,)
        if isinstance(raw, np.ndarray) and raw.dtype.kind in "iuf":
            values = np.asarray(raw, dtype=float)
            with np.errstate(invalid="ignore"):
                bad = np.isinf(values) | (values < low) | (values > high)
                if whole:
                    bad |= np.isfinite(values) & (values != np.round(values))
            if raw.dtype.kind in "iu":
                bad |= (raw < low) | (raw > high)
            rows = np.flatnonzero(bad)
        else:
            values, rows = _each(list(raw), number(low, high, whole=whole))
        what = "a whole number" if whole else "a finite number"
        for row in rows:
            value = raw[row]
            real = isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_)
            shown = float(value) if real else _scalar(value)
            problems.append(_problem((self.name, int(row), *loc), f"expected {what} from {low:g} to {high:g}", shown))
        if len(rows):
            values = values.copy()
            values[rows] = np.nan
        if required:
            for row in np.setdiff1d(np.flatnonzero(np.isnan(values)), rows):
                problems.append(_problem((self.name, int(row), *loc), f"expected {what} from {low:g} to {high:g}", None,
                                         "leave the field out where it has a default"))
        return values

    def instants(self, column: str, problems: list[Problem], *, required: bool = False) -> tuple[Floats, npt.NDArray[np.int32]]:
        """Epoch seconds and UTC offsets (NaN, 0 where absent); a time is ISO 8601 text with a date, a time and an
        offset, or an aware datetime, as in the row path; a numeric numpy array is taken as epoch seconds (UTC)."""
        seconds, offsets = np.full(self.size, np.nan), np.zeros(self.size, dtype=np.int32)
        if column not in self.given or not self.ok:
            return seconds, offsets
        raw = self.given[column]
        unreadable = np.zeros(self.size, dtype=bool)
        if isinstance(raw, np.ndarray) and raw.dtype.kind in "iuf":
            seconds = self.numbers(column, problems, low=EARLIEST_S, high=LATEST_S)
            unreadable = np.isnan(seconds) & ~np.isnan(raw.astype(float))
        elif isinstance(raw, np.ndarray) and raw.dtype.kind == "U":
            unique, inverse = np.unique(raw, return_inverse=True)
            each = [_instant(text) for text in unique.tolist()]
            seconds = np.array([e[0] for e in each], dtype=float)[inverse]
            offsets = np.array([e[1] for e in each], dtype=np.int32)[inverse]
            unreadable = np.array([e[2] is not None for e in each], dtype=bool)[inverse]
            for bad in np.flatnonzero(unreadable):
                problems.append(_problem((self.name, int(bad), column), str(each[inverse[bad]][2]), str(raw[bad])))
        else:
            values = list(raw)
            parsed: dict[object, tuple[float, int, str | None]] = {}
            for row, value in enumerate(values):
                if _absent(value):
                    continue
                key = None  # equal datetimes may differ in offset, which messages keep
                if isinstance(value, str | datetime):
                    key = (type(value), value, value.utcoffset() if isinstance(value, datetime) else None)
                found = parsed.get(key) if key is not None else None
                if found is None:
                    found = _instant(value)
                    if key is not None:
                        parsed[key] = found
                seconds[row], offsets[row] = found[0], found[1]
                if found[2] is not None:
                    unreadable[row] = True
                    problems.append(_problem((self.name, row, column), found[2], _scalar(value)))
        if required:
            for missing in np.flatnonzero(np.isnan(seconds) & ~unreadable):
                problems.append(_problem((self.name, int(missing), column), "required: when the act happened", None))
        return seconds, offsets

    def place(self, problems: list[Problem]) -> None:
        """Positions (both NaN = unknown), named zones and uncertainty, checked row by row as the row path does."""
        self.lat = self.numbers("lat", problems, low=-90, high=90)
        self.lon = self.numbers("lon", problems, low=-180, high=180)
        self.zone = self.texts("zone", problems, optional=True)
        self.radius = self.numbers("uncertainty_km", problems, low=0, high=MAX_KM)
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
        if not located.all():
            self.lat, self.lon = np.where(located, self.lat, np.nan), np.where(located, self.lon, np.nan)

    def _present(self, column: str) -> npt.NDArray[np.bool_]:
        """Rows that give a value (of any type) in a column: neither None nor NaN."""
        if column not in self.given or not self.ok:
            return np.zeros(self.size, dtype=bool)
        return ~np.asarray(np.frompyfunc(_absent, 1, 1)(object_column(self.given[column], self.size)), dtype=bool)

    def fix(self, point: str, problems: list[Problem]) -> Floats:
        """A point beside the position (incidents' ``origin``, units' ``baseline``) as longitude, latitude and
        uncertainty (NaN where not given): it is given by any of its columns (``<point>_lat``, ``<point>_lon``,
        ``<point>_uncertainty_km``), and then needs both ``<point>_lat`` and ``<point>_lon``, as in the row path."""
        names = (f"{point}_lat", f"{point}_lon", f"{point}_uncertainty_km")
        lat = self.numbers(names[0], problems, low=-90, high=90)
        lon = self.numbers(names[1], problems, low=-180, high=180)
        radius = self.numbers(names[2], problems, low=0, high=MAX_KM)
        present = {c: self._present(c) for c in names}
        stated = np.any(list(present.values()), axis=0)
        for column in names[:2]:
            for row in np.flatnonzero(stated & ~present[column]):
                problems.append(_problem((self.name, int(row), column), f"{'an' if point[0] in 'aeiou' else 'a'} {point} needs both "
                                         f"{names[0]} and {names[1]}", None, f"give both, or None (NaN) in all three {point} columns "
                                         f"for an unknown {point}"))
        located = ~np.isnan(lat) & ~np.isnan(lon)
        return np.column_stack([np.where(located, lon, np.nan), np.where(located, lat, np.nan), np.where(located, radius, np.nan)])

    def check_units(self, problems: list[Problem]) -> None:
        """Every unit column, and ids unique unless dated by distinct ``observed`` times."""
        self.ids = self.texts("id", problems, optional=False)
        self.actors = self.texts("party", problems, optional=False)
        self.kinds = self.texts("kind", problems, optional=False)
        count = self.numbers("count", problems, low=0, high=MAX_COUNT, whole=True, required=True)
        self.weights = np.where(np.isnan(count), 1, count).astype(np.int64)
        self.place(problems)
        self.baselines = self.fix("baseline", problems)
        self.start = self.instants("observed", problems)[0]
        self.stop, self.offsets = np.full(self.size, np.inf), np.zeros((self.size, 2), dtype=np.int32)
        dated = ~np.isnan(self.start)
        self.start[~dated] = -np.inf
        for name in self.given.get("attributes", {}):
            self.attributes[name] = self.numbers("attributes", problems, low=-MAX_ATTRIBUTE, high=MAX_ATTRIBUTE, attribute=name)
        if self.ok:
            problems += repeated_ids(self.name, self.ids, dated, self.start, Document(None, None))

    def check_incidents(self, problems: list[Problem]) -> None:
        """Every incident column; ``latest`` after ``time``; ids unique."""
        self.ids = self.texts("id", problems, optional=False)
        self.actors = self.perpetrators(problems)
        self.kinds = self.texts("kind", problems, optional=False)
        self.notes = self.texts("note", problems, optional=True, longest=MAX_NOTE)
        self.fatalities = self.numbers("fatalities", problems, low=0, high=MAX_FATALITIES, whole=True)
        self.weights = np.ones(self.size, dtype=np.int64)
        self.place(problems)
        self.origins = self.fix("origin", problems)
        self.start, first = self.instants("time", problems, required=True)
        latest, last = self.instants("latest", problems)
        for row in np.flatnonzero(latest <= self.start):
            problems.append(_problem(("incidents", int(row), "latest"), "'latest' must come after 'time'", float(latest[row])))
        given = ~np.isnan(latest)
        self.stop = np.where(given, latest, self.start)
        self.offsets = np.column_stack([first, np.where(given, last, first)]).astype(np.int32)
        if self.ok:
            problems += repeated_ids(self.name, self.ids, np.zeros(self.size, dtype=bool), self.start, Document(None, None))

    def build(self, book: Rulebook) -> Items:
        """The checked columns as ``Items``, without a Python object per row."""
        return Items.from_columns(
            book, ids=self.ids, actors=self.actors, kinds=self.kinds, weights=self.weights, lon=self.lon, lat=self.lat,
            radius_km=np.nan_to_num(self.radius), named_zone=np.where(_none(self.zone), "", self.zone),
            start=self.start, stop=self.stop, offsets=self.offsets, attributes=self.attributes,
            origin=self.origins, fatalities=self.fatalities, baseline=self.baselines, notes=self.notes,
        )


def _instant(value: object) -> tuple[float, int, str | None]:
    """Epoch seconds, UTC offset and an error (or None) for one time, checked as the row path checks it."""
    try:
        moment = instant(value)
    except ValueError as exc:
        return np.nan, 0, str(exc)
    offset = moment.utcoffset()
    return moment.timestamp(), int(offset.total_seconds()) if offset is not None else 0, None


def _shared(raw: npt.NDArray[np.str_]) -> Strings:
    """A numpy text column as objects, one per distinct text (of the first ``_DISTINCT``; any others, one per
    row), so a million rows of a few kinds hold a few texts, not a million."""
    values = np.empty(len(raw), dtype=object)
    left = np.ones(len(raw), dtype=bool)
    for _ in range(_DISTINCT):
        if not left.any():
            return values
        text = raw[left.argmax()]
        same = raw == text
        values[same] = str(text)
        left &= ~same
    values[left] = raw[left].astype(object)
    return values


def _absent(value: object) -> bool:
    """None, NaN or NaT (numpy's or pandas', and pandas' NA): how columns say a value is not known."""
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    pandas = sys.modules.get("pandas")  # a value of pandas' exists only once pandas is imported
    return pandas is not None and (value is pandas.NA or value is pandas.NaT)


def _each(values: list[Any], check: Callable[[object], float]) -> tuple[Floats, npt.NDArray[np.intp]]:
    """Each value through the row path's check: floats (NaN where absent) and the rows that failed."""
    out, bad = np.full(len(values), np.nan), []
    for row, value in enumerate(values):
        if _absent(value):
            continue
        try:
            out[row] = check(value.item() if isinstance(value, np.generic) else value)
        except ValueError:
            bad.append(row)
    return out, np.array(bad, dtype=np.intp)


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
