"""A misspelled field name gets the nearest field of that place, or the list of them, wherever it is:
scenario rows and nested positions, rulebook sections, and each clause type's own fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import truce
from bookcopy import copy_rulebook

STATE = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00"}


@pytest.mark.parametrize(("extra", "path", "suggestion"), [
    ({"units": [{"id": "u", "party": "nfl", "kind": "tank", "position": {"lat": 35.5, "lng": 36.6}}]},
     "units[0].position.lng", "did you mean 'lon'?"),
    ({"incidents": [{"id": "i", "time": "2019-08-02T00:40:00+03:00", "kind": "shelling", "casualties": 3}]},
     "incidents[0].casualties", "did you mean 'fatalities'?"),
    ({"units": [{"id": "u", "party": "nfl", "kind": "tank", "observd": "2019-08-02T00:40:00+03:00"}]},
     "units[0].observd", "did you mean 'observed'?"),
    ({"asof": "2019-08-03T12:00:00+03:00"}, "asof", "did you mean 'as_of'?"),
    ({"units": [{"id": "u", "party": "nfl", "kind": "tank", "xyz": 1}]}, "units[0].xyz", "expected one of: attributes, baseline, count,"),
])
def test_a_scenario_field_misspelled(extra: dict[str, Any], path: str, suggestion: str) -> None:
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate({**STATE, **extra})
    found = {p.path: p for p in caught.value.problems}
    assert found[path].message == "unknown field; a typo here would silently drop data"
    assert found[path].suggestion is not None and found[path].suggestion.startswith(suggestion), found[path]


@pytest.mark.parametrize(("edit", "path", "suggestion"), [
    (lambda d: d["clauses"][1].update(zonee=d["clauses"][1].pop("zone")), "clauses[1].zonee", "did you mean 'zone'?"),
    (lambda d: d["zones"]["dmz"]["band"].update(to=2), "zones.dmz.band.to", "expected one of: depths_km, from_km, line, side, to_km"),
    (lambda d: d["in_force"].update(ends="1953-08-01T00:00:00+09:00"), "in_force.ends", "did you mean 'end'?"),
    (lambda d: d.update(zone={}), "zone", "did you mean 'zones'?"),
])
def test_a_rulebook_field_misspelled(tmp_path: Path, edit: Any, path: str, suggestion: str) -> None:
    book = copy_rulebook(tmp_path, "korea-1953", edit)
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(book)
    found = {p.path: p for p in caught.value.problems}
    assert found[path].suggestion == suggestion, found[path]
    assert found[path].line is not None


@pytest.mark.parametrize(("rid", "clause", "field", "allowed"), [
    ("sochi-2018", "observation-posts-stay", "posts", "applies, deadline, every, note, parties, schedule, since"),
    ("golan-1974", "un-inspections", "zone", "applies, deadline, every, note, parties, schedule, since"),
    ("korea-1953", "crossing-with-leave", "granted_by", "applies, note, parties"),
])
def test_a_clause_field_a_reading_cannot_change_is_named_with_what_a_reading_of_that_type_may_give(
    tmp_path: Path, rid: str, clause: str, field: str, allowed: str
) -> None:
    # a reading of one clause type is not told of fields another type's readings have (as 'zone' once was to an
    # obligation's reading, suggested for 'zone' itself)
    def edit(data: dict[str, Any]) -> None:
        data["readings"]["strict"] = {"name": "strict", "description": "Stricter."}
        found = next(c for c in data["clauses"] if c["id"] == clause)
        found["readings"] = {"strict": {field: found.get(field, "x")}}

    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(copy_rulebook(tmp_path, rid, edit))
    (problem,) = [p for p in caught.value.problems if p.path.endswith(f"readings.strict.{field}")]
    assert (problem.message, problem.suggestion) == (
        f"a reading cannot change the clause's {field!r}", f"a reading of it may give {allowed}")


def test_a_misspelled_field_of_a_reading_is_matched_against_that_clause_types_readings(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["readings"]["strict"] = {"name": "strict", "description": "Stricter."}
        next(c for c in data["clauses"] if c["id"] == "crossing-with-leave")["readings"] = {"strict": {"incidnts": []}}

    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(copy_rulebook(tmp_path, "korea-1953", edit))
    (problem,) = caught.value.problems
    assert (problem.path, problem.message) == ("clauses[7].readings.strict.incidnts", "unknown field; a typo here would silently drop data")
    assert problem.suggestion == "expected one of: applies, note, parties"  # not a prohibition's 'incidents'


def test_a_rulebook_reading_is_not_told_of_clause_fields(tmp_path: Path) -> None:
    # 'zones' under one of the rulebook's own readings is a field of the rulebook, not of a clause that reading changes
    book = copy_rulebook(tmp_path, "korea-1953", lambda d: d["readings"]["text"].update(zones={}))
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(book)
    (problem,) = caught.value.problems
    assert (problem.path, problem.message, problem.suggestion) == (
        "readings.text.zones", "unknown field; a typo here would silently drop data", "expected one of: default, description, name")


def test_a_required_clause_field_misspelled_is_named_with_the_typo(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["clauses"][0]["incident"] = data["clauses"][0].pop("incidents")

    book = copy_rulebook(tmp_path, "korea-1953", edit)
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(book)
    found = {p.path: p.message for p in caught.value.problems}
    assert found["clauses[0]"] == "a prohibition clause needs 'incidents' (did you write 'incident' for 'incidents'?)"


@pytest.mark.parametrize("key", ["[", "Foo", "AfterStart", "function-after[x]", "0"])
def test_an_unknown_key_is_named_whatever_it_looks_like(key: str) -> None:
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate({**STATE, key: 1})
    [problem] = caught.value.problems
    assert problem.path == key
    assert problem.suggestion is not None and problem.suggestion.startswith("expected one of: agreement, areas, as_of")
