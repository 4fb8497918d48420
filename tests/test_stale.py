"""Stale sightings: a rulebook's ``stale_after`` says how long a unit's sighting (``observed``) shows where it is;
from then on, until a newer one, its place is unknown. The oracle here places each unit afresh from its latest
sighting; the timeline must agree with an evaluation at every instant; both engines must agree; a limit that
is not a duration is a located error."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import truce
from truce._engines import available_engines
from truce.strategies import scenarios

START = datetime.fromisoformat("2020-01-01T00:00:00+00:00")
STALE = timedelta(hours=48)
INSIDE, OUTSIDE = {"lat": 0.5, "lon": 10.5}, {"lat": 0.5, "lon": 20.0}


def _rulebook(folder: Path, stale_after: str | None = "{hours: 48}", clause: str = "") -> Path:
    """A rulebook of the square zone 10..11 E, 0..1 N, which party ``a``'s tanks must leave (and ``clause``)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "square.geojson").write_text(
        '{"type": "Polygon", "coordinates": [[[10, 0], [11, 0], [11, 1], [10, 1], [10, 0]]]}', encoding="utf-8"
    )
    path = folder / "book.yaml"
    path.write_text(
        "id: stale\ntitle: Test\ndate: 2020-01-01\nsummary: A test.\nsources: [{title: none}]\n"
        "parties: {a: {name: Party A}, b: {name: Party B}}\nkinds: {tank: {name: tanks}, troops: {name: troops}}\n"
        "zones: {square: {name: square zone, geojson: square.geojson}}\n"
        "readings: {text: {name: text, description: The text.}}\n"
        "in_force: {start: 2020-01-01T00:00:00+00:00, article: Art. 1}\n"
        + (f"stale_after: {stale_after}\n" if stale_after is not None else "")
        + "clauses:\n  - id: out\n    type: withdrawal\n    title: Tanks out of the square\n    article: Art. 2\n"
        f"    parties: [a]\n    forces: [tank]\n    zone: square\n{clause}",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> truce.Rulebook:
    return truce.load_rulebook(_rulebook(tmp_path_factory.mktemp("stale")))


def _unit(uid: str, hours: int | None, place: dict[str, float], party: str = "a", kind: str = "tank") -> dict[str, Any]:
    seen = {} if hours is None else {"observed": (START + timedelta(hours=hours)).isoformat()}
    return {"id": uid, "party": party, "kind": kind, "position": place, **seen}


def _finding(book: truce.Rulebook, as_of: datetime, units: list[dict[str, Any]], clause: str = "out") -> truce.Finding:
    verdict = truce.evaluate({"as_of": as_of.isoformat(), "units": units}, rules=book)
    return next(f for f in verdict.findings if f.clause == clause)


_SIGHTINGS = st.lists(
    st.tuples(st.sampled_from(["u1", "u2", "u3"]), st.integers(0, 24 * 8), st.booleans(), st.sampled_from(["a", "b"])),
    max_size=7, unique_by=lambda s: (s[0], s[1]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_SIGHTINGS, st.integers(1, 24 * 10))
def test_a_unit_s_place_is_unknown_once_its_latest_sighting_is_stale(book: truce.Rulebook, sightings: list[Any], at: int) -> None:
    as_of = START + timedelta(hours=at)
    units = [_unit(uid, hours, INSIDE if inside else OUTSIDE, party) for uid, hours, inside, party in sightings]
    latest: dict[str, tuple[int, bool, str]] = {}
    for uid, hours, inside, party in sightings:
        if START + timedelta(hours=hours) <= as_of and (uid not in latest or hours > latest[uid][0]):
            latest[uid] = (hours, inside, party)
    counted = [(as_of - (START + timedelta(hours=h)) >= STALE, inside) for h, inside, party in latest.values() if party == "a"]
    expected = "violated" if any(inside and not stale for stale, inside in counted) else "unknown" if any(s for s, _ in counted) else "met"
    assert _finding(book, as_of, units).status == expected


def test_a_sighting_is_stale_from_exactly_its_limit_and_an_undated_unit_never(book: truce.Rulebook) -> None:
    seen = START + timedelta(days=1)
    inside = [_unit("t", 24, INSIDE)]
    assert _finding(book, seen + STALE - timedelta(seconds=1), inside).status == "violated"
    assert _finding(book, seen + STALE, inside).status == "unknown"
    assert _finding(book, seen + STALE - timedelta(seconds=1), [_unit("t", 24, OUTSIDE)]).status == "met"
    assert _finding(book, seen + 10 * STALE, [_unit("t", None, INSIDE)]).status == "violated"
    assert _finding(book, seen + 10 * STALE, [_unit("t", None, OUTSIDE)]).status == "met"
    assert _finding(book, seen + 10 * STALE, [_unit("t", 24, OUTSIDE, party="b")]).status == "met"
    assert _finding(book, seen + 10 * STALE, [_unit("t", 24, OUTSIDE, kind="troops")]).status == "met"


def test_without_a_limit_a_sighting_counts_until_the_next(tmp_path: Path) -> None:
    book = truce.load_rulebook(_rulebook(tmp_path, None))
    assert _finding(book, START + timedelta(days=300), [_unit("t", 24, INSIDE)]).status == "violated"
    assert _finding(book, START + timedelta(days=300), [_unit("t", 24, OUTSIDE)]).status == "met"


def test_what_is_missing_and_the_repair_say_the_sighting_is_stale(book: truce.Rulebook) -> None:
    as_of = START + timedelta(days=5)
    state = {"as_of": as_of.isoformat(), "units": [_unit("t", 24, OUTSIDE)]}
    wanted = (
        "a sighting of unit t (a, tank) newer than 2020-01-04T00:00:00+00:00 "
        "(the last, of 2020-01-02T00:00:00+00:00, is stale)"
    )
    verdict = truce.evaluate(state, rules=book)
    assert (verdict.status, verdict.missing) == ("indeterminate", [wanted])
    repair = truce.repair(state, rules=book)
    assert [fact.facts for fact in repair.learn] == [[wanted]]
    assert [(c.item, c.action) for c in repair.changes] == [("t", "locate")] and wanted[1:] in repair.changes[0].message


def test_a_cap_counts_stale_units_as_possibly_in_its_zone(tmp_path: Path) -> None:
    cap = (
        "  - id: few\n    type: cap\n    title: At most 1 tank\n    article: Art. 3\n"
        "    parties: [a]\n    forces: [tank]\n    zone: square\n    max: 1\n"
    )
    book = truce.load_rulebook(_rulebook(tmp_path, clause=cap))
    as_of = START + timedelta(days=5)
    fresh, stale = _unit("f", 24 * 4, INSIDE), _unit("s", 24, INSIDE)
    assert _finding(book, as_of, [fresh], "few").status == "met"
    assert _finding(book, as_of, [fresh, stale], "few").status == "unknown"
    assert _finding(book, as_of, [fresh, {**stale, "observed": (as_of - timedelta(hours=1)).isoformat()}], "few").status == "violated"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_SIGHTINGS)
def test_the_timeline_agrees_with_an_evaluation_at_every_instant(book: truce.Rulebook, sightings: list[Any]) -> None:
    units = [_unit(uid, hours, INSIDE if inside else OUTSIDE, party) for uid, hours, inside, party in sightings]
    state = {"as_of": (START + timedelta(days=12)).isoformat(), "units": units}
    line = truce.timeline(state, rules=book)
    for interval in line.intervals:
        for instant in [interval.start, *([interval.end - timedelta(seconds=1)] if interval.end else [])]:
            verdict = truce.evaluate({**state, "as_of": instant.isoformat()}, rules=book)
            assert (verdict.status, {f.clause: f.status for f in verdict.findings}) == (interval.status, interval.findings)


def test_the_timeline_shows_when_a_sighting_goes_stale(book: truce.Rulebook) -> None:
    state = {"as_of": (START + timedelta(days=9)).isoformat(), "units": [_unit("t", 24, INSIDE)]}
    line = truce.timeline(state, rules=book)
    stale = START + timedelta(hours=24) + STALE
    seen = START + timedelta(hours=24)
    assert [(i.start, i.findings["out"]) for i in line.intervals] == [(START, "met"), (seen, "violated"), (stale, "unknown")]


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("48", "a stale limit is a duration, not 48"),
        ("48h", "a stale limit is a duration, not '48h'"),
        ("true", "a stale limit is a duration, not True"),
        ("{hours: 0}", "longer than 0"),
        ("{hours: -4}", "greater than or equal to 0"),
        ("{weeks: 2}", "unknown field"),
    ],
)
def test_a_stale_limit_that_is_not_a_duration_is_an_error_at_its_line(tmp_path: Path, value: str, says: str) -> None:
    path = _rulebook(tmp_path, value)
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(path)
    [problem] = caught.value.problems
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("stale_after:"))
    assert (problem.file, problem.line, problem.path.split(".")[0]) == (str(path), line, "stale_after")
    assert says in problem.message
    assert value in ("{hours: -4}", "{weeks: 2}") or "stale_after: {hours: 48}" in problem.message


@pytest.mark.skipif("durable" not in available_engines(), reason="durable_rules does not import here")
def test_engines_agree_and_generated_states_hold_stale_sightings(book: truce.Rulebook) -> None:
    reached: set[str] = set()
    missing: set[bool] = set()

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None, derandomize=True)
    @given(scenarios(book))
    def check(state: dict[str, Any]) -> None:
        durable = truce.evaluate(state, rules=book, engine="durable")
        python = truce.evaluate(state, rules=book, engine="python")
        assert python.model_dump_json(exclude={"provenance": {"engine"}}) == durable.model_dump_json(exclude={"provenance": {"engine"}})
        reached.add(durable.findings[-1].status)
        missing.add(any(m.startswith("a sighting of unit") for m in durable.missing))

    check()
    assert {"met", "violated", "unknown"} <= reached
    assert missing == {True, False}
