"""Hypothesis strategies for the scenario parts clause types need (imported only when generating)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from .._geo import KM_PER_DEGREE
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
    of the zone named or not; road status of the roads named, open or closed."""
    obligations = _obligations(book)
    actors = _actors(book)
    kinds: dict[str, st.SearchStrategy[dict[str, Any]]] = {}
    for kind in sorted({o.records for o in obligations}):
        bound = [sorted(o.parties) for o in obligations if o.records == kind]
        every = [o.every.delta for o in obligations if o.records == kind and o.every is not None]
        since = [o.counts_from(book) for o in obligations if o.records == kind]
        roads = sorted({r for o in obligations for r in o.roads} | set(book.roads))
        zones = sorted({o.zone for o in obligations if o.zone} | set(book.zones))
        fields: dict[str, st.SearchStrategy[Any]] = {}
        if kind == "roads":
            fields = {"road": st.sampled_from(roads), "status": st.sampled_from(["open", "closed"])}
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
        if kind == "roads":  # every road's status as seen at one moment, a while before some key instant
            snapshot = st.builds(
                lambda at, back, seen: [{"id": f"s-{i}", "time": (at - back).isoformat(), "road": road, "status": status}
                                        for i, (road, status) in enumerate(seen)],
                instants(book), st.integers(0, 40 * 24 * 3600).map(lambda s: timedelta(seconds=s)),
                st.lists(st.tuples(st.sampled_from(roads), st.sampled_from(["open", "open", "closed"])), min_size=1,
                         max_size=len(roads), unique_by=lambda pair: pair[0]),
            )
            entries = st.one_of(entries, snapshot)
        around = st.builds(lambda a, span: {"start": a.isoformat(), "end": (a + span).isoformat()}, instants(book),
                           st.sampled_from([timedelta(days=d) for d in (1, 10, 30, 90, 400)]))
        whole = st.just({"start": book.in_force.start.isoformat(), "end": (book.in_force.start + timedelta(days=2000)).isoformat()})
        complete = st.one_of(around, whole)
        kinds[kind] = st.builds(lambda rows, period: {"entries": rows, **({"complete": period} if period else {})},
                                entries, st.one_of(st.none(), complete))
    return st.fixed_dictionaries({}, optional=kinds)
