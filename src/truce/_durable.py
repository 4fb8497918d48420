"""Decide clause findings and the verdict with durable_rules.

Each (rulebook, reading) is compiled once into a durable_rules ruleset whose
rules carry the rulebook's thresholds; the rules are generated from the tables
in ``_logic`` that the Python engine also evaluates. An evaluation runs in its own state
(a fresh sid), in two rounds: measures settle each clause's finding, then the
findings and the truce's window settle the verdict. We drive the engine's C
API ourselves, so no background timer threads run, errors in actions surface,
and every state is deleted afterwards.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import durable_rules_engine as dre

from ._errors import EngineError
from ._logic import (
    CLAUSE_OUTCOMES,
    IN_FORCE_OUTCOMES,
    VERDICT_PRECEDENCE,
    Decision,
    InForceStatus,
    Pattern,
    finding_fact,
    measure_fact,
    resolve,
    window_fact,
)
from ._observe import Measure, Observation
from ._rulebook import Rulebook
from ._scenario import FindingStatus, Status

__all__ = ["Decision", "decide", "ruleset_definition"]

_OPS = {"!=": "$neq", ">": "$gt", "<=": "$lte"}
_FINDINGS: dict[str, FindingStatus] = {name: name for name, _ in CLAUSE_OUTCOMES}
_IN_FORCE: dict[str, InForceStatus] = {name: name for name, _ in IN_FORCE_OUTCOMES}
_STATUSES: dict[str, Status] = {rule.status: rule.status for rule in VERDICT_PRECEDENCE}
_Known = TypeVar("_Known", bound=str)


def _known(values: Mapping[str, _Known], value: str, what: str) -> _Known:
    """A name parsed from a fired rule, as the outcome it must be; anything else is the engine misbehaving."""
    known = values.get(value)
    if known is None:
        raise EngineError(f"the rules gave {what} {value!r}; expected one of {sorted(values)}")
    return known


def _condition(kind: str, pattern: Pattern, limit: int = 0, **fields: str) -> dict[str, Any]:
    """A durable_rules condition on one fact of type ``kind`` with ``fields`` passing every test of a pattern."""
    terms: list[dict[str, Any]] = [{"t": kind}, *({k: v} for k, v in fields.items())]
    for test in pattern:
        value = resolve(test.value, limit)
        if test.op == "==":
            terms.append({test.field: value})
        else:
            terms.append({_OPS[test.op]: {test.field: value}})
    return {"$and": terms}


def _verdict_rules() -> dict[str, dict[str, Any]]:
    """One rule per entry of the precedence; negated joins keep it from firing when a rule above would."""
    rules: dict[str, dict[str, Any]] = {}
    for i, rule in enumerate(VERDICT_PRECEDENCE):
        joins: list[dict[str, Any]] = [{"w": _condition("window", rule.window)}]
        joins += [{f"f{k}": _condition("finding", pattern)} for k, pattern in enumerate(rule.findings)]
        joins += [{f"x{k}$not": _condition("finding", pattern)} for k, pattern in enumerate(_exclusions(i))]
        rules[f"verdict:{rule.status}:{i}"] = {"all": joins}
    return rules


def _exclusions(index: int) -> list[Pattern]:
    """Finding patterns whose absence rules out every higher rule with the same window.

    A higher rule needing one pattern is ruled out by its absence; one needing several, by the
    absence of one already excluded, or of the only one this rule does not itself require.
    """
    rule = VERDICT_PRECEDENCE[index]
    higher = [r.findings for r in VERDICT_PRECEDENCE[:index] if r.window == rule.window]
    excluded = list(dict.fromkeys(p for needs in higher if len(needs) == 1 for p in needs))
    for needs in higher:
        if len(needs) > 1 and not set(needs) & set(excluded):
            rest = [p for p in needs if p not in rule.findings]
            if len(rest) != 1:
                raise EngineError(f"verdict rule {index} ({rule.status}) cannot exclude a higher rule needing {needs}")
            excluded.append(rest[0])
    if not rule.findings and any(not needs for needs in higher):
        raise EngineError(f"verdict rule {index} ({rule.status}) is shadowed by a higher rule that needs no finding")
    return excluded


def ruleset_definition(book: Rulebook, reading: str) -> dict[str, dict[str, Any]]:
    """The durable_rules JSON definition compiled from a rulebook under one reading."""
    rules = {f"in_force:{name}": {"all": [{"m": _condition("window", pattern)}]} for name, pattern in IN_FORCE_OUTCOMES}
    for clause, read in book.read_as(reading):
        limit = (read or clause).limit
        for name, pattern in CLAUSE_OUTCOMES:
            rules[f"clause:{clause.id}:{name}"] = {"all": [{"m": _condition("measure", pattern, limit, clause=clause.id)}]}
    rules.update(_verdict_rules())
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
    findings: dict[str, FindingStatus] = {}
    for name, _ in fired:
        _, clause_id, outcome = name.split(":")
        if clause_id in findings:
            raise EngineError(f"clause {clause_id} was settled twice ({findings[clause_id]}, {outcome})")
        findings[clause_id] = _known(_FINDINGS, outcome, f"clause {clause_id} the finding")
    expected = [m.clause.id for m in observation.measures]
    if sorted(findings) != sorted(expected):
        raise EngineError(f"the rules settled clauses {sorted(findings)}, expected {sorted(expected)}")

    fired.clear()
    roles = {m.clause.id: m.clause.role for m in observation.measures}
    finding_facts = [
        {"sid": sid, "id": f"finding:{cid}", "t": "finding", **finding_fact(cid, roles[cid], status)}
        for cid, status in findings.items()
    ]
    _post(compiled, sid, finding_facts, record)
    _post(compiled, sid, [{"sid": sid, "id": "window", "t": "window", **window_fact(observation)}], record)
    in_force = [name.split(":")[1] for name, _ in fired if name.startswith("in_force:")]
    statuses = {name.split(":")[1] for name, _ in fired if name.startswith("verdict:")}
    if len(in_force) != 1 or len(statuses) != 1:
        raise EngineError(f"the rules gave in-force {in_force} and verdict {sorted(statuses)}; expected one of each")
    because = tuple(sorted({fact["clause"] for _, msg in fired for key, fact in msg.items() if key.startswith("f")}))
    return Decision(
        in_force=_known(_IN_FORCE, in_force[0], "the period of force the finding"),
        findings=findings,
        status=_known(_STATUSES, statuses.pop(), "the verdict the status"),
        because=because,
    )


def _measure_fact(sid: str, index: int, measure: Measure) -> dict[str, Any]:
    return {"sid": sid, "id": f"measure:{index}", "t": "measure", **measure_fact(measure)}


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
