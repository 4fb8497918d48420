"""``truce repair`` and ``truce robustness``, and scenario files that state the repair they expect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from truce._cli import EXIT_BAD_INPUT, EXIT_CODES, main

ROOT = Path(__file__).resolve().parents[1]
FOUNDING = ROOT / "examples" / "idlib-2019" / "12-what-it-would-take.yaml"


def test_repair_prints_each_partys_changes_and_exits_with_what_they_yield(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["repair", str(FOUNDING)]) == EXIT_CODES["holds"]
    out = capsys.readouterr().out
    assert out.index("hts:") < out.index("Unit hts-bn-1 (300 fighters of hts) must leave") < out.index("nfl:")
    assert "jihadists-leave-buffer, SANA statement of 1 August 2019" in out


def test_repair_speaks_json_with_its_file(capsys: pytest.CaptureFixture[str]) -> None:
    broken = ROOT / "examples" / "idlib-2019" / "04-government-shelling-in-first-hour.yaml"
    assert main(["repair", str(broken), "--format", "json"]) == EXIT_CODES["breached"]
    line = json.loads(capsys.readouterr().out)
    assert (line["file"], line["yields"], line["changes"]) == (str(broken), "breached", [])
    assert [b["clause"]["clause"] for b in line["not_repairable"]] == ["no-attacks"]


def test_repair_of_bad_input_reports_problems_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("agreement: idlib-2019\nas_of: 2019-08-03T12:00:00+03:00\nunits: [{id: u, party: htss, kind: fighters}]\n")
    assert main(["repair", str(bad)]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "units[0].party" in captured.err and "hts" in captured.err


def test_a_wrong_expected_repair_fails_with_a_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wrong = tmp_path / "wrong.yaml"
    text = FOUNDING.read_text(encoding="utf-8").replace("nfl: [nfl-art-1]}", "nfl: []}", 1)
    wrong.write_text(text, encoding="utf-8")
    assert main(["test", str(wrong)]) == 1
    out = capsys.readouterr().out
    assert "- repair.changes: {'hts': ['hts-bn-1', 'hts-bn-2'], 'nfl': []}" in out
    assert "+ repair.changes: {'hts': ['hts-bn-1', 'hts-bn-2'], 'nfl': ['nfl-art-1']}" in out


def test_robustness_names_what_decides_it_and_speaks_json(capsys: pytest.CaptureFixture[str]) -> None:
    guns = ROOT / "examples" / "minsk-2015" / "03-government-guns-inside.yaml"
    assert main(["robustness", str(guns)]) == EXIT_CODES["breached"]
    out = capsys.readouterr().out
    assert "Not stable" in out and "ua-msta-1 (position): 0.10 km inside - near" in out
    assert main(["robustness", str(guns), "--margin-km", "0.05", "--format", "json"]) == EXIT_CODES["breached"]
    line = json.loads(capsys.readouterr().out)
    assert (line["file"], line["stable"], line["deciding"]) == (str(guns), True, [])
    assert {f["margin_km"] for f in line["findings"]} == {0.05}


def test_robustness_refuses_a_negative_margin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["robustness", str(FOUNDING), "--margin-km", "-1"]) == EXIT_BAD_INPUT
    assert "--margin-km" in capsys.readouterr().err
