"""Provenance: what produced a verdict or a timeline, so it can be reproduced and checked later."""

from __future__ import annotations

import functools
import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from ._scenario import Scenario, Unit

if TYPE_CHECKING:
    from ._items import Items
    from ._rulebook import Rulebook

__all__ = ["SCHEMA_VERSION", "Provenance", "canonical_json", "input_sha256", "truce_version"]

SCHEMA_VERSION = "1"
"""The version of the JSON truce writes (verdicts, timelines, API answers); raised when a field changes meaning."""


class Provenance(BaseModel):
    """What produced an answer: truce's version, the rulebook and the SHA-256 of each file it was read from
    (its YAML by name, each zone file by its path from the rulebook's folder), the reading, the engine, and
    the SHA-256 of the input state (``input_sha256``). The same inputs give the same provenance on any machine."""

    model_config = ConfigDict(frozen=True)

    schema_version: str = SCHEMA_VERSION
    truce: str
    rulebook: str
    files: dict[str, str]
    reading: str | None = None
    engine: str | None = None
    input: str | None = None

    @classmethod
    def of(cls, book: Rulebook, reading: str | None = None, engine: str | None = None, state: str | None = None) -> Provenance:
        """The provenance of an answer from ``book`` (and, for a verdict or timeline, its reading, engine and state)."""
        return cls(truce=truce_version(), rulebook=book.id, files=book.files, reading=reading, engine=engine, input=state)


@functools.cache
def truce_version() -> str:
    """The installed truce's version ("unknown" when run from an uninstalled tree)."""
    try:
        return version("truce")
    except PackageNotFoundError:
        return "unknown"


def canonical_json(data: Any) -> str:
    """JSON with sorted keys, no spaces and no ASCII escaping: one text for one value."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def input_sha256(scenario: Scenario, tables: tuple[Items, Items] | None = None) -> str:
    """The SHA-256 of a validated scenario as one JSON text: its header with sorted keys (and its records, if any,
    each kind's in sorted order), then its units, incidents and areas each as pydantic writes it (fields in model
    order, attributes sorted), in sorted order (their order does not change a verdict). For a state given as
    ``truce.Columns``, its header, then its units and incidents as read (``tables``)."""
    header = scenario.model_dump(mode="json", exclude={"units", "incidents", "areas", "records"})
    records = scenario.records.model_dump(mode="json", exclude_none=True)
    if records:  # a state without records hashes as it did before records existed
        header["records"] = {kind: {**given, "entries": sorted(given["entries"], key=canonical_json)} for kind, given in records.items()}
    parts = [canonical_json(header).encode()]
    for rows in (scenario.units, scenario.incidents, scenario.areas):
        parts.append(b"[" + b",".join(sorted(_row(row) for row in rows)) + b"]")  # UTF-8 sorts as its texts do
    digest = hashlib.sha256(b"[" + b",".join(parts) + b"]")
    for items in tables or ():
        for column in (items.ids, items.actors, items.kinds, items.named_zone):
            digest.update(_texts(column.tolist()))
        digest.update(canonical_json(sorted(items.attributes)).encode())
        arrays: list[npt.NDArray[Any]] = [items.weights, items.lon, items.lat, items.radius_km, items.start, items.stop, items.offsets]
        if not np.isnan(items.baseline[:, 0]).all():  # units without baselines hash as they did before baselines existed
            arrays.append(items.baseline)
        for array in [*arrays, *(items.attributes[name] for name in sorted(items.attributes))]:
            digest.update(np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes())
    return digest.hexdigest()


_NO_BASELINE = b',"baseline":null}'
"""How pydantic ends a unit without a baseline (its last field), which the digest leaves out."""


def _row(row: BaseModel) -> bytes:
    """A row as pydantic writes it, in UTF-8 (several attributes in sorted order); a unit without a baseline as it was
    written before baselines existed. (Cutting the baseline off the text costs half of asking pydantic to
    exclude it.)"""
    text: bytes = row.__pydantic_serializer__.to_json(row)
    if not isinstance(row, Unit):
        return text
    if text.endswith(_NO_BASELINE):
        text = text[: -len(_NO_BASELINE)] + b"}"
    return canonical_json(json.loads(text)).encode() if len(row.attributes) > 1 else text


_UNIT_SEPARATOR = "\x1f"


def _texts(values: list[Any]) -> bytes:
    """A column of texts as bytes for the digest: their count, then the texts joined by a separator no value
    holds (fast), else canonical JSON (a value that is not text, such as None or candidates, or that holds
    the separator); the two forms never meet (one starts with ``t``, the other with ``[``)."""
    try:
        joined = _UNIT_SEPARATOR.join(values)
    except TypeError:
        return canonical_json(values).encode()
    if joined.count(_UNIT_SEPARATOR) != max(len(values) - 1, 0):
        return canonical_json(values).encode()
    return f"t{len(values)}:{joined}".encode()
