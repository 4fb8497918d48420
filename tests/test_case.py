"""The prepared case: loaded and checked once, taken by every consumer, read under any reading without reloading."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import truce

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "idlib-2019" / "03-nfl-keeps-medium-weapons.yaml"


def test_a_case_read_under_each_reading_gives_the_verdict_of_a_fresh_evaluation() -> None:
    case = truce.prepare(EXAMPLE)
    for reading in case.book.readings:
        again = case.read_as(reading)
        assert again.reading == reading
        assert again.document is case.document
        assert again.state.units is case.state.units and again.state.incidents is case.state.incidents  # nothing rebuilt
        assert again.state.clauses == tuple(read for _, read in again.clauses if read is not None)
        assert truce.evaluate(again) == truce.evaluate(EXAMPLE, reading=reading)


def test_evaluating_a_case_keeps_its_reading_unless_asked() -> None:
    case = truce.prepare(EXAMPLE, reading="government")
    assert truce.evaluate(case).reading == "government"
    assert truce.evaluate(case, reading="sochi").reading == "sochi"
    assert truce.timeline(case).reading == "government"


def test_the_clauses_of_a_case_are_the_rulebook_s_as_the_reading_has_them() -> None:
    case = truce.prepare(EXAMPLE, reading="government")
    assert [original.id for original, _ in case.clauses] == [c.id for c in case.book.clauses]
    assert [read for _, read in case.clauses] == [c.under("government") for c in case.book.clauses]


def test_a_case_cannot_change_its_rulebook() -> None:
    case = truce.prepare(EXAMPLE)
    with pytest.raises(truce.ScenarioError, match="keeps its rulebook"):
        truce.prepare(case, rules="sochi-2018")


def test_a_rulebook_without_its_geometry_is_refused_before_observe() -> None:
    loaded = truce.load_rulebook("idlib-2019")
    rebuilt = truce.Rulebook.model_validate(loaded.model_dump())
    state = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00",
             "units": [{"id": "u", "party": "hts", "kind": "fighters", "position": {"lat": 35.4389, "lon": 36.6511}}]}
    with pytest.raises(truce.RulebookError) as caught:
        truce.evaluate(state, rules=rebuilt)
    assert {p.path for p in caught.value.problems} == {f"zones.{z}" for z in loaded.zones}
    assert "truce.load_rulebook" in str(caught.value)


def test_with_files_off_only_bundled_rulebooks_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a server needs: an agreement or rules naming a real rulebook file is refused, not read; an
    unknown name is reported beside the scenario's own problems."""
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    state = {"agreement": "rules/idlib-2019.yaml", "as_of": "2019-08-03T12:00:00+03:00"}
    assert truce.prepare(state).book.id == "idlib-2019"  # files allowed: read relative to the current folder
    for given, rules, path in ((state, None, "agreement"), ({**state, "agreement": "idlib-2019"}, "rules/idlib-2019.yaml", "rules")):
        with pytest.raises(truce.UnknownRulebookError) as caught:
            truce.prepare(given, rules, files=False)
        assert [(p.path, p.message) for p in caught.value.problems] == [(path, "no bundled rulebook has this id")]
    with pytest.raises(truce.ScenarioError) as both:
        truce.prepare({**state, "agreement": "idlib-2091", "as_of": "3 August"}, files=False)
    found = {p.path: p for p in both.value.problems}
    assert found["agreement"].suggestion == "did you mean 'idlib-2019'?" and "as_of" in found


@pytest.mark.parametrize("enabled", [True, False])
def test_preparing_and_evaluating_leave_the_garbage_collector_as_they_found_it(enabled: bool) -> None:
    (gc.enable if enabled else gc.disable)()
    try:
        assert truce.evaluate(EXAMPLE).status == "holds"
        assert gc.isenabled() is enabled
        with pytest.raises(truce.ScenarioError):
            truce.prepare({"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00", "units": [{"id": "u"}]})
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
