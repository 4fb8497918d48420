"""Load and validate rulebooks and scenarios, reporting every problem with its place."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ._errors import Problem, RulebookError, ScenarioError, UnknownRulebookError, did_you_mean
from ._geo import zone_areas
from ._limits import FIRST_YEAR, LAST_YEAR
from ._logic import CLAUSE_OUTCOMES, IN_FORCE_OUTCOMES, VERDICT_PRECEDENCE
from ._rulebook import Rulebook
from ._scenario import Scenario
from ._source import Document, read_document, validate

__all__ = [
    "SUFFIXES",
    "RulebookInfo",
    "bundled_ids",
    "bundled_rules_dir",
    "compile_limit_problem",
    "list_rulebooks",
    "load_rulebook",
    "load_scenario",
    "read_scenario",
    "scenario_document",
    "unknown_bundled",
    "unknown_rulebook",
]

SUFFIXES = (".yaml", ".yml", ".json")
_cache: dict[tuple[str, int, int], Rulebook] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class RulebookInfo:
    """A bundled rulebook's identity, for listings."""

    id: str
    title: str
    date: str
    source: str
    path: Path


@functools.cache
def bundled_rules_dir() -> Path:
    """The folder of bundled rulebooks: inside the installed package, or the source tree's."""
    packaged = Path(str(resources.files("truce"))) / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


def _bundled() -> dict[str, Path]:
    """Bundled rulebook ids and their resolved paths, listed again only when the folder changes."""
    folder = bundled_rules_dir()
    stamp = folder.stat().st_mtime_ns if folder.is_dir() else None
    return _listing(folder, stamp)


@functools.lru_cache(maxsize=4)
def _listing(folder: Path, stamp: int | None) -> dict[str, Path]:
    return {p.stem: p.resolve() for p in sorted(folder.glob("*.yaml"))} if stamp is not None else {}


def bundled_ids() -> list[str]:
    """The ids of the bundled rulebooks, sorted."""
    return list(_bundled())


def unknown_bundled(ref: str, doc: Document, loc: tuple[str | int, ...]) -> UnknownRulebookError:
    """The error for a name that must be a bundled rulebook's id (where no file may be read) and is not."""
    return UnknownRulebookError.from_problems(
        f"unknown rulebook {ref!r}",
        [doc.problem(loc, "no bundled rulebook has this id", value=ref, suggestion=did_you_mean(ref, _bundled()))],
    )


def unknown_rulebook(ref: str, doc: Document, loc: tuple[str, ...], where: str, way_out: str) -> UnknownRulebookError:
    """The error for a rulebook reference that is neither a bundled id nor a file ``where``, with the way out."""
    close = did_you_mean(ref, _bundled())
    return UnknownRulebookError.from_problems(
        f"unknown rulebook {ref!r}",
        [
            doc.problem(
                loc,
                f"{ref!r} is neither a bundled rulebook ({', '.join(_bundled())}) nor a rulebook file {where}",
                value=ref,
                suggestion=close if close is not None and close.startswith("did you mean") else way_out,
            )
        ],
    )


def list_rulebooks() -> list[RulebookInfo]:
    """Every bundled rulebook with its title, date and first source."""
    infos = []
    for path in _bundled().values():
        book = load_rulebook(path)
        infos.append(RulebookInfo(book.id, book.title, book.date.isoformat(), book.sources[0].title, path))
    return infos


def load_rulebook(ref: str | Path) -> Rulebook:
    """A validated rulebook from a bundled id (``"idlib-2019"``) or a file path; cached per file."""
    if not isinstance(ref, str | Path):
        raise RulebookError.from_problems(
            "cannot load rulebook", [Problem("rules", f"expected a rulebook id or path, got {type(ref).__name__}")]
        )
    path = _rulebook_path(ref)
    stat = path.stat()
    key = (str(path if path.is_absolute() else path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    book = _read_rulebook(path)
    with _cache_lock:
        _cache[key] = book
    return book


def _rulebook_path(ref: str | Path) -> Path:
    bundled = _bundled()
    if isinstance(ref, str) and ref in bundled:
        return bundled[ref]
    path = Path(ref)
    if "\0" in str(path):
        raise RulebookError.from_problems(
            "no rulebook file", [Problem("rules", "the path contains a NUL byte; no file can have that name", value=str(path))]
        )
    if path.suffix in SUFFIXES or path.exists():
        if not path.is_file():
            found = "not a regular file" if path.exists() else "no such file"
            raise RulebookError.from_problems(f"no rulebook file {path}", [Problem("", found, value=str(path), file=str(path))])
        return path
    raise unknown_rulebook(str(ref), Document(None, None), ("rules",), "in the current folder", "give a rulebook file's path")


def _read_rulebook(path: Path) -> Rulebook:
    doc = read_document(path, RulebookError)
    what = f"invalid rulebook {path}"
    book: Rulebook = validate(Rulebook, doc, RulebookError, what)
    problems = _cross_references(book, doc)
    problems += _deadline_problems(book, doc)
    areas, zone_files = zone_areas(book, doc, path.parent, problems)
    if problems:
        raise RulebookError.from_problems(what, problems)
    too_many = compile_limit_problem(len(book.clauses), doc)
    if too_many is not None:
        raise RulebookError.from_problems(what, [too_many])
    book._areas.update(areas)
    book._origin = str(path)
    book._document = doc
    book._files = {path.name: doc.sha256 or "", **zone_files}
    return book


def _deadline_problems(book: Rulebook, doc: Document) -> list[Problem]:
    """Every clause's deadline, under every reading, must fall in the years rulebook times may take."""
    problems: list[Problem] = []
    for ci, clause in enumerate(book.clauses):
        variants = [((), clause), *((("readings", name), book.read_as(name)[ci][1]) for name in clause.readings)]
        for where, variant in variants:
            if variant is None or variant.stated_deadline is None:
                continue
            # a start lies in 1000-8999 and a span is at most 36,500 days and 876,000 hours: no deadline passes 9199
            if not FIRST_YEAR <= book.deadline(variant).year <= LAST_YEAR:
                problems.append(
                    doc.problem(
                        ("clauses", ci, *where, "deadline"),
                        f"the deadline falls outside the years {FIRST_YEAR} to {LAST_YEAR}",
                        suggestion="check the start and the span after it",
                    )
                )
    return problems


MAX_CLAUSES = 511
"""The most clauses a rulebook may have: durable_rules hangs, holding the GIL, on a ruleset of
``_rule_count(MAX_CLAUSES + 1)`` rules or more (one per clause outcome, in-force window and verdict)."""


def _rule_count(clauses: int) -> int:
    """How many rules ``_durable.ruleset_definition`` makes for a rulebook of ``clauses`` clauses."""
    return len(IN_FORCE_OUTCOMES) + clauses * len(CLAUSE_OUTCOMES) + len(VERDICT_PRECEDENCE)


def compile_limit_problem(count: int, doc: Document) -> Problem | None:
    """A Problem if a rulebook of ``count`` clauses has more than the decision engine can compile."""
    if count <= MAX_CLAUSES:
        return None
    return doc.problem(
        ("clauses",),
        f"a rulebook may have at most {MAX_CLAUSES} clauses, as the rule engine compiles at most "
        f"{_rule_count(MAX_CLAUSES)} rules; this one has {count} ({_rule_count(count)} rules)",
        value=count,
        suggestion="split the agreement into several rulebooks",
    )


def _cross_references(book: Rulebook, doc: Document) -> list[Problem]:
    """Every id a rulebook uses must be one it declares; each clause checks the ids it names."""
    problems: list[Problem] = []
    check = _Check(doc, problems)

    for gid, group in book.groups.items():
        if gid in book.parties:
            problems.append(doc.problem(("groups", gid), "a group may not share an id with a party", value=gid))
        for i, member in enumerate(group.members):
            check(("groups", gid, "members", i), member, book.parties, "party")
    for kid, kind in book.kinds.items():
        if kid in book.classes:
            problems.append(doc.problem(("kinds", kid), "a kind may not share an id with a class", value=kid))
        for i, cls in enumerate(kind.classes):
            check(("kinds", kid, "classes", i), cls, book.classes, "class")
    for cid, weapon_class in book.classes.items():
        for i, member_kind in enumerate(weapon_class.kinds):
            check(("classes", cid, "kinds", i), member_kind, book.kinds, "kind")
        for attribute in weapon_class.where:
            check(("classes", cid, "where", attribute), attribute, book.attributes, "attribute")
    for zid, zone in book.zones.items():
        for i, part in enumerate(zone.union or []):
            check(("zones", zid, "union", i), part, book.zones, "zone")
    defaults = [name for name, r in book.readings.items() if r.default]
    if len(defaults) > 1:
        problems.append(doc.problem(("readings",), f"only one reading may be the default, found {defaults}"))
    seen: set[str] = set()
    for ci, clause in enumerate(book.clauses):
        base: tuple[str | int, ...] = ("clauses", ci)
        if clause.id in seen:
            problems.append(doc.problem((*base, "id"), f"clause id {clause.id!r} is used twice", value=clause.id))
        seen.add(clause.id)
        for name in clause.readings:
            check((*base, "readings", name), name, book.readings, "reading")
        clause.check_references(book, check, base)
    return problems


@dataclass(frozen=True)
class _Check:
    """What clause units report their cross-reference problems to (``_clauses.Check``)."""

    doc: Document
    problems: list[Problem]

    def __call__(self, loc: tuple[str | int, ...], value: str, known: Iterable[str], what: str, /) -> None:
        """A problem if an id (``value``) is not among the ``known`` ones (of kind ``what``), with a did-you-mean."""
        options = set(known)
        if value not in options:
            self.problem(loc, f"unknown {what} {value!r}", value=value, suggestion=did_you_mean(value, options))

    def problem(self, loc: tuple[str | int, ...], message: str, *, value: object = None, suggestion: str | None = None) -> None:
        """Any other problem, at its place in the document."""
        self.problems.append(self.doc.problem(loc, message, value=value, suggestion=suggestion))


def load_scenario(source: Mapping[str, Any] | Scenario | str | Path) -> Scenario:
    """A validated Scenario from a dict, a Scenario, or a .yaml/.json path."""
    return read_scenario(source)[0]


def read_scenario(source: Mapping[str, Any] | Scenario | str | Path) -> tuple[Scenario, Document]:
    """A validated Scenario and the document it came from (for locating later problems)."""
    if isinstance(source, Scenario):
        return source, Document(None, None)
    doc = scenario_document(source)
    scenario: Scenario = validate(Scenario, doc, ScenarioError, f"invalid scenario {doc.file or ''}".strip())
    return scenario, doc


def scenario_document(source: Mapping[str, Any] | Document | str | Path) -> Document:
    """The parsed, not yet validated, scenario: a document or a dict as given, or a .yaml/.json file read safely."""
    if isinstance(source, Document):
        return source
    if isinstance(source, Mapping):
        return Document(source, None)
    if isinstance(source, str | Path):
        path = Path(source)
        if path.suffix not in SUFFIXES:
            raise ScenarioError.from_problems(
                f"not a scenario file: {path}",
                [Problem("", "expected a .yaml, .yml or .json file", value=str(path), file=str(path))],
            )
        return read_document(path, ScenarioError)
    raise ScenarioError.from_problems(
        "cannot read scenario",
        [Problem("", f"expected a dict, a Scenario or a path, got {type(source).__name__}")],
    )
