"""A map of a scenario: the rulebook's zones, the units and incidents, coloured by their finding.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display),
so it runs headless and in threads. Works for any rulebook: zones, clauses
and kinds come from the rulebook, not from code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import shapely
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from ._case import Case, prepare
from ._errors import Problem, TruceError
from ._evaluate import evaluate
from ._render import FINDING_COLOURS, STATUS_COLOURS, status_label
from ._rulebook import Rulebook
from ._scenario import Incident, Unit
from ._verdict import Verdict

__all__ = ["FORMATS", "draw_map", "image_path", "item_colours", "item_status", "view_bounds", "zone_status"]

FORMATS = (".png", ".svg", ".pdf")
_WORST_FIRST = ("violated", "unknown", "met", "not_due", "not_applicable")
_CLEAR = "#1f77b4"
_LABEL_LIMIT = 30


def draw_map(
    state: Case | str | Path, output: str | Path, rules: str | Path | None = None, reading: str | None = None
) -> Verdict:
    """Evaluate a scenario file (or a prepared case) and draw it to ``output`` (.png, .svg or .pdf); return the verdict."""
    out = image_path(output, "output")
    case = prepare(state, rules, reading)
    verdict = evaluate(case)
    figure = _figure(case, verdict)
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


def _figure(case: Case, verdict: Verdict) -> Figure:
    scenario, book = case.scenario, case.book
    figure = Figure(figsize=(10, 8.5))
    ax = figure.add_subplot()
    zones_found = zone_status(case, verdict)
    illustrative = False
    handles: list[Any] = []
    zones = sorted(book.zones, key=lambda z: -float(book.geometry(z).area))
    for zone_id in zones:
        zone = book.zones[zone_id]
        geometry = book.geometry(zone_id)
        colour = FINDING_COLOURS.get(zones_found.get(zone_id, ""), "#9e9e9e")
        dashed = zone.illustrative
        illustrative |= dashed
        ax.add_patch(_patch(geometry, facecolor=colour, alpha=0.16, edgecolor="none"))
        ax.add_patch(_patch(geometry, facecolor="none", edgecolor=colour, lw=1.6, ls="--" if dashed else "-"))
        label = zone.name + (" (illustrative)" if dashed else "")
        point = geometry.representative_point()
        ax.annotate(label, (point.x, point.y), ha="center", fontsize=8, color=colour, style="italic", alpha=0.9)
        finding = zones_found.get(zone_id, "no clause").replace("_", " ")
        line = "--" if dashed else "-"
        handles.append(Patch(facecolor=colour, alpha=0.3, edgecolor=colour, ls=line, label=f"{label}: {finding}"))

    for landmark in book.landmarks.values():
        ax.scatter(landmark.lon, landmark.lat, s=9, color="#303030", zorder=4)
        ax.annotate(landmark.name, (landmark.lon, landmark.lat), xytext=(4, -9), textcoords="offset points",
                    fontsize=7, color="#303030", zorder=4)

    status = item_status(verdict)
    ignored = {i.id for i in scenario.incidents if i.time > scenario.as_of}
    placed: list[tuple[Unit | Incident, str]] = []
    unplaced: list[str] = []
    items: list[Unit | Incident] = [*scenario.units, *scenario.incidents]
    for item in items:
        if item.position is None:
            unplaced.append(item.id + (f" (in {item.zone})" if item.zone else " (position unknown)"))
            continue
        placed.append((item, "ignored" if item.id in ignored else status.get(item.id, "clear")))
    colours = item_colours()
    for item, state in placed:
        assert item.position is not None
        is_unit = isinstance(item, Unit)
        size = 40 + 25 * math.log10(1 + item.count) if isinstance(item, Unit) else 110
        ax.scatter(
            item.position.lon,
            item.position.lat,
            s=size,
            marker="s" if is_unit else "*",
            color=colours[state],
            edgecolor="black",
            linewidth=0.6,
            zorder=7 if state in ("violated", "unknown") else 6,
        )
    labelled = [p for p in placed if len(placed) <= _LABEL_LIMIT or p[1] in ("violated", "unknown")][:_LABEL_LIMIT]
    for index, (item, state) in enumerate(labelled):
        assert item.position is not None
        right, up = index % 2 == 0, index % 4 < 2
        ax.annotate(
            _label(item, book),
            (item.position.lon, item.position.lat),
            xytext=(8 if right else -8, 6 if up else -6),
            textcoords="offset points",
            ha="left" if right else "right",
            va="bottom" if up else "top",
            fontsize=7.5,
            color="#202020",
            fontweight="bold" if state == "violated" else "normal",
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": colours[state], "alpha": 0.85, "lw": 0.8},
            zorder=5,
        )

    handles += _marker_legend({state for _, state in placed}, colours)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    _frame(ax, case)
    title = f"{book.title}\nas of {scenario.as_of:%d %B %Y %H:%M %z}, {verdict.reading_name}"
    ax.set_title(title, fontsize=11, loc="left")
    verdict_text = status_label(verdict.status)
    if verdict.responsible:
        verdict_text += " (responsible: " + ", ".join(verdict.responsible) + ")"
    figure.suptitle(
        verdict_text, color=STATUS_COLOURS[verdict.status], fontsize=15, fontweight="bold", x=0.02, ha="left"
    )
    notes = []
    if illustrative:
        notes.append("Dashed zone lines are illustrative: the agreement never published exact lines.")
    if unplaced:
        notes.append("Not on the map: " + ", ".join(unplaced[:8]) + (", ..." if len(unplaced) > 8 else ""))
    if notes:
        figure.text(0.02, 0.005, "\n".join(notes), fontsize=8, color="#404040", ha="left", va="bottom")
    return figure


def _label(item: Unit | Incident, book: Rulebook) -> str:
    if isinstance(item, Unit):
        kind = book.kinds[item.kind].name if item.kind in book.kinds else item.kind
        return f"{item.id}\n{item.count} {kind} ({item.party})"
    return f"{item.id}\n{item.kind}, {item.time:%d %b %H:%M} (by {item.perpetrator or 'unknown'})"


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
