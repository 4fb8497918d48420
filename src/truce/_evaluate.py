"""``truce.evaluate``: load, observe, decide, and assemble the verdict."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ._case import Case, prepare
from ._columns import Columns
from ._engines import decider
from ._observe import Measure, observe
from ._rulebook import Clause, Rulebook
from ._scenario import Scenario
from ._verdict import Finding, Verdict

__all__ = ["evaluate"]


def evaluate(
    state: Mapping[str, Any] | Scenario | Columns | Case | str | Path,
    rules: Rulebook | str | Path | None = None,
    reading: str | None = None,
    engine: str | None = None,
) -> Verdict:
    """Whether the ceasefire holds in ``state`` under ``rules`` (default: the state's
    ``agreement``) read as ``reading`` (default: the state's, else the rulebook's).

    ``engine`` decides: ``"durable"`` (durable_rules) or ``"python"``; by default
    durable where it imports (Python < 3.13), else python. Both give the same verdict.
    A prepared ``truce.Case`` skips loading and checking.
    """
    decide = decider(engine)
    case = prepare(state, rules, reading)
    scenario, book, chosen = case.scenario, case.book, case.reading
    observation = observe(scenario, book, chosen, case.state.units, case.state.incidents)
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
        status=decision.status,
        responsible=sorted(responsible),
        findings=findings,
        missing=missing,
        notes=notes,
    )


def _when(instant: datetime) -> str:
    return instant.strftime("%d %B %Y %H:%M") + f" ({instant.strftime('%z')[:3]}:{instant.strftime('%z')[3:]})"


def _in_force_finding(book: Rulebook, outcome: str) -> Finding:
    start, end = book.in_force.start, book.in_force.end
    message = {
        "not_due": f"The truce starts on {_when(start)}; the instant evaluated is earlier.",
        "met": f"The truce is in force: it started on {_when(start)}" + (f" and runs until {_when(end)}." if end else "."),
        "not_applicable": f"The truce ended on {_when(end)}." if end else "",
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


def _actors(book: Rulebook, ids: list[str] | tuple[str, ...]) -> str:
    return ", ".join(f"{book.party_name(i)} ({i})" for i in ids)


def _message(book: Rulebook, m: Measure, status: str) -> str:
    clause = m.clause
    who = _actors(book, clause.parties)
    if status == "not_applicable":
        return "This clause does not apply under this reading."
    if clause.type == "handover":
        return _handover_message(book, m, status)
    if clause.type == "cap":
        return _cap_message(book, m, status)
    if clause.type == "withdrawal":
        assert clause.zone is not None
        zone = book.zones[clause.zone].name
        what = _forces_text(book, clause)
        deadline = _when(book.deadline(clause))
        if status == "not_due":
            return f"{who} have until {deadline} to withdraw {'all ' * (clause.forces == 'all')}{what} from the {zone}."
        if status == "met":
            return f"No {what} of {who} remain in the {zone}."
        tally = ", ".join(f"{n} x {book.kinds[k].name}" for k, n in m.tally)
        if status == "violated":
            return (
                f"{tally} of {_actors(book, m.parties)} remain in the {zone} after the deadline of {deadline} "
                f"(units {', '.join(m.evidence)})."
            )
        return f"Cannot tell whether {what} of {who} remain in the {zone}: units {', '.join(m.unknown_evidence)} lack what is needed."
    kinds = ", ".join(book.incident_kinds[k].name for k in clause.incidents or [])
    where = f" in the {book.zones[clause.zone].name}" if clause.zone else ""
    if status == "not_due":
        return f"{who} are bound not to carry out {kinds}{where} once the truce starts."
    if status == "met":
        return f"No {kinds}{where} by {who} while the truce was in force."
    if status == "violated":
        acts = "1 forbidden act" if len(m.evidence) == 1 else f"{len(m.evidence)} forbidden acts"
        return f"{acts}{where} by {_actors(book, m.parties)}: incidents {', '.join(m.evidence)}."
    return f"Incidents {', '.join(m.unknown_evidence)} may be forbidden acts{where}, but their perpetrator, place or time is unknown."


def _forces_text(book: Rulebook, clause: Clause) -> str:
    if clause.forces == "all":
        return "forces"
    return ", ".join((book.classes[f].name if f in book.classes else book.kinds[f].name) for f in clause.forces or [])


def _cap_message(book: Rulebook, m: Measure, status: str) -> str:
    clause = m.clause
    where = f" in the {book.zones[clause.zone].name}" if clause.zone else ""
    each = " for each party" if clause.per == "party" else ""
    rule = f"at most {clause.max} {_forces_text(book, clause)} of {_actors(book, clause.parties)}{where}{each}"
    if status == "not_due":
        return f"From {_when(book.deadline(clause))}: {rule}."
    if status == "met":
        return f"Within the cap ({rule}): the most counted is {m.amount}."
    if status == "violated":
        tally = ", ".join(f"{n} x {book.kinds[k].name}" for k, n in m.tally)
        return f"Over the cap ({rule}): {tally} of {_actors(book, m.parties)} (units {', '.join(m.evidence)})."
    return f"Cannot tell whether the cap holds ({rule}): units {', '.join(m.unknown_evidence)} lack what is needed."


def _handover_message(book: Rulebook, m: Measure, status: str) -> str:
    clause = m.clause
    assert clause.area is not None and clause.controlled_by is not None
    area, receiver, deadline = book.areas[clause.area].name, _actors(book, [clause.controlled_by]), _when(book.deadline(clause))
    return {
        "not_due": f"{_actors(book, clause.parties)} have until {deadline} to hand {area} over to {receiver}.",
        "met": f"{area} is controlled by {receiver}, as agreed.",
        "violated": f"{area} is still controlled by {_actors(book, m.parties)} after {deadline}.",
        "unknown": f"Who controls {area} is not known.",
    }[status]
