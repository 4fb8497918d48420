"""The decision logic, declared once as data, and its plain-Python evaluation.

How a measure settles a clause, how the instant settles the period of force,
and which verdict wins are tables of ``Test``s below. ``decide.py`` compiles
them to durable_rules JSON; ``decide_python`` evaluates them directly. Both
paths read the same tables, so they cannot drift apart; the differential tests
check that the two engines agree on what the tables mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from ._errors import EngineError
from ._observe import Measure, Observation
from ._rulebook import Rulebook
from ._scenario import FindingStatus, Status

Op = Literal["==", "!=", ">", "<="]
Value = str | int
Fact = Mapping[str, Value]
InForceStatus = Literal["not_due", "met", "not_applicable"]
"""The finding on the truce's period of force: before it, in it, after it."""
LIMIT = "$limit"
"""Stands for the clause's ``Clause.limit`` in a test's value."""


@dataclass(frozen=True)
class Test:
    """One comparison on one field of a fact; a pattern is a conjunction of them."""

    field: str
    op: Op
    value: Value


Pattern = tuple[Test, ...]


@dataclass(frozen=True)
class VerdictRule:
    """A status, the window it needs, and the findings that must all be present (each matched by some finding)."""

    status: Status
    window: Pattern
    findings: tuple[Pattern, ...] = ()


_DUE = Test("phase", "==", "due")
CLAUSE_OUTCOMES: tuple[tuple[FindingStatus, Pattern], ...] = (
    ("not_applicable", (Test("phase", "==", "not_applicable"),)),
    ("not_due", (Test("phase", "==", "not_due"),)),
    ("not_assessed", (Test("phase", "==", "not_assessed"),)),
    ("violated", (_DUE, Test("amount", ">", LIMIT))),
    ("unknown", (_DUE, Test("amount", "<=", LIMIT), Test("possible", ">", LIMIT))),
    ("met", (_DUE, Test("possible", "<=", LIMIT))),
)
"""A measure's fields -> the clause's finding; exactly one outcome matches any measure."""

IN_FORCE_OUTCOMES: tuple[tuple[InForceStatus, Pattern], ...] = (
    ("not_due", (Test("phase", "==", "before"),)),
    ("met", (Test("phase", "==", "in_force"),)),
    ("not_applicable", (Test("phase", "==", "after"),)),
)
"""The truce's window -> the finding on its period of force."""

_IN_FORCE: Pattern = (Test("phase", "==", "in_force"),)
_CONDITION_VIOLATED: Pattern = (Test("role", "==", "condition"), Test("status", "==", "violated"))
_CONDITION_UNKNOWN: Pattern = (Test("role", "==", "condition"), Test("status", "==", "unknown"))
_TERM_VIOLATED: Pattern = (Test("role", "==", "term"), Test("status", "==", "violated"))
VERDICT_PRECEDENCE: tuple[VerdictRule, ...] = (
    VerdictRule("not_in_force", (Test("phase", "!=", "in_force"),)),
    VerdictRule("conditions_unmet", _IN_FORCE, (_CONDITION_VIOLATED,)),
    VerdictRule("indeterminate", _IN_FORCE, (_CONDITION_UNKNOWN, _TERM_VIOLATED)),
    VerdictRule("breached", _IN_FORCE, (_TERM_VIOLATED,)),
    VerdictRule("indeterminate", _IN_FORCE, ((Test("status", "==", "unknown"),),)),
    VerdictRule("holds", _IN_FORCE),
)
"""The first rule whose window and findings match gives the status; the clauses of its
matching findings are the ones 'because' of which it holds. A status is only given when no
unknown could overturn it: a breach while a condition is unknown is indeterminate, since
the condition, if unmet, would take precedence."""


@dataclass(frozen=True)
class Decision:
    """An engine's word: a status per clause, the verdict, and the clauses behind it."""

    in_force: InForceStatus
    findings: dict[str, FindingStatus]
    status: Status
    because: tuple[str, ...]


def resolve(value: Value, limit: int) -> Value:
    """A test's value with ``LIMIT`` replaced by the clause's limit."""
    return limit if value == LIMIT else value


def matches(pattern: Pattern, fact: Fact, limit: int = 0) -> bool:
    """Whether a fact passes every test of a pattern."""
    for test in pattern:
        have, want = fact[test.field], resolve(test.value, limit)
        if test.op == "==":
            ok = have == want
        elif test.op == "!=":
            ok = have != want
        elif isinstance(have, int) and isinstance(want, int):
            ok = have > want if test.op == ">" else have <= want
        else:
            raise EngineError(f"cannot compare {have!r} {test.op} {want!r} in field {test.field}")
        if not ok:
            return False
    return True


def measure_fact(measure: Measure) -> dict[str, Value]:
    """The fields of a measure the clause outcomes test."""
    return {"clause": measure.clause.id, "phase": measure.phase, "amount": measure.amount, "possible": measure.possible}


def finding_fact(clause: str, role: str, status: str) -> dict[str, Value]:
    """The fields of a clause finding the verdict rules test."""
    return {"clause": clause, "role": role, "status": status}


def window_fact(observation: Observation) -> dict[str, Value]:
    """The fields of the truce's window the in-force and verdict rules test."""
    return {"phase": observation.window}


_Outcome = TypeVar("_Outcome", bound=str)


def _only(table: tuple[tuple[_Outcome, Pattern], ...], fact: Fact, limit: int, what: str) -> _Outcome:
    outcomes = [outcome for outcome, pattern in table if matches(pattern, fact, limit)]
    if len(outcomes) != 1:
        raise EngineError(f"{what} matched outcomes {outcomes}; expected exactly one")
    return outcomes[0]


def decide_python(book: Rulebook, reading: str, observation: Observation) -> Decision:
    """Settle each clause and the verdict by evaluating the tables in plain Python."""
    del book, reading  # the measures already carry each clause as the reading has it
    findings: dict[str, FindingStatus] = {}
    facts = []
    for measure in observation.measures:
        clause = measure.clause
        if clause.id in findings:
            raise EngineError(f"clause {clause.id} was measured twice")
        status = _only(CLAUSE_OUTCOMES, measure_fact(measure), clause.limit, f"clause {clause.id}")
        findings[clause.id] = status
        facts.append(finding_fact(clause.id, clause.role, status))
    window = window_fact(observation)
    in_force = _only(IN_FORCE_OUTCOMES, window, 0, "the truce's window")
    for rule in VERDICT_PRECEDENCE:
        if not matches(rule.window, window):
            continue
        found = [[str(f["clause"]) for f in facts if matches(pattern, f)] for pattern in rule.findings]
        if all(found):
            return Decision(in_force, findings, rule.status, tuple(sorted({c for clauses in found for c in clauses})))
    raise EngineError(f"no verdict rule matched window {observation.window} and findings {findings}")
