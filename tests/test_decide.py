"""Decide: each engine settles each clause and the verdict; durable_rules in isolated states."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest

import truce
from truce._engines import available_engines, decider
from truce._observe import Measure, Observation, Window

ENGINES = available_engines()


@pytest.fixture
def dre() -> ModuleType:
    """durable_rules' C engine (its tests skip where it does not import, as on Python 3.13)."""
    return pytest.importorskip("durable_rules_engine", reason="durable_rules does not import on this Python")


@pytest.fixture
def durable(dre: ModuleType) -> ModuleType:
    """truce's durable_rules decision module."""
    return pytest.importorskip("truce._durable")


def _observation(book: truce.Rulebook, window: Window, **outcomes: tuple[int, int]) -> Observation:
    """Measures where each named clause has (amount, possible); the rest are clear."""
    measures = []
    for clause in book.clauses:
        amount, possible = outcomes.get(clause.id.replace("-", "_"), (0, 0))
        measures.append(Measure(clause, "due", amount=amount, possible=possible))
    return Observation(window, tuple(measures))


CASES: list[tuple[Window, dict[str, tuple[int, int]], str, tuple[str, ...]]] = [
    ("in_force", {}, "holds", ()),
    ("before", {"jihadists_leave_buffer": (5, 5), "no_attacks": (1, 1)}, "not_in_force", ()),
    ("after", {}, "not_in_force", ()),
    ("in_force", {"no_attacks": (1, 1)}, "breached", ("no-attacks",)),
    ("in_force", {"jihadists_leave_buffer": (5, 5), "no_attacks": (1, 1)}, "conditions_unmet", ("jihadists-leave-buffer",)),
    ("in_force", {"jihadists_leave_buffer": (0, 5)}, "indeterminate", ("jihadists-leave-buffer",)),
    ("in_force", {"jihadists_leave_buffer": (0, 5), "no_attacks": (1, 1)}, "indeterminate",
     ("jihadists-leave-buffer", "no-attacks")),
    ("in_force", {"government_heavy_weapons": (0, 5), "no_attacks": (1, 1)}, "breached", ("no-attacks",)),
    ("in_force", {"jihadists_leave_buffer": (0, 5), "heavy_weapons_leave_buffer": (2, 2)}, "conditions_unmet",
     ("heavy-weapons-leave-buffer",)),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", CASES)
def test_verdict_precedence(
    idlib: truce.Rulebook, engine: str, case: tuple[Window, dict[str, tuple[int, int]], str, tuple[str, ...]]
) -> None:
    window, outcomes, status, because = case
    decision = decider(engine)(idlib, "sochi", _observation(idlib, window, **outcomes))
    assert decision.status == status
    assert decision.because == because


@pytest.mark.parametrize("engine", ENGINES)
def test_clause_findings_compare_amounts_with_the_limit(idlib: truce.Rulebook, engine: str) -> None:
    observation = _observation(idlib, "in_force", jihadists_leave_buffer=(3, 3), no_attacks=(0, 2))
    measures = (*observation.measures[:2], Measure(idlib.clauses[2], "not_due"), observation.measures[3])
    decision = decider(engine)(idlib, "sochi", Observation("in_force", measures))
    assert decision.in_force == "met"
    assert decision.findings == {
        "jihadists-leave-buffer": "violated",
        "heavy-weapons-leave-buffer": "met",
        "government-heavy-weapons": "not_due",
        "no-attacks": "unknown",
    }


def test_each_evaluation_state_is_deleted_afterwards(idlib: truce.Rulebook, durable: ModuleType, dre: ModuleType) -> None:
    compiled = durable._ruleset_for(idlib, "sochi")
    for _ in range(1100):  # more than durable_rules' 1,024 live states
        durable.decide(idlib, "sochi", _observation(idlib, "in_force", no_attacks=(1, 1)))
    last_sid = f"s{next(compiled.sids) - 1}"
    with pytest.raises(dre.error, match="309"):  # 309: no such state
        dre.get_facts(compiled.handle, last_sid)
    probe = {"sid": "probe", "id": "w", "t": "window", "phase": "after"}
    dre.assert_facts(compiled.handle, json.dumps([probe]))
    live: list[Any] = json.loads(dre.get_facts(compiled.handle, "probe"))
    assert [fact["id"] for fact in live] == ["w"]
    dre.delete_state(compiled.handle, "probe")


def test_rulesets_are_compiled_once_per_rulebook_and_reading(idlib: truce.Rulebook, durable: ModuleType) -> None:
    assert durable._ruleset_for(idlib, "sochi") is durable._ruleset_for(idlib, "sochi")
    assert durable._ruleset_for(idlib, "sochi") is not durable._ruleset_for(idlib, "government")


def test_a_fact_no_rule_settles_raises_instead_of_passing_silently(idlib: truce.Rulebook, durable: ModuleType) -> None:
    bogus = Measure(idlib.clauses[0], "overdue")  # type: ignore[arg-type]
    rest = _observation(idlib, "in_force").measures[1:]
    with pytest.raises(truce.EngineError, match="settled clauses"):
        durable.decide(idlib, "sochi", Observation("in_force", (bogus, *rest)))
