"""Observe: the facts each clause needs, with evidence, from units and incidents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import truce
from bookcopy import copy_rulebook
from places import HAMA, IDLIB_CITY, KHAN_SHAYKHUN, MAARAT_AL_NUMAN
from truce._observe import Measure, observe

State = Callable[..., dict[str, Any]]


def _measures(book: truce.Rulebook, data: dict[str, Any], reading: str = "sochi") -> dict[str, Measure]:
    return {m.clause.id: m for m in observe(truce.prepare(data, rules=book, reading=reading)).measures}


def test_units_in_the_zone_are_counted_with_their_ids(idlib: truce.Rulebook, state: State) -> None:
    data = state(
        units=[
            {"id": "a", "party": "hts", "kind": "fighters", "count": 300, "position": KHAN_SHAYKHUN},
            {"id": "b", "party": "other-jihadists", "kind": "fighters", "count": 40, "zone": "buffer"},
            {"id": "c", "party": "hts", "kind": "fighters", "count": 500, "position": IDLIB_CITY},
            {"id": "d", "party": "hts", "kind": "fighters", "count": 0, "position": KHAN_SHAYKHUN},
        ]
    )
    m = _measures(idlib, data)["jihadists-leave-buffer"]
    assert (m.phase, m.amount, m.possible) == ("due", 340, 340)
    assert m.evidence == ("a", "b")
    assert m.parties == ("hts", "other-jihadists")
    assert m.tally == (("fighters", 340),)


def test_unknown_position_counts_as_possible_not_certain(idlib: truce.Rulebook, state: State) -> None:
    data = state(units=[{"id": "a", "party": "hts", "kind": "fighters", "count": 120}])
    m = _measures(idlib, data)["jihadists-leave-buffer"]
    assert (m.amount, m.possible, m.unknown_evidence) == (0, 120, ("a",))
    assert m.missing == ("the position of unit a (hts, fighters)",)


def test_a_unit_reported_by_zone_is_placed_in_zones_that_cover_it(idlib: truce.Rulebook, state: State) -> None:
    data = state(
        as_of="2019-08-02T12:00:00+03:00",
        incidents=[{"id": "i", "time": "2019-08-02T01:00:00+03:00", "kind": "shelling", "by": "sy-gov", "zone": "buffer"}],
    )
    assert _measures(idlib, data)["no-attacks"].amount == 1


def test_a_unit_reported_by_zone_is_outside_a_zone_it_cannot_meet_and_of_unknown_place_in_one_it_overlaps() -> None:
    """Korea: ground south of the line meets ground north of it only along the line (no area in common), and the
    demilitarized zone lies astride it; only a unit reported north of the line is surely there."""
    korea = truce.load_rulebook("korea-1953")
    zones = ("south-of-line", "dmz", "north-of-line")
    units = [{"id": zone, "party": "unc", "kind": "troops", "count": 10, "zone": zone} for zone in zones]
    data = {"agreement": "korea-1953", "as_of": "1953-08-10T00:00:00+09:00", "units": units}
    m = _measures(korea, data, reading="text")["south-stays-south"]
    assert (m.amount, m.possible, m.evidence, m.unknown_evidence) == (10, 20, ("north-of-line",), ("dmz",))


def test_a_group_unit_is_uncertain_for_a_clause_naming_only_some_members(idlib: truce.Rulebook, state: State) -> None:
    tanks = {"id": "t", "party": "rebels", "kind": "tank", "count": 2, "position": KHAN_SHAYKHUN}
    m = _measures(idlib, state(units=[tanks]))["heavy-weapons-leave-buffer"]
    assert m.amount == 2  # the clause names the whole group
    narrowed = [c.model_copy(update={"parties": ["nfl"]}) if c.id == "heavy-weapons-leave-buffer" else c for c in idlib.clauses]
    book = idlib.model_copy(update={"clauses": narrowed})
    book._areas.update(idlib._areas)
    m = _measures(book, state(units=[tanks]))["heavy-weapons-leave-buffer"]
    assert (m.amount, m.possible) == (0, 2)
    assert m.missing == ("which member of group rebels unit t belongs to",)


def test_reading_changes_what_a_clause_covers(idlib: truce.Rulebook, state: State) -> None:
    data = state(units=[{"id": "h", "party": "nfl", "kind": "heavy_machine_gun", "count": 5, "position": KHAN_SHAYKHUN}])
    assert _measures(idlib, data, "sochi")["heavy-weapons-leave-buffer"].amount == 0
    assert _measures(idlib, data, "government")["heavy-weapons-leave-buffer"].amount == 5


def test_incidents_count_only_inside_the_truce_window_and_area(idlib: truce.Rulebook, state: State) -> None:
    def shelling(ident: str, time: str, position: dict[str, float] | None, by: str | None = "sy-gov") -> dict[str, Any]:
        return {"id": ident, "time": time, "kind": "shelling", "by": by, "position": position}

    data = state(
        incidents=[
            shelling("before", "2019-08-01T23:59:59+03:00", MAARAT_AL_NUMAN),
            shelling("at-start", "2019-08-02T00:00:00+03:00", MAARAT_AL_NUMAN),
            shelling("outside", "2019-08-02T10:00:00+03:00", HAMA),
            shelling("after-as-of", "2019-08-04T10:00:00+03:00", MAARAT_AL_NUMAN),
            shelling("nobody", "2019-08-02T10:00:00+03:00", MAARAT_AL_NUMAN, by=None),
            shelling("nowhere", "2019-08-02T10:00:00+03:00", None),
        ]
    )
    observation = observe(truce.prepare(data, rules=idlib, reading="sochi"))
    m = {x.clause.id: x for x in observation.measures}["no-attacks"]
    assert m.evidence == ("at-start",)
    assert m.unknown_evidence == ("nobody", "nowhere")
    assert (m.amount, m.possible) == (1, 3)
    assert observation.ignored == ("after-as-of",)


def test_clauses_are_not_due_before_their_deadline(idlib: truce.Rulebook, state: State) -> None:
    data = state(as_of="2019-08-01T23:00:00+03:00", units=[{"id": "a", "party": "hts", "kind": "fighters", "position": KHAN_SHAYKHUN}])
    observation = observe(truce.prepare(data, rules=idlib, reading="sochi"))
    assert observation.window == "before"
    phases = {m.clause.id: m.phase for m in observation.measures}
    assert phases == {
        "jihadists-leave-buffer": "not_due",
        "heavy-weapons-leave-buffer": "not_due",
        "government-heavy-weapons": "due",  # its Sochi deadline, 10 October 2018, passed long before
        "no-attacks": "not_due",
    }


def test_a_unit_first_observed_after_the_instant_is_absent_and_the_verdict_says_so(state: State) -> None:
    data = state(units=[
        {"id": "late", "party": "hts", "kind": "fighters", "observed": "2019-08-04T00:00:00+03:00", "position": KHAN_SHAYKHUN},
        {"id": "seen", "party": "hts", "kind": "fighters", "observed": "2019-08-01T00:00:00+03:00", "position": IDLIB_CITY},
        {"id": "seen", "party": "hts", "kind": "fighters", "observed": "2019-08-05T00:00:00+03:00", "position": KHAN_SHAYKHUN},
    ])
    verdict = truce.evaluate(data)
    assert verdict.status == "holds"
    assert verdict.notes[-1] == "Units first observed after the instant evaluated count as absent: late."
    assert not any("late" in note for note in truce.evaluate({**data, "as_of": "2019-08-04T12:00:00+03:00"}).notes)


def test_a_group_unit_is_certain_for_a_clause_naming_each_member_apart(idlib: truce.Rulebook, state: State) -> None:
    tanks = {"id": "t", "party": "rebels", "kind": "tank", "count": 2, "position": KHAN_SHAYKHUN}
    members = list(idlib.groups["rebels"].members)
    spelled = [c.model_copy(update={"parties": members}) if c.id == "heavy-weapons-leave-buffer" else c for c in idlib.clauses]
    book = idlib.model_copy(update={"clauses": spelled})
    book._areas.update(idlib._areas)
    m = _measures(book, state(units=[tanks]))["heavy-weapons-leave-buffer"]
    assert (m.amount, m.possible, m.missing) == (2, 2, ())  # every member is named: the group's unit surely counts


def test_the_truce_binds_from_its_first_instant_until_just_before_its_end(tmp_path: Path, state: State) -> None:
    """Russia's ceasefire of 06:00 on 31 August 2019 ends the first one: a rulebook copy says so with an end."""

    def ended(data: dict[str, Any]) -> None:
        data["in_force"]["end"] = "2019-08-31T06:00:00+03:00"

    book = truce.load_rulebook(copy_rulebook(tmp_path, "idlib-2019", ended))
    tick = dt.timedelta(microseconds=1)
    start, end = dt.datetime.fromisoformat("2019-08-02T00:00:00+03:00"), dt.datetime.fromisoformat("2019-08-31T06:00:00+03:00")
    for moment, window in ((start - tick, "before"), (start, "in_force"), (end - tick, "in_force"), (end, "after")):
        observation = observe(truce.prepare(state(as_of=moment.isoformat()), rules=book, reading="sochi"))
        assert observation.window == window, moment
    assert truce.evaluate(state(as_of=end.isoformat()), rules=book).status == "not_in_force"


def test_a_clause_binds_from_its_deadline_itself(idlib: truce.Rulebook, state: State) -> None:
    unit = {"id": "a", "party": "hts", "kind": "fighters", "position": KHAN_SHAYKHUN}
    at, before = "2019-08-02T00:00:00+03:00", "2019-08-01T23:59:59.999999+03:00"
    assert _measures(idlib, state(as_of=at, units=[unit]))["jihadists-leave-buffer"].phase == "due"
    assert _measures(idlib, state(as_of=before, units=[unit]))["jihadists-leave-buffer"].phase == "not_due"


def test_an_incident_or_sighting_at_the_instant_itself_counts(state: State) -> None:
    at = "2019-08-03T12:00:00+03:00"
    shelling = {"id": "s", "time": at, "kind": "shelling", "by": "sy-gov", "position": KHAN_SHAYKHUN}
    sighting = {"id": "u", "party": "hts", "kind": "fighters", "observed": at, "position": KHAN_SHAYKHUN}
    verdict = truce.evaluate(state(as_of=at, incidents=[shelling], units=[sighting]))
    findings = {f.clause: f for f in verdict.findings}
    assert findings["no-attacks"].evidence == ["s"] and findings["jihadists-leave-buffer"].evidence == ["u"]
    assert not any("after the instant" in note for note in verdict.notes)
