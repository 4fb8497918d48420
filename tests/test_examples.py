"""Every example scenario's verdict matches the expectation stored in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

import truce
from truce._scenario_tests import expectation_diff

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*/*.yaml"))


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_example_matches_expectation(path: Path) -> None:
    scenario = truce.load_scenario(path)
    assert scenario.expect, f"{path} stores no expected verdict"
    for reading in scenario.expect:
        verdict, diff = expectation_diff(path, reading)
        assert diff == [], f"{path.name} [{reading}]\n{verdict.explain()}"
