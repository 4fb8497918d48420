"""``truce.evaluate``: load, observe, decide, and assemble the verdict."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._assemble import findings, missing, not_assessed, notes, responsible, responsible_one_of
from ._case import Case, collection_paused, prepare
from ._columns import Columns
from ._engines import decider, default_engine
from ._observe import observe
from ._provenance import Provenance
from ._rulebook import Rulebook
from ._scenario import Scenario
from ._verdict import Verdict

__all__ = ["evaluate", "verdicts_by_reading"]


@collection_paused()
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
    observation = observe(case)
    decision = decide(book, chosen, observation)
    measures = observation.measures
    return Verdict(
        agreement=book.id,
        title=book.title,
        reading=chosen,
        reading_name=book.readings[chosen].name,
        as_of=scenario.as_of.isoformat(),
        status=decision.status,
        responsible=responsible(measures, decision),
        responsible_one_of=responsible_one_of(measures, decision),
        findings=findings(book, measures, decision),
        not_assessed=not_assessed(measures, decision),
        missing=missing(measures, decision),
        notes=notes(measures, decision, observation.ignored, observation.later_units),
        provenance=Provenance.of(book, chosen, engine or default_engine(), case.input_sha256),
    )


def verdicts_by_reading(
    state: Mapping[str, Any] | Scenario | Columns | Case | str | Path, rules: Rulebook | str | Path | None = None, engine: str | None = None
) -> list[Verdict]:
    """The state's verdict under every reading its rulebook declares, its own reading first."""
    case = prepare(state, rules)
    others = [r for r in case.book.readings if r != case.reading]
    return [evaluate(case, engine=engine), *(evaluate(case.read_as(r), engine=engine) for r in others)]
