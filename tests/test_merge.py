"""Several event logs read together: one event reported by two logs is merged once, every merge is
reported, nothing is dropped, and only rows that fit the documented rule are merged."""

from __future__ import annotations

import json
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod

import truce
from bookcopy import copy_rulebook
from csvfiles import ACLED_ROW, REAL_CSV, UCDP_HEADER, UCDP_MAPPING, write_csv
from truce._cli import main
from truce._errors import Problem
from truce.io import SLACK_KM, EventLogError, EventLogs, read_events, read_logs
from truce.io.acled import COLUMNS, SAMPLE_CSV, SAMPLE_MAPPING

_GEOD = Geod(ellps="WGS84")

UCDP_ROW = {
    "id": "9001", "year": "2019", "type_of_violence": "1", "side_a": "Government of Syria", "side_b": "Syrian insurgents",
    "where_prec": "1", "where_coordinates": "Khan Shaykhun town", "latitude": "35.4389", "longitude": "36.6511",
    "date_prec": "1", "date_start": "2019-08-03", "date_end": "2019-08-03", "best": "2",
}  # fmt: skip


def _logs(folder: Path, ucdp: list[dict[str, str]], acled: list[dict[str, str]], **options: object) -> EventLogs:
    u = write_csv(folder / "ged.csv", UCDP_HEADER, [{**UCDP_ROW, **row} for row in ucdp])
    a = write_csv(folder / "acled.csv", COLUMNS, [{**ACLED_ROW, "fatalities": "2", **row} for row in acled])
    return read_logs([(u, UCDP_MAPPING), (a, SAMPLE_MAPPING)], **options)  # type: ignore[arg-type]


def _reconciles(logs: EventLogs) -> None:
    """Accepted rows = incidents + merges; each merged row is listed once under the incident it joined."""
    assert logs.accepted == len(logs.incidents) + len(logs.merges)
    assert logs.read == sum(log.accepted + len(log.rejected) for log in logs.logs)
    listed = [(s.dataset, s.row) for i in logs.incidents if i.source for s in (i.source, *i.source.merged)]
    read = [(i.source.dataset, i.source.row) for log in logs.logs for i in log.incidents if i.source]
    assert sorted(listed) == sorted(read)
    assert len({i.id for i in logs.incidents}) == len(logs.incidents)


def test_the_real_ucdp_sample_and_the_acled_sample_read_together_reconcile() -> None:
    logs = read_logs([(REAL_CSV, UCDP_MAPPING), (SAMPLE_CSV, SAMPLE_MAPPING)])
    _reconciles(logs)
    assert logs.merges, "the ACLED sample's shelling of Kafr Zita on 1 August is UCDP's event 319353"
    pairs = {(m.kept, m.merged.row) for m in logs.merges} | {(m.merged.row, m.kept) for m in logs.merges}
    assert ("319353", "SYR1006") in pairs
    report = logs.report()
    assert f"{len(logs.merges)} merged as the same event, giving {len(logs.incidents)} incidents" in report
    assert all(str(m) in report for m in logs.merges)


def test_every_merge_on_the_real_sample_fits_the_rule_measured_on_the_ellipsoid() -> None:
    logs = read_logs([(REAL_CSV, UCDP_MAPPING), (SAMPLE_CSV, SAMPLE_MAPPING)])
    rows = {(i.source.dataset, i.source.row): i for log in logs.logs for i in log.incidents if i.source}
    for merge in logs.merges:
        kept = next(i for i in logs.incidents if i.id == merge.kept)
        assert kept.source is not None
        a, b = rows[(kept.source.dataset, kept.source.row)], rows[(merge.merged.dataset, merge.merged.row)]
        assert _fits(a, b, SLACK_KM), merge


def _fits(a: truce.Incident, b: truce.Incident, slack_km: float) -> bool:
    """The documented rule, written out again: overlapping windows, places within the precisions, same dyad."""
    end_a, end_b = a.latest or a.time + timedelta(microseconds=1), b.latest or b.time + timedelta(microseconds=1)
    if not (a.time < end_b and b.time < end_a) or a.position is None or b.position is None:
        return False
    km = _GEOD.inv(a.position.lon, a.position.lat, b.position.lon, b.position.lat)[2] / 1000
    if km > (a.uncertainty_km or 0) + (b.uncertainty_km or 0) + slack_km + 0.05:  # haversine vs ellipsoid
        return False
    return _same_dyad(a, b)


def _same_dyad(a: truce.Incident, b: truce.Incident) -> bool:
    book = truce.load_rulebook("idlib-2019")

    def side(x: str, y: str) -> bool:
        if x == y:
            return True
        if "ignore" in (x, y):
            return False
        return "unattributed" in (x, y) or book.members(x) <= book.members(y) or book.members(y) <= book.members(x)

    assert a.source and b.source and a.source.sides and b.source.sides
    (x1, x2), (y1, y2) = a.source.sides, b.source.sides
    return (side(x1, y1) and side(x2, y2)) or (side(x1, y2) and side(x2, y1))


def test_one_event_in_both_logs_is_one_incident_the_precise_row_kept_its_window_narrowed(tmp_path: Path) -> None:
    logs = _logs(tmp_path, [{"where_prec": "1"}], [{"time_precision": "2", "geo_precision": "2", "latitude": "35.45"}])
    _reconciles(logs)
    (incident,) = logs.incidents
    assert incident.id == "9001" and incident.uncertainty_km is None  # UCDP placed it exactly
    assert (incident.time.date(), incident.latest and incident.latest.date()) == (date(2019, 8, 3), date(2019, 8, 4))
    assert incident.by == "sy-gov", "UCDP leaves the perpetrator open; ACLED's actor1 narrows it"
    assert incident.source and [s.row for s in incident.source.merged] == ["T1"]
    (merge,) = logs.merges
    assert merge.kept == "9001" and merge.merged.row == "T1" and "same dyad" in merge.reason
    assert any("kind armed_clash vs shelling" in d for d in merge.differences)


def test_the_row_placed_more_precisely_is_kept_whichever_log_gave_it(tmp_path: Path) -> None:
    logs = _logs(tmp_path, [{"where_prec": "3"}], [{}])  # UCDP: the district; ACLED: the town
    (incident,) = logs.incidents
    assert (incident.id, incident.kind, incident.uncertainty_km) == ("T1", "shelling", None)
    assert (logs.merges[0].kept, logs.merges[0].merged.row) == ("T1", "9001")
    assert incident.source and [s.row for s in incident.source.merged] == ["9001"]


def test_the_window_narrows_to_what_both_rows_allow(tmp_path: Path) -> None:
    logs = _logs(tmp_path, [{"date_start": "2019-08-02", "date_end": "2019-08-04"}], [{"geo_precision": "2"}])
    (incident,) = logs.incidents
    assert incident.id == "9001", "UCDP placed it exactly, ACLED within 10 km"
    assert (incident.time.date(), incident.latest and incident.latest.date()) == (date(2019, 8, 3), date(2019, 8, 4))


@pytest.mark.parametrize(
    ("acled", "why"),
    [
        ({"event_date": "2019-08-04"}, "the next day: windows only touch"),
        ({"event_date": "2019-08-02"}, "the day before: windows only touch"),
        ({"latitude": "35.80"}, "40 km apart, both placed exactly"),
        ({"actor1": "Hayat Tahrir al-Sham", "actor2": "NLF: National Liberation Front"}, "another dyad"),
        ({"actor1": "Military Forces of Syria (2000-)", "actor2": "Civilians (Syria)"}, "civilians are not a party"),
    ],
)
def test_rows_that_miss_the_rule_stay_two_incidents(tmp_path: Path, acled: dict[str, str], why: str) -> None:
    logs = _logs(tmp_path, [{}], [acled])
    _reconciles(logs)
    assert (len(logs.incidents), logs.merges) == (2, ()), why


def test_a_rulebook_named_by_its_file_is_the_one_the_logs_are_read_onto(tmp_path: Path) -> None:
    """``rules`` given as a path, not loaded: every log is read onto that rulebook, not the mappings' agreement."""
    draft = copy_rulebook(tmp_path / "rules", "idlib-2019", lambda book: book.update(id="idlib-2019-draft"))
    logs = _logs(tmp_path, [{}], [{}], rules=draft)
    assert logs.book.id == "idlib-2019-draft" and {log.book.id for log in logs.logs} == {"idlib-2019-draft"}
    assert len(logs.merges) == 1


def test_a_place_known_to_the_district_reaches_a_row_25_km_off(tmp_path: Path) -> None:
    assert len(_logs(tmp_path, [{"where_prec": "2"}], [{"latitude": "35.65"}]).merges) == 1  # 23 km north, 25 km radius
    assert len(_logs(tmp_path, [{"where_prec": "1"}], [{"latitude": "35.65"}]).merges) == 0


def test_slack_km_widens_and_narrows_the_place_rule(tmp_path: Path) -> None:
    assert len(_logs(tmp_path, [{}], [{"latitude": "35.4839"}], slack_km=6.0).merges) == 1  # 5 km apart
    assert len(_logs(tmp_path, [{}], [{"latitude": "35.4839"}]).merges) == 0
    for bad in (float("nan"), -1.0, True, "2"):
        with pytest.raises(EventLogError, match="slack_km"):
            _logs(tmp_path, [{}], [{}], slack_km=bad)
    with pytest.raises(EventLogError, match="2 formats for 1 logs"):
        read_logs([(SAMPLE_CSV, SAMPLE_MAPPING)], formats=["acled", "ucdp"])


def test_distance_counts_across_longitude_too(tmp_path: Path) -> None:
    east = f"{36.6511 + 5 / 90.8:.4f}"  # 5 km east: a degree of longitude is 90.8 km at 35.44 N
    assert len(_logs(tmp_path, [{}], [{"longitude": east}], slack_km=5.5).merges) == 1
    assert len(_logs(tmp_path, [{}], [{"longitude": east}], slack_km=4.5).merges) == 0


def test_the_summary_names_both_rows_of_each_merge(tmp_path: Path) -> None:
    logs = _logs(tmp_path, [{"where_prec": "3"}], [{}])
    summary = logs.summary()
    assert {k: summary[k] for k in ("rows_read", "accepted", "rejected", "merged", "incidents", "renamed")} == {
        "rows_read": 2, "accepted": 2, "rejected": 0, "merged": 1, "incidents": 1, "renamed": []}  # fmt: skip
    assert [f["file"] for f in summary["files"]] == [str(tmp_path / "ged.csv"), str(tmp_path / "acled.csv")]  # type: ignore[index]
    (merge,) = summary["merges"]  # type: ignore[misc]
    assert merge == {"kept": "T1", "kept_file": str(tmp_path / "acled.csv"), "merged": "9001", "merged_dataset": "UCDP GED",
                     "merged_file": str(tmp_path / "ged.csv"), "merged_line": 2,
                     "reason": "windows overlap, 0.0 km apart, same dyad",
                     "differences": ["kind shelling vs armed_clash: kept shelling"]}  # fmt: skip
    assert str(logs.merges[0]) == (f"UCDP GED 9001 ({tmp_path / 'ged.csv'}:2) merged into T1 ({tmp_path / 'acled.csv'}): "
                                   "windows overlap, 0.0 km apart, same dyad (kind shelling vs armed_clash: kept shelling)")  # fmt: skip
    assert logs.scenario().title == "UCDP GED and ACLED events from ged.csv, acled.csv"


def test_a_group_and_its_member_are_one_side_and_the_perpetrator_narrows_to_the_member(tmp_path: Path) -> None:
    ucdp = {"type_of_violence": "3", "side_a": "National Front for Liberation, SNA", "side_b": "Civilians"}  # by: rebels
    logs = _logs(tmp_path, [ucdp], [{"actor1": "NLF: National Liberation Front", "actor2": "Civilians (Syria)",
                                     "event_type": "Battles", "sub_event_type": "Armed clash"}])  # fmt: skip
    (incident,) = logs.incidents
    assert incident.by == "nfl"


def test_perpetrators_that_exclude_each_other_leave_the_merged_incident_unattributed(tmp_path: Path) -> None:
    ucdp = {"type_of_violence": "3", "side_a": "HTS", "side_b": "Civilians"}  # one-sided: HTS killed
    logs = _logs(tmp_path, [ucdp], [{"actor2": "Civilians (Syria)"}])  # ACLED: the army shelled
    assert len(logs.merges) == 0, "hts vs civilians is not the army vs civilians"
    logs = _logs(tmp_path, [{"side_b": "HTS", "type_of_violence": "1"}],
                 [{"actor1": "Hayat Tahrir al-Sham", "actor2": "Military Forces of Syria (2000-)"}])  # fmt: skip
    (incident,) = logs.incidents
    assert incident.by == "hts"  # UCDP: unknown; ACLED: HTS (actor1)
    one_sided = {"type_of_violence": "3", "side_a": "Government of Syria", "side_b": "HTS"}
    logs = _logs(tmp_path, [one_sided], [{"actor1": "Hayat Tahrir al-Sham", "actor2": "Military Forces of Syria (2000-)"}])
    (incident,) = logs.incidents
    assert incident.by is None
    assert any("perpetrator sy-gov vs hts: kept as not known" in d for d in logs.merges[0].differences)


def test_each_row_joins_at_most_one_event_and_the_closest_pair_wins(tmp_path: Path) -> None:
    acled = [{"event_id_cnty": "FAR", "latitude": "35.4489"}, {"event_id_cnty": "NEAR", "latitude": "35.4399"}]
    logs = _logs(tmp_path, [{}], acled)
    _reconciles(logs)
    assert [m.merged.row for m in logs.merges] == ["NEAR"]
    assert sorted(i.id for i in logs.incidents) == ["9001", "FAR"]


def test_the_same_log_twice_merges_every_row_by_its_id_and_keeps_the_verdicts(tmp_path: Path) -> None:
    twice = read_logs([(SAMPLE_CSV, SAMPLE_MAPPING), (SAMPLE_CSV, SAMPLE_MAPPING)])
    once = read_events(SAMPLE_CSV, SAMPLE_MAPPING)
    _reconciles(twice)
    assert len(twice.incidents) == once.accepted and {m.reason for m in twice.merges} == {"the same row id"}
    assert [i.id for i in twice.incidents] == [i.id for i in once.incidents]
    line_twice, line_once = truce.timeline(twice.scenario()), truce.timeline(once.scenario())
    assert [(i.start, i.status, i.responsible) for i in line_twice.intervals] == [
        (i.start, i.status, i.responsible) for i in line_once.intervals]  # fmt: skip


def test_without_dedupe_nothing_is_merged_and_clashing_ids_are_renamed_and_reported() -> None:
    logs = read_logs([(SAMPLE_CSV, SAMPLE_MAPPING), (SAMPLE_CSV, SAMPLE_MAPPING)], dedupe=False)
    assert len(logs.incidents) == logs.accepted and not logs.merges
    assert "SYR1001:2" in {i.id for i in logs.incidents}
    assert len(logs.renamed) == logs.logs[1].accepted and all("SYR" in r for r in logs.renamed)
    truce.timeline(logs.scenario())  # distinct ids: a valid scenario


def test_mappings_onto_different_agreements_are_refused_with_the_mapping_named(tmp_path: Path) -> None:
    other = tmp_path / "sochi.yaml"
    other.write_text(SAMPLE_MAPPING.read_text(encoding="utf-8").replace("agreement: idlib-2019", "agreement: sochi-2018"),
                     encoding="utf-8")  # fmt: skip
    with pytest.raises(EventLogError) as caught:
        read_logs([(SAMPLE_CSV, SAMPLE_MAPPING), (SAMPLE_CSV, SAMPLE_MAPPING), (SAMPLE_CSV, other)])
    assert [(p.file, p.message.rsplit(" ", 1)[-1]) for p in caught.value.problems] == [
        (str(SAMPLE_MAPPING), "'idlib-2019'"), (str(SAMPLE_MAPPING), "'idlib-2019'"), (str(other), "'sochi-2018'")]  # fmt: skip
    assert len(read_logs([(SAMPLE_CSV, SAMPLE_MAPPING), (SAMPLE_CSV, other)], rules="idlib-2019").logs) == 2
    with pytest.raises(EventLogError, match="no event logs"):
        read_logs([])


def test_the_command_line_reads_several_logs_and_reports_the_merges(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["timeline", str(REAL_CSV), str(SAMPLE_CSV), "-m", str(UCDP_MAPPING), "-m", str(SAMPLE_MAPPING), "--format", "json"]
    code = main(args)
    out, err = capsys.readouterr()
    report = json.loads(out)["report"]
    assert code in (0, 1)
    assert report["rows_read"] == 103 + 23 and report["accepted"] == report["incidents"] + report["merged"] > 0
    assert [f["rows_read"] for f in report["files"]] == [103, 23]
    assert f"{report['merged']} merged as the same event" in err
    assert main([*args, "--keep-duplicates"]) in (0, 1)
    kept = json.loads(capsys.readouterr().out)["report"]
    assert (kept["merged"], kept["incidents"]) == (0, kept["accepted"])
    assert main(["timeline", str(REAL_CSV), str(SAMPLE_CSV), str(SAMPLE_CSV), "-m", str(UCDP_MAPPING), "-m", str(SAMPLE_MAPPING)]) == 3
    assert "give one mapping for every log" in capsys.readouterr().err


_DAYS = st.integers(0, 4)
_PLACES = st.tuples(st.floats(35.30, 35.60), st.floats(36.50, 36.80))
_UCDP_SIDES = st.sampled_from([("1", "Government of Syria", "Syrian insurgents"), ("1", "Government of Syria", "HTS"),
                               ("3", "HTS", "Civilians"), ("2", "National Front for Liberation, SNA", "HTS")])  # fmt: skip
_ACLED_SIDES = st.sampled_from([("Military Forces of Syria (2000-)", ""), ("Hayat Tahrir al-Sham", "Military Forces of Syria (2000-)"),
                                ("NLF: National Liberation Front", "Hayat Tahrir al-Sham"),
                                ("Hayat Tahrir al-Sham", "Civilians (Syria)")])  # fmt: skip


@st.composite
def _two_logs(draw: st.DrawFn) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    start = date(2019, 8, 1)
    ucdp, acled = [], []
    for n in range(draw(st.integers(0, 6))):
        (lat, lon), first, length = draw(_PLACES), draw(_DAYS), draw(st.integers(0, 2))
        violence, a, b = draw(_UCDP_SIDES)
        ucdp.append({"id": str(100 + n), "latitude": f"{lat:.4f}", "longitude": f"{lon:.4f}", "type_of_violence": violence,
                     "side_a": a, "side_b": b, "where_prec": draw(st.sampled_from("1234")),
                     "date_start": str(start + timedelta(days=first)),
                     "date_end": str(start + timedelta(days=first + length))})  # fmt: skip
    for n in range(draw(st.integers(0, 6))):
        (lat, lon), day, (a1, a2) = draw(_PLACES), draw(_DAYS), draw(_ACLED_SIDES)
        acled.append({"event_id_cnty": f"A{n}", "latitude": f"{lat:.4f}", "longitude": f"{lon:.4f}", "actor1": a1, "actor2": a2,
                      "event_date": str(start + timedelta(days=day)), "time_precision": draw(st.sampled_from("12")),
                      "geo_precision": draw(st.sampled_from("123"))})  # fmt: skip
    return ucdp, acled


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_two_logs())
def test_merges_are_sound_one_to_one_and_leave_no_pair_that_fits(logs_rows: tuple[list[dict[str, str]], list[dict[str, str]]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        logs = _logs(Path(folder), *logs_rows)
    _reconciles(logs)
    rows = {(i.source.dataset, i.source.row): i for log in logs.logs for i in log.incidents if i.source}
    groups = [[rows[(s.dataset, s.row)] for s in (i.source, *i.source.merged)] for i in logs.incidents if i.source]
    for group in groups:
        assert len(group) <= 2
        if len(group) == 2:
            assert _fits(*group, SLACK_KM)
    alone = [g[0] for g in groups if len(g) == 1]
    ucdp = [i for i in alone if i.source and i.source.dataset == "UCDP GED"]
    acled = [i for i in alone if i.source and i.source.dataset == "ACLED"]
    for a in ucdp:
        for b in acled:
            # the place rule with a margin below the slack, so haversine and ellipsoid cannot disagree on it
            assert not _fits(a, b, SLACK_KM - 0.1), (a.id, b.id)


def _refused(call: object, **options: object) -> tuple[str, list[Problem]]:
    """The first line of the EventLogError ``read_logs`` raises, and its problems."""
    with pytest.raises(EventLogError) as caught:
        read_logs(call, **options)  # type: ignore[arg-type]
    return str(caught.value).splitlines()[0], list(caught.value.problems)


NO_SLACK = ("slack_km", "must be a number of km from 0 to 1000")


@pytest.mark.parametrize(("logs", "options", "first", "problem"), [
    ([], {}, "no event logs to read", Problem("", "give at least one log and its mapping")),
    ([(SAMPLE_CSV, SAMPLE_MAPPING)], {"slack_km": -0.5}, "bad slack_km", Problem(*NO_SLACK, value="-0.5",
                                                                                  suggestion="the default is 2.0")),
    ([(SAMPLE_CSV, SAMPLE_MAPPING)], {"slack_km": 1000.5}, "bad slack_km", Problem(*NO_SLACK, value="1000.5",
                                                                                    suggestion="the default is 2.0")),
    ([(SAMPLE_CSV, SAMPLE_MAPPING)], {"slack_km": "2"}, "bad slack_km", Problem(*NO_SLACK, value="'2'",
                                                                                 suggestion="the default is 2.0")),
    ([(SAMPLE_CSV, SAMPLE_MAPPING)], {"formats": ["acled", "ucdp"]}, "formats do not match the logs",
     Problem("formats", "2 formats for 1 logs", suggestion="give one format per log, or none to read each header")),
])  # fmt: skip
def test_what_read_logs_cannot_use_is_refused_naming_the_field(
    logs: list[tuple[Path, Path]], options: dict[str, object], first: str, problem: Problem
) -> None:
    assert _refused(logs, **options) == (f"{first}: 1 problem", [problem])


@pytest.mark.parametrize("slack_km", [0, 1000])
def test_slack_km_may_be_any_distance_from_0_to_1000_km(tmp_path: Path, slack_km: float) -> None:
    assert len(_logs(tmp_path, [{}], [{}], slack_km=slack_km).merges) == 1  # one point: no slack needed


def test_different_agreements_are_refused_with_every_log_and_its_mapping(tmp_path: Path) -> None:
    other = tmp_path / "sochi.yaml"
    other.write_text(SAMPLE_MAPPING.read_text(encoding="utf-8").replace("agreement: idlib-2019", "agreement: sochi-2018"),
                     encoding="utf-8")  # fmt: skip
    hint = "map every log onto one rulebook, or name it with rules= (--agreement)"
    assert _refused([(SAMPLE_CSV, SAMPLE_MAPPING), (SAMPLE_CSV, other)]) == (
        "the logs' mappings name different agreements: 2 problems",
        [Problem("agreement", f"{SAMPLE_CSV}'s mapping gives 'idlib-2019'", file=str(SAMPLE_MAPPING), suggestion=hint),
         Problem("agreement", f"{SAMPLE_CSV}'s mapping gives 'sochi-2018'", file=str(other), suggestion=hint)])  # fmt: skip


def test_each_log_is_read_in_the_format_and_within_the_size_given() -> None:
    with pytest.raises(EventLogError, match="invalid mapping") as caught:  # an ACLED log and mapping, named UCDP
        read_logs([(SAMPLE_CSV, SAMPLE_MAPPING)], formats=["ucdp"])
    assert [p.message for p in caught.value.problems if p.path in ("sides", "violence")] == ["Field required"] * 2
    with pytest.raises(EventLogError, match="too large"):
        read_logs([(SAMPLE_CSV, SAMPLE_MAPPING)], max_bytes=100)
    draft = truce.load_rulebook("idlib-2019").model_copy(update={"id": "idlib-2019-draft"})
    logs = read_logs([(SAMPLE_CSV, SAMPLE_MAPPING)], rules=draft)
    assert logs.book is draft and logs.scenario().agreement == "idlib-2019-draft"


def test_a_merge_without_differences_is_reported_plainly_and_the_report_adds_up(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", COLUMNS, [ACLED_ROW])
    b = write_csv(tmp_path / "b.csv", COLUMNS, [ACLED_ROW, {**ACLED_ROW, "event_id_cnty": "T2", "latitude": "x"}])
    logs = read_logs([(a, SAMPLE_MAPPING), (b, SAMPLE_MAPPING)])
    (merge,) = logs.merges
    assert str(merge) == f"ACLED T1 ({b}:2) merged into T1 ({a}): the same row id"
    assert logs.report() == "\n".join([
        f"{a}: 1 rows read, 1 accepted, 0 not accepted",
        f"{b}: 2 rows read, 1 accepted, 1 not accepted",
        "  line 3 (T2): rejected: latitude/longitude 'x', '36.6511' are not numbers (missing coordinates?)",
        "2 logs: 3 rows read, 2 accepted, 1 not accepted; 1 merged as the same event, giving 1 incidents",
        f"  {merge}"])  # fmt: skip
    when = logs.incidents[0].time + timedelta(days=5)
    assert logs.scenario(when).as_of == when and logs.scenario().as_of == logs.incidents[0].latest


def test_a_merge_names_every_difference_and_keeps_the_more_precise_perpetrator(tmp_path: Path) -> None:
    logs = _logs(tmp_path, [{"where_prec": "3", "best": "5"}], [{}])  # UCDP: the district, 5 dead, perpetrator open
    (merge,) = logs.merges
    assert merge.differences == ("kind shelling vs armed_clash: kept shelling", "fatalities 2 vs 5: kept 2 (never summed)")
    assert str(merge).endswith("same dyad (kind shelling vs armed_clash: kept shelling; fatalities 2 vs 5: kept 2 (never summed))")
    assert logs.incidents[0].by == "sy-gov", "the row kept names the army; the other leaves it open"


def test_two_rows_naming_one_perpetrator_keep_it(tmp_path: Path) -> None:
    ucdp = {"type_of_violence": "3", "side_a": "Government of Syria", "side_b": "Civilians"}  # one-sided: the army
    logs = _logs(tmp_path, [ucdp], [{"actor2": "Civilians (Syria)"}])
    (merge,) = logs.merges
    assert logs.incidents[0].by == "sy-gov" and not any("perpetrator" in d for d in merge.differences)


def test_of_two_equally_precise_rows_the_shorter_window_is_kept(tmp_path: Path) -> None:
    logs = _logs(tmp_path, [{"date_start": "2019-08-02", "date_end": "2019-08-04"}], [{}])  # both placed exactly
    assert [i.id for i in logs.incidents] == ["T1"] and logs.merges[0].merged.row == "9001"


def test_of_two_earlier_rows_equally_near_the_one_starting_closer_in_time_is_joined(tmp_path: Path) -> None:
    ucdp = [{"id": "9001", "date_start": "2019-08-02", "date_end": "2019-08-04"}, {"id": "9002"}]
    logs = _logs(tmp_path, ucdp, [{}])
    assert [(m.kept, m.merged.row) for m in logs.merges] == [("9002", "T1")]
    assert sorted(i.id for i in logs.incidents) == ["9001", "9002"]


def test_a_revised_record_whose_day_moved_keeps_the_precise_rows_window(tmp_path: Path) -> None:
    a = write_csv(tmp_path / "a.csv", COLUMNS, [{**ACLED_ROW, "geo_precision": "2"}])
    b = write_csv(tmp_path / "b.csv", COLUMNS, [{**ACLED_ROW, "event_date": "2019-08-04"}])  # the next day, placed exactly
    logs = read_logs([(a, SAMPLE_MAPPING), (b, SAMPLE_MAPPING)])
    (incident,) = logs.incidents
    assert (incident.time.date(), incident.latest and incident.latest.date()) == (date(2019, 8, 4), date(2019, 8, 5))
    assert logs.merges[0].differences == ("windows do not overlap: kept T1's",) and logs.merges[0].reason == "the same row id"


def test_a_row_in_three_logs_lists_the_two_others_once_each(tmp_path: Path) -> None:
    """The district-level UCDP row, a copy of it, then ACLED's exact one: ACLED's is kept, both UCDP rows under it."""
    ged = write_csv(tmp_path / "ged.csv", UCDP_HEADER, [{**UCDP_ROW, "where_prec": "3"}])
    acled = write_csv(tmp_path / "acled.csv", COLUMNS, [ACLED_ROW])
    logs = read_logs([(ged, UCDP_MAPPING), (ged, UCDP_MAPPING), (acled, SAMPLE_MAPPING)])
    (incident,) = logs.incidents
    assert incident.id == "T1" and incident.source is not None
    assert [(s.row, s.merged) for s in incident.source.merged] == [("9001", []), ("9001", [])]
    assert [(m.kept, m.merged.row, m.merged.merged) for m in logs.merges] == [("9001", "9001", []), ("T1", "9001", [])]


def test_ids_two_datasets_share_are_renamed_after_the_later_dataset(tmp_path: Path) -> None:
    acled = write_csv(tmp_path / "acled.csv", COLUMNS, [ACLED_ROW, {**ACLED_ROW, "event_id_cnty": "ucdp-ged:T1"}])
    ged = write_csv(tmp_path / "ged.csv", UCDP_HEADER, [{**UCDP_ROW, "id": "T1"}, {**UCDP_ROW, "id": "ucdp-ged:T1'"}])
    logs = read_logs([(acled, SAMPLE_MAPPING), (ged, UCDP_MAPPING)], dedupe=False)
    assert [i.id for i in logs.incidents] == ["T1", "ucdp-ged:T1", "ucdp-ged:T1''", "ucdp-ged:T1'"]
    assert logs.renamed == (f"T1 -> ucdp-ged:T1'' ({ged}; {acled} has an incident T1)",)



@pytest.mark.parametrize(("ucdp_row", "by", "difference"), [
    ({"side_b": "HTS"}, None, "perpetrator one of sy-gov, hts vs jihadists: kept as not known"),  # each leaves one out
    ({"type_of_violence": "2", "side_a": "HTS", "side_b": "IS"}, ["hts", "other-jihadists"], None),  # the same parties
])  # fmt: skip
def test_candidates_beside_a_group_narrow_only_where_one_includes_the_other(
    tmp_path: Path, ucdp_row: dict[str, str], by: list[str] | None, difference: str | None
) -> None:
    """UCDP: one of its two sides (``perpetrator: dyad``; IS mapped to the smaller jihadist groups here); ACLED: the
    jihadist groups, HTS or the smaller ones (Hurras al-Din mapped to the group), fighting the army or HTS."""
    ged = write_csv(tmp_path / "ged.csv", UCDP_HEADER, [{**UCDP_ROW, **ucdp_row}])
    ucdp = tmp_path / "ucdp.yaml"
    ucdp.write_text(UCDP_MAPPING.read_text(encoding="utf-8").replace("perpetrator: unknown", "perpetrator: dyad")
                    .replace("IS: ignore", "IS: other-jihadists"), encoding="utf-8")  # fmt: skip
    other = "Hayat Tahrir al-Sham" if ucdp_row["side_b"] == "IS" else "Military Forces of Syria (2000-)"
    acled = write_csv(tmp_path / "acled.csv", COLUMNS, [{**ACLED_ROW, "actor1": "Hurras al-Din", "actor2": other}])
    mapping = tmp_path / "acled.yaml"
    mapping.write_text(SAMPLE_MAPPING.read_text(encoding="utf-8").replace('"Hurras al-Din": other-jihadists',
                                                                          '"Hurras al-Din": jihadists'), encoding="utf-8")  # fmt: skip
    logs = read_logs([(ged, ucdp), (acled, mapping)])
    (incident,) = logs.incidents
    assert incident.by == by
    assert [d for d in logs.merges[0].differences if d.startswith("perpetrator")] == ([difference] if difference else [])
