"""``truce.Columns``: the columnar path gives the row path's verdicts and rejects what it rejects, row by row."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import geopandas
import numpy as np
import pandas
import pyarrow as pa
import pytest
import shapely
import yaml
from hypothesis import HealthCheck, given, settings

import truce
from truce._columns import EARLIEST_S, LATEST_S
from truce.strategies import scenarios

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*/*.yaml"))
UNIT_FIELDS = ("id", "party", "kind", "count", "zone", "uncertainty_km", "observed")
INCIDENT_FIELDS = ("id", "time", "latest", "kind", "by", "zone", "uncertainty_km", "fatalities", "note")


def _column(rows: list[dict[str, Any]], field: str) -> list[Any]:
    return [str(r[field]) if field in ("time", "latest", "observed") and r.get(field) is not None else r.get(field) for r in rows]


def _table(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> dict[str, Any]:
    table: dict[str, Any] = {f: _column(rows, f) for f in fields if any(f in r for r in rows)}
    if any(r.get("position") for r in rows):
        table["lat"] = [r["position"]["lat"] if r.get("position") else np.nan for r in rows]
        table["lon"] = [r["position"]["lon"] if r.get("position") else np.nan for r in rows]
    for point in ("origin", "baseline"):
        if any(r.get(point) for r in rows):
            for field in ("lat", "lon", "uncertainty_km"):
                table[f"{point}_{field}"] = [(r.get(point) or {}).get(field, np.nan) for r in rows]
    if "count" in table:
        table["count"] = [1 if c is None else c for c in table["count"]]
    if "uncertainty_km" in table:
        table["uncertainty_km"] = [np.nan if u is None else u for u in table["uncertainty_km"]]
    names = sorted({a for r in rows for a in r.get("attributes", {})})
    if names:
        table["attributes"] = {a: [r.get("attributes", {}).get(a, np.nan) for r in rows] for a in names}
    return table


def as_columns(state: dict[str, Any]) -> truce.Columns:
    """The same state as columns, built independently of truce's own conversion."""
    header = {k: v for k, v in state.items() if k not in ("units", "incidents")}
    units, incidents = state.get("units") or [], state.get("incidents") or []
    return truce.Columns(units=_table(units, UNIT_FIELDS), incidents=_table(incidents, INCIDENT_FIELDS), **header)


def _dump(verdict: truce.Verdict) -> Any:
    """The verdict's JSON but the input's hash, which is of the form it came in (rows or columns)."""
    return json.loads(verdict.model_dump_json(exclude={"provenance": {"input"}}))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_example_gives_the_same_verdict_under_every_reading(path: Path) -> None:
    state = yaml.safe_load(path.read_text())
    book = truce.load_rulebook(state["agreement"])
    for reading in book.readings:
        assert _dump(truce.evaluate(as_columns(state), reading=reading)) == _dump(truce.evaluate(state, reading=reading))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(truce.load_rulebook("idlib-2019"), max_units=10, max_incidents=6))
def test_generated_states_give_the_same_verdict(state: dict[str, Any]) -> None:
    state = json.loads(json.dumps(state, default=str))
    assert _dump(truce.evaluate(as_columns(state))) == _dump(truce.evaluate(state))


def _base(**tables: Any) -> dict[str, Any]:
    return {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00", **tables}


def _problems(state: dict[str, Any]) -> dict[str, truce.Problem]:
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(truce.Columns(**state))
    return {p.path: p for p in caught.value.problems}


def test_unknown_ids_are_reported_per_row_with_did_you_mean() -> None:
    units = {"id": ["a", "b", "c"], "party": ["hts", "hst", "hst"], "kind": ["fighters", "tank", "tnak"], "zone": [None, "bufer", None]}
    found = _problems(_base(units=units))
    assert set(found) == {"units[1].party", "units[2].party", "units[2].kind", "units[1].zone"}
    assert found["units[1].party"].suggestion == "did you mean 'hts'?"
    assert found["units[2].kind"].value == "tnak"


def test_bad_values_are_reported_row_by_row() -> None:
    units = {
        "id": ["a", "b", "c", "d", "e", "a"],
        "party": ["hts"] * 6,
        "kind": ["fighters"] * 6,
        "count": [1, -3, 2.5, 1, 1, 1],
        "lat": [35.4, 91.0, np.nan, np.inf, 35.0, 35.0],
        "lon": [36.6, 36.6, 36.6, 36.6, 36.6, 36.6],
    }
    incidents = {
        "id": ["i1", "i2", "i3"],
        "time": ["2019-08-02T00:40:00", "2019-08-02T00:40:00+03:00", "yesterday"],
        "latest": [None, "2019-08-01T00:00:00+03:00", None],
        "kind": ["shelling"] * 3,
    }
    found = _problems(_base(units=units, incidents=incidents))
    assert set(found) == {
        "units[1].count", "units[2].count", "units[1].lat", "units[2].lat", "units[3].lat", "units[5].id",
        "incidents[0].time", "incidents[1].latest", "incidents[2].time",
    }
    assert "time zone required" in found["incidents[0].time"].message
    assert found["units[5].id"].value == "a"


def test_dated_observations_may_share_an_id_but_not_a_time() -> None:
    observed = ["2019-08-01T00:00:00+03:00", "2019-08-02T00:00:00+03:00", "2019-08-02T00:00:00+03:00"]
    units = {"id": ["a", "a", "a"], "party": ["hts"] * 3, "kind": ["fighters"] * 3, "observed": observed}
    assert set(_problems(_base(units=units))) == {"units[2].id"}


def test_unknown_columns_and_ragged_columns_are_named() -> None:
    units = {"id": ["a", "b"], "party": ["hts"], "kind": ["fighters", "fighters"], "cuont": [1, 2]}
    found = _problems(_base(units=units))
    assert found["units.cuont"].suggestion == "did you mean 'count'?"
    assert "units.party" in found


def test_thousands_of_bad_rows_are_all_kept_and_the_message_is_short() -> None:
    n = 5000
    units = {"id": [f"u{i}" for i in range(n)], "party": ["hst"] * n, "kind": ["fighters"] * n}
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(truce.Columns(**_base(units=units)))
    assert len(caught.value.problems) == n
    assert [p.path for p in caught.value.problems] == [f"units[{i}].party" for i in range(n)]
    assert len(str(caught.value).splitlines()) < 30


def test_numpy_arrays_and_epoch_seconds_are_accepted() -> None:
    rows = {"units": [{"id": f"u{i}", "party": "hts", "kind": "fighters", "count": 10, "position": {"lat": 35.44, "lon": 36.65}}
                      for i in range(3)],
            "incidents": [{"id": "i1", "time": "2019-08-02T00:40:00+00:00", "kind": "shelling", "by": "sy-gov",
                           "position": {"lat": 35.5, "lon": 36.6}}]}
    units = {"id": np.array(["u0", "u1", "u2"]), "party": np.array(["hts"] * 3), "kind": np.array(["fighters"] * 3),
             "count": np.array([10, 10, 10]), "lat": np.full(3, 35.44), "lon": np.full(3, 36.65)}
    incidents = {"id": ["i1"], "time": np.array([1564706400.0]), "kind": ["shelling"], "by": ["sy-gov"], "lat": [35.5], "lon": [36.6]}
    assert _dump(truce.evaluate(truce.Columns(units=units, incidents=incidents, **_base()))) == _dump(truce.evaluate(_base(**rows)))


def test_header_ids_are_checked_like_the_row_path() -> None:
    columns = truce.Columns(agreement="karabakh-2020", as_of="2020-12-02T12:00:00+03:00",
                            areas=[{"id": "kalbajr", "controlled_by": "az"}], units={}, incidents={})
    with pytest.raises(truce.ScenarioError) as info:
        truce.evaluate(columns)
    assert [(p.path, p.suggestion) for p in info.value.problems] == [("areas[0].id", "did you mean 'kalbajar'?")]


@pytest.mark.parametrize(
    ("units", "path"),
    [
        (5, "units"),
        ([{"id": "u"}], "units"),
        ("id,party,kind", "units"),
        ({"id": "u", "party": ["hts"], "kind": ["tank"]}, "units.id"),
        ({"id": np.array([["u"]]), "party": ["hts"], "kind": ["tank"]}, "units.id"),
        ({"id": ["u"], "party": ["hts"], "kind": ["tank"], "count": 3}, "units.count"),
        ({"id": ["u"], "party": ["hts"], "kind": ["tank"], "attributes": {"calibre_mm": 122}}, "units.attributes.calibre_mm"),
    ],
)
def test_columns_of_the_wrong_shape_are_problems_not_exceptions(units: Any, path: str) -> None:
    with pytest.raises(truce.ScenarioError) as caught:
        truce.Columns(units=units, agreement="idlib-2019", as_of="2019-08-03T12:00:00+03:00")
    assert [p.path for p in caught.value.problems] == [path]


def test_a_pandas_dataframe_gives_the_verdict_of_its_rows() -> None:
    rows = [
        {"id": "a", "party": "hts", "kind": "fighters", "count": 300, "lat": 35.4389, "lon": 36.6511},
        {"id": "b", "party": "nfl", "kind": "tank", "count": 2, "lat": None, "lon": None},
    ]
    frame = pandas.DataFrame(rows)
    incidents = pandas.DataFrame([{"id": "i", "time": "2019-08-02T00:40:00+03:00", "kind": "shelling", "by": None,
                                   "lat": 35.6139, "lon": 36.5611}])
    view = {column: frame[column].to_numpy() for column in frame.columns}
    for column in view.values():
        column.flags.writeable = False
    header = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00"}
    as_rows = {**header,
               "units": [{"id": "a", "party": "hts", "kind": "fighters", "count": 300, "position": {"lat": 35.4389, "lon": 36.6511}},
                         {"id": "b", "party": "nfl", "kind": "tank", "count": 2}],
               "incidents": [{"id": "i", "time": "2019-08-02T00:40:00+03:00", "kind": "shelling",
                              "position": {"lat": 35.6139, "lon": 36.5611}}]}
    expected = _dump(truce.evaluate(as_rows))
    assert _dump(truce.evaluate(truce.Columns(units=frame, incidents=incidents, **header))) == expected
    assert _dump(truce.evaluate(truce.Columns(units=view, incidents=incidents, **header))) == expected
    assert _dump(truce.evaluate(truce.Columns(units={c: frame[c] for c in frame.columns}, incidents=incidents, **header))) == expected


HEADER = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00"}
ROWS = {
    **HEADER,
    "units": [{"id": "a", "party": "hts", "kind": "fighters", "count": 300, "position": {"lat": 35.4389, "lon": 36.6511}},
              {"id": "b", "party": "nfl", "kind": "tank", "count": 2},
              {"id": "c", "party": "sy-gov", "kind": "tank", "count": 4, "position": {"lat": 35.6, "lon": 36.9}}],
    "incidents": [{"id": "i", "time": "2019-08-02T00:40:00+03:00", "kind": "shelling", "by": "sy-gov",
                   "position": {"lat": 35.6139, "lon": 36.5611}}],
}
UNITS = {"id": ["a", "b", "c"], "party": ["hts", "nfl", "sy-gov"], "kind": ["fighters", "tank", "tank"], "count": [300, 2, 4]}
LAT, LON = [35.4389, None, 35.6], [36.6511, None, 36.9]
INCIDENTS = {"id": ["i"], "time": ["2019-08-02T00:40:00+03:00"], "kind": ["shelling"], "by": ["sy-gov"], "lat": [35.6139], "lon": [36.5611]}


def test_read_only_and_strided_numpy_columns_give_the_verdict_of_rows() -> None:
    def strided(values: list[Any], dtype: Any = None) -> np.ndarray[Any, Any]:
        spaced = np.empty(2 * len(values), dtype=dtype or np.asarray(values).dtype)
        spaced[::2] = values
        column = spaced[::2]
        column.flags.writeable = False
        assert len(values) == 1 or not column.flags.c_contiguous
        return column

    units = {k: strided(v) for k, v in UNITS.items()}
    units |= {"lat": strided([np.nan if v is None else v for v in LAT]), "lon": strided([np.nan if v is None else v for v in LON])}
    incidents = {k: strided(v, object if k == "by" else None) for k, v in INCIDENTS.items()}
    incidents["time"] = strided([1564695600.0])  # epoch seconds: 2019-08-02T00:40:00+03:00
    expected = _dump(truce.evaluate(ROWS))
    assert _dump(truce.evaluate(truce.Columns(units=units, incidents=incidents, **HEADER)))["status"] == expected["status"]
    incidents["time"] = strided(INCIDENTS["time"])
    assert _dump(truce.evaluate(truce.Columns(units=units, incidents=incidents, **HEADER))) == expected


def test_pyarrow_tables_and_arrays_give_the_verdict_of_rows() -> None:
    expected = _dump(truce.evaluate(ROWS))
    table = pa.table({**UNITS, "lat": pa.array(LAT, pa.float64()), "lon": pa.array(LON, pa.float64())})
    arrays = {name: pa.chunked_array([column.chunk(0)[:1], column.chunk(0)[1:]]) for name, column in zip(
        table.column_names, table.columns, strict=True)}
    times = pa.array([datetime.datetime.fromisoformat(INCIDENTS["time"][0])], pa.timestamp("s", tz="+03:00"))
    incidents = pa.table({**INCIDENTS, "time": times, "fatalities": pa.array([None], pa.int64())})
    for units in (table, arrays, {name: pa.array(values) for name, values in {**UNITS, "lat": LAT, "lon": LON}.items()}):
        assert _dump(truce.evaluate(truce.Columns(units=units, incidents=incidents, **HEADER))) == expected


def test_bad_pyarrow_columns_are_problems_with_places() -> None:
    units = pa.table({**UNITS, "count": pa.array([300, -2, 4]), "kind": pa.array([["fighters"], ["tank"], None])})
    naive = pa.table({**INCIDENTS, "time": pa.array([datetime.datetime(2019, 8, 2)], pa.timestamp("s"))})
    with pytest.raises(truce.ScenarioError) as caught:
        truce.Columns(units=units, incidents=naive, **HEADER)
    assert [p.path for p in caught.value.problems] == [
        "units[0].kind", "units[1].kind", "units[2].kind", "units[1].count", "incidents[0].time",
    ]
    assert "time zone required" in str(caught.value)


def _frame(points: list[Any], crs: str | None = "EPSG:4326", **extra: list[Any]) -> geopandas.GeoDataFrame:
    return geopandas.GeoDataFrame({**UNITS, **extra}, geometry=geopandas.GeoSeries(points), crs=crs)


def test_a_geodataframe_of_points_gives_positions() -> None:
    points = [shapely.Point(36.6511, 35.4389), None, shapely.Point(36.9, 35.6)]
    expected = _dump(truce.evaluate(ROWS))
    incidents = pandas.DataFrame(INCIDENTS)
    assert _dump(truce.evaluate(truce.Columns(units=_frame(points), incidents=incidents, **HEADER))) == expected
    points[1] = shapely.Point()  # an empty point is an unknown position too
    crs84 = _frame(points, "OGC:CRS84").rename_geometry("where")
    assert _dump(truce.evaluate(truce.Columns(units=crs84, incidents=incidents, **HEADER))) == expected


@pytest.mark.parametrize(
    ("frame", "path", "fix"),
    [
        (lambda: _frame([shapely.Point(0, 0)] * 3).to_crs("EPSG:3857"), "units.geometry", "to_crs('EPSG:4326')"),
        (lambda: _frame([shapely.Point(0, 0)] * 3, None), "units.geometry", "set_crs('EPSG:4326')"),
        (lambda: _frame([shapely.Point(0, 0), shapely.box(36, 35, 37, 36), None]), "units[1].geometry", "as a point"),
        (lambda: _frame([shapely.Point(0, 0)] * 3, lat=[1, 2, 3]), "units.geometry", "drop the lon and lat"),
    ],
    ids=["projected", "no-crs", "polygon", "lat-too"],
)
def test_a_geodataframe_that_is_not_lon_lat_points_is_a_problem(frame: Any, path: str, fix: str) -> None:
    with pytest.raises(truce.ScenarioError) as caught:
        truce.Columns(units=frame(), **HEADER)
    assert [p.path for p in caught.value.problems] == [path]
    assert fix in (caught.value.problems[0].suggestion or "")


@pytest.mark.parametrize("value", [[], [1.0, 2.0], (35.0,), {"lat": 1}])
def test_an_origin_cell_holding_a_container_is_a_problem_not_a_crash(value: object) -> None:
    incidents = {"id": ["i"], "time": ["2019-08-02T00:40:00+03:00"], "kind": ["shelling"], "origin_lat": [value], "origin_lon": [36.6]}
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(truce.Columns(agreement="idlib-2019", as_of="2019-08-03T12:00:00+03:00", incidents=incidents))
    assert "incidents[0].origin_lat" in [p.path for p in caught.value.problems]


_BASE = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00"}
_ROWS = [{"id": "a", "time": "2019-08-02T00:40:00+03:00", "kind": "shelling", "by": "sy-gov", "position": {"lat": 35.4389, "lon": 36.6511}},
         {"id": "b", "time": "2019-08-02T00:40:00+03:00", "kind": "shelling", "position": {"lat": 35.4389, "lon": 36.6511}}]  # fmt: skip
_UNKNOWN = {"NaN": np.nan, "None": None, "pandas NA": pandas.NA}


@pytest.mark.parametrize("marker", list(_UNKNOWN), ids=str)
def test_a_missing_perpetrator_in_any_pandas_form_is_not_known_as_in_rows(marker: str) -> None:
    table = pandas.DataFrame({"id": ["a", "b"], "time": ["2019-08-02T00:40:00+03:00"] * 2, "kind": ["shelling"] * 2,
                              "by": pandas.Series(["sy-gov", _UNKNOWN[marker]], dtype="string" if marker == "pandas NA" else object),
                              "lat": [35.4389] * 2, "lon": [36.6511] * 2})  # fmt: skip
    from_columns = truce.evaluate(truce.Columns(incidents=table, **_BASE))
    assert _dump(from_columns) == _dump(truce.evaluate({**_BASE, "incidents": _ROWS}))
    assert truce.evaluate(truce.Columns(incidents=table.iloc[1:], **_BASE)).missing == ["the perpetrator of incident b (shelling)"]


@pytest.mark.parametrize("latest", [np.nan, None, pandas.NaT, np.datetime64("NaT")], ids=repr)
def test_a_missing_latest_time_is_an_exact_time_as_in_rows(latest: object) -> None:
    table = {"id": ["a"], "time": ["2019-08-02T00:40:00+03:00"], "latest": np.array([latest], dtype=object), "kind": ["shelling"],
             "by": ["sy-gov"], "lat": [35.4389], "lon": [36.6511]}  # fmt: skip
    columns = truce.Columns(incidents=table, **_BASE)
    assert _dump(truce.evaluate(columns)) == _dump(truce.evaluate({**_BASE, "incidents": _ROWS[:1]}))
    (incident,) = truce.timeline(columns).incidents
    assert incident.latest is None


def test_without_a_count_column_each_unit_counts_one_and_a_missing_count_is_a_problem() -> None:
    units = {"id": ["t1", "t2"], "party": ["hts", "hts"], "kind": ["fighters"] * 2, "lat": [35.4389] * 2, "lon": [36.6511] * 2}
    rows = [{"id": u, "party": "hts", "kind": "fighters", "position": {"lat": 35.4389, "lon": 36.6511}} for u in ("t1", "t2")]
    verdict = truce.evaluate(truce.Columns(units=units, **_BASE))
    assert _dump(verdict) == _dump(truce.evaluate({**_BASE, "units": rows}))
    assert verdict.finding("jihadists-leave-buffer").message.startswith("2 x fighters")
    for missing in (np.nan, None, pandas.NA):
        counted = pandas.Series([3, missing], dtype="Int64" if missing is pandas.NA else object)
        with pytest.raises(truce.ScenarioError) as caught:
            truce.Columns(units={**units, "count": counted}, **_BASE)
        assert [(p.path, p.suggestion) for p in caught.value.problems] == [
            ("units[1].count", "leave the field out where it has a default")]  # fmt: skip


def test_equal_instants_in_other_offsets_keep_each_its_own_offset() -> None:
    """Datetimes equal as instants are still two times to show: each message keeps the offset it was given in."""
    moment = datetime.datetime.fromisoformat("2019-08-02T00:40:00+03:00")
    times = [moment.astimezone(datetime.UTC), moment]
    rows = [{**row, "time": time} for row, time in zip(_ROWS, times, strict=True)]
    table = {"id": ["a", "b"], "time": times, "kind": ["shelling"] * 2, "by": ["sy-gov", None], "lat": [35.4389] * 2,
             "lon": [36.6511] * 2}  # fmt: skip
    line = truce.timeline(truce.Columns(incidents=table, **_BASE))
    assert [i.time.isoformat() for i in line.incidents] == ["2019-08-01T21:40:00+00:00", "2019-08-02T00:40:00+03:00"]
    assert _dump(truce.evaluate(truce.Columns(incidents=table, **_BASE))) == _dump(truce.evaluate({**_BASE, "incidents": rows}))


@pytest.mark.parametrize("distinct", [1, 2, 40])
def test_a_numpy_text_column_of_any_number_of_distinct_texts_reads_as_the_same_list(
    distinct: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows of one text share one object, for the first few distinct texts (here 2); the rest are read one per row."""
    monkeypatch.setattr("truce._columns._DISTINCT", 2)
    size = 90
    kinds = ["shelling", "air_strike", *(f"kind-{k}" for k in range(distinct))]  # known, known, unknown ones
    table = {"id": [f"i{i}" for i in range(size)], "time": ["2019-08-02T00:40:00+03:00"] * size, "lat": [35.4389] * size,
             "lon": [36.6511] * size, "kind": [kinds[i % (distinct + 2)] for i in range(size)],
             "by": [("sy-gov", "hts", "ru")[i % 3] for i in range(size)]}  # fmt: skip
    found = []
    for form in (table, {column: np.array(values) for column, values in table.items()}):
        columns = truce.Columns(incidents=form, **_BASE)
        with pytest.raises(truce.ScenarioError) as caught:
            truce.evaluate(columns)
        found.append([(p.path, p.message) for p in caught.value.problems])
        known = [i for i in range(size) if i % (distinct + 2) < 2]  # two kinds, three parties
        valid = {column: [values[i] for i in known] if isinstance(values, list) else values[known] for column, values in form.items()}
        found.append(_dump(truce.evaluate(truce.Columns(incidents=valid, **_BASE))))
    assert found[0] == found[2] and found[1] == found[3]
    assert len(found[0]) == sum(1 for i in range(size) if i % (distinct + 2) >= 2)


# What the columns path answers, problem by problem: each rejected input names its place, says what was expected,
# shows the value found and how to fix it, as the row path does.

IDLIB = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00"}
Told = list[tuple[str, str, object, str | None]]


def _told(**state: Any) -> Told:
    """Every problem a state of columns is rejected with (at construction or evaluation), in order."""
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(truce.Columns(**state))
    return [(p.path, p.message, p.value, p.suggestion) for p in caught.value.problems]


def _units(size: int = 1, **columns: Any) -> dict[str, Any]:
    return {"id": [f"u{i}" for i in range(size)], "party": ["hts"] * size, "kind": ["fighters"] * size, **columns}


def _incidents(size: int = 1, **columns: Any) -> dict[str, Any]:
    return {"id": [f"i{i}" for i in range(size)], "time": ["2019-08-02T00:40:00+03:00"] * size, "kind": ["shelling"] * size,
            **columns}  # fmt: skip


NOT_LON_LAT = "expected longitude and latitude (EPSG:4326)"
ONE_D = "expected a one-dimensional array or list of values, not"
CRS_FIX = "convert with frame.to_crs('EPSG:4326'), or set_crs('EPSG:4326') if they are lon/lat already"


@pytest.mark.parametrize(
    ("frame", "told"),
    [
        (lambda: _frame([shapely.Point(0, 0)] * 3).to_crs("EPSG:3857"),
         [("units.geometry", NOT_LON_LAT, "EPSG:3857", CRS_FIX)]),
        (lambda: _frame([shapely.Point(0, 0)] * 3, None), [("units.geometry", NOT_LON_LAT, "None", CRS_FIX)]),
        (lambda: _frame([shapely.Point(0, 0), shapely.box(36, 35, 37, 36), shapely.LineString([(0, 0), (1, 1)])]),
         [("units[1].geometry", "expected a point", "Polygon", "give each position as a point"),
          ("units[2].geometry", "expected a point", "LineString", "give each position as a point")]),
        (lambda: _frame([shapely.Point(0, 0)] * 3, lon=[1, 2, 3]),
         [("units.geometry", "give positions either as points or as lon and lat columns, not both", None, "drop the lon and lat columns")]),
        (lambda: _frame([shapely.Point(0, 0)] * 3, lat=[1, 2, 3]),
         [("units.geometry", "give positions either as points or as lon and lat columns, not both", None, "drop the lon and lat columns")]),
    ],
    ids=["projected", "no-crs", "not-points", "lon-too", "lat-too"],
)
def test_a_geodataframe_that_is_not_lon_lat_points_says_what_it_found_and_what_to_do(frame: Any, told: Told) -> None:
    assert _told(units=frame(), **IDLIB) == told


@pytest.mark.parametrize(
    ("units", "told"),
    [
        (5, [("units", "expected a mapping of column names to arrays", 5,
              "e.g. {'id': [...], 'party': [...]}, a pandas DataFrame or a pyarrow Table")]),
        ([{"id": "u"}], [("units", "expected a mapping of column names to arrays", "[{'id': 'u'}]",
                          "e.g. {'id': [...], 'party': [...]}, a pandas DataFrame or a pyarrow Table")]),
        ({**_units(), "id": "u"}, [("units.id", f"{ONE_D} str", "u", "give one value per row")]),
        ({**_units(), "party": {"hts": 1}},
         [("units.party", f"{ONE_D} dict", "{'hts': 1}", "give one value per row")]),
        ({**_units(), "id": np.array([["u"]])},
         [("units.id", f"{ONE_D} a 2-dimensional array", repr(np.array([["u"]])),
           "give one value per row")]),
        ({**_units(), "count": 3}, [("units.count", f"{ONE_D} int", 3, "give one value per row")]),
        ({**_units(), "attributes": {"calibre_mm": 122.0}},
         [("units.attributes.calibre_mm", f"{ONE_D} float", 122.0, "give one value per row")]),
    ],
    ids=["number", "rows", "text", "mapping", "2d", "count", "attribute"],
)
def test_a_table_or_column_of_the_wrong_shape_says_what_it_is(units: Any, told: Told) -> None:
    assert _told(units=units, **IDLIB) == told


def test_unknown_ragged_and_missing_columns_say_what_to_do() -> None:
    units = {"id": ["a", "b"], "party": ["hts"], "cuont": [1, 2], "attributes": {"calibre_mm": [1.0, 2.0, 3.0]}}
    assert _told(units=units, **IDLIB) == [
        ("units.cuont", "unknown column; a typo here would silently drop data", "cuont", "did you mean 'count'?"),
        ("units.id", "has 2 rows, other columns have 3", 2, "give every column the same length"),
        ("units.party", "has 1 rows, other columns have 3", 1, "give every column the same length"),
        ("units.cuont", "has 2 rows, other columns have 3", 2, "give every column the same length"),
        ("units.kind", "required column missing", None, "add a 'kind' column"),
    ]
    incidents = {"id": ["i"], "kind": ["shelling"]}
    assert _told(incidents=incidents, **IDLIB) == [("incidents.time", "required column missing", None, "add a 'time' column")]


def test_a_required_column_given_in_the_wrong_shape_is_not_also_missing_and_empty_tables_need_no_columns() -> None:
    assert [path for path, *_ in _told(units={**_units(), "kind": "fighters"}, **IDLIB)] == ["units.kind"]
    assert truce.evaluate(truce.Columns(units={}, incidents={"note": []}, **IDLIB)).status == truce.evaluate(IDLIB).status
    assert len(truce.Columns(units=_units(3), incidents=_incidents(2), **IDLIB)) == 5
    assert len(truce.Columns(**IDLIB)) == 0


MOSCOW_TIME = "2020-03-06T12:00:00+03:00"
MOSCOW_RECORDS = {
    "patrols": {"entries": [{"id": "p1", "time": MOSCOW_TIME, "parties": ["ru", "tk"], "road": "m5"},
                            {"id": "p1", "time": MOSCOW_TIME, "parties": ["tr"]}]},
    "inspections": {"entries": [{"id": "x1", "time": MOSCOW_TIME, "parties": ["ru"], "zone": "coridor"}]},
    "roads": {"entries": [{"id": "r1", "time": MOSCOW_TIME, "road": "m4", "status": "open"}]},
    "posts": {"entries": [{"id": "s1", "time": MOSCOW_TIME, "post": "op-1", "status": "manned"}]},
    "permissions": {"entries": [{"id": "g1", "time": MOSCOW_TIME, "granted_by": "rus", "clause": "no-military-actoin",
                                 "parties": ["hts", "nfll"], "valid": {"start": MOSCOW_TIME, "end": "2020-03-07T12:00:00+03:00"}}]},
    "objections": {"entries": [{"id": "o1", "time": MOSCOW_TIME, "party": "sy-gvo", "clause": "joint-patrols-m4"}]},
}  # fmt: skip
EVERY_PARTY = "expected one of: hts, ir, jihadists, nfl, other-jihadists, other-rebels, rebels, ru, sy-gov, tr"


@pytest.mark.parametrize("form", ["rows", "columns"])
def test_records_naming_what_the_rulebook_does_not_declare_are_rejected_id_by_id(form: str) -> None:
    state = {"agreement": "moscow-2020", "as_of": "2020-03-08T12:00:00+03:00", "records": MOSCOW_RECORDS}
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(truce.Columns(**state) if form == "columns" else state)
    at = "records.{}.entries[0].{}".format
    assert [(p.path, p.message, p.value, p.suggestion) for p in caught.value.problems] == [
        (at("patrols", "parties[1]"), "unknown party or group 'tk' in rulebook moscow-2020", "tk", EVERY_PARTY),
        (at("patrols", "road"), "unknown road 'm5' in rulebook moscow-2020", "m5", "expected one of: m4-trumba-ain-al-havr"),
        ("records.patrols.entries[1].id", "id 'p1' is used twice among the patrols", "p1", "give each record of a kind its own id"),
        (at("inspections", "zone"), "unknown zone 'coridor' in rulebook moscow-2020", "coridor", "did you mean 'corridor'?"),
        (at("roads", "road"), "unknown road 'm4' in rulebook moscow-2020", "m4", "expected one of: m4-trumba-ain-al-havr"),
        (at("posts", "post"), "unknown post 'op-1' in rulebook moscow-2020", "op-1", None),
        (at("permissions", "parties[1]"), "unknown party or group 'nfll' in rulebook moscow-2020", "nfll", "did you mean 'nfl'?"),
        (at("permissions", "granted_by"), "unknown party or group 'rus' in rulebook moscow-2020", "rus", "did you mean 'ru'?"),
        (at("permissions", "clause"), "unknown clause 'no-military-actoin' in rulebook moscow-2020", "no-military-actoin",
         "did you mean 'no-military-action'?"),
        (at("objections", "party"), "unknown party or group 'sy-gvo' in rulebook moscow-2020", "sy-gvo", "did you mean 'sy-gov'?"),
    ]


KARABAKH_TIME = "2020-11-12T10:00:00+03:00"
TWICE = "ids must be unique; observations of one unit need distinct 'observed' times"
KARABAKH_ZONES = "expected one of: lachin-corridor, peacekeeping-area"
INCIDENT_KEYS = "expected one of: by, fatalities, id, kind, latest, note, origin, position, source, time, uncertainty_km, zone"


def test_a_scenario_that_fails_validation_also_names_every_unknown_or_repeated_id_of_its_raw_rows() -> None:
    """One pass tells every problem: the count out of range, and each id the rulebook does not know, in every table."""
    state = {
        "agreement": "karabakh-2020", "as_of": "2020-11-12T12:00:00+03:00", "reading": "txet",
        "areas": [{"id": "kalbajr", "controlled_by": "az"}, {"id": "lachin", "controlled_by": "arm"}, {"id": "lachin"}],
        "units": [{"id": "u1", "party": "az", "kind": "tank", "count": -1, "attributes": {"calibre_mm": 1.0}},
                  {"id": "u2", "party": "amr", "kind": "tnak", "zone": "lachn", "observed": KARABAKH_TIME},
                  {"id": "u2", "party": "am", "kind": "tank", "observed": KARABAKH_TIME},
                  {"id": "u3", "party": "am", "kind": "tank"}, {"id": "u3", "party": "am", "kind": "tank", "observed": KARABAKH_TIME},
                  {"id": "u4", "party": "am", "kind": "tank", "observed": KARABAKH_TIME}, {"id": "u4", "party": "am", "kind": "tank"},
                  {"id": "u5", "party": "am", "kind": "tank", "observed": KARABAKH_TIME},
                  {"id": "u5", "party": "am", "kind": "tank", "observed": "2020-11-12T11:00:00+03:00"}],
        "incidents": [{"id": "i1", "time": KARABAKH_TIME, "kind": "shellng", "by": ["az", "amm"]},
                      {"id": "i1", "time": KARABAKH_TIME, "kind": "shelling", "by": "ru", "zone": "nowhere"},
                      {"id": "i2", "time": KARABAKH_TIME, "kind": "shelling", "observed": KARABAKH_TIME},
                      {"id": "i2", "time": KARABAKH_TIME, "kind": "shelling", "observed": "2020-11-12T11:00:00+03:00"}],
    }  # fmt: skip
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(state)
    assert str(caught.value).splitlines()[0] == "invalid scenario: 19 problems"
    assert [(p.path, p.message, p.value, p.suggestion) for p in caught.value.problems] == [
        ("areas[0].id", "unknown area 'kalbajr' in rulebook karabakh-2020", "kalbajr", "did you mean 'kalbajar'?"),
        ("areas[1].controlled_by", "unknown party or group 'arm' in rulebook karabakh-2020", "arm", "did you mean 'am'?"),
        ("areas[2].id", "area 'lachin' is listed twice", "lachin", None),
        ("incidents[0].by", "unknown party or group 'amm' in rulebook karabakh-2020", "amm", "did you mean 'am'?"),
        ("incidents[0].kind", "unknown incident kind 'shellng' in rulebook karabakh-2020", "shellng", "did you mean 'shelling'?"),
        ("incidents[1].id", "id 'i1' is used twice", "i1", TWICE),
        ("incidents[1].zone", "unknown zone 'nowhere' in rulebook karabakh-2020", "nowhere", KARABAKH_ZONES),
        ("incidents[2].observed", "unknown field; a typo here would silently drop data", None, INCIDENT_KEYS),
        ("incidents[3].id", "id 'i2' is used twice", "i2", TWICE),  # an incident is never an observation, whatever it carries
        ("incidents[3].observed", "unknown field; a typo here would silently drop data", None, INCIDENT_KEYS),
        ("reading", "unknown reading 'txet' in rulebook karabakh-2020", "txet", "did you mean 'text'?"),
        ("units[0].attributes.calibre_mm", "unknown attribute 'calibre_mm' in rulebook karabakh-2020", "calibre_mm", None),
        ("units[0].count", "Input should be greater than or equal to 0", -1, None),
        ("units[1].kind", "unknown kind 'tnak' in rulebook karabakh-2020", "tnak", "did you mean 'tank'?"),
        ("units[1].party", "unknown party or group 'amr' in rulebook karabakh-2020", "amr", "did you mean 'am'?"),
        ("units[1].zone", "unknown zone 'lachn' in rulebook karabakh-2020", "lachn", KARABAKH_ZONES),
        ("units[2].id", "id 'u2' is used twice", "u2", TWICE),
        ("units[4].id", "id 'u3' is used twice", "u3", TWICE),
        ("units[6].id", "id 'u4' is used twice", "u4", TWICE),
    ]


def test_the_header_of_columns_is_checked_against_the_rulebook_as_in_rows() -> None:
    header = {"agreement": "karabakh-2020", "as_of": "2020-11-12T12:00:00+03:00", "reading": "txet",
              "areas": [{"id": "kalbajr", "controlled_by": "az"}, {"id": "lachin", "controlled_by": "arm"}, {"id": "lachin"}],
              "expect": {"text": {"status": "holds"}, "extendd": {"status": "holds"}}}  # fmt: skip
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(truce.Columns(**header))
    assert str(caught.value).splitlines()[0] == "scenario columns do not fit rulebook karabakh-2020: 5 problems"
    assert [(p.path, p.message, p.value, p.suggestion) for p in caught.value.problems] == [
        ("areas[2].id", "area 'lachin' is listed twice", "lachin", None),
        ("areas[0].id", "unknown area 'kalbajr' in rulebook karabakh-2020", "kalbajr", "did you mean 'kalbajar'?"),
        ("areas[1].controlled_by", "unknown party or group 'arm' in rulebook karabakh-2020", "arm", "did you mean 'am'?"),
        ("reading", "unknown reading 'txet' in rulebook karabakh-2020", "txet", "did you mean 'text'?"),
        ("expect.extendd", "unknown reading 'extendd' in rulebook karabakh-2020", "extendd", "did you mean 'extended'?"),
    ]


def test_units_of_columns_sharing_an_id_need_each_its_own_observed_time() -> None:
    observed = [None, KARABAKH_TIME, KARABAKH_TIME, None, "2020-11-12T11:00:00+03:00", KARABAKH_TIME, KARABAKH_TIME]
    units = {"id": ["u3", "u3", "u4", "u4", "u5", "u5", "u6"], "party": ["am"] * 7, "kind": ["tank"] * 7, "observed": observed}
    incidents = {"id": ["i1", "i2", "i1"], "time": [KARABAKH_TIME] * 3, "kind": ["shelling"] * 3}
    assert _told(units=units, incidents=incidents, agreement="karabakh-2020", as_of="2020-11-12T12:00:00+03:00") == [
        ("units[1].id", "id 'u3' is used twice", "u3", TWICE),
        ("units[3].id", "id 'u4' is used twice", "u4", TWICE),
        ("incidents[2].id", "id 'i1' is used twice", "i1", TWICE),
    ]


def test_unknown_ids_and_attributes_in_columns_are_named_row_by_row() -> None:
    units = {"id": ["a", "b", "c"], "party": ["il", "sy-gov", "il"], "kind": ["tank", "tank", "tnak"],
             "attributes": {"calibre": [np.nan, 122.0, 125.0], "calibre_mm": [105.0, np.nan, 122.0],
                            "reach_km": [5.0, None, None]}}  # fmt: skip
    incidents = {"id": ["i"], "time": ["1974-06-10T10:00:00+03:00"], "kind": ["shellng"], "by": [["il", "sy-gvo"]], "zone": ["separatoin"]}
    told = _told(units=units, incidents=incidents, agreement="golan-1974", as_of="1974-06-11T12:00:00+03:00")
    assert told == [
        ("incidents[0].by", "unknown party or group 'sy-gvo' in rulebook golan-1974", "sy-gvo", "expected one of: il, sy, un"),
        ("incidents[0].kind", "unknown incident kind 'shellng' in rulebook golan-1974", "shellng", "did you mean 'shelling'?"),
        ("incidents[0].zone", "unknown zone 'separatoin' in rulebook golan-1974", "separatoin", "did you mean 'separation'?"),
        ("units[0].attributes.reach_km", "unknown attribute 'reach_km' in rulebook golan-1974", "reach_km", "did you mean 'range_km'?"),
        ("units[1].attributes.calibre", "unknown attribute 'calibre' in rulebook golan-1974", "calibre", "did you mean 'calibre_mm'?"),
        ("units[1].party", "unknown party or group 'sy-gov' in rulebook golan-1974", "sy-gov", "expected one of: il, sy, un"),
        ("units[2].attributes.calibre", "unknown attribute 'calibre' in rulebook golan-1974", "calibre", "did you mean 'calibre_mm'?"),
        ("units[2].kind", "unknown kind 'tnak' in rulebook golan-1974", "tnak", "did you mean 'tank'?"),
    ]


def test_a_text_that_is_empty_too_long_or_no_text_is_named_with_the_value_found() -> None:
    units = {"id": np.array(["", "x" * 201, "x" * 200]), "party": np.array(["hts"] * 3), "kind": ["fighters", 5, None]}
    assert _told(units=units, **IDLIB) == [
        ("units[0].id", "expected a text of 1 to 200 characters", "", None),
        ("units[1].id", "expected a text of 1 to 200 characters", "x" * 201, None),
        ("units[1].kind", "expected a text of 1 to 200 characters", 5, None),
        ("units[2].kind", "expected a text of 1 to 200 characters", None, None),
    ]
    notes = {"note": np.array(["x" * 10_001, "a note", ""]), "zone": [None, np.nan, "buffer"]}
    assert _told(incidents=_incidents(3, **notes), **IDLIB) == [
        ("incidents[0].note", "expected a text of 1 to 10000 characters", "x" * 10_001, None),
        ("incidents[2].note", "expected a text of 1 to 10000 characters", "", None),
    ]


WHOLE_COUNT = "expected a whole number from 0 to 1e+09"
DEFAULTED = "leave the field out where it has a default"


@pytest.mark.parametrize(
    ("counts", "told"),
    [
        (np.array([1.0, 2.5, -1.0, np.nan]), [("units[1].count", WHOLE_COUNT, 2.5, None), ("units[2].count", WHOLE_COUNT, -1.0, None),
                                              ("units[3].count", WHOLE_COUNT, None, DEFAULTED)]),
        ([1, True, "3", 2.5], [("units[1].count", WHOLE_COUNT, True, None), ("units[2].count", WHOLE_COUNT, "3", None),
                               ("units[3].count", WHOLE_COUNT, 2.5, None)]),
        (np.array([2**62, 5, 0, 1_000_000_001], dtype=np.int64), [("units[0].count", WHOLE_COUNT, float(2**62), None),
                                                                  ("units[3].count", WHOLE_COUNT, 1_000_000_001.0, None)]),
        (np.array([1, 2, 3, 4], dtype=np.uint64) + np.uint64(2**63), [(f"units[{row}].count", WHOLE_COUNT, 2.0**63 + row + 1, None)
                                                                       for row in range(4)]),
    ],
    ids=["floats", "objects", "int64", "uint64"],
)
def test_a_count_out_of_range_fractional_or_not_a_number_is_named_with_the_value_found(counts: Any, told: Told) -> None:
    """The value is shown as given (a boolean stays a boolean, a text a text), a number as a float."""
    assert [(*t, type(t[2])) for t in _told(units=_units(4, count=counts), **IDLIB)] == [(*t, type(t[2])) for t in told]


def test_fatalities_and_positions_are_checked_against_their_limits() -> None:
    fatalities = np.array([0, -2, 10_000_001])
    assert _told(incidents=_incidents(3, fatalities=fatalities), **IDLIB) == [
        ("incidents[1].fatalities", "expected a whole number from 0 to 1e+07", -2.0, None),
        ("incidents[2].fatalities", "expected a whole number from 0 to 1e+07", 10_000_001.0, None),
    ]
    place = {"lat": [35.0, None, 35.0, 95.0], "lon": [36.0, None, None, 36.0], "zone": ["buffer", None, None, None],
             "uncertainty_km": np.array([1, 2, 3, 4], dtype=np.uint8)}  # fmt: skip
    assert _told(units=_units(4, **place), **IDLIB) == [
        ("units[3].lat", "expected a finite number from -90 to 90", 95.0, None),
        ("units[2].lon", "a position needs both lat and lon", None, "give both, or NaN in both for an unknown position"),
        ("units[3].lat", "a position needs both lat and lon", None, "give both, or NaN in both for an unknown position"),
        ("units[0].zone", "give either a position or a zone, not both", "buffer", None),
        ("units[1].uncertainty_km", "'uncertainty_km' qualifies a position; give one or drop it", 2.0, None),
        ("units[2].uncertainty_km", "'uncertainty_km' qualifies a position; give one or drop it", 3.0, None),
        ("units[3].uncertainty_km", "'uncertainty_km' qualifies a position; give one or drop it", 4.0, None),
    ]


def test_times_of_columns_are_named_when_unreadable_missing_out_of_range_or_not_before_latest() -> None:
    seconds = np.array([1564695600.0, np.nan, 1e12])
    assert _told(incidents=_incidents(3, time=seconds), **IDLIB) == [
        ("incidents[2].time", "expected a finite number from -3.06102e+10 to 2.21845e+11", 1e12, None),
        ("incidents[1].time", "required: when the act happened", None, None),
    ]
    times = np.array(["2019-08-02T00:40:00+03:00", "yesterday", "2019-08-02T00:40:00+03:00"])
    latest = np.array(["2019-08-02T00:40:00+03:00", "2019-08-02T00:41:00+03:00", "2019-08-01T00:40:00+00:00"])
    assert _told(incidents=_incidents(3, time=times, latest=latest), **IDLIB) == [
        ("incidents[1].time", "expected a time with a date, a time and an offset (e.g. 2019-08-02T00:40:00+03:00)", "yesterday", None),
        ("incidents[0].latest", "'latest' must come after 'time'", 1564695600.0, None),
        ("incidents[2].latest", "'latest' must come after 'time'", 1564620000.0, None),
    ]
    assert _told(incidents=_incidents(2, time=["2019-08-02T00:40:00+03:00", None]), **IDLIB) == [
        ("incidents[1].time", "required: when the act happened", None, None)]  # fmt: skip


def _timeline(incidents: dict[str, Any]) -> list[Any]:
    return list(truce.timeline(truce.Columns(incidents=incidents, **IDLIB)).incidents)


def test_each_time_keeps_the_offset_it_was_given_in_and_epoch_seconds_are_utc() -> None:
    times = np.array(["2019-08-02T00:40:00+03:00", "2019-08-01T22:40:00+01:00", "2019-08-02T00:40:00+03:00"])
    table = _incidents(3, time=times, latest=["2019-08-02T01:40:00+02:00", None, np.nan], by=["sy-gov"] * 3, lat=[35.4389] * 3,
                       lon=[36.6511] * 3)  # fmt: skip
    read = [(i.time.isoformat(), i.latest and i.latest.isoformat()) for i in _timeline(table)]
    assert read == [("2019-08-02T00:40:00+03:00", "2019-08-02T01:40:00+02:00"), ("2019-08-01T22:40:00+01:00", None),
                    ("2019-08-02T00:40:00+03:00", None)]  # fmt: skip
    table["time"] = np.array([1564695600, 1564695600, 1564695601])
    read = [(i.time.isoformat(), i.latest and i.latest.isoformat()) for i in _timeline(table)]
    assert read == [("2019-08-01T21:40:00+00:00", "2019-08-02T01:40:00+02:00"), ("2019-08-01T21:40:00+00:00", None),
                    ("2019-08-01T21:40:01+00:00", None)]  # fmt: skip


def test_counts_of_columns_add_up_in_the_finding() -> None:
    units = _units(2, lat=[35.4389] * 2, lon=[36.6511] * 2, count=np.array([3, 4]))
    assert truce.evaluate(truce.Columns(units=units, **IDLIB)).finding("jihadists-leave-buffer").message.startswith("7 x fighters")


def test_candidate_perpetrators_and_points_beside_the_position_are_checked_as_in_rows() -> None:
    by = [["sy-gov", "ru"], ["hts", 1], np.array(["hts", "nfl"])]
    assert _told(incidents=_incidents(3, by=by, origin_uncertainty_km=[1.0, None, None]), **IDLIB) == [
        ("incidents[1].by", "expected candidates as texts of 1 to 200 characters", "['hts', 1]", None),
        ("incidents[0].origin_lat", "an origin needs both origin_lat and origin_lon", None,
         "give both, or None (NaN) in all three origin columns for an unknown origin"),
        ("incidents[0].origin_lon", "an origin needs both origin_lat and origin_lon", None,
         "give both, or None (NaN) in all three origin columns for an unknown origin"),
    ]
    assert _told(units=_units(2, baseline_lat=[None, 35.0]), **IDLIB) == [
        ("units[1].baseline_lon", "a baseline needs both baseline_lat and baseline_lon", None,
         "give both, or None (NaN) in all three baseline columns for an unknown baseline"),
    ]


def test_the_message_counts_the_problems_and_lists_the_first_twenty() -> None:
    with pytest.raises(truce.ScenarioError) as caught:
        truce.Columns(units={"id": ["u"], "party": ["hts"], "kind": ["fighters"], "cuont": [1]}, **IDLIB)
    assert str(caught.value) == ("invalid scenario columns: 1 problem\n  - <input>: units.cuont: unknown column; a typo here would "
                                 "silently drop data (did you mean 'count'?)")  # fmt: skip
    with pytest.raises(truce.ScenarioError) as caught:
        truce.Columns(units=_units(25, kind=["tank", 1] * 12 + [2]), **IDLIB)
    lines = str(caught.value).splitlines()
    assert lines[0] == "invalid scenario columns: 13 problems" and len(lines) == 14
    with pytest.raises(truce.ScenarioError) as caught:
        truce.Columns(units=_units(20, kind=[1] * 20), **IDLIB)
    assert len(str(caught.value).splitlines()) == 21  # all twenty listed, nothing more to say
    with pytest.raises(truce.ScenarioError) as caught:
        truce.Columns(units=_units(25, kind=[1] * 25), **IDLIB)
    lines = str(caught.value).splitlines()
    assert lines[0] == "invalid scenario columns: 25 problems"
    assert lines[1:] == [f"  - <input>: units[{row}].kind: expected a text of 1 to 200 characters" for row in range(20)] + [
        "  ... and 5 more (all in error.problems)"]  # fmt: skip


def test_rows_of_a_numpy_column_of_rulebook_ids_share_one_text_per_distinct_value() -> None:
    """A million incidents of three kinds hold three texts, not a million (the timeline reads them as given)."""
    size = 9
    table = _incidents(size, kind=np.array(["shelling", "air_strike", "armed_clash"] * 3), by=np.array(["hts", "sy-gov", "ru"] * 3))
    line = _timeline({column: np.array(values) for column, values in table.items()})
    assert [i.kind for i in line] == ["shelling", "air_strike", "armed_clash"] * 3
    assert len({id(i.kind) for i in line}) == 3
    assert len({id(i.by) for i in line}) == 3


def test_a_pandas_column_named_geometry_is_an_unknown_column_not_a_position() -> None:
    """Only a GeoDataFrame's geometry gives positions; a plain DataFrame's ``geometry`` is a column like any other."""
    frame = pandas.DataFrame({**UNITS, "geometry": [1, 2, 3]})
    ((path, message, value, _),) = _told(units=frame, **IDLIB)
    assert (path, message, value) == ("units.geometry", "unknown column; a typo here would silently drop data", "geometry")


def test_numbers_given_as_a_list_of_numpy_scalars_read_as_numbers() -> None:
    units = _units(2, lat=[np.float64(35.4389)] * 2, lon=[np.float32(36.6511)] * 2, count=list(np.array([3, 4])))
    assert truce.evaluate(truce.Columns(units=units, **IDLIB)).finding("jihadists-leave-buffer").message.startswith("7 x fighters")


@pytest.mark.parametrize("form", ["rows", "columns"])
def test_a_repeated_id_is_named_in_both_forms_unless_each_row_is_an_observation_at_its_own_time(form: str) -> None:
    first, second = "2019-08-01T00:00:00+03:00", "2019-08-02T00:00:00+03:00"
    units = [{"id": "a", "party": "hts", "kind": "fighters"}, {"id": "a", "party": "hts", "kind": "fighters"},
             {"id": "b", "party": "hts", "kind": "fighters", "observed": first},
             {"id": "b", "party": "hts", "kind": "fighters", "observed": second},
             {"id": "c", "party": "hts", "kind": "fighters", "observed": second},
             {"id": "c", "party": "hts", "kind": "fighters", "observed": second}]  # fmt: skip
    incidents = [{"id": "i", "time": first, "kind": "shelling"}, {"id": "i", "time": second, "kind": "shelling"}]
    state = {**IDLIB, "units": units, "incidents": incidents}
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(as_columns(state) if form == "columns" else state)
    assert sorted((p.path, p.message, p.value, p.suggestion) for p in caught.value.problems) == [
        ("incidents[1].id", "id 'i' is used twice", "i", TWICE),
        ("units[1].id", "id 'a' is used twice", "a", TWICE),
        ("units[5].id", "id 'c' is used twice", "c", TWICE),
    ]


def test_rows_without_an_id_are_each_named_once_not_as_repeats() -> None:
    told = _told(units=_units(2, id=[None, None]), incidents=_incidents(2, id=np.array([None, None]), note=[None, "a note"]), **IDLIB)
    assert told == [("units[0].id", "expected a text of 1 to 200 characters", None, None),
                    ("units[1].id", "expected a text of 1 to 200 characters", None, None),
                    ("incidents[0].id", "expected a text of 1 to 200 characters", None, None),
                    ("incidents[1].id", "expected a text of 1 to 200 characters", None, None)]  # fmt: skip


def test_a_bad_header_and_bad_tables_are_all_told_at_once() -> None:
    with pytest.raises(truce.ScenarioError) as caught:
        truce.Columns(agreement="idlib-2019", as_of="yesterday", units={**_units(), "cuont": [1]}, incidents=[{"id": "i"}])
    assert str(caught.value).splitlines()[0] == "invalid scenario columns: 3 problems"
    assert [(p.path, p.message, p.value, p.suggestion) for p in caught.value.problems] == [
        ("as_of", "expected a time with a date, a time and an offset (e.g. 2019-08-02T00:40:00+03:00)", "yesterday", None),
        ("units.cuont", "unknown column; a typo here would silently drop data", "cuont", "did you mean 'count'?"),
        ("incidents", "expected a mapping of column names to arrays", "[{'id': 'i'}]",
         "e.g. {'id': [...], 'party': [...]}, a pandas DataFrame or a pyarrow Table"),
    ]


def test_fatalities_in_columns_decide_a_threshold_of_fatalities_as_in_rows(tmp_path: Path) -> None:
    book = tmp_path / "book.yaml"
    book.write_text(
        "id: serious\ntitle: Test\ndate: 2020-01-01\nsummary: A test.\nsources: [{title: none}]\n"
        "parties: {a: {name: Party A}}\nkinds: {troops: {name: troops}}\nincident_kinds: {shelling: {name: shelling}}\n"
        "readings: {text: {name: text, description: The text.}}\n"
        "in_force: {start: 2020-01-01T00:00:00+00:00, end: 2020-03-01T00:00:00+00:00, article: Art. 1}\n"
        "clauses:\n  - id: serious\n    type: prohibition\n    title: No more than 10 killed a week\n    article: Art. 2\n"
        "    parties: [a]\n    incidents: [shelling]\n    threshold: {more_than: 10, of: fatalities, within: {days: 7}}\n",
        encoding="utf-8",
    )
    header = {"agreement": "serious", "as_of": "2020-01-20T00:00:00+00:00"}
    times = ["2020-01-18T00:00:00+00:00", "2020-01-19T00:00:00+00:00"]
    for killed, status in (([6, 4], "holds"), ([6, 5], "breached"), ([6, None], "indeterminate")):
        incidents = {"id": ["i0", "i1"], "time": times, "kind": ["shelling"] * 2, "by": ["a"] * 2, "fatalities": killed}
        rows = [{"id": f"i{n}", "time": times[n], "kind": "shelling", "by": "a", "fatalities": killed[n]} for n in range(2)]
        from_columns = truce.evaluate(truce.Columns(incidents=incidents, **header), rules=book)
        assert from_columns.status == status
        assert _dump(from_columns) == _dump(truce.evaluate({**header, "incidents": rows}, rules=book))


def test_an_incident_without_a_kind_is_named() -> None:
    assert _told(incidents=_incidents(2, kind=["shelling", None]), **IDLIB) == [
        ("incidents[1].kind", "expected a text of 1 to 200 characters", None, None)]  # fmt: skip


def test_an_incident_half_placed_or_with_an_unreadable_latest_time_is_named() -> None:
    table = _incidents(2, lat=[35.4, None], lon=[None, None], latest=[None, "later"])
    assert _told(incidents=table, **IDLIB) == [
        ("incidents[0].lon", "a position needs both lat and lon", None, "give both, or NaN in both for an unknown position"),
        ("incidents[1].latest", "expected a time with a date, a time and an offset (e.g. 2019-08-02T00:40:00+03:00)", "later", None),
    ]


def test_a_unit_without_a_party_or_with_an_unreadable_observed_time_is_named() -> None:
    assert _told(units=_units(2, party=["hts", None], observed=["2019-08-02", None]), **IDLIB) == [
        ("units[1].party", "expected a text of 1 to 200 characters", None, None),
        ("units[0].observed", "expected a time with a date, a time and an offset (e.g. 2019-08-02T00:40:00+03:00)", "2019-08-02", None),
    ]


def test_coordinates_and_uncertainties_are_accepted_up_to_their_bounds_and_not_past_them() -> None:
    edges = {"lat": [90.0, -90.0, 90.5, -90.5], "lon": [180.0, -180.0, 180.5, -180.5], "uncertainty_km": [0.5, 20_000.0, None, None]}
    for prefix, table in (("", "units"), ("baseline_", "units"), ("origin_", "incidents")):
        base = _units(4) if table == "units" else _incidents(4)
        if prefix:
            base |= {"lat": [35.0] * 4, "lon": [36.0] * 4}
        state = {table: base | {prefix + column: values for column, values in edges.items()}}
        assert [(path, value) for path, _, value, _ in _told(**state, **IDLIB)] == [
            (f"{table}[2].{prefix}lat", 90.5), (f"{table}[3].{prefix}lat", -90.5),
            (f"{table}[2].{prefix}lon", 180.5), (f"{table}[3].{prefix}lon", -180.5),
        ], prefix  # fmt: skip
    beyond = _told(units=_units(2, lat=[35.0] * 2, lon=[36.0] * 2, uncertainty_km=[-0.5, 20_000.5]), **IDLIB)
    assert [(path, message, value) for path, message, value, _ in beyond] == [
        ("units[0].uncertainty_km", "expected a finite number from 0 to 20000", -0.5),
        ("units[1].uncertainty_km", "expected a finite number from 0 to 20000", 20_000.5),
    ]


def test_an_attribute_that_is_no_finite_number_in_range_is_named() -> None:
    units = _units(3, attributes={"calibre_mm": [122.0, "122", 2e9]}, party=["sy"] * 3, kind=["tank"] * 3)
    assert _told(units=units, agreement="golan-1974", as_of="1974-06-11T12:00:00+03:00") == [
        ("units[1].attributes.calibre_mm", "expected a finite number from -1e+09 to 1e+09", "122", None),
        ("units[2].attributes.calibre_mm", "expected a finite number from -1e+09 to 1e+09", 2e9, None),
    ]


def test_the_uncertainty_of_an_origin_given_as_columns_counts_as_in_rows() -> None:
    """Guns 20 km north of the zone, placed to within 30 km: they may have fired from the zone."""
    header = {"agreement": "korea-1953", "as_of": "1953-07-29T12:00:00+09:00"}
    incident = {"id": "inc-1", "time": "1953-07-29T03:00:00+09:00", "kind": "shelling", "by": "kpa",
                "position": {"lat": 38.415278, "lon": 127.516193}, "origin": {"lat": 38.490777, "lon": 127.555158, "uncertainty_km": 30.0}}
    columns = {"id": ["inc-1"], "time": [incident["time"]], "kind": ["shelling"], "by": ["kpa"], "lat": [38.415278], "lon": [127.516193],
               "origin_lat": [38.490777], "origin_lon": [127.555158], "origin_uncertainty_km": [30.0]}  # fmt: skip
    from_columns = truce.evaluate(truce.Columns(incidents=columns, **header))
    assert from_columns.finding("no-hostile-act-dmz").status != "met"
    assert _dump(from_columns) == _dump(truce.evaluate({**header, "incidents": [incident]}))


def test_empty_numpy_columns_are_an_empty_table() -> None:
    empty = np.array([], dtype=str)
    incidents = {"id": empty, "time": empty, "kind": empty, "by": empty, "latest": empty}
    units = {"id": empty, "party": empty, "kind": empty, "observed": empty, "count": np.array([], dtype=np.int64)}
    assert _dump(truce.evaluate(truce.Columns(units=units, incidents=incidents, **IDLIB))) == _dump(truce.evaluate(IDLIB))


def test_each_value_that_is_no_time_says_what_it_is() -> None:
    times = [True, 20190802, datetime.date(2019, 8, 2), "yesterday"]
    assert _told(incidents=_incidents(4, time=times), **IDLIB) == [
        ("incidents[0].time", "expected a time, not bool (e.g. 2019-08-02T00:40:00+03:00)", True, None),
        ("incidents[1].time", "expected a time, not int (e.g. 2019-08-02T00:40:00+03:00)", 20190802, None),
        ("incidents[2].time", "a date alone is not a time: add a time and an offset (e.g. 2019-08-02T00:40:00+03:00)",
         "datetime.date(2019, 8, 2)", None),
        ("incidents[3].time", "expected a time with a date, a time and an offset (e.g. 2019-08-02T00:40:00+03:00)", "yesterday", None),
    ]


def test_numpy_columns_are_accepted_up_to_their_bounds() -> None:
    units = _units(2, lat=np.array([90.0, -90.0]), lon=np.array([180.0, -180.0]), count=np.array([1_000_000_000, 0]),
                   uncertainty_km=np.array([20_000.0, 0.0]))  # fmt: skip
    incidents = _incidents(2, fatalities=np.array([10_000_000, 0]), time=np.array([EARLIEST_S, LATEST_S - 1]))
    columns = truce.Columns(units=units, incidents=incidents, **IDLIB)
    assert len(columns) == 4
    assert truce.evaluate(columns).status in ("holds", "breached", "indeterminate")


def test_candidate_perpetrators_in_a_pandas_column_of_objects_read_as_in_rows() -> None:
    table = pandas.DataFrame({"id": ["a", "b"], "time": ["2019-08-02T00:40:00+03:00"] * 2, "kind": ["shelling"] * 2,
                              "by": pandas.Series([["sy-gov", "ru"], "hts"], dtype=object), "lat": [35.4389] * 2,
                              "lon": [36.6511] * 2})  # fmt: skip
    rows = [{**_ROWS[0], "by": ["sy-gov", "ru"]}, {**_ROWS[1], "by": "hts"}]
    assert _dump(truce.evaluate(truce.Columns(incidents=table, **_BASE))) == _dump(truce.evaluate({**_BASE, "incidents": rows}))


def test_a_table_of_ragged_columns_is_told_only_that() -> None:
    incidents = {"id": ["a", "b"], "time": ["2019-08-02T00:40:00+03:00"], "kind": ["shelling"] * 2, "by": [["hts", 1], 5]}
    assert [path for path, *_ in _told(incidents=incidents, **IDLIB)] == ["incidents.time"]


def test_an_empty_perpetrator_in_a_numpy_column_is_named() -> None:
    assert _told(incidents=_incidents(2, by=np.array(["hts", ""])), **IDLIB) == [
        ("incidents[1].by", "expected a text of 1 to 200 characters", "", None)]  # fmt: skip


def test_a_zone_that_is_no_text_is_named() -> None:
    assert _told(units=_units(2, zone=[5, None]), **IDLIB) == [("units[0].zone", "expected a text of 1 to 200 characters", 5, None)]


def test_texts_in_lists_are_accepted_up_to_their_longest() -> None:
    incidents = _incidents(1, id=["x" * 200], note=["n" * 10_000])
    assert [i.id for i in _timeline(incidents)] == ["x" * 200]
    assert _told(incidents=_incidents(1, id=["x" * 201]), **IDLIB) == [
        ("incidents[0].id", "expected a text of 1 to 200 characters", "x" * 201, None)]  # fmt: skip


def test_a_nan_zone_beside_a_position_is_no_zone() -> None:
    units = _units(2, lat=[35.4389] * 2, lon=[36.6511] * 2, zone=[np.nan, None])
    rows = [{"id": f"u{i}", "party": "hts", "kind": "fighters", "position": {"lat": 35.4389, "lon": 36.6511}} for i in range(2)]
    assert _dump(truce.evaluate(truce.Columns(units=units, **IDLIB))) == _dump(truce.evaluate({**IDLIB, "units": rows}))
