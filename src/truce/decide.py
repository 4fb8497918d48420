"""Decide clause findings and the verdict with durable_rules.

Each (rulebook, reading) is compiled once into a durable_rules ruleset whose
rules carry the rulebook's thresholds. A status is only given when no unknown
could overturn it: a breach while a condition is unknown is indeterminate,
since the condition, if unmet, would take precedence. An evaluation runs in its own state
(a fresh sid), in two rounds: measures settle each clause's finding, then the
findings and the truce's window settle the verdict. We drive the engine's C
API ourselves, so no background timer threads run, errors in actions surface,
and every state is deleted afterwards.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import durable_rules_engine as dre

from .errors import EngineError
from .observe import Measure, Observation
from .rulebook import Rulebook

__all__ = ["Decision", "decide"]

_CLAUSE_OUTCOMES = ("not_applicable", "not_due", "violated", "unknown", "met")
_IN_FORCE = {"$and": [{"t": "window"}, {"phase": "in_force"}]}


def _finding(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"$and": [{"t": "finding"}, *conditions]}


_VERDICT_RULES: dict[str, dict[str, Any]] = {
    "verdict:not_in_force": {"all": [{"w": {"$and": [{"t": "window"}, {"$neq": {"phase": "in_force"}}]}}]},
    "verdict:conditions_unmet": {
        "all": [{"w": _IN_FORCE}, {"f": _finding({"role": "condition"}, {"status": "violated"})}]
    },
    "verdict:breached": {
        "all": [
            {"w": _IN_FORCE},
            {"f": _finding({"role": "term"}, {"status": "violated"})},
            {"c$not": _finding({"role": "condition"}, {"$or": [{"status": "violated"}, {"status": "unknown"}]})},
        ]
    },
    "verdict:indeterminate": {
        "all": [
            {"w": _IN_FORCE},
            {"f": _finding({"status": "unknown"})},
            {"c$not": _finding({"status": "violated"})},
        ]
    },
    "verdict:indeterminate:condition-unknown": {
        "all": [
            {"w": _IN_FORCE},
            {"f": _finding({"role": "condition"}, {"status": "unknown"})},
            {"g": _finding({"role": "term"}, {"status": "violated"})},
            {"c$not": _finding({"role": "condition"}, {"status": "violated"})},
        ]
    },
    "verdict:holds": {
        "all": [{"w": _IN_FORCE}, {"c$not": _finding({"$or": [{"status": "violated"}, {"status": "unknown"}]})}]
    },
}


@dataclass(frozen=True)
class Decision:
    """The engine's word: a status per clause, the verdict, and the clauses behind it."""

    in_force: str
    findings: dict[str, str]
    status: str
    because: tuple[str, ...]


def _clause_rules(clause_id: str, limit: int) -> dict[str, dict[str, Any]]:
    def rule(*conditions: dict[str, Any]) -> dict[str, Any]:
        return {"all": [{"m": {"$and": [{"t": "measure"}, {"clause": clause_id}, *conditions]}}]}

    return {
        f"clause:{clause_id}:not_applicable": rule({"phase": "not_applicable"}),
        f"clause:{clause_id}:not_due": rule({"phase": "not_due"}),
        f"clause:{clause_id}:violated": rule({"phase": "due"}, {"$gt": {"amount": limit}}),
        f"clause:{clause_id}:unknown": rule({"phase": "due"}, {"$lte": {"amount": limit}}, {"$gt": {"possible": limit}}),
        f"clause:{clause_id}:met": rule({"phase": "due"}, {"$lte": {"possible": limit}}),
    }


def ruleset_definition(book: Rulebook, reading: str) -> dict[str, dict[str, Any]]:
    """The durable_rules JSON definition compiled from a rulebook under one reading."""
    rules: dict[str, dict[str, Any]] = {
        "in_force:not_due": {"all": [{"m": {"$and": [{"t": "window"}, {"phase": "before"}]}}]},
        "in_force:met": {"all": [{"m": _IN_FORCE}]},
        "in_force:not_applicable": {"all": [{"m": {"$and": [{"t": "window"}, {"phase": "after"}]}}]},
    }
    for clause in book.clauses:
        rules.update(_clause_rules(clause.id, (clause.under(reading) or clause).limit))
    rules.update(_VERDICT_RULES)
    return rules


class _Compiled:
    """One durable_rules ruleset, used by one evaluation at a time."""

    _names = itertools.count()

    def __init__(self, book: Rulebook, reading: str) -> None:
        self.definition = ruleset_definition(book, reading)
        self.handle = dre.create_ruleset(f"truce-{next(self._names)}", json.dumps(self.definition))
        self.lock = threading.Lock()
        self.sids = itertools.count()


_compiled: dict[tuple[int, str], tuple[Rulebook, _Compiled]] = {}
_compiled_lock = threading.Lock()


def _ruleset_for(book: Rulebook, reading: str) -> _Compiled:
    """The compiled ruleset for a rulebook and reading, compiled on first use only."""
    with _compiled_lock:
        entry = _compiled.get((id(book), reading))
        if entry is None or entry[0] is not book:
            entry = (book, _Compiled(book, reading))
            _compiled[(id(book), reading)] = entry
        return entry[1]


def decide(book: Rulebook, reading: str, observation: Observation) -> Decision:
    """Run the compiled rules on an observation in a fresh, isolated engine state."""
    compiled = _ruleset_for(book, reading)
    with compiled.lock:
        sid = f"s{next(compiled.sids)}"
        try:
            return _run(compiled, sid, observation)
        finally:
            dre.delete_state(compiled.handle, sid)


def _run(compiled: _Compiled, sid: str, observation: Observation) -> Decision:
    fired: list[tuple[str, dict[str, Any]]] = []

    def record(name: str, message: dict[str, Any]) -> None:
        fired.append((name, message))

    _post(compiled, sid, [_measure_fact(sid, i, m) for i, m in enumerate(observation.measures)], record)
    findings: dict[str, str] = {}
    for name, _ in fired:
        _, clause_id, outcome = name.split(":")
        if clause_id in findings:
            raise EngineError(f"clause {clause_id} was settled twice ({findings[clause_id]}, {outcome})")
        findings[clause_id] = outcome
    expected = [m.clause.id for m in observation.measures]
    if sorted(findings) != sorted(expected):
        raise EngineError(f"the rules settled clauses {sorted(findings)}, expected {sorted(expected)}")

    fired.clear()
    roles = {m.clause.id: m.clause.role for m in observation.measures}
    finding_facts = [
        {"sid": sid, "id": f"finding:{cid}", "t": "finding", "clause": cid, "role": roles[cid], "status": status}
        for cid, status in findings.items()
    ]
    _post(compiled, sid, finding_facts, record)
    _post(compiled, sid, [{"sid": sid, "id": "window", "t": "window", "phase": observation.window}], record)
    in_force = [name.split(":")[1] for name, _ in fired if name.startswith("in_force:")]
    statuses = {name.split(":")[1] for name, _ in fired if name.startswith("verdict:")}
    if len(in_force) != 1 or len(statuses) != 1:
        raise EngineError(f"the rules gave in-force {in_force} and verdict {sorted(statuses)}; expected one of each")
    because = tuple(sorted({fact["clause"] for _, msg in fired for key, fact in msg.items() if key in ("f", "g")}))
    return Decision(in_force=in_force[0], findings=findings, status=statuses.pop(), because=because)


def _measure_fact(sid: str, index: int, measure: Measure) -> dict[str, Any]:
    return {
        "sid": sid,
        "id": f"measure:{index}",
        "t": "measure",
        "clause": measure.clause.id,
        "phase": measure.phase,
        "amount": measure.amount,
        "possible": measure.possible,
    }


def _post(
    compiled: _Compiled, sid: str, facts: list[dict[str, Any]], record: Callable[[str, dict[str, Any]], None]
) -> None:
    """Assert facts, then run every action they trigger, surfacing any failure."""
    if not facts:
        return
    code, state_handle = dre.assert_facts(compiled.handle, json.dumps(facts))
    if code not in (0, 1):  # 1: no rule completed yet, which a negated join can legitimately cause
        raise EngineError(f"durable_rules refused facts for state {sid} (code {code}): {facts}")
    result = dre.start_action_for_state(compiled.handle, state_handle)
    while result:
        state, message = result[0], json.loads(result[1])
        for name, bindings in message.items():
            try:
                record(name, bindings)
            except Exception:
                dre.abandon_action(compiled.handle, state_handle)
                raise
        dre.update_state(compiled.handle, state)
        next_message = dre.complete_and_start_action(compiled.handle, state_handle)
        result = (state, next_message) if next_message else None
