"""The map page's HTML (without a browser): the views it embeds, escaping, the vendored Leaflet, bad options."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

import truce
from truce._cli import main
from truce._page import page_html, page_view, write_page

ROOT = Path(__file__).resolve().parents[1]
READINGS = ROOT / "examples" / "idlib-2019" / "03-nfl-keeps-medium-weapons.yaml"
HOSTILE = '</script><img src=x onerror="alert(1)"><script>alert(2)</script>&amp;'


def embedded(html: str) -> dict[str, Any]:
    """The data a page carries, read back as its script does."""
    found = re.search(r'<script type="application/json" id="truce-data">(.*?)</script>', html, re.S)
    assert found, "no data element"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def hostile_scenario(folder: Path) -> Path:
    """A scenario whose ids and note try to break out of the page."""
    path = folder / "hostile.json"
    path.write_text(json.dumps({
        "agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00",
        "units": [{"id": HOSTILE, "party": "hts", "kind": "fighters", "count": 3, "position": {"lat": 35.4389, "lon": 36.6511}}],
        "incidents": [{"id": HOSTILE + "-i", "time": "2019-08-02T00:40:00+03:00", "kind": "shelling", "by": "sy-gov",
                       "position": {"lat": 35.6139, "lon": 36.5611}, "note": HOSTILE}],
    }), encoding="utf-8")  # fmt: skip
    return path


def test_the_standalone_page_embeds_the_view_under_every_reading(tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    verdict = write_page(READINGS, out, reading="government")
    data = embedded(out.read_text(encoding="utf-8"))
    case = truce.prepare(READINGS)
    assert data["mode"] == "standalone" and list(data["views"]) == ["government", "sochi"]
    assert verdict.reading == "government" and verdict.status == "conditions_unmet"
    for reading, view in data["views"].items():
        assert view == json.loads(json.dumps(page_view(case.read_as(reading))))
        assert view["verdict"]["status"] == truce.evaluate(READINGS, reading=reading).status
        assert view["repair"] == json.loads(truce.repair(READINGS, reading=reading).model_dump_json())
        sure = truce.robustness(READINGS, reading=reading)
        assert view["robustness"] == {**json.loads(sure.model_dump_json()), "summary": sure.summary()}
    zones = {f["properties"]["id"]: f["properties"]["finding"] for f in data["views"]["government"]["map"]["features"]
             if f["properties"]["layer"] == "zone"}  # fmt: skip
    assert zones["buffer"] == "violated"
    assert data["tiles"] is None


def test_a_log_brings_its_timeline_and_a_snapshot_without_incidents_none(tmp_path: Path) -> None:
    with_log = embedded(page_html({"r": page_view(truce.prepare(ROOT / "examples" / "idlib-2019" / "02-jihadists-stay-in-buffer.yaml"))}))
    line = with_log["views"]["r"]["timeline"]
    assert line is None or line["intervals"]
    without = page_view(truce.prepare(READINGS))
    assert without["timeline"] is None
    log = truce.io.read_events(truce.io.acled.SAMPLE_CSV, truce.io.acled.SAMPLE_MAPPING).scenario()
    view = page_view(truce.prepare(log))
    assert view["timeline"] == json.loads(truce.timeline(log).model_dump_json())


def test_hostile_ids_and_notes_stay_text(tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    write_page(hostile_scenario(tmp_path), out)
    html = out.read_text(encoding="utf-8")
    assert "<img" not in html and "alert(1)" in html  # it is there, escaped
    assert html.count("</script>") == 3, "only the page's own three script elements close"
    units = [f for f in embedded(html)["views"]["sochi"]["map"]["features"] if f["properties"]["layer"] == "unit"]
    assert units[0]["properties"]["id"] == HOSTILE
    script = (files("truce") / "_static" / "page.js").read_text(encoding="utf-8")
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", script)


def test_the_page_needs_no_network(tmp_path: Path) -> None:
    html = page_html(None)
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', html)
    assert embedded(html)["mode"] == "served"
    tiles = "https://tiles.example.org/{z}/{x}/{y}.png"
    assert embedded(page_html(None, tiles))["tiles"] == tiles
    licence = files("truce") / "_static" / "leaflet" / "LICENSE"
    assert "BSD 2-Clause License" in licence.read_text(encoding="utf-8")
    assert "Leaflet 1.9.4" in html


@pytest.mark.parametrize(("args", "path"), [
    (["-o", "{tmp}/map.htmx"], "--output"),
    (["-o", "{tmp}/map.html", "--tiles", "ftp://tiles.example.org/{z}/{x}/{y}.png"], "--tiles"),
    (["-o", "{tmp}/map.html", "--tiles", "https://tiles.example.org/tile.png"], "--tiles"),
])  # fmt: skip
def test_bad_page_options_exit_3(args: list[str], path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["map", str(READINGS), *(a.replace("{tmp}", str(tmp_path)) for a in args)]) == 3
    err = capsys.readouterr().err
    assert f": {path}: " in err and "Traceback" not in err
    assert not (tmp_path / "map.html").exists()


def test_truce_map_writes_the_page_and_exits_with_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "page.html"
    assert main(["map", str(READINGS), "-o", str(out), "--reading", "government"]) == 1
    assert "CONDITIONS UNMET" in capsys.readouterr().err
    assert list(embedded(out.read_text(encoding="utf-8"))["views"]) == ["government", "sochi"]
