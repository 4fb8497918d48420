"""Properties every verdict must have, over generated Idlib states."""

from __future__ import annotations

import copy
import random
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import truce
from truce.strategies import scenarios

BOOK = truce.load_rulebook("idlib-2019")
READINGS = st.sampled_from(sorted(BOOK.readings))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _verdict(state: dict[str, Any], reading: str) -> truce.Verdict:
    return truce.evaluate(state, rules=BOOK, reading=reading)


@SETTINGS
@given(scenarios(BOOK), READINGS, st.randoms(use_true_random=False))
def test_order_of_units_and_incidents_never_changes_the_verdict(state: dict[str, Any], reading: str, rnd: random.Random) -> None:
    shuffled = copy.deepcopy(state)
    rnd.shuffle(shuffled["units"])
    rnd.shuffle(shuffled["incidents"])
    assert _verdict(shuffled, reading).model_dump_json() == _verdict(state, reading).model_dump_json()


@SETTINGS
@given(scenarios(BOOK), READINGS, st.sampled_from(["sochi_heavy", "personnel"]))
def test_adding_a_prohibited_unit_to_the_zone_never_makes_a_failing_verdict_hold(
    state: dict[str, Any], reading: str, force: str
) -> None:
    before = _verdict(state, reading)
    kind = next(k for k in sorted(BOOK.kinds) if force in BOOK.classes_of(k))
    state["units"].append({"id": "added-unit", "party": "hts", "kind": kind, "count": 10, "zone": "buffer"})
    after = _verdict(state, reading)
    assert after.status != "holds"
    if before.status == "not_in_force":
        assert after.status == "not_in_force"
    else:
        assert after.status == "conditions_unmet"
        assert "hts" in after.responsible


@SETTINGS
@given(scenarios(BOOK), READINGS, st.data())
def test_removing_a_known_position_only_moves_towards_indeterminate(state: dict[str, Any], reading: str, data: st.DataObject) -> None:
    located = [u for u in state["units"] if u.get("position") is not None or u.get("zone") is not None]
    assume(located)
    before = _verdict(state, reading)
    unit = data.draw(st.sampled_from(located))
    unit.pop("position", None)
    unit.pop("zone", None)
    after = _verdict(state, reading)
    assert after.status in (before.status, "indeterminate")


@SETTINGS
@given(scenarios(BOOK), READINGS, st.integers(1, 10 * 365 * 24 * 3600))
def test_any_instant_before_the_start_is_not_in_force(state: dict[str, Any], reading: str, seconds: int) -> None:
    state["as_of"] = (BOOK.in_force.start - timedelta(seconds=seconds)).isoformat()
    verdict = _verdict(state, reading)
    assert verdict.status == "not_in_force"
    assert verdict.holds is None
    assert verdict.finding("in-force").status == "not_due"


@SETTINGS
@given(scenarios(BOOK), READINGS)
def test_the_input_is_never_mutated(state: dict[str, Any], reading: str) -> None:
    original = copy.deepcopy(state)
    _verdict(state, reading)
    assert state == original


def test_the_start_instant_itself_is_in_force() -> None:
    start: datetime = BOOK.in_force.start
    assert _verdict({"agreement": BOOK.id, "as_of": start.isoformat()}, "sochi").status == "holds"
