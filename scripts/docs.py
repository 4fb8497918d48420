"""Write (or, with --check, verify) the generated parts of the docs: the reference tables of the
rulebook and scenario formats, made from the models' field descriptions, and the ids of each
bundled rulebook. A field without a description is an error, so the reference cannot lag the models.

    python scripts/docs.py          # rewrite what lies between the markers
    python scripts/docs.py --check  # exit 1 and name what differs or lacks a description

A generated part lies between ``<!-- generated: NAME -->`` and ``<!-- end generated -->``.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import types
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path

from pydantic import BaseModel
from pydantic.fields import FieldInfo

import truce
from truce import _limits, _terms
from truce._clauses import TYPES, Clause, ClauseReading

ROOT = Path(__file__).resolve().parents[1]
FILES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
MARKED = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end generated -->)", re.S)


def _fields_of(model: type[BaseModel], only: set[str] | None = None) -> Iterator[tuple[str, FieldInfo]]:
    for name, field in model.model_fields.items():
        if only is None or name in only:
            yield name, field


def _nested(annotation: object) -> Iterator[tuple[type[BaseModel], str]]:
    """The models a field's type holds, each with how a path reaches it (``[]`` in a list, ``.ID`` in a map)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation, ""
    elif origin in (list, tuple):
        yield from ((model, f"[]{rest}") for arg in args for model, rest in _nested(arg))
    elif origin in (dict, Mapping):
        yield from ((model, f".ID{rest}") for model, rest in _nested(args[1]))
    else:
        for arg in args:
            yield from _nested(arg)


def models(root: type[BaseModel], prefix: str = "") -> list[tuple[str, type[BaseModel]]]:
    """``root`` and every model its fields hold, breadth first, each with its path; clause types are left to
    ``clause_models``."""
    found: list[tuple[str, type[BaseModel]]] = [(prefix, root)]
    seen = {root}
    for path, model in found:
        for name, field in _fields_of(model):
            for inner, rest in _nested(field.rebuild_annotation()):
                if inner not in seen and not issubclass(inner, Clause):
                    seen.add(inner)
                    found.append((f"{path}.{name}{rest}".lstrip("."), inner))
    return found


def clause_models() -> list[tuple[str, type[BaseModel], set[str] | None]]:
    """Every clause's common fields, then each type's own fields and its reading overrides."""
    common: list[tuple[str, type[BaseModel], set[str] | None]] = [("`clauses[]`: every clause", Clause, None)]
    for name, cls in TYPES.items():
        own = {f for f in cls.model_fields if f not in Clause.model_fields or f == "type"}
        common.append((f"{_article(name)} {name} clause", cls, own))
        reading = typing.get_args(cls.model_fields["readings"].annotation)[1]
        common.append((f"{_article(name)} {name} clause's `readings.ID`", reading, None))
    return common


def _clause_parts() -> list[tuple[str, type[BaseModel]]]:
    """The models clause fields hold (a deadline's ``after_start``, ...), each once, with its first path."""
    shown = {model for _, model, _ in clause_models()}
    found: dict[type[BaseModel], str] = {}
    for _, model, _ in clause_models():
        for path, inner in models(model)[1:]:
            if inner not in shown and not issubclass(inner, ClauseReading):
                found.setdefault(inner, path)
    return [(path, model) for model, path in found.items()]


def missing_descriptions() -> list[str]:
    """``Model.field`` for every field of the rulebook and scenario formats that has no description."""
    every = [m for _, m in models(truce.Rulebook)] + [m for _, m in models(truce.Scenario)]
    for _, model, _ in clause_models():
        every += [model] + [m for _, m in models(model)]
    return sorted({f"{m.__name__}.{name}" for m in every for name, field in m.model_fields.items() if not field.description})


_ALIASES = {"Id": "id", "ObjectId": "id", "Text": "text", "Note": "text", "Number": "number", "Instant": "time"}


def type_text(annotation: object) -> str:
    """A field's type in words: ``id``, ``list of id``, ``map of id to Zone``, `` `left`, `right` or `both` ``."""
    for name, alias in (*vars(_terms).items(), *vars(_limits).items()):
        if name in _ALIASES and annotation == alias:
            return _ALIASES[name]
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_text(args[0])
    if origin is typing.Literal:
        words = [f"`{str(a).lower() if isinstance(a, bool) else a}`" for a in args]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    if origin in (types.UnionType, typing.Union):
        return " or ".join(type_text(a) for a in args if a is not type(None))
    if origin in (list, tuple):
        return f"list of {type_text(args[0])}"
    if origin in (dict, Mapping):
        return f"map of {type_text(args[0])} to {type_text(args[1])}"
    simple = {str: "text", int: "whole number", float: "number", bool: "`true` or `false`", dt.datetime: "time", dt.date: "date"}
    if annotation in simple:
        return simple[annotation]  # type: ignore[index]
    return getattr(annotation, "__name__", str(annotation))


def _article(word: str) -> str:
    """``a`` or ``an`` before ``word``."""
    return "an" if word[:1] in "aeiou" else "a"


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    value = field.get_default(call_default_factory=True)
    if value is None or value in ([], {}, ()) or (isinstance(value, BaseModel) and value == type(value)()):
        return ""  # nothing, or a model of defaults only (an empty `records`)
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def _cell(text: str) -> str:
    """Text fit for a table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def table(title: str, model: type[BaseModel], only: set[str] | None = None) -> str:
    """One model's fields as a markdown table under a heading."""
    doc = " ".join((model.__doc__ or "").strip().split("\n\n")[0].split())
    rows = [f"#### {title} ({model.__name__})", "", doc, "", "| field | type | default | what it says |", "| --- | --- | --- | --- |"]
    for name, field in _fields_of(model, only):
        kind, description = (_cell(text) for text in (type_text(field.rebuild_annotation()), field.description or ""))
        rows.append(f"| `{name}` | {kind} | {_default(field)} | {description} |")
    return "\n".join(rows) + "\n"


def _path_title(path: str, root: str) -> str:
    return f"`{path}`" if path else root


def bundled_ids() -> str:
    """Each bundled rulebook's ids, by what scenarios name."""
    rows = []
    for info in truce.list_rulebooks():
        book = truce.load_rulebook(info.id)
        parts = [
            ("parties", book.parties), ("groups", book.groups), ("kinds", book.kinds), ("classes", book.classes),
            ("attributes", book.attributes), ("incident kinds", book.incident_kinds), ("zones", book.zones),
            ("areas", book.areas), ("roads", book.roads), ("readings", book.readings),
        ]
        listed = "; ".join(f"{what}: " + ", ".join(f"`{i}`" for i in ids) for what, ids in parts if ids)
        rows.append(f"- **`{book.id}`** — {listed}; clauses: " + ", ".join(f"`{c.id}`" for c in book.clauses))
    return "\n".join(rows) + "\n"


def generated() -> dict[str, str]:
    """Each generated part by marker name."""
    return {
        "rulebook-fields": "\n".join(table(_path_title(p, "the rulebook"), m) for p, m in models(truce.Rulebook)),
        "clause-fields": "\n".join(table(title, model, only) for title, model, only in clause_models())
        + "\n" + "\n".join(table(f"`{path}`", model) for path, model in _clause_parts()),
        "scenario-fields": "\n".join(table(_path_title(p, "the scenario"), m) for p, m in models(truce.Scenario)),
        "bundled-ids": bundled_ids(),
    }


def render(text: str, parts: Mapping[str, str], file: str) -> str:
    """``text`` with each marked part replaced; an unknown marker name is an error."""

    def replace(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in parts:
            raise SystemExit(f"{file}: no generated part is called {name!r} (known: {', '.join(parts)})")
        return f"{match[1]}\n{parts[name]}\n{match[4]}"

    return MARKED.sub(replace, text)


def main(argv: list[str]) -> int:
    """Rewrite the docs, or with ``--check`` report what is stale; 1 on any difference or missing description."""
    missing = missing_descriptions()
    if missing:
        print("fields without a description (give each a docstring below it):", *missing, sep="\n  ", file=sys.stderr)
        return 1
    parts, stale = generated(), []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        new = render(text, parts, str(path))
        if new != text:
            stale.append(path.relative_to(ROOT))
            if "--check" not in argv:
                path.write_text(new, encoding="utf-8")
    if stale and "--check" in argv:
        print("stale generated docs (run python scripts/docs.py):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
