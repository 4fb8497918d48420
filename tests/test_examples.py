"""Every example scenario's verdict matches the expectation stored in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

import truce
from truce.evaluate import mismatches

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*/*.yaml"))


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_example_matches_expectation(path: Path) -> None:
    scenario = truce.load_scenario(path)
    assert scenario.expect, f"{path} stores no expected verdict"
    for reading, expected in scenario.expect.items():
        verdict = truce.evaluate(scenario, reading=reading)
        assert mismatches(verdict, expected) == [], f"{path.name} [{reading}]\n{verdict.explain()}"


def test_mismatches_name_every_difference() -> None:
    verdict = truce.evaluate(EXAMPLES[0])
    wrong = truce.Scenario.model_validate(
        {"as_of": "2019-08-03T12:00:00+03:00", "expect": {"x": {"status": "breached", "responsible": ["hts"],
                                                               "findings": {"in-force": "not_due", "nope": "met"}}}}
    ).expect["x"]
    assert mismatches(verdict, wrong) == [
        f"status {verdict.status}, expected breached",
        f"responsible {verdict.responsible}, expected ['hts']",
        f"clause in-force {verdict.finding('in-force').status}, expected not_due",
        "clause nope absent, expected met",
    ]
