"""The interactive map page: a Leaflet map of the zones, units and incidents coloured by finding, the clause
table, the timeline, what would make it hold and how sure the verdict is, and a reading switcher, in one HTML file.

``truce map SCENARIO -o map.html`` writes it standalone, with the view under every reading embedded;
``truce serve`` answers it at ``/``, where it asks ``POST /v1/view`` for the view of a scenario dropped on it.
Leaflet is vendored in ``_static/leaflet`` (BSD-2-Clause, its LICENSE beside it) and inlined: the page needs
no network. Data rides in a JSON script element with ``<``, ``>`` and ``&`` escaped, and the page inserts
every text as text (``textContent``), never as HTML.
"""

from __future__ import annotations

import json
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import Any

from ._case import Case, prepare
from ._errors import Problem, TruceError
from ._evaluate import evaluate, verdicts_by_reading
from ._export import feature_collection
from ._map import item_colours, view_bounds
from ._render import FINDING_COLOURS, STATUS_COLOURS
from ._repair import repair
from ._robustness import robustness
from ._scenario import EVIDENCE
from ._timeline import timeline
from ._verdict import Verdict

__all__ = ["PAGE_SUFFIXES", "page_html", "page_view", "write_page"]

PAGE_SUFFIXES = (".html", ".htm")

_STATIC = files("truce") / "_static"
_UNSAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def page_view(case: Case, verdict: Verdict | None = None) -> dict[str, Any]:
    """What the page shows of a case under its reading: the verdict, the map's GeoJSON, the lines zones are
    measured from, the towns, the frame, the readings, the timeline when the state has incidents, what would make it
    hold (``truce.repair``) and whether it survives the zone edges moved (``truce.robustness``)."""
    verdict = verdict or evaluate(case)
    book = case.book
    lines = {line.wkb: line for zone in book.zones for line in book.area(zone).lines}
    return {
        "verdict": json.loads(verdict.model_dump_json()),
        "map": feature_collection(case, verdict),
        "lines": [_coordinates(line) for line in lines.values()],
        "landmarks": [{"name": m.name, "lat": m.lat, "lon": m.lon} for m in book.landmarks.values()],
        "bounds": view_bounds(case),
        "readings": [{"id": r, "name": book.readings[r].name} for r in book.readings],
        "timeline": json.loads(timeline(case).model_dump_json()) if len(case.state.incidents) else None,
        "repair": json.loads(repair(case).model_dump_json()),
        "robustness": {**json.loads((sure := robustness(case)).model_dump_json()), "summary": sure.summary()},
    }


def _coordinates(line: Any) -> list[list[list[float]]]:
    """A (multi)line as lists of [lat, lon] pairs, as Leaflet takes them."""
    return [[[y, x] for x, y, *_ in part.coords] for part in getattr(line, "geoms", [line])]


def page_html(views: dict[str, dict[str, Any]] | None, tiles: str | None = None) -> str:
    """The page: standalone with ``views`` (by reading, the default first), else served (it asks the API)."""
    if tiles is not None and not (tiles.startswith(("https://", "http://")) and all(f"{{{c}}}" in tiles for c in "zxy")):
        raise TruceError.from_problems("unusable tile URL", [Problem(
            "--tiles", "expected an http(s) URL with {z}, {x} and {y}", value=tiles,
            suggestion="e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png")])  # fmt: skip
    first = next(iter(views.values()))["verdict"] if views else None
    data = {
        "mode": "standalone" if views else "served",
        "views": views or {},
        "tiles": tiles,
        "colours": {"finding": FINDING_COLOURS, "status": STATUS_COLOURS, "item": item_colours()},
        "records": EVIDENCE,
    }
    title = f"{first['title']}: truce" if first else "truce: the analyst's desk"
    leaflet = _STATIC / "leaflet"
    return (_STATIC / "page.html").read_text(encoding="utf-8").format(
        title=escape(title),
        leaflet_css=leaflet.joinpath("leaflet.css").read_text(encoding="utf-8"),
        page_css=(_STATIC / "page.css").read_text(encoding="utf-8"),
        leaflet_js=leaflet.joinpath("leaflet.js").read_text(encoding="utf-8"),
        page_js=(_STATIC / "page.js").read_text(encoding="utf-8"),
        data=json.dumps(data).translate(_UNSAFE),
    )


def write_page(
    state: Case | str | Path, output: str | Path, rules: str | Path | None = None, reading: str | None = None,
    tiles: str | None = None,
) -> Verdict:  # fmt: skip
    """Write the standalone page of a scenario to ``output`` (.html), with its view under every reading (the
    chosen one first); ``tiles``, a basemap tile URL (``{z}/{x}/{y}``), is off by default. Return the verdict."""
    out = Path(output)
    if out.suffix.lower() not in PAGE_SUFFIXES:
        raise TruceError.from_problems(f"cannot write a page as {out.name}", [Problem(
            "output", "a page is an .html file", value=str(out), suggestion="name a .html file")])  # fmt: skip
    case = prepare(state, rules, reading)
    verdicts = verdicts_by_reading(case)
    views = {v.reading: page_view(case.read_as(v.reading), v) for v in verdicts}
    out.write_text(page_html(views, tiles), encoding="utf-8")
    return verdicts[0]
