"""The prepared case: a scenario state and its rulebook, resolved and checked once, for every consumer."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ._clauses import Clause
from ._columns import Columns, fit_problems, header_problems, raw_problems
from ._errors import Problem, RulebookError, ScenarioError, TruceError, UnknownRulebookError, by_place, did_you_mean
from ._items import Items, State
from ._load import SUFFIXES, bundled_ids, load_rulebook, scenario_document, unknown_bundled, unknown_rulebook
from ._provenance import input_sha256
from ._rulebook import Rulebook
from ._scenario import Scenario
from ._source import Document, validate

__all__ = ["Case", "choose_reading", "collection_paused", "prepare", "rulebook_for"]

State_ = Mapping[str, Any] | Scenario | Columns | Document | str | Path


@dataclass(frozen=True)
class Case:
    """A scenario state and its rulebook, resolved and checked once: what every consumer takes.

    ``clauses`` pairs each clause of the rulebook with the clause as ``reading`` has it
    (None where it does not apply under that reading); ``document`` is the parsed source,
    kept for the line of any later problem; ``input_sha256`` identifies the state (see ``Provenance``).
    """

    book: Rulebook
    reading: str
    scenario: Scenario
    document: Document
    state: State
    clauses: tuple[tuple[Clause, Clause | None], ...]
    input_sha256: str

    @property
    def as_of(self) -> datetime:
        """The instant the state describes."""
        return self.scenario.as_of

    def read_as(self, reading: str | None) -> Case:
        """The same case under another reading (None: the scenario's, else the rulebook's); nothing is reloaded."""
        chosen = choose_reading(self.book, reading or self.scenario.reading, self.document.file)
        if chosen == self.reading:
            return self
        clauses = self.book.read_as(chosen)
        return replace(self, reading=chosen, clauses=clauses, state=replace(self.state, clauses=_applying(clauses)))


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused (then restored as it was) while many acyclic objects are made:
    rows validated, their columns and digest; each collection would walk them all again (a third of the time
    at 100,000 rows)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@collection_paused()
def prepare(
    state: State_ | Case, rules: Rulebook | str | Path | None = None, reading: str | None = None, *, files: bool = True
) -> Case:
    """Load, validate and check a scenario state against its rulebook, once, under a reading.

    ``state`` is a dict, a ``Scenario``, ``Columns``, a .yaml/.json path, a parsed document, or a
    prepared ``Case`` (then only ``reading`` may change). A scenario that fails validation is
    also checked for unknown ids where its rulebook can be found, so one error reports
    every problem instead of one round at a time. With ``files=False`` rulebooks are named by bundled
    id only (``rules`` and ``agreement`` alike): nothing the state says makes truce read a file.
    """
    if isinstance(state, Case):
        if rules is not None and rulebook_for(None, rules, state.document, files=files) is not state.book:
            raise ScenarioError.from_problems(
                "a prepared case keeps its rulebook",
                [Problem("rules", "cannot change the rulebook of a prepared case", suggestion="prepare the state again with rules=")],
            )
        return state.read_as(reading) if reading is not None else state
    if isinstance(state, Columns):
        scenario, doc = state.scenario, Document(None, None)
        book = rulebook_for(scenario.agreement, rules, doc, files=files)
        units, incidents = state.items(book)
        digest = input_sha256(scenario, (units, incidents))
    else:
        scenario, doc = _validated(state, rules, files)
        book = rulebook_for(scenario.agreement, rules, doc, files=files)
        units, incidents = Items(scenario.units, book), Items(scenario.incidents, book)
        problems = header_problems(scenario, book, doc) + fit_problems(units, incidents, book, doc)
        if problems:
            raise ScenarioError.from_problems(f"scenario {doc.file or ''} does not fit rulebook {book.id}".replace("  ", " "), problems)
        digest = input_sha256(scenario)
    chosen = choose_reading(book, reading or scenario.reading, doc.file)
    areas = {a.id: a.controlled_by for a in scenario.areas}
    clauses = book.read_as(chosen)
    read = State(book, units, incidents, areas, scenario.records, _applying(clauses))
    return Case(book, chosen, scenario, doc, read, clauses, digest)


def _applying(clauses: tuple[tuple[Clause, Clause | None], ...]) -> tuple[Clause, ...]:
    """The clauses as a reading has them, those that apply: what the state holds for the clause units to consult."""
    return tuple(clause for _, clause in clauses if clause is not None)


def _validated(
    state: Mapping[str, Any] | Scenario | Document | str | Path, rules: Rulebook | str | Path | None, files: bool
) -> tuple[Scenario, Document]:
    """The validated scenario and its document; on failure, an error with the raw rows' unknown ids added."""
    if isinstance(state, Scenario):
        return state, Document(None, None)
    doc = scenario_document(state)
    try:
        return validate(Scenario, doc, ScenarioError, f"invalid scenario {doc.file or ''}".strip()), doc
    except ScenarioError as exc:
        raise _with_unknown_ids(exc, doc, rules, files) from None


def _with_unknown_ids(error: ScenarioError, doc: Document, rules: Rulebook | str | Path | None, files: bool) -> ScenarioError:
    """``error`` with the raw scenario's unknown and repeated ids added, where its rulebook loads
    (or with the agreement's problem, where no rulebook has that name)."""
    data = doc.data if isinstance(doc.data, Mapping) else {}
    agreement = data.get("agreement")
    reported = {p.path for p in error.problems}
    try:
        book = rulebook_for(agreement if isinstance(agreement, str) else None, rules, doc, files=files)
    except UnknownRulebookError as unknown:
        extra = [p for p in unknown.problems if p.path not in reported]
    except TruceError:
        return error
    else:
        extra = [p for p in raw_problems(data, book, doc) if p.path not in reported]
    if not extra:
        return error
    return ScenarioError.from_problems(f"invalid scenario {doc.file or ''}".strip(), by_place([*error.problems, *extra]))


def choose_reading(book: Rulebook, reading: str | None, file: str | None) -> str:
    """The reading asked for, else the rulebook's default; an unknown one is an error."""
    chosen = reading or book.default_reading
    if chosen not in book.readings:
        raise ScenarioError.from_problems(
            f"unknown reading {chosen!r} for rulebook {book.id}",
            [Problem("reading", "unknown reading", value=chosen, suggestion=did_you_mean(chosen, book.readings), file=file)],
        )
    return chosen


def rulebook_for(agreement: str | None, rules: Rulebook | str | Path | None, doc: Document, *, files: bool = True) -> Rulebook:
    """The rulebook given, else the one the scenario's ``agreement`` names (a bundled id, or a rulebook file
    relative to the scenario file's folder, or to the current folder for a state held in memory; with
    ``files=False``, a bundled id only); a rulebook without its geometry is an error."""
    if isinstance(rules, Rulebook):
        lacking = rules.zones_without_geometry()
        if lacking:
            raise RulebookError.from_problems(
                f"rulebook {rules.id} has no geometry for its zones",
                [Problem(f"zones.{zone}", "no geometry: a rulebook built in memory has not read its zone files", value=zone,
                         suggestion="load it with truce.load_rulebook(path), or pass rules= the rulebook's path") for zone in lacking],
            )
        return rules
    if rules is not None:
        if not files and str(rules) not in bundled_ids():
            raise unknown_bundled(str(rules), Document(None, None), ("rules",))
        return load_rulebook(rules)
    if agreement is None:
        raise ScenarioError.from_problems(
            "no rulebook to evaluate against",
            [doc.problem(("agreement",), "missing", suggestion="add 'agreement: <bundled id or rulebook file>' or pass --rules")],
        )
    if agreement in bundled_ids():
        return load_rulebook(agreement)
    if not files:
        raise unknown_bundled(agreement, doc, ("agreement",))
    path = (Path(doc.file).parent if doc.file else Path()) / agreement
    if path.suffix in SUFFIXES and path.is_file():
        return load_rulebook(path)
    where = "next to this scenario" if doc.file else "in the current folder"
    raise unknown_rulebook(agreement, doc, ("agreement",), where, "give a path relative to the scenario file, or pass --rules")
