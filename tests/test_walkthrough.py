"""The mediator's walkthrough (docs/mediator-walkthrough.md) shows what its commands print: each is run and its
output compared with the lines shown after it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_readme import blocks

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "mediator-walkthrough.md"


def _shown() -> list[tuple[str, str]]:
    """Each console command of the page with the output shown under it."""
    found: list[tuple[str, list[str]]] = []
    for block in blocks(PAGE):
        if block.lang != "console":
            continue
        for line in block.body.splitlines():
            if line.startswith("$ "):
                found.append((line[2:].split("  #")[0], []))
            else:
                found[-1][1].append(line)
    return [(command, "\n".join(lines)) for command, lines in found]


SHOWN = _shown()


def test_the_page_shows_every_step() -> None:
    verbs = {command.split()[1] for command, _ in SHOWN}
    assert verbs >= {"explain", "repair", "robustness", "contrast", "test"}


@pytest.mark.parametrize(("command", "output"), SHOWN, ids=[c for c, _ in SHOWN])
def test_each_command_prints_what_the_page_shows(command: str, output: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200"}
    run = subprocess.run([sys.executable, "-m", "truce", *command.split()[1:]], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=False)
    assert run.stdout.rstrip("\n") == output, run.stderr
