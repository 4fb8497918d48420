"""The code stays ruff-clean and mypy-strict-clean (both come with the test extra)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "command",
    [["ruff", "check", "src", "tests"], ["mypy", "--strict", "src"]],
    ids=["ruff", "mypy"],
)
def test_static_checks_pass(command: list[str]) -> None:
    assert importlib.util.find_spec(command[0]), f"{command[0]} is missing: install the test extra (pip install '.[test]')"
    run = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
