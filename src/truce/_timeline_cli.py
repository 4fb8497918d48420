"""``truce timeline EVENTS.csv --mapping M.yaml``: a readable timeline from an ACLED or UCDP GED export, and a chart."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

from rich.console import Console
from rich.table import Table

from ._errors import Problem, TruceError
from ._render import STATUS_COLOURS, status_text
from ._timeline import Timeline, timeline
from .io import SLACK_KM, EventImport, EventLogs, read_events, read_logs

__all__ = ["CHART_FORMATS", "plot_timeline", "timeline_command"]

CHART_FORMATS = (".png", ".svg", ".pdf")


def timeline_command(
    events: Sequence[Path],
    mappings: Sequence[Path],
    *,
    events_format: str | None = None,
    dedupe: bool = True,
    slack_km: float = SLACK_KM,
    agreement: str | None = None,
    reading: str | None = None,
    output: Literal["text", "json"] = "text",
    plot: Path | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    console: Console | None = None,
) -> int:
    """Print the timeline of one or more event logs (``events_format`` ``acled`` or ``ucdp``, else read from each
    header), each with its mapping (or one mapping for all), the rows several logs give of one event merged unless
    ``dedupe`` is off; return 1 if it shows a breach or a lapse, 0 if not. Rejected rows never change the status.

    Bad input raises a TruceError (the command line turns it into exit status 3).
    """
    if plot is not None and plot.suffix.lower() not in CHART_FORMATS:
        raise TruceError.from_problems(
            f"cannot draw a chart as {plot.name}",
            [Problem("--plot", "unsupported image format", value=str(plot), suggestion="name a .png, .svg or .pdf file")],
        )
    out = console or Console()
    if len(mappings) not in (1, len(events)):
        raise TruceError.from_problems(f"{len(events)} logs and {len(mappings)} mappings", [Problem(
            "--mapping", "give one mapping for every log, in the same order, or one for all", value=str(len(mappings)))])
    data: EventImport | EventLogs
    if len(events) == 1:
        data = read_events(events[0], mappings[0], rules=agreement, format=events_format)
    else:
        pairs = list(zip(events, list(mappings) if len(mappings) > 1 else list(mappings) * len(events), strict=True))
        data = read_logs(pairs, rules=agreement, formats=[events_format] * len(events), dedupe=dedupe, slack_km=slack_km)
    line = timeline(data.scenario(), rules=data.book, reading=reading, start=start, end=end)
    if plot is not None:
        plot_timeline(line, plot)
    Console(stderr=True).print(data.report(), markup=False, highlight=False, soft_wrap=True)
    if output == "json":
        out.print_json(json.dumps({**json.loads(line.model_dump_json()), "report": data.summary()}))
    else:
        _render(line, out)
    return 1 if line.first_breach or line.first_unmet else 0


def _render(line: Timeline, out: Console) -> None:
    table = Table(title=f"{line.title} ({line.agreement}), reading {line.reading}")
    for column in ("from", "until", "status", "responsible", "what changed"):
        table.add_column(column)
    for interval in line.intervals:
        changes = "\n".join(
            f"{c.clause}: {c.before or '-'} -> {c.after}" + (f" ({', '.join(c.evidence)})" if c.evidence else "")
            for c in interval.changed
        )
        table.add_row(
            interval.start.isoformat(timespec="minutes"),
            interval.end.isoformat(timespec="minutes") if interval.end else "onwards",
            status_text(interval.status),
            ", ".join(interval.responsible),
            changes,
            end_section=False,
        )
    out.print(table)
    for text in line.summary():
        out.print(text, markup=False)


def plot_timeline(line: Timeline, path: Path) -> None:
    """A chart of status over time (coloured bands) with incidents marked by party (needs matplotlib)."""
    import matplotlib  # noqa: PLC0415  (optional dependency)

    matplotlib.use("Agg")
    import matplotlib.dates as mdates  # noqa: PLC0415
    import matplotlib.pyplot as plt  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    def x(instant: datetime) -> float:
        return float(mdates.date2num(instant))  # type: ignore[no-untyped-call]

    parties = sorted({i.perpetrator or "unattributed" for i in line.incidents})
    figure, axes = plt.subplots(figsize=(11, 2 + 0.4 * len(parties)))
    last = max([i.latest or i.time for i in line.incidents] + [i.start for i in line.intervals])
    for interval in line.intervals:
        axes.axvspan(x(interval.start), x(interval.end or last), color=STATUS_COLOURS[interval.status], alpha=0.35, lw=0)
    for row, party in enumerate(parties):
        mine = [i for i in line.incidents if (i.perpetrator or "unattributed") == party]
        axes.scatter([x(i.time) for i in mine], [row] * len(mine), s=25, zorder=3, label=party)
        for incident in mine:
            if incident.latest is not None:
                axes.hlines(row, x(incident.time), x(incident.latest), lw=1, alpha=0.6, zorder=2)
    axes.axvline(x(line.truce_start), color="black", lw=1, ls="--")
    axes.set_yticks(range(len(parties)), parties)
    axes.set_ylim(-1, max(len(parties), 1))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))  # type: ignore[no-untyped-call]
    handles = [Patch(color=c, alpha=0.35, label=s.replace("_", " ")) for s, c in STATUS_COLOURS.items()]
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, title="status")
    axes.set_title(f"{line.title}: status over time (reading {line.reading}); dashed line: truce start")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
