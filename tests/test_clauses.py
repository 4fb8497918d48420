"""Clause units: the registry matches the package, every unit implements the interface, and each
type measures, words, tracks and generates its own part of a state."""

from __future__ import annotations

import inspect
import pkgutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import truce
from bookcopy import copy_rulebook
from truce import _clauses
from truce._clauses import TYPES, AnyClause, Clause, Measure
from truce._items import Items, State
from truce._load import bundled_rules_dir
from truce._rulebook import Rulebook

INTERFACE = ("under", "limit", "check_references", "measure", "track", "message", "lint", "strategy")
AS_OF = "2020-12-10T12:00:00+03:00"
AT = datetime.fromisoformat(AS_OF).timestamp()


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return truce.load_rulebook("karabakh-2020")


def _clause(book: Rulebook, clause_id: str) -> Clause:
    return next(c for c in book.clauses if c.id == clause_id)


def _inside(book: Rulebook, zone: str) -> dict[str, float]:
    point = book.geometry(zone).representative_point()
    return {"lat": point.y, "lon": point.x}


def _state(book: Rulebook, **parts: Any) -> State:
    scenario = truce.load_scenario({"agreement": book.id, "as_of": AS_OF, **parts})
    areas = {a.id: a.controlled_by for a in scenario.areas}
    return State(book, Items(scenario.units, book), Items(scenario.incidents, book), areas)


def test_the_registry_is_the_package_s_type_modules() -> None:
    modules = {m.name for m in pkgutil.iter_modules(_clauses.__path__) if not m.name.startswith("_")}
    assert modules - {"condition"} == set(TYPES)
    for name, cls in TYPES.items():
        assert cls.__module__ == f"truce._clauses.{name}"
        assert cls.name() == name
    union = get_args(get_args(AnyClause)[0])
    assert set(union) == set(TYPES.values())


@pytest.mark.parametrize("name", sorted(TYPES))
def test_every_unit_implements_the_interface(name: str) -> None:
    cls = TYPES[name]
    assert not inspect.isabstract(cls), f"{name} leaves {sorted(cls.__abstractmethods__)} undefined"
    for method in INTERFACE:
        member = inspect.getattr_static(cls, method)
        assert (member.__func__ if isinstance(member, classmethod) else member).__doc__, f"{name}.{method} has no docstring"
    reading = cls.model_fields["readings"].annotation
    assert reading is not None and get_args(reading)[1].model_fields.keys() <= cls.model_fields.keys() | {"applies"}


def test_a_clause_s_fields_follow_from_its_type() -> None:
    common = {"id": "c", "title": "T", "article": "Art. 1", "parties": ["az"]}
    with pytest.raises(ValidationError, match="a withdrawal clause needs 'zone'"):
        TYPES["withdrawal"].model_validate({**common, "type": "withdrawal", "forces": "all"})
    with pytest.raises(ValidationError, match="a withdrawal clause has no 'max'"):
        TYPES["withdrawal"].model_validate({**common, "type": "withdrawal", "forces": "all", "zone": "z", "max": 3})
    with pytest.raises(ValidationError, match="an obligation clause needs 'deadline', 'records'"):  # 'an' before a vowel
        TYPES["obligation"].model_validate({**common, "type": "obligation"})
    with pytest.raises(ValidationError, match="an obligation clause has no 'max'"):
        TYPES["obligation"].model_validate(
            {**common, "type": "obligation", "records": "patrols", "deadline": "2020-01-01T00:00:00+00:00", "max": 3})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        TYPES["withdrawal"].model_validate(
            {**common, "type": "withdrawal", "forces": "all", "zone": "z", "readings": {"r": {"max": 3}}}
        )
    cap = TYPES["cap"].model_validate(
        {**common, "type": "cap", "forces": "all", "max": 5, "readings": {"r": {"max": 3}, "none": {"applies": False}}}
    )
    assert (cap.limit, cap.under("r").limit if cap.under("r") else None, cap.under("none")) == (5, 3, None)
    with pytest.raises(ValidationError, match="a condition needs 'set_by'"):
        TYPES["prohibition"].model_validate({**common, "type": "prohibition", "incidents": ["shelling"], "role": "condition"})


def test_a_type_s_misplaced_field_is_reported_at_the_clause_not_under_its_tag(tmp_path: Any) -> None:
    text = (bundled_rules_dir() / "karabakh-2020.yaml").read_text(encoding="utf-8")
    path = tmp_path / "book.yaml"
    path.write_text(text.replace("    max: 1960\n", "    max: 1960\n    area: kalbajar\n"), encoding="utf-8")
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(path)
    assert [(p.path, "a cap clause has no 'area'" in p.message) for p in caught.value.problems] == [("clauses[5]", True)]


def test_withdrawal_measures_units_left_in_its_zone(book: Rulebook) -> None:
    clause = _clause(book, "corridor-left-to-peacekeepers")
    inside = _inside(book, "lachin-corridor")
    state = _state(
        book,
        units=[
            {"id": "u1", "party": "az", "kind": "tank", "count": 3, "position": inside},
            {"id": "u2", "party": "am", "kind": "tank", "count": 5, "position": inside},
            {"id": "u3", "party": "az", "kind": "tank", "count": 2},
        ],
    )
    found = clause.measure(state, AT)
    assert (found.amount, found.possible, found.evidence, found.unknown_evidence) == (3, 5, ("u1",), ("u3",))
    assert found.missing == ("the position of unit u3 (az, tank)",)
    assert clause.message(book, found, "violated").startswith("3 x ")
    assert "remain in the" in clause.message(book, found, "violated")
    assert "Cannot tell whether forces of" in clause.message(book, found, "unknown")


def test_classification_is_found_once_per_state_that_remembers(book: Rulebook) -> None:
    clause = _clause(book, "corridor-left-to-peacekeepers")
    state = _state(book, units=[{"id": "u1", "party": "az", "kind": "tank", "position": _inside(book, "lachin-corridor")}])
    clause.measure(state, AT)
    assert state.cache == {}
    remembering = replace(state, remember=True)
    clause.measure(remembering, AT)
    first = remembering.cache[clause.id]
    clause.measure(remembering, AT)
    assert remembering.cache[clause.id] is first


def test_prohibition_measures_forbidden_acts_while_in_force(book: Rulebook) -> None:
    clause = _clause(book, "ceasefire")
    state = _state(
        book,
        incidents=[
            {"id": "i1", "time": "2020-11-12T10:00:00+03:00", "kind": "shelling", "by": "az"},
            {"id": "i2", "time": "2020-11-09T10:00:00+03:00", "kind": "shelling", "by": "az"},
            {"id": "i3", "time": "2020-11-12T10:00:00+03:00", "kind": "shelling"},
        ],
    )
    found = clause.measure(state, AT)
    assert (found.amount, found.evidence, found.unknown_evidence, found.parties) == (1, ("i1",), ("i3",), ("az",))
    assert clause.message(book, found, "violated").startswith("1 forbidden act by ")
    trace = clause.track(state)
    assert sorted(trace.items.ids[trace.amount.rows].tolist()) == ["i1"]


def test_cap_measures_the_worst_total_against_its_limit(book: Rulebook) -> None:
    clause = _clause(book, "peacekeepers-apcs")
    inside = _inside(book, "peacekeeping-area")
    state = _state(book, units=[{"id": "a1", "party": "ru", "kind": "apc", "count": 91, "position": inside}])
    found = clause.measure(state, AT)
    assert (clause.limit, found.amount, found.evidence, found.tally) == (90, 91, ("a1",), (("apc", 91),))
    assert clause.message(book, found, "violated").startswith("Over the cap (at most 90 ")
    assert clause.message(book, found, "met").endswith("the most counted is 91.")


@pytest.mark.parametrize(
    ("holder", "expected", "status", "text"),
    [
        ("az", (0, 0, ()), "met", "is controlled by"),
        ("am", (1, 1, ("am",)), "violated", "is still controlled by Armed forces of Armenia (am) after"),
        (None, (0, 1, ()), "unknown", "is not known"),
    ],
)
def test_handover_measures_who_holds_the_area(
    book: Rulebook, holder: str | None, expected: tuple[Any, ...], status: str, text: str
) -> None:
    clause = _clause(book, "kalbajar-returned")
    state = _state(book, areas=[{"id": "kalbajar", "controlled_by": holder}])
    found = clause.measure(state, AT)
    assert (found.amount, found.possible, found.parties) == expected
    assert text in clause.message(book, found, status)
    trace = clause.track(state)
    assert trace.fixed == found and len(trace.items) == 0 and len(trace.amount.times) == 0


def test_a_handover_not_yet_due_says_by_when(book: Rulebook) -> None:
    clause = _clause(book, "kalbajar-returned")
    assert "have until 16 November 2020 00:00 (+03:00) to hand" in clause.message(book, Measure(clause, "not_due"), "not_due")


@pytest.mark.parametrize(
    ("name", "part"), [("withdrawal", "units"), ("cap", "units"), ("prohibition", "incidents"), ("handover", "areas"), ("freeze", "units")]
)
def test_each_type_generates_the_part_of_a_state_it_reads(book: Rulebook, name: str, part: str) -> None:
    parts = TYPES[name].strategy(book, {"units": 3, "incidents": 2})
    assert list(parts) == [part]

    @settings(max_examples=20, deadline=None)
    @given(st.fixed_dictionaries(parts))
    def generated(found: dict[str, list[dict[str, Any]]]) -> None:
        records = found[part]
        assert len({r["id"] for r in records}) == len(records) <= 3
        truce.evaluate({"agreement": book.id, "as_of": AS_OF, **found}, rules=book)

    generated()


@pytest.mark.parametrize(("rid", "clause_id", "change", "expected"), [
    ("karabakh-2020", "kalbajar-returned", {"area": "kalbajr"},
     ("area", "unknown area 'kalbajr'", "did you mean 'kalbajar'?")),
    ("karabakh-2020", "kalbajar-returned", {"controlled_by": "azz"},
     ("controlled_by", "unknown party or group 'azz'", "did you mean 'az'?")),
    ("golan-1974", "un-inspections", {"zone": "first-zone"},
     ("zone", "unknown zone 'first-zone'", "did you mean 'first-zones'?")),
    ("idlib-2019", "jihadists-leave-buffer", {"set_by": "sy-govt"},
     ("set_by", "unknown party 'sy-govt'", "did you mean 'sy-gov'?")),
    ("sochi-2018", "no-attacks-on-idlib", {"incidents": ["shelling", "sheling"]},
     ("incidents[1]", "unknown incident kind 'sheling'", "did you mean 'shelling'?")),
    ("sochi-2018", "heavy-weapons-leave", {"forces": ["tank", "tnak"]},
     ("forces[1]", "unknown kind or class 'tnak'", "did you mean 'tank'?")),
    ("sochi-2018", "heavy-weapons-leave", {"parties": ["hts", "turkye"]},
     ("parties[1]", "unknown party or group 'turkye'",
      "expected one of: hts, ir, jihadists, nfl, other-jihadists, other-rebels, rebels, ru, sy-gov, tr")),
])
def test_a_clause_naming_what_its_rulebook_lacks_is_an_error_at_that_field_saying_what_it_names(
    tmp_path: Path, rid: str, clause_id: str, change: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    file = copy_rulebook(tmp_path, rid, lambda book: next(c for c in book["clauses"] if c["id"] == clause_id).update(change))
    with pytest.raises(truce.RulebookError) as info:
        truce.load_rulebook(file)
    index = next(i for i, c in enumerate(truce.load_rulebook(rid).clauses) if c.id == clause_id)
    (problem,) = info.value.problems
    given = next(iter(change.values()))
    value = given[-1] if isinstance(given, list) else given
    field, message, suggestion = expected
    assert (problem.path, problem.message, problem.value, problem.suggestion) == (f"clauses[{index}].{field}", message, value, suggestion)
    assert problem.file == str(file) and problem.line is not None
