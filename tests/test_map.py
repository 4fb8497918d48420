"""Static maps people can read, on every bundled example: the legend's colours are the colours drawn, no two
texts overlap (measured on the rendered figure), every broken clause is in the headline; a scale bar, a north
arrow, the lines zones are measured from, singular kinds, and "+N" markers where a label has no room."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.text import Text
from PIL import Image

import truce
from truce._labels import text_box
from truce._map import item_colours, map_figure, singular, zone_status
from truce._render import FINDING_COLOURS, STATUS_COLOURS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = [p for p in sorted((ROOT / "examples").glob("*/*.yaml")) if "as_of" in (yaml.safe_load(p.read_text(encoding="utf-8")) or {})]
NO_CLAUSE = "#9e9e9e"


def _drawn(path: Path | dict[str, Any]) -> tuple[truce.Case, truce.Verdict, Figure]:
    case = truce.prepare(path)
    verdict = truce.evaluate(case)
    return case, verdict, map_figure(case, verdict)


def _texts(figure: Figure) -> list[Text]:
    """Every visible, non-empty text of the figure but the legend's (whose rows matplotlib stacks)."""
    ax = figure.axes[0]
    found = [*ax.texts, ax.title, ax._left_title, ax._right_title, *figure.texts]
    return [t for t in found if t.get_visible() and t.get_text().strip()]


def _overlaps(figure: Figure) -> list[tuple[str, str]]:
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    texts = _texts(figure)
    boxes = [text_box(t, renderer) for t in texts]
    legend = figure.axes[0].get_legend()
    assert legend is not None
    boxes.append(legend.get_window_extent(renderer))
    names = [t.get_text() for t in texts] + ["<legend>"]
    return [(names[i], names[j]) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_example_map_is_legible(path: Path, tmp_path: Path) -> None:
    case, verdict, figure = _drawn(path)
    figure.draw_without_rendering()
    assert _overlaps(figure) == []
    ax = figure.axes[0]
    legend = ax.get_legend()
    assert legend is not None
    entries = {text.get_text().replace("\n  ", " "): handle for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True)}
    found = zone_status(case, verdict)
    patches = {p.get_gid()[5:]: p for p in ax.patches if isinstance(p, PathPatch) and (p.get_gid() or "").startswith("zone:")}
    hatches = {p.get_gid()[6:]: p for p in ax.patches if isinstance(p, PathPatch) and (p.get_gid() or "").startswith("hatch:")}
    assert set(patches) == set(case.book.zones)
    for zone_id, patch in patches.items():
        colour = FINDING_COLOURS.get(found.get(zone_id, ""), NO_CLAUSE)
        assert to_hex(patch.get_edgecolor()) == colour, zone_id
        name = case.book.zones[zone_id].name
        mine = [h for label, h in entries.items() if label.split(" ", 1)[-1].startswith(name) or label.startswith(name)]
        assert mine, (zone_id, list(entries))
        hatch = hatches[zone_id].get_hatch() if zone_id in hatches else None
        assert hatch == {"violated": "///", "unknown": ".."}.get(found.get(zone_id, "")), zone_id
        assert any(to_hex(h.get_edgecolor()) == colour and h.get_hatch() == hatch for h in mine), zone_id  # type: ignore[attr-defined]
    legend_colours = {to_hex(h.get_color()) for h in legend.legend_handles if hasattr(h, "get_marker") and h.get_marker() == "o"}  # type: ignore[attr-defined]
    for markers in (c for c in ax.collections if isinstance(c, PathCollection) and (c.get_gid() or "").startswith("items:")):
        state = markers.get_gid()[6:]  # type: ignore[index]
        assert {to_hex(c) for c in markers.get_facecolor()} == {item_colours()[state]}
        assert item_colours()[state] in legend_colours, state
    headline = ax._left_title.get_text()
    for finding in verdict.findings:
        assert (finding.clause in headline) == (finding.status == "violated"), finding.clause
    labels = {t.get_text() for t in ax.texts}
    assert "N" in labels and any(t.endswith(" km") for t in labels)
    out = tmp_path / "map.png"
    figure.savefig(out, dpi=150, bbox_inches="tight")  # as draw_map saves it
    with Image.open(out) as image:
        pixels = {rgb for _, rgb in image.convert("RGB").getcolors(maxcolors=1 << 22) or []}
    wanted = {STATUS_COLOURS[verdict.status], *(to_hex(p.get_edgecolor()) for p in patches.values())}
    assert {tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in wanted} <= pixels


def test_the_lines_zones_are_measured_from_are_drawn() -> None:
    _, _, figure = _drawn(ROOT / "examples" / "korea-1953" / "03-still-in-zone-after-72-hours.yaml")
    lines = [line for line in figure.axes[0].lines if line.get_gid() == "line"]
    assert lines and all(len(line.get_xdata()) > 2 for line in lines)  # type: ignore[arg-type]
    legend = figure.axes[0].get_legend()
    assert legend is not None and "line the zones are measured from" in [t.get_text() for t in legend.get_texts()]


@pytest.mark.parametrize(("plural", "one"), [
    ("mortars", "mortar"), ("artillery pieces (guns and howitzers)", "artillery piece (guns and howitzers)"), ("batteries", "battery"),
    ("artillery", "artillery"), ("press", "press")])  # fmt: skip
def test_singular(plural: str, one: str) -> None:
    assert singular(plural) == one


def test_one_mortar_is_one_mortar(state: Any) -> None:
    units = [{"id": "m1", "party": "hts", "kind": "mortar", "count": 1, "position": {"lat": 35.4389, "lon": 36.6511}},
             {"id": "m2", "party": "hts", "kind": "mortar", "count": 2, "position": {"lat": 35.9, "lon": 36.3}}]  # fmt: skip
    _, _, figure = _drawn(state(units=units))
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert any("1 mortar (hts)" in t for t in texts) and any("2 mortars (hts)" in t for t in texts), texts


def test_labels_without_room_become_a_marker_listing_their_ids(state: Any) -> None:
    units = [{"id": f"hts-{n}", "party": "hts", "kind": "fighters", "count": 10 + n, "position": {"lat": 35.4389, "lon": 36.6511}}
             for n in range(30)]  # fmt: skip
    _, _, figure = _drawn(state(units=units))
    figure.draw_without_rendering()
    assert _overlaps(figure) == []
    ax = figure.axes[0]
    legend = ax.get_legend()
    assert legend is not None
    marks = [t.get_text() for t in legend.get_texts() if t.get_text().startswith("+")]
    assert marks, [t.get_text() for t in legend.get_texts()]
    listed = " ".join(marks).replace("\n", " ")
    labelled = " ".join(t.get_text() for t in ax.texts)
    for unit in units:
        assert unit["id"] in labelled.split() + listed.replace(",", " ").split(), unit["id"]
    assert any(t.get_text().startswith("+") for t in ax.texts)


def test_the_same_state_gives_the_same_map() -> None:
    """Labels are placed in a fixed number of steps, not for a time, so a busy machine draws the same map."""
    path = ROOT / "examples" / "idlib-2019" / "04-government-shelling-in-first-hour.yaml"
    placed = [[(t.get_text(), t.get_position()) for t in _drawn(path)[2].axes[0].texts] for _ in range(2)]
    assert placed[0] == placed[1] and len(placed[0]) > 10
