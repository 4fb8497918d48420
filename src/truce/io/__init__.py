"""Readers that turn event logs monitors already have into truce scenarios.

Each format is a small module over one shared core (``BaseEventReader``):
``truce.io.acled`` reads ACLED exports, ``truce.io.ucdp`` UCDP GED exports.
``read_events`` picks the reader by name, or from the CSV header; ``read_logs`` reads several logs
together and merges the rows two of them report of one event.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._errors import Problem
from .._rulebook import Rulebook
from . import acled, ucdp
from ._core import MAX_BYTES, BaseEventReader, EventImport, EventLogError, EventMapping, RowProblem, read_header
from ._merge import SLACK_KM, EventLogs, Merge, read_logs
from .acled import read_acled
from .ucdp import read_ucdp

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "SLACK_KM",
    "BaseEventReader",
    "EventImport",
    "EventLogError",
    "EventLogs",
    "EventMapping",
    "Merge",
    "RowProblem",
    "detect_format",
    "read_acled",
    "read_events",
    "read_logs",
    "read_ucdp",
]

FORMATS: dict[str, tuple[type[BaseEventReader[Any]], Callable[..., EventImport]]] = {
    "acled": (acled.AcledReader, read_acled),
    "ucdp": (ucdp.UcdpReader, read_ucdp),
}
"""Every event-log format, by the name ``--events`` takes: its reader class and its read function."""


def detect_format(path: str | Path, max_bytes: int = MAX_BYTES) -> str:
    """The format whose columns a CSV file's header carries; an error if none or several fit."""
    header = read_header(Path(path), EventLogError, max_bytes)
    fits = [name for name, (reader, _) in FORMATS.items() if reader.fits(header)]
    if len(fits) != 1:
        why = "no known format's columns" if not fits else f"the columns of {' and '.join(fits)}"
        raise EventLogError.from_problems(f"cannot tell the format of {path}", [Problem(
            "", f"the header has {why}", file=str(path), line=1, suggestion=f"name it: one of {', '.join(FORMATS)}")])
    return fits[0]


def read_events(
    source: str | Path,
    mapping: str | Path,
    rules: Rulebook | str | Path | None = None,
    *,
    format: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> EventImport:
    """Read an event log in a named format (``acled`` or ``ucdp``), or the one its header shows."""
    name = format or detect_format(source, max_bytes)
    if name not in FORMATS:
        raise EventLogError.from_problems(f"unknown event-log format {name!r}", [Problem(
            "events", f"unknown format {name!r}", value=name, suggestion=f"one of: {', '.join(FORMATS)}")])
    return FORMATS[name][1](source, mapping, rules, max_bytes=max_bytes)
