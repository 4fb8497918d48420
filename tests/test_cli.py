"""The ``truce`` command: every subcommand through the real entry point, exit statuses, output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

import truce
from cli_output import problem_lines
from truce._cli import EXIT_BAD_INPUT, EXIT_CODES, main
from truce._render import STATUS_COLOURS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "idlib-2019"
SCENARIOS = sorted(DATA.glob("*.yaml"))
COMMANDS = ["evaluate", "explain", "repair", "robustness", "contrast", "readings", "rulebooks", "schema", "check", "test", "map"]


def truce_cmd(*args: str | Path, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m truce`` as a user would, with the source tree on the path (and ``stdin`` as its input)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "truce", *map(str, args)], input=stdin, capture_output=True, text=True, env=env, cwd=cwd,
        check=False,
    )


def expected_status(path: Path, reading: str = "sochi") -> str:
    return truce.load_scenario(path).expect[reading].status


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_has_help(command: str) -> None:
    result = truce_cmd(command, "--help")
    assert result.returncode == 0, result.stderr
    assert f"truce {command}" in result.stdout
    assert "--help" in result.stdout


def test_top_level_help_lists_every_subcommand() -> None:
    result = truce_cmd("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


def _bad_scenario(tmp_path: Path) -> Path:
    bad = tmp_path / "naive.yaml"
    bad.write_text("agreement: idlib-2019\nas_of: 2019-08-03T12:00:00\n", encoding="utf-8")
    return bad


BAD_INPUTS: dict[str, list[str]] = {
    "evaluate": ["evaluate", "{bad}"],
    "explain": ["explain", str(DATA / "holds.yaml"), "--reading", "lawyers"],
    "readings": ["readings", "{missing}"],
    "rulebooks": ["rulebooks", "--format", "xml"],
    "schema": ["schema", "treaty"],
    "check": ["check", "{missing}"],
    "test": ["test", "{bad}"],
    "map": ["map", str(DATA / "holds.yaml"), "-o", "{tmp}/map.docx"],
    "no-command": [],
    "unknown-option": ["evaluate", "--bogus", str(DATA / "holds.yaml")],
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_every_problem_one_line_each_and_exit_3(case: str, tmp_path: Path) -> None:
    bad = _bad_scenario(tmp_path)
    subs = {"bad": str(bad), "missing": str(tmp_path / "missing.yaml"), "tmp": str(tmp_path)}
    result = truce_cmd(*(arg.format(**subs) for arg in BAD_INPUTS[case]))
    assert result.returncode == EXIT_BAD_INPUT, (result.stdout, result.stderr)
    problem_lines(result.stderr)


def test_bad_scenario_error_names_file_line_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _bad_scenario(tmp_path)
    assert main(["evaluate", str(bad)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert f"{bad}:2: as_of" in err
    assert "time zone" in err


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_evaluate_exit_status_follows_the_verdict(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    verdict = truce.evaluate(path)
    assert main(["evaluate", str(path)]) == EXIT_CODES[expected_status(path)]
    out = capsys.readouterr().out
    assert verdict.status.replace("_", " ").upper() in out
    for finding in verdict.findings:
        assert finding.clause in out
        for evidence in finding.evidence:
            assert evidence in out


def test_exit_codes_are_distinct_per_outcome() -> None:
    assert EXIT_CODES["holds"] == 0
    assert EXIT_CODES["breached"] == EXIT_CODES["conditions_unmet"] == 1
    assert EXIT_CODES["indeterminate"] == EXIT_CODES["not_in_force"] == 2
    assert EXIT_BAD_INPUT == 3


def test_evaluate_many_files_json_one_line_each_and_worst_status(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["evaluate", "--format", "json", *map(str, SCENARIOS)])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(SCENARIOS)
    statuses = [json.loads(line)["status"] for line in lines]
    assert statuses == [expected_status(p) for p in SCENARIOS]
    assert code == max(EXIT_CODES[s] for s in statuses)


def test_evaluate_reading_option_changes_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    path = DATA / "holds.yaml"
    code = main(["evaluate", "--reading", "government", "-f", "json", str(path)])
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["reading"] == "government"
    assert verdict["status"] == expected_status(path, "government")
    assert code == EXIT_CODES[verdict["status"]]


def test_explain_prints_the_plain_account(capsys: pytest.CaptureFixture[str]) -> None:
    path = DATA / "unknown-position.yaml"
    code = main(["explain", str(path)])
    assert capsys.readouterr().out.strip() == truce.evaluate(path).explain()
    assert code == EXIT_CODES[expected_status(path)]


def test_readings_marks_exactly_the_rows_that_differ(capsys: pytest.CaptureFixture[str]) -> None:
    path = DATA / "holds.yaml"
    sochi, government = (truce.evaluate(path, reading=r) for r in ("sochi", "government"))
    differing = [f.clause for f in sochi.findings if government.finding(f.clause).status != f.status]
    assert differing, "the example should make the readings disagree"
    assert main(["readings", str(path)]) == max(EXIT_CODES[v.status] for v in (sochi, government))
    out = capsys.readouterr().out
    for finding in sochi.findings:
        marked = f"≠ {finding.clause}" in out
        assert marked == (finding.clause in differing), finding.clause
    assert ("≠ status" in out) == (sochi.status != government.status)


def test_readings_json_has_every_reading(capsys: pytest.CaptureFixture[str]) -> None:
    path = DATA / "unmet.yaml"
    code = main(["readings", "-f", "json", str(path)])
    data = json.loads(capsys.readouterr().out)
    assert code == max(EXIT_CODES[v["status"]] for v in data.values()) == 1
    assert set(data) == set(truce.load_rulebook("idlib-2019").readings)
    for reading, verdict in data.items():
        assert verdict["status"] == expected_status(path, reading)


def test_rulebooks_lists_bundled_agreements(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rulebooks", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["title"], r["date"]) for r in listed] == [
        (i.id, i.title, i.date) for i in truce.list_rulebooks()
    ]
    assert main(["rulebooks"]) == 0
    out = capsys.readouterr().out
    for info in truce.list_rulebooks():
        assert info.id in out


@pytest.mark.parametrize("path", [DATA / "unmet.yaml", DATA / "unknown-position.yaml"], ids=lambda p: p.stem)
def test_map_writes_a_readable_png(path: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.png"
    result = truce_cmd("map", path, "-o", out)
    assert result.returncode == EXIT_CODES[truce.evaluate(path).status], result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(out) as image:
        image.verify()
    with Image.open(out) as image:
        width, height = image.size
        assert 800 <= width <= 4000 and 600 <= height <= 4000
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 50, "the map looks blank"
        pixels = {rgb for _, rgb in colours}
    status = truce.evaluate(path).status
    expected_colour = tuple(int(STATUS_COLOURS[status][i : i + 2], 16) for i in (1, 3, 5))
    assert expected_colour in pixels, f"the verdict ({status}) is not shown in its colour"


def test_map_svg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "map.svg"
    assert main(["map", str(DATA / "breached.yaml"), "-o", str(out)]) == EXIT_CODES["breached"]
    text = out.read_text(encoding="utf-8")
    assert "<svg" in text
    assert "BREACHED" in text
    assert "illustrative" in text
