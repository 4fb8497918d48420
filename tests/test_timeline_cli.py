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
    assert "First breach: 03 August 2019 00:00 (+03:00) by sy-gov" in out
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_a_bad_mapping_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("agreement: idlib-2019\nevents: {Battles: clash}\n")
    assert main(["timeline", str(SAMPLE_CSV), "--mapping", str(mapping)]) == 3
    assert "unknown incident kind 'clash'" in capsys.readouterr().err


REAL = Path(__file__).resolve().parents[1] / "examples" / "real" / "idlib-2019-ucdp"
REAL_CSV = REAL / "ucdp-ged-syria-nw-2019-07-25-to-08-15.csv"


@pytest.mark.parametrize("events", [[], ["--events", "ucdp"]])
def test_ucdp_json_carries_the_report(events: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["timeline", str(REAL_CSV), "--mapping", str(REAL / "ucdp-mapping.yaml"), "--format", "json", *events])
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["report"]["rows_read"] == 103 and data["report"]["accepted"] == 101 and data["report"]["rejected"] == 2
    assert [(r["line"], r["id"]) for r in data["report"]["rejected_rows"]] == [(37, "304112"), (38, "304114")]
    assert data["first_breach"] is None and data["intervals"][-1]["status"] == "indeterminate"
    assert code == 0 and "103 rows read, 101 accepted, 2 not accepted" in err


def test_rejected_rows_do_not_change_the_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "events.csv"
    broken.write_text(SAMPLE_CSV.read_text(encoding="utf-8") + 'SYR9999,2019-08-04,"never closed\n', encoding="utf-8")
    code = main(["timeline", str(broken), "--mapping", str(SAMPLE_MAPPING), "--format", "json"])
    report = json.loads(capsys.readouterr().out)["report"]
    assert code == 1 and report["format"] == "ACLED"
    assert (report["rows_read"], report["accepted"], report["rejected"]) == (24, 19, 5)
    assert report["rejected_rows"][-1]["reason"].startswith("has 3 fields")


def test_the_wrong_or_an_unknown_format_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["timeline", str(REAL_CSV), "--mapping", str(SAMPLE_MAPPING), "--events", "acled"]) == 3
    assert "missing column 'event_id_cnty' (export every ACLED column)" in capsys.readouterr().err
    assert main(["timeline", str(REAL_CSV), "--mapping", str(SAMPLE_MAPPING), "--events", "gdelt"]) == 3
    assert "unknown format 'gdelt' (one of: acled, ucdp)" in capsys.readouterr().err
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["timeline", str(other), "--mapping", str(SAMPLE_MAPPING)]) == 3
    assert "the header has no known format's columns" in capsys.readouterr().err
