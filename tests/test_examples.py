"""Every example scenario's verdict matches the expectation stored in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from truce._scenario_tests import expectation_diff, expected_cases

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*/*.yaml"))


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_example_matches_expectation(path: Path) -> None:
    cases = expected_cases(path)
    assert cases, f"{path} stores no expected verdict"
    for case in cases:
        verdict, diff = expectation_diff(case)
        assert diff == [], f"{path.name} [{case.reading}]\n{verdict.explain()}"
