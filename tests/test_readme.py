"""Every code block in README.md and docs/*.md runs, and the README's two commands are the ones CI and users run.

Each page's blocks run in order in one temporary folder holding copies of ``examples/`` and ``rules/``:

- ``python``: run as a script (``__name__ == "__main__"``), offline; it must exit 0;
- ``sh``/``console``: each command (after ``$`` in a console block) must be a ``truce`` command and exit
  with the status its comment states (``# exit 1``), else 0;
- ``yaml``: a rulebook (it has ``clauses``) loads, a scenario (``as_of``) validates (and fits its bundled
  rulebook, if it names one), a UCDP mapping (``violence``) loads; ``json`` parses;
- ``text``: a diagram or a synopsis, not code.

An HTML comment on the line before a block steers it: ``<!-- file: PATH -->`` also writes the block to PATH
in the folder, for later blocks to use; ``<!-- not run: REASON -->`` skips a block that cannot run offline or
never ends, and shows the reader why.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import truce
from truce.io.ucdp import load_mapping

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S)
_MARKER = re.compile(r"^\s*<!-- (?P<key>not run|file): (?P<value>.+?) -->\s*$")
_SHELLS = {"sh", "console", "bash", "shell"}
_EXIT = re.compile(r"#.*\bexit (?P<code>\d+)\b")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page, with the marker on the line before it."""

    page: Path
    line: int
    lang: str
    body: str
    marker: tuple[str, str] | None

    def __str__(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line} ({self.lang or 'no language'})"


def blocks(page: Path) -> list[Block]:
    """The page's fenced blocks in order, dedented to their fence."""
    text = page.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = _MARKER.match(before)
        indent = len(match["indent"])
        body = "\n".join(line[indent:] for line in match["body"].splitlines()) + "\n"
        found.append(Block(page, text.count("\n", 0, match.start()) + 1, match["lang"].strip(), body,
                           (marker["key"], marker["value"]) if marker else None))
    return found


def commands(block: Block) -> list[str]:
    """The commands of a shell block: lines after ``$`` in a console block, every line in a script, with
    continuation lines joined; comments and output dropped."""
    found: list[str] = []
    continued = False
    for line in block.body.splitlines():
        if continued:
            found[-1] += "\n" + line
        elif block.lang == "console" and line.startswith("$ "):
            found.append(line[2:])
        elif block.lang != "console" and line.strip() and not line.lstrip().startswith("#"):
            found.append(line)
        else:
            continue
        continued = line.rstrip().endswith("\\")
    return found


def _workspace(tmp: Path) -> tuple[Path, dict[str, str]]:
    """A folder with copies of the examples and rules, and an environment whose ``truce`` is this checkout's."""
    for name in ("examples", "rules"):
        shutil.copytree(ROOT / name, tmp / name)
    bin_dir = tmp / ".bin"
    bin_dir.mkdir()
    shim = bin_dir / "truce"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m truce "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    source = str(Path(truce.__file__).resolve().parents[1])
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))}
    env.pop("COLUMNS", None)
    return tmp, env


def _run_python(block: Block, folder: Path, env: dict[str, str]) -> None:
    script = folder / "_block.py"
    script.write_text(block.body, encoding="utf-8")
    run = subprocess.run([sys.executable, script.name], cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, f"{block} failed:\n{run.stdout[-2000:]}\n{run.stderr[-4000:]}"


def _run_shell(block: Block, folder: Path, env: dict[str, str]) -> None:
    found = commands(block)
    assert found, f"{block}: no command found"
    for command in found:
        assert command.startswith("truce "), f"{block}: {command.splitlines()[0]!r} is not a truce command; mark the block not run"
        expected = _EXIT.search(command)
        run = subprocess.run(["bash", "-c", command], cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False)
        want = int(expected["code"]) if expected else 0
        assert run.returncode == want, f"{block}: {command!r} exited {run.returncode}, not {want}:\n{run.stderr[-2000:]}"


def _check_yaml(block: Block, folder: Path, written: Path | None) -> None:
    data = yaml.safe_load(block.body)
    assert isinstance(data, dict), f"{block}: not a mapping"
    if "clauses" in data:
        path = written or folder / "rules" / f"_block-{block.line}.yaml"  # beside the bundled zone files
        path.write_text(block.body, encoding="utf-8")
        truce.load_rulebook(path)
    elif "as_of" in data:
        path = written or folder / f"_block-{block.line}.yaml"
        path.write_text(block.body, encoding="utf-8")
        if data.get("agreement"):
            truce.prepare(path)
        else:
            truce.load_scenario(path)
    elif "violence" in data:
        path = written or folder / f"_block-{block.line}.yaml"
        path.write_text(block.body, encoding="utf-8")
        load_mapping(path)
    else:
        pytest.fail(f"{block}: neither a rulebook, a scenario nor a mapping; mark it not run, saying what it is")


def run_block(block: Block, folder: Path, env: dict[str, str]) -> None:
    """Run or check one block in ``folder`` as its language says."""
    written = None
    if block.marker and block.marker[0] == "file":
        written = folder / block.marker[1]
        written.parent.mkdir(parents=True, exist_ok=True)
        written.write_text(block.body, encoding="utf-8")
    if block.lang == "python":
        _run_python(block, folder, env)
    elif block.lang in _SHELLS:
        _run_shell(block, folder, env)
    elif block.lang == "yaml":
        _check_yaml(block, folder, written)
    elif block.lang == "json":
        json.loads(block.body)
    else:
        assert block.lang == "text", f"{block}: give the block a language (python, sh, console, yaml, json, or text)"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_code_block_runs(page: Path, tmp_path: Path) -> None:
    folder, env = _workspace(tmp_path)
    found = blocks(page)
    for block in found:
        if block.marker and block.marker[0] == "not run":
            continue
        run_block(block, folder, env)


def test_every_page_has_blocks_that_run() -> None:
    runnable = [b for page in PAGES for b in blocks(page) if not (b.marker and b.marker[0] == "not run") and b.lang != "text"]
    assert {b.lang for b in runnable} >= {"python", "sh", "console", "yaml", "json"}
    skipped = [b for page in PAGES for b in blocks(page) if b.marker and b.marker[0] == "not run"]
    assert all(len(b.marker[1]) > 5 for b in skipped if b.marker), "say why a block is not run"


def test_a_failing_block_fails(tmp_path: Path) -> None:
    folder, env = _workspace(tmp_path)
    page = tmp_path / "page.md"
    cases = {
        "python": "import truce\ntruce.evaluate(states)\n",
        "sh": "truce evaluate examples/idlib-2019/02-jihadists-stay-in-buffer.yaml\n",  # exits 1, stated as 0
        "console": "$ pip install truce\n",
        "yaml": "id: x\ntitle: t\nclauses: []\n",
        "json": '"report": {}\n',
        "": "print(1)\n",
    }
    for lang, body in cases.items():
        with pytest.raises((AssertionError, truce.TruceError, ValueError, pytest.fail.Exception)):
            run_block(Block(page, 1, lang, body, None), folder, env)
    run_block(Block(page, 1, "sh", "truce evaluate examples/idlib-2019/02-jihadists-stay-in-buffer.yaml  # exit 1\n", None), folder, env)


def test_blocks_and_markers_are_read(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "1. step\n\n   <!-- not run: needs network -->\n   ```sh\n   pip install .\n   ```\n\n"
        "<!-- file: a/b.yaml -->\n```yaml\nx: 1\n```\n\n```console\n$ truce a \\\n    --b   # exit 2\noutput\n```\n",
        encoding="utf-8",
    )
    found = blocks(page)
    assert [(b.line, b.lang, b.marker) for b in found] == [
        (4, "sh", ("not run", "needs network")), (9, "yaml", ("file", "a/b.yaml")), (13, "console", None),
    ]
    assert found[0].body == "pip install .\n"
    assert commands(found[2]) == ["truce a \\\n    --b   # exit 2"]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [c.strip() for c in re.findall(r"```sh\n(.*?)```", quick, flags=re.S)]


def test_readme_gives_exactly_two_commands() -> None:
    commands = _readme_commands()
    assert len(commands) == 2
    assert "truce test examples --verdicts" in commands[0]
    assert commands[1].endswith(".venv/bin/pytest -n 2")  # the suite on both cores (pytest-xdist)


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _readme_commands()[1] in ci.splitlines()
