"""The prepared case: a scenario state and its rulebook, resolved and checked once, for every consumer."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._errors import Problem, ScenarioError, TruceError, did_you_mean
from ._load import check_scenario, id_problems, load_rulebook, scenario_document
from ._rulebook import Rulebook
from ._scenario import Scenario
from ._source import Document, validate

__all__ = ["choose_reading", "prepare", "rulebook_for"]


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
