"""The durable_rules engine and the plain-Python engine give the same verdicts.

Hypothesis generates scenario states for every bundled rulebook and reading
(``truce.list_rulebooks()``, so rulebooks added later are covered); both
engines must produce byte-identical verdict JSON: status, holds, responsible,
every finding with its parties, evidence and message. The decision tables are
also checked exhaustively on synthetic measures.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import truce
from truce import _logic
from truce._clauses.obligation import Obligation
from truce._engines import available_engines, decider
from truce._observe import Measure, Observation, Phase, Window
from truce.strategies import scenarios

pytestmark = pytest.mark.skipif("durable" not in available_engines(), reason="durable_rules does not import here")

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*/*.yaml"))
CASES = [(info.id, reading) for info in truce.list_rulebooks() for reading in truce.load_rulebook(info.id).readings]


def test_every_bundled_rulebook_is_covered() -> None:
    assert {book for book, _ in CASES} == {info.path.stem for info in truce.list_rulebooks()}
    assert len(CASES) >= 3


@pytest.mark.parametrize(("book_id", "reading"), CASES)
def test_engines_agree_on_generated_scenarios(book_id: str, reading: str) -> None:
    book = truce.load_rulebook(book_id)
    statuses: set[str] = set()

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(scenarios(book))
    def check(state: dict[str, object]) -> None:
        durable = truce.evaluate(state, rules=book, reading=reading, engine="durable")
        python = truce.evaluate(state, rules=book, reading=reading, engine="python")
        assert python.model_dump_json(exclude={"provenance": {"engine"}}) == durable.model_dump_json(exclude={"provenance": {"engine"}})
        _names_only_who_surely_acted(state, durable, book.read_as(reading))
        statuses.add(durable.status)

    check()
    assert len(statuses) >= 3, f"the generated scenarios reached only {statuses}"


def _names_only_who_surely_acted(state: dict[str, Any], verdict: truce.Verdict, read: tuple[tuple[Any, Any], ...]) -> None:
    """Certain responsibility never names a party that only might have acted: a violated finding's parties are
    the sole actors of items in its evidence, its candidate groups the candidates of one; the verdict's come from
    its findings (a handover's evidence is its area, whose holder is not an item's actor). An obligation broken
    is an omission: its parties are exactly those it binds (under the reading), whatever its evidence."""
    actors = {item["id"]: item.get("party", item.get("by")) for part in ("units", "incidents") for item in state[part]}
    bound = {clause.id: sorted(read_as.parties) for clause, read_as in read if isinstance(read_as, Obligation)}
    for finding in verdict.findings:
        if finding.clause in bound:
            assert finding.parties == (bound[finding.clause] if finding.status == "violated" else []), finding
            continue
        if not set(finding.evidence) <= actors.keys():
            continue
        named = [actors[i] for i in finding.evidence]
        assert set(finding.parties) <= {a for a in named if isinstance(a, str)}, finding
        assert all(group in [sorted(a) for a in named if isinstance(a, list)] for group in finding.parties_one_of), finding
    assert set(verdict.responsible) <= {p for f in verdict.findings if f.status == "violated" for p in f.parties}
    assert {tuple(g) for g in verdict.responsible_one_of} <= {
        tuple(g) for f in verdict.findings if f.status == "violated" for g in f.parties_one_of}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_engines_agree_on_examples(path: Path) -> None:
    scenario = truce.load_scenario(path)
    book = truce.load_rulebook(scenario.agreement or path.parent.name)
    for reading in book.readings:
        durable = truce.evaluate(scenario, reading=reading, engine="durable")
        python = truce.evaluate(scenario, reading=reading, engine="python")
        assert python.model_dump_json(exclude={"provenance": {"engine"}}) == durable.model_dump_json(exclude={"provenance": {"engine"}})


def _observations(book: truce.Rulebook, reading: str) -> list[Observation]:
    """Every window with measure shapes around each clause's limit: every combination for up to
    four clauses; beyond that every pair of clauses in every pair of shapes, the rest held met or
    not due (the verdict turns on which (role, status) findings exist, so pairs cover its rules)."""
    options: list[list[Measure]] = []
    for original in book.clauses:
        clause = original.under(reading) or original
        n = clause.limit
        shapes: list[tuple[Phase, int, int]] = [("not_applicable", 0, 0), ("not_due", 0, 0)]
        shapes += [("due", a, p) for a, p in ((n, n), (n, n + 1), (n + 1, n + 1), (0, 0))]
        options.append([Measure(clause, phase, amount, possible) for phase, amount, possible in shapes])
    if len(options) <= 4:
        combos = list(itertools.product(*options))
    else:
        combos = []
        for base in (2, 1):  # every other clause met at its limit, or not yet due
            for i, j in itertools.combinations(range(len(options)), 2):
                for a, b in itertools.product(options[i], options[j]):
                    combo = [shapes_[base] for shapes_ in options]
                    combo[i], combo[j] = a, b
                    combos.append(tuple(combo))
    windows: list[Window] = ["before", "in_force", "after"]
    return [Observation(w, tuple(combo)) for w in windows for combo in combos]


@pytest.mark.parametrize(("book_id", "reading"), CASES)
def test_decision_tables_agree_exhaustively(book_id: str, reading: str) -> None:
    book = truce.load_rulebook(book_id)
    observations = _observations(book, reading)
    clauses = len(book.clauses)
    assert len(observations) == 3 * (6**clauses if clauses <= 4 else 2 * 36 * clauses * (clauses - 1) // 2)
    durable, python = decider("durable"), decider("python")
    for observation in observations:
        assert durable(book, reading, observation) == python(book, reading, observation), observation


def test_a_drifting_engine_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """If the Python path's precedence drifted from what durable compiled, the comparison fails."""
    book = truce.load_rulebook("idlib-2019")
    reading = book.default_reading
    decider("durable")(book, reading, _observations(book, reading)[0])  # compile from the true tables
    swapped = list(_logic.VERDICT_PRECEDENCE)
    swapped[1], swapped[2] = swapped[2], swapped[1]
    monkeypatch.setattr(_logic, "VERDICT_PRECEDENCE", tuple(swapped))
    disagreements = [
        o for o in _observations(book, reading)
        if decider("durable")(book, reading, o) != decider("python")(book, reading, o)
    ]
    assert disagreements
