"""Lint a rulebook: what loads but is probably wrong, with the file and line of each finding.

Loading already rejects undefined ids, malformed fields and invalid or empty
geometry (a ``RulebookError`` listing every problem). The linter looks for
what is valid but suspect: ids nothing uses, kinds no clause counts, clauses
that can never apply, deadlines before the truce starts, overlapping
zones where two clauses set different limits on the same forces or acts, and
illustrative zones that do not declare their ``uncertainty_km``.
A finding that is meant is allowed by a comment on its line that names its
code and says why: ``tank: {name: tanks}  # truce: allow uncovered-kind (...)``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ._clauses import Clause, Lint, Loc
from ._errors import RulebookError
from ._load import compile_limit_problem, load_rulebook
from ._rulebook import Rulebook
from ._source import Document, read_bytes, read_document

__all__ = ["Lint", "lint_rulebook"]


def lint_rulebook(ref: str | Path) -> list[Lint]:
    """Every lint finding for a rulebook (bundled id or file), in file order.

    Raises ``RulebookError`` (listing every problem) if the rulebook does not load, except when
    its only problem is having more clauses than the rule engine can compile: that is one error lint.
    """
    try:
        book = load_rulebook(ref)
    except RulebookError as exc:
        too_many = _compile_limit(exc)
        if too_many is None:
            raise
        return [too_many]
    doc = book.document
    found = [*_unused(book, doc), *_clauses(book, doc), *_overlaps(book, doc), *_uncertain(book, doc)]
    allowed = _allowed(book.origin)
    kept = [x for x in found if x.code not in allowed.get(x.problem.line or 0, ())]
    return sorted(kept, key=lambda lint: (lint.problem.line or 0, lint.code))


_ALLOW = re.compile(r"#\s*truce:\s*allow\s+([a-z-]+(?:\s*,\s*[a-z-]+)*)")


def _allowed(origin: str | None) -> dict[int, set[str]]:
    """The finding codes a rulebook file allows, by line: ``# truce: allow CODE[, CODE] (why)`` on the line."""
    if origin is None:
        return {}
    lines = read_bytes(Path(origin)).decode("utf-8").splitlines()
    return {
        number: {code.strip() for code in found.group(1).split(",")}
        for number, line in enumerate(lines, 1)
        if (found := _ALLOW.search(line)) is not None
    }


def _compile_limit(exc: RulebookError) -> Lint | None:
    """The compile-limit error lint, if that is the one reason a rulebook did not load."""
    if len(exc.problems) != 1 or exc.file is None:
        return None
    doc = read_document(Path(exc.file), RulebookError)
    clauses = doc.data.get("clauses") if isinstance(doc.data, dict) else None
    problem = compile_limit_problem(len(clauses), doc) if isinstance(clauses, list) else None
    return Lint("too-many-clauses", "error", problem) if problem is not None and problem == exc.problems[0] else None


def _variants(book: Rulebook) -> Iterator[tuple[str, int, Clause]]:
    """Each clause as each reading has it: (reading, clause index, clause)."""
    for reading in book.readings:
        for index, (_, variant) in enumerate(book.read_as(reading)):
            if variant is not None:
                yield reading, index, variant


def _unused(book: Rulebook, doc: Document) -> Iterator[Lint]:
    used = {use for _, _, clause in _variants(book) for use in clause.uses(book)}

    def ids(section: str) -> set[str]:
        return {item for where, item in used if where == section}

    actors = ids("actors")
    members = {m for g in book.groups.values() for m in g.members}
    bound = {m for actor in actors for m in book.members(actor)}
    reported = {g for g, group in book.groups.items() if bound & set(group.members)}  # a unit of the group may count
    counted = ids("kinds")
    zones = ids("zones")
    zones |= {part for z in zones for part in book.zones[z].union or ()}
    default = book.read_as(book.default_reading)
    differing = {r for r in book.readings if book.read_as(r) != default}

    def unused(section: str, ids: Iterable[str], used: set[str], message: str) -> Iterator[Lint]:
        for item in ids:
            if item not in used:
                yield Lint("unused-id", "warning", doc.problem((section, item), message, value=item))

    yield from unused(
        "parties", book.parties, actors | members, "no clause or group names this party: no term binds it"
    )
    yield from unused("groups", book.groups, actors | reported, "no clause binds this group or any of its members")
    yield from unused(
        "incident_kinds", book.incident_kinds, ids("incident_kinds"), "no clause forbids this kind of incident: it never counts"
    )
    yield from unused("zones", book.zones, zones, "no clause uses this zone, alone or in a union")
    for section, what, declared in (("roads", "road", book.roads), ("posts", "post", book.posts), ("areas", "area", book.areas)):
        yield from unused(section, declared, ids(section), f"no clause names this {what}: records of it never count")
    in_a_kind = {c for kind in book.kinds.values() for c in kind.classes}
    yield from unused(
        "classes", book.classes, in_a_kind | ids("classes"), "no kind falls in this class and no clause names it"
    )
    for kind in book.kinds:
        if kind not in counted:
            yield Lint(
                "uncovered-kind",
                "warning",
                doc.problem(
                    ("kinds", kind),
                    "no clause counts this kind under any reading: units of it never matter",
                    value=kind,
                    suggestion="put it in a class a clause names, or name it in a clause's forces",
                ),
            )
    if len(book.readings) > 1:
        yield from unused(
            "readings",
            book.readings,
            differing | {book.default_reading},
            "every clause reads as under the default reading",
        )


def _clauses(book: Rulebook, doc: Document) -> Iterator[Lint]:
    start, end = book.in_force.start, book.in_force.end
    for index, clause in enumerate(book.clauses):
        base: Loc = ("clauses", index)
        if all(book.read_as(r)[index][1] is None for r in book.readings):
            yield Lint(
                "never-applies", "error", doc.problem(base, "the clause applies under no reading", value=clause.id)
            )
        if clause.stated_deadline is not None and book.deadline(clause) < start:
            yield Lint(
                "deadline-before-start",
                "warning",
                doc.problem(
                    (*base, "deadline"),
                    f"the deadline is before the truce starts ({start.isoformat()}): the clause is due from the start",
                    value=book.deadline(clause).isoformat(),
                    suggestion="check the date; if an earlier agreement set it, say so in the clause's note",
                ),
            )
    for reading, index, variant in _variants(book):
        loc = _where(book, index, reading)
        if end is not None and variant.stated_deadline is not None and book.deadline(variant) >= end:
            yield Lint(
                "never-applies",
                "error",
                doc.problem(
                    (*loc, "deadline"), f"under reading {reading!r} the deadline falls after the truce ends: never due"
                ),
            )
        yield from variant.lint(book, doc, loc, reading)


def _uncertain(book: Rulebook, doc: Document) -> Iterator[Lint]:
    """Illustrative zones that do not say how far their true edge may lie from the drawn one."""
    for zone_id, zone in book.zones.items():
        if zone.illustrative and zone.uncertainty_km is None:
            yield Lint(
                "illustrative-without-uncertainty",
                "error",
                doc.problem(
                    ("zones", zone_id, "illustrative"),
                    "an illustrative zone must say how far its true edge may lie from the drawn one",
                    suggestion="add uncertainty_km: the km by which the real line may differ (truce robustness moves the edge by it)",
                ),
            )


def _where(book: Rulebook, index: int, reading: str) -> Loc:
    """The field path of a clause, or of its override under a reading if it has one."""
    base: Loc = ("clauses", index)
    return (*base, "readings", reading) if reading in book.clauses[index].readings else base


def _overlaps(book: Rulebook, doc: Document) -> Iterator[Lint]:
    """Clauses on overlapping zones that bind the same parties and count the same things with different limits."""
    seen: set[tuple[str, str]] = set()
    for reading in book.readings:
        located = [(i, c) for r, i, c in _variants(book) if r == reading and c.zone_id is not None]
        for (i, a), (j, b) in itertools.combinations(located, 2):
            if (a.id, b.id) in seen or a.limit == b.limit:
                continue
            assert a.zone_id is not None and b.zone_id is not None
            zone_a, zone_b = book.geometry(a.zone_id), book.geometry(b.zone_id)
            overlap = zone_a.intersection(zone_b).area > _SLIVER * min(zone_a.area, zone_b.area)
            shared = a.counted(book) & b.counted(book)
            parties = _members(book, a) & _members(book, b)
            if overlap and shared and parties and _same_units(book, a, b, shared):
                seen.add((a.id, b.id))
                yield Lint(
                    "contradictory-zones",
                    "error",
                    doc.problem(
                        _where(book, j, reading),
                        f"zones {a.zone_id!r} and {b.zone_id!r} overlap; there clause {a.id!r} allows at most {a.limit} "
                        f"and clause {b.id!r} at most {b.limit} of {sorted(shared)} for {sorted(parties)}",
                        suggestion=f"make the zones meet without overlapping (see clause {a.id!r}, line "
                        f"{doc.problem(_where(book, i, reading), '').line})",
                    ),
                )


_SLIVER = 1e-4  # zones drawn to meet share an edge; overlap below this share of the smaller one is drawing noise


def _same_units(book: Rulebook, a: Clause, b: Clause, shared: frozenset[str]) -> bool:
    """Whether some unit could count under both clauses: a shared kind whose classes in them admit
    the same attribute values (artillery up to 122 mm and over 122 mm never do). Incidents always can."""
    if any(k not in book.kinds for k in shared):
        return True
    return any(
        _compatible(book, x, y)
        for kind in shared
        for x in a.classes_for(book, kind)
        for y in b.classes_for(book, kind)
    )


def _compatible(book: Rulebook, x: str, y: str) -> bool:
    """Whether the attribute bounds of two classes (a kind has none) leave some value in common."""
    first = book.classes[x].where if x in book.classes else {}
    second = book.classes[y].where if y in book.classes else {}
    for attribute in first.keys() & second.keys():
        p, q = first[attribute], second[attribute]
        lows = [(v, True) for v in (p.min, q.min) if v is not None] + [(v, False) for v in (p.above, q.above) if v is not None]
        highs = [(v, True) for v in (p.max, q.max) if v is not None] + [(v, False) for v in (p.below, q.below) if v is not None]
        if lows and highs:
            low, high = max(lows, key=lambda b: (b[0], not b[1])), min(highs, key=lambda b: (b[0], b[1]))
            if low[0] > high[0] or (low[0] == high[0] and not (low[1] and high[1])):
                return False
    return True


def _members(book: Rulebook, clause: Clause) -> frozenset[str]:
    return frozenset(m for actor in clause.parties for m in book.members(actor))
