"""Scenario files as tests: each carries the verdict it expects (``expect:``), per reading.

Used by ``truce test`` and by the pytest plugin, so both find, run and report
these files the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ._case import Case, prepare
from ._errors import Problem, ScenarioError
from ._evaluate import evaluate
from ._load import load_scenario
from ._repair import Repair, repair
from ._robustness import robustness
from ._scenario import RepairExpectation
from ._verdict import Verdict

__all__ = ["carries_expectation", "expectation_diff", "expected_cases", "expected_readings", "find_scenario_tests"]

SUFFIXES = (".yaml", ".yml")
_EXPECT = re.compile(r"^expect\s*:", re.MULTILINE)


def carries_expectation(path: Path) -> bool:
    """Whether a file looks like a scenario test: YAML with a top-level ``expect:`` (not parsed here)."""
    if path.suffix not in SUFFIXES:
        return False
    try:
        return _EXPECT.search(path.read_text(encoding="utf-8", errors="replace")) is not None
    except OSError:
        return False


def find_scenario_tests(paths: Iterable[Path]) -> list[Path]:
    """Scenario test files under ``paths``: files named explicitly, and matching files in folders."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and carries_expectation(p))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def expected_readings(path: Path) -> list[str]:
    """The readings a scenario file states an expected verdict for; an error if it states none."""
    scenario = load_scenario(path)
    if not scenario.expect:
        raise ScenarioError.from_problems(
            f"{path} carries no expected verdict",
            [
                Problem(
                    "expect",
                    "no expected verdict to test against",
                    file=str(path),
                    suggestion="add 'expect: {<reading>: {status: holds}}'",
                )
            ],
        )
    return list(scenario.expect)


def expected_cases(path: Path, rules: str | None = None) -> list[Case]:
    """The scenario file prepared once (against ``rules``, default its agreement), read under each reading
    it states an expected verdict for."""
    readings = expected_readings(path)
    case = prepare(path, rules)
    return [case.read_as(reading) for reading in readings]


def expectation_diff(case: Case) -> tuple[Verdict, list[str]]:
    """The verdict of a case under its reading, and how it differs from the one its scenario expects under
    that reading, as ``-expected`` / ``+actual`` lines (empty when they agree)."""
    expected = case.scenario.expect[case.reading]
    verdict = evaluate(case)
    pairs: list[tuple[str, object, object]] = [
        ("status", expected.status, verdict.status),
        ("responsible", sorted(expected.responsible), verdict.responsible),
        ("responsible_one_of", sorted(sorted(group) for group in expected.responsible_one_of), verdict.responsible_one_of),
    ]
    actual: dict[str, str] = {f.clause: f.status for f in verdict.findings}
    pairs += [(f"findings.{c}", s, actual.get(c, "(no such clause)")) for c, s in expected.findings.items()]
    if expected.repair is not None:
        pairs += _repair_pairs(expected.repair, repair(case))
    if expected.robustness is not None:
        found = robustness(case, margin_km=expected.robustness.margin_km)
        pairs += [("robustness.stable", expected.robustness.stable, found.stable),
                  ("robustness.deciding", sorted(expected.robustness.deciding), found.deciding)]
    diff: list[str] = []
    for field, want, got in pairs:
        if want != got:
            diff += [f"- {field}: {want}", f"+ {field}: {got}"]
    return verdict, diff


def _repair_pairs(expected: RepairExpectation, found: Repair) -> list[tuple[str, object, object]]:
    """The expected and actual parts of a repair, field by field (lists sorted: their order is not meant)."""
    changes: dict[str, list[str]] = {}
    for change in found.changes:
        changes.setdefault(change.party, []).append(change.item)
    return [
        ("repair.yields", expected.yields, found.yields),
        ("repair.changes", {p: sorted(items) for p, items in sorted(expected.changes.items())},
         {p: sorted(items) for p, items in sorted(changes.items())}),
        ("repair.not_repairable", sorted(expected.not_repairable), sorted(b.clause.clause for b in found.not_repairable)),
        ("repair.learn", sorted(expected.learn), sorted(f.item for f in found.learn)),
    ]
