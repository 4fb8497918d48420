"""Sequencing: a deadline that counts from another clause being met (``{after_met: a-out, within: {hours: 48}}``).

When the other clause became met is read from the state at earlier instants: the oracle here replays party a's
sightings (each standing until the next) on plain data, finds the last run of instants at which a's clause was
met (and the run at which it was met or may have been), and says what b's clause must be; the timeline must agree
with an evaluation at every instant; both engines must agree; a reference to an unknown clause, to the clause
itself or round a cycle is an error at its field and line."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import truce
from bookcopy import copy_rulebook
from truce._engines import available_engines
from truce.strategies import scenarios

START = datetime.fromisoformat("2020-01-01T00:00:00+00:00")
WITHIN = timedelta(hours=48)
PLACES: dict[str, dict[str, Any]] = {
    "in": {"position": {"lat": 0.5, "lon": 10.5}},
    "out": {"position": {"lat": 0.5, "lon": 20.0}},
    "unknown": {},
}


def _rulebook(folder: Path, deadline: str = "{after_met: a-out, within: {hours: 48}}", extra: str = "") -> Path:
    """Party a's tanks leave the square zone within 5 days; b's within ``deadline``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "square.geojson").write_text(
        '{"type": "Polygon", "coordinates": [[[10, 0], [11, 0], [11, 1], [10, 1], [10, 0]]]}', encoding="utf-8"
    )
    path = folder / "book.yaml"
    path.write_text(
        "id: seq\ntitle: Test\ndate: 2020-01-01\nsummary: A test.\nsources: [{title: none}]\n"
        "parties: {a: {name: Party A}, b: {name: Party B}}\nkinds: {tank: {name: tanks}}\n"
        "zones: {square: {name: square zone, geojson: square.geojson}}\n"
        "readings: {text: {name: text, description: The text.}, other: {name: other, description: Other.}}\n"
        "in_force: {start: 2020-01-01T00:00:00+00:00, article: Art. 1}\n"
        "clauses:\n"
        "  - id: a-out\n    type: withdrawal\n    title: A's tanks leave\n    article: Art. 2\n"
        "    parties: [a]\n    forces: [tank]\n    zone: square\n    deadline: {after_start: {days: 5}}\n"
        "  - id: b-out\n    type: withdrawal\n    title: B's tanks leave 48 hours after A's\n    article: Art. 3\n"
        f"    parties: [b]\n    forces: [tank]\n    zone: square\n    deadline: {deadline}\n{extra}",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> truce.Rulebook:
    return truce.load_rulebook(_rulebook(tmp_path_factory.mktemp("seq")))


def _units(a_sightings: list[tuple[int, str]], b_place: str) -> list[dict[str, Any]]:
    seen = [{"id": "ta", "party": "a", "kind": "tank", "observed": (START + timedelta(hours=h)).isoformat(), **PLACES[place]}
            for h, place in a_sightings]
    return [*seen, {"id": "tb", "party": "b", "kind": "tank", **PLACES[b_place]}]


def _findings(book: truce.Rulebook, at: datetime, units: list[dict[str, Any]], reading: str | None = None) -> dict[str, str]:
    verdict = truce.evaluate({"as_of": at.isoformat(), "units": units}, rules=book, reading=reading)
    return {f.clause: f.status for f in verdict.findings}


def _expected(a_sightings: list[tuple[int, str]], b_place: str, at: datetime) -> str:
    """b-out's finding, from a's sightings replayed on plain data."""
    status = {"in": "violated", "out": "met", "unknown": "maybe"}
    seen = sorted({h: place for h, place in a_sightings}.items())
    moments = sorted({START, *(START + timedelta(hours=h) for h, _ in seen)})
    history = []
    for moment in [m for m in moments if START <= m <= at]:  # the clock cannot start before the truce
        last = [place for h, place in seen if START + timedelta(hours=h) <= moment]
        history.append((moment, status[last[-1]] if last else "met"))
    if not history or history[-1][1] == "violated":
        return "not_due"
    met = [m for m, s in history]
    run = len(history)
    while run and history[run - 1][1] == "met":
        run -= 1
    late = met[run] if run < len(history) else None
    while run and history[run - 1][1] != "violated":
        run -= 1
    early = met[run]
    own = {"in": "violated", "out": "met", "unknown": "unknown"}[b_place]
    if at < early + WITHIN:
        return "not_due"
    if late is not None and at >= late + WITHIN:
        return own
    return "unknown" if own == "violated" else own


_A = st.lists(st.tuples(st.integers(-24, 24 * 8), st.sampled_from(["in", "out", "unknown"])), max_size=5, unique_by=lambda s: s[0])
_B = st.sampled_from(["in", "out", "unknown"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_A, _B, st.integers(0, 24 * 12))
def test_the_clock_starts_once_the_other_clause_is_met(book: truce.Rulebook, a_sightings: Any, b_place: str, hours: int) -> None:
    at = START + timedelta(hours=hours)
    assert _findings(book, at, _units(a_sightings, b_place))["b-out"] == _expected(a_sightings, b_place, at)


def test_a_known_moment_starts_the_clock_and_an_unknown_stretch_leaves_the_deadline_open(book: truce.Rulebook) -> None:
    withdrew = [(0, "in"), (48, "out")]
    assert _findings(book, START + timedelta(hours=48 + 47), _units(withdrew, "in"))["b-out"] == "not_due"
    assert _findings(book, START + timedelta(hours=48 + 48), _units(withdrew, "in"))["b-out"] == "violated"
    assert _findings(book, START + timedelta(hours=48 + 48), _units(withdrew, "out"))["b-out"] == "met"
    vague = [(0, "in"), (24, "unknown"), (48, "out")]
    verdict = truce.evaluate({"as_of": (START + timedelta(hours=24 + 60)).isoformat(), "units": _units(vague, "in")}, rules=book)
    assert [f.status for f in verdict.findings if f.clause == "b-out"] == ["unknown"]
    assert verdict.missing[-1] == (
        "when clause a-out became met (between 2020-01-02T00:00:00+00:00 and 2020-01-03T00:00:00+00:00)"
    )
    still = truce.evaluate({"as_of": (START + timedelta(days=4)).isoformat(), "units": _units([(0, "in"), (24, "unknown")], "in")},
                           rules=book)
    assert [f.status for f in still.findings if f.clause == "b-out"] == ["unknown"]
    assert "whether clause a-out has been met (it may have been since 2020-01-02T00:00:00+00:00)" in still.missing


def test_undated_units_stand_for_every_instant_so_the_clock_runs_from_the_truce_s_start(book: truce.Rulebook) -> None:
    units = [{"id": "ta", "party": "a", "kind": "tank", **PLACES["out"]}, {"id": "tb", "party": "b", "kind": "tank", **PLACES["in"]}]
    assert _findings(book, START + WITHIN - timedelta(seconds=1), units)["b-out"] == "not_due"
    assert _findings(book, START + WITHIN, units)["b-out"] == "violated"
    assert _findings(book, START + timedelta(days=30), [units[1], {**units[0], **PLACES["in"]}])["b-out"] == "not_due"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_A, _B)
def test_the_timeline_agrees_with_an_evaluation_at_every_instant(book: truce.Rulebook, a_sightings: Any, b_place: str) -> None:
    state = {"as_of": (START + timedelta(days=14)).isoformat(), "units": _units(a_sightings, b_place)}
    line = truce.timeline(state, rules=book)
    for interval in line.intervals:
        for instant in [interval.start, *([interval.end - timedelta(seconds=1)] if interval.end else [])]:
            verdict = truce.evaluate({**state, "as_of": instant.isoformat()}, rules=book)
            assert (verdict.status, {f.clause: f.status for f in verdict.findings}) == (interval.status, interval.findings)


def test_the_other_clause_is_read_as_the_same_reading_has_it(tmp_path: Path) -> None:
    readings = "    readings:\n      other: {applies: false}\n"
    path = _rulebook(tmp_path, extra="")
    first = "deadline: {after_start: {days: 5}}\n"
    path.write_text(path.read_text(encoding="utf-8").replace(first, first + readings), encoding="utf-8")
    book = truce.load_rulebook(path)
    units = _units([(0, "in"), (24, "out")], "in")
    assert _findings(book, START + timedelta(days=5), units)["b-out"] == "violated"
    assert _findings(book, START + timedelta(days=5), units, reading="other")["b-out"] == "not_due"


def test_the_message_says_from_when(book: truce.Rulebook) -> None:
    verdict = truce.evaluate({"as_of": (START + timedelta(days=1)).isoformat(), "units": _units([(0, "in")], "in")}, rules=book)
    [message] = [f.message for f in verdict.findings if f.clause == "b-out"]
    assert "have until 48 hours after clause a-out is met to withdraw" in message


@pytest.mark.parametrize(
    ("deadline", "extra", "field", "says"),
    [
        ("{after_met: a-uot, within: {hours: 48}}", "", "clauses[1].deadline.after_met", "did you mean 'a-out'"),
        ("{after_met: b-out, within: {hours: 48}}", "", "clauses[1].deadline.after_met", "b-out -> b-out"),
        ("{after_met: c-out, within: {hours: 1}}",
         "  - id: c-out\n    type: withdrawal\n    title: C\n    article: Art. 4\n    parties: [a]\n    forces: [tank]\n"
         "    zone: square\n    deadline: {after_met: b-out, within: {hours: 2}}\n",
         "clauses[1].deadline.after_met", "b-out -> c-out -> b-out"),
        ("{after_start: {days: 1}}", "    readings:\n      other: {deadline: {after_met: nothing, within: {days: 1}}}\n",
         "clauses[1].readings.other.deadline.after_met", "unknown clause 'nothing'"),
    ],
)
def test_a_misused_sequence_is_an_error_at_its_field_and_line(tmp_path: Path, deadline: str, extra: str, field: str, says: str) -> None:
    path = _rulebook(tmp_path, deadline, extra)
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(path)
    found = [p for p in caught.value.problems if p.path.startswith(field)]
    assert found, caught.value.problems
    problem = found[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert problem.file == str(path) and problem.line is not None and "deadline" in lines[problem.line - 1]
    assert says in f"{problem.message} ({problem.suggestion})"


@pytest.mark.skipif("durable" not in available_engines(), reason="durable_rules does not import here")
def test_engines_agree_and_generated_states_reach_every_finding(book: truce.Rulebook) -> None:
    reached: set[str] = set()

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None, derandomize=True)
    @given(st.one_of(scenarios(book), st.builds(lambda a, b, h: {"as_of": (START + timedelta(hours=h)).isoformat(), "units": _units(a, b)},
                                                _A, _B, st.integers(0, 24 * 12))))
    def check(state: dict[str, Any]) -> None:
        durable = truce.evaluate(state, rules=book, engine="durable")
        python = truce.evaluate(state, rules=book, engine="python")
        assert python.model_dump_json(exclude={"provenance": {"engine"}}) == durable.model_dump_json(exclude={"provenance": {"engine"}})
        reached.add(next(f.status for f in durable.findings if f.clause == "b-out"))

    check()
    assert {"not_due", "met", "violated", "unknown"} <= reached


def test_a_rulebook_that_sequences_its_clauses_passes_the_strict_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from truce._cli import main  # noqa: PLC0415

    path = _rulebook(tmp_path)
    first = "deadline: {after_start: {days: 5}}\n"
    text = path.read_text(encoding="utf-8").replace(first, first + "    readings:\n      other: {applies: false}\n")
    path.write_text(text, encoding="utf-8")
    assert main(["check", "--strict", str(path)]) == 0
    assert " ".join(capsys.readouterr().err.split()).endswith("0 error(s), 0 warning(s)")


def test_a_deadline_that_counts_back_to_itself_says_the_loop_and_how_to_break_it(tmp_path: Path) -> None:
    path = _rulebook(tmp_path, "{after_met: b-out, within: {hours: 48}}", "")
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(path)
    (problem,) = caught.value.problems
    assert (problem.path, problem.message, problem.value, problem.suggestion) == (
        "clauses[1].deadline.after_met",
        "the deadline counts from clause 'b-out', which counts back to this one (b-out -> b-out): it can never fall",
        "b-out",
        "count one of them from the truce's start ({after_start: ...}) or from a time",
    )


def _cap_after(tmp_path: Path, rid: str, after: str, *, clause: str, party: str, kind: str, zone: str, most: int) -> truce.Rulebook:
    """Bundled rulebook ``rid`` with a cap (``clause``) on ``party``'s ``kind`` in ``zone`` due 48 hours after ``after`` is met."""

    def edit(book: dict[str, Any]) -> None:
        book["clauses"].append({
            "id": clause, "type": "cap", "title": f"At most {most} once {after} is met", "article": "Test", "parties": [party],
            "forces": [kind], "zone": zone, "max": most, "deadline": {"after_met": after, "within": {"hours": 48}},
        })

    return truce.load_rulebook(copy_rulebook(tmp_path, rid, edit))


def test_a_deadline_may_count_from_a_handover_being_met(tmp_path: Path) -> None:
    book = _cap_after(tmp_path, "karabakh-2020", "kalbajar-returned", clause="soldiers-after-kalbajar", party="ru", kind="soldiers",
                      zone="peacekeeping-area", most=10)
    unit = {"id": "ru-pk", "party": "ru", "kind": "soldiers", "count": 100, "position": {"lat": 39.8158, "lon": 46.7519}}

    def finding(holder: str) -> truce.Finding:
        state = {"as_of": "2020-11-19T12:00:00+03:00", "units": [unit], "areas": [{"id": "kalbajar", "controlled_by": holder}]}
        return truce.evaluate(state, rules=book).finding("soldiers-after-kalbajar")

    held_back = finding("armenian-forces")
    assert (held_back.status, held_back.message) == (
        "not_due", "From 48 hours after clause kalbajar-returned is met: at most 10 soldiers of Russian peacekeeping contingent (ru) "
        "in the peacekeepers' deployment area.",
    )
    assert finding("az").status == "violated"


def test_a_deadline_may_count_from_an_obligation_being_done(tmp_path: Path) -> None:
    # no tanks of the government in the corridor from 48 hours after the first joint patrol on the M4 (due from 15
    # March; the patrol records are complete): before the patrols were due, they had not yet been done
    book = _cap_after(tmp_path, "moscow-2020", "joint-patrols-m4", clause="tanks-after-patrols", party="sy-gov", kind="tank",
                      zone="corridor", most=0)
    place = book.geometry("corridor").representative_point()
    tanks = {"id": "t", "party": "sy-gov", "kind": "tank", "count": 3, "position": {"lat": place.y, "lon": place.x}}
    patrol = {"id": "p1", "time": "2020-03-15T10:00:00+03:00", "parties": ["ru", "tr"], "road": "m4-trumba-ain-al-havr"}
    complete = {"start": "2020-03-06T00:01:00+03:00", "end": "2020-03-20T00:00:00+03:00"}

    def finding(as_of: str) -> truce.Finding:
        state = {"as_of": as_of, "units": [tanks], "records": {"patrols": {"entries": [patrol], "complete": complete}}}
        return truce.evaluate(state, rules=book).finding("tanks-after-patrols")

    assert [finding(f"2020-03-{day}:00+03:00").status for day in ("10T12:00", "17T09:59", "17T10:00")] == ["not_due", "not_due", "violated"]
    state = {"as_of": "2020-03-19T00:00:00+03:00", "units": [tanks], "records": {"patrols": {"entries": [patrol], "complete": complete}}}
    spans = [(i.start.isoformat(), i.findings["tanks-after-patrols"]) for i in truce.timeline(state, rules=book).intervals]
    changes = [span for n, span in enumerate(spans) if n == 0 or span[1] != spans[n - 1][1]]
    assert changes == [("2020-03-06T00:01:00+03:00", "not_due"), ("2020-03-17T10:00:00+03:00", "violated")]
