"""Rebuild the bundled zone lines that have a public trace from Natural Earth 10m (public domain).

    python scripts/naturalearth.py [FOLDER]

FOLDER holds the Natural Earth extracts described in the shared data README (by default
``../shared/data/naturalearth``). Writes into ``rules/zones/``:

- ``korea-mdl.geojson``: the Military Demarcation Line 1953, west to east (north on its left);
- ``golan-line-a.geojson``: the 1974 ceasefire line (Line A), north to south (Israel on its right);
- ``golan-separation.geojson``: the UNDOF zone (the area of separation);
- ``golan-line-b.geojson``: the UNDOF zone's eastern edge (Line B), north to south;
- ``turkey-syria-border.geojson``: the Turkey-Syria boundary east of the Euphrates, west to east.

Each file records its source layer, feature, licence and what was done to it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.ops import linemerge

ZONES = Path(__file__).resolve().parents[1] / "rules" / "zones"
LICENCE = "Natural Earth, public domain (naturalearthdata.com); made with Natural Earth."
GENERALISED = "Natural Earth's 10m lines are generalised to a few hundred metres."
EUPHRATES_LON = 38.0  # the border crosses the Euphrates at Jarabulus, 38.01 E


def _features(folder: Path, name: str) -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = json.loads((folder / name).read_text(encoding="utf-8"))["features"]
    return features


def _feature(folder: Path, name: str, key: str, value: str) -> shapely.Geometry:
    found = [f for f in _features(folder, name) if f["properties"].get(key) == value]
    if len(found) != 1:
        raise SystemExit(f"{name}: expected one feature with {key} = {value!r}, found {len(found)}")
    return shape(found[0]["geometry"])


def _line(geometry: shapely.Geometry) -> shapely.LineString:
    merged = linemerge(geometry) if geometry.geom_type == "MultiLineString" else geometry
    if merged.geom_type != "LineString":
        raise SystemExit(f"expected the parts to join into one line, found {merged.geom_type}")
    return merged


def _heading(line: shapely.LineString, towards: str) -> shapely.LineString:
    """The line drawn west to east (``east``) or north to south (``south``)."""
    (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
    backwards = x1 < x0 if towards == "east" else y1 > y0
    return shapely.reverse(line) if backwards else line


def _write(name: str, geometry: shapely.Geometry, title: str, source: str, done: str) -> None:
    geometry = shapely.set_precision(geometry, 1e-6)
    properties = {
        "name": title, "illustrative": False, "source": f"Natural Earth 10m: {source}", "licence": LICENCE,
        "note": f"{done} {GENERALISED}",
    }
    feature = {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}
    (ZONES / name).write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}) + "\n", encoding="utf-8")
    print(f"wrote {ZONES / name}")


def main(folder: Path) -> None:
    """Write every zone file named in the module docstring from ``folder``."""
    lines = "lines-of-control-naturalearth-10m.geojson"
    areas = "ne-disputed-areas-subset.geojson"
    border = "turkey-syria-border-naturalearth-10m.geojson"
    mdl = _heading(_line(_feature(folder, lines, "name", "Military Demarcation Line 1953")), "east")
    _write("korea-mdl.geojson", mdl, "Military demarcation line of 27 July 1953",
           f"{lines}: 'Military Demarcation Line 1953' (ne_10m_admin_0_boundary_lines_disputed_areas)",
           "Parts joined into one line, drawn west to east (north is to its left).")
    line_a = _heading(_line(_feature(folder, lines, "name", "Ceasefire Lines 1974")), "south")
    _write("golan-line-a.geojson", line_a, "Line A (Israeli side of the area of separation)",
           f"{lines}: 'Ceasefire Lines 1974'", "Drawn north to south (west of it, the Israeli side, is to its right).")
    undof = _feature(folder, areas, "BRK_NAME", "UNDOF Zone")
    _write("golan-separation.geojson", undof, "Area of separation between Line A and Line B (the UNDOF zone)",
           f"{areas}: 'UNDOF Zone'", "As published.")
    eastern = shapely.difference(undof.exterior, shapely.buffer(line_a, 0.002))  # about 200 m: the shared western edge
    parts = sorted(shapely.get_parts(shapely.line_merge(eastern)), key=lambda p: -p.length)
    outline = _heading(parts[0], "south")
    top = max(range(len(outline.coords)), key=lambda i: outline.coords[i][1])
    line_b = shapely.LineString(outline.coords[top:])
    _write("golan-line-b.geojson", line_b, "Line B (Syrian side of the area of separation)",
           f"{areas}: 'UNDOF Zone'", "The zone's outline less its western edge (Line A) and the west side of its "
           "northern tip on the Hermon, drawn north to south from that tip (east of it, the Syrian side, is to its left).")
    full = _heading(_line(_feature(folder, border, "adm0_right", "Syria")), "east")
    east = shapely.intersection(full, shapely.box(EUPHRATES_LON, -90, 180, 90))
    _write("turkey-syria-border.geojson", _line(east), "Turkish-Syrian border east of the Euphrates",
           f"{border}: the Turkey-Syria boundary", "Cut at 38.0 E (the Euphrates at Jarabulus), drawn west to east "
           "(Syria is to its right).")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data" / "naturalearth")
