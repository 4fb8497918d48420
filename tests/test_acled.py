"""Reading ACLED exports: every row accepted or reported, counts that reconcile, precision carried."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest

from csvfiles import ACLED_ROW, write_csv
from truce._errors import Problem
from truce.io.acled import COLUMNS, SAMPLE_CSV, SAMPLE_MAPPING, AcledError, AcledReader, load_mapping, read_acled

GOOD = ACLED_ROW


def _csv(tmp_path: Path, rows: list[dict[str, str]], tail: str = "") -> Path:
    return write_csv(tmp_path / "events.csv", COLUMNS, rows, tail)


def test_the_bundled_sample_reconciles() -> None:
    data = read_acled(SAMPLE_CSV, SAMPLE_MAPPING)
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert data.read == len(rows)
    assert data.read == data.accepted + len(data.rejected)
    assert data.rejected and all(p.ignored for p in data.rejected), data.report()
    assert all("INVENTED" in row["notes"] for row in rows)  # never real ACLED rows in the repository


def test_malformed_rows_are_each_reported_and_the_counts_reconcile(tmp_path: Path) -> None:
    rows = [
        GOOD,
        {**GOOD, "event_id_cnty": "T2", "event_date": "2019-13-45"},
        {**GOOD, "event_id_cnty": "T3", "actor1": "Some Militia"},
        {**GOOD, "event_id_cnty": "T4", "latitude": "", "longitude": ""},
        {**GOOD, "event_id_cnty": "T5", "time_precision": "7"},
        {**GOOD, "event_id_cnty": "T1"},
        {**GOOD, "event_id_cnty": "T6", "event_type": "Riots", "sub_event_type": "Mob violence"},
    ]
    path = _csv(tmp_path, rows, tail="T7,2019-08-04,2019,1,Political violence,Battles,Armed cl")
    data = read_acled(path, SAMPLE_MAPPING)
    assert data.read == 8
    assert data.accepted == 1 and [i.id for i in data.incidents] == ["T1"]
    assert data.read == data.accepted + len(data.rejected)
    found = {p.line: p for p in data.rejected}
    assert sorted(found) == [3, 4, 5, 6, 7, 8, 9]
    assert found[3].event_id == "T2" and "event_date '2019-13-45'" in found[3].reason
    assert "actor1 'Some Militia' is not in the mapping" in found[4].reason
    assert "not numbers (missing coordinates?)" in found[5].reason
    assert "time_precision '7'" in found[6].reason
    assert "appears twice" in found[7].reason
    assert found[8].ignored and not any(found[n].ignored for n in (3, 4, 5, 6, 7, 9))
    assert found[9].event_id == "T7" and "truncated" in found[9].reason
    assert "line 9 (T7): rejected" in data.report()


def test_unmapped_event_types_are_rejected_with_the_pair(tmp_path: Path) -> None:
    path = _csv(tmp_path, [{**GOOD, "event_type": "Battles", "sub_event_type": "Ambush"}])
    data = read_acled(path, SAMPLE_MAPPING)
    assert data.accepted == 0
    assert "'Battles' / 'Ambush' is not in the mapping" in data.rejected[0].reason


PERIODS = [("1", "2019-08-03", 1), ("2", "2019-07-31", 7), ("3", "2019-08-01", 31)]


@pytest.mark.parametrize(("precision", "first", "days"), PERIODS)
def test_time_precision_becomes_a_period(tmp_path: Path, precision: str, first: str, days: int) -> None:
    data = read_acled(_csv(tmp_path, [{**GOOD, "time_precision": precision}]), SAMPLE_MAPPING)
    incident = data.incidents[0]
    assert incident.time.isoformat() == f"{first}T00:00:00+03:00"
    assert incident.latest is not None and incident.latest - incident.time == timedelta(days=days)


@pytest.mark.parametrize(("precision", "km"), [("1", None), ("2", 10.0), ("3", 50.0)])
def test_each_geo_precision_has_its_radius(tmp_path: Path, precision: str, km: float | None) -> None:
    data = read_acled(_csv(tmp_path, [{**GOOD, "geo_precision": precision}]), SAMPLE_MAPPING)
    assert data.incidents[0].uncertainty_km == km


def test_geo_precision_becomes_a_radius_and_battles_place_both_sides(tmp_path: Path) -> None:
    battle = {**GOOD, "event_type": "Battles", "sub_event_type": "Armed clash", "actor2": "Hayat Tahrir al-Sham",
              "geo_precision": "3"}
    data = read_acled(_csv(tmp_path, [battle]), SAMPLE_MAPPING)
    assert data.incidents[0].uncertainty_km == 50.0
    assert sorted(u.party for u in data.units) == ["hts", "sy-gov"]
    assert {u.observed for u in data.units} == {data.incidents[0].latest}


def test_unknown_actors_may_be_accepted_as_unattributed(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(SAMPLE_MAPPING.read_text().replace("unknown_actor: reject", "unknown_actor: unattributed"))
    data = read_acled(_csv(tmp_path, [{**GOOD, "actor1": "Some Militia"}]), mapping)
    assert data.accepted == 1 and data.incidents[0].by is None


def test_a_mapping_naming_an_unknown_party_is_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(SAMPLE_MAPPING.read_text().replace('"Hayat Tahrir al-Sham": hts', '"Hayat Tahrir al-Sham": hst'))
    with pytest.raises(AcledError) as caught:
        read_acled(SAMPLE_CSV, mapping)
    problem = caught.value.problems[0]
    assert problem.path == "actors.Hayat Tahrir al-Sham" and problem.value == "hst"
    lines = mapping.read_text().splitlines()
    assert problem.line == 1 + next(i for i, line in enumerate(lines) if line.strip().startswith('"Hayat Tahrir al-Sham":'))
    assert problem.suggestion == "did you mean 'hts'?"


def test_a_file_without_acled_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("id,date\n1,2019-08-02\n", encoding="utf-8")
    with pytest.raises(AcledError, match="not an export of ACLED") as caught:
        read_acled(path, SAMPLE_MAPPING)
    assert {p.message for p in caught.value.problems} >= {"missing column 'event_id_cnty'", "missing column 'latitude'"}


def test_one_bad_row_is_one_rejected_row(tmp_path: Path) -> None:
    rows = [
        GOOD,
        {**GOOD, "event_id_cnty": "T2", "fatalities": "²"},
        {**GOOD, "event_id_cnty": "T" * 201},
        {**GOOD, "event_id_cnty": "T3", "event_date": "31 December 9999"},
        {**GOOD, "event_id_cnty": "T4", "event_date": "0000-01-01"},
        {**GOOD, "event_id_cnty": "T5", "notes": "n" * 131_073},
        {**GOOD, "event_id_cnty": "T6", "location": "Khan\nShaykhun"},
    ]
    data = read_acled(_csv(tmp_path, rows), SAMPLE_MAPPING)
    assert (data.read, data.accepted, len(data.rejected)) == (7, 2, 5)
    assert data.lines == ((2, 2), (8, 9))  # a quoted line break stays inside its record
    reasons = [p.reason for p in data.rejected]
    assert "fatalities '²' is not a whole number" in reasons[0]
    assert "event_id_cnty is over 200 characters" in reasons[1] and data.rejected[1].event_id.endswith("...")
    assert "outside the years 1900-2199" in reasons[2] and "is not a date" in reasons[3]
    assert "a field is over 131072 characters" in reasons[4]


def test_the_older_utc_offset_still_reads_and_is_checked(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    text = SAMPLE_MAPPING.read_text(encoding="utf-8")
    mapping.write_text(text.replace("time_zone: Asia/Damascus", 'utc_offset: "+03:00"'), encoding="utf-8")
    assert read_acled(_csv(tmp_path, [GOOD]), mapping).incidents[0].time.isoformat() == "2019-08-03T00:00:00+03:00"
    for zone, message in [('utc_offset: "+25:00"', "out of range"), ('time_zone: UTC\nutc_offset: "+03:00"', "not both")]:
        mapping.write_text(text.replace("time_zone: Asia/Damascus", zone), encoding="utf-8")
        with pytest.raises(AcledError, match=message):
            read_acled(SAMPLE_CSV, mapping)


def test_only_regular_files_are_read(tmp_path: Path) -> None:
    with pytest.raises(AcledError, match="not a regular file"):  # FIFOs and devices: tests/test_ucdp.py, with a time guard
        read_acled(tmp_path, SAMPLE_MAPPING)
    with pytest.raises(AcledError, match="too large"):
        read_acled(SAMPLE_CSV, SAMPLE_MAPPING, max_bytes=100)


def _mapping(tmp_path: Path, old: str, new: str) -> Path:
    """The bundled mapping with one line changed, written to a file."""
    text = SAMPLE_MAPPING.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "mapping.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('"Military Forces of Russia": ru', '"Military Forces of Russia": rus',
     ("actor_prefixes.Military Forces of Russia", "unknown party 'rus'", "did you mean 'ru'?")),
    ("Armed clash: armed_clash", "Armed clash: armed_clsh",
     ("events.Battles.Armed clash", "unknown incident kind 'armed_clsh'", "did you mean 'armed_clash'?")),
    ("Riots: ignore", "Riots: ignor", ("events.Riots", "unknown incident kind 'ignor'", "did you mean 'ignore'?")),
    ("kind: fighters", "kind: fighter", ("presence.kind", "unknown kind 'fighter'", "did you mean 'fighters'?")),
])  # fmt: skip
def test_a_mapping_naming_an_id_the_rulebook_lacks_is_refused_where_it_says_so(
    tmp_path: Path, old: str, new: str, expected: tuple[str, str, str]
) -> None:
    mapping = _mapping(tmp_path, old, new)
    line = 1 + next(n for n, text in enumerate(mapping.read_text().splitlines()) if new in text)
    path, message, suggestion = expected
    for call in (load_mapping, lambda m: read_acled(SAMPLE_CSV, m)):
        with pytest.raises(AcledError) as caught:
            call(mapping)
        assert str(caught.value).splitlines()[0] == f"mapping {mapping} does not fit rulebook idlib-2019: 1 problem"
        value = new.rsplit(": ", 1)[1]
        assert list(caught.value.problems) == [
            Problem(path, message, value=value, suggestion=suggestion, file=str(mapping), line=line)]  # fmt: skip


def test_a_mapping_is_checked_against_the_rulebook_given() -> None:
    mapping, book = load_mapping(SAMPLE_MAPPING)
    assert book.id == "idlib-2019" and mapping.actor("Hurras al-Din") == "other-jihadists"
    draft = book.model_copy(update={"id": "idlib-2019-draft"})
    assert load_mapping(SAMPLE_MAPPING, draft)[1] is draft
    bare = book.model_copy(update={"incident_kinds": {}})
    with pytest.raises(AcledError, match="does not fit rulebook idlib-2019") as caught:
        load_mapping(SAMPLE_MAPPING, bare)
    assert {p.message for p in caught.value.problems} == {
        f"unknown incident kind {kind!r}" for kind in ("armed_clash", "shelling", "air_strike")}  # fmt: skip


NAMES = ", ".join(sorted({*load_mapping(SAMPLE_MAPPING)[0].actors, *load_mapping(SAMPLE_MAPPING)[0].actor_prefixes}))
"""Every actor name and prefix the bundled mapping knows, as an unknown far from all of them is told."""
CIVILIANS = "the mapping ignores actor1 'Civilians (Syria)' (not a party to the agreement)"


@pytest.mark.parametrize(("change", "by", "reason", "ignored"), [
    ({"actor1": "Military Forces of Russia (2000-) Air Force"}, "ru", None, False),
    ({"actor1": "Unidentified Armed Group (Syria)"}, None, None, False),
    ({"actor1": "Civilians (Syria)"}, None, CIVILIANS, True),
    ({"actor1": ""}, None, "actor1 is empty", False),
    ({"actor1": "Hayat Tahrir al-Shaam"}, None,
     "actor1 'Hayat Tahrir al-Shaam' is not in the mapping's 'actors' (did you mean 'Hayat Tahrir al-Sham'?)", False),
    ({"actor2": "Hayat Tahrir al-Shaam"}, None,
     "actor2 'Hayat Tahrir al-Shaam' is not in the mapping's 'actors' (did you mean 'Hayat Tahrir al-Sham'?)", False),
    ({"actor2": "M" * 90}, None, f"actor2 {'M' * 80!r} is not in the mapping's 'actors' (expected one of: {NAMES})", False),
    ({"actor2": "Civilians (Syria)"}, "sy-gov", None, False),
])  # fmt: skip
def test_each_actor_is_mapped_or_the_row_reported(
    tmp_path: Path, change: dict[str, str], by: str | None, reason: str | None, ignored: bool
) -> None:
    data = read_acled(_csv(tmp_path, [{**GOOD, **change}]), SAMPLE_MAPPING)
    if reason is None:
        assert data.rejected == () and data.incidents[0].by == by
    else:
        assert [(p.line, p.event_id, p.reason, p.ignored) for p in data.rejected] == [(2, "T1", reason, ignored)]


def test_the_notes_follow_the_location_and_may_be_absent(tmp_path: Path) -> None:
    rows = [{**GOOD, "notes": "shells hit the market"}, {**GOOD, "event_id_cnty": "T2", "notes": "x" * 2000}]
    data = read_acled(_csv(tmp_path, rows), SAMPLE_MAPPING)
    assert [i.note for i in data.incidents] == ["Khan Shaykhun: shells hit the market", ("Khan Shaykhun: " + "x" * 2000)[:1000]]
    needed = AcledReader.required  # an export of the needed columns only
    bare = write_csv(tmp_path / "bare.csv", needed, [{c: GOOD[c] for c in needed}])
    assert read_acled(bare, SAMPLE_MAPPING).incidents[0].note == "Khan Shaykhun:"


@pytest.mark.parametrize(("change", "sides", "units"), [
    ({}, ["sy-gov", "unattributed"], []),  # shelling places no one
    ({"event_type": "Battles", "sub_event_type": "Armed clash", "actor2": "Civilians (Syria)"},
     ["sy-gov", "ignore"], ["sy-gov@Khan Shaykhun"]),
    ({"event_type": "Battles", "sub_event_type": "Armed clash", "actor2": "Unidentified Armed Group (Syria)"},
     ["sy-gov", "unattributed"], ["sy-gov@Khan Shaykhun"]),
    ({"event_type": "Battles", "sub_event_type": "Armed clash", "actor2": "NLF: National Liberation Front", "location": " "},
     ["sy-gov", "nfl"], ["nfl@T1", "sy-gov@T1"]),
])  # fmt: skip
def test_battles_place_the_named_parties_and_each_incident_keeps_its_sides(
    tmp_path: Path, change: dict[str, str], sides: list[str], units: list[str]
) -> None:
    data = read_acled(_csv(tmp_path, [{**GOOD, "geo_precision": "2", **change}]), SAMPLE_MAPPING)
    incident = data.incidents[0]
    assert incident.source is not None and incident.source.sides == sides
    assert [u.id for u in data.units] == units
    assert all(u.kind == "fighters" and u.uncertainty_km == 10.0 and u.observed == incident.latest for u in data.units)


def test_without_presence_no_unit_is_placed(tmp_path: Path) -> None:
    text = SAMPLE_MAPPING.read_text(encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text[: text.index("presence:")], encoding="utf-8")
    battle = {**GOOD, "event_type": "Battles", "sub_event_type": "Armed clash", "actor2": "Hayat Tahrir al-Sham"}
    data = read_acled(_csv(tmp_path, [battle]), mapping)
    assert data.accepted == 1 and data.units == ()
