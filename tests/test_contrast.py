"""Contrast: where two readings of a rulebook part, each difference shown by a state evaluated under both."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import truce
from bookcopy import add_inspected_zone, copy_rulebook
from truce._cli import EXIT_BAD_INPUT, main
from truce._engines import available_engines
from truce.strategies import scenarios

BOOKS = {info.id: truce.load_rulebook(info.id) for info in truce.list_rulebooks()}
PAIRS = [(b, x, y) for b, book in sorted(BOOKS.items()) for x, y in itertools.permutations(sorted(book.readings), 2)]
ENGINES = [
    "python",
    pytest.param("durable", marks=pytest.mark.skipif("durable" not in available_engines(), reason="durable_rules does not import here")),
]


def test_some_bundled_rulebooks_have_readings_to_contrast() -> None:
    assert len({b for b, _, _ in PAIRS}) >= 3


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("book_id", "first", "second"), PAIRS)
def test_each_witness_shows_its_difference_under_both_readings(book_id: str, first: str, second: str, engine: str) -> None:
    book = BOOKS[book_id]
    found = truce.contrast(book, first, second, engine=engine)
    assert (found.reading_a, found.reading_b) == (first, second)
    assert found.differences
    for difference in found.differences:
        assert difference.fields
        assert difference.witness is not None, difference.clause
        verdicts = [truce.evaluate(difference.witness, rules=book, reading=r, engine=engine) for r in (first, second)]
        findings = [v.finding(difference.clause).status for v in verdicts]
        assert findings[0] != findings[1]
        assert (difference.finding_a, difference.finding_b) == tuple(findings)
        assert (difference.status_a, difference.status_b) == tuple(v.status for v in verdicts)


@pytest.mark.parametrize(("book_id", "first", "second"), PAIRS[::2])
def test_no_clause_left_out_differs_on_any_state(book_id: str, first: str, second: str) -> None:
    book = BOOKS[book_id]
    listed = {d.clause for d in truce.contrast(book, first, second).differences}

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(scenarios(book))
    def check(state: dict[str, Any]) -> None:
        case = truce.prepare(state, rules=book, reading=first)
        verdicts = [truce.evaluate(c, engine="python") for c in (case, case.read_as(second))]
        for a, b in zip(verdicts[0].findings, verdicts[1].findings, strict=True):
            assert a.status == b.status or a.clause in listed, a.clause

    check()


def test_the_founding_case_parts_on_rebels_and_medium_weapons() -> None:
    found = {d.clause: d for d in truce.contrast("idlib-2019", "sochi", "government").differences}
    assert sorted(found) == ["heavy-weapons-leave-buffer", "jihadists-leave-buffer"]
    assert (found["jihadists-leave-buffer"].only_a, found["jihadists-leave-buffer"].only_b) == ({}, {"actors": ["rebels"]})
    assert found["heavy-weapons-leave-buffer"].only_b["kinds"] == ["anti_aircraft_gun", "atgm", "heavy_machine_gun"]
    assert "met and holds under sochi, violated and conditions_unmet under government" in truce.contrast(
        "idlib-2019", "sochi", "government").explain()


def test_bad_input_is_a_truce_error() -> None:
    for args in (("idlib-2019", "sochi", "govt"), ("idlib-2091", "sochi", "government")):
        with pytest.raises(truce.TruceError):
            truce.contrast(*args)
    with pytest.raises(truce.TruceError):
        truce.contrast("idlib-2019", "sochi", "government", engine="drools")


def test_the_command_exits_1_on_differences_and_speaks_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contrast", "idlib-2019", "--format", "json"]) == 1
    line = json.loads(capsys.readouterr().out)
    assert (line["file"], line["reading_a"], line["reading_b"]) == ("idlib-2019", "sochi", "government")
    assert main(["contrast", "moscow-2020", "text", "text"]) == 0
    assert "agree on every clause" in capsys.readouterr().out
    assert main(["contrast", "korea-1953"]) == EXIT_BAD_INPUT
    assert "one reading" in capsys.readouterr().err


def test_a_rulebook_file_is_contrasted_too() -> None:
    path = Path(__file__).resolve().parents[1] / "rules" / "karabakh-2020.yaml"
    assert [d.clause for d in truce.contrast(path, "text", "extended").differences] == ["kalbajar-returned"]


def _stricter(clauses: dict[str, dict[str, Any]]) -> Any:
    """An edit adding a reading 'strict' under which each named clause says what ``clauses`` gives for it."""

    def edit(book: dict[str, Any]) -> None:
        book["readings"]["strict"] = {"name": "strict", "description": "Stricter."}
        for clause in book["clauses"]:
            if clause["id"] in clauses:
                clause["readings"] = {"strict": clauses[clause["id"]]}

    return edit


@pytest.mark.parametrize(("rid", "clauses", "shown"), [
    ("korea-1953", {"no-crossing": {"incidents": ["line_crossing", "shelling"]}}, ("met", "violated")),
    ("karabakh-2020", {"peacekeeping-mandate": {"parties": ["ru", "am"]}}, ("met", "violated")),
])
def test_a_reading_that_forbids_more_acts_or_binds_more_parties_is_shown_by_a_witness(
    tmp_path: Path, rid: str, clauses: dict[str, dict[str, Any]], shown: tuple[str, str]
) -> None:
    book = truce.load_rulebook(copy_rulebook(tmp_path, rid, _stricter(clauses)))
    text = next(r for r in book.readings if r != "strict")
    (difference,) = truce.contrast(book, text, "strict").differences
    assert difference.clause in clauses and difference.witness is not None
    verdicts = [truce.evaluate(difference.witness, rules=book, reading=r) for r in (text, "strict")]
    assert tuple(v.finding(difference.clause).status for v in verdicts) == shown == (difference.finding_a, difference.finding_b)


def _witness(tmp_path: Path, edit: Any) -> tuple[truce.Rulebook, list[dict[str, Any]], str]:
    """The rulebook a copy of Korea's edited, the incidents of the one difference's witness, and the time of its acts
    (an hour before the witness's moment)."""
    book = truce.load_rulebook(copy_rulebook(tmp_path, "korea-1953", edit))
    (difference,) = truce.contrast(book, "text", "strict").differences
    assert difference.clause == "no-hostile-act-dmz" and difference.witness is not None
    return book, difference.witness["incidents"], (datetime.fromisoformat(difference.witness["as_of"]) - timedelta(hours=1)).isoformat()


def test_a_witness_act_is_launched_from_and_lands_in_the_zone_an_hour_before_its_moment(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        _stricter({"no-hostile-act-dmz": {"incidents": ["armed_clash", "shelling", "air_strike"]}})(book)
        book["incident_kinds"]["air_strike"]["range_km"] = 300  # the act may then be launched from the zone

    book, (act,), at = _witness(tmp_path, edit)
    assert {k: v for k, v in act.items() if k not in ("position", "origin")} == {
        "id": "witness", "time": at, "kind": "air_strike", "by": "cpv"}
    assert act["position"] == act["origin"]
    assert book.area("dmz").covers_xy(np.array([act["position"]["lon"]]), np.array([act["position"]["lat"]])).tolist() == [True]


@pytest.mark.parametrize(("text", "strict", "witness"), [
    # two armed clashes a day tolerated, or three deaths a day: three clashes of no toll given break the first, and
    # may or may not break the second
    ({"more_than": 2, "within": {"days": 1}}, {"more_than": 3, "of": "fatalities", "within": {"days": 1}}, [None, None, None]),
    # three deaths a day, or two clashes: one clash that killed four breaks only the first
    ({"more_than": 3, "of": "fatalities", "within": {"days": 1}}, {"more_than": 2, "within": {"days": 1}}, [4]),
])
def test_a_witness_under_a_threshold_holds_one_more_act_or_one_more_death_than_it_tolerates(
    tmp_path: Path, text: dict[str, Any], strict: dict[str, Any], witness: list[int | None]
) -> None:
    def edit(book: dict[str, Any]) -> None:
        _stricter({"no-hostile-act-dmz": {"threshold": strict}})(book)
        next(c for c in book["clauses"] if c["id"] == "no-hostile-act-dmz")["threshold"] = text

    _, acts, at = _witness(tmp_path, edit)
    assert [a["id"] for a in acts] == ["witness", *(f"witness-{i}" for i in range(1, len(witness)))]
    assert [a.get("fatalities") for a in acts] == witness
    assert all((a["time"], a["kind"], a["by"]) == (at, "armed_clash", "cpv") for a in acts)


def _day(moment: datetime, days: int) -> str:
    return (moment + timedelta(days=days)).isoformat()


@pytest.mark.parametrize(("rid", "clause", "strict", "records"), [
    # a leave of the grantor for every act of the parties, valid from a day before the acts' moment to a day after
    ("korea-1953", "crossing-with-leave", {"applies": False}, lambda book, t: {"permissions": {"entries": [{
        "id": "witness-leave", "time": _day(t, -1), "granted_by": "mac", "clause": "no-crossing", "parties": ["cpv", "kpa", "unc"],
        "valid": {"start": _day(t, -1), "end": _day(t, 1)}}]}}),
    # patrol records complete from the truce's start to a day after the moment, and none in them
    ("moscow-2020", "joint-patrols-m4", {"applies": False}, lambda book, t: {"patrols": {"complete": {
        "start": book.in_force.start.isoformat(), "end": _day(t, 1)}}}),
    # a patrol at the moment along the first of the roads, by the parties of the stricter reading
    ("moscow-2020", "joint-patrols-m4", {"parties": ["tr"]}, lambda book, t: {"patrols": {"entries": [{
        "id": "witness", "time": t.isoformat(), "parties": ["tr"], "road": "m4-trumba-ain-al-havr"}]}}),
    # an inspection at the moment of the zone, by the parties of the text (which the stricter reading finds too few)
    ("moscow-2020", "inspected", {"parties": ["ru", "tr"]}, lambda book, t: {"inspections": {"entries": [{
        "id": "witness", "time": t.isoformat(), "parties": ["ru"], "zone": "inspected"}]}}),
    # a periodic inspection at the moment and every 15 days before it, back to the truce's start
    ("golan-1974", "un-inspections", {"parties": ["un", "il"]}, lambda book, t: {"inspections": {"entries": [
        {"id": "witness", "time": t.isoformat(), "parties": ["un"]}, {"id": "witness-1", "time": _day(t, -15), "parties": ["un"]}]}}),
    # an objection of the first objector, in time for the first term's end (beside units that count once it ends)
    ("karabakh-2020", "peacekeeping-mandate", {"applies": False}, lambda book, t: {"objections": {"entries": [{
        "id": "witness-objection", "time": "2020-11-10T00:00:00+03:00", "party": "az", "clause": "peacekeeping-mandate"}]}}),
])
def test_the_records_of_a_witness_are_those_the_clause_reads_at_the_moment_of_its_acts(
    tmp_path: Path, rid: str, clause: str, strict: dict[str, Any], records: Any
) -> None:
    def edit(book: dict[str, Any]) -> None:
        if clause == "inspected":
            add_inspected_zone(book)
        _stricter({clause: strict})(book)

    book = truce.load_rulebook(copy_rulebook(tmp_path, rid, edit))
    (difference,) = [d for d in truce.contrast(book, "text", "strict").differences if d.clause == clause]
    assert difference.witness is not None
    moment = max(book.in_force.start, datetime.fromisoformat(difference.witness["as_of"]) - timedelta(hours=1))
    assert difference.witness["records"] == records(book, moment)
    assert difference.finding_a != difference.finding_b


def test_a_permission_granted_to_fewer_parties_is_listed_with_an_act_it_excuses_under_one_reading_only(tmp_path: Path) -> None:
    """The permission's own finding is the same under both readings; the difference shows in the clause whose acts
    it excuses: a crossing by a party the stricter reading no longer grants leave to, beside the leave."""
    book = truce.load_rulebook(copy_rulebook(tmp_path, "korea-1953", _stricter({"crossing-with-leave": {"parties": ["unc"]}})))
    (difference,) = truce.contrast(book, "text", "strict").differences
    assert (difference.clause, difference.fields) == ("crossing-with-leave", {"parties": [["unc", "kpa", "cpv"], ["unc"]]})
    assert difference.witness is not None
    (act,) = difference.witness["incidents"]
    (leave,) = difference.witness["records"]["permissions"]["entries"]
    assert act["kind"] == "line_crossing" and act["by"] in leave["parties"] and act["by"] != "unc"
    assert (difference.status_a, difference.status_b) == ("holds", "breached")
    verdicts = [truce.evaluate(difference.witness, rules=book, reading=r) for r in ("text", "strict")]
    assert [v.finding("no-crossing").status for v in verdicts] == ["met", "violated"]
