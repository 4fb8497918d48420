"""Reading YAML/JSON documents safely, keeping the line of every field for errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ._errors import Problem, TruceError

Lines = dict[tuple[str | int, ...], int]

_MAX_BYTES = 8 * 1024 * 1024
_MAX_NODES = 1_000_000
_MAX_DEPTH = 200
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Document:
    """Parsed data plus where each field came from."""

    def __init__(self, data: object, file: str | None, lines: Lines | None = None) -> None:
        self.data = data
        self.file = file
        self.lines: Lines = lines or {}

    def problem(self, loc: tuple[str | int, ...], message: str, **extra: Any) -> Problem:
        """A Problem located at field path ``loc`` of this document."""
        line = None
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                break
        return Problem(path=dotted(loc), message=message, file=self.file, line=line, **extra)


def dotted(loc: tuple[str | int, ...]) -> str:
    """``('units', 3, 'position')`` -> ``units[3].position``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_document(path: Path, error: type[TruceError]) -> Document:
    """Read a .yaml/.yml/.json file into a Document, or raise ``error`` naming the file."""
    name = str(path)
    try:
        with path.open("rb") as stream:
            raw = stream.read(_MAX_BYTES + 1)
    except OSError as exc:
        raise error.from_problems(
            f"cannot read {name}", [Problem("", f"cannot read file: {exc.strerror or exc}", file=name)]
        ) from None
    if len(raw) > _MAX_BYTES:
        raise error.from_problems(
            f"{name} is too large",
            [Problem("", f"file is over the limit of {_MAX_BYTES} bytes", file=name, suggestion="pass a dict, or split the state")],
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error.from_problems(
            f"{name} is not text",
            [Problem("", f"not UTF-8 text (byte {exc.start})", file=name, suggestion="save the file as UTF-8")],
        ) from None
    return parse_text(text, name, error)


def parse_text(text: str, file: str, error: type[TruceError]) -> Document:
    """Parse YAML (JSON is YAML) with safe constructors only; reject duplicate keys.

    Aliases are expanded while counting, so an alias bomb or a recursive anchor
    fails after ``_MAX_NODES`` values instead of exhausting memory.
    """
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            data: object = None
            lines: Lines = {}
        else:
            lines = {}
            duplicates: list[Problem] = []
            too_large = _index(node, (), lines, duplicates, file)
            if too_large is not None:
                raise error.from_problems(f"{file} is too large", [too_large])
            if duplicates:
                raise error.from_problems(f"{file} has duplicate keys", duplicates)
            data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        msg = f"{exc.problem or exc.context or 'invalid YAML'}"
        raise error.from_problems(f"{file} is not valid YAML", [Problem("", msg, file=file, line=line)]) from None
    except yaml.YAMLError as exc:
        raise error.from_problems(f"{file} is not valid YAML", [Problem("", str(exc), file=file)]) from None
    except RecursionError:
        raise error.from_problems(f"{file} is nested too deeply", [Problem("", "too deeply nested", file=file)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return Document(data, file, lines)


def _index(
    root: yaml.Node, loc: tuple[str | int, ...], lines: Lines, duplicates: list[Problem], file: str
) -> Problem | None:
    """Record each field's line (its key's, for a mapping value) and every duplicate key, walking aliases
    as expanded; a Problem if over budget."""
    stack: list[tuple[yaml.Node, tuple[str | int, ...], int]] = [(root, loc, root.start_mark.line + 1)]
    seen_nodes = 0
    while stack:
        node, loc, line = stack.pop()
        seen_nodes += 1
        if seen_nodes > _MAX_NODES or len(loc) > _MAX_DEPTH:
            limit = f"more than {_MAX_NODES} values" if seen_nodes > _MAX_NODES else f"nested deeper than {_MAX_DEPTH}"
            return Problem(dotted(loc), f"document too large: {limit} (aliases count as expanded)", file=file, line=line)
        lines[loc] = line
        children: list[tuple[yaml.Node, tuple[str | int, ...], int]] = []
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in keys:
                    duplicates.append(
                        Problem(
                            dotted((*loc, key)),
                            "key appears twice; the second would silently replace the first",
                            file=file,
                            line=key_node.start_mark.line + 1,
                            suggestion="keep one",
                        )
                    )
                keys.add(key)
                children.append((value_node, (*loc, key), key_node.start_mark.line + 1))
        elif isinstance(node, yaml.SequenceNode):
            children = [(item, (*loc, i), item.start_mark.line + 1) for i, item in enumerate(node.value)]
        stack.extend(reversed(children))
    return None


def validation_problems(exc: ValidationError, doc: Document, prefix: tuple[str | int, ...] = ()) -> list[Problem]:
    """Every pydantic error as a Problem with file, line, path and the bad value."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = (*prefix, *_field_path(err["loc"], doc.data))
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field; a typo here would silently drop data"
        value = err.get("input")
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            # a missing or unknown tag: point at the field that should hold it
            loc, value = (*loc, str(err["ctx"]["discriminator"]).strip("'")), err["ctx"].get("tag")
            message = "Field required" if value is None else message
        problems.append(doc.problem(loc, message, value=value if _is_scalar(value) else None))
    return problems


def _field_path(loc: tuple[str | int, ...], data: object) -> tuple[str | int, ...]:
    """A pydantic error location without the parts naming a union member rather than a field:
    pydantic's own (``function-after[...]``) and a tagged union's tag (a value the data holds there)."""
    kept: list[str | int] = []
    node = data
    for part in loc:
        if _is_union_tag(part) or (isinstance(node, Mapping) and part not in node and part in node.values()):
            continue
        kept.append(part)
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(kept)


def validate(model: Callable[[Any], Any], doc: Document, error: type[TruceError], what: str) -> Any:
    """Validate ``doc.data`` with a pydantic model, turning errors into ``error``."""
    if not isinstance(doc.data, Mapping):
        found = type(doc.data).__name__ if doc.data is not None else "an empty document"
        raise error.from_problems(what, [doc.problem((), f"expected a mapping of fields, found {found}")])
    try:
        return model(doc.data)
    except ValidationError as exc:
        raise error.from_problems(what, validation_problems(exc, doc)) from None


def _is_union_tag(part: object) -> bool:
    return isinstance(part, str) and (part.startswith("function-") or "[" in part)


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool | dt.date)
