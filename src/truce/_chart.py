"""``truce.plot_timeline``: a chart of a truce's status over time, its violations and the log's incidents.

Drawn on a ``matplotlib.figure.Figure`` (no pyplot): the global backend is never touched,
so it runs headless, in threads and beside a notebook's inline backend.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import matplotlib.dates as mdates
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ._map import image_path
from ._render import STATUS_COLOURS
from ._timeline import Timeline

__all__ = ["PARTY_COLOURS", "plot_timeline"]

PARTY_COLOURS = ("#1f4e99", "#6a3d9a", "#00838f", "#5d4037", "#37474f", "#4a6b00", "#283593", "#880e4f")
"""Incident colours by perpetrator: dark blues, purples, teals and browns, never a status colour."""
_KIND_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h", "<", ">")
_VIOLATION = STATUS_COLOURS["breached"]
_LABEL_LIMIT = 40


def plot_timeline(line: Timeline, output: str | Path | None = None) -> Figure:
    """The timeline as a figure: status bands, a lane of every clause that becomes violated (with its evidence),
    and a lane per perpetrator of incidents shaped by kind. With ``output`` (.png, .svg or .pdf), also saved there."""
    out = None if output is None else image_path(output, "output")
    zone = line.truce_start.tzinfo

    def x(instant: datetime) -> float:
        return float(mdates.date2num(instant))  # type: ignore[no-untyped-call]

    parties = sorted({i.perpetrator or "unattributed" for i in line.incidents})
    kinds = sorted({i.kind for i in line.incidents})
    violations = [(interval.start, change) for interval in line.intervals for change in interval.changed if change.after == "violated"]
    lanes = ["clauses violated", *parties]
    figure = Figure(figsize=(12, 2.6 + 0.45 * len(lanes)), layout="constrained")
    axes = figure.add_subplot()
    times = [i.latest or i.time for i in line.incidents] + [i.start for i in line.intervals] + [line.truce_start]
    first, last = min([i.time for i in line.incidents] + times), max(times)
    span = max(x(last) - x(first), 1.0)
    for interval in line.intervals:
        end = x(interval.end) if interval.end else x(last) + span * 0.04
        axes.axvspan(x(interval.start), end, color=STATUS_COLOURS[interval.status], alpha=0.22, lw=0)
    for index, (start, change) in enumerate(violations):
        axes.plot([x(start)], [0], marker="X", ms=11, color=_VIOLATION, mec="black", mew=0.6, zorder=4, ls="")
        evidence = f" ({', '.join(change.evidence[:3])}{', ...' if len(change.evidence) > 3 else ''})" if change.evidence else ""
        axes.annotate(f"{change.clause}{evidence}", (x(start), 0), xytext=(6, 8 if index % 2 == 0 else -12),
                      textcoords="offset points", fontsize=7.5, color="#202020", zorder=5)  # fmt: skip
    cited = {item for _, change in violations for item in change.evidence}
    labelled = len(line.incidents) <= _LABEL_LIMIT
    for row, party in enumerate(parties, start=1):
        colour = PARTY_COLOURS[(row - 1) % len(PARTY_COLOURS)]
        for incident in (i for i in line.incidents if (i.perpetrator or "unattributed") == party):
            marker = _KIND_MARKERS[kinds.index(incident.kind) % len(_KIND_MARKERS)]
            if incident.latest is not None:
                axes.hlines(row, x(incident.time), x(incident.latest), lw=1.2, color=colour, alpha=0.6, zorder=2)
            ring = incident.id in cited
            axes.plot([x(incident.time)], [row], marker=marker, ms=8, ls="", color=colour, zorder=3,
                      mec=_VIOLATION if ring else "white", mew=2 if ring else 0.6)  # fmt: skip
            if labelled or ring:
                axes.annotate(incident.id, (x(incident.time), row), xytext=(0, 7), textcoords="offset points",
                              fontsize=6.5, rotation=35, color="#303030")  # fmt: skip
    axes.axvline(x(line.truce_start), color="black", lw=1, ls="--")
    axes.set_yticks(range(len(lanes)), lanes)
    axes.set_ylim(len(lanes) - 0.4, -0.8)
    axes.set_xlim(x(first) - span * 0.02, x(last) + span * 0.04)
    axes.xaxis.set_major_locator(mdates.AutoDateLocator(tz=zone, maxticks=9))  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y", tz=zone))  # type: ignore[no-untyped-call]
    offset = f"{line.truce_start:%z}"
    axes.set_xlabel(f"local time (UTC{offset[:3]}:{offset[3:]})")
    axes.grid(True, axis="x", lw=0.3, alpha=0.6)
    status = [Patch(color=c, alpha=0.35, label=s.replace("_", " ")) for s, c in STATUS_COLOURS.items()]
    marks = [
        Line2D([], [], marker="X", ls="", ms=9, color=_VIOLATION, mec="black", label="a clause becomes violated"),
        Line2D([], [], marker="o", ls="", ms=8, color="#9e9e9e", mec=_VIOLATION, mew=2, label="incident cited as evidence"),
        Line2D([], [], color="black", ls="--", label="truce starts"),
    ]
    shapes = [Line2D([], [], marker=_KIND_MARKERS[n % len(_KIND_MARKERS)], ls="", ms=7, color="#606060", label=kind.replace("_", " "))
              for n, kind in enumerate(kinds)]  # fmt: skip
    axes.legend(handles=[*status, *marks, *shapes], loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False,
                title="status, marks, incident kinds", title_fontsize=8)  # fmt: skip
    axes.set_title(f"{line.title} ({line.agreement}): status over time, reading {line.reading}", loc="left", fontsize=10)
    if out is not None:
        figure.savefig(out, dpi=110)
    return figure
