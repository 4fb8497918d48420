"""Permissions: a recorded leave turns a would-be breach of the clause it names into a met finding that cites
it; a record that does not cover the act leaves the breach; no permission records leave the clause as it was
and the permission not assessed; a misused permission is a located error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import truce
from bookcopy import copy_rulebook, misused_clause
from truce._clauses import TYPES
from truce._clauses.permission import Permission
from truce._engines import available_engines
from truce.strategies import scenarios

KOREA = truce.load_rulebook("korea-1953")
ENGINES = available_engines()
WHERE = {"lat": 38.306875, "lon": 127.539729}
DAY = ("1953-07-29T00:00:00+09:00", "1953-07-29T23:59:59+09:00")


def _state(by: str | None, at: str, *leave: dict[str, Any], as_of: str = "1953-07-30T12:00:00+09:00") -> dict[str, Any]:
    incident: dict[str, Any] = {"id": "inc-1", "time": at, "kind": "line_crossing", "position": WHERE}
    if by is not None:
        incident["by"] = by
    state: dict[str, Any] = {"agreement": "korea-1953", "as_of": as_of, "incidents": [incident]}
    if leave:
        state["records"] = {"permissions": {"entries": list(leave)}}
    return state


def _leave(ident: str = "leave-1", valid: tuple[str, str] = DAY, granted_by: str = "mac", **covers: Any) -> dict[str, Any]:
    return {"id": ident, "time": "1953-07-28T18:00:00+09:00", "granted_by": granted_by, "clause": "no-crossing",
            "valid": {"start": valid[0], "end": valid[1]}, **(covers or {"incidents": ["inc-1"]})}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_covered_crossing_is_met_and_the_finding_cites_the_permission(engine: str) -> None:
    verdict = truce.evaluate(_state("unc", "1953-07-29T09:00:00+09:00", _leave()), engine=engine)
    crossing = verdict.finding("no-crossing")
    assert (verdict.status, crossing.status) == ("holds", "met")
    assert "leave-1" in crossing.evidence and "leave-1" in crossing.message
    assert verdict.finding("crossing-with-leave").status == "met"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("leave", "why"), [
    (_leave(granted_by="unc"), "granted by someone else"),
    (_leave(incidents=["inc-9"]), "for another incident"),
    (_leave(parties=["kpa"]), "for another party"),
    (_leave(valid=("1953-07-30T00:00:00+09:00", "1953-07-30T23:59:59+09:00")), "valid later"),
    ({**_leave(), "clause": "no-hostilities"}, "for another clause"),
])
def test_a_record_that_does_not_cover_the_act_leaves_the_breach(engine: str, leave: dict[str, Any], why: str) -> None:
    verdict = truce.evaluate(_state("unc", "1953-07-29T09:00:00+09:00", leave), engine=engine)
    crossing = verdict.finding("no-crossing")
    assert (verdict.status, crossing.status, verdict.responsible) == ("breached", "violated", ["unc"]), why
    assert "leave-1" not in crossing.evidence


@pytest.mark.parametrize("engine", ENGINES)
def test_leave_granted_after_the_act_does_not_cover_it(engine: str) -> None:
    late = {**_leave(), "time": "1953-07-29T10:00:00+09:00"}
    assert truce.evaluate(_state("unc", "1953-07-29T09:00:00+09:00", late), engine=engine).finding("no-crossing").status == "violated"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_permission_covers_an_act_up_to_the_instant_it_expires_and_no_later(engine: str) -> None:
    end = DAY[1]
    at_end = truce.evaluate(_state("unc", end, _leave()), engine=engine)
    after = truce.evaluate(_state("unc", "1953-07-30T00:00:00+09:00", _leave()), engine=engine)
    assert at_end.finding("no-crossing").status == "met"
    assert after.finding("no-crossing").status == "violated"


@pytest.mark.parametrize("engine", ENGINES)
def test_an_act_whose_time_straddles_the_end_of_the_leave_is_not_covered(engine: str) -> None:
    state = _state("unc", "1953-07-29T20:00:00+09:00", _leave())
    state["incidents"][0]["latest"] = "1953-07-30T04:00:00+09:00"
    assert truce.evaluate(state, engine=engine).finding("no-crossing").status == "violated"


@pytest.mark.parametrize("engine", ENGINES)
def test_leave_for_a_party_covers_its_acts_and_candidates_only_if_every_one_is_covered(engine: str) -> None:
    by_party = _leave(parties=["unc"])
    assert truce.evaluate(_state("unc", "1953-07-29T09:00:00+09:00", by_party), engine=engine).finding("no-crossing").status == "met"
    one_of = truce.evaluate(_state(["unc", "kpa"], "1953-07-29T09:00:00+09:00", by_party), engine=engine)  # type: ignore[arg-type]
    assert one_of.finding("no-crossing").status == "violated"
    both = _leave(parties=["unc", "north-side"])
    assert truce.evaluate(_state(["unc", "kpa"], "1953-07-29T09:00:00+09:00", both), engine=engine).finding("no-crossing").status == "met"  # type: ignore[arg-type]
    assert truce.evaluate(_state(None, "1953-07-29T09:00:00+09:00", by_party), engine=engine).finding("no-crossing").status == "unknown"


@pytest.mark.parametrize("engine", ENGINES)
def test_without_permission_records_the_breach_stands_and_the_permission_is_not_assessed(engine: str) -> None:
    for records in (None, {"permissions": {"entries": []}}):
        state = _state("unc", "1953-07-29T09:00:00+09:00")
        if records is not None:
            state["records"] = records
        verdict = truce.evaluate(state, engine=engine)
        assert (verdict.status, verdict.finding("no-crossing").status) == ("breached", "violated")
        assert [n.model_dump() for n in verdict.not_assessed] == [{"clause": "crossing-with-leave", "records": ["permissions"]}]


def test_rows_and_columns_give_the_same_verdict() -> None:
    state = _state("unc", "1953-07-29T09:00:00+09:00", _leave())
    incidents = state.pop("incidents")
    columns = truce.Columns(**state, incidents={k: [i.get(k) for i in incidents] for k in ("id", "time", "kind", "by")}
                            | {"lat": [WHERE["lat"]], "lon": [WHERE["lon"]]})
    rows = truce.evaluate({**state, "incidents": incidents})
    assert truce.evaluate(columns).model_dump(exclude={"provenance"}) == rows.model_dump(exclude={"provenance"})
    assert rows.finding("no-crossing").status == "met"


def test_the_timeline_turns_on_the_same_excuse() -> None:
    state = _state("unc", "1953-07-29T09:00:00+09:00", _leave())
    line = truce.timeline(state)
    assert {i.findings["no-crossing"] for i in line.intervals} <= {"met", "not_due"} and line.first_breach is None
    unexcused = truce.timeline(_state("unc", "1953-07-29T09:00:00+09:00"))
    assert unexcused.first_breach is not None and unexcused.first_breach.evidence == ["inc-1"]


def test_a_bad_permission_record_is_a_located_problem_in_rows_and_columns() -> None:
    for leave, path in [
        ({**_leave(), "granted_by": "mca"}, "records.permissions.entries[0].granted_by"),
        ({**_leave(), "clause": "no-crosing"}, "records.permissions.entries[0].clause"),
        ({k: v for k, v in _leave().items() if k != "incidents"}, "records.permissions.entries[0]"),
    ]:
        state = {"agreement": "korea-1953", "as_of": "1953-07-30T12:00:00+09:00", "records": {"permissions": {"entries": [leave]}}}
        for attempt in (lambda s=state: truce.prepare(s), lambda s=state: truce.prepare(truce.Columns(**s))):
            with pytest.raises(truce.ScenarioError) as info:
                attempt()
            assert [p.path for p in info.value.problems] == [path]


@pytest.mark.parametrize(("change", "message", "fix"), [
    ({"clause": "no-crosing"}, "unknown clause 'no-crosing'", "did you mean 'no-crossing'?"),
    ({"clause": "crossing-with-leave"}, "a permission cannot exempt itself",
     "name the clause whose acts it allows, e.g. clause: no-crossing"),
    ({"clause": "forces-leave-dmz"}, "clause 'forces-leave-dmz' forbids no incidents, so no leave can allow one",
     "name a clause that forbids incidents (a prohibition)"),
    ({"granted_by": "mca"}, "unknown party or group 'mca'", "did you mean 'mac'?"),
])
def test_a_misused_permission_is_a_located_error_with_the_fix(change: dict[str, Any], message: str, fix: str, tmp_path: Path) -> None:
    (field, value), = change.items()
    (problem,), at, file = misused_clause(tmp_path, "korea-1953", "crossing-with-leave", change)
    assert (problem.path, problem.message, problem.value, problem.suggestion) == (f"{at}.{field}", message, value, fix)
    assert problem.file == str(file) and problem.line is not None


def test_the_permission_is_registered_and_its_strategy_gives_every_finding() -> None:
    assert TYPES["permission"] is Permission
    seen: set[tuple[str, str]] = set()

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None, derandomize=True)
    @given(scenarios(KOREA))
    def check(state: dict[str, Any]) -> None:
        verdict = truce.evaluate(state, rules=KOREA, engine="python")
        seen.add((verdict.finding("crossing-with-leave").status, verdict.finding("no-crossing").status))

    check()
    statuses = {s for s, _ in seen}
    assert {"met", "not_assessed"} <= statuses
    assert ("met", "violated") in seen and ("met", "met") in seen


def test_a_permission_may_exempt_acts_of_a_clause_that_forbids_every_kind_of_incident(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        clauses = {c["id"]: c for c in book["clauses"]}
        clauses["no-hostilities"]["incidents"] = sorted(book["incident_kinds"])
        clauses["crossing-with-leave"]["clause"] = "no-hostilities"

    book = truce.load_rulebook(copy_rulebook(tmp_path, "korea-1953", edit))
    permission = next(c for c in book.clauses if c.id == "crossing-with-leave")
    assert isinstance(permission, Permission) and permission.clause == "no-hostilities"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("strict", [{"parties": ["unc"]}, {"applies": False}], ids=["narrowed", "dropped"])
def test_a_reading_that_narrows_or_drops_a_permission_excuses_acts_only_as_it_reads_it(
    tmp_path: Path, engine: str, strict: dict[str, Any]
) -> None:
    """Korea with a reading 'strict' under which the Commission's leave covers only the UN Command (or nothing): a
    crossing by the Korean People's Army with leave naming it is allowed as the text reads, a breach as 'strict' does;
    the UN Command's crossing stays allowed only where the reading still grants it."""

    def edit(book: dict[str, Any]) -> None:
        book["readings"]["strict"] = {"name": "strict", "description": "Leave narrowed."}
        next(c for c in book["clauses"] if c["id"] == "crossing-with-leave")["readings"] = {"strict": strict}

    book = truce.load_rulebook(copy_rulebook(tmp_path, "korea-1953", edit))
    at = "1953-07-29T09:00:00+09:00"
    for party, strictly in (("kpa", "violated"), ("unc", "met" if "parties" in strict else "violated")):
        state = _state(party, at, _leave(parties=[party]))
        found = {r: truce.evaluate(state, rules=book, reading=r, engine=engine).finding("no-crossing").status for r in ("text", "strict")}
        assert found == {"text": "met", "strict": strictly}, party
        line = truce.timeline(state, rules=book, reading="strict")
        assert line.intervals[-1].status == ("holds" if strictly == "met" else "breached"), party
