"""Labels on a static map that never overlap: placed by adjustText with leader lines, then checked box by box
on the rendered figure; a label that still collides is tried at a ring of places around its point, and if none
is clear it is taken off and its point joins a "+N" marker whose ids the legend lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

__all__ = ["Label", "place_labels", "text_box"]

_CLUSTER_PX = 30.0
_ITERATIONS = 150  # adjustText's steps: a count, not a time, so a map does not depend on how busy the machine is
_MARKER_PX = 11.0  # half the side of the box a marker keeps clear (the largest drawn, at 150 dpi)
_LEADER = {"arrowstyle": "-", "color": "#505050", "lw": 0.6}
_DIRECTIONS = ((1, 1), (1, -1), (-1, 1), (-1, -1), (1.4, 0), (-1.4, 0), (0, 1.4), (0, -1.4))
_RING = [(dx * r, dy * r) for r in (12, 26, 44) for dx, dy in _DIRECTIONS]  # offsets in points, nearest first


@dataclass
class Label:
    """A text to place at a point (lon, lat); lower ``rank`` is kept first; ``ids`` name it where it cannot be
    (none: it may go unlabelled, as a zone the legend names)."""

    text: str
    x: float
    y: float
    rank: int
    ids: list[str] = field(default_factory=list)
    style: dict[str, object] = field(default_factory=dict)


def text_box(text: Text, renderer: RendererBase) -> Bbox:
    """A text's extent on the rendered figure, its background box included (an annotation's leader line not)."""
    if isinstance(text, Annotation):
        text.update_positions(renderer)
    box = Text.get_window_extent(text, renderer)
    patch = text.get_bbox_patch()
    if patch is None:
        return box
    text.update_bbox_position_size(renderer)  # the box follows the text only when drawn
    return Bbox.union([box, patch.get_window_extent(renderer)])


def place_labels(
    ax: Axes, labels: Sequence[Label], fixed: Sequence[Text], points: Sequence[tuple[float, float]]
) -> list[tuple[str, list[str]]]:
    """Draw ``labels`` clear of each other, of the ``fixed`` texts and of the ``points`` (markers, in data
    coordinates); return the "+N" markers drawn instead of those that found no room: their text and the ids they
    stand for."""
    from adjustText import adjust_text  # noqa: PLC0415  (it imports pyplot, which `import truce` need not)

    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    taken = [text_box(t, renderer) for t in fixed]
    for x, y in ax.transData.transform(points) if points else []:
        taken.append(Bbox.from_extents(x - _MARKER_PX, y - _MARKER_PX, x + _MARKER_PX, y + _MARKER_PX))
    texts = [ax.text(label.x, label.y, label.text, zorder=8, **label.style) for label in labels]  # type: ignore[arg-type]
    arrows: list[FancyArrowPatch] = []
    if texts:
        found = adjust_text(texts, objects=list(taken), ax=ax, expand=(1.15, 1.4), iter_lim=_ITERATIONS, arrowprops=_LEADER)
        arrows = list(found[1]) if found else []
    left: list[Label] = []
    for label, text in sorted(zip(labels, texts, strict=True), key=lambda pair: pair[0].rank):
        if _clear(ax, text_box(text, renderer), taken):
            taken.append(text_box(text, renderer))
            continue
        text.remove()
        for arrow in [a for a in arrows if id(a.patchA) == id(text)]:
            arrow.remove()
        if _ring(ax, label, taken, renderer) is None and label.ids:
            left.append(label)
    return _markers(ax, left, taken, renderer)


def _clear(ax: Axes, box: Bbox, taken: list[Bbox]) -> bool:
    """Whether a box lies inside the axes and overlaps none taken."""
    inside = ax.bbox.contains(box.x0, box.y0) and ax.bbox.contains(box.x1, box.y1)
    return inside and not any(box.overlaps(other) for other in taken)


def _ring(ax: Axes, label: Label, taken: list[Bbox], renderer: RendererBase, leader: bool = True) -> Annotation | None:
    """The label at the first clear place of a ring around its point (with a leader line), or None (nothing drawn)."""
    style = {**label.style, "ha": "center", "va": "center"}
    text = ax.annotate(label.text, (label.x, label.y), xytext=(0, 0), textcoords="offset points", zorder=9,
                       arrowprops=dict(_LEADER) if leader else None, **style)  # type: ignore[arg-type]  # fmt: skip
    for dx, dy in _RING:
        text.set_position((dx, dy))
        box = text_box(text, renderer)
        if _clear(ax, box, taken):
            taken.append(box)
            return text
    text.remove()
    return None


def _markers(ax: Axes, left: list[Label], taken: list[Bbox], renderer: RendererBase) -> list[tuple[str, list[str]]]:
    """One "+N" text per cluster of labels without room, placed as a label is; the legend lists its ids."""
    clusters: list[tuple[tuple[float, float], list[Label]]] = []
    for label in left:
        px, py = ax.transData.transform((label.x, label.y))
        for (cx, cy), members in clusters:
            if abs(cx - px) < _CLUSTER_PX and abs(cy - py) < _CLUSTER_PX:
                members.append(label)
                break
        else:
            clusters.append(((px, py), [label]))
    drawn: list[tuple[str, list[str]]] = []
    for number, (_, members) in enumerate(clusters):
        ids = [i for member in members for i in member.ids]
        mark = f"+{len(ids)}" + ("" if len(clusters) == 1 else chr(ord("a") + number % 26))
        circle = {"boxstyle": "circle,pad=0.15", "fc": "#fff8c4", "ec": "#505050", "lw": 0.6}
        style = {"fontsize": 7.5, "fontweight": "bold", "bbox": circle}
        placed = _ring(ax, Label(mark, members[0].x, members[0].y, 0, ids, style), taken, renderer, leader=False)
        drawn.append((mark if placed else f"{mark} (not drawn: no room)", ids))
    return drawn
