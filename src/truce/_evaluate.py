"""``truce.evaluate``: load, observe, decide, and assemble the verdict."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ._columns import Columns
from ._engines import decider
from ._errors import Problem, ScenarioError, TruceError, did_you_mean
from ._load import check_scenario, id_problems, load_rulebook, scenario_document
from ._observe import Items, Measure, observe
from ._rulebook import Clause, Rulebook
from ._scenario import Scenario
from ._source import Document, validate
from ._verdict import Finding, Verdict

__all__ = ["choose_reading", "evaluate", "prepare", "rulebook_for"]


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


def prepare(
    state: Mapping[str, Any] | Scenario | str | Path, rules: Rulebook | str | Path | None, reading: str | None
) -> tuple[Scenario, Document, Rulebook, str]:
    """The validated scenario, the document it came from, its rulebook and the reading chosen.

    A scenario that fails validation is also checked for unknown ids where its rulebook
    can be found, so one error reports every problem instead of one round at a time.
    """
    if isinstance(state, Scenario):
        scenario, doc = state, Document(None, None)
    else:
        doc = scenario_document(state)
        try:
            scenario = validate(Scenario.model_validate, doc, ScenarioError, f"invalid scenario {doc.file or ''}".strip())
        except ScenarioError as exc:
            raise _with_unknown_ids(exc, doc, rules) from None
    book = rulebook_for(scenario.agreement, rules, doc.file)
    check_scenario(scenario, book, doc)
    return scenario, doc, book, choose_reading(book, reading or scenario.reading, doc.file)


def _with_unknown_ids(error: ScenarioError, doc: Document, rules: Rulebook | str | Path | None) -> ScenarioError:
    """``error`` with the raw scenario's unknown and repeated ids added, where its rulebook loads."""
    agreement = doc.data.get("agreement") if isinstance(doc.data, Mapping) else None
    try:
        book = rulebook_for(agreement if isinstance(agreement, str) else None, rules, doc.file)
    except TruceError:
        return error
    reported = {p.path for p in error.problems}
    extra = [p for p in id_problems(dict(doc.data) if isinstance(doc.data, Mapping) else {}, book, doc) if p.path not in reported]
    if not extra:
        return error
    return ScenarioError.from_problems(f"invalid scenario {doc.file or ''}".strip(), [*error.problems, *extra])


def choose_reading(book: Rulebook, reading: str | None, file: str | None) -> str:
    """The reading asked for, else the rulebook's default; an unknown one is an error."""
    chosen = reading or book.default_reading
    if chosen not in book.readings:
        raise ScenarioError.from_problems(
            f"unknown reading {chosen!r} for rulebook {book.id}",
            [Problem("reading", "unknown reading", value=chosen, suggestion=did_you_mean(chosen, book.readings), file=file)],
        )
    return chosen


def rulebook_for(agreement: str | None, rules: Rulebook | str | Path | None, file: str | None) -> Rulebook:
    """The rulebook given, else the one the scenario's ``agreement`` names."""
    if isinstance(rules, Rulebook):
        return rules
    if rules is not None:
        return load_rulebook(rules)
    if agreement is None:
        raise ScenarioError.from_problems(
            "no rulebook to evaluate against",
            [Problem("agreement", "missing", file=file, suggestion="add 'agreement: <bundled id>' or pass rules=")],
        )
    return load_rulebook(agreement)


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
