"""Repairs: applying a repair's changes to the state gives the verdict it claims, and no change can be dropped.

Hypothesis generates states for every bundled rulebook and reading, decided by both engines. The changes are
applied here to the state as a file would hold it (a unit's count cut to what stays counted, an area handed
over), independently of how ``truce.repair`` applies them.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import truce
from truce._engines import available_engines
from truce.strategies import scenarios

BOOKS = {info.id: truce.load_rulebook(info.id) for info in truce.list_rulebooks()}
ENGINES = [
    "python",
    pytest.param("durable", marks=pytest.mark.skipif("durable" not in available_engines(), reason="durable_rules does not import here")),
]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


def applied(state: dict[str, Any], changes: list[truce.Change]) -> dict[str, Any]:
    """The state with ``changes`` made: each unit's count cut to what remains, each area with its new holder."""
    changed = copy.deepcopy(state)
    for change in changes:
        if change.holder is not None:
            changed["areas"] = [a for a in changed.get("areas", []) if a["id"] != change.item]
            changed["areas"].append({"id": change.item, "controlled_by": change.holder})
        else:
            (unit,) = [u for u in changed["units"] if u["id"] == change.item]
            assert change.remaining is not None and change.leaving is not None
            assert change.leaving + change.remaining == unit.get("count", 1)
            unit["count"] = change.remaining
    return changed


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("book_id", sorted(BOOKS))
def test_a_repair_gives_what_it_claims_and_no_change_can_be_dropped(book_id: str, engine: str) -> None:
    book = BOOKS[book_id]

    @SETTINGS
    @given(scenarios(book), st.sampled_from(sorted(book.readings)))
    def check(state: dict[str, Any], reading: str) -> None:
        verdict = truce.evaluate(state, rules=book, reading=reading, engine=engine)
        found = truce.repair(state, rules=book, reading=reading, engine=engine)
        assert found.status == verdict.status
        if verdict.status in ("holds", "not_in_force"):
            assert (found.changes, found.not_repairable, found.learn, found.yields) == ([], [], [], verdict.status)
            return
        after = truce.evaluate(applied(state, found.changes), rules=book, reading=reading, engine=engine)
        assert after.status == found.yields
        for broken in found.not_repairable:
            assert verdict.finding(broken.clause.clause).status == "violated"
            assert after.finding(broken.clause.clause).status == "violated"
        if not found.not_repairable and not found.learn:
            assert found.yields == "holds"
        for change in found.changes:
            rest = [c for c in found.changes if c is not change]
            without = truce.evaluate(applied(state, rest), rules=book, reading=reading, engine=engine)
            assert any(without.finding(ref.clause).status != "met" for ref in change.clauses), change
            if found.yields == "holds":
                assert without.status != "holds"

    check()


def test_the_founding_case_asks_hts_to_leave_and_names_what_to_learn() -> None:
    found = truce.repair("examples/idlib-2019/07-unknown-position.yaml")
    assert [(c.party, c.action, c.item, c.leaving) for c in found.changes] == [("hts", "locate", "hts-bn-2", 120)]
    assert [(f.item, f.if_counts, f.if_not) for f in found.learn] == [("hts-bn-2", "conditions_unmet", "holds")]
    assert found.changes[0].clauses[0].clause == "jihadists-leave-buffer"


def test_past_incidents_are_not_repairable_and_not_in_force_gets_no_repair() -> None:
    broken = truce.repair("examples/idlib-2019/04-government-shelling-in-first-hour.yaml")
    assert [(b.clause.clause, b.evidence) for b in broken.not_repairable] == [("no-attacks", ["inc-1"])]
    assert broken.yields == "breached"
    before = truce.repair("examples/idlib-2019/06-before-the-start.yaml")
    assert (before.changes, before.yields) == ([], "not_in_force")
    assert "not in force" in before.explain()


def test_a_cap_asks_only_for_the_excess() -> None:
    found = truce.repair("examples/karabakh-2020/05-peacekeepers-over-cap.yaml")
    case = truce.prepare("examples/karabakh-2020/05-peacekeepers-over-cap.yaml")
    held = sum(u.count for u in case.scenario.units if u.kind == "apc")
    assert [(c.item, c.leaving) for c in found.changes] == [("ru-btr-1", held - 90)]


@pytest.mark.parametrize(("area", "message", "learn"), [
    ({"controlled_by": "armenian-forces"},
     "Armenian forces (armenian-forces) must hand Kalbajar district over to Armed forces of Azerbaijan (az).", []),
    ({}, "Who controls Kalbajar district must become known to be Armed forces of Azerbaijan (az), or Armenian forces "
         "(armenian-forces) must hand it over.", [("kalbajar", ["who controls Kalbajar district (kalbajar)"])]),
])
def test_a_handover_past_its_deadline_asks_for_the_area_to_be_handed_over(area: dict[str, str], message: str, learn: list[Any]) -> None:
    state = {"agreement": "karabakh-2020", "as_of": "2020-11-17T12:00:00+03:00", "areas": [{"id": "kalbajar", **area}]}
    found = truce.repair(state)
    assert [(c.party, c.action, c.item, c.holder, c.message) for c in found.changes] == [
        ("armenian-forces", "hand_over", "kalbajar", "az", message)]
    assert [(f.item, f.facts) for f in found.learn] == learn
    assert (found.yields, truce.evaluate(applied(state, found.changes)).status) == ("holds", "holds")


def test_bad_input_is_a_truce_error() -> None:
    with pytest.raises(truce.TruceError):
        truce.repair({"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00"})
    with pytest.raises(truce.TruceError):
        truce.repair("examples/idlib-2019/07-unknown-position.yaml", reading="sochy")
    with pytest.raises(truce.TruceError):
        truce.repair("examples/idlib-2019/07-unknown-position.yaml", engine="drools")


def test_a_state_given_as_columns_gets_the_same_repair() -> None:
    path = "examples/idlib-2019/12-what-it-would-take.yaml"
    rows = truce.load_scenario(path)
    units = rows.units
    columns = truce.Columns(
        agreement="idlib-2019", as_of=rows.as_of.isoformat(),
        units={"id": [u.id for u in units], "party": [u.party for u in units], "kind": [u.kind for u in units],
               "count": [u.count for u in units], "lat": [u.position.lat if u.position else None for u in units],
               "lon": [u.position.lon if u.position else None for u in units]},
    )
    by_rows, by_columns = truce.repair(path), truce.repair(columns)
    assert by_columns.changes == by_rows.changes and by_columns.yields == by_rows.yields == "holds"
