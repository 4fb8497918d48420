"""``docs/rulebooks.md``'s reference tables are generated from the models' field descriptions and are current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from pydantic import BaseModel

import truce
from truce._rulebook import Band, Zone
from truce._terms import DATA

_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "docs.py"
_spec = importlib.util.spec_from_file_location("docs_script", _SCRIPT)
assert _spec is not None and _spec.loader is not None
docs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(docs)


def test_every_field_has_a_description() -> None:
    assert docs.missing_descriptions() == []


def test_a_field_without_a_description_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Zone.model_fields["band"], "description", None)
    assert docs.missing_descriptions() == ["Zone.band"]
    assert docs.main(["--check"]) == 1


def test_generated_docs_are_current() -> None:
    parts = docs.generated()
    for path in docs.FILES:
        text = path.read_text(encoding="utf-8")
        assert docs.render(text, parts, str(path)) == text, f"{path} is stale: run python scripts/docs.py"
    rulebooks = (docs.ROOT / "docs" / "rulebooks.md").read_text(encoding="utf-8")
    assert all(f"<!-- generated: {name} -->" in rulebooks for name in parts)


def test_a_new_field_and_its_model_get_rows() -> None:
    class Beyond(BaseModel):
        """The far side of a line."""

        model_config = DATA
        line: str
        """The line's file."""

    class Shape(BaseModel):
        """A shape."""

        model_config = DATA
        beyond: Beyond | None = None
        """Everything beyond a line."""

    found = docs.models(Shape, "zones.ID")
    assert [(path, model.__name__) for path, model in found] == [("zones.ID", "Shape"), ("zones.ID.beyond", "Beyond")]
    assert "| `beyond` | Beyond |  | Everything beyond a line. |" in docs.table("`zones.ID`", Shape)
    assert "| `line` | text | **required** | The line's file. |" in docs.table("`zones.ID.beyond`", Beyond)


def test_types_read_as_words() -> None:
    fields = truce.Rulebook.model_fields
    assert docs.type_text(fields["zones"].rebuild_annotation()) == "map of id to Zone"
    assert docs.type_text(fields["in_force"].rebuild_annotation()) == "InForce"
    assert "| `side` | `left`, `right` or `both` | **required** |" in docs.table("band", Band)


def test_an_unknown_marker_is_an_error() -> None:
    with pytest.raises(SystemExit, match="no generated part is called 'nope'"):
        docs.render("<!-- generated: nope -->\n<!-- end generated -->", {}, "x.md")
