"""The state as columns: each actor and kind column coded once against its distinct values, and what clause units
read through those codes (coverage of parties, totals by value, membership) agreeing row by row with the plain
reading of each row."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import truce
from truce._items import INSIDE, OUTSIDE, Items, object_column, party_relation

IDLIB = truce.load_rulebook("idlib-2019")
ACTORS = sorted(IDLIB.parties) + sorted(IDLIB.groups)
KINDS = sorted(IDLIB.kinds)

actor = st.one_of(st.sampled_from(ACTORS), st.none(),
                  st.lists(st.sampled_from(ACTORS), min_size=2, max_size=3, unique=True).map(lambda c: tuple(sorted(c))))
rows = st.lists(st.tuples(actor, st.sampled_from(KINDS), st.integers(0, 50)), max_size=30)


def _items(given_rows: list[tuple[Any, str, int]]) -> Items:
    size = len(given_rows)
    nothing = np.full(size, np.nan)
    return Items.from_columns(
        IDLIB, ids=np.array([f"u{i}" for i in range(size)], dtype=object),
        actors=object_column((a for a, _, _ in given_rows), size), kinds=object_column((k for _, k, _ in given_rows), size),
        weights=np.array([w for _, _, w in given_rows], dtype=np.int64), lon=nothing, lat=nothing, radius_km=np.zeros(size),
        named_zone=np.full(size, "", dtype=object), start=np.full(size, -np.inf), stop=np.full(size, np.inf),
        offsets=np.zeros((size, 2), dtype=np.int32), attributes={},
    )


@settings(deadline=None)  # the first draw pays for loading; a shared machine stretches any timing
@given(rows)
def test_codes_name_each_distinct_value_once_single_ids_by_text_then_candidates(given_rows: list[tuple[Any, str, int]]) -> None:
    items = _items(given_rows)
    for column, values in (("actors", [a for a, _, _ in given_rows]), ("kinds", [k for _, k, _ in given_rows])):
        distinct, codes = items.codes(column)  # type: ignore[arg-type]
        assert [distinct[c] for c in codes.tolist()] == values
        assert distinct == sorted(set(values), key=lambda v: (isinstance(v, tuple), str(v)))
        groups = items.groups(column)  # type: ignore[arg-type]
        assert [v for v, _ in groups] == distinct
        assert all(mask.tolist() == [x == v for x in values] for v, mask in groups)


@settings(deadline=None)  # the first draw pays for loading; a shared machine stretches any timing
@given(rows, st.lists(st.booleans(), min_size=30, max_size=30))
def test_a_tally_sums_the_weight_of_the_chosen_rows_by_value(given_rows: list[tuple[Any, str, int]], picks: list[bool]) -> None:
    items, chosen = _items(given_rows), np.array(picks[: len(given_rows)], dtype=bool)
    for column, at in (("actors", 0), ("kinds", 1)):
        expected: dict[Any, int] = {}
        for row, pick in zip(given_rows, chosen.tolist(), strict=True):
            if pick:
                expected[row[at]] = expected.get(row[at], 0) + row[2]
        order = sorted(expected, key=lambda v: (isinstance(v, tuple), str(v)))
        assert items.tally(column, chosen) == [(v, expected[v]) for v in order]  # type: ignore[arg-type]


@settings(deadline=None)  # the first draw pays for loading; a shared machine stretches any timing
@given(rows, st.lists(st.sampled_from(KINDS), max_size=4), st.lists(st.sampled_from(ACTORS), max_size=4))
def test_membership_and_coverage_agree_with_each_row_read_alone(
    given_rows: list[tuple[Any, str, int]], kinds: list[str], parties: list[str]
) -> None:
    items = _items(given_rows)
    assert items.among("kinds", kinds).tolist() == [k in kinds for _, k, _ in given_rows]
    covered = frozenset(p for party in parties for p in {party, *IDLIB.members(party)})
    assert items.coverage(covered).tolist() == [party_relation(IDLIB, a, covered) for a, _, _ in given_rows]


def test_items_with_other_counts_drawn_again_keep_their_own_counts_and_the_original_its_own() -> None:
    """A repair's state (the same units, counts cut) measured against the buffer zone drawn at another depth counts
    the cut units, and the original state drawn again still counts the units it had: neither shares the other's
    redrawn copy."""
    given_rows = [("hts", "tanks", 5), ("hts", "artillery", 3)]
    items, deeper = _items(given_rows), IDLIB.area("buffer").depths[20.0]
    lon, lat = deeper.lonlat.representative_point().coords[0]
    items.lon, items.lat = np.full(2, lon), np.full(2, lat)
    original = items.redrawn("buffer", deeper)
    cut = items.with_weights(np.array([0, 1], dtype=np.int64))
    assert cut.redrawn("buffer", deeper).weights.tolist() == [0, 1]
    assert items.redrawn("buffer", deeper) is original
    assert original.weights.tolist() == [5, 3]
    assert cut.redrawn("buffer", deeper).in_zone("buffer").tolist() == original.in_zone("buffer").tolist() == [INSIDE, INSIDE]


def test_items_drawn_again_place_their_origins_and_baselines_in_the_zone_as_drawn_again_and_so_do_their_copies() -> None:
    """Robustness draws the buffer zone at another depth after the clauses have placed everything in it as drawn:
    a point between the two depths is outside the zone as drawn and inside it drawn deeper, whether it is where an
    incident was launched from or where a unit stood at its baseline; drawn back, it is outside again."""
    buffer = IDLIB.area("buffer")
    deeper = buffer.depths[20.0]
    between = shapely.difference(deeper.lonlat, buffer.lonlat).representative_point()
    items = _items([("hts", "shelling", 1)])
    point = np.array([[between.x, between.y, 0.0]])
    items.origin, items.baseline = point, point.copy()
    assert (items.launched_in("buffer").tolist(), items.baseline_in("buffer").tolist()) == ([OUTSIDE], [OUTSIDE])
    drawn = items.redrawn("buffer", deeper)
    assert (drawn.launched_in("buffer").tolist(), drawn.baseline_in("buffer").tolist()) == ([INSIDE], [INSIDE])
    back = drawn.redrawn("buffer", buffer)
    assert (back.launched_in("buffer").tolist(), back.baseline_in("buffer").tolist()) == ([OUTSIDE], [OUTSIDE])
