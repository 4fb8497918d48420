"""Writing small event-log CSV files for reader tests, and the real UCDP sample they are modelled on."""

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


ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "examples" / "real" / "idlib-2019-ucdp"
REAL_CSV = REAL / "ucdp-ged-syria-nw-2019-07-25-to-08-15.csv"
UCDP_MAPPING = REAL / "ucdp-mapping.yaml"
with REAL_CSV.open(encoding="utf-8", newline="") as _handle:
    UCDP_HEADER = next(csv.reader(_handle))
ACLED_ROW = {
    "event_id_cnty": "T1", "event_date": "2019-08-03", "year": "2019", "time_precision": "1",
    "event_type": "Explosions/Remote violence", "sub_event_type": "Shelling/artillery/missile attack",
    "actor1": "Military Forces of Syria (2000-)", "actor2": "", "location": "Khan Shaykhun",
    "latitude": "35.4389", "longitude": "36.6511", "geo_precision": "1", "fatalities": "0",
}  # fmt: skip
"""A good ACLED row: the army shelling Khan Shaykhun on 3 August 2019."""
