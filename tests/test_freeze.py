"""Freezes and the baselines they measure from: a unit farther than the tolerance from where it stood breaks
a freeze (with ``must: move``, one still within it); uncertainties that straddle the tolerance, or a missing
position or baseline, leave it unknown; a state whose bound units carry no baseline does not assess it; rows and
columns read baselines alike; misuse is a located rulebook error with its fix."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import truce
from bookcopy import copy_rulebook, misused_clause
from test_columns import as_columns
from truce._clauses import TYPES
from truce._clauses.freeze import Freeze
from truce._engines import available_engines
from truce._geo import KM_PER_DEGREE, great_circle_km
from truce._lint import lint_rulebook
from truce.strategies import scenarios

KARABAKH, MINSK = truce.load_rulebook("karabakh-2020"), truce.load_rulebook("minsk-2015")
BOOKS = {book.id: book for book in (KARABAKH, MINSK)}
FREEZES = [(book.id, c.id) for book in BOOKS.values() for c in book.clauses if isinstance(c, Freeze)]
FREEZE = "forces-stop-where-they-stand"
AS_OF = "2020-11-12T12:00:00+03:00"
HADRUT = (39.52, 47.03)
ENGINES = available_engines()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def _north(km: float, of: tuple[float, float] = HADRUT) -> dict[str, float]:
    return {"lat": of[0] + km / KM_PER_DEGREE, "lon": of[1]}


def _unit(uid: str = "az-1", party: str = "az", km: float | None = 0.0, baseline: bool = True, **more: Any) -> dict[str, Any]:
    unit: dict[str, Any] = {"id": uid, "party": party, "kind": "tank", "count": 3, **more}
    if km is not None:
        unit["position"] = _north(km)
    if baseline:
        unit["baseline"] = {"lat": HADRUT[0], "lon": HADRUT[1]}
    return unit


def _state(*units: dict[str, Any], as_of: str = AS_OF) -> dict[str, Any]:
    return {"agreement": "karabakh-2020", "as_of": as_of, "units": list(units)}


def _finding(state: dict[str, Any], engine: str | None = None, rules: Any = None) -> truce.Verdict:
    return truce.evaluate(state, rules=rules, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("units", "status", "finding"),
    [
        ([_unit(km=1.0), _unit("nk-1", "nk", km=0.0)], "holds", "met"),
        ([_unit(km=5.0), _unit("nk-1", "nk", km=0.0)], "breached", "violated"),
        ([_unit(km=2.5, uncertainty_km=1.0)], "indeterminate", "unknown"),
        ([_unit(km=None)], "indeterminate", "unknown"),
        ([_unit(km=5.0, baseline=False), _unit("nk-1", "nk", km=9.0, baseline=False)], "holds", "not_assessed"),
        ([], "holds", "not_assessed"),
    ],
)
def test_a_freeze_holds_breaks_stays_open_or_is_not_assessed_alike_in_both_engines(
    engine: str, units: list[dict[str, Any]], status: str, finding: str
) -> None:
    verdict = _finding(_state(*units), engine)
    assert (verdict.status, verdict.finding(FREEZE).status) == (status, finding)
    assert [n.clause for n in verdict.not_assessed] == ([FREEZE] if finding == "not_assessed" else [])
    if finding == "violated":
        assert verdict.responsible == ["az"] and verdict.finding(FREEZE).evidence == ["az-1"]


def test_the_tolerance_is_inclusive_and_decides_to_the_kilometre(tmp_path: Path) -> None:
    assert _finding(_state(_unit(km=1.99))).finding(FREEZE).status == "met"
    assert _finding(_state(_unit(km=2.01))).finding(FREEZE).status == "violated"
    position = _north(3.3)
    exact = float(great_circle_km(np.array([position["lat"]]), np.array([position["lon"]]), HADRUT[0], HADRUT[1])[0])

    def edit(book: dict[str, Any]) -> None:
        next(c for c in book["clauses"] if c["id"] == FREEZE)["tolerance_km"] = exact

    rules = truce.load_rulebook(copy_rulebook(tmp_path, "karabakh-2020", edit))
    state = _state(_unit(km=3.3))
    assert _finding(state, rules=rules).finding(FREEZE).status == "met"
    state["units"][0]["position"] = _north(3.3 + 1e-5)
    assert _finding(state, rules=rules).finding(FREEZE).status == "violated"


@pytest.mark.parametrize(
    ("km", "position_km", "baseline_km", "finding"),
    [
        (3.0, 0.5, 0.6, "unknown"),  # 1.9 to 4.1 km: on both sides of 2
        (3.0, 0.5, 0.4, "violated"),  # at least 2.1 km
        (1.0, 0.5, 0.6, "unknown"),  # up to 2.1 km
        (1.0, 0.5, 0.4, "met"),  # at most 1.9 km
        (1.0, None, 0.9, "met"),  # a baseline's uncertainty alone
        (1.0, None, 1.1, "unknown"),
    ],
)
def test_both_uncertainties_widen_the_distance_and_a_straddle_is_unknown(
    km: float, position_km: float | None, baseline_km: float, finding: str
) -> None:
    unit = _unit(km=km, **({"uncertainty_km": position_km} if position_km is not None else {}))
    unit["baseline"]["uncertainty_km"] = baseline_km
    verdict = _finding(_state(unit))
    assert verdict.finding(FREEZE).status == finding
    if finding == "unknown":
        (fact,) = verdict.missing
        slack = (position_km or 0.0) + baseline_km
        near, far = max(km - slack, 0.0), km + slack  # never less than 0 km apart
        assert "a closer fix on where unit az-1 (az, tank)" in fact and "the tolerance is 2 km" in fact
        assert f"(between {near:.1f} and {far:.1f} km from its baseline;" in fact


def test_what_is_missing_is_named_a_position_or_a_baseline() -> None:
    verdict = _finding(_state(_unit(km=None), _unit("nk-1", "nk", km=0.0, baseline=False)))
    assert verdict.finding(FREEZE).status == "unknown"
    assert verdict.missing == ["the baseline of unit nk-1 (nk, tank)", "the position of unit az-1 (az, tank)"]
    assert sorted(verdict.finding(FREEZE).unknown) == ["az-1", "nk-1"]


def test_baselines_only_of_parties_it_does_not_bind_leave_it_not_assessed() -> None:
    peacekeepers = {"id": "ru-1", "party": "ru", "kind": "apc", "count": 1, "position": _north(9.0), "baseline": _north(0.0)}
    verdict = _finding(_state(_unit(km=9.0, baseline=False), peacekeepers))
    assert verdict.finding(FREEZE).status == "not_assessed"
    assert "no unit baselines" in verdict.explain()
    assert _finding(_state(_unit(km=9.0), peacekeepers)).finding(FREEZE).status == "violated"


def test_not_assessed_never_changes_the_status() -> None:
    corridor = {"id": "az-c", "party": "az", "kind": "tank", "position": {"lat": 39.6369, "lon": 46.5461}}
    verdict = _finding(_state(corridor))
    assert verdict.finding(FREEZE).status == "not_assessed" and verdict.status == "breached"
    assert verdict.responsible == ["az"]


def test_a_baseline_given_once_holds_for_every_observation_of_the_unit() -> None:
    first = {**_unit(km=0.0), "observed": "2020-11-10T06:00:00+03:00"}
    later = _unit(km=6.0, baseline=False) | {"observed": "2020-11-11T06:00:00+03:00"}
    state = _state(first, later)
    assert _finding(state).finding(FREEZE).status == "violated"
    assert _finding({**state, "as_of": "2020-11-10T12:00:00+03:00"}).finding(FREEZE).status == "met"
    timeline = truce.timeline(state)
    statuses = [(i.start.isoformat(), i.status) for i in timeline.intervals]
    assert statuses[:2] == [("2020-11-10T00:00:00+03:00", "holds"), ("2020-11-11T06:00:00+03:00", "breached")]


def test_must_move_counts_only_units_that_stood_in_its_zone_and_have_not_moved() -> None:
    guns = {"id": "ua-1", "party": "ua", "kind": "artillery", "count": 6, "attributes": {"calibre_mm": 152},
            "position": {"lat": 48.513056, "lon": 38.24651}, "baseline": {"lat": 48.513056, "lon": 38.24651}}
    state = {"agreement": "minsk-2015", "as_of": "2015-02-17T12:00:00+02:00", "units": [guns]}
    assert truce.evaluate(state).finding("ua-withdrawal-begun").status == "violated"
    far_back = {"lat": 49.2, "lon": 37.6}  # well behind the 25 km the clause reads
    state["units"][0] = {**guns, "position": far_back, "baseline": far_back}
    assert truce.evaluate(state).finding("ua-withdrawal-begun").status == "met"
    moved = {**guns, "position": {"lat": 48.56, "lon": 38.23}}
    state["units"][0] = moved
    assert truce.evaluate(state).finding("ua-withdrawal-begun").status == "met"
    assert truce.evaluate({**state, "as_of": "2015-02-16T23:59:59+02:00"}).finding("ua-withdrawal-begun").status == "not_due"


@pytest.mark.parametrize(
    ("change", "fix"),
    [
        ({"tolerance_km": None}, "tolerance_km: 2"),
        ({"tolerance_km": -1}, "tolerance_km: 2"),
        ({"tolerance_km": True}, "tolerance_km: 2"),
        ({"tolerance_km": "2 km"}, "tolerance_km: 2"),
        ({"tolerance_km": None, "tolerance": 2}, "did you write 'tolerance' for 'tolerance_km'?"),
    ],
)
def test_a_freeze_without_a_usable_tolerance_is_a_located_error_with_the_fix(change: dict[str, Any], fix: str, tmp_path: Path) -> None:
    (problem,), at, file = misused_clause(tmp_path, "karabakh-2020", FREEZE, change)
    assert problem.path in (at, f"{at}.tolerance_km")
    assert problem.file == str(file) and problem.line is not None
    assert "tolerance_km" in problem.message or "tolerance_km" in problem.path
    assert fix in f"{problem.message} {problem.suggestion}" and problem.suggestion


@pytest.mark.parametrize(("tolerance", "message"), [
    (-1, "expected a finite number from 0 to 20000"),
    ("2 km", "expected a finite number from 0 to 20000, not str"),
    (True, "expected a finite number from 0 to 20000, not bool"),
    (None, "a freeze clause needs 'tolerance_km'"),
])
def test_a_tolerance_that_is_no_distance_says_why_and_how_to_give_one(tolerance: object, message: str, tmp_path: Path) -> None:
    (problem,), _, _ = misused_clause(tmp_path, "karabakh-2020", FREEZE, {"tolerance_km": tolerance})
    fix = "write e.g. tolerance_km: 2, how far in km a unit may stand from its baseline, and say in the note why"
    assert (problem.message, problem.suggestion) == (message, fix)


def test_a_zero_tolerance_is_a_lint_warning(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        next(c for c in book["clauses"] if c["id"] == FREEZE)["tolerance_km"] = 0

    found = lint_rulebook(copy_rulebook(tmp_path, "karabakh-2020", edit))
    zero = [lint for lint in found if lint.problem.path.endswith("tolerance_km")]
    assert [lint.code for lint in zero] == ["zero-tolerance"] * len(KARABAKH.readings)
    assert {(lint.severity, lint.problem.message, lint.problem.suggestion) for lint in zero} == {
        ("warning", f"under reading {reading!r} the tolerance is 0 km: any error in a reported position decides it",
         "state how far a unit may stand from its baseline, e.g. tolerance_km: 2, and say why in the note")
        for reading in KARABAKH.readings
    }


def test_a_freeze_of_forces_no_kind_falls_in_can_never_be_broken(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        book.setdefault("classes", {})["empty"] = {"name": "a class no kind is in"}
        next(c for c in book["clauses"] if c["id"] == FREEZE)["forces"] = ["empty"]

    path = copy_rulebook(tmp_path, "karabakh-2020", edit)
    found = [lint for lint in lint_rulebook(path) if lint.code == "never-applies"]
    at = next(i for i, c in enumerate(yaml.safe_load(path.read_text())["clauses"]) if c["id"] == FREEZE)
    assert {(lint.severity, lint.problem.path, lint.problem.message, lint.problem.suggestion, lint.problem.file) for lint in found} == {
        ("error", f"clauses[{at}].forces", f"under reading {reading!r} no kind falls in ['empty']: the clause can never be violated",
         "add the class to some kinds' classes", str(path))
        for reading in KARABAKH.readings
    }


def test_the_freeze_is_a_registered_type_whose_units_carry_baselines() -> None:
    assert TYPES["freeze"] is Freeze
    assert list(Freeze.strategy(KARABAKH, {"units": 2, "incidents": 2})) == ["units"]


@pytest.mark.parametrize(("book_id", "clause"), FREEZES)
def test_the_strategies_reach_every_finding_of_each_freeze(book_id: str, clause: str) -> None:
    """Generated states, as drawn and moved to an instant within 5 days after the clause is due, give each finding
    (drawn the same way on every run: a weapon that must move, of a bound party, standing in a zone, is rare)."""
    book = BOOKS[book_id]
    due = book.deadline(next(c for c in book.clauses if c.id == clause))
    seen: set[str] = set()

    @settings(SETTINGS, max_examples=600, derandomize=True)
    @given(scenarios(book), st.integers(0, 5 * 24 * 3600))
    def check(state: dict[str, Any], after: int) -> None:
        for as_of in (state["as_of"], (due + timedelta(seconds=after)).isoformat()):
            seen.add(truce.evaluate({**state, "as_of": as_of}, rules=book, engine="python").finding(clause).status)

    check()
    assert {"met", "violated", "unknown", "not_assessed"} <= seen


@SETTINGS
@given(scenarios(KARABAKH, max_units=4, max_incidents=2))
def test_rows_and_columns_give_the_same_freeze_finding(state: dict[str, Any]) -> None:
    state = json.loads(json.dumps(state, default=str))
    rows, columns = truce.evaluate(state), truce.evaluate(as_columns(state))
    assert rows.finding(FREEZE).model_dump() == columns.finding(FREEZE).model_dump()
    assert rows.status == columns.status


def test_the_input_hash_sees_a_baseline_in_both_forms() -> None:
    plain = _state(_unit(km=1.0, baseline=False))
    based = _state(_unit(km=1.0))
    assert truce.prepare(plain).input_sha256 != truce.prepare(based).input_sha256
    assert truce.prepare(as_columns(plain)).input_sha256 != truce.prepare(as_columns(based)).input_sha256


def test_repair_moves_an_advanced_unit_back_and_contrast_finds_where_tolerances_part(tmp_path: Path) -> None:
    fixed = truce.repair(_state(_unit(km=5.0)))
    assert fixed.yields == "holds" and [c.item for c in fixed.changes] == ["az-1"]
    assert "must return to within 2 km of where it stood at its baseline" in fixed.changes[0].message

    def edit(book: dict[str, Any]) -> None:
        next(c for c in book["clauses"] if c["id"] == FREEZE)["readings"] = {"extended": {"tolerance_km": 5}}

    found = truce.contrast(copy_rulebook(tmp_path, "karabakh-2020", edit), "text", "extended")
    parted = [d for d in found.differences if d.clause == FREEZE]
    assert parted and all(d.witness is not None and "baseline" in json.dumps(d.witness) for d in parted)


def test_robustness_moves_baselines_across_a_must_move_zone_s_edge_and_still_asks_how_far_units_moved() -> None:
    edge = {"lat": 48.644044, "lon": 38.204004}  # 24.9 km from the line of contact: 0.1 km inside the 25 km
    guns = {"id": "ua-1", "party": "ua", "kind": "mlrs", "count": 3, "position": edge, "baseline": edge}
    state = {"agreement": "minsk-2015", "as_of": "2015-02-17T12:00:00+02:00", "units": [guns]}
    stayed = truce.robustness(state)
    assert truce.evaluate(state).finding("ua-withdrawal-begun").status == "violated"
    assert not stayed.stable and "ua-1" in stayed.deciding
    state["units"][0] = {**guns, "position": {"lat": edge["lat"] + 0.05, "lon": edge["lon"]}}
    assert truce.evaluate(state).finding("ua-withdrawal-begun").status == "met"
    assert truce.robustness(state).stable


def test_an_observation_without_a_baseline_takes_the_earliest_given_whatever_the_order_of_rows() -> None:
    rows = [
        {**_unit(km=6.0, baseline=False), "observed": "2020-11-11T18:00:00+03:00"},
        {**_unit(km=0.0), "observed": "2020-11-10T06:00:00+03:00"},
        {**_unit(km=6.0), "observed": "2020-11-11T06:00:00+03:00", "baseline": _north(6.0)},
    ]
    for order in (rows, rows[::-1], rows[1:] + rows[:1]):
        assert _finding(_state(*order)).finding(FREEZE).status == "violated"
        assert _finding(_state(*order, as_of="2020-11-11T12:00:00+03:00")).finding(FREEZE).status == "met"


def test_a_freeze_missing_another_field_is_not_told_to_give_a_tolerance(tmp_path: Path) -> None:
    (problem,), at, _ = misused_clause(tmp_path, "karabakh-2020", FREEZE, {"title": None})
    assert (problem.path, problem.message, problem.suggestion) == (f"{at}.title", "Field required", None)


def test_a_freeze_of_a_rulebook_without_zones_is_contrasted_at_0_0(tmp_path: Path) -> None:
    # where no zone gives a place, a reading that tolerates 1 km less is shown by a unit moved from 0 N, 0 E
    path = tmp_path / "book.yaml"
    path.write_text(
        "id: still\ntitle: Test\ndate: 2020-01-01\nsummary: A test.\nsources: [{title: none}]\n"
        "parties: {a: {name: Party A}}\nkinds: {troops: {name: troops}}\n"
        "readings: {text: {name: text, description: The text.}, strict: {name: strict, description: Stricter.}}\n"
        "in_force: {start: 2020-01-01T00:00:00+00:00, article: Art. 1}\n"
        "clauses:\n  - id: stay\n    type: freeze\n    title: Forces stay\n    article: Art. 2\n    parties: [a]\n"
        "    forces: all\n    tolerance_km: 2\n    readings: {strict: {tolerance_km: 1}}\n",
        encoding="utf-8",
    )
    (difference,) = truce.contrast(truce.load_rulebook(path), "text", "strict").differences
    assert difference.witness is not None
    (unit,) = difference.witness["units"]
    assert unit["baseline"] == {"lat": 0.0, "lon": 0.0} and unit["position"]["lon"] == 0.0
    assert 1 < great_circle_km(np.array([0.0]), np.array([0.0]), np.array([unit["position"]["lat"]]), np.array([0.0]))[0] <= 2
