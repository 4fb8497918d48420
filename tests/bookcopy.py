"""A bundled rulebook copied, with its zone files, into a folder and edited there, for tests of bad rulebooks."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

RULES = Path(__file__).resolve().parents[1] / "rules"


def copy_rulebook(tmp_path: Path, rid: str, edit: Callable[[dict[str, Any]], Any]) -> Path:
    """``rules/<rid>.yaml`` loaded, passed to ``edit`` and written to ``tmp_path`` beside a copy of the zone files."""
    shutil.copytree(RULES / "zones", tmp_path / "zones", dirs_exist_ok=True)
    data = yaml.safe_load((RULES / f"{rid}.yaml").read_text())
    edit(data)
    path = tmp_path / f"{rid}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
