"""Reading UCDP GED exports: the real sample reconciles, every malformed record is reported with its
lines, and no physical line is ever lost, whatever the quoting."""

from __future__ import annotations

import csv
import io
import json
import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import truce
from csvfiles import REAL_CSV, ROOT, UCDP_HEADER, UCDP_MAPPING, write_csv
from truce import TruceError
from truce._cli import main
from truce._errors import Problem
from truce.io import EventImport, EventLogError, read_events
from truce.io.ucdp import UNCERTAINTY_KM, UcdpError, UcdpReader, load_mapping, read_ucdp

HEADER, MAPPING = UCDP_HEADER, UCDP_MAPPING
GOOD = {
    "id": "9001", "year": "2019", "type_of_violence": "1", "conflict_name": "Syria: Government",
    "dyad_name": "Government of Syria - Syrian insurgents", "side_a": "Government of Syria", "side_b": "Syrian insurgents",
    "where_prec": "1", "where_coordinates": "Khan Shaykhun town", "adm_1": "Idlib Governorate", "adm_2": "",
    "latitude": "35.4389", "longitude": "36.6511", "event_clarity": "1", "date_prec": "1",
    "date_start": "2019-08-03", "date_end": "2019-08-03", "deaths_a": "0", "deaths_b": "0", "deaths_civilians": "2",
    "deaths_unknown": "0", "low": "2", "best": "2", "high": "3",
}  # fmt: skip
RELEASE = [*HEADER[:3], "relid", "active_year", "code_status", "conflict_new_id", "dyad_new_id", "side_a_new_id",
           "side_b_new_id", "number_of_sources", "source_article", "source_office", "source_date", "source_headline",
           "source_original", "where_description", "geom_wkt", "priogrid_gid", "country", *HEADER[3:]]  # fmt: skip


def _csv(tmp_path: Path, rows: list[dict[str, str]], tail: str = "", header: list[str] = HEADER) -> Path:
    return write_csv(tmp_path / "ged.csv", header, rows, tail)


def _physical_lines(path: Path) -> list[str]:
    return io.StringIO(path.read_text(encoding="utf-8"), newline="").readlines()


def _assert_every_line_reported(path: Path, data: EventImport) -> None:
    """Records read = accepted + rejected, and each non-blank physical line after the header is in exactly one record."""
    assert data.read == data.accepted + len(data.rejected) == len(data.lines) + len(data.rejected)
    spans = [*data.lines, *(p.lines for p in data.rejected)]
    covered = [n for first, last in spans for n in range(first, last + 1)]
    assert len(covered) == len(set(covered)), "a line is in two records"
    lines = _physical_lines(path)
    for number in range(2, len(lines) + 1):
        assert number in covered or lines[number - 1] in ("\n", "\r\n", "\r"), f"line {number} lost: {lines[number - 1][:60]!r}"
    assert max(covered, default=0) <= len(lines)


def test_the_real_sample_reconciles() -> None:
    data = read_ucdp(REAL_CSV, MAPPING)
    with REAL_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert (data.read, data.accepted, len(data.rejected)) == (len(rows), 101, 2) == (103, 101, 2)
    assert all(p.ignored and "'IS' and 'SDF'" in p.reason for p in data.rejected), data.report()
    assert [p.line for p in data.rejected] == [37, 38]
    _assert_every_line_reported(REAL_CSV, data)
    by_id = {i.id: i for i in data.incidents}
    assert all(by_id[r["id"]].fatalities == int(r["best"]) for r in rows if r["id"] in by_id)
    assert all(i.by is None for i in data.incidents if "Government of Syria" in (i.note or ""))
    long_one = by_id["318244"]  # date_prec 5: 1 August to 31 October 2019
    assert long_one.time.isoformat() == "2019-08-01T00:00:00+03:00" and long_one.latest is not None
    assert long_one.latest.isoformat() == "2019-11-01T00:00:00+02:00"  # Damascus left summer time on 1 November 2019
    assert {i.uncertainty_km for i in data.incidents} == {None, 25.0, 50.0, 100.0}
    assert data.scenario().title == f"UCDP GED events from {REAL_CSV.name}"


def test_the_format_is_read_from_the_header() -> None:
    assert read_events(REAL_CSV, MAPPING).summary()["format"] == "UCDP GED"
    with pytest.raises(UcdpError, match="not an export of UCDP GED"):
        read_events(ROOT / "src" / "truce" / "io" / "samples" / "idlib-2019-acled-sample.csv", MAPPING, format="ucdp")


def test_malformed_rows_each_get_a_report_and_nothing_is_dropped(tmp_path: Path) -> None:
    rows = [
        GOOD,
        {**GOOD, "id": "9002", "date_start": "2019-08-05", "date_end": "2019-08-04"},
        {**GOOD, "id": "9003", "latitude": "135.4", "longitude": "36.6"},
        {**GOOD, "id": "9004", "best": "²"},
        {**GOOD, "id": "x" * 201},
        {**GOOD, "id": "9005", "date_start": "0000-01-01"},
        {**GOOD, "id": "9006", "date_start": "9999-12-31", "date_end": "9999-12-31"},
        {**GOOD, "id": "9007", "where_coordinates": "y" * 131_073},
        {**GOOD, "id": "9008", "where_prec": "7"},
        {**GOOD, "id": "9009", "type_of_violence": "4"},
        {**GOOD, "id": "9010", "side_b": "Syrian Insurgents"},
        {**GOOD, "id": "9011", "date_prec": "6"},
        {**GOOD, "id": "9001"},
    ]
    path = _csv(tmp_path, rows, tail="9012,2019,1,Syria: Government,Government of Syria - Syr")
    data = read_ucdp(path, MAPPING)
    assert data.read == 14 and data.accepted == 1 and len(data.rejected) == 13
    _assert_every_line_reported(path, data)
    found = {p.line: p.reason for p in data.rejected}
    assert "date_end 2019-08-04 is before date_start 2019-08-05" in found[3]
    assert "out of range" in found[4]
    assert "best '²' is not a whole number" in found[5]
    assert "id is over 200 characters" in found[6]
    assert "'0000-01-01' is not a date" in found[7]
    assert "outside the years" in found[8]
    assert "over 131072 characters" in found[9]
    assert "international waters" in found[10]
    assert "type_of_violence '4'" in found[11]
    assert "side_b 'Syrian Insurgents' is not in the mapping's 'sides'" in found[12] and "did you mean 'Syrian insurgents'?" in found[12]
    assert "date_prec '6'" in found[13]
    assert "appears twice" in found[14]
    assert "has 5 fields, the header has 24" in found[15]
    assert not any(p.ignored for p in data.rejected)


def test_bytes_that_are_not_utf8_reject_their_row_and_print(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, [GOOD, {**GOOD, "id": "9002"}])
    path.write_bytes(path.read_bytes().replace(b"9002", b"90\xff2"))
    data = read_ucdp(path, MAPPING)
    assert (data.accepted, [(p.line, p.event_id, p.reason) for p in data.rejected]) == (1, [(3, "90\ufffd2", "not UTF-8 text")])
    assert main(["timeline", str(path), "--mapping", str(MAPPING), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["report"]["rejected_rows"][0]["id"] == "90\ufffd2"


def test_a_stray_quote_swallowing_rows_is_one_report_with_its_first_and_last_line(tmp_path: Path) -> None:
    rows = [{**GOOD, "id": str(9100 + n)} for n in range(45)]
    path = _csv(tmp_path, rows)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(",Khan Shaykhun town,", ',"Khan Shaykhun town,')  # opens in line 4
    lines[40] = lines[40].replace(",Khan Shaykhun town,", ',Khan Shaykhun" town,')  # closes in line 41
    path.write_text("".join(lines), encoding="utf-8")
    data = read_ucdp(path, MAPPING)
    swallowed = [p for p in data.rejected if p.lines == (4, 41)]
    assert len(swallowed) == 1 and "swallows 36 line(s) that read as whole rows" in swallowed[0].reason
    assert (data.read, data.accepted, len(data.rejected)) == (8, 7, 1)  # lines 2, 3, 4-41, 42-46
    _assert_every_line_reported(path, data)
    assert "lines 4-41 (9102): rejected" in data.report()


def test_a_whole_release_with_free_text_sources_reads(tmp_path: Path) -> None:
    assert len(RELEASE) == 41
    article = 'SANA, "Army units target terrorists"\nAFP,\n2 August 2019'
    rows = [{**GOOD, "id": "9201", "source_article": article, "source_headline": "a, b, c"}, {**GOOD, "id": "9202"}]
    path = _csv(tmp_path, rows, header=RELEASE)
    data = read_ucdp(path, MAPPING)
    assert (data.read, data.accepted) == (2, 2), data.report()
    assert data.lines == ((2, 4), (5, 5))
    _assert_every_line_reported(path, data)


def test_missing_columns_are_a_typed_error(tmp_path: Path) -> None:
    path = tmp_path / "ged.csv"
    path.write_text("id,side_a,side_b\n1,a,b\n", encoding="utf-8")
    with pytest.raises(UcdpError) as caught:
        read_ucdp(path, MAPPING)
    assert isinstance(caught.value, TruceError) and isinstance(caught.value, ValueError)
    assert {p.message for p in caught.value.problems} >= {"missing column 'date_start'", "missing column 'best'"}
    path.write_text(",".join([*HEADER, "best"]) + "\n", encoding="utf-8")
    with pytest.raises(UcdpError, match="column 'best' appears twice in the header"):
        read_ucdp(path, MAPPING)


def test_the_perpetrator_is_the_side_the_mapping_names(tmp_path: Path) -> None:
    one_sided = {**GOOD, "id": "9301", "type_of_violence": "3", "side_b": "Civilians"}
    path = _csv(tmp_path, [GOOD, one_sided])
    assert [i.by for i in read_ucdp(path, MAPPING).incidents] == [None, "sy-gov"]
    mapping = tmp_path / "m.yaml"
    mapping.write_text(MAPPING.read_text(encoding="utf-8").replace(
        "perpetrator: unknown   # side_a", "perpetrator: side_a   # side_a"), encoding="utf-8")  # fmt: skip
    assert [i.by for i in read_ucdp(path, mapping).incidents] == ["sy-gov", "sy-gov"]


def test_a_dyad_perpetrator_gives_both_sides_as_candidates(tmp_path: Path) -> None:
    """``perpetrator: dyad``: both mapped sides as candidates; one id where both map to it; not known where a side
    is unattributed or ignored (the act may be another's); a breach of a clause binding both is "one of" them."""
    hts = {**GOOD, "id": "9401", "side_b": "HTS"}
    same = {**GOOD, "id": "9402", "side_a": "HTS", "side_b": "HTS"}
    ignored = {**GOOD, "id": "9403", "side_b": "SDF"}
    path = _csv(tmp_path, [hts, GOOD, same, ignored])
    mapping = tmp_path / "m.yaml"
    mapping.write_text(MAPPING.read_text(encoding="utf-8").replace(
        "perpetrator: unknown   # side_a", "perpetrator: dyad   # side_a"), encoding="utf-8")  # fmt: skip
    data = read_ucdp(path, mapping)
    assert [i.by for i in data.incidents] == [["sy-gov", "hts"], None, "hts", None]
    verdict = truce.evaluate(data.scenario(), reading="sochi")
    assert (verdict.status, verdict.responsible, verdict.responsible_one_of) == ("breached", ["hts"], [["hts", "sy-gov"]])


def test_dyad_on_the_real_sample_leaves_every_perpetrator_unknown(tmp_path: Path) -> None:
    """As docs/event-data.md says: each real event has an unattributed or ignored side, so no closed list of candidates."""
    mapping = tmp_path / "m.yaml"
    mapping.write_text(MAPPING.read_text(encoding="utf-8").replace("perpetrator: unknown", "perpetrator: dyad"), encoding="utf-8")
    data = read_ucdp(REAL_CSV, mapping)
    assert data.accepted == 101
    assert {i.by for i in data.incidents} == {None}


@pytest.mark.parametrize("where_prec", sorted(UNCERTAINTY_KM))
def test_where_prec_becomes_a_radius_and_the_days_a_window(tmp_path: Path, where_prec: int) -> None:
    row = {**GOOD, "where_prec": str(where_prec), "date_prec": "2", "date_end": "2019-08-05"}
    incident = read_ucdp(_csv(tmp_path, [row]), MAPPING).incidents[0]
    assert incident.uncertainty_km == UNCERTAINTY_KM[where_prec]
    assert incident.time.isoformat() == "2019-08-03T00:00:00+03:00"
    assert incident.latest is not None and incident.latest - incident.time == timedelta(days=3)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('utc_offset: "+25:00"', "UTC offset '+25:00' is out of range"),
        ("time_zone: Asia/Damascsu", "unknown time zone 'Asia/Damascsu': expected an IANA name such as 'Asia/Damascus' "
                                     "(did you mean 'Asia/Damascus'?)"),
        ("time_zone: ../../etc/passwd", "unknown time zone"),
    ],
)
def test_a_bad_time_zone_fails_validation(tmp_path: Path, line: str, message: str) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(MAPPING.read_text(encoding="utf-8").replace("time_zone: Asia/Damascus", line), encoding="utf-8")
    with pytest.raises(UcdpError, match="invalid mapping") as caught:
        read_ucdp(REAL_CSV, mapping)
    assert message in caught.value.problems[0].message and caught.value.problems[0].line == 5


def _mapping(tmp_path: Path, old: str = "", new: str = "") -> Path:
    """The real sample's mapping with its first ``old`` changed to ``new``, written to a file."""
    text = MAPPING.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "m.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("HTS: hts", "HTS: hst", ("sides.HTS", "unknown party 'hst'", "did you mean 'hts'?")),
    ("kind: armed_clash", "kind: armed_clsh",
     ("violence.state_based.kind", "unknown incident kind 'armed_clsh'", "did you mean 'armed_clash'?")),
])  # fmt: skip
def test_a_mapping_naming_an_unknown_id_is_refused_where_it_says_so(
    tmp_path: Path, old: str, new: str, expected: tuple[str, str, str]
) -> None:
    mapping = _mapping(tmp_path, old, new)
    line = 1 + next(n for n, text in enumerate(mapping.read_text().splitlines()) if new in text)
    path, message, suggestion = expected
    for call in (load_mapping, lambda m: read_ucdp(REAL_CSV, m)):
        with pytest.raises(UcdpError) as caught:
            call(mapping)
        assert str(caught.value).splitlines()[0] == f"mapping {mapping} does not fit rulebook idlib-2019: 1 problem"
        assert list(caught.value.problems) == [
            Problem(path, message, value=new.split(": ")[1], suggestion=suggestion, file=str(mapping), line=line)]  # fmt: skip


def test_a_mapping_is_checked_against_the_rulebook_given(tmp_path: Path) -> None:
    mapping, book = load_mapping(_mapping(tmp_path, "kind: armed_clash", "kind: ignore"))  # a type may be set aside
    assert book.id == "idlib-2019" and mapping.violence["state_based"].kind == "ignore"
    draft = book.model_copy(update={"id": "idlib-2019-draft"})
    assert load_mapping(MAPPING, draft)[1] is draft
    assert read_ucdp(_csv(tmp_path, [GOOD]), MAPPING, draft).book is draft
    with pytest.raises(UcdpError, match="does not fit rulebook idlib-2019") as caught:
        load_mapping(MAPPING, book.model_copy(update={"incident_kinds": {}}))
    assert [p.path for p in caught.value.problems] == [f"violence.{name}.kind" for name in ("state_based", "non_state", "one_sided")]


SIDE_IDS = load_mapping(MAPPING)[0].sides
SIDES = ", ".join(sorted(SIDE_IDS))
"""Every side name the real sample's mapping knows, as an unknown far from all of them is told."""
_TEXT = MAPPING.read_text(encoding="utf-8")
NO_ONE_SIDED = (_TEXT[_TEXT.index("  one_sided:"):], "")  # the mapping without its one-sided rule
ONE_SIDED_IGNORED = ("kind: armed_clash\n    perpetrator: side_a", "kind: ignore\n    perpetrator: side_a")
STATE_SIDE_A = ("perpetrator: unknown   # side_a", "perpetrator: side_a   # side_a")


@pytest.mark.parametrize(("change", "edit", "reason", "ignored"), [
    ({"type_of_violence": "9" * 50}, None, f"type_of_violence {'9' * 40!r} must be 1, 2 or 3", False),
    ({"type_of_violence": "3"}, NO_ONE_SIDED, "type_of_violence 3 (one_sided) is not in the mapping's 'violence'", False),
    ({"type_of_violence": "3"}, ONE_SIDED_IGNORED, "the mapping ignores type_of_violence 3 (one_sided)", True),
    ({"side_a": " "}, None, "side_a is empty", False),
    ({"side_b": ""}, None, "side_b is empty", False),
    ({"side_a": "Government of Syrai"}, None,
     "side_a 'Government of Syrai' is not in the mapping's 'sides' (did you mean 'Government of Syria'?)", False),
    ({"side_b": "Q" * 90}, None, f"side_b {'Q' * 80!r} is not in the mapping's 'sides' (expected one of: {SIDES})", False),
    ({"side_a": "IS"}, STATE_SIDE_A, "the mapping ignores the perpetrator, side_a 'IS'", True),
    ({"side_a": "Syrian insurgents", "side_b": "Government of Syria"}, STATE_SIDE_A, None, False),
    ({"date_start": "2019-13-01"}, None, "date_start '2019-13-01' is not a date (expected e.g. 2019-08-02)", False),
    ({"date_end": "03/08/2019"}, None, "date_end '03/08/2019' is not a date (expected e.g. 2019-08-02)", False),
    ({"date_start": "2019-08-03 00:00:00.000", "date_end": "2019-08-03 00:00:00"}, None, None, False),
    ({"date_prec": "0"}, None, "date_prec '0' must be one of 1, 2, 3, 4, 5", False),
    ({"where_prec": "0"}, None, "where_prec '0' must be one of 1, 2, 3, 4, 5, 6, 7", False),
    ({"where_prec": "8"}, None, "where_prec '8' must be one of 1, 2, 3, 4, 5, 6, 7", False),
    ({"where_prec": "7"}, None, "where_prec 7: in international waters or airspace, no place to test against zones", False),
])  # fmt: skip
def test_each_row_is_read_or_reported_with_its_reason(
    tmp_path: Path, change: dict[str, str], edit: tuple[str, str] | None, reason: str | None, ignored: bool
) -> None:
    row = {**GOOD, **change}
    data = read_ucdp(_csv(tmp_path, [row]), _mapping(tmp_path, *(edit or ())))
    if reason is None:
        assert data.rejected == () and data.incidents[0].by is None
        source = data.incidents[0].source
        assert source is not None and source.sides == [SIDE_IDS[row["side_a"]], SIDE_IDS[row["side_b"]]]
    else:
        assert [(p.line, p.event_id, p.reason, p.ignored) for p in data.rejected] == [(2, "9001", reason, ignored)]


DAY_AND_PLACE = "(UCDP type_of_violence 1, date_prec 1, where_prec 1)"


@pytest.mark.parametrize(("change", "note"), [
    ({}, f"Khan Shaykhun town: Government of Syria - Syrian insurgents {DAY_AND_PLACE}"),
    ({"where_coordinates": " "}, f"Idlib Governorate: Government of Syria - Syrian insurgents {DAY_AND_PLACE}"),
    ({"where_coordinates": "", "adm_1": ""}, f"unnamed place: Government of Syria - Syrian insurgents {DAY_AND_PLACE}"),
    ({"side_b": "HTS"}, f"Khan Shaykhun town: Government of Syria - Syrian insurgents {DAY_AND_PLACE}"),  # UCDP's own
    ({"dyad_name": "", "side_b": " HTS "}, f"Khan Shaykhun town: Government of Syria - HTS {DAY_AND_PLACE}"),
    ({"where_coordinates": "w" * 2000}, "w" * 1000),
])  # fmt: skip
def test_the_note_names_the_place_the_dyad_and_the_precision(tmp_path: Path, change: dict[str, str], note: str) -> None:
    assert read_ucdp(_csv(tmp_path, [{**GOOD, **change}]), MAPPING).incidents[0].note == note


def test_an_export_of_the_needed_columns_only_reads(tmp_path: Path) -> None:
    needed = UcdpReader.required
    data = read_ucdp(write_csv(tmp_path / "bare.csv", needed, [{c: GOOD[c] for c in needed}]), MAPPING)
    assert data.incidents[0].note == f"unnamed place: Government of Syria - Syrian insurgents {DAY_AND_PLACE}"
    source = data.incidents[0].source  # the attribution UCDP's licence asks for travels with each incident
    assert source is not None and source.licence == "CC BY 4.0 (cite Sundberg and Melander 2013, Journal of Peace Research 50(4))"


def _read_in_thread(path: Path, mapping: Path = MAPPING) -> BaseException | None:
    """Read ``path`` in a daemon thread; fail if it has not returned within 10 seconds (a hang)."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            read_ucdp(path, mapping)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), f"reading {path} hangs"
    return outcome[0]


def test_a_fifo_a_device_or_a_folder_is_a_typed_error_never_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "events.csv"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero"), tmp_path):
        error = _read_in_thread(path)
        assert isinstance(error, EventLogError), error
        assert "not a regular file" in str(error)
    error = _read_in_thread(REAL_CSV, mapping=fifo)
    assert isinstance(error, UcdpError) and "not a regular file" in str(error)


def test_a_log_over_the_size_bound_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(UcdpError, match="too large"):
        read_ucdp(REAL_CSV, MAPPING, max_bytes=1000)


_ROW = ",".join(csv_value for csv_value in GOOD.values())
_PIECES = st.one_of(
    st.builds(lambda n: _ROW.replace("9001", str(n), 1), st.integers(10_000, 99_999)),  # a good row
    st.builds(lambda n, at: (r := _ROW.replace("9001", str(n), 1))[:at] + '"' + r[at:],
              st.integers(10_000, 99_999), st.integers(0, len(_ROW))),  # a stray quote
    st.builds(lambda at: _ROW[:at], st.integers(0, len(_ROW))),  # a truncated line
    st.just(_ROW.replace("Khan Shaykhun town", "z" * 131_073)),  # a field over the limit
    st.just('9999,"quoted\nacross, lines"'),  # a short record spanning lines
    st.just(""),  # a blank line
    st.text(alphabet=',"\nab1', max_size=12),  # noise
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(_PIECES, max_size=12), newline=st.sampled_from(["\n", "\r\n"]), end=st.booleans())
def test_no_physical_line_is_ever_lost(tmp_path: Path, pieces: list[str], newline: str, end: bool) -> None:
    path = tmp_path / "generated.csv"
    body = "\n".join([",".join(HEADER), *pieces]) + ("\n" if end else "")
    path.write_bytes(body.replace("\n", newline).encode())
    data = read_ucdp(path, MAPPING)
    _assert_every_line_reported(path, data)
