"""Contrast: where two readings of a rulebook part, each difference shown by a state evaluated under both."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import truce
from bookcopy import copy_rulebook
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


def test_a_permission_granted_to_fewer_parties_is_listed_as_a_difference(tmp_path: Path) -> None:
    book = truce.load_rulebook(copy_rulebook(tmp_path, "korea-1953", _stricter({"crossing-with-leave": {"parties": ["unc"]}})))
    (difference,) = truce.contrast(book, "text", "strict").differences
    assert (difference.clause, difference.fields) == ("crossing-with-leave", {"parties": [["unc", "kpa", "cpv"], ["unc"]]})
