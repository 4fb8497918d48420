"""``truce.repair``: what would have to change, per party, for the ceasefire to hold; each set of changes
checked by evaluating the repaired state."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ._case import Case, prepare
from ._clauses import Action, Clause, Edit, Measure
from ._columns import Columns
from ._engines import decider, default_engine
from ._evaluate import evaluate
from ._observe import Observation, observe
from ._provenance import Provenance
from ._rulebook import Rulebook
from ._scenario import FindingStatus, Scenario, Status

__all__ = ["Change", "ClauseRef", "Fact", "NotRepairable", "Repair", "repair"]

_FAILING: tuple[FindingStatus, ...] = ("violated", "unknown")


class ClauseRef(BaseModel):
    """The clause a change answers to: its id, the article it encodes and the instant from which it binds."""

    model_config = ConfigDict(frozen=True)

    clause: str
    article: str
    deadline: str


class Change(BaseModel):
    """One change a party must make: a unit leaves a zone (``remaining`` of its count stay counted: 0 for all of
    it), or is shown not to count (its position, group member or attribute learned), or an area changes hands."""

    model_config = ConfigDict(frozen=True)

    party: str
    action: Action
    item: str
    leaving: int | None
    remaining: int | None
    holder: str | None
    clauses: list[ClauseRef]
    message: str


class NotRepairable(BaseModel):
    """A clause broken by what already happened (past incidents), which no change to the state can mend."""

    model_config = ConfigDict(frozen=True)

    clause: ClauseRef
    parties: list[str]
    evidence: list[str]
    reason: str


class Fact(BaseModel):
    """A fact to learn where the verdict is open: the item and the clauses it bears on, and the verdict if the item
    counts against them and if it does not."""

    model_config = ConfigDict(frozen=True)

    item: str
    clauses: list[str]
    facts: list[str]
    if_counts: Status
    if_not: Status


class Repair(BaseModel):
    """The smallest joint set of changes found (no one can be dropped) that moves the verdict towards holding,
    grouped by party, with the verdict the changed state gets (``yields``), what no change can mend, and, for an
    open verdict, the facts to learn and which way each would tip it."""

    model_config = ConfigDict(frozen=True)

    agreement: str
    reading: str
    as_of: str
    status: Status
    yields: Status
    changes: list[Change]
    not_repairable: list[NotRepairable]
    learn: list[Fact]
    provenance: Provenance

    @property
    def parties(self) -> list[str]:
        """The parties asked to change something, sorted."""
        return sorted({change.party for change in self.changes})

    def explain(self) -> str:
        """The changes in plain language, party by party, then what cannot be mended and what is to learn."""
        lines = [f"{self.agreement} [{self.reading}] as of {self.as_of}: {self.status.replace('_', ' ')}"]
        if not self.changes and not self.not_repairable and not self.learn:
            lines.append("Nothing to repair." if self.status == "holds" else "No repair: the truce is not in force at this instant.")
            return "\n".join(lines)
        lines.append(f"With the changes below the verdict would be: {self.yields.replace('_', ' ')}.")
        for party in self.parties:
            lines.append(f"{party}:")
            for change in (c for c in self.changes if c.party == party):
                refs = "; ".join(f"{r.clause}, {r.article}, due {r.deadline}" for r in change.clauses)
                lines += [f"  - {change.message}", f"      ({refs})"]
        for broken in self.not_repairable:
            lines.append(f"Not repairable: {broken.clause.clause} ({broken.clause.article}): {broken.reason} "
                         f"(evidence {', '.join(broken.evidence)}).")
        for fact in self.learn:
            lines.append(f"To learn ({', '.join(fact.clauses)}): {'; '.join(fact.facts)}: if {fact.item} counts, "
                         f"{fact.if_counts.replace('_', ' ')}; if not, {fact.if_not.replace('_', ' ')}.")
        return "\n".join(lines)


def repair(
    state: Mapping[str, Any] | Scenario | Columns | Case | str | Path,
    rules: Rulebook | str | Path | None = None,
    reading: str | None = None,
    engine: str | None = None,
) -> Repair:
    """What would have to change for the ceasefire in ``state`` to hold under ``reading``: one joint set of
    changes from which none can be dropped, checked by evaluating the changed state (``yields``).

    Each clause that is violated or open asks for its own changes, on the state already changed for the clauses
    before it; then every change that the others make unneeded is dropped. ``not_in_force`` gets no repair.
    """
    case = prepare(state, rules, reading)
    verdict = evaluate(case, engine=engine)
    failing = {f.clause: f.status for f in verdict.findings if f.status in _FAILING}
    if verdict.status == "not_in_force":
        failing = {}
    planned: dict[tuple[str, object], Edit] = {}
    broken: list[NotRepairable] = []
    at = case.as_of.timestamp()
    for clause in (c for _, c in case.clauses if c is not None and c.id in failing):
        remedy = clause.repair(_applied(case, planned.values()).state, at)
        if remedy.unrepairable and failing[clause.id] == "violated":
            found = verdict.finding(clause.id)
            broken.append(NotRepairable(clause=_ref(case, clause), parties=found.parties, evidence=found.evidence,
                                        reason=remedy.unrepairable))
        planned.update({(("area", e.area) if e.area else ("unit", e.row)): e for e in remedy.edits})
    kept = _minimal(case, list(planned.values()), engine)
    repaired = evaluate(_applied(case, kept), engine=engine) if kept else verdict
    met = frozenset(f.clause for f in repaired.findings if f.status == "met") if kept else frozenset()
    units, clauses = case.state.units, {c.id: c for _, c in case.clauses if c is not None}
    changes = [
        Change(
            party=edit.party, action=edit.action, item=edit.item,
            leaving=None if edit.area else int(units.weights[edit.row]) - edit.remaining,
            remaining=None if edit.area else edit.remaining, holder=edit.holder,
            clauses=[_ref(case, clauses[c]) for c in clauses if c in needs], message=edit.message,
        )
        for edit, needs in _needed(case, kept, met, engine)
    ]
    return Repair(
        agreement=case.book.id, reading=case.reading, as_of=case.as_of.isoformat(), status=verdict.status, yields=repaired.status,
        changes=sorted(changes, key=lambda c: (c.party, c.item)), not_repairable=broken,
        learn=_facts(case, kept, failing, engine),
        provenance=Provenance.of(case.book, case.reading, engine or default_engine(), case.input_sha256),
    )


def _ref(case: Case, clause: Clause) -> ClauseRef:
    return ClauseRef(clause=clause.id, article=clause.article, deadline=case.book.deadline(clause).isoformat())


def _applied(case: Case, edits: Iterable[Edit]) -> Case:
    """The case with ``edits`` made to its state: units' counts cut, areas handed over."""
    units, areas = case.state.units, dict(case.state.areas)
    weights = units.weights.copy()
    for edit in edits:
        if edit.area:
            areas[edit.area] = edit.holder
        else:
            weights[edit.row] = edit.remaining
    return replace(case, state=replace(case.state, units=units.with_weights(weights), areas=areas))


def _met(case: Case, edits: Iterable[Edit], engine: str | None) -> frozenset[str]:
    """The clauses met once ``edits`` are made."""
    return frozenset(f.clause for f in evaluate(_applied(case, edits), engine=engine).findings if f.status == "met")


def _minimal(case: Case, planned: list[Edit], engine: str | None) -> list[Edit]:
    """``planned`` less every change whose clauses stay met without it, latest first: since fewer changes never meet
    more clauses, no change left can then be dropped."""
    kept = list(planned)
    if not kept:
        return kept
    met = _met(case, kept, engine)
    for edit in reversed(planned):
        rest = [k for k in kept if k is not edit]
        if met <= _met(case, rest, engine):
            kept = rest
    return kept


def _needed(case: Case, edits: list[Edit], met: frozenset[str], engine: str | None) -> list[tuple[Edit, frozenset[str]]]:
    """Each change with the clauses that are met with every change (``met``) but not without this one."""
    return [(edit, met - _met(case, [e for e in edits if e is not edit], engine)) for edit in edits]


def _facts(case: Case, edits: list[Edit], failing: Mapping[str, FindingStatus], engine: str | None) -> list[Fact]:
    """For each item open clauses cannot settle: the facts that would, and the verdict if it counts for every one of
    them and if it counts for none, every other change of the repair made."""
    decide, at = decider(engine), case.as_of.timestamp()
    open_ = [c for _, c in case.clauses if c is not None and failing.get(c.id) == "unknown"]
    keys = dict.fromkeys((tip.item, tip.facts) for clause in open_ for tip in clause.tips(case.state, at))
    found = []
    for item, facts in keys:
        base = _applied(case, [e for e in edits if e.item != item])
        observation = observe(base)
        group = [tip for clause in open_ for tip in clause.tips(base.state, at) if (tip.item, tip.facts) == (item, facts)]

        def status(measures: Iterable[Measure], observation: Observation = observation, base: Case = base) -> Status:
            instead = {m.clause.id: m for m in measures}
            chosen = tuple(instead.get(m.clause.id, m) for m in observation.measures)
            return decide(base.book, base.reading, replace(observation, measures=chosen)).status

        found.append(Fact(item=item, clauses=[t.counts.clause.id for t in group], facts=list(facts),
                          if_counts=status(t.counts for t in group), if_not=status(t.not_counts for t in group)))
    return found
