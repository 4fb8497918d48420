"""A static map of a scenario: the zones and the lines they are measured from, towns, units and incidents, by finding.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display),
so it runs headless and in threads. Works for any rulebook: zones, clauses
and kinds come from the rulebook, not from code.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.text import Text

from ._case import Case, prepare
from ._errors import Problem, TruceError
from ._evaluate import evaluate
from ._labels import Label, place_labels
from ._render import FINDING_COLOURS, STATUS_COLOURS, status_label
from ._rulebook import Rulebook
from ._scenario import Incident, Unit
from ._verdict import Verdict, responsibility

__all__ = ["FORMATS", "draw_map", "image_path", "item_colours", "item_status", "map_figure", "singular", "view_bounds", "zone_status"]

FORMATS = (".png", ".svg", ".pdf")
_WORST_FIRST = ("violated", "unknown", "met", "not_due", "not_assessed", "not_applicable")
_CLEAR = "#1f77b4"
_NO_CLAUSE = "#9e9e9e"
_LINE = "#111111"
_HATCHES = {"violated": "///", "unknown": ".."}
_STATE_ORDER = ("ignored", "clear", "unknown", "violated")  # drawn in this order, the worst on top
_LABEL_LIMIT = 30
_NAMED_ZONES = 4  # more zones than this are labelled Z1, Z2, ... on the map, named in the legend
_LEGEND: dict[str, Any] = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "fontsize": 7.5, "frameon": False}


def draw_map(
    state: Case | str | Path, output: str | Path, rules: str | Path | None = None, reading: str | None = None
) -> Verdict:
    """Evaluate a scenario file (or a prepared case) and draw it to ``output`` (.png, .svg or .pdf); return the verdict."""
    out = image_path(output, "output")
    case = prepare(state, rules, reading)
    verdict = evaluate(case)
    figure = map_figure(case, verdict)
    figure.savefig(out, dpi=150, bbox_inches="tight")
    return verdict


def image_path(output: str | Path, field: str, alternative: str = "") -> Path:
    """``output`` as a path, if it names an image format matplotlib writes here (``FORMATS``); else a TruceError at
    ``field`` whose suggestion names the ``alternative`` too (another kind of file the option takes)."""
    out = Path(output)
    if out.suffix.lower() not in FORMATS:
        raise TruceError.from_problems(f"cannot draw {out.name}", [Problem(
            field, "unsupported image format", value=str(out),
            suggestion="name a .png, .svg or .pdf file" + (f", or {alternative}" if alternative else ""))])  # fmt: skip
    return out


def item_status(verdict: Verdict) -> dict[str, str]:
    """The worst finding each unit or incident is evidence of."""
    status: dict[str, str] = {}
    for finding in verdict.findings:
        if finding.status == "violated":
            for item in finding.evidence:
                status[item] = "violated"
        for item in finding.unknown:
            status.setdefault(item, "unknown")
    return status


def item_colours() -> dict[str, str]:
    """The colour of a unit or incident by its state: a finding, ``clear`` or ``ignored`` (after the instant)."""
    return {**FINDING_COLOURS, "clear": _CLEAR, "ignored": "#9e9e9e"}


def zone_status(case: Case, verdict: Verdict) -> dict[str, str]:
    """The worst finding among the clauses set on each zone, under the case's reading."""
    found = {f.clause: f.status for f in verdict.findings}
    status: dict[str, str] = {}
    for _, clause in case.clauses:
        if clause is not None and clause.zone_id is not None and clause.id in found:
            current = status.get(clause.zone_id, "not_applicable")
            status[clause.zone_id] = min(current, found[clause.id], key=_WORST_FIRST.index)
    return status


def _patch(geometry: Any, **style: Any) -> PathPatch:
    """A matplotlib patch for a (multi)polygon, holes included."""
    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        for ring in (polygon.exterior, *polygon.interiors):
            coords = list(ring.coords)
            vertices += coords
            codes += [int(MplPath.MOVETO)] + [int(MplPath.LINETO)] * (len(coords) - 2) + [int(MplPath.CLOSEPOLY)]
    return PathPatch(MplPath(vertices, codes), **style)


def map_figure(case: Case, verdict: Verdict) -> Figure:
    """The map as a figure on the Agg canvas: zones outlined (hatched where a clause on them is violated or
    unknown), the lines they are measured from, towns, units and incidents, labels that never overlap, a scale
    bar and a north arrow; the verdict and every broken clause on top, the legend beside."""
    (south, west), (north, east) = view_bounds(case)
    tall = (north - south) / ((east - west) * math.cos(math.radians((south + north) / 2)))
    figure = Figure(figsize=(12, min(max(7 * tall, 3.5), 9) + 2.2), dpi=150, layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    _frame(ax, case)
    handles, labels, illustrative = _zones(ax, case, verdict)
    placed, unplaced = _items(ax, case, verdict, labels)
    fixed = [*_scale_bar(ax), _north_arrow(ax)]
    handles += _marker_legend({state for _, state in placed}, item_colours())
    ax.legend(handles=handles, **_LEGEND)
    ax.set_title(_headline(case.book, verdict), fontsize=9, loc="left")
    verdict_text = status_label(verdict.status)
    if verdict.responsible or verdict.responsible_one_of:
        verdict_text += " (responsible: " + responsibility(verdict.responsible, verdict.responsible_one_of) + ")"
    figure.suptitle(verdict_text, color=STATUS_COLOURS[verdict.status], fontsize=15, fontweight="bold", x=0.02, ha="left")
    notes = []
    if illustrative:
        notes.append("Dashed zone lines are illustrative: the agreement never published exact lines.")
    if unplaced:
        notes.append("Not on the map: " + ", ".join(unplaced[:8]) + (", ..." if len(unplaced) > 8 else ""))
    if notes:
        figure.supxlabel("\n".join(notes), fontsize=8, color="#404040", x=0.02, ha="left")
    figure.draw_without_rendering()
    figure.set_layout_engine("none")  # labels are placed in the laid-out axes, which must stay put
    points = [(p.lon, p.lat) for item, _ in placed if (p := item.position)]
    points += [(m.lon, m.lat) for m in case.book.landmarks.values()]
    marks = [Line2D([], [], ls="", label=f"{mark}: " + _wrapped(", ".join(ids), 48))
             for mark, ids in place_labels(ax, labels, fixed, points)]  # fmt: skip
    if marks:
        ax.legend(handles=[*handles, *marks], **_LEGEND)
    return figure


def _zones(ax: Axes, case: Case, verdict: Verdict) -> tuple[list[Any], list[Label], bool]:
    """Draw the zones (largest first), the lines they are measured from and the towns; their legend entries,
    their labels (more than ``_NAMED_ZONES`` zones go by code), and whether any zone is illustrative."""
    book = case.book
    zones_found = zone_status(case, verdict)
    illustrative = False
    handles: list[Any] = []
    labels: list[Label] = []
    coded = len(book.zones) > _NAMED_ZONES
    for number, zone_id in enumerate(sorted(book.zones, key=lambda z: -float(book.geometry(z).area)), start=1):
        zone, geometry = book.zones[zone_id], book.geometry(zone_id)
        code = f"Z{number}" if coded else ""
        found = zones_found.get(zone_id)
        style = _zone_style(found, zone.illustrative)
        illustrative |= zone.illustrative
        if style["hatch"]:  # its own patch, in a light tint of the colour, so the outline stays strong
            tint = (*to_rgb(style["edgecolor"]), 0.45)
            ax.add_patch(_patch(geometry, facecolor="none", lw=0, hatch=style["hatch"], edgecolor=tint, gid=f"hatch:{zone_id}"))
        ax.add_patch(_patch(geometry, facecolor="none", lw=1.6, gid=f"zone:{zone_id}", edgecolor=style["edgecolor"], ls=style["ls"]))
        name = zone.name + (" (illustrative)" if zone.illustrative else "")
        legend = _wrapped(f"{code + ' ' if code else ''}{name}: {(found or 'no clause').replace('_', ' ')}", 52, "  ")
        handles.append(Patch(facecolor="none", lw=1.6, label=legend, **style))
        point = geometry.representative_point()
        labels.append(Label(code or zone.name, point.x, point.y, rank=3,
                            style={"fontsize": 7, "style": "italic", "color": style["edgecolor"], "ha": "center"}))  # fmt: skip
    lines = {line.wkb: line for zone in book.zones for line in book.area(zone).lines}
    for line in lines.values():
        for part in getattr(line, "geoms", [line]):
            xs, ys = part.xy
            ax.plot(xs, ys, color=_LINE, lw=2.2, zorder=3, gid="line")
    if lines:
        handles.append(Line2D([], [], color=_LINE, lw=2.2, label="line the zones are measured from"))
    towns = list(book.landmarks.values())
    if towns:
        ax.scatter([t.lon for t in towns], [t.lat for t in towns], s=9, color="#303030", zorder=4, gid="towns")
    labels += [Label(t.name, t.lon, t.lat, rank=1, ids=[t.name], style={"fontsize": 7, "color": "#303030", "style": "italic"})
               for t in towns]  # fmt: skip
    return handles, labels, illustrative


def _items(ax: Axes, case: Case, verdict: Verdict, labels: list[Label]) -> tuple[list[tuple[Unit | Incident, str]], list[str]]:
    """Draw the located units and incidents by state, the worst on top, and add their labels (those in breach
    or unknown first; only those where there are many); return them with their state, and the unlocated."""
    scenario, book = case.scenario, case.book
    status = item_status(verdict)
    ignored = {i.id for i in scenario.incidents if i.time > scenario.as_of}
    colours = item_colours()
    placed: list[tuple[Unit | Incident, str]] = []
    unplaced: list[str] = []
    items: list[Unit | Incident] = [*scenario.units, *scenario.incidents]
    for item in items:
        if item.position is None:
            unplaced.append(item.id + (f" (in {item.zone})" if item.zone else " (position unknown)"))
        else:
            placed.append((item, "ignored" if item.id in ignored else status.get(item.id, "clear")))
    for state in _STATE_ORDER:
        for shape, kind in (("s", Unit), ("*", Incident)):
            mine = [(item, item.position) for item, s in placed if s == state and isinstance(item, kind) and item.position]
            if mine:
                sizes = [40 + 25 * math.log10(1 + i.count) if isinstance(i, Unit) else 110 for i, _ in mine]
                ax.scatter([p.lon for _, p in mine], [p.lat for _, p in mine], s=sizes, marker=shape, color=colours[state],
                           edgecolor="black", linewidth=0.6, zorder=7, gid=f"items:{state}")  # fmt: skip
    flagged = [p for p in placed if p[1] in _WORST_FIRST[:2]]
    for item, state in placed if len(placed) <= _LABEL_LIMIT else flagged[:_LABEL_LIMIT]:
        assert item.position is not None
        box = {"boxstyle": "round,pad=0.2", "fc": "white", "ec": colours[state], "alpha": 0.9, "lw": 0.8}
        style = {"fontsize": 7, "color": "#202020", "fontweight": "bold" if state == "violated" else "normal", "bbox": box}
        rank = 0 if state in _WORST_FIRST[:2] else 2
        labels.append(Label(_label(item, book), item.position.lon, item.position.lat, rank, [item.id], style))
    return placed, unplaced


def _zone_style(found: str | None, illustrative: bool) -> dict[str, Any]:
    """A zone's outline: its finding's colour, hatched where violated (///) or unknown (..), dashed if illustrative."""
    return {"edgecolor": FINDING_COLOURS.get(found or "", _NO_CLAUSE), "hatch": _HATCHES.get(found or ""),
            "ls": "--" if illustrative else "-"}  # fmt: skip


def _headline(book: Rulebook, verdict: Verdict) -> str:
    """The rulebook, instant and reading, then every broken clause with who broke it and its article."""
    lines = [book.title, f"as of {verdict.as_of}, reading {verdict.reading_name} ({verdict.reading})"]
    broken = [f for f in verdict.findings if f.status == "violated"]
    if broken:
        lines.append(f"Clauses broken ({len(broken)}):")
    for f in broken:
        who = responsibility(f.parties, f.parties_one_of)
        lines.append(_wrapped(f"• {f.clause}: {f.title}" + (f", by {who}" if who else "") + f" [{f.reference}]", 120, "    "))
    return "\n".join(lines)


def _wrapped(text: str, width: int, indent: str = "") -> str:
    return "\n".join(textwrap.wrap(text, width, subsequent_indent=indent))


def _scale_bar(ax: Axes) -> list[Text]:
    """A bar of a round number of kilometres in the lower left, about a fifth of the map's width; its label."""
    (west, east), (south, north) = ax.get_xlim(), ax.get_ylim()
    km_per_degree = 111.32 * math.cos(math.radians((south + north) / 2))
    target = (east - west) * km_per_degree / 5
    km = max((n * 10**e for e in range(-1, 5) for n in (1, 2, 5) if n * 10**e <= target), default=0.1)
    x0, y0 = west + (east - west) * 0.04, south + (north - south) * 0.04
    length = km / km_per_degree
    for n in range(2):
        ax.plot([x0 + n * length / 2, x0 + (n + 1) * length / 2], [y0, y0], color="black" if n == 0 else "white", lw=4,
                solid_capstyle="butt", zorder=9, gid="scale-bar", path_effects=[])  # fmt: skip
    ax.plot([x0, x0 + length], [y0, y0], color="black", lw=5.4, zorder=8.9, solid_capstyle="butt")
    return [ax.text(x0 + length / 2, y0 + (north - south) * 0.012, f"{km:g} km", ha="center", va="bottom", fontsize=7.5, zorder=9)]


def _north_arrow(ax: Axes) -> Text:
    """An arrow pointing north (the map is in longitude and latitude, north up), top right."""
    return ax.annotate("N", xy=(0.965, 0.975), xytext=(0.965, 0.895), xycoords="axes fraction", ha="center", va="center",
                       fontsize=9, fontweight="bold", zorder=9, arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.4})  # fmt: skip


def _label(item: Unit | Incident, book: Rulebook) -> str:
    if isinstance(item, Unit):
        kind = book.kinds[item.kind].name if item.kind in book.kinds else item.kind
        return f"{item.id}\n{item.count:,} {singular(kind) if item.count == 1 else kind} ({item.party})"
    return f"{item.id}\n{item.kind.replace('_', ' ')}, {item.time:%d %b %Y %H:%M} (by {item.perpetrator or 'unknown'})"


def singular(name: str) -> str:
    """A kind's plural name made singular at its head word: "artillery pieces (guns)" -> "artillery piece (guns)"."""
    head, paren, rest = name.partition(" (")
    words = head.split(" ")
    last = words[-1]
    if last.endswith("ies"):
        words[-1] = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith("ss"):
        words[-1] = last[:-1]
    return " ".join(words) + paren + rest


def _marker_legend(states: set[str], colours: Mapping[str, str]) -> list[Line2D]:
    names = {
        "violated": "in breach of a clause",
        "unknown": "may breach a clause (unknown)",
        "clear": "no clause breached",
        "ignored": "after the instant evaluated",
    }
    handles = [
        Line2D([], [], marker="s", ls="", color="#606060", label="unit (size: count)"),
        Line2D([], [], marker="*", ls="", markersize=11, color="#606060", label="incident"),
    ]
    for state, name in names.items():
        if state in states:
            handles.append(Line2D([], [], marker="o", ls="", color=colours[state], markeredgecolor="black", label=name))
    return handles


def _open(book: Rulebook, zone_id: str) -> bool:
    """Whether a zone reaches as far as its region from a line (``beyond``), alone or in a union."""
    zone = book.zones[zone_id]
    return zone.beyond is not None or any(_open(book, part) for part in zone.union or [])


def view_bounds(case: Case) -> tuple[tuple[float, float], tuple[float, float]]:
    """The ((south, west), (north, east)) that frames the zones (but not the whole side of a line), the located
    items and the landmarks, padded a little."""
    book, scenario = case.book, case.scenario
    bounded = [z for z in book.zones if not _open(book, z)]
    geoms = [book.geometry(z) for z in bounded or book.zones]
    items: list[Unit | Incident] = [*scenario.units, *scenario.incidents]
    geoms += [shapely.Point(i.position.lon, i.position.lat) for i in items if i.position is not None]
    geoms += [shapely.Point(landmark.lon, landmark.lat) for landmark in book.landmarks.values()]
    minx, miny, maxx, maxy = shapely.union_all(geoms).bounds if geoms else (-180.0, -80.0, 180.0, 80.0)
    pad = max(maxx - minx, maxy - miny, 0.05) * 0.06
    return (miny - pad, minx - pad), (maxy + pad, maxx + pad)


def _frame(ax: Any, case: Case) -> None:
    """Fit the view to ``view_bounds``, with degrees scaled so the map is not stretched."""
    (south, west), (north, east) = view_bounds(case)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.grid(True, lw=0.3, alpha=0.5)
