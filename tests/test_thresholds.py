"""Prohibitions with a threshold: violated only while more than N acts (or fatalities) fall in the window that
ends at the instant evaluated. The oracle counts the window's incidents here, written out afresh; the timeline
must agree with an evaluation at every instant; both engines must agree; misuse is a located error."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import truce
from truce._engines import available_engines
from truce.strategies import scenarios

START = datetime.fromisoformat("2020-01-01T00:00:00+00:00")
WINDOW = timedelta(days=1)
MOST = 2
CLAUSE = (
    "  - id: serious\n    type: prohibition\n    title: No more than 2 shellings a day\n    article: Art. 2\n"
    "    parties: [a]\n    incidents: [shelling]\n"
)


def _rulebook(folder: Path, threshold: str = "{more_than: 2, within: {days: 1}}", extra: str = "") -> Path:
    """A rulebook of one prohibition by party ``a`` of shelling, with the threshold given."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "book.yaml"
    path.write_text(
        "id: serious\ntitle: Test\ndate: 2020-01-01\nsummary: A test.\nsources: [{title: none}]\n"
        "parties: {a: {name: Party A}, b: {name: Party B}}\nkinds: {troops: {name: troops}}\n"
        "incident_kinds: {shelling: {name: shelling}, clash: {name: clashes}}\n"
        "readings: {text: {name: text, description: The text.}, strict: {name: strict, description: Stricter.}}\n"
        "in_force: {start: 2020-01-01T00:00:00+00:00, end: 2020-03-01T00:00:00+00:00, article: Art. 1}\n"
        f"clauses:\n{CLAUSE}    threshold: {threshold}\n{extra}",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> truce.Rulebook:
    return truce.load_rulebook(_rulebook(tmp_path_factory.mktemp("thresholds")))


def _state(as_of: datetime, incidents: list[dict[str, Any]]) -> dict[str, Any]:
    return {"as_of": as_of.isoformat(), "incidents": incidents}


def _finding(book: truce.Rulebook, state: dict[str, Any], reading: str | None = None) -> truce.Finding:
    return next(f for f in truce.evaluate(state, rules=book, reading=reading).findings if f.clause == "serious")


_BY = st.sampled_from(["a", "b", None, ["a", "b"]])
_HOURS = st.integers(-48, 24 * 61)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_HOURS, _BY, st.sampled_from(["shelling", "clash"])), max_size=8), _HOURS)
def test_the_finding_counts_the_window_that_ends_at_the_instant(book: truce.Rulebook, acts: list[Any], at: int) -> None:
    as_of = START + timedelta(hours=at)
    incidents = [
        {"id": f"i{n}", "time": (START + timedelta(hours=h)).isoformat(), "kind": kind, "by": by}
        for n, (h, by, kind) in enumerate(acts)
    ]
    end = START + timedelta(days=60)
    counted = [
        (by, START + timedelta(hours=h)) for h, by, kind in acts
        if kind == "shelling" and as_of - WINDOW < START + timedelta(hours=h) <= as_of and START <= START + timedelta(hours=h) < end
    ]
    surely = sum(by == "a" for by, _ in counted)
    maybe = sum(by != "b" for by, _ in counted)
    expected = "violated" if surely > MOST else "unknown" if maybe > MOST else "met"
    if not START <= as_of < end:
        expected = {"before": "not_due", "after": "not_applicable"}["before" if as_of < START else "after"]
        assert truce.evaluate(_state(as_of, incidents), rules=book).status == "not_in_force"
        return
    assert _finding(book, _state(as_of, incidents)).status == expected


def _in(moment: datetime, hours: int) -> str:
    """``moment`` written at a UTC offset of ``hours``."""
    return moment.astimezone(timezone(timedelta(hours=hours))).isoformat()


def test_an_act_of_uncertain_time_counts_surely_only_if_it_fell_in_the_window_whatever_its_time(book: truce.Rulebook) -> None:
    at = START + timedelta(days=10)
    exact = [{"id": f"e{n}", "time": (at - timedelta(hours=n + 1)).isoformat(), "kind": "shelling", "by": "a"} for n in range(2)]

    def vague(first: timedelta, last: timedelta) -> dict[str, Any]:
        return {"id": "v", "time": _in(at - first, 3), "latest": _in(at - last, 2), "kind": "shelling", "by": "a"}

    assert _finding(book, _state(at, [*exact, vague(timedelta(hours=20), timedelta(hours=10))])).status == "violated"
    straddling = truce.evaluate(_state(at, [*exact, vague(timedelta(hours=30), timedelta(hours=10))]), rules=book)
    assert [f.status for f in straddling.findings if f.clause == "serious"] == ["unknown"]
    first, last = _in(at - timedelta(hours=30), 3), _in(at - timedelta(hours=10), 2)  # each time as it was given
    assert [m for m in straddling.missing if "incident v" in m] == [f"the time of incident v (shelling, from {first} to before {last})"]
    assert _finding(book, _state(at, [*exact, vague(timedelta(hours=40), timedelta(hours=25))])).status == "met"


def test_the_window_is_half_open_an_act_exactly_one_window_old_has_left_it(book: truce.Rulebook) -> None:
    at = START + timedelta(days=5)
    ages = [timedelta(0), timedelta(hours=1), WINDOW]
    incidents = [{"id": f"i{n}", "time": (at - age).isoformat(), "kind": "shelling", "by": "a"} for n, age in enumerate(ages)]
    assert _finding(book, _state(at, incidents)).status == "met"
    assert _finding(book, _state(at - timedelta(seconds=1), incidents[1:])).status == "met"
    assert _finding(book, _state(at + WINDOW - timedelta(hours=1, seconds=1), incidents)).status == "met"
    incidents[2]["time"] = (at - WINDOW + timedelta(seconds=1)).isoformat()
    found = _finding(book, _state(at, incidents))
    assert (found.status, found.evidence) == ("violated", ["i0", "i1", "i2"])


def test_the_timeline_shows_when_a_serious_violation_starts_and_ends(book: truce.Rulebook) -> None:
    day = START + timedelta(days=3)
    incidents = [{"id": f"i{n}", "time": (day + timedelta(hours=n)).isoformat(), "kind": "shelling", "by": "a"} for n in range(3)]
    line = truce.timeline(_state(day + timedelta(days=5), incidents), rules=book)
    breached = [(i.start, i.end) for i in line.intervals if i.status == "breached"]
    assert breached == [(day + timedelta(hours=2), day + WINDOW)]
    assert line.first_breach is not None and line.first_breach.evidence == ["i0", "i1", "i2"]


def test_an_act_known_less_closely_than_the_window_never_counts_surely_nor_takes_from_the_count(book: truce.Rulebook) -> None:
    first = START + timedelta(days=3)
    vague = {"id": "v", "time": first.isoformat(), "latest": (first + timedelta(hours=30)).isoformat(), "kind": "shelling", "by": "a"}
    exact = [{"id": f"e{n}", "time": (first + timedelta(hours=26 + n)).isoformat(), "kind": "shelling", "by": "a"} for n in range(3)]
    state = _state(first + timedelta(days=4), [vague, *exact])
    line = truce.timeline(state, rules=book)
    hours = [(i.start - first, i.findings["serious"]) for i in line.intervals if i.status != "not_in_force"]
    assert hours == [
        (START - first, "met"), (timedelta(hours=27), "unknown"), (timedelta(hours=28), "violated"),
        (timedelta(hours=50), "unknown"), (timedelta(hours=51), "met"),
    ]
    assert _finding(book, _state(first + timedelta(hours=29), [vague, *exact[:2]])).status == "unknown"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, 24 * 6), st.integers(0, 30), _BY, st.sampled_from([0, 1, 3, None])), max_size=7),
    st.sampled_from(["{more_than: 2, within: {days: 1}}", "{more_than: 4, of: fatalities, within: {hours: 12}}"]),
)
def test_the_timeline_agrees_with_an_evaluation_at_every_instant(
    tmp_path_factory: pytest.TempPathFactory, acts: list[Any], threshold: str
) -> None:
    book = truce.load_rulebook(_rulebook(tmp_path_factory.mktemp("line"), threshold))
    incidents = []
    for n, (hour, spread, by, killed) in enumerate(acts):
        time = START + timedelta(hours=hour)
        incident = {"id": f"i{n}", "time": time.isoformat(), "kind": "shelling", "by": by, "fatalities": killed}
        if spread:
            incident["latest"] = (time + timedelta(hours=spread)).isoformat()
        incidents.append(incident)
    state = _state(START + timedelta(days=9), incidents)
    line = truce.timeline(state, rules=book)
    for interval in line.intervals:
        ends = [interval.start, *([interval.end - timedelta(seconds=1)] if interval.end else [])]
        for instant in ends:
            verdict = truce.evaluate({**state, "as_of": instant.isoformat()}, rules=book)
            assert (verdict.status, {f.clause: f.status for f in verdict.findings}) == (interval.status, interval.findings)


def test_a_threshold_of_fatalities_adds_up_the_dead_and_an_unknown_toll_leaves_it_open(tmp_path: Path) -> None:
    book = truce.load_rulebook(_rulebook(tmp_path, "{more_than: 10, of: fatalities, within: {days: 7}}"))
    at = START + timedelta(days=20)

    def shelling(n: int, killed: int | None, days: int = 1) -> dict[str, Any]:
        return {"id": f"i{n}", "time": (at - timedelta(days=days)).isoformat(), "kind": "shelling", "by": "a", "fatalities": killed}

    assert _finding(book, _state(at, [shelling(0, 6), shelling(1, 4)])).status == "met"
    found = _finding(book, _state(at, [shelling(0, 6), shelling(1, 5)]))
    assert (found.status, found.evidence) == ("violated", ["i0", "i1"])
    assert "11 people killed in shelling within the last 7 days" in found.message
    assert _finding(book, _state(at, [shelling(0, 6), shelling(1, 5, days=8)])).status == "met"
    verdict = truce.evaluate(_state(at, [shelling(0, 6), shelling(1, None)]), rules=book)
    assert verdict.status == "indeterminate"
    assert verdict.missing == ["how many people incident i1 (shelling) killed"]
    assert _finding(book, _state(at, [shelling(0, 0), shelling(1, 0)] + [shelling(n, 0) for n in range(2, 30)])).status == "met"


def test_a_reading_may_set_another_threshold(tmp_path: Path) -> None:
    book = truce.load_rulebook(_rulebook(tmp_path, extra="    readings:\n      strict: {threshold: {more_than: 1, within: {days: 2}}}\n"))
    at = START + timedelta(days=4)
    incidents = [{"id": f"i{n}", "time": (at - timedelta(hours=30 - n)).isoformat(), "kind": "shelling", "by": "a"} for n in range(2)]
    assert _finding(book, _state(at, incidents)).status == "met"
    assert _finding(book, _state(at, incidents), reading="strict").status == "violated"


@pytest.mark.parametrize(
    ("threshold", "field", "says"),
    [
        ("{more_than: 0, within: {days: 1}}", "clauses[0].threshold.more_than", "a threshold of 0 tolerates no act"),
        ("{more_than: -3, within: {days: 1}}", "clauses[0].threshold.more_than", "give 1 or more"),
        ("{more_than: 2}", "clauses[0].threshold", "a threshold needs 'within'"),
        ("{within: {days: 1}}", "clauses[0].threshold", "a threshold needs 'more_than'"),
        ("{more_than: 2, within: {days: 0, hours: 0}}", "clauses[0].threshold.within", "longer than 0"),
        ("{more_than: 2, within: 1d}", "clauses[0].threshold.within", "Span"),
        ("{more_than: '2', within: {days: 1}}", "clauses[0].threshold.more_than", "valid integer"),
        ("{more_than: 2, of: dead, within: {days: 1}}", "clauses[0].threshold.of", "'incidents' or 'fatalities'"),
    ],
)
def test_a_misused_threshold_is_an_error_at_its_field_and_line(tmp_path: Path, threshold: str, field: str, says: str) -> None:
    path = _rulebook(tmp_path, threshold)
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(path)
    [problem] = caught.value.problems
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "threshold:" in text)
    assert (problem.file, problem.line, problem.path) == (str(path), line, field)
    assert says in problem.message


def test_a_threshold_in_a_reading_is_checked_the_same(tmp_path: Path) -> None:
    path = _rulebook(tmp_path, extra="    readings:\n      strict: {threshold: {more_than: 0, within: {days: 2}}}\n")
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(path)
    assert [p.path for p in caught.value.problems] == ["clauses[0].readings.strict.threshold.more_than"]


def _incidents_strategy() -> st.SearchStrategy[list[dict[str, Any]]]:
    """Shellings and clashes by a, b, either or no one known, a few hours apart, with a toll or without."""
    incident = st.builds(
        lambda hour, by, kind, killed: {"time": (START + timedelta(hours=hour)).isoformat(), "kind": kind, "by": by, "fatalities": killed},
        st.integers(0, 12), _BY, st.sampled_from(["shelling", "clash"]), st.sampled_from([None, 0, 2, 6]),
    )
    return st.lists(incident, max_size=6).map(lambda found: [{"id": f"i{n}", **i} for n, i in enumerate(found)])


@pytest.mark.skipif("durable" not in available_engines(), reason="durable_rules does not import here")
@pytest.mark.parametrize("threshold", ["{more_than: 1, within: {hours: 3}}", "{more_than: 5, of: fatalities, within: {hours: 6}}"])
def test_engines_agree_on_every_finding_a_threshold_gives(tmp_path: Path, threshold: str) -> None:
    book = truce.load_rulebook(_rulebook(tmp_path, threshold))
    reached: set[str] = set()

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None, derandomize=True)
    @given(st.one_of(scenarios(book, max_incidents=6), st.builds(lambda found, hour: _state(START + timedelta(hours=hour), found),
                                                                 _incidents_strategy(), st.integers(0, 14))))
    def check(state: dict[str, Any]) -> None:
        durable = truce.evaluate(state, rules=book, engine="durable")
        python = truce.evaluate(state, rules=book, engine="python")
        assert python.model_dump_json(exclude={"provenance": {"engine"}}) == durable.model_dump_json(exclude={"provenance": {"engine"}})
        reached.add(next(f.status for f in durable.findings if f.clause == "serious"))

    check()
    assert {"met", "violated", "unknown"} <= reached


def _shelling(number: int, hours: int, by: str | None = "a") -> dict[str, Any]:
    return {"id": f"s{number}", "time": (START + timedelta(hours=hours)).isoformat(), "kind": "shelling", "by": by}


@pytest.mark.parametrize(("hours", "acts", "status", "message"), [
    (-1, [], "not_due", "Party A (a) are bound not to carry out more than 2 acts of shelling within 1 day once the truce starts."),
    (10, [_shelling(1, 2)], "met", "Not more than 2 acts of shelling within 1 day by Party A (a): 1 in the last 1 day."),
    (10, [_shelling(1, 2), _shelling(2, 3), _shelling(3, 4)], "violated",
     "3 acts of shelling within the last 1 day, more than the 2 tolerated, by Party A (a): incidents s1, s2, s3."),
    (10, [_shelling(1, 2), _shelling(2, 3, None), _shelling(3, 4, None)], "unknown",
     "Incidents s2, s3 may bring the count in the last 1 day beyond 2 (1 for certain), but their perpetrator, place, time or toll "
     "is unknown."),
])
def test_a_threshold_finding_says_the_rule_the_count_and_the_incidents(
    book: truce.Rulebook, hours: int, acts: list[dict[str, Any]], status: str, message: str
) -> None:
    found = _finding(book, _state(START + timedelta(hours=hours), acts))
    assert (found.status, found.message) == (status, message)
