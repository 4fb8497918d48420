"""Writing small event-log CSV files for reader tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path


def write_csv(path: Path, header: list[str] | tuple[str, ...], rows: list[dict[str, str]], tail: str = "") -> Path:
    """A CSV file with ``header`` and ``rows`` (missing fields empty), then ``tail`` as raw text."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue() + tail, encoding="utf-8")
    return path
