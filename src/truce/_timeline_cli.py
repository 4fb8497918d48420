"""``truce timeline EVENTS.csv --mapping M.yaml``: a readable timeline from an ACLED or UCDP GED export, and a chart."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

from rich.console import Console
from rich.table import Table

from ._chart import plot_timeline
from ._errors import Problem, TruceError
from ._map import image_path
from ._render import status_text
from ._timeline import Timeline, timeline
from ._verdict import responsibility
from .io import SLACK_KM, EventImport, EventLogs, read_events, read_logs

__all__ = ["timeline_command"]


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
    if plot is not None:
        image_path(plot, "--plot")
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
    """A row per interval from its start (it lasts until the next row's), in columns that fit the console:
    times in the truce's offset (given once, in the title), the long columns folded."""
    offset = line.truce_start.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}"

    def stamp(instant: datetime) -> str:
        shown = f"{instant:%Y-%m-%d %H:%M}"
        return shown if instant.utcoffset() == line.truce_start.utcoffset() else f"{shown}{instant:%z}"

    table = Table(title=f"{line.title} ({line.agreement}), reading {line.reading}; times UTC{offset}")
    table.add_column("from", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("responsible", overflow="fold", ratio=1, min_width=8)
    table.add_column("what changed", overflow="fold", ratio=2, min_width=12)
    for interval in line.intervals:
        changes = "\n".join(
            f"{c.clause}: {c.before or '-'} -> {c.after}" + (f" ({', '.join(c.evidence)})" if c.evidence else "")
            for c in interval.changed
        )
        who = responsibility(interval.responsible, interval.responsible_one_of)
        table.add_row(stamp(interval.start), status_text(interval.status), who, changes, end_section=False)
    if line.intervals and line.intervals[-1].end is not None:
        table.add_row(stamp(line.intervals[-1].end), "(end of the timeline)", "", "")
    out.print(table)
    for text in line.summary():
        out.print(text, markup=False)
