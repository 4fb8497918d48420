"""Reading YAML/JSON documents safely, keeping the line of every field for errors."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from ._errors import Invalid, Problem, TruceError, did_you_mean

Lines = dict[tuple[str | int, ...], int]

_MAX_BYTES = 8 * 1024 * 1024
_MAX_NODES = 1_000_000
_MAX_DEPTH = 200
_MAX_INT_BITS = 14_000
"""About 4,200 decimal digits: larger integers cannot even be printed (Python's 4,300-digit limit)."""
_TIME_EXAMPLE = "a real date and time with a zone, e.g. 2019-08-03T12:00:00+03:00"


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, except that an impossible date or time, or an integer too large to use,
    becomes a Problem (collected in ``bad``) instead of an exception from deep in the constructor."""

    bad: list[tuple[yaml.Node, str, str]]

    def _timestamp(self, node: yaml.Node) -> object:
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            reason = "the offset from UTC must lie strictly between -24:00 and +24:00" if "offset" in str(exc) else str(exc)
            self.bad.append((node, f"not a valid date or time: {reason}", f"give {_TIME_EXAMPLE}"))
            return node.value

    def _int(self, node: yaml.Node) -> object:
        try:
            value = self.construct_yaml_int(node)
        except (ValueError, OverflowError):
            value = None
        if not isinstance(value, int) or value.bit_length() > _MAX_INT_BITS:
            self.bad.append((node, "integer too large to use", "give a number of ordinary size"))
            return 0
        return value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader._timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader._int)


class _TextTimes(_Loader):
    """The loader above, except that dates and times stay the text written, as JSON holds them."""


_TextTimes.add_constructor("tag:yaml.org,2002:timestamp", _TextTimes.construct_scalar)


class Document:
    """Parsed data plus where each field came from."""

    def __init__(self, data: object, file: str | None, lines: Lines | None = None) -> None:
        self.data = data
        self.file = file
        self.lines: Lines = lines or {}
        self.sha256: str | None = None
        """The SHA-256 of the file's bytes, for a document read from a file."""

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


def read_document(path: Path, error: type[TruceError], *, times_as_text: bool = False) -> Document:
    """Read a .yaml/.yml/.json file into a Document, or raise ``error`` naming the file; ``times_as_text``
    keeps dates and times as the text written."""
    name = str(path)
    try:
        raw = read_bytes(path)
    except ValueError as exc:
        raise error.from_problems(f"cannot read {name}", [Problem("", str(exc), file=name)]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error.from_problems(
            f"{name} is not text",
            [Problem("", f"not UTF-8 text (byte {exc.start})", file=name, suggestion="save the file as UTF-8")],
        ) from None
    doc = parse_text(text, name, error, times_as_text=times_as_text)
    doc.sha256 = hashlib.sha256(raw).hexdigest()
    return doc


NOT_REGULAR = "not a regular file (a folder, a FIFO or a device?)"


def open_regular(path: Path) -> tuple[int, os.stat_result]:
    """A descriptor of a regular file, and its status; a ValueError saying why not otherwise.

    The file is opened without blocking and checked to be a regular file before anything reads
    it, so a FIFO, a device or a folder is refused instead of hanging or streaming forever.
    """
    if "\0" in str(path):
        raise ValueError("the file name contains a NUL byte; no file can have that name")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise ValueError(f"cannot read file: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ValueError(NOT_REGULAR)
    return fd, info


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular file of at most ``_MAX_BYTES``; a ValueError saying why not otherwise."""
    fd, _ = open_regular(path)
    try:
        with os.fdopen(fd, "rb", closefd=False) as stream:
            raw = stream.read(_MAX_BYTES + 1)
    except OSError as exc:
        raise ValueError(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(raw) > _MAX_BYTES:
        raise ValueError(f"file is over the limit of {_MAX_BYTES} bytes; pass a dict, or split the state")
    return raw


def parse_text(text: str, file: str, error: type[TruceError], *, times_as_text: bool = False) -> Document:
    """Parse YAML (JSON is YAML) with safe constructors only; reject duplicate keys.

    Aliases are expanded while counting, so an alias bomb or a recursive anchor
    fails after ``_MAX_NODES`` values instead of exhausting memory.
    """
    loader = None
    try:
        loader = (_TextTimes if times_as_text else _Loader)(text)
        node = loader.get_single_node()
        if node is None:
            data: object = None
            lines: Lines = {}
        else:
            lines = {}
            places: dict[int, tuple[str | int, ...]] = {}
            duplicates: list[Problem] = []
            too_large = _index(node, lines, places, duplicates, file)
            if too_large is not None:
                raise error.from_problems(f"{file} is too large", [too_large])
            if duplicates:
                raise error.from_problems(f"{file} has duplicate keys", duplicates)
            loader.bad = []
            data = loader.construct_document(node)
            if loader.bad:
                problems = [
                    Problem(
                        dotted(places.get(id(bad), ())), message, value=_clip(bad.value), suggestion=hint,
                        file=file, line=bad.start_mark.line + 1,
                    )
                    for bad, message, hint in sorted(loader.bad, key=lambda entry: entry[0].start_mark.index)
                ]
                raise error.from_problems(f"{file} has values that cannot be read", problems)
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


def _clip(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:20]}...{text[-10:]} ({len(text)} characters)"


def _index(
    root: yaml.Node,
    lines: Lines,
    places: dict[int, tuple[str | int, ...]],
    duplicates: list[Problem],
    file: str,
) -> Problem | None:
    """Record each field's line (its key's, for a mapping value), each node's field path (in ``places``)
    and every duplicate key, walking aliases as expanded; a Problem if over budget."""
    stack: list[tuple[yaml.Node, tuple[str | int, ...], int]] = [(root, (), root.start_mark.line + 1)]
    seen_nodes = 0
    while stack:
        node, loc, line = stack.pop()
        seen_nodes += 1
        if seen_nodes > _MAX_NODES or len(loc) > _MAX_DEPTH:
            limit = f"more than {_MAX_NODES} values" if seen_nodes > _MAX_NODES else f"nested deeper than {_MAX_DEPTH}"
            return Problem(dotted(loc), f"document too large: {limit} (aliases count as expanded)", file=file, line=line)
        lines[loc] = line
        places.setdefault(id(node), loc)
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
                places.setdefault(id(key_node), (*loc, key))
                children.append((value_node, (*loc, key), key_node.start_mark.line + 1))
        elif isinstance(node, yaml.SequenceNode):
            children = [(item, (*loc, i), item.start_mark.line + 1) for i, item in enumerate(node.value)]
        stack.extend(reversed(children))
    return None


def validation_problems(exc: ValidationError, doc: Document, model: type[BaseModel]) -> list[Problem]:
    """Every pydantic error of validating ``doc.data`` as ``model``, as a Problem with file, line, path
    and the bad value; an unknown field gets the nearest field name there, or the list of them."""
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = _field_path(err["loc"], doc.data)
        message, suggestion = err["msg"], None
        if err["type"] == "extra_forbidden":  # the last part is the unknown key itself, whatever it looks like
            loc = (*_field_path(err["loc"][:-1], doc.data), err["loc"][-1])
            message = "unknown field; a typo here would silently drop data"
            fields = _fields_at(model, loc[:-1], doc.data)
            clause_reading = len(loc) == 5 and loc[0] == "clauses" and loc[2] == "readings"  # clauses[i].readings.r.field
            if clause_reading and loc[-1] in _fields_at(model, loc[:2], doc.data):
                message = f"a reading cannot change the clause's {loc[-1]!r}"  # a field of the clause, not of its readings
                problems.append(doc.problem(loc, message, suggestion=f"a reading of it may give {', '.join(fields)}"))
                continue
            if fields:
                problems.append(doc.problem(loc, message, suggestion=did_you_mean(loc[-1], fields)))
                continue
        elif err["type"] == "value_error":
            error = err.get("ctx", {}).get("error", message)
            message, suggestion = str(error), error.suggestion if isinstance(error, Invalid) else None
        value = err.get("input")
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            # a missing or unknown tag: point at the field that should hold it
            loc, value = (*loc, str(err["ctx"]["discriminator"]).strip("'")), err["ctx"].get("tag")
            message = "Field required" if value is None else message
        if all(p.path != dotted(loc) for p in problems):  # each branch of a union reports; the first says most
            problems.append(doc.problem(loc, message, value=value if _is_scalar(value) else None, suggestion=suggestion))
    return problems


def _field_path(loc: tuple[str | int, ...], data: object) -> tuple[str | int, ...]:
    """A pydantic error location without the parts naming a union member rather than a field:
    pydantic's own (``function-after[...]``), a model's class name (``AfterStart``), and a tagged
    union's tag (a value the data holds there)."""
    kept: list[str | int] = []
    node = data
    for part in loc:
        field = isinstance(node, Mapping) and part in node
        member = not field and ((isinstance(node, Mapping) and part in node.values()) or str(part)[:1].isupper())
        if _is_union_tag(part) or member:
            continue
        kept.append(part)
        node = _child(node, part)
    return tuple(kept)


def _child(node: object, part: str | int) -> object:
    """The value at key or index ``part`` of a mapping or list (None where there is none)."""
    if isinstance(node, Mapping):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
        return node[part]
    return None


def validate(model: type[_M], doc: Document, error: type[TruceError], what: str) -> _M:
    """Validate ``doc.data`` with a pydantic model, turning errors into ``error``."""
    if not isinstance(doc.data, Mapping):
        found = type(doc.data).__name__ if doc.data is not None else "an empty document"
        raise error.from_problems(what, [doc.problem((), f"expected a mapping of fields, found {found}")])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise error.from_problems(what, validation_problems(exc, doc, model)) from None


_M = typing.TypeVar("_M", bound=BaseModel)


def _fields_at(model: type[BaseModel], loc: tuple[str | int, ...], data: object) -> list[str]:
    """The field names the model expects in the mapping at ``loc`` of ``data`` (of the member a
    ``type`` tag picks, in a union of models), or none where that is not a model."""
    kinds: list[object] = [model]
    node = data
    for part in loc:
        kinds = [inner for kind in _tagged(kinds, node) for inner in _inside(kind, part)]
        node = _child(node, part)
    return sorted({field for m in _tagged(kinds, node) if isinstance(m, type) and issubclass(m, BaseModel) for field in m.model_fields})


def _tagged(kinds: list[object], node: object) -> list[object]:
    """The alternatives the ``type`` tag of the mapping ``node`` picks among ``kinds`` (all, where it picks none): a
    field of a clause is looked for in that clause type's model only, its readings' in that type's readings."""
    tag = node.get("type") if isinstance(node, Mapping) else None
    picked: list[object] = [k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel) and "type" in k.model_fields
                            and tag in get_args(k.model_fields["type"].annotation)]  # fmt: skip
    return picked or kinds


def _inside(kind: object, part: str | int) -> list[object]:
    """The types a value of ``kind`` holds at key or index ``part``."""
    found: list[object] = []
    for option in _options(kind):
        origin = get_origin(option)
        if isinstance(option, type) and issubclass(option, BaseModel):
            field = option.model_fields.get(str(part))
            found += _options(field.annotation) if field else []
        elif origin in (list, tuple, Sequence) and isinstance(part, int):
            found += _options(get_args(option)[0])
        elif origin in (dict, Mapping) and isinstance(part, str):
            found += _options(get_args(option)[-1])
    return found


def _options(kind: object) -> list[object]:
    """A type with its Annotated wrappers and unions undone: the alternatives it allows."""
    if get_origin(kind) is typing.Annotated:
        return _options(get_args(kind)[0])
    if get_origin(kind) in (typing.Union, types.UnionType):
        return [inner for arg in get_args(kind) for inner in _options(arg)]
    return [kind]


def _is_union_tag(part: object) -> bool:
    return isinstance(part, str) and (part.startswith("function-") or "[" in part)


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool | dt.date)
