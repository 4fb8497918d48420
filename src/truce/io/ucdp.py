"""Read UCDP GED CSV exports (the Georeferenced Event Dataset) into incidents for a rulebook.

A mapping file (YAML, data only) says which UCDP ``side_a``/``side_b`` name is which
party or group of the rulebook, and which ``type_of_violence`` is which incident kind.
UCDP codes a *dyad*, not who fired: each violence type states its ``perpetrator``
(``side_a``, ``side_b``, ``dyad`` — one of the two sides, ``by: [side_a, side_b]`` — or
``unknown``, the default, which gives ``by: null``).

Uncertainty is carried, not dropped (values in ``docs/event-data.md``):

- ``date_start`` .. ``date_end`` (UCDP's earliest and last possible day) become the
  incident's ``time`` .. ``latest``: local midnight of the first day up to midnight
  after the last, in the mapping's ``time_zone``; ``date_prec`` (1-5) is checked and noted.
- ``where_prec`` becomes an ``uncertainty_km`` (1 exact: none; 2: 25; 3 district: 50;
  4 province: 150; 5 linear feature or unnamed area: 100; 6 country: 500 km);
  7 (international waters or airspace) is rejected: no place to test against zones.
- ``best`` (UCDP's best estimate of deaths) becomes ``fatalities``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .._errors import Problem, did_you_mean
from .._rulebook import Rulebook
from .._scenario import Incident
from .._source import Document
from . import _core
from ._core import MAX_BYTES, BaseEventReader, EventImport, EventLogError, EventMapping, Name, Reject, Target

__all__ = ["UNCERTAINTY_KM", "VIOLENCE_TYPES", "UcdpError", "UcdpMapping", "UcdpReader", "Violence", "load_mapping", "read_ucdp"]

ViolenceType = Literal["state_based", "non_state", "one_sided"]
VIOLENCE_TYPES: dict[str, ViolenceType] = {"1": "state_based", "2": "non_state", "3": "one_sided"}
"""UCDP's ``type_of_violence`` codes, by the names a mapping uses."""
UNCERTAINTY_KM: dict[int, float | None] = {1: None, 2: 25.0, 3: 50.0, 4: 150.0, 5: 100.0, 6: 500.0}
"""The uncertainty radius of each ``where_prec`` code; 7 (waters or airspace) is rejected."""
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f")


class UcdpError(EventLogError):
    """A UCDP file or its mapping cannot be used at all (not a single bad row: those are reported)."""


class Violence(BaseModel):
    """What one UCDP violence type becomes: an incident kind (or ``ignore``), and whose act it is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Target
    perpetrator: Literal["side_a", "side_b", "dyad", "unknown"] = "unknown"


class UcdpMapping(EventMapping):
    """UCDP side names -> party or group ids, ``unattributed`` (some party, not known which) or ``ignore``
    (not a party to the agreement); violence types -> incident kinds and perpetrators."""

    sides: dict[Name, Target] = Field(min_length=1)
    violence: dict[ViolenceType, Violence] = Field(min_length=1)

    def problems(self, book: Rulebook, doc: Document) -> list[Problem]:
        """Sides must map to declared parties or groups, violence types to declared incident kinds."""
        parties = {*book.parties, *book.groups, "unattributed", "ignore"}
        found = [p for name, target in self.sides.items() for p in _core.unknown_id(doc, ("sides", name), target, parties, "party")]
        kinds = {*book.incident_kinds, "ignore"}
        for name, rule in self.violence.items():
            found += _core.unknown_id(doc, ("violence", name, "kind"), rule.kind, kinds, "incident kind")
        return found


def load_mapping(path: str | Path, book: Rulebook | None = None) -> tuple[UcdpMapping, Rulebook]:
    """A validated UCDP mapping and its rulebook; every id it maps to must be one the rulebook declares."""
    return _core.load_mapping(path, UcdpMapping, UcdpError, book)


def read_ucdp(
    source: str | Path,
    mapping: str | Path | UcdpMapping,
    rules: Rulebook | str | Path | None = None,
    *,
    max_bytes: int = MAX_BYTES,
) -> EventImport:
    """Read a UCDP GED CSV export with a mapping; bad rows are reported, never dropped silently."""
    return UcdpReader(*_core.resolve(mapping, UcdpMapping, UcdpError, rules)).read(source, max_bytes)


class UcdpReader(BaseEventReader[UcdpMapping]):
    """UCDP GED rows: a dyad, a period of days, a place with a precision code, and deaths."""

    source = "UCDP GED"
    error = UcdpError
    required = ("id", "type_of_violence", "side_a", "side_b", "where_prec", "latitude", "longitude",
                "date_prec", "date_start", "date_end", "best")  # fmt: skip
    id_column = "id"
    licence = "CC BY 4.0 (cite Sundberg and Melander 2013, Journal of Peace Research 50(4))"

    def incident(self, event_id: str, row: Mapping[str, str]) -> Incident:
        """The incident of one UCDP row; its perpetrator is the side the mapping names for its violence type."""
        code = row["type_of_violence"].strip()
        if code not in VIOLENCE_TYPES:
            raise Reject(f"type_of_violence {code[:40]!r} must be 1, 2 or 3")
        rule = self.mapping.violence.get(VIOLENCE_TYPES[code])
        if rule is None:
            raise Reject(f"type_of_violence {code} ({VIOLENCE_TYPES[code]}) is not in the mapping's 'violence'")
        if rule.kind == "ignore":
            raise Reject(f"the mapping ignores type_of_violence {code} ({VIOLENCE_TYPES[code]})", ignored=True)
        side_a, side_b = self.sides(row)
        sides = {"side_a": side_a, "side_b": side_b}
        if set(sides.values()) == {"ignore"}:
            raise Reject(f"the mapping ignores both sides, {row['side_a']!r} and {row['side_b']!r}", ignored=True)
        by: str | list[str] | None = sides.get(rule.perpetrator)
        if rule.perpetrator == "dyad":
            by = _dyad(sides["side_a"], sides["side_b"])
        elif by == "unattributed":
            by = None
        elif by == "ignore":
            raise Reject(f"the mapping ignores the perpetrator, {rule.perpetrator} {row[rule.perpetrator]!r}", ignored=True)
        first = _core.day(row["date_start"], "date_start", _DATE_FORMATS)
        last = _core.day(row["date_end"], "date_end", _DATE_FORMATS)
        if last < first:
            raise Reject(f"date_end {last} is before date_start {first}")
        date_prec = _core.precision(row["date_prec"], "date_prec", range(1, 6))
        where_prec = _core.precision(row["where_prec"], "where_prec", range(1, 8))
        if where_prec == 7:
            raise Reject("where_prec 7: in international waters or airspace, no place to test against zones")
        place = row.get("where_coordinates", "").strip() or row.get("adm_1", "").strip() or "unnamed place"
        dyad = row.get("dyad_name", "").strip() or f"{row['side_a'].strip()} - {row['side_b'].strip()}"
        note = f"{place}: {dyad} (UCDP type_of_violence {code}, date_prec {date_prec}, where_prec {where_prec})"
        return Incident(id=event_id, time=_core.midnight(first, self.zone), latest=_core.midnight(last + timedelta(days=1), self.zone),
                        kind=rule.kind, by=by, position=_core.position(row["latitude"], row["longitude"]),
                        uncertainty_km=UNCERTAINTY_KM[where_prec], fatalities=_core.count(row["best"], "best"),
                        note=note[:1000])  # fmt: skip

    def sides(self, row: Mapping[str, str]) -> list[str]:
        """``side_a`` and ``side_b`` as the mapping names them."""
        return [self._side(row[column].strip(), column) for column in ("side_a", "side_b")]

    def _side(self, name: str, column: str) -> str:
        if not name:
            raise Reject(f"{column} is empty")
        target = self.mapping.sides.get(name)
        if target is None:
            hint = did_you_mean(name, self.mapping.sides)
            raise Reject(f"{column} {name[:80]!r} is not in the mapping's 'sides' ({hint})")
        return target


def _dyad(side_a: str, side_b: str) -> str | list[str] | None:
    """One of the two sides: both as candidates, one id if both map to it, and None (not known) if either
    side is ``unattributed`` or ``ignore``: the act may then be another's, so no closed list of candidates."""
    if {side_a, side_b} & {"unattributed", "ignore"}:
        return None
    return side_a if side_a == side_b else [side_a, side_b]
