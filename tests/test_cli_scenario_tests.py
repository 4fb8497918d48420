"""``truce test`` and the pytest plugin: scenario files that carry their expected verdict."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from truce._cli import EXIT_BAD_INPUT, main

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "idlib-2019"


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """A folder with one passing file (two readings), one failing reading, and YAML that is no scenario."""
    (tmp_path / "pass.yaml").write_text((DATA / "holds.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    wrong = (DATA / "unmet.yaml").read_text(encoding="utf-8").replace("no-attacks: violated", "no-attacks: met")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "fail.yaml").write_text(wrong, encoding="utf-8")
    (tmp_path / "rulebook.yaml").write_text((ROOT / "rules" / "sochi-2018.yaml").read_text(encoding="utf-8"))
    (tmp_path / "broken.yml").write_text("this: [is not: valid yaml\n", encoding="utf-8")
    return tmp_path


def test_reports_pass_and_fail_with_a_diff(suite: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(suite)]) == 1
    out = capsys.readouterr().out
    assert f"PASS {suite / 'pass.yaml'} [sochi]" in out
    assert f"PASS {suite / 'pass.yaml'} [government]" in out
    assert f"FAIL {suite / 'nested' / 'fail.yaml'} [sochi]" in out
    assert "- findings.no-attacks: met\n" in out
    assert "+ findings.no-attacks: violated\n" in out
    assert "3 passed, 1 failed, 0 could not run" in out
    assert "rulebook" not in out and "broken" not in out


def test_all_passing_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(DATA)]) == 0
    assert "0 failed" in capsys.readouterr().out


def test_file_without_expectation_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "plain.yaml"
    plain.write_text("agreement: idlib-2019\nas_of: 2019-08-03T12:00:00+03:00\n", encoding="utf-8")
    assert main(["test", str(plain)]) == EXIT_BAD_INPUT
    assert "no expected verdict" in capsys.readouterr().err


def test_folder_without_scenario_tests_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(tmp_path)]) == EXIT_BAD_INPUT
    assert "no scenario tests found" in capsys.readouterr().err


# Installed, the plugin loads through its pytest11 entry point; from a source tree, it is named with -p.
_PLUGIN = [] if any(ep.name == "truce" for ep in entry_points(group="pytest11")) else ["-p", "truce.pytest_plugin"]


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "pytest", *_PLUGIN, "-p", "no:cacheprovider", "-q", *args]
    return subprocess.run([*command, str(folder)], capture_output=True, text=True, env=env, cwd=folder, check=False)


def test_pytest_plugin_collects_only_when_asked(suite: Path) -> None:
    (suite / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    off = _pytest(suite)
    assert off.returncode == 5, off.stdout  # no tests collected
    on = _pytest(suite, "--truce-scenarios")
    assert on.returncode == 1, on.stdout
    assert "1 failed, 3 passed" in on.stdout
    assert "fail.yaml::sochi" in on.stdout
    assert "+ findings.no-attacks: violated" in on.stdout


def test_pytest_plugin_ini_option(suite: Path) -> None:
    (suite / "nested" / "fail.yaml").unlink()
    (suite / "pytest.ini").write_text("[pytest]\ntruce_scenarios = true\n", encoding="utf-8")
    result = _pytest(suite)
    assert result.returncode == 0, result.stdout
    assert "2 passed" in result.stdout
