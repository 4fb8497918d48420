"""The timeline: the founding story from the bundled sample, and agreement with snapshot evaluation."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import truce
from truce._timeline import Timeline, timeline
from truce.io.acled import SAMPLE_CSV, SAMPLE_MAPPING, read_acled
from truce.strategies import scenarios

START = datetime.fromisoformat("2019-08-02T00:00:00+03:00")
KHAN_SHAYKHUN = {"lat": 35.4389, "lon": 36.6511}  # inside the buffer and the de-escalation area
IDLIB_CITY = {"lat": 35.933, "lon": 36.633}  # de-escalation area, outside the buffer
HAMA = {"lat": 35.135, "lon": 36.750}  # outside both


def _sample(reading: str) -> Timeline:
    return truce.timeline(read_acled(SAMPLE_CSV, SAMPLE_MAPPING).scenario(), reading=reading)


def test_sample_first_breach_is_the_governments_shelling_of_2_august() -> None:
    line = _sample("sochi")
    assert line.first_breach is not None
    # SYR1008 is dated 2 August to the day: it surely fell inside the truce once that day was over
    assert line.first_breach.at == START + timedelta(days=1)
    assert line.first_breach.parties == ["sy-gov"]
    assert line.first_breach.evidence == ["SYR1008"]
    assert line.first_breach.clauses == ["no-attacks"]


@pytest.mark.parametrize(("reading", "parties"), [("sochi", ["hts"]), ("government", ["hts", "nfl"])])
def test_sample_conditions_lapse_at_the_start(reading: str, parties: list[str]) -> None:
    line = _sample(reading)
    assert line.first_unmet is not None
    assert line.first_unmet.at == START  # fighters sighted in the buffer in July were never seen leaving it
    assert line.first_unmet.parties == parties
    assert line.first_unmet.clauses == ["jihadists-leave-buffer"]
    before, during = line.at(START - timedelta(seconds=1)), line.at(START)
    assert before is not None and before.status == "not_in_force"
    assert during is not None and during.status == "conditions_unmet" and during.responsible == parties


def test_a_change_to_violated_names_only_what_surely_offends_from_then_on() -> None:
    """An incident that only became possible at the same instant is not evidence of the violation."""
    state = {
        "agreement": "idlib-2019", "as_of": "2019-08-10T00:00:00+03:00",
        "incidents": [
            {"id": "sure", "time": "2019-08-02T00:00:00+03:00", "latest": "2019-08-03T00:00:00+03:00", "kind": "shelling",
             "by": "sy-gov", "position": KHAN_SHAYKHUN},
            {"id": "maybe", "time": "2019-08-03T00:00:00+03:00", "kind": "shelling", "by": None, "position": KHAN_SHAYKHUN},
        ],
    }
    line = truce.timeline(state)
    interval = line.at(START + timedelta(days=1))
    assert interval is not None and interval.start == START + timedelta(days=1)
    change = next(c for c in interval.changed if c.clause == "no-attacks")
    assert (change.before, change.after, change.evidence) == ("unknown", "violated", ["sure"])


_ODD_INCIDENTS = [  # out of time order, one tied in time with an earlier id, candidates, no place, a named zone, an origin, none killed
    {"id": "z-candidates", "time": "2019-08-09T06:00:00+03:00", "latest": "2019-08-09T18:00:00+03:00", "kind": "shelling",
     "by": ["ru", "sy-gov"], "position": KHAN_SHAYKHUN, "uncertainty_km": 4.5},  # columns hold candidates sorted
    {"id": "z-nowhere", "time": "2019-08-03T00:00:00+00:00", "kind": "air_strike", "by": "ru", "fatalities": 0},
    {"id": "z-named-zone", "time": "2019-08-04T00:00:00+03:00", "kind": "armed_clash", "by": ["hts", "nfl"], "zone": "buffer"},
    {"id": "a-same-instant", "time": "2019-08-03T03:00:00+03:00", "kind": "shelling", "by": "sy-gov", "position": IDLIB_CITY,
     "origin": {"lat": 35.2, "lon": 36.7, "uncertainty_km": 2.0}},
    {"id": "z-origin", "time": "2019-08-06T12:00:00+03:00", "kind": "shelling", "by": None, "position": HAMA,
     "origin": {"lat": 35.3, "lon": 36.6}},
]


def _log_with_odd_incidents() -> truce.Scenario:
    log = read_acled(SAMPLE_CSV, SAMPLE_MAPPING).scenario()
    extra = [truce.Incident.model_validate(i) for i in _ODD_INCIDENTS]
    return log.model_copy(update={"incidents": [*log.incidents, *extra]})


def _as_columns(log: truce.Scenario) -> truce.Columns:
    incidents, units = log.incidents, log.units
    return truce.Columns(
        agreement=log.agreement, as_of=log.as_of,
        incidents={"id": [i.id for i in incidents], "time": [i.time for i in incidents], "latest": [i.latest for i in incidents],
                   "kind": [i.kind for i in incidents], "by": [i.by for i in incidents], "zone": [i.zone for i in incidents],
                   "lat": [i.position.lat if i.position else None for i in incidents],
                   "lon": [i.position.lon if i.position else None for i in incidents],
                   "uncertainty_km": [i.uncertainty_km for i in incidents],
                   "origin_lat": [i.origin.lat if i.origin else None for i in incidents],
                   "origin_lon": [i.origin.lon if i.origin else None for i in incidents],
                   "origin_uncertainty_km": [i.origin.uncertainty_km if i.origin else None for i in incidents],
                   "fatalities": [i.fatalities for i in incidents], "note": [i.note for i in incidents]},
        units={"id": [u.id for u in units], "party": [u.party for u in units], "kind": [u.kind for u in units],
               "count": [u.count for u in units], "observed": [u.observed for u in units],
               "lat": [u.position.lat if u.position else None for u in units],
               "lon": [u.position.lon if u.position else None for u in units],
               "zone": [u.zone for u in units]},
    )  # fmt: skip


CARRIED = {"source"}  # what a timeline's incidents built from columns do not carry (columns have no source)


def test_a_timeline_of_columns_is_the_timeline_of_the_same_rows() -> None:
    log = _log_with_odd_incidents()
    from_rows, from_columns = truce.timeline(log), truce.timeline(_as_columns(log))
    assert from_columns.intervals == from_rows.intervals
    assert (from_columns.first_breach, from_columns.first_unmet) == (from_rows.first_breach, from_rows.first_unmet)
    assert [i.model_dump_json(exclude=CARRIED) for i in from_columns.incidents] == [
        i.model_dump_json(exclude=CARRIED) for i in from_rows.incidents]  # fmt: skip
    order = [(i.time, i.id) for i in from_columns.incidents]
    assert order == sorted(order) and order != [(i.time, i.id) for i in log.incidents]
    assert [i.id for i in from_columns.incidents if i.time.timestamp() == 1564790400] == ["a-same-instant", "z-nowhere"]
    assert all(type(i.position) is truce.Position for i in from_columns.incidents if i.position)


def test_the_incidents_of_columns_read_as_a_list_in_time_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Indexing, slices, iteration (across the chunks it builds at a time), equality, JSON and validation."""
    monkeypatch.setattr("truce._timeline._CHUNK", 3)
    log = _log_with_odd_incidents()
    from_rows, line = truce.timeline(log), truce.timeline(_as_columns(log))
    rows = [i.model_copy(update=dict.fromkeys(CARRIED)) for i in from_rows.incidents]
    assert len(line.incidents) == len(rows) == 24 and list(line.incidents) == rows and line.incidents == rows
    assert (line.incidents[0], line.incidents[-1], line.incidents[5:9]) == (rows[0], rows[-1], rows[5:9])
    assert line.incidents != rows[:-1] and line.incidents != [*rows[:-1], rows[0]]
    with pytest.raises(IndexError):
        line.incidents[24]
    again = Timeline.model_validate_json(line.model_dump_json())
    assert again == line and again.incidents == rows and again.model_dump_json() == line.model_dump_json()
    assert [i["id"] for i in line.model_dump()["incidents"]] == [i.id for i in rows]


def test_intervals_tile_time_without_gaps_or_repeats() -> None:
    line = _sample("sochi")
    for earlier, later in zip(line.intervals, line.intervals[1:], strict=False):
        assert earlier.end == later.start
        assert (earlier.status, earlier.responsible, earlier.findings) != (
            later.status, later.responsible, later.findings
        )
    assert line.intervals[-1].end is None


def _state(**extra: Any) -> dict[str, Any]:
    return {"agreement": "idlib-2019", "as_of": "2019-08-20T00:00:00+03:00", **extra}


def test_an_incident_known_to_the_week_around_the_start_leaves_the_truce_indeterminate() -> None:
    state = _state(incidents=[{"id": "w", "time": "2019-07-29T00:00:00+03:00", "latest": "2019-08-05T00:00:00+03:00",
                               "kind": "shelling", "by": "sy-gov", "position": IDLIB_CITY}])
    line = timeline(state)
    after = line.at(START + timedelta(days=10))
    assert after is not None and after.status == "indeterminate"
    assert after.findings["no-attacks"] == "unknown"
    assert line.first_breach is None


def test_a_unit_seen_leaving_the_buffer_meets_the_condition_from_then_on() -> None:
    hts = {"id": "h", "party": "hts", "kind": "fighters"}
    units = [
        {**hts, "position": KHAN_SHAYKHUN, "observed": "2019-07-30T00:00:00+03:00"},
        {**hts, "position": IDLIB_CITY, "observed": "2019-08-04T06:00:00+03:00"},
    ]
    line = timeline(_state(units=units))
    left = datetime.fromisoformat("2019-08-04T06:00:00+03:00")
    assert [i.status for i in line.intervals] == ["not_in_force", "conditions_unmet", "holds"]
    assert line.intervals[2].start == left
    assert line.intervals[2].changed[0].evidence == ["h"]


def test_start_and_end_clip_the_timeline() -> None:
    strike = {"id": "x", "time": "2019-08-10T00:00:00+03:00", "kind": "air_strike", "by": "ru"}
    incidents = [{**strike, "position": IDLIB_CITY}]
    first, last = START + timedelta(days=1), START + timedelta(days=5)
    line = timeline(_state(incidents=incidents), start=first, end=last)
    assert [(i.start, i.end, i.status) for i in line.intervals] == [(first, last, "holds")]
    assert line.first_breach is None


def test_naive_or_reversed_bounds_are_rejected() -> None:
    with pytest.raises(truce.ScenarioError, match="time zone"):
        timeline(_state(), start=datetime(2019, 8, 1))
    with pytest.raises(truce.ScenarioError, match="after start"):
        timeline(_state(), start=START, end=START)


def test_one_unit_observed_twice_at_the_same_time_is_an_error() -> None:
    unit = {"id": "h", "party": "hts", "kind": "fighters", "observed": "2019-07-30T00:00:00+03:00"}
    with pytest.raises(truce.ScenarioError, match="used twice") as caught:
        timeline(_state(units=[unit, unit]))
    assert caught.value.problems[0].path == "units[1].id"


# -- the timeline agrees with truce.evaluate at every instant -------------------------------------------------------

PLACES = [KHAN_SHAYKHUN, IDLIB_CITY, HAMA, None]
HOURS = st.integers(-72, 120).map(lambda h: START + timedelta(hours=h))


@st.composite
def logs(draw: st.DrawFn) -> dict[str, Any]:
    units = []
    for n in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["fighters", "tank", "mortar"]))
        party = draw(st.sampled_from(["hts", "nfl", "sy-gov", "rebels"]))
        for when in sorted(set(draw(st.lists(HOURS, min_size=1, max_size=3)))):
            unit: dict[str, Any] = {"id": f"u{n}", "party": party, "kind": kind, "observed": when.isoformat()}
            place = draw(st.sampled_from(PLACES))
            if place is not None:
                unit["position"] = place
            units.append(unit)
    incidents = []
    for n in range(draw(st.integers(0, 4))):
        when = draw(HOURS)
        incident: dict[str, Any] = {
            "id": f"i{n}",
            "time": when.isoformat(),
            "kind": draw(st.sampled_from(["shelling", "air_strike"])),
            "by": draw(st.sampled_from(["sy-gov", "hts", "ru", "jihadists", None, ["sy-gov", "hts"], ["nfl", "rebels", "ru"]])),
        }
        if draw(st.booleans()):
            incident["latest"] = (when + timedelta(days=draw(st.sampled_from([1, 7])))).isoformat()
        place = draw(st.sampled_from(PLACES))
        if place is not None:
            incident["position"] = place
        incidents.append(incident)
    return _state(units=units, incidents=incidents)


def _instants(line: Timeline) -> list[datetime]:
    out = []
    for interval in line.intervals:
        out.append(interval.start)
        out.append((interval.end or interval.start + timedelta(days=2)) - timedelta(seconds=1))
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs(), st.sampled_from(["sochi", "government"]))
def test_every_interval_agrees_with_evaluating_the_snapshot(state: dict[str, Any], reading: str) -> None:
    line = timeline(state, reading=reading)
    assert line.intervals, "a timeline has at least one interval"
    for instant in _instants(line):
        interval = line.at(instant)
        assert interval is not None
        verdict = truce.evaluate({**state, "as_of": instant.isoformat()}, reading=reading)
        assert interval.status == verdict.status, instant
        assert interval.responsible == verdict.responsible, instant
        assert interval.responsible_one_of == verdict.responsible_one_of, instant
        assert interval.findings == {f.clause: f.status for f in verdict.findings}, instant


@pytest.mark.parametrize("book_id", [info.id for info in truce.list_rulebooks()])
def test_every_interval_agrees_with_evaluating_the_snapshot_in_every_rulebook(book_id: str) -> None:
    """Generated states of every rulebook, candidate perpetrators among them: whoever some or all candidates
    bind, the timeline says at each instant what evaluating the state there says."""
    book = truce.load_rulebook(book_id)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(scenarios(book, max_units=3, max_incidents=4))
    def check(state: dict[str, Any]) -> None:
        line = timeline(state, rules=book)
        for instant in _instants(line):
            interval = line.at(instant)
            assert interval is not None
            verdict = truce.evaluate({**state, "as_of": instant.isoformat()}, rules=book)
            assert (interval.status, interval.responsible, interval.responsible_one_of) == (
                verdict.status, verdict.responsible, verdict.responsible_one_of), instant
            assert interval.findings == {f.clause: f.status for f in verdict.findings}, instant

    check()


@pytest.mark.parametrize(
    "path", sorted((Path(__file__).resolve().parents[1] / "examples").glob("*/*.yaml")), ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_the_timeline_at_each_examples_instant_is_its_verdict(path: Path) -> None:
    scenario = truce.load_scenario(path)
    assert scenario.expect, f"{path.name} expects no verdict to compare with"
    for reading in scenario.expect:
        verdict = truce.evaluate(scenario, reading=reading)
        interval = truce.timeline(scenario, reading=reading).at(scenario.as_of)
        assert interval is not None
        assert (interval.status, interval.responsible) == (verdict.status, verdict.responsible), f"{path.name} [{reading}]"
        assert interval.findings == {f.clause: f.status for f in verdict.findings}
