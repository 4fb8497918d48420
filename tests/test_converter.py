"""Rows (dicts, files) and ``truce.Columns`` accept and reject exactly the same values, by one table of limits.

Each case takes a valid generated state, puts one value into one field of one row, and
builds both forms of that state: as rows, and as columns (a list per field, None where a
row leaves the field out). Either both forms are rejected, naming the same row and field,
or both give the same verdict. NaN is not tried: in columns it means "not known", as in
pandas, while a file says that by leaving the field out (the one documented difference).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import truce
from truce._limits import LIMITS, MAX_COUNT, MAX_ID
from truce.strategies import scenarios

BOOK = truce.load_rulebook("idlib-2019")
UNIT_FIELDS = (
    "id", "party", "kind", "count", "lat", "lon", "zone", "uncertainty_km", "observed", "baseline_lat", "baseline_lon",
    "baseline_uncertainty_km",
)
INCIDENT_FIELDS = (
    "id", "time", "latest", "kind", "by", "lat", "lon", "zone", "uncertainty_km", "origin_lat", "origin_lon", "origin_uncertainty_km",
    "fatalities", "note",
)
NESTED = {"lat": ("position", "lat"), "lon": ("position", "lon"), "origin_lat": ("origin", "lat"), "origin_lon": ("origin", "lon"),
          "origin_uncertainty_km": ("origin", "uncertainty_km"), "baseline_lat": ("baseline", "lat"),
          "baseline_lon": ("baseline", "lon"), "baseline_uncertainty_km": ("baseline", "uncertainty_km")}
"""Columns that rows give inside an object: the object and its field."""

HOSTILE: list[Any] = [
    True, False, 0, 1, -1, 1.5, 2**62, MAX_COUNT + 1, float("inf"), -float("inf"), 10**30, "", "x" * (MAX_ID + 1), "yes", "12",
    20190802, 1564693200.0, "20190802", "2019-08-02", "2019-08-02T00:40:00", "2019-02-30T00:00:00+03:00",
    "2019-08-02T00:40:00+25:00", "1700-01-01T00:00:00+00:00", "2019-08-02T00:40:00+03:00", date(2019, 8, 2),
    datetime(2019, 8, 2, 0, 40), datetime(2019, 8, 2, 0, 40, tzinfo=timezone(timedelta(hours=3))), [], {}, "hts", "tank",
    "buffer", 35.5, 36.6, 91, -181, 20001, "x" * 10_001,
    ["sy-gov", "hts"], ("nfl", "jihadists", "tr"), ["hts"], ["hts", "hts"], ["hts", 1], ["hts", "sy-gvo"], ["hts", ""],
]


def _rows_to_columns(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> dict[str, list[Any]]:
    table: dict[str, list[Any]] = {}
    for field in fields:
        if field in NESTED:
            outer, inner = NESTED[field]
            values = [r[outer].get(inner) if isinstance(r.get(outer), dict) else None for r in rows]
        else:
            values = [r.get(field) for r in rows]
        if any(v is not None for v in values) or (field in ("id", "party", "kind", "time") and rows):
            table[field] = values
    return table


def _place(row: dict[str, Any], field: str, value: Any) -> None:
    if field in NESTED:
        outer, inner = NESTED[field]
        nested = dict(row.get(outer) or {"lat": 35.0, "lon": 36.0})
        nested[inner] = value
        if outer == "position":
            row.pop("zone", None)
        row[outer] = nested
    else:
        row[field] = value


def _outcome(form: Any, book: str | None = None) -> tuple[str, Any]:
    try:
        return "ok", json.loads(truce.evaluate(form, rules=book).model_dump_json(exclude={"provenance": {"input"}}))  # hashed per form
    except truce.ScenarioError as error:
        return "error", sorted({p.path.replace(".position", "").replace(".origin.", ".origin_").replace(".baseline.", ".baseline_")
                                for p in error.problems})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenarios(BOOK, max_units=4, max_incidents=3),
    st.sampled_from(("units", "incidents")),
    st.data(),
)
def test_rows_and_columns_accept_and_reject_the_same_values(state: dict[str, Any], table: str, data: st.DataObject) -> None:
    state = json.loads(json.dumps(state, default=str))
    rows: list[dict[str, Any]] = state[table]
    assume(rows)
    row = data.draw(st.integers(0, len(rows) - 1), label="row")
    field = data.draw(st.sampled_from(UNIT_FIELDS if table == "units" else INCIDENT_FIELDS), label="field")
    value = data.draw(st.sampled_from(HOSTILE), label="value")
    _place(rows[row], field, value)
    header = {k: v for k, v in state.items() if k not in ("units", "incidents")}
    columns = truce.Columns(
        units=_rows_to_columns(state["units"], UNIT_FIELDS), incidents=_rows_to_columns(state["incidents"], INCIDENT_FIELDS), **header
    ) if _builds(state, header) else None
    from_rows = _outcome(state)
    from_columns = _outcome(columns) if columns is not None else ("error", _construction_paths(state, header))
    assert from_rows[0] == from_columns[0], (field, value, from_rows, from_columns)
    if from_rows[0] == "ok":
        assert from_rows[1] == from_columns[1]
    else:
        assert f"{table}[{row}].{field}" in from_rows[1] or f"{table}[{row}]" in from_rows[1], from_rows
        assert _same_place(from_rows[1], from_columns[1]), (from_rows, from_columns)


def _same_place(first: list[str], second: list[str]) -> bool:
    """Whether the two forms name a common place (a row, or a field of it)."""
    return any(a == b or a.startswith(b + ".") or b.startswith(a + ".") for a in first for b in second)


def _builds(state: dict[str, Any], header: dict[str, Any]) -> bool:
    try:
        truce.Columns(
            units=_rows_to_columns(state["units"], UNIT_FIELDS), incidents=_rows_to_columns(state["incidents"], INCIDENT_FIELDS), **header
        )
    except truce.ScenarioError:
        return False
    return True


def _construction_paths(state: dict[str, Any], header: dict[str, Any]) -> list[str]:
    with pytest.raises(truce.ScenarioError) as caught:
        truce.Columns(
            units=_rows_to_columns(state["units"], UNIT_FIELDS), incidents=_rows_to_columns(state["incidents"], INCIDENT_FIELDS), **header
        )
    return sorted({p.path for p in caught.value.problems})


@pytest.mark.parametrize("value", [True, "yes", 1.5, -1, MAX_COUNT + 1, 2**62, None])
def test_a_count_that_is_not_a_whole_number_in_range_is_rejected_in_both_forms(value: object) -> None:
    unit = {"id": "u", "party": "hts", "kind": "fighters", "count": value, "zone": "buffer"}
    state = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00", "units": [unit]}
    assert _outcome(state)[0] == "error"
    columns = {"id": ["u"], "party": ["hts"], "kind": ["fighters"], "count": [value], "zone": ["buffer"]}
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(truce.Columns(units=columns, agreement="idlib-2019", as_of="2019-08-03T12:00:00+03:00"))
    assert [p.path for p in caught.value.problems] == ["units[0].count"]


@pytest.mark.parametrize("value", [20190802, "20190802", "2019-08-02", "2019-08-02T00:40:00", True, 1564693200.0])
def test_a_bare_number_or_a_date_alone_is_not_a_time(value: object) -> None:
    incident = {"id": "i", "time": value, "kind": "shelling", "by": "sy-gov"}
    state = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00", "incidents": [incident]}
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(state)
    assert [p.path for p in caught.value.problems] == ["incidents[0].time"]
    with pytest.raises(truce.ScenarioError):
        truce.evaluate({**state, "as_of": value, "incidents": []})


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(("korea-1953", "sochi-2018", "karabakh-2020", "minsk-2015")).flatmap(
    lambda b: scenarios(truce.load_rulebook(b), max_units=3, max_incidents=4)))
def test_rows_and_columns_give_the_same_verdict_where_origins_or_baselines_decide(state: dict[str, Any]) -> None:
    """Korea counts acts from its zone, Karabakh and Minsk units from their baselines: generated origins and
    baselines (and their absence) must read the same in both forms."""
    state = json.loads(json.dumps(state, default=str))
    header = {k: v for k, v in state.items() if k not in ("units", "incidents")}
    columns = truce.Columns(
        units=_rows_to_columns(state["units"], UNIT_FIELDS), incidents=_rows_to_columns(state["incidents"], INCIDENT_FIELDS), **header
    )
    assert _outcome(state) == _outcome(columns)


@pytest.mark.parametrize(
    ("baseline", "columns", "paths"),
    [
        ({"lat": 39.5}, {"baseline_lat": [39.5]}, ["units[0].baseline_lon"]),
        ({"uncertainty_km": 1.0}, {"baseline_uncertainty_km": [1.0]}, ["units[0].baseline_lat", "units[0].baseline_lon"]),
        ({"lat": 39.5, "lon": 181.0}, {"baseline_lat": [39.5], "baseline_lon": [181.0]}, ["units[0].baseline_lon"]),
        ({"lat": 39.5, "lon": 47.0, "uncertainty_km": -1.0},
         {"baseline_lat": [39.5], "baseline_lon": [47.0], "baseline_uncertainty_km": [-1.0]}, ["units[0].baseline_uncertainty_km"]),
        ({"lat": False, "lon": 47.0}, {"baseline_lat": [False], "baseline_lon": [47.0]}, ["units[0].baseline_lat"]),
        ({"lat": "39.5", "lon": 47.0}, {"baseline_lat": ["39.5"], "baseline_lon": [47.0]}, ["units[0].baseline_lat"]),
    ],
)
def test_a_baseline_needs_lat_and_lon_in_both_forms(baseline: dict[str, Any], columns: dict[str, list[Any]], paths: list[str]) -> None:
    unit = {"id": "u", "party": "az", "kind": "tank", "position": {"lat": 39.5, "lon": 47.0}, "baseline": baseline}
    header = {"agreement": "karabakh-2020", "as_of": "2020-11-12T12:00:00+03:00"}
    assert _outcome({**header, "units": [unit]}) == ("error", paths)
    table = {"id": ["u"], "party": ["az"], "kind": ["tank"], "lat": [39.5], "lon": [47.0], **columns}
    with pytest.raises(truce.ScenarioError) as caught:
        truce.Columns(units=table, **header)
    assert sorted({p.path for p in caught.value.problems}) == paths


@pytest.mark.parametrize(
    ("origin", "columns", "paths"),
    [
        ({"lat": 35.5}, {"origin_lat": [35.5]}, ["incidents[0].origin_lon"]),
        ({"lon": 36.5}, {"origin_lon": [36.5]}, ["incidents[0].origin_lat"]),
        ({"uncertainty_km": 3.0}, {"origin_uncertainty_km": [3.0]}, ["incidents[0].origin_lat", "incidents[0].origin_lon"]),
        ({"lat": 35.5, "lon": 200.0}, {"origin_lat": [35.5], "origin_lon": [200.0]}, ["incidents[0].origin_lon"]),
        ({"lat": 35.5, "lon": 36.5, "uncertainty_km": -1.0}, {"origin_lat": [35.5], "origin_lon": [36.5], "origin_uncertainty_km": [-1.0]},
         ["incidents[0].origin_uncertainty_km"]),
        ({"lat": True, "lon": 36.5}, {"origin_lat": [True], "origin_lon": [36.5]}, ["incidents[0].origin_lat"]),
        ({"lat": [], "lon": 36.5}, {"origin_lat": [[]], "origin_lon": [36.5]}, ["incidents[0].origin_lat"]),
    ],
)
def test_an_origin_needs_lat_and_lon_in_both_forms(origin: dict[str, Any], columns: dict[str, list[Any]], paths: list[str]) -> None:
    incident = {"id": "i", "time": "2019-08-02T03:00:00+03:00", "kind": "shelling", "by": "sy-gov", "origin": origin}
    header = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00"}
    assert _outcome({**header, "incidents": [incident]}) == ("error", paths)
    table = {"id": ["i"], "time": [incident["time"]], "kind": ["shelling"], "by": ["sy-gov"], **columns}
    with pytest.raises(truce.ScenarioError) as caught:
        truce.Columns(incidents=table, **header)
    assert sorted({p.path for p in caught.value.problems}) == paths


def test_the_limits_table_is_the_one_in_the_architecture_page() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    for limit in LIMITS:
        assert f"| {limit.fields} | {limit.accepts} |" in text, limit


EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*/*.yaml"))
SCALAR_LINE = re.compile(r"^(\s*(?:- )?)([a-z_]+): ([^{\[\s#][^#\n]*?)\s*$", re.MULTILINE)
TIME_FIELDS = {"as_of", "time", "latest", "observed"}
YAML_11 = ["yes", "no", "on", "off", "y", "n", "True", "FALSE", "2019-08-02", "2019-02-30", "0000-01-01", ".nan", ".inf", "-.inf"]
BARE = ["20190802", "1564693200", "0", "1564693200.5"]


def _reads_as_text(token: str) -> bool:
    """Whether plain YAML reads a scalar as text (``2019-02-30`` is no text: PyYAML fails on the date)."""
    try:
        return isinstance(yaml.safe_load(f"v: {token}")["v"], str)
    except ValueError:
        return False


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(EXAMPLES), st.data())
def test_a_yaml_11_scalar_or_a_bare_number_in_a_scenario_file_is_an_error_never_a_new_verdict(
    tmp_path_factory: pytest.TempPathFactory, example: Path, data: st.DataObject
) -> None:
    """``count: no`` is not 0 and ``as_of: 20190803`` is not 1970: any such value is a located error."""
    text = example.read_text(encoding="utf-8")
    spots = [m for m in SCALAR_LINE.finditer(text) if m.group(2) not in ("title", "description", "note", "agreement")]
    assume(spots)
    spot = data.draw(st.sampled_from(spots), label="line")
    token = data.draw(st.sampled_from(YAML_11 + (BARE if spot.group(2) in TIME_FIELDS else [])), label="value")
    assume(not (spot.group(2) == "id" and _reads_as_text(token)))  # `id: y` is a fine id
    mutated = text[: spot.start(3)] + token + text[spot.end(3) :]
    file = tmp_path_factory.mktemp("yaml11") / example.name
    file.write_text(mutated, encoding="utf-8")
    with pytest.raises(truce.TruceError) as caught:
        truce.evaluate(file)
    assert caught.value.problems and all(p.file == str(file) for p in caught.value.problems)
