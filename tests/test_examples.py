"""Every example scenario's verdict matches the expectation stored in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

import truce

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*/*.yaml"))


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_example_matches_expectation(path: Path) -> None:
    scenario = truce.load_scenario(path)
    assert scenario.expect, f"{path} stores no expected verdict"
    for reading, expected in scenario.expect.items():
        verdict = truce.evaluate(scenario, reading=reading)
        assert verdict.status == expected.status, f"{path.name} [{reading}]\n{verdict.explain()}"
        assert verdict.responsible == sorted(expected.responsible), f"{path.name} [{reading}]"
        for clause, status in expected.findings.items():
            assert verdict.finding(clause).status == status, f"{path.name} [{reading}] clause {clause}"
