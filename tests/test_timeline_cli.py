"""The timeline command: text, JSON and a chart from the bundled sample; bad input exits 3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from truce._cli import main
from truce.io.acled import SAMPLE_CSV, SAMPLE_MAPPING


def test_json_names_the_first_breach(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["timeline", str(SAMPLE_CSV), "--mapping", str(SAMPLE_MAPPING), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 1
    data = json.loads(out)
    assert data["first_breach"]["parties"] == ["sy-gov"] and data["first_breach"]["evidence"] == ["SYR1008"]
    assert "23 rows read, 19 accepted, 4 not accepted" in err


def test_text_and_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chart = tmp_path / "timeline.png"
    code = main(["timeline", str(SAMPLE_CSV), "--mapping", str(SAMPLE_MAPPING), "--agreement", "idlib-2019", "--plot", str(chart)])
    out = capsys.readouterr().out
    assert code == 1
    assert "First breach: 2019-08-03T00:00+03:00 by sy-gov" in out
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_a_bad_mapping_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("agreement: idlib-2019\nevents: {Battles: clash}\n")
    assert main(["timeline", str(SAMPLE_CSV), "--mapping", str(mapping)]) == 3
    assert "unknown incident kind 'clash'" in capsys.readouterr().err
