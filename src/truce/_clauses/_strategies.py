"""Hypothesis strategies for the scenario parts clause types need (imported only when generating)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from .._geo import KM_PER_DEGREE
from .._scenario import SITE_STATUS
from .._terms import AfterMet
from ..strategies import instants, places, positions

if TYPE_CHECKING:
    from .._rulebook import Rulebook

Records = st.SearchStrategy[list[dict[str, Any]]]


def _ids(prefix: str) -> st.SearchStrategy[str]:
    return st.integers(0, 10**6).map(lambda n: f"{prefix}-{n}")


def _actors(book: Rulebook) -> list[str]:
    return sorted(set(book.parties) | set(book.groups))


def _located(fields: dict[str, st.SearchStrategy[Any]], book: Rulebook) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(lambda item, place: {**item, **place}, st.fixed_dictionaries(fields), places(book))


def units(book: Rulebook, size: int) -> Records:
    """Up to ``size`` units with unique ids, of any declared party or group and kind; where the rulebook says
    when a sighting goes stale, or a deadline counts from a clause being met, some seen at a time (``observed``)
    that long (or a moment less, or twice as long) before the instants evaluated."""
    fields: dict[str, st.SearchStrategy[Any]] = {
        "id": _ids("u"),
        "party": st.sampled_from(_actors(book)),
        "kind": st.sampled_from(sorted(book.kinds)),
        "count": st.one_of(st.integers(0, 3), st.integers(0, 500)),
    }
    located = _located(fields, book)
    aimed = _aimed(book)
    if aimed is not None:
        located = st.one_of(located, aimed)
    tolerances = _tolerances(book)
    if tolerances:
        located = st.builds(_with_baseline, located, _baselines(book, tolerances))
    spans = _spans(book)
    if spans:
        ages = sorted({age for span in spans for age in (timedelta(0), span, span - timedelta(seconds=1), 2 * span)})
        seen = st.builds(lambda base, age: (base - age).isoformat(), instants(book), st.sampled_from(ages))
        dated = st.one_of(st.just({}), seen.map(lambda observed: {"observed": observed}))
        located = st.builds(lambda unit, observed: {**unit, **observed}, located, dated)
    return st.lists(located, max_size=size, unique_by=lambda u: u["id"])


def _tolerances(book: Rulebook) -> list[float]:
    """The tolerance of every freeze of the rulebook, in any reading."""
    from .freeze import Freeze  # noqa: PLC0415 - the clause module imports this one lazily

    return sorted({c.tolerance_km for r in book.readings for _, c in book.read_as(r) if isinstance(c, Freeze)})


def _aimed(book: Rulebook) -> st.SearchStrategy[dict[str, Any]] | None:
    """Units a freeze or a mandate of the rulebook binds (of its parties and forces, standing in its zone, on its
    edge with an uncertainty that straddles it, elsewhere or nowhere known), so that what decides those clauses
    is drawn often, not by luck; None without one."""
    from .freeze import Freeze  # noqa: PLC0415 - the clause modules import this one lazily
    from .mandate import Mandate  # noqa: PLC0415

    clauses = list({repr(c): c for r in book.readings for _, c in book.read_as(r) if isinstance(c, Freeze | Mandate)}.values())
    if not clauses:
        return None

    def bound(clause: Freeze | Mandate) -> st.SearchStrategy[dict[str, Any]]:
        kinds = sorted(k for k in book.kinds if clause.forces == "all" or book.classes_of(k) & set(clause.forces))
        where: st.SearchStrategy[dict[str, Any]] = st.one_of(st.just({}), places(book))
        if clause.zone is not None:
            zone = book.geometry(clause.zone)
            inside, edge = zone.representative_point(), zone.boundary.interpolate(0.5, normalized=True)
            where = st.one_of(st.just({"position": {"lat": inside.y, "lon": inside.x}}),
                              st.just({"position": {"lat": edge.y, "lon": edge.x}, "uncertainty_km": 5.0}), where)
        fields = {"id": _ids("f"), "party": st.sampled_from(sorted(clause.parties)), "kind": st.sampled_from(kinds),
                  "count": st.integers(1, 3)}
        return st.builds(lambda unit, place: {**unit, **place}, st.fixed_dictionaries(fields), where)

    return st.sampled_from(clauses).flatmap(bound)


def _baselines(book: Rulebook, tolerances: list[float]) -> st.SearchStrategy[dict[str, Any] | None]:
    """No baseline, or a shift (km north and east, and an uncertainty) from where a unit stands to where it stood:
    none, within, at, just beyond and well beyond each tolerance; and a place for a unit placed nowhere known."""
    distances = sorted({d for t in tolerances for d in (0.0, t / 2, t, t + 0.01, 3 * t + 1)})
    shift = st.fixed_dictionaries({
        "km": st.sampled_from(distances), "north": st.booleans(), "uncertainty_km": st.one_of(st.none(), st.sampled_from(distances)),
        "anywhere": positions(book).filter(lambda p: p is not None),
    })
    return st.one_of(st.none(), shift)


def _with_baseline(unit: dict[str, Any], shift: dict[str, Any] | None) -> dict[str, Any]:
    """A unit with a baseline ``shift`` from its position (from ``anywhere`` without one), or as it is."""
    if shift is None:
        return unit
    place = unit.get("position") or shift["anywhere"]
    degrees = shift["km"] / KM_PER_DEGREE
    lat, lon = (place["lat"] + degrees, place["lon"]) if shift["north"] else (place["lat"], place["lon"] + degrees)
    baseline = {"lat": max(-90.0, min(90.0, lat)), "lon": max(-180.0, min(180.0, lon))}
    if shift["uncertainty_km"] is not None:
        baseline["uncertainty_km"] = shift["uncertainty_km"]
    return {**unit, "baseline": baseline}


def _spans(book: Rulebook) -> list[timedelta]:
    """How long a sighting stays fresh, and each span a deadline runs after a clause is met, in any reading."""
    spans = [book.stale_after.delta] if book.stale_after is not None else []
    for reading in book.readings:
        for _, clause in book.read_as(reading):
            deadline = clause.stated_deadline if clause is not None else None
            if isinstance(deadline, AfterMet):
                spans.append(deadline.within.delta)
    return spans


def _origins(book: Rulebook) -> st.SearchStrategy[dict[str, Any]]:
    """Where an incident was launched from: nothing said, or a position (in a zone, near an edge, far away)
    with or without an uncertainty."""
    origin = st.builds(
        lambda point, uncertainty: {**point, **({} if uncertainty is None else {"uncertainty_km": uncertainty})},
        positions(book).filter(lambda p: p is not None),
        st.one_of(st.none(), st.floats(0, 60)),
    )
    return st.one_of(st.just({}), origin.map(lambda o: {"origin": o}))


def perpetrators(book: Rulebook) -> st.SearchStrategy[str | list[str] | None]:
    """Who carried out an incident: no one known, any declared party or group, or 2 or 3 candidates."""
    actors = _actors(book)
    return st.one_of(st.none(), st.sampled_from(actors), st.lists(st.sampled_from(actors), min_size=2, max_size=3, unique=True))


def incidents(book: Rulebook, size: int) -> Records:
    """Up to ``size`` incidents with unique ids, around the truce's key instants, by anyone, candidates or no
    one known, landed anywhere (or nowhere known) and sometimes with the place they were launched from."""
    fields: dict[str, st.SearchStrategy[Any]] = {
        "id": _ids("i"),
        "time": instants(book).map(datetime.isoformat),
        "kind": st.sampled_from(sorted(book.incident_kinds)),
        "by": perpetrators(book),
        "fatalities": st.one_of(st.none(), st.integers(0, 50)),
    }
    located = st.builds(lambda item, origin: {**item, **origin}, _located(fields, book), _origins(book))
    return st.lists(located, max_size=size, unique_by=lambda i: i["id"])


def areas(book: Rulebook) -> Records:
    """Control records for some of the rulebook's named areas: held by anyone, or by no one known."""
    record = st.fixed_dictionaries(
        {"id": st.sampled_from(sorted(book.areas)), "controlled_by": st.one_of(st.none(), st.sampled_from(_actors(book)))}
    )
    return st.lists(record, max_size=len(book.areas), unique_by=lambda a: a["id"])


def _obligations(book: Rulebook) -> list[Any]:
    """Every obligation of the rulebook, as each reading has it."""
    from .obligation import Obligation  # noqa: PLC0415 - the clause module imports this one lazily

    return [c for r in book.readings for _, c in book.read_as(r) if isinstance(c, Obligation)]


def _record_times(book: Rulebook, since: list[datetime], every: list[timedelta], size: int) -> st.SearchStrategy[list[str]]:
    """Times of up to ``size`` records: around the truce's key instants, or a series at one of the ``every`` spans
    (a little under or over it) from one of them or from when records start to count (``since``), so stretches
    both within and beyond what is allowed occur."""
    scattered = st.lists(instants(book), max_size=size)
    steps = [d * f for d in every or [timedelta(days=2)] for f in (0.5, 0.99, 1.01)]
    bases = st.one_of(instants(book), st.sampled_from(since).map(lambda t: t + timedelta(hours=1)))
    series = st.builds(lambda base, step, n: [base + step * k for k in range(n)], bases, st.sampled_from(steps),
                       st.integers(1, max(1, size)))
    return st.one_of(scattered, series).map(lambda times: [t.isoformat() for t in times])


def records(book: Rulebook, size: int) -> st.SearchStrategy[dict[str, Any]]:
    """Records of each kind the rulebook's obligations read, each kind given (with or without a complete period)
    or left out (so not assessed): patrols and inspections by the parties bound or others, along the roads or
    of the zone named or not; the status of the roads or posts named, kept or not."""
    obligations = _obligations(book)
    actors = _actors(book)
    kinds: dict[str, st.SearchStrategy[dict[str, Any]]] = {}
    for kind in sorted({o.records for o in obligations}):
        bound = [sorted(o.parties) for o in obligations if o.records == kind]
        every = [o.every.delta for o in obligations if o.records == kind and o.every is not None]
        since = [o.counts_from(book) for o in obligations if o.records == kind]
        roads = sorted({r for o in obligations for r in o.roads} | set(book.roads))
        site = SITE_STATUS.get(kind)
        sites = sorted({r for o in obligations if o.records == kind for r in o._named()} | set(getattr(book, kind, {})))
        zones = sorted({o.zone for o in obligations if o.zone} | set(book.zones))
        fields: dict[str, st.SearchStrategy[Any]] = {}
        if site is not None:
            fields = {site.site_field: st.sampled_from(sites), "status": st.sampled_from(site.statuses)}
        else:
            fields = {"parties": st.one_of(st.sampled_from(bound), st.lists(st.sampled_from(actors), min_size=1, max_size=2, unique=True))}
            where = {"patrols": ("road", roads), "inspections": ("zone", zones)}[kind]
            if where[1]:
                fields[where[0]] = st.one_of(st.none(), st.sampled_from(where[1]))
        entries = st.builds(
            lambda times, rows: [{"id": f"r-{i}", "time": t, **{k: v for k, v in row.items() if v is not None}}
                                 for i, (t, row) in enumerate(zip(times, rows, strict=False))],
            _record_times(book, since, every, size), st.lists(st.fixed_dictionaries(fields), min_size=size, max_size=size),
        )
        if site is not None:  # every site's status as seen at one moment, a while before some key instant: kept but for some
            snapshot = st.builds(
                lambda at, back, odd, field=site.site_field, kept=site.statuses[0], sites=sites: [
                    {"id": f"s-{i}", "time": (at - back).isoformat(), field: name, "status": odd.get(name, kept)}
                    for i, name in enumerate(sites) if odd.get(name, kept) is not None],
                instants(book), st.integers(0, 40 * 24 * 3600).map(lambda s: timedelta(seconds=s)),
                st.one_of(st.just({}), st.dictionaries(st.sampled_from(sites), st.sampled_from([site.statuses[1], None]),
                                                       min_size=1, max_size=len(sites))),
            )
            entries = st.one_of(entries, snapshot)
        around = st.builds(lambda a, span: {"start": a.isoformat(), "end": (a + span).isoformat()}, instants(book),
                           st.sampled_from([timedelta(days=d) for d in (1, 10, 30, 90, 400)]))
        whole = st.just({"start": book.in_force.start.isoformat(), "end": (book.in_force.start + timedelta(days=2000)).isoformat()})
        complete = st.one_of(around, whole)
        kinds[kind] = st.builds(lambda rows, period: {"entries": rows, **({"complete": period} if period else {})},
                                entries, st.one_of(st.none(), complete))
    kinds.update(_leave(book, actors))
    kinds.update(_objections(book, actors))
    given = {kind: st.one_of(strategy, st.none()) for kind, strategy in kinds.items()}  # each kind mostly given, at times left out
    return st.fixed_dictionaries(given).map(lambda found: {kind: rows for kind, rows in found.items() if rows is not None})


def _objections(book: Rulebook, actors: list[str]) -> dict[str, st.SearchStrategy[dict[str, Any]]]:
    """Objection records to the rulebook's mandates (by an objector or another party), at, just around or well
    around the last moment that ends a mandate at its first or second term's end, as a strategy by record kind;
    none without a mandate."""
    from .mandate import Mandate  # noqa: PLC0415 - the clause module imports this one lazily

    mandates = [c for c in book.clauses if isinstance(c, Mandate)]
    if not mandates:
        return {}
    moments = sorted({m.notice_by(end) for m in mandates for end, _ in zip(m.term_ends(), range(2), strict=False)})
    offsets = [timedelta(seconds=s) for s in (0, 1, -1, 90 * 24 * 3600, -90 * 24 * 3600)]
    objection = st.builds(
        lambda i, m, party, at, offset: {"id": f"o-{i}", "time": (at + offset).isoformat(), "party": party, "clause": m.id},
        st.integers(0, 10**6), st.sampled_from(mandates),
        st.one_of(st.sampled_from(sorted({p for m in mandates for p in m.objectors})), st.sampled_from(actors)),
        st.sampled_from(moments), st.sampled_from(offsets),
    )
    entries = st.lists(objection, min_size=1, max_size=2, unique_by=lambda o: o["id"])
    return {"objections": entries.map(lambda rows: {"entries": rows})}


def _leave(book: Rulebook, actors: list[str]) -> dict[str, st.SearchStrategy[dict[str, Any]]]:
    """Permission records for the rulebook's permissions (by the grantor or another, for the parties allowed or
    others, valid around the truce's key instants for a while), as a strategy by record kind; none without one."""
    from .permission import Permission  # noqa: PLC0415 - the clause module imports this one lazily

    permissions = [c for c in book.clauses if isinstance(c, Permission)]
    if not permissions:
        return {}
    grants = st.builds(
        lambda i, p, grantor, parties, start, span: {
            "id": f"p-{i}", "time": start.isoformat(), "granted_by": grantor, "clause": p.clause, "parties": parties,
            "valid": {"start": start.isoformat(), "end": (start + span).isoformat()}},
        st.integers(0, 10**6), st.sampled_from(permissions),
        st.one_of(st.sampled_from(sorted({p.granted_by for p in permissions})), st.sampled_from(actors)),
        st.lists(st.sampled_from(actors), min_size=1, max_size=2, unique=True), instants(book),
        st.sampled_from([timedelta(hours=h) for h in (1, 24, 24 * 30)]),
    )
    entries = st.lists(grants, min_size=1, max_size=3, unique_by=lambda g: g["id"])  # no entries is as no records
    return {"permissions": entries.map(lambda rows: {"entries": rows})}
