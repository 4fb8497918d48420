"""``truce.contrast``: where two readings of one rulebook part, clause by clause, each difference with a state
that shows it, checked by evaluating that state under both readings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ._case import Case, choose_reading, prepare, rulebook_for
from ._clauses import Clause, Place
from ._engines import decider
from ._evaluate import evaluate
from ._provenance import Provenance
from ._rulebook import Rulebook
from ._scenario import FindingStatus, Status
from ._source import Document

__all__ = ["Contrast", "Difference", "contrast"]

_LEFT_OUT = {"readings", "note", "title"}


class Difference(BaseModel):
    """One clause the two readings read differently: the fields that differ (``[under a, under b]``), the ids it
    draws on under one reading alone (by section: actors, classes, kinds, zones, incident_kinds), and a state on
    which its finding differs (``witness``, None if none was found), with the finding and verdict under each."""

    model_config = ConfigDict(frozen=True)

    clause: str
    article: str
    fields: dict[str, list[Any]]
    only_a: dict[str, list[str]]
    only_b: dict[str, list[str]]
    witness: dict[str, Any] | None
    finding_a: FindingStatus | None
    finding_b: FindingStatus | None
    status_a: Status | None
    status_b: Status | None


class Contrast(BaseModel):
    """Where readings ``reading_a`` and ``reading_b`` of a rulebook part: one difference per clause they read differently."""

    model_config = ConfigDict(frozen=True)

    agreement: str
    reading_a: str
    reading_b: str
    differences: list[Difference]
    provenance: Provenance

    def explain(self) -> str:
        """The differences in plain language, each with what its witness state shows."""
        lines = [f"{self.agreement}: reading {self.reading_a!r} against {self.reading_b!r}"]
        if not self.differences:
            lines.append("The readings agree on every clause.")
        for d in self.differences:
            lines.append(f"  {d.clause} ({d.article}):")
            lines += [f"      {field}: {a!r} under {self.reading_a}, {b!r} under {self.reading_b}" for field, (a, b) in d.fields.items()]
            for reading, only in ((self.reading_a, d.only_a), (self.reading_b, d.only_b)):
                lines += [f"      only under {reading}: {section} {', '.join(ids)}" for section, ids in only.items()]
            if d.witness is None:
                lines.append("      no state was found on which the finding differs")
            else:
                records = d.witness.get("records", {})
                rows = [i for part in ("units", "incidents", "areas") for i in d.witness.get(part, [])]
                rows += [i for given in records.values() for i in given.get("entries", [])]
                items = [f"{i['id']} ({', '.join(f'{k}: {v}' for k, v in i.items() if k != 'id')})" for i in rows]
                items += [f"{kind} records complete from {given['complete']['start']} to {given['complete']['end']}"
                          for kind, given in records.items() if "complete" in given]
                lines.append(f"      e.g. as of {d.witness['as_of']} with {'; '.join(items)}: {d.finding_a} and "
                             f"{d.status_a} under {self.reading_a}, {d.finding_b} and {d.status_b} under {self.reading_b}")
        return "\n".join(lines)


def contrast(rulebook: Rulebook | str | Path, reading_a: str, reading_b: str, engine: str | None = None) -> Contrast:
    """Where two readings of ``rulebook`` (a bundled id, a file or a loaded rulebook) part: each clause they read
    differently, the ids it draws on under one alone, and a witness state (one unit, incident or area control)
    on which its finding differs, checked by evaluating it under both readings with ``engine``."""
    book = rulebook_for(None, rulebook, Document(None, None))
    first, second = (choose_reading(book, reading, None) for reading in (reading_a, reading_b))
    decider(engine)  # an unknown engine is an error before any search
    differences = []
    for (clause, a), (_, b) in zip(book.read_as(first), book.read_as(second), strict=True):
        read_a, read_b = _fields(a), _fields(b)
        if read_a == read_b:
            continue
        if a is None or b is None:
            read_a, read_b = {"applies": a is not None}, {"applies": b is not None}
        uses_a, uses_b = (set(c.uses(book)) if c else set() for c in (a, b))
        witness, found = _witness(book, clause, (a, b), (first, second), engine)
        differences.append(Difference(
            clause=clause.id, article=clause.article,
            fields={k: [read_a.get(k), read_b.get(k)] for k in sorted(read_a.keys() | read_b.keys()) if read_a.get(k) != read_b.get(k)},
            only_a=_by_section(uses_a - uses_b), only_b=_by_section(uses_b - uses_a), witness=witness, **found,
        ))
    return Contrast(agreement=book.id, reading_a=first, reading_b=second, differences=differences, provenance=Provenance.of(book))


def _fields(clause: Clause | None) -> dict[str, Any]:
    """What a clause says under a reading, as data (``applies: false`` where it says nothing)."""
    return {"applies": False} if clause is None else {"applies": True, **clause.model_dump(mode="json", exclude=_LEFT_OUT)}


def _by_section(uses: set[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for section, ident in sorted(uses):
        found.setdefault(section, []).append(ident)
    return found


def _witness(
    book: Rulebook, clause: Clause, variants: tuple[Clause | None, Clause | None], readings: tuple[str, str], engine: str | None
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """A probe state on which the clause's finding differs between the readings, one on which the verdict differs
    too if any does (searched with the Python engine, then decided by ``engine``), with the finding and verdict under
    each; None and Nones if there is none."""
    found: tuple[dict[str, Any], tuple[Case, Case]] | None = None
    shown = [clause.id, *_borne(*variants)]  # the findings that show how the readings read it
    for as_of in _instants(book, *variants):
        moment = max(book.in_force.start, as_of - timedelta(hours=1))
        for probe in _probes(book, *variants, moment):
            state = {"agreement": book.id, "as_of": as_of.isoformat(), **probe}
            case = prepare(state, rules=book, reading=readings[0])
            cases = (case, case.read_as(readings[1]))
            verdicts = [evaluate(c, engine="python") for c in cases]
            if any(verdicts[0].finding(c).status != verdicts[1].finding(c).status for c in shown):
                found = found or (state, cases)
                if verdicts[0].status != verdicts[1].status:
                    found = (state, cases)
                    break
        else:
            continue
        break
    if found is None:
        return None, {"finding_a": None, "finding_b": None, "status_a": None, "status_b": None}
    state, cases = found
    checked = [evaluate(c, engine=engine) for c in cases]
    return state, {"finding_a": checked[0].finding(clause.id).status, "finding_b": checked[1].finding(clause.id).status,
                   "status_a": checked[0].status, "status_b": checked[1].status}


def _instants(book: Rulebook, a: Clause | None, b: Clause | None) -> list[datetime]:
    """A day after both readings' deadlines, then (where they differ) midway between them; within the period of force."""
    start, end = book.in_force.start, book.in_force.end
    due = sorted({max(start, book.deadline(c)) for c in (a, b) if c is not None})
    moments = [due[-1] + timedelta(days=1), *([due[0] + (due[1] - due[0]) / 2] if len(due) == 2 else [])]
    return [m if end is None or m < end else start + (end - start) / 2 for m in moments]


def _borne(a: Clause | None, b: Clause | None) -> list[str]:
    """The ids of the other clauses either reading of a clause bears on, whose findings it changes."""
    return sorted({other for c in (a, b) if c is not None for other in c.bears_on()})


def _probes(book: Rulebook, a: Clause | None, b: Clause | None, moment: datetime) -> Iterator[dict[str, Any]]:
    """Each reading's probes, at a point of each zone either reading sets the clause on and of each part of one
    zone outside the other (no place without a zone); then each of them beside each probe of every clause it bears
    on (a permission's leave beside the acts it may excuse)."""
    zones = sorted({c.zone_id for c in (a, b) if c is not None and c.zone_id is not None})
    shapes = [book.geometry(z) for z in zones]
    shapes += [x.difference(y) for x in shapes for y in shapes if x is not y]
    places: list[Place] = [{"lat": p.y, "lon": p.x} for p in (s.representative_point() for s in shapes if not s.is_empty)]
    own = [probe for clause in (a, b) if clause is not None for probe in clause.probes(book, places or [None], moment)]
    yield from own
    others = {clause.id: clause for clause in book.clauses}
    for other in (others[i] for i in _borne(a, b)):
        yield from ({**probe, **acts} for acts in _probes(book, other, None, moment) for probe in own)
