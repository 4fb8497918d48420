"""Clause units: each clause type owns its fields, cross-references, measure, timeline part, wording,
lint checks and hypothesis strategy. A new type is one module and one line in ``TYPES``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ._base import (
    Action,
    Changes,
    Check,
    Classified,
    Clause,
    ClauseReading,
    Edges,
    Edit,
    Lint,
    Loc,
    Measure,
    Phase,
    Place,
    Reach,
    Remedy,
    Severity,
    Sizes,
    Tip,
    Trace,
    excusal,
    when,
)
from .cap import Cap
from .freeze import Freeze
from .handover import Handover
from .mandate import Mandate
from .obligation import Obligation
from .permission import Permission
from .prohibition import Prohibition
from .withdrawal import Withdrawal

__all__ = [
    "TYPES",
    "Action",
    "AnyClause",
    "Changes",
    "Check",
    "Classified",
    "Clause",
    "ClauseReading",
    "Edges",
    "Edit",
    "Lint",
    "Loc",
    "Measure",
    "Phase",
    "Place",
    "Reach",
    "Remedy",
    "Severity",
    "Sizes",
    "Tip",
    "Trace",
    "excusal",
    "when",
]

TYPES: dict[str, type[Clause]] = {
    "withdrawal": Withdrawal,
    "prohibition": Prohibition,
    "cap": Cap,
    "handover": Handover,
    "obligation": Obligation,
    "permission": Permission,
    "mandate": Mandate,
    "freeze": Freeze,
}
"""Each clause type by the name rulebooks give it in ``type:``."""

AnyClause = Annotated[Withdrawal | Prohibition | Cap | Handover | Obligation | Permission | Mandate | Freeze, Field(discriminator="type")]
"""A clause of any registered type, told apart by its ``type:``."""
