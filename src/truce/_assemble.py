"""Assemble what people read from measures and a decision: findings in words, who is responsible,
what is missing, and notes. ``evaluate`` and ``timeline`` both speak through it."""

from __future__ import annotations

from collections.abc import Iterable

from ._clauses import Measure, excusal, when
from ._logic import Decision, InForceStatus
from ._rulebook import Rulebook
from ._scenario import FindingStatus
from ._verdict import Finding, NotAssessed

__all__ = ["IN_FORCE", "findings", "missing", "not_assessed", "notes", "responsible", "responsible_one_of"]

IN_FORCE = "in-force"
"""The id of the finding on the period of force, given before the clauses' findings."""

_NOT_APPLICABLE = "This clause does not apply under this reading."


def findings(book: Rulebook, measures: Iterable[Measure], decision: Decision) -> list[Finding]:
    """The period of force, then one finding per clause, each with its evidence and its wording."""
    found = [_in_force(book, decision.in_force)]
    found += [_finding(book, m, decision.findings[m.clause.id]) for m in measures]
    return found


def responsible(measures: Iterable[Measure], decision: Decision) -> list[str]:
    """The parties behind a breach or an unmet condition: those of the clauses the verdict rests on."""
    if decision.status not in ("conditions_unmet", "breached"):
        return []
    return sorted({party for m in measures if m.clause.id in decision.because for party in m.parties})


def responsible_one_of(measures: Iterable[Measure], decision: Decision) -> list[list[str]]:
    """The candidate groups behind a breach or an unmet condition, one of each group (sorted, each sorted): kept
    even where a member is certainly responsible for another act."""
    if decision.status not in ("conditions_unmet", "breached"):
        return []
    return [list(group) for group in sorted({g for m in measures if m.clause.id in decision.because for g in m.parties_one_of})]


def not_assessed(measures: Iterable[Measure], decision: Decision) -> list[NotAssessed]:
    """The clauses not assessed, in rulebook order, each with the kinds of record the state lacks for it."""
    return [NotAssessed(clause=m.clause.id, records=list(m.lacking)) for m in measures if decision.findings[m.clause.id] == "not_assessed"]


def missing(measures: Iterable[Measure], decision: Decision) -> list[str]:
    """What the state would need to decide, where the verdict is indeterminate."""
    if decision.status != "indeterminate":
        return []
    return sorted({item for m in measures if decision.findings[m.clause.id] == "unknown" for item in m.missing})


def notes(measures: Iterable[Measure], decision: Decision, ignored: Iterable[str], later_units: Iterable[str] = ()) -> list[str]:
    """Caveats a reader must see: illustrative geometry behind a finding, incidents and units left out."""
    found = []
    if any(m.illustrative_zone and decision.findings[m.clause.id] in ("violated", "unknown", "met") for m in measures):
        found.append("Some findings rest on zone lines the agreement never published; the rulebook's geometry is illustrative.")
    later = sorted(ignored)
    if later:
        found.append(f"Incidents after the instant evaluated were not considered: {', '.join(later)}.")
    unseen = sorted(later_units)
    if unseen:
        found.append(f"Units first observed after the instant evaluated count as absent: {', '.join(unseen)}.")
    return found


def _in_force(book: Rulebook, outcome: InForceStatus) -> Finding:
    start, end = book.in_force.start, book.in_force.end
    message = {
        "not_due": f"The truce starts on {when(start)}; the instant evaluated is earlier.",
        "met": f"The truce is in force: it started on {when(start)}" + (f" and runs until {when(end)}." if end else "."),
        "not_applicable": f"The truce ended on {when(end)}." if end else "",
    }[outcome]
    return Finding(
        clause=IN_FORCE, title="Period of force", role="in_force", status=outcome,
        parties=[], parties_one_of=[], evidence=[], unknown=[], reference=book.in_force.article, message=message,
    )


def _finding(book: Rulebook, m: Measure, status: FindingStatus) -> Finding:
    return Finding(
        clause=m.clause.id,
        title=m.clause.title,
        role=m.clause.role,
        status=status,
        parties=list(m.parties) if status == "violated" else [],
        parties_one_of=[list(group) for group in m.parties_one_of] if status == "violated" else [],
        evidence=[*m.evidence, *m.excused],
        unknown=list(m.unknown_evidence) if status == "unknown" else [],
        reference=m.clause.article,
        message=_NOT_APPLICABLE if status == "not_applicable" else m.clause.message(book, m, status) + excusal(m),
    )
