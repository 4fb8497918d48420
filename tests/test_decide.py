"""Decide: durable_rules settles each clause and the verdict, in isolated states."""

from __future__ import annotations

import json
from typing import Any

import durable_rules_engine as dre
import pytest

import truce
from truce.decide import _ruleset_for, decide
from truce.observe import Measure, Observation, Window


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


@pytest.mark.parametrize(("window", "outcomes", "status", "because"), CASES)
def test_verdict_precedence(
    idlib: truce.Rulebook, window: Window, outcomes: dict[str, tuple[int, int]], status: str, because: tuple[str, ...]
) -> None:
    decision = decide(idlib, "sochi", _observation(idlib, window, **outcomes))
    assert decision.status == status
    assert decision.because == because


def test_clause_findings_compare_amounts_with_the_limit(idlib: truce.Rulebook) -> None:
    observation = _observation(idlib, "in_force", jihadists_leave_buffer=(3, 3), no_attacks=(0, 2))
    measures = (*observation.measures[:2], Measure(idlib.clauses[2], "not_due"), observation.measures[3])
    decision = decide(idlib, "sochi", Observation("in_force", measures))
    assert decision.in_force == "met"
    assert decision.findings == {
        "jihadists-leave-buffer": "violated",
        "heavy-weapons-leave-buffer": "met",
        "government-heavy-weapons": "not_due",
        "no-attacks": "unknown",
    }


def test_each_evaluation_state_is_deleted_afterwards(idlib: truce.Rulebook) -> None:
    compiled = _ruleset_for(idlib, "sochi")
    for _ in range(1100):  # more than durable_rules' 1,024 live states
        decide(idlib, "sochi", _observation(idlib, "in_force", no_attacks=(1, 1)))
    last_sid = f"s{next(compiled.sids) - 1}"
    with pytest.raises(dre.error, match="309"):  # 309: no such state
        dre.get_facts(compiled.handle, last_sid)
    probe = {"sid": "probe", "id": "w", "t": "window", "phase": "after"}
    dre.assert_facts(compiled.handle, json.dumps([probe]))
    live: list[Any] = json.loads(dre.get_facts(compiled.handle, "probe"))
    assert [fact["id"] for fact in live] == ["w"]
    dre.delete_state(compiled.handle, "probe")


def test_rulesets_are_compiled_once_per_rulebook_and_reading(idlib: truce.Rulebook) -> None:
    assert _ruleset_for(idlib, "sochi") is _ruleset_for(idlib, "sochi")
    assert _ruleset_for(idlib, "sochi") is not _ruleset_for(idlib, "government")


def test_a_fact_no_rule_settles_raises_instead_of_passing_silently(idlib: truce.Rulebook) -> None:
    bogus = Measure(idlib.clauses[0], "overdue")  # type: ignore[arg-type]
    rest = _observation(idlib, "in_force").measures[1:]
    with pytest.raises(truce.EngineError, match="settled clauses"):
        decide(idlib, "sochi", Observation("in_force", (bogus, *rest)))
