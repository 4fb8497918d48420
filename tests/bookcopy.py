"""A bundled rulebook copied, with its zone files, into a folder and edited there, for tests of bad rulebooks."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import truce
from truce import Problem

RULES = Path(__file__).resolve().parents[1] / "rules"


def copy_rulebook(tmp_path: Path, rid: str, edit: Callable[[dict[str, Any]], Any]) -> Path:
    """``rules/<rid>.yaml`` loaded, passed to ``edit`` and written to ``tmp_path`` beside a copy of the zone files."""
    shutil.copytree(RULES / "zones", tmp_path / "zones", dirs_exist_ok=True)
    data = yaml.safe_load((RULES / f"{rid}.yaml").read_text())
    edit(data)
    path = tmp_path / f"{rid}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def add_inspected_zone(book: dict[str, Any]) -> None:
    """Moscow's rulebook (``book``) with a zone 'inspected' (the corridor's ground) that only an obligation of
    inspections by Russia names (a zone-bound inspection obligation, which no bundled rulebook has)."""
    book["zones"]["inspected"] = dict(book["zones"]["corridor"], name="inspected stretch")
    book["clauses"].append({"id": "inspected", "type": "obligation", "title": "Inspections of the stretch", "article": "Test",
                            "parties": ["ru"], "records": "inspections", "zone": "inspected", "deadline": "2020-03-10T00:00:00+03:00"})


def misused_clause(tmp_path: Path, rid: str, clause_id: str, change: dict[str, Any]) -> tuple[list[Problem], str, Path]:
    """The problems of ``rid`` with clause ``clause_id`` changed (a field set to None is dropped), the clause's
    place in the rulebook (``clauses[i]``) and the file; fails if the rulebook loads."""

    def edit(book: dict[str, Any]) -> None:
        clause = next(c for c in book["clauses"] if c["id"] == clause_id)
        clause.update(change)
        for key in [k for k, v in clause.items() if v is None]:
            del clause[key]

    file = copy_rulebook(tmp_path, rid, edit)
    with pytest.raises(truce.RulebookError) as info:
        truce.load_rulebook(file)
    index = next(i for i, c in enumerate(truce.load_rulebook(rid).clauses) if c.id == clause_id)
    return info.value.problems, f"clauses[{index}]", file
