"""``truce.evaluate``: load, observe, decide, and assemble the verdict."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._case import choose_reading, prepare, rulebook_for
from ._clauses import when
from ._columns import Columns
from ._engines import decider
from ._items import Items
from ._observe import Measure, observe
from ._rulebook import Rulebook
from ._scenario import Scenario
from ._verdict import Finding, Verdict

__all__ = ["evaluate"]


def evaluate(
    state: Mapping[str, Any] | Scenario | Columns | str | Path,
    rules: Rulebook | str | Path | None = None,
    reading: str | None = None,
    engine: str | None = None,
) -> Verdict:
    """Whether the ceasefire holds in ``state`` under ``rules`` (default: the state's
    ``agreement``) read as ``reading`` (default: the state's, else the rulebook's).

    ``engine`` decides: ``"durable"`` (durable_rules) or ``"python"``; by default
    durable where it imports (Python < 3.13), else python. Both give the same verdict.
    """
    decide = decider(engine)
    units: Items | None
    incidents: Items | None
    if isinstance(state, Columns):
        scenario, book = state.scenario, rulebook_for(state.scenario.agreement, rules, None)
        chosen = choose_reading(book, reading or scenario.reading, None)
        units, incidents = state.items(book)
    else:
        scenario, _, book, chosen = prepare(state, rules, reading)
        units = incidents = None
    observation = observe(scenario, book, chosen, units, incidents)
    decision = decide(book, chosen, observation)
    findings = [_in_force_finding(book, decision.in_force)]
    findings += [_finding(book, m, decision.findings[m.clause.id]) for m in observation.measures]
    responsible: set[str] = set()
    if decision.status in ("conditions_unmet", "breached"):
        for m in observation.measures:
            if m.clause.id in decision.because:
                responsible.update(m.parties)
    missing = (
        sorted({item for m in observation.measures if decision.findings[m.clause.id] == "unknown" for item in m.missing})
        if decision.status == "indeterminate"
        else []
    )
    notes = []
    if any(m.illustrative_zone and decision.findings[m.clause.id] in ("violated", "unknown", "met") for m in observation.measures):
        notes.append("Some findings rest on zone lines the agreement never published; the rulebook's geometry is illustrative.")
    if observation.ignored:
        notes.append(f"Incidents after the instant evaluated were not considered: {', '.join(sorted(observation.ignored))}.")
    return Verdict(
        agreement=book.id,
        title=book.title,
        reading=chosen,
        reading_name=book.readings[chosen].name,
        as_of=scenario.as_of.isoformat(),
        status=decision.status,  # type: ignore[arg-type]
        responsible=sorted(responsible),
        findings=findings,
        missing=missing,
        notes=notes,
    )


def _in_force_finding(book: Rulebook, outcome: str) -> Finding:
    start, end = book.in_force.start, book.in_force.end
    message = {
        "not_due": f"The truce starts on {when(start)}; the instant evaluated is earlier.",
        "met": f"The truce is in force: it started on {when(start)}" + (f" and runs until {when(end)}." if end else "."),
        "not_applicable": f"The truce ended on {when(end)}." if end else "",
    }[outcome]
    return Finding(
        clause="in-force",
        title="Period of force",
        role="in_force",
        status=outcome,  # type: ignore[arg-type]
        parties=[],
        evidence=[],
        unknown=[],
        reference=book.in_force.article,
        message=message,
    )


def _finding(book: Rulebook, m: Measure, status: str) -> Finding:
    return Finding(
        clause=m.clause.id,
        title=m.clause.title,
        role=m.clause.role,
        status=status,  # type: ignore[arg-type]
        parties=list(m.parties) if status == "violated" else [],
        evidence=list(m.evidence),
        unknown=list(m.unknown_evidence) if status == "unknown" else [],
        reference=m.clause.article,
        message=_message(book, m, status),
    )


def _message(book: Rulebook, m: Measure, status: str) -> str:
    if status == "not_applicable":
        return "This clause does not apply under this reading."
    return m.clause.message(book, m, status)
