"""A pytest plugin that collects scenario files carrying an expected verdict as tests.

Opt in with ``pytest --truce-scenarios`` or ``truce_scenarios = true`` in the
pytest ini options; each reading a file expects is one test item. YAML files
without a top-level ``expect:`` (rulebooks, other data) are left alone.
``--truce-rules`` evaluates every file against one rulebook,
a bundled id or a file, instead of each file's ``agreement``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ._case import prepare
from ._errors import TruceError
from ._scenario_tests import carries_expectation, expectation_diff, expected_readings

__all__ = ["ScenarioFile", "ScenarioItem", "pytest_addoption", "pytest_collect_file"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--truce-scenarios`` (or the ``truce_scenarios`` ini option) and ``--truce-rules``."""
    group = parser.getgroup("truce")
    help_text = "collect truce scenario YAML files that carry an expected verdict (expect:) as tests"
    group.addoption("--truce-scenarios", action="store_true", default=None, help=help_text)
    parser.addini("truce_scenarios", help_text, type="bool", default=False)
    rules_help = "evaluate scenario files against this rulebook (a bundled id or a file) instead of their agreement"
    group.addoption("--truce-rules", default=None, metavar="RULEBOOK", help=rules_help)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> ScenarioFile | None:
    """A scenario file, when the option is on and the file expects a verdict."""
    config = parent.config
    enabled = config.getoption("truce_scenarios")
    if enabled is None:
        enabled = config.getini("truce_scenarios")
    if enabled and carries_expectation(file_path):
        file: ScenarioFile = ScenarioFile.from_parent(parent, path=file_path)
        return file
    return None


class ScenarioMismatch(AssertionError):
    """The verdict differs from what the scenario file expects."""


class ScenarioFile(pytest.File):
    """One scenario file: an item per reading it expects a verdict under."""

    def collect(self) -> Iterator[ScenarioItem]:
        try:
            readings: list[str | None] = list(expected_readings(self.path))
        except TruceError:
            readings = [None]
        for reading in readings:
            yield ScenarioItem.from_parent(self, name=reading or "load", reading=reading)


class ScenarioItem(pytest.Item):
    """The verdict under one reading must match the expectation."""

    def __init__(self, *, reading: str | None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.reading = reading

    def runtest(self) -> None:
        if self.reading is None:
            expected_readings(self.path)
            return
        _, diff = expectation_diff(prepare(self.path, self.config.getoption("truce_rules"), self.reading))
        if diff:
            raise ScenarioMismatch("\n".join(diff))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: object = None) -> str:
        if isinstance(excinfo.value, ScenarioMismatch):
            return f"verdict under reading {self.reading!r} differs (- expected, + actual):\n{excinfo.value}"
        if isinstance(excinfo.value, TruceError):
            return str(excinfo.value)
        return str(excinfo.getrepr(style="short"))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.path.name}[{self.name}]"
