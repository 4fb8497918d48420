"""Obligations and the records they rest on: a clause whose kind of record the state carries none of is not
assessed and never changes the status; where records are present, a stretch without one is a violation inside
the period they declare complete and unknown elsewhere; records are checked like every other part of a state."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import truce
from bookcopy import copy_rulebook, misused_clause
from truce._clauses import TYPES
from truce._clauses.obligation import Obligation
from truce._engines import available_engines
from truce._scenario import RECORD_SETS, Records
from truce.strategies import scenarios

GOLAN, MOSCOW, SOCHI, NES = (truce.load_rulebook(b) for b in ("golan-1974", "moscow-2020", "sochi-2018", "nes-2019"))
BOOKS = {book.id: book for book in (GOLAN, MOSCOW, SOCHI, NES)}
OBLIGATIONS = [(book.id, c.id) for book in BOOKS.values() for c in book.clauses if isinstance(c, Obligation)]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
ENGINES = available_engines()


def _golan(as_of: str, entries: list[tuple[str, str]], complete: tuple[str, str] | None = None, **more: Any) -> dict[str, Any]:
    inspections: dict[str, Any] = {"entries": [{"id": i, "time": t, "parties": ["un"], **more} for i, t in entries]}
    if complete:
        inspections["complete"] = {"start": complete[0], "end": complete[1]}
    return {"agreement": "golan-1974", "as_of": as_of, "records": {"inspections": inspections}}


def _finding(state: dict[str, Any], clause: str, engine: str | None = None) -> str:
    return truce.evaluate(state, engine=engine).finding(clause).status


def test_every_record_kind_is_a_field_of_records_with_its_set() -> None:
    assert set(RECORD_SETS) == set(Records.model_fields)
    for kind, records in RECORD_SETS.items():
        assert Records.model_fields[kind].annotation == records | None
        assert records.noun.endswith("records")


@pytest.mark.parametrize(("book_id", "clause"), OBLIGATIONS)
@pytest.mark.parametrize("records", [None, {}, {"entries": []}])
def test_a_state_with_no_record_of_the_kind_does_not_assess_it_and_keeps_the_status(
    book_id: str, clause: str, records: dict[str, Any] | None
) -> None:
    book = BOOKS[book_id]
    obligation = next(c for c in book.clauses if c.id == clause)
    as_of = (book.deadline(obligation) + timedelta(days=3)).isoformat()
    state: dict[str, Any] = {"agreement": book_id, "as_of": as_of}
    if records is not None:
        state["records"] = {obligation.records: records} if records else {}
    for engine in ENGINES:
        verdict = truce.evaluate(state, engine=engine)
        assert verdict.finding(clause).status == "not_assessed"
        listed = [n.model_dump() for n in verdict.not_assessed]  # the others due by then too, as the state has no records
        assert {"clause": clause, "records": [obligation.records]} in listed
        assert {n["clause"] for n in listed} <= {c.id for c in book.clauses if isinstance(c, Obligation)}
        assert verdict.status == "holds"
        noun = RECORD_SETS[obligation.records].noun
        assert "HOLDS on every term assessed; not assessed: " in verdict.explain()
        assert f"{obligation.title} (no {noun})" in verdict.explain()


@pytest.mark.parametrize("book_id", sorted(BOOKS))
def test_not_assessed_never_changes_the_status(book_id: str) -> None:
    """A generated state without any records gets the status it gets under the rulebook without its obligations."""
    book = BOOKS[book_id]
    without = book.model_copy(update={"clauses": [c for c in book.clauses if not isinstance(c, Obligation)]})

    @SETTINGS
    @given(scenarios(book))
    def check(state: dict[str, Any]) -> None:
        state = {k: v for k, v in state.items() if k != "records"}
        for reading in book.readings:
            verdict = truce.evaluate(state, rules=book, reading=reading, engine="python")
            assert verdict.status == truce.evaluate(state, rules=without, reading=reading, engine="python").status
            unassessed = {f.clause for f in verdict.findings if f.status == "not_assessed"}
            assert unassessed == {n.clause for n in verdict.not_assessed}
            assert all(f.status in ("not_due", "not_assessed", "not_applicable") for f in verdict.findings if f.clause in
                       {c.id for c in book.clauses if isinstance(c, Obligation)})

    check()


@pytest.mark.parametrize(("book_id", "clause"), OBLIGATIONS)
def test_the_strategies_reach_every_finding_of_each_obligation(book_id: str, clause: str) -> None:
    """Generated states, as drawn and moved to an instant within 40 days after the clause is due (most drawn
    instants lie before the deadline), give each finding the clause can have."""
    book = BOOKS[book_id]
    due = book.deadline(next(c for c in book.clauses if c.id == clause))
    seen: set[str] = set()

    @settings(SETTINGS, max_examples=300, derandomize=True)
    @given(scenarios(book), st.integers(0, 40 * 24 * 3600))
    def check(state: dict[str, Any], after: int) -> None:
        for as_of in (state["as_of"], (due + timedelta(seconds=after)).isoformat()):
            seen.add(truce.evaluate({**state, "as_of": as_of}, rules=book, engine="python").finding(clause).status)

    check()
    assert {"met", "violated", "unknown", "not_assessed", "not_due"} <= seen


@pytest.mark.parametrize("engine", ENGINES)
def test_a_periodic_obligation_allows_exactly_its_span_between_records(engine: str) -> None:
    """Inspections 15 days apart keep it; 15 days and a second apart break it where the records are complete, and
    leave it unknown where they are not."""
    start, as_of = "1974-05-31T00:00:00+02:00", "1974-07-05T12:00:00+02:00"
    first = datetime.fromisoformat("1974-06-10T09:00:00+02:00")
    for gap, complete, expected in [
        (timedelta(days=15), True, "met"), (timedelta(days=15, seconds=1), True, "violated"),
        (timedelta(days=15, seconds=1), False, "unknown"), (timedelta(days=15), False, "met"),
    ]:
        times = [first - timedelta(days=10), first, first + gap, first + gap + timedelta(days=10)]
        state = _golan(as_of, [(f"i{n}", t.isoformat()) for n, t in enumerate(times)], (start, as_of) if complete else None)
        assert _finding(state, "un-inspections", engine) == expected, (gap, complete)


def test_a_stretch_breaks_it_only_if_more_than_the_span_of_it_lies_in_the_complete_period() -> None:
    """Inspections on 1 and 30 June: complete records covering 16 days of the gap break it; 15 days, unknown."""
    entries = [("a", "1974-06-01T00:00:00+02:00"), ("b", "1974-06-30T00:00:00+02:00")]
    as_of = "1974-07-05T00:00:00+02:00"
    assert _finding(_golan(as_of, entries, ("1974-06-14T00:00:00+02:00", as_of)), "un-inspections") == "violated"
    assert _finding(_golan(as_of, entries, ("1974-06-15T00:00:00+02:00", as_of)), "un-inspections") == "unknown"
    assert _finding(_golan(as_of, entries, ("1974-06-01T00:00:00+02:00", "1974-06-16T00:00:00+02:00")), "un-inspections") == "unknown"


def test_the_stretch_since_the_last_record_counts_up_to_the_instant() -> None:
    entries = [("a", "1974-06-10T00:00:00+02:00")]
    complete = ("1974-05-31T00:00:00+02:00", "1974-12-31T00:00:00+02:00")
    assert _finding(_golan("1974-06-25T00:00:00+02:00", entries, complete), "un-inspections") == "met"
    assert _finding(_golan("1974-06-25T00:00:01+02:00", entries, complete), "un-inspections") == "violated"
    later = _golan("1974-06-25T00:00:01+02:00", [*entries, ("b", "1974-06-26T00:00:00+02:00")], complete)
    assert _finding(later, "un-inspections") == "violated", "an inspection after the instant does not count"


def _moscow(entries: list[dict[str, Any]], complete: bool = True, as_of: str = "2020-03-20T12:00:00+03:00") -> dict[str, Any]:
    patrols: dict[str, Any] = {"entries": [{"id": f"p{n}", **e} for n, e in enumerate(entries)]}
    if complete:
        patrols["complete"] = {"start": "2020-03-06T00:00:00+03:00", "end": as_of}
    return {"agreement": "moscow-2020", "as_of": as_of, "records": {"patrols": patrols}}


ROAD = "m4-trumba-ain-al-havr"


@pytest.mark.parametrize(("patrol", "expected"), [
    ({"time": "2020-03-15T10:00:00+03:00", "parties": ["tr", "ru"], "road": ROAD}, "met"),
    ({"time": "2020-03-15T00:00:00+03:00", "parties": ["ru", "tr"], "road": ROAD}, "met"),
    ({"time": "2020-03-14T23:59:59+03:00", "parties": ["tr", "ru"], "road": ROAD}, "violated"),  # before `since`
    ({"time": "2020-03-20T12:00:01+03:00", "parties": ["tr", "ru"], "road": ROAD}, "violated"),  # after the instant
    ({"time": "2020-03-15T10:00:00+03:00", "parties": ["ru"], "road": ROAD}, "violated"),  # not joint
    ({"time": "2020-03-15T10:00:00+03:00", "parties": ["tr", "ru"]}, "violated"),  # on no road named
])
def test_a_patrol_counts_only_if_joint_along_the_road_and_from_since_to_the_instant(patrol: dict[str, Any], expected: str) -> None:
    assert _finding(_moscow([patrol]), "joint-patrols-m4") == expected
    assert _finding(_moscow([patrol], complete=False), "joint-patrols-m4") == ("met" if expected == "met" else "unknown")


def test_a_once_obligation_is_not_due_before_its_deadline_and_breached_from_it() -> None:
    assert _finding(_moscow([], as_of="2020-03-15T23:59:59+03:00"), "joint-patrols-m4") == "not_due"
    verdict = truce.evaluate(_moscow([], as_of="2020-03-16T00:00:00+03:00"))
    assert (verdict.status, verdict.responsible, verdict.finding("joint-patrols-m4").status) == ("breached", ["ru", "tr"], "violated")


def _sochi(*entries: tuple[str, str, str]) -> dict[str, Any]:
    rows = [{"id": f"r{n}", "time": t, "road": r, "status": s} for n, (t, r, s) in enumerate(entries)]
    return {"agreement": "sochi-2018", "as_of": "2019-01-10T00:00:00+02:00", "records": {"roads": {"entries": rows}}}


def test_a_road_counts_by_its_latest_status_at_the_instant() -> None:
    m4, m5 = "m4-aleppo-latakia", "m5-aleppo-hama"
    both_open = [("2018-12-01T00:00:00+02:00", m4, "open"), ("2018-12-01T00:00:00+02:00", m5, "open")]
    assert _finding(_sochi(*both_open), "m4-m5-transit") == "met"
    assert _finding(_sochi(*both_open, ("2019-01-02T00:00:00+02:00", m4, "closed")), "m4-m5-transit") == "violated"
    assert _finding(_sochi(*both_open, ("2019-02-02T00:00:00+02:00", m4, "closed")), "m4-m5-transit") == "met"
    assert _finding(_sochi(("2018-11-01T00:00:00+02:00", m4, "closed"), *both_open), "m4-m5-transit") == "met"
    assert _finding(_sochi(both_open[0]), "m4-m5-transit") == "unknown"
    assert _finding(_sochi(both_open[0], ("2018-12-05T00:00:00+02:00", m5, "closed")), "m4-m5-transit") == "violated"


@pytest.mark.parametrize("state", [
    _golan("1974-07-05T00:00:00+02:00", [("a", "1974-06-01T00:00:00+02:00"), ("b", "1974-06-30T00:00:00+02:00")]),
    _moscow([{"time": "2020-03-15T10:00:00+03:00", "parties": ["ru"], "road": ROAD}], complete=False),
    _sochi(("2018-12-01T00:00:00+02:00", "m4-aleppo-latakia", "open")),
], ids=["inspections", "patrols", "roads"])
def test_an_unknown_obligation_names_what_would_settle_it(state: dict[str, Any]) -> None:
    verdict = truce.evaluate(state)
    assert verdict.status == "indeterminate"
    found = truce.repair(state)
    assert found.learn and {f.if_counts for f in found.learn} == {"breached"} and {f.if_not for f in found.learn} == {"holds"}
    assert all(any(fact in verdict.missing for fact in f.facts) for f in found.learn)


def test_a_timeline_follows_an_obligation_as_the_clock_runs() -> None:
    state = _golan("1974-07-05T00:00:00+02:00", [("a", "1974-06-10T00:00:00+02:00"), ("b", "1974-06-20T00:00:00+02:00")],
                   ("1974-05-31T00:00:00+02:00", "1974-07-01T00:00:00+02:00"))
    line = truce.timeline(state)
    changes = [(i.start.isoformat(), i.findings["un-inspections"]) for i in line.intervals
               if any(c.clause == "un-inspections" for c in i.changed)]
    assert changes == [
        ("1974-05-31T00:00:00+02:00", "not_due"), ("1974-06-15T00:00:00+02:00", "met"),
        ("1974-07-05T00:00:00.000001+02:00", "unknown"),
    ]
    assert line.at(datetime.fromisoformat("1974-07-06T00:00:00+02:00")).findings["un-inspections"] == "unknown"  # type: ignore[union-attr]
    lapsed = _golan("1974-07-15T00:00:00+02:00", [("a", "1974-06-10T00:00:00+02:00")],
                    ("1974-05-31T00:00:00+02:00", "1974-07-01T00:00:00+02:00"))
    first = truce.timeline(lapsed).first_breach
    assert first is not None and first.at.isoformat() == "1974-06-25T00:00:00.000001+02:00" and first.parties == ["un"]


def _one_problem_in_rows_and_columns(agreement: str, as_of: str, records: dict[str, Any]) -> Iterator[truce.Problem]:
    """The one problem of a state with these records, given as rows and then as columns."""
    for attempt in (
        lambda: truce.prepare({"agreement": agreement, "as_of": as_of, "records": records}),
        lambda: truce.prepare(truce.Columns(agreement=agreement, as_of=as_of, records=records)),
    ):
        with pytest.raises(truce.ScenarioError) as info:
            attempt()
        (problem,) = info.value.problems
        yield problem


@pytest.mark.parametrize(("path", "value", "message"), [
    (("records", "patrols", "entries", 0, "parties", 1), "rue", "unknown party or group 'rue'"),
    (("records", "patrols", "entries", 0, "road"), "m4", "unknown road 'm4'"),
    (("records", "inspections", "entries", 0, "zone"), "corridr", "unknown zone 'corridr'"),
    (("records", "roads", "entries", 0, "road"), "m5", "unknown road 'm5'"),
])
def test_an_unknown_id_in_a_record_is_located_with_a_suggestion_in_rows_and_columns(
    path: tuple[str | int, ...], value: str, message: str
) -> None:
    records: dict[str, Any] = {
        "patrols": {"entries": [{"id": "p", "time": "2020-03-15T10:00:00+03:00", "parties": ["tr", "ru"], "road": ROAD}]},
        "inspections": {"entries": [{"id": "i", "time": "2020-03-15T10:00:00+03:00", "parties": ["ru"], "zone": "corridor"}]},
        "roads": {"entries": [{"id": "r", "time": "2020-03-15T10:00:00+03:00", "road": ROAD, "status": "open"}]},
    }
    node: Any = records
    for key in path[1:-1]:
        node = node[key]
    node[path[-1]] = value
    dotted = "records." + ".".join(str(p) for p in path[1:]).replace(".0.", "[0].").replace(".1", "[1]")
    for problem in _one_problem_in_rows_and_columns("moscow-2020", "2020-03-20T12:00:00+03:00", records):
        assert (problem.path, problem.value) == (dotted, value)
        known = {"road": MOSCOW.roads, "zone": MOSCOW.zones, "parties": MOSCOW.parties}[str(path[4])]
        assert message in problem.message and problem.suggestion and any(k in problem.suggestion for k in known)


@pytest.mark.parametrize(("edit", "path"), [
    (lambda r: r["patrols"]["entries"][0].update(time="2020-03-15T10:00:00"), "records.patrols.entries[0].time"),
    (lambda r: r["patrols"]["entries"][0].update(time=1584255600), "records.patrols.entries[0].time"),
    (lambda r: r["patrols"]["entries"][0].update(parties=[]), "records.patrols.entries[0].parties"),
    (lambda r: r["patrols"]["entries"][0].update(parties="tr"), "records.patrols.entries[0].parties"),
    (lambda r: r["patrols"]["entries"][0].update(id=""), "records.patrols.entries[0].id"),
    (lambda r: r["patrols"]["entries"].append(dict(r["patrols"]["entries"][0])), "records.patrols.entries[1].id"),
    (lambda r: r["patrols"]["entries"][0].update(zone="corridor"), "records.patrols.entries[0].zone"),
    (lambda r: r["patrols"].update(complete={"start": "2020-03-20T00:00:00+03:00", "end": "2020-03-15T00:00:00+03:00"}),
     "records.patrols.complete"),
    (lambda r: r.update(convoys={"entries": []}), "records.convoys"),
    (lambda r: r.update(roads={"entries": [{"id": "r", "time": "2020-03-15T10:00:00+03:00", "road": ROAD, "status": True}]}),
     "records.roads.entries[0].status"),
])
def test_a_bad_record_is_one_located_problem_in_rows_and_columns(edit: Any, path: str, tmp_path: Path) -> None:
    records: dict[str, Any] = {
        "patrols": {"entries": [{"id": "p", "time": "2020-03-15T10:00:00+03:00", "parties": ["tr", "ru"], "road": ROAD}]},
    }
    edit(records)
    state = {"agreement": "moscow-2020", "as_of": "2020-03-20T12:00:00+03:00", "records": records}
    file = tmp_path / "state.json"
    file.write_text(json.dumps(state, indent=1))
    paths = []
    for attempt in (lambda: truce.prepare(file), lambda: truce.prepare(truce.Columns(**state))):
        with pytest.raises(truce.ScenarioError) as info:
            attempt()
        assert [p.path for p in info.value.problems] == [path]
        paths.append(info.value.problems[0])
    from_file = paths[0]
    assert from_file.file == str(file) and from_file.line is not None and from_file.line > 1
    if path == "records.convoys":
        assert from_file.suggestion and all(kind in from_file.suggestion for kind in RECORD_SETS)


@pytest.mark.parametrize(("change", "expected"), [
    ({"schedule": "periodic", "every": None},
     ("every", "a periodic obligation needs 'every', the longest stretch allowed without a record",
      "add e.g. every: {days: 15}, or write schedule: once")),
    ({"every": {"days": 7}}, ("every", "'every' is for a periodic obligation", "write schedule: periodic, or drop 'every'")),
    ({"schedule": "periodic", "every": {"days": 0}}, ("every", "'every' must be longer than nothing", "give e.g. every: {days: 15}")),
    ({"records": "roads", "roads": []},
     ("roads", "an obligation on road status names the roads that must be open", "add roads: [<road id>, ...] from the rulebook's roads")),
    ({"zone": "corridor"}, ("zone", "patrols records name no zone", "drop 'zone', or use records: inspections")),
    ({"roads": ["m4-trumba"]}, ("roads[0]", "unknown road 'm4-trumba'", "did you mean 'm4-trumba-ain-al-havr'?")),
    ({"records": "convoys"}, ("records", "Input should be 'patrols', 'inspections', 'roads' or 'posts'", None)),
])
def test_a_misused_obligation_is_a_located_error_with_the_fix(
    change: dict[str, Any], expected: tuple[str, str, str | None], tmp_path: Path
) -> None:
    problems, at, file = misused_clause(tmp_path, "moscow-2020", "joint-patrols-m4", change)
    problem = next(p for p in problems if p.path.startswith(at))
    path, message, suggestion = expected
    assert (problem.path, problem.message, problem.suggestion) == (f"{at}.{path}", message, suggestion)
    assert problem.file == str(file) and problem.line is not None


def test_a_road_obligation_cannot_be_periodic(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        clause = next(c for c in book["clauses"] if c["id"] == "m4-m5-transit")
        clause.update(schedule="periodic", every={"days": 3})

    with pytest.raises(truce.RulebookError) as info:
        truce.load_rulebook(copy_rulebook(tmp_path, "sochi-2018", edit))
    (problem,) = info.value.problems
    assert problem.path.endswith(".schedule") and "schedule: once" in (problem.suggestion or "")


def test_a_reading_that_makes_an_obligation_periodic_needs_every(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        clause = next(c for c in book["clauses"] if c["id"] == "joint-patrols-m4")
        clause["readings"] = {"text": {"schedule": "periodic"}}

    with pytest.raises(truce.RulebookError) as info:
        truce.load_rulebook(copy_rulebook(tmp_path, "moscow-2020", edit))
    (problem,) = info.value.problems
    assert problem.path.endswith(".readings.text.every")


def test_the_obligation_is_a_registered_type_whose_strategy_gives_records() -> None:
    assert TYPES["obligation"] is Obligation
    assert list(Obligation.strategy(GOLAN, {"units": 2, "incidents": 2})) == ["records"]


def test_contrast_finds_a_witness_where_readings_give_an_obligation_other_deadlines(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        clause = next(c for c in book["clauses"] if c["id"] == "joint-patrols-m4")
        clause["readings"] = {"demilitarized-corridor": {"deadline": "2020-03-20T00:00:00+03:00"}}

    found = truce.contrast(copy_rulebook(tmp_path, "moscow-2020", edit), "text", "demilitarized-corridor")
    (difference,) = [d for d in found.differences if d.clause == "joint-patrols-m4"]
    assert difference.witness is not None and "records" in difference.witness
    assert (difference.finding_a, difference.finding_b) == ("violated", "not_due")
    assert "patrols records complete from" in found.explain()


def test_every_output_that_lists_findings_shows_what_is_not_assessed() -> None:
    import io  # noqa: PLC0415

    from rich.console import Console  # noqa: PLC0415

    from truce._export import feature_collection, write_csv  # noqa: PLC0415
    from truce._page import page_view  # noqa: PLC0415
    from truce._render import verdict_view  # noqa: PLC0415

    case = truce.prepare(Path(__file__).resolve().parents[1] / "examples" / "sochi-2018" / "11-highways-not-reported.yaml")
    verdict = truce.evaluate(case)
    text = "no road status records"
    transit = next(c for c in SOCHI.clauses if c.id == "m4-m5-transit")
    assert f"not assessed: {transit.title} ({text})" in verdict.explain()
    assert text in verdict._repr_html_()
    console = Console(file=io.StringIO(), width=300)
    console.print(verdict_view(verdict))
    assert text in console.file.getvalue()  # type: ignore[attr-defined]
    listed = [{"clause": c.id, "records": [c.records]} for c in SOCHI.clauses if isinstance(c, Obligation)]
    assert feature_collection(case, verdict)["verdict"]["not_assessed"] == listed
    rows = io.StringIO()
    write_csv([("x", verdict)], rows)
    assert ",m4-m5-transit," in rows.getvalue() and ",not_assessed," in rows.getvalue()
    view = page_view(case)
    assert view["verdict"]["not_assessed"] == listed
    schema = truce.json_schema("scenario")
    assert set(schema["$defs"]["Records"]["properties"]) == set(RECORD_SETS)
    assert "not_assessed" in json.dumps(schema["$defs"]["Expectation"])
    narrowed = truce.json_schema("scenario", MOSCOW)["$defs"]
    assert narrowed["RoadStatus"]["properties"]["road"]["enum"] == list(MOSCOW.roads)
    assert truce.json_schema("scenario", SOCHI)["$defs"]["PostStatus"]["properties"]["post"]["enum"] == list(SOCHI.posts)
    assert narrowed["Patrol"]["properties"]["parties"]["items"]["enum"] == [*MOSCOW.parties, *MOSCOW.groups]


def _posts(*entries: tuple[str, str, str], as_of: str = "2019-03-10T12:00:00+02:00") -> dict[str, Any]:
    rows = [{"id": f"p{n}", "time": t, "post": p, "status": s} for n, (t, p, s) in enumerate(entries)]
    return {"agreement": "sochi-2018", "as_of": as_of, "records": {"posts": {"entries": rows}}}


POSTS = [f"op-{i}" for i in range(1, 13)]
MANNED = [("2019-01-05T00:00:00+02:00", post, "manned") for post in POSTS]


def test_a_post_counts_by_its_latest_status_at_the_instant() -> None:
    assert _finding(_posts(*MANNED), "observation-posts-stay") == "met"
    withdrawn = ("2019-02-20T00:00:00+02:00", "op-9", "withdrawn")
    assert _finding(_posts(*MANNED, withdrawn), "observation-posts-stay") == "violated"
    assert _finding(_posts(*MANNED, withdrawn, as_of="2019-02-19T23:59:59+02:00"), "observation-posts-stay") == "met"
    assert _finding(_posts(*MANNED, withdrawn, ("2019-03-01T00:00:00+02:00", "op-9", "manned")), "observation-posts-stay") == "met"
    assert _finding(_posts(*MANNED[1:]), "observation-posts-stay") == "unknown"
    assert _finding(_posts(*MANNED[1:], withdrawn), "observation-posts-stay") == "violated"  # known withdrawn beats unknown
    verdict = truce.evaluate(_posts(*MANNED, withdrawn))
    assert verdict.responsible == ["tr"] and verdict.finding("observation-posts-stay").evidence == [f"p{len(MANNED)}"]
    assert "observation post 9" in verdict.finding("observation-posts-stay").message


@pytest.mark.parametrize("engine", ENGINES)
def test_road_and_post_status_are_read_alike_by_both_engines(engine: str) -> None:
    state = _posts(*MANNED[1:], ("2019-02-20T00:00:00+02:00", "op-9", "withdrawn"))
    state["records"]["roads"] = {"entries": [{"id": "m4", "time": "2018-12-01T00:00:00+02:00", "road": "m4-aleppo-latakia",
                                              "status": "closed"}]}
    verdict = truce.evaluate(state, engine=engine)
    assert {c: verdict.finding(c).status for c in ("observation-posts-stay", "m4-m5-transit")} == {
        "observation-posts-stay": "violated", "m4-m5-transit": "violated"}
    assert verdict.status == "breached" and verdict.responsible == ["ru", "tr"]
    assert "the status of the observation post 1 (op-1)" not in verdict.missing  # a breach leaves nothing missing


def test_an_unknown_post_names_what_would_settle_it_and_both_answers() -> None:
    state = _posts(*MANNED[:-1])
    verdict = truce.evaluate(state)
    assert verdict.status == "indeterminate" and verdict.missing == ["the status of the observation post 12 (op-12)"]
    (tip,) = truce.repair(state).learn
    assert (tip.if_counts, tip.if_not) == ("breached", "holds")


def test_an_unknown_post_in_a_record_is_located_with_a_suggestion_in_rows_and_columns() -> None:
    records = {"posts": {"entries": [{"id": "p", "time": "2019-01-05T00:00:00+02:00", "post": "op-13", "status": "manned"}]}}
    for problem in _one_problem_in_rows_and_columns("sochi-2018", "2019-03-10T12:00:00+02:00", records):
        assert (problem.path, problem.value) == ("records.posts.entries[0].post", "op-13")
        assert "unknown post 'op-13'" in problem.message and (problem.suggestion or "").startswith("did you mean 'op-")


@pytest.mark.parametrize("status", ["open", True, "Manned", None])
def test_a_post_status_other_than_manned_or_withdrawn_is_refused(status: object) -> None:
    records = {"posts": {"entries": [{"id": "p", "time": "2019-01-05T00:00:00+02:00", "post": "op-1", "status": status}]}}
    with pytest.raises(truce.ScenarioError) as info:
        truce.prepare({"agreement": "sochi-2018", "as_of": "2019-03-10T12:00:00+02:00", "records": records})
    assert [p.path for p in info.value.problems] == ["records.posts.entries[0].status"]


@pytest.mark.parametrize(("change", "expected"), [
    ({"posts": []},
     [("posts", "an obligation on post status names the posts that must be manned",
       "add posts: [<post id>, ...] from the rulebook's posts")]),
    ({"posts": ["op-13"]}, [("posts[0]", "unknown post 'op-13'", "did you mean 'op-3'?")]),
    ({"schedule": "periodic", "every": {"days": 3}},
     [("schedule", "post status is a state, not an act: it cannot be periodic",
       "write schedule: once (each post must be manned from the deadline on)")]),
    ({"roads": ["m4-aleppo-latakia"]}, [("roads", "post status records name no road", "drop 'roads', or give 'posts'")]),
    ({"records": "patrols"}, [("posts", "patrol records name no post", "drop 'posts', or use records: posts")]),
    ({"records": "inspections", "roads": ["m4-aleppo-latakia"], "zone": "buffer"},
     [("roads", "inspection records name no road", "drop 'roads', or give 'zone'"),
      ("posts", "inspection records name no post", "drop 'posts', or use records: posts")]),
])
def test_a_misused_post_obligation_is_a_located_error_with_the_fix(
    change: dict[str, Any], expected: list[tuple[str, str, str]], tmp_path: Path
) -> None:
    problems, at, file = misused_clause(tmp_path, "sochi-2018", "observation-posts-stay", change)
    assert [(p.path, p.message, p.suggestion) for p in problems] == [(f"{at}.{path}", m, s) for path, m, s in expected]
    assert all(p.file == str(file) and p.line is not None for p in problems)
