"""Mandates: a term renewed unless a party objects ahead of its end; an objection in time ends it at that end,
after which the force must have left its zone; one too late ends it at the next term's end; no objection
records leave it not assessed (taken as renewed); a misused mandate is a located error."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
import shapely.ops
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import truce
from bookcopy import copy_rulebook, misused_clause
from truce._clauses import TYPES
from truce._clauses.mandate import Mandate, Term
from truce._engines import available_engines
from truce.strategies import scenarios

KARABAKH = truce.load_rulebook("karabakh-2020")
ENGINES = available_engines()
CLAUSE = "peacekeeping-mandate"
INSIDE = {"lat": 39.8158, "lon": 46.7519}
AREAS = [{"id": a, "controlled_by": "az"} for a in ("kalbajar", "aghdam", "lachin")]
NOTICE_BY = datetime.fromisoformat("2025-05-10T00:00:00+03:00")
"""Six months before the first term's end (10 November 2025, 00:00 Moscow time)."""


def _state(as_of: str, *objections: tuple[str, str], position: dict[str, float] | None = INSIDE) -> dict[str, Any]:
    unit: dict[str, Any] = {"id": "ru-pk", "party": "ru", "kind": "soldiers", "count": 1960}
    if position is not None:
        unit["position"] = position
    state: dict[str, Any] = {"agreement": "karabakh-2020", "as_of": as_of, "units": [unit], "areas": AREAS}
    if objections:
        entries = [{"id": f"o-{i}", "time": t, "party": p, "clause": CLAUSE} for i, (p, t) in enumerate(objections)]
        state["records"] = {"objections": {"entries": entries}}
    return state


def _finding(state: dict[str, Any], engine: str | None = None) -> str:
    return truce.evaluate(state, engine=engine).finding(CLAUSE).status


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("objected", "expected"), [
    (NOTICE_BY, "violated"),
    (NOTICE_BY - timedelta(days=200), "violated"),
    (NOTICE_BY + timedelta(seconds=1), "not_due"),
])
def test_an_objection_exactly_six_months_ahead_ends_the_mandate_and_a_second_later_does_not(
    engine: str, objected: datetime, expected: str
) -> None:
    state = _state("2026-01-01T12:00:00+03:00", ("az", objected.isoformat()))
    assert _finding(state, engine) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_the_mandate_ends_at_the_instant_the_term_does(engine: str) -> None:
    objected = ("am", "2025-01-01T00:00:00+03:00")
    assert _finding(_state("2025-11-09T23:59:59+03:00", objected), engine) == "not_due"
    assert _finding(_state("2025-11-10T00:00:00+03:00", objected), engine) == "violated"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_late_objection_ends_the_mandate_at_the_next_term_end(engine: str) -> None:
    late = ("az", "2025-08-01T12:00:00+03:00")
    assert _finding(_state("2030-11-09T12:00:00+03:00", late), engine) == "not_due"
    verdict = truce.evaluate(_state("2030-11-10T12:00:00+03:00", late), engine=engine)
    assert (verdict.status, verdict.finding(CLAUSE).status, verdict.responsible) == ("breached", "violated", ["ru"])


@pytest.mark.parametrize("engine", ENGINES)
def test_objections_by_others_or_to_another_clause_or_not_yet_made_renew_it(engine: str) -> None:
    for objection in (("nk", "2025-03-01T12:00:00+03:00"), ("az", "2026-06-01T12:00:00+03:00")):
        verdict = truce.evaluate(_state("2026-01-01T12:00:00+03:00", objection), engine=engine)
        assert (verdict.status, verdict.finding(CLAUSE).status) == ("holds", "met")
        assert "renewed until 10 November 2030" in verdict.finding(CLAUSE).message
    other = _state("2026-01-01T12:00:00+03:00", ("az", "2025-03-01T12:00:00+03:00"))
    other["records"]["objections"]["entries"][0]["clause"] = "peacekeepers-soldiers"
    assert _finding(other, engine) == "met"


@pytest.mark.parametrize("engine", ENGINES)
def test_without_objection_records_it_is_not_assessed_and_before_the_first_end_not_due(engine: str) -> None:
    for records in (None, {"objections": {"entries": []}}):
        state = _state("2026-01-01T12:00:00+03:00")
        if records is not None:
            state["records"] = records
        verdict = truce.evaluate(state, engine=engine)
        assert verdict.status == "holds"
        assert [n.model_dump() for n in verdict.not_assessed if n.clause == CLAUSE] == [{"clause": CLAUSE, "records": ["objections"]}]
        assert {n.clause for n in verdict.not_assessed} == {CLAUSE, "forces-stop-where-they-stand"}  # its units carry no baseline
    assert _finding(_state("2025-11-09T12:00:00+03:00"), engine) == "not_due"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_force_of_unknown_place_after_the_end_is_unknown_and_one_that_left_meets_it(engine: str) -> None:
    objected = ("az", "2025-03-01T12:00:00+03:00")
    assert _finding(_state("2026-01-01T12:00:00+03:00", objected, position=None), engine) == "unknown"
    assert _finding(_state("2026-01-01T12:00:00+03:00", objected, position={"lat": 40.79, "lon": 43.85}), engine) == "met"


def test_the_timeline_breaks_at_the_end_of_the_term() -> None:
    line = truce.timeline(_state("2026-01-01T12:00:00+03:00", ("az", "2025-03-01T12:00:00+03:00")))
    assert line.first_breach is not None
    assert line.first_breach.at == datetime.fromisoformat("2025-11-10T00:00:00+03:00")
    assert line.first_breach.clauses == [CLAUSE]


def test_rows_and_columns_give_the_same_verdict() -> None:
    state = _state("2026-01-01T12:00:00+03:00", ("az", "2025-03-01T12:00:00+03:00"))
    units = state.pop("units")
    columns = truce.Columns(**state, units={k: [u[k] for u in units] for k in ("id", "party", "kind", "count")}
                            | {"lat": [INSIDE["lat"]], "lon": [INSIDE["lon"]]})
    rows = truce.evaluate({**state, "units": units})
    assert truce.evaluate(columns).model_dump(exclude={"provenance"}) == rows.model_dump(exclude={"provenance"})
    assert rows.finding(CLAUSE).status == "violated"


def test_a_bad_objection_record_is_a_located_problem_in_rows_and_columns() -> None:
    for objection, path in [
        ({"party": "azz"}, "records.objections.entries[0].party"),
        ({"clause": "peacekeeping-mandat"}, "records.objections.entries[0].clause"),
        ({"time": "2025-03-01T12:00:00"}, "records.objections.entries[0].time"),
    ]:
        entry = {"id": "o", "time": "2025-03-01T12:00:00+03:00", "party": "az", "clause": CLAUSE, **objection}
        state = {"agreement": "karabakh-2020", "as_of": "2026-01-01T12:00:00+03:00", "records": {"objections": {"entries": [entry]}}}
        for attempt in (lambda s=state: truce.prepare(s), lambda s=state: truce.prepare(truce.Columns(**s))):
            with pytest.raises(truce.ScenarioError) as info:
                attempt()
            assert [p.path for p in info.value.problems] == [path]


@pytest.mark.parametrize(("change", "field", "fix"), [
    ({"objectors": ["az", "arm"]}, "objectors[1]", "unknown party or group 'arm' did you mean 'am'?"),
    ({"zone": "peacekeeping-aera"}, "zone", "unknown zone 'peacekeeping-aera' did you mean 'peacekeeping-area'?"),
])
def test_a_mandate_naming_what_the_rulebook_lacks_is_a_located_error(change: dict[str, Any], field: str, fix: str,
                                                                     tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        next(c for c in book["clauses"] if c["id"] == CLAUSE).update(change)

    file = copy_rulebook(tmp_path, "karabakh-2020", edit)
    with pytest.raises(truce.RulebookError) as info:
        truce.load_rulebook(file)
    index = next(i for i, c in enumerate(KARABAKH.clauses) if c.id == CLAUSE)
    (problem,) = info.value.problems
    assert problem.path == f"clauses[{index}].{field}"
    assert problem.file == str(file) and problem.line is not None
    assert f"{problem.message} {problem.suggestion}" == fix


@pytest.mark.parametrize(("change", "words"), [
    ({"term": {}}, "longer than nothing"),
    ({"notice": {"years": 5}}, "shorter than the 'term'"),
    ({"deadline": "2025-11-10T00:00:00+03:00"}, "drop 'deadline'"),
    ({"notice": None}, "needs 'notice'"),
])
def test_a_misshapen_mandate_is_a_located_error_with_the_fix(change: dict[str, Any], words: str, tmp_path: Path) -> None:
    (problem,), at, file = misused_clause(tmp_path, "karabakh-2020", CLAUSE, change)
    assert problem.path.startswith(at) and problem.file == str(file) and problem.line is not None
    assert words in f"{problem.message} {problem.suggestion}"


def test_a_term_in_months_ends_on_the_last_day_of_a_shorter_month() -> None:
    start = datetime.fromisoformat("2024-08-31T00:00:00+03:00")
    assert Term(months=6).after(start) == datetime.fromisoformat("2025-02-28T00:00:00+03:00")
    assert Term(months=6).after(start, -1) == datetime.fromisoformat("2024-02-29T00:00:00+03:00")
    assert Term(years=5).after(datetime.fromisoformat("2020-11-10T00:00:00+03:00"), 2).year == 2030


def test_the_mandate_is_registered_and_its_strategy_gives_every_finding() -> None:
    assert TYPES["mandate"] is Mandate
    seen: set[str] = set()

    end = KARABAKH.deadline(next(c for c in KARABAKH.clauses if c.id == CLAUSE))

    @settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None, derandomize=True)
    @given(scenarios(KARABAKH, max_units=16), st.integers(0, 400 * 24 * 3600))
    def check(state: dict[str, Any], after: int) -> None:
        for as_of in (state["as_of"], (end + timedelta(seconds=after)).isoformat()):
            seen.add(truce.evaluate({**state, "as_of": as_of}, rules=KARABAKH, engine="python").finding(CLAUSE).status)

    check()
    assert {"met", "violated", "unknown", "not_due", "not_assessed"} <= seen


def test_once_the_mandate_has_ended_its_force_must_leave_the_zone_and_while_it_runs_nothing_is_asked() -> None:
    ended = truce.repair(_state("2026-01-01T12:00:00+03:00", ("az", NOTICE_BY.isoformat())))
    assert [(c.party, c.action, c.item, c.leaving, c.remaining, [r.clause for r in c.clauses], c.message) for c in ended.changes] == [
        ("ru", "withdraw", "ru-pk", 1960, 0, [CLAUSE], "Unit ru-pk (1960 soldiers of ru) must leave the peacekeepers' deployment area.")
    ]
    assert (ended.status, ended.yields) == ("breached", "holds")
    running = truce.repair(_state("2024-01-01T12:00:00+03:00", ("az", NOTICE_BY.isoformat())))
    assert (running.status, running.changes) == ("holds", [])


def test_once_the_mandate_has_ended_a_unit_of_unknown_place_is_to_be_located() -> None:
    found = truce.repair(_state("2026-01-01T12:00:00+03:00", ("az", NOTICE_BY.isoformat()), position=None))
    assert [(c.party, c.action, c.item) for c in found.changes] == [("ru", "locate", "ru-pk")]
    assert [(f.item, f.clauses, f.facts, f.if_counts, f.if_not) for f in found.learn] == [
        ("ru-pk", [CLAUSE], ["the position of unit ru-pk (ru, soldiers)"], "breached", "holds")]


def test_a_unit_near_the_zones_edge_decides_an_ended_mandate_and_nothing_while_it_runs() -> None:
    area = KARABAKH.geometry("peacekeeping-area")
    on_edge = shapely.ops.nearest_points(area.boundary, area.centroid)[0]
    towards = np.array([area.centroid.x - on_edge.x, area.centroid.y - on_edge.y])
    lon, lat = np.array([on_edge.x, on_edge.y]) + towards / np.hypot(*towards) * 0.003  # about 300 m inside
    near = {"lat": float(lat), "lon": float(lon)}
    ended = truce.robustness(_state("2026-01-01T12:00:00+03:00", ("az", NOTICE_BY.isoformat()), position=near), margin_km=1.0)
    (mandate,) = [f for f in ended.findings if f.clause == CLAUSE]
    assert (ended.stable, mandate.status, mandate.stable, mandate.deciding) == (False, "violated", False, ["ru-pk"])
    assert [(d.item, d.near) for d in mandate.distances] == [("ru-pk", True)] and -1 < mandate.distances[0].distance_km < 0
    # before the first term's end (without objection records, or with one in time for it), and renewed past it (the
    # only objection not by a party that may object)
    notice = NOTICE_BY.isoformat()
    for as_of, objections in (("2024-01-01", ()), ("2024-01-01", (("az", notice),)), ("2026-01-01", (("armenian-forces", notice),))):
        running = truce.robustness(_state(f"{as_of}T12:00:00+03:00", *objections, position=near), margin_km=1.0)
        assert running.stable and CLAUSE not in {f.clause for f in running.findings}, as_of


def test_a_mandate_on_a_band_drawn_at_another_depth_counts_its_force_there_once_ended_and_nothing_while_it_runs(
    tmp_path: Path,
) -> None:
    # Moscow's corridor, 6 km either side of the M4, drawn 4 or 8 km deep; government guns 5.9 km north of the road
    # may stay there until an objection by Turkey ends a two-month mandate
    def edit(data: dict[str, Any]) -> None:
        data["zones"]["corridor"]["band"]["depths_km"] = [4, 8]
        data["clauses"].append({
            "id": "guns-mandate", "type": "mandate", "title": "Guns may stay until Turkey objects", "article": "Test",
            "parties": ["sy-gov"], "forces": ["heavy"], "zone": "corridor", "since": "2020-01-06T00:00:00+03:00",
            "term": {"months": 2}, "notice": {"months": 1}, "objectors": ["tr"],
        })

    book = truce.load_rulebook(copy_rulebook(tmp_path, "moscow-2020", edit))
    guns = {"id": "sy-art-2", "party": "sy-gov", "kind": "artillery", "count": 4, "position": {"lat": 35.855839, "lon": 36.540831}}
    objected = {"entries": [{"id": "o", "time": "2020-01-20T00:00:00+03:00", "party": "tr", "clause": "guns-mandate"}]}
    renewed = {"complete": {"start": "2020-01-06T00:00:00+03:00", "end": "2020-03-15T00:00:00+03:00"}}  # none made
    for objections, findings in ((objected, ["violated", "met", "violated"]), (renewed, ["met", "met", "met"])):
        state = {"as_of": "2020-03-14T12:00:00+03:00", "units": [guns], "records": {"objections": objections}}
        found = truce.robustness(state, rules=book, margin_km=0)
        assert [truce.evaluate(state, rules=book).finding("guns-mandate").status] + [
            d.findings["guns-mandate"] for d in found.depths] == findings
