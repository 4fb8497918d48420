"""Hypothesis strategies for scenario states, to property-test any rulebook.

    from hypothesis import given
    import truce
    from truce.strategies import scenarios

    book = truce.load_rulebook("idlib-2019")

    @given(scenarios(book))
    def test_my_property(state):
        truce.evaluate(state, rules=book)

States are plain dicts in the scenario format. Positions cluster inside zones,
on and near their edges, far away, or are left unknown; a unit or incident
may name a zone instead of a position; parties may be whole groups (so which
member acted is unknown) and perpetrators may be unknown or candidates (``by: [a, b]``); times cluster
around the truce's start, end and every deadline.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from ._rulebook import Rulebook

__all__ = ["instants", "places", "positions", "scenarios"]


def _key_instants(book: Rulebook) -> list[datetime]:
    moments = [book.in_force.start]
    if book.in_force.end is not None:
        moments.append(book.in_force.end)
    for reading in book.readings:
        moments += [book.deadline(clause) for _, clause in book.read_as(reading) if clause is not None]
    return sorted(set(moments))


def instants(book: Rulebook) -> st.SearchStrategy[datetime]:
    """Aware instants at, just around, and well around the truce's key moments."""
    offsets = st.one_of(
        st.just(timedelta(0)),
        st.sampled_from([timedelta(seconds=s) for s in (-1, 1, -60, 60)]),
        st.integers(-30 * 24 * 3600, 30 * 24 * 3600).map(lambda s: timedelta(seconds=s)),
    )
    return st.builds(lambda base, delta: base + delta, st.sampled_from(_key_instants(book)), offsets)


def positions(book: Rulebook) -> st.SearchStrategy[dict[str, float] | None]:
    """Positions inside zones, on or near their edges, far away, or None (unknown)."""
    geometries = [book.geometry(z) for z in book.zones]

    def near_edge(index: int, fraction: float, dlon: float, dlat: float) -> dict[str, float]:
        point = geometries[index].boundary.interpolate(fraction, normalized=True)
        return {"lat": max(-90.0, min(90.0, point.y + dlat)), "lon": max(-180.0, min(180.0, point.x + dlon))}

    def inside(index: int) -> dict[str, float]:
        point = geometries[index].representative_point()
        return {"lat": point.y, "lon": point.x}

    options: list[st.SearchStrategy[dict[str, float] | None]] = [st.none()]
    if geometries:
        zone_index = st.integers(0, len(geometries) - 1)
        tiny = st.floats(-0.002, 0.002)
        wide = st.floats(-0.5, 0.5)
        options += [
            st.builds(inside, zone_index),
            st.builds(near_edge, zone_index, st.floats(0, 1), tiny, tiny),
            st.builds(near_edge, zone_index, st.floats(0, 1), wide, wide),
        ]
    options.append(st.builds(lambda lat, lon: {"lat": lat, "lon": lon}, st.floats(-89, 89), st.floats(-179, 179)))
    return st.one_of(*options)


def places(book: Rulebook) -> st.SearchStrategy[dict[str, Any]]:
    """Where a unit or incident is: ``{"position": ...}`` (maybe None), ``{"zone": id}``, or nothing."""
    options: list[st.SearchStrategy[dict[str, Any]]] = [positions(book).map(lambda p: {"position": p}), st.just({})]
    if book.zones:
        options.append(st.sampled_from(sorted(book.zones)).map(lambda z: {"zone": z}))
    return st.one_of(*options)


def scenarios(book: Rulebook, max_units: int = 8, max_incidents: int = 5) -> st.SearchStrategy[dict[str, Any]]:
    """Scenario states (dicts) for ``book``: unique ids, every id one the rulebook declares, and
    the parts (units, incidents, area control) each of its clause types reads."""
    sizes = {"units": max_units, "incidents": max_incidents}
    parts: dict[str, st.SearchStrategy[Any]] = {"units": st.just([]), "incidents": st.just([])}
    for clause in book.clauses:
        parts.update(type(clause).strategy(book, sizes))
    return st.fixed_dictionaries(
        {"agreement": st.just(book.id), "as_of": instants(book).map(datetime.isoformat), **parts}
    )
