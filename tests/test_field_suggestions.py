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
