"""What every event-log reader shares (truce.io's core): telling the format, refusing files that cannot be read,
with the whole problem (file, line, message, suggestion), reading records line by line, and the import report."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from csvfiles import ACLED_ROW, REAL_CSV, UCDP_HEADER, UCDP_MAPPING, write_csv
from truce import load_rulebook
from truce._errors import Problem
from truce._source import NOT_REGULAR
from truce.io import MAX_BYTES, EventLogError, detect_format, read_events
from truce.io.acled import COLUMNS, SAMPLE_CSV, SAMPLE_MAPPING, AcledError, AcledMapping, AcledReader, read_acled
from truce.io.ucdp import UcdpReader

GOOD = ACLED_ROW
MAX_RECORD = 1 << 23  # characters in one record, all its lines together


def _acled(tmp_path: Path, rows: list[dict[str, str]], tail: str = "") -> Path:
    return write_csv(tmp_path / "events.csv", COLUMNS, rows, tail)


def _refusal(error: type[Exception], call: object, *args: object, **kwargs: object) -> tuple[str, list[Problem]]:
    """The first line of the error ``call`` raises, and its problems."""
    assert callable(call)
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    return str(caught.value).splitlines()[0], list(caught.value.problems)  # type: ignore[attr-defined]


# --- telling the format ---------------------------------------------------------------------------------------


def test_the_format_is_told_from_the_header(tmp_path: Path) -> None:
    assert detect_format(_acled(tmp_path, [GOOD])) == "acled"
    assert detect_format(REAL_CSV) == "ucdp"
    for name, reader in [("acled", AcledReader), ("ucdp", UcdpReader)]:  # an export of the needed columns only
        assert detect_format(write_csv(tmp_path / f"{name}.csv", reader.required, [])) == name


@pytest.mark.parametrize(("header", "why"), [
    (["id", "date"], "no known format's columns"),
    ([*COLUMNS, *UCDP_HEADER], "the columns of acled and ucdp"),
])  # fmt: skip
def test_a_header_of_no_format_or_of_two_is_refused_by_name(tmp_path: Path, header: list[str], why: str) -> None:
    path = write_csv(tmp_path / "log.csv", sorted(set(header)), [])
    first, problems = _refusal(EventLogError, detect_format, path)
    assert first == f"cannot tell the format of {path}: 1 problem"
    assert problems == [Problem("", f"the header has {why}", file=str(path), line=1, suggestion="name it: one of acled, ucdp")]


def test_an_unknown_format_name_is_refused_with_the_known_ones() -> None:
    first, problems = _refusal(EventLogError, read_events, SAMPLE_CSV, SAMPLE_MAPPING, format="gdelt")
    assert first == "unknown event-log format 'gdelt': 1 problem"
    assert problems == [Problem("events", "unknown format 'gdelt'", value="gdelt", suggestion="one of: acled, ucdp")]


@pytest.mark.parametrize("format", [None, "acled"])
def test_the_size_limit_holds_whether_the_format_is_named_or_told(format: str | None) -> None:
    size = SAMPLE_CSV.stat().st_size
    first, problems = _refusal(EventLogError, read_events, SAMPLE_CSV, SAMPLE_MAPPING, format=format, max_bytes=100)
    assert first == f"{SAMPLE_CSV} is too large: 1 problem"
    assert problems == [Problem("", f"file is {size} bytes, over the limit of 100", file=str(SAMPLE_CSV),
                                suggestion="raise max_bytes")]  # fmt: skip
    assert read_events(SAMPLE_CSV, SAMPLE_MAPPING, format=format, max_bytes=size).read > 0  # the limit itself is allowed


def test_the_size_limit_holds_when_telling_the_format() -> None:
    _, problems = _refusal(EventLogError, detect_format, SAMPLE_CSV, max_bytes=100)
    assert problems[0].message.startswith("file is ") and problems[0].file == str(SAMPLE_CSV)


# --- files that cannot be read --------------------------------------------------------------------------------


def test_a_folder_is_refused_with_advice_to_save_the_log(tmp_path: Path) -> None:
    first, problems = _refusal(AcledError, read_acled, tmp_path, SAMPLE_MAPPING)
    assert first == f"cannot read {tmp_path}: 1 problem"
    assert problems == [Problem("", NOT_REGULAR, file=str(tmp_path), suggestion="save the log to a file first")]


def test_a_missing_file_is_refused_without_that_advice(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    first, problems = _refusal(AcledError, read_acled, path, SAMPLE_MAPPING)
    assert first == f"cannot read {path}: 1 problem"
    assert problems == [Problem("", "cannot read file: No such file or directory", file=str(path))]


@pytest.mark.parametrize(("text", "reason"), [
    ("", "no header row"),
    ("\n\n", "no header row"),
    ("event_id_cnty,\udcff\n", "not UTF-8 text"),
    ("event_id_cnty," + "x" * 131_073 + "\n", "a field is over 131072 characters (a stray quote?)"),
])  # fmt: skip
def test_a_file_without_a_readable_header_is_refused_at_line_1(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    for call, error, args in [(read_acled, AcledError, (path, SAMPLE_MAPPING)), (detect_format, EventLogError, (path,))]:
        first, problems = _refusal(error, call, *args)
        assert first == f"{path} has no readable header: 1 problem"
        assert problems == [Problem("", reason, file=str(path), line=1)]


@pytest.mark.parametrize(("header", "problems"), [
    ([*COLUMNS, "latitude"], ["column 'latitude' appears twice in the header"]),
    ([c for c in COLUMNS if c not in ("latitude", "fatalities")], ["missing column 'latitude'", "missing column 'fatalities'"]),
])  # fmt: skip
def test_a_header_without_each_column_once_is_refused_at_line_1(tmp_path: Path, header: list[str], problems: list[str]) -> None:
    path = tmp_path / "events.csv"
    path.write_text(",".join(header) + "\n", encoding="utf-8")
    first, found = _refusal(AcledError, read_acled, path, SAMPLE_MAPPING)
    twice = "twice" in problems[0]
    what = "has a column twice" if twice else "is not an export of ACLED"
    assert first == f"{path} {what}: {len(problems)} problem{'s' * (len(problems) > 1)}"
    hint = None if twice else "export every ACLED column"
    assert found == [Problem("", message, file=str(path), line=1, suggestion=hint) for message in problems]


def test_a_byte_order_mark_and_line_breaks_inside_a_field_are_kept_as_written(tmp_path: Path) -> None:
    path = _acled(tmp_path, [{**GOOD, "notes": "shelling\r\nat dawn"}])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    data = read_acled(path, SAMPLE_MAPPING)
    assert data.accepted == 1 and data.lines == ((2, 3),)
    assert data.incidents[0].note == "Khan Shaykhun: shelling\r\nat dawn"


# --- records: lines, sizes, the report ------------------------------------------------------------------------


@pytest.mark.parametrize("end", ["\n", "\r"], ids=["LF", "CR"])
def test_a_record_over_the_size_bound_is_rejected_and_the_next_line_read(tmp_path: Path, end: str) -> None:
    """Whatever ends the long line (a CR alone, as old Mac files do, too), the rest of it is skipped, not the next."""
    long_line = "T2," + ",".join(["x" * 100_000] * (2 * MAX_RECORD // 100_000 + 2))  # two bounds long, one line
    path = _acled(tmp_path, [GOOD], tail=long_line + end + "T3,2019-08-03,2019,1,,Battles,Armed clash,"
                  "Military Forces of Syria (2000-),,,,,,,,,,,,,,Khan Shaykhun,35.4389,36.6511,1,,,,0,,\n")
    data = read_acled(path, SAMPLE_MAPPING)
    assert (data.read, data.accepted) == (3, 2) and data.lines == ((2, 2), (4, 4))
    assert [(p.lines, p.event_id, p.reason) for p in data.rejected] == [
        ((3, 3), None, f"record over {MAX_RECORD} characters (a stray quote?)")]


@pytest.mark.parametrize(("size", "over"), [(MAX_RECORD, False), (MAX_RECORD + 1, True)])
def test_the_record_bound_counts_every_character_of_every_line(tmp_path: Path, size: int, over: bool) -> None:
    """Fields of 100,000 characters that each hold a line break: a record of many lines, ``size`` characters in all."""
    field = '"' + "x" * 50_000 + "\n" + "x" * 49_996 + '"'
    fields = size // (len(field) + 1)
    record = ",".join([field] * fields)
    record += "," + "y" * (size - len(record) - 2) + "\n"
    assert len(record) == size
    path = _acled(tmp_path, [], tail=record + "T9," + ",".join([""] * 30) + "\n")
    data = read_acled(path, SAMPLE_MAPPING)
    first, last = 2, 2 + fields
    reason = (f"record over {MAX_RECORD} characters (a stray quote?)" if over
              else f"has {fields + 1} fields, the header has {len(COLUMNS)} (a truncated or broken line?)")
    assert data.rejected[0].reason == reason
    if not over:
        assert data.rejected[0].lines == (first, last)
    assert (data.rejected[1].line, data.rejected[1].event_id) == (last + 1, "T9")


def test_a_field_over_the_limit_is_rejected_but_a_long_record_of_short_fields_is_not(tmp_path: Path) -> None:
    limit = 131_072
    rows = [{**GOOD, "event_id_cnty": "T1", "notes": "n" * limit, "location": "l" * 100},
            {**GOOD, "event_id_cnty": "T2", "notes": "n" * (limit + 1)}]  # fmt: skip
    data = read_acled(_acled(tmp_path, rows), SAMPLE_MAPPING)
    assert [i.id for i in data.incidents] == ["T1"]
    assert [(p.line, p.event_id, p.reason) for p in data.rejected] == [(3, None, f"a field is over {limit} characters (a stray quote?)")]


@pytest.mark.parametrize(("lines", "swallowed"), [(2, 0), (3, 1)])
def test_a_stray_quote_is_told_only_when_it_swallows_whole_rows(tmp_path: Path, lines: int, swallowed: int) -> None:
    """A record of two physical lines has no line inside it; one of three has one, here a whole row."""
    inner = ["T5,2019-08-03,2019,1" + "," * 27] * (lines - 2)
    tail = "\n".join(['T4,2019-08-03,2019,1,,Battles,"Armed clash', *inner, 'end"' + "," * 24]) + "\n"
    data = read_acled(_acled(tmp_path, [GOOD], tail=tail), SAMPLE_MAPPING)
    problem = data.rejected[0]
    assert (problem.lines, problem.event_id) == ((3, 2 + lines), "T4")
    if swallowed:
        assert problem.reason == (f"a quoted field runs from line 3 to line {2 + lines} and swallows 1 line(s) "
                                  "that read as whole rows (a stray quote?)")  # fmt: skip
    else:
        assert problem.reason.startswith("event type 'Battles' / 'Armed clash\\nend'")


def test_the_report_and_summary_name_every_record_not_accepted(tmp_path: Path) -> None:
    rows = [GOOD, {**GOOD, "event_id_cnty": ""}, {**GOOD, "event_id_cnty": "T2", "location": "Khan\nShaykhun",
            "latitude": "x"}, {**GOOD, "event_id_cnty": "T3", "event_type": "Riots", "sub_event_type": "Mob violence"}]  # fmt: skip
    path = _acled(tmp_path, rows)
    data = read_acled(path, SAMPLE_MAPPING)
    coordinates = "latitude/longitude 'x', '36.6511' are not numbers (missing coordinates?)"
    ignored = "the mapping ignores Riots / Mob violence"
    assert data.report() == "\n".join([
        f"{path}: 4 rows read, 1 accepted, 3 not accepted",
        "  line 3 (no event id): rejected: event_id_cnty is empty",
        f"  lines 4-5 (T2): rejected: {coordinates}",
        f"  line 6 (T3): set aside: {ignored}",
    ])  # fmt: skip
    assert data.summary() == {"file": str(path), "format": "ACLED", "rows_read": 4, "accepted": 1, "rejected": 3,
                              "rejected_rows": [
        {"line": 3, "last_line": 3, "id": None, "reason": "event_id_cnty is empty", "ignored": False},
        {"line": 4, "last_line": 5, "id": "T2", "reason": coordinates, "ignored": False},
        {"line": 6, "last_line": 6, "id": "T3", "reason": ignored, "ignored": True}]}  # fmt: skip


@pytest.mark.parametrize(("length", "shown"), [(80, "T" * 80), (81, "T" * 80 + "..."), (199, "T" * 80 + "...")])
def test_a_long_event_id_is_shortened_in_the_report(tmp_path: Path, length: int, shown: str) -> None:
    rows = [{**GOOD, "event_id_cnty": "T" * length, "latitude": "x"}]
    assert read_acled(_acled(tmp_path, rows), SAMPLE_MAPPING).rejected[0].event_id == shown


@pytest.mark.parametrize(("length", "accepted"), [(200, True), (201, False)])
def test_an_event_id_of_200_characters_is_the_longest_read(tmp_path: Path, length: int, accepted: bool) -> None:
    data = read_acled(_acled(tmp_path, [{**GOOD, "event_id_cnty": "T" * length}]), SAMPLE_MAPPING)
    assert data.accepted == int(accepted)
    assert accepted or data.rejected[0].reason == "event_id_cnty is over 200 characters"


def test_a_row_with_fields_short_of_the_header_is_rejected_and_the_rest_read(tmp_path: Path) -> None:
    path = _acled(tmp_path, [GOOD], tail="T2,2019-08-03\n" + "T3" + "," * 30 + "\n")
    data = read_acled(path, SAMPLE_MAPPING)
    assert [(p.line, p.event_id) for p in data.rejected] == [(3, "T2"), (4, "T3")]
    assert data.rejected[0].reason == "has 2 fields, the header has 31 (a truncated or broken line?)"


# --- fields: dates, places, numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("event_date", "1900-01-01", None),
    ("event_date", "2199-12-31", None),
    ("event_date", "1899-12-31", "event_date '1899-12-31' is outside the years 1900-2199"),
    ("event_date", "2200-01-01", "event_date '2200-01-01' is outside the years 1900-2199"),
    ("event_date", "2019-8-3", None),  # single-digit month and day, as strptime reads them
    ("event_date", "3 August 2019", None),
    ("event_date", "03/08/2019", None),
    ("event_date", "2019-08-3x" + "9" * 40, "event_date '2019-08-3x" + "9" * 30 + "' is not a date (expected e.g. 2019-08-02)"),
    ("latitude", "90", None),
    ("latitude", "-90", None),
    ("latitude", "90.5", "latitude/longitude 90.5, 36.6511 are out of range"),
    ("latitude", "-90.5", "latitude/longitude -90.5, 36.6511 are out of range"),
    ("longitude", "180", None),
    ("longitude", "-180", None),
    ("longitude", "180.5", "latitude/longitude 35.4389, 180.5 are out of range"),
    ("longitude", "-180.5", "latitude/longitude 35.4389, -180.5 are out of range"),
    ("latitude", "n" * 50, f"latitude/longitude {'n' * 40!r}, '36.6511' are not numbers (missing coordinates?)"),
    ("longitude", "e" * 50, f"latitude/longitude '35.4389', {'e' * 40!r} are not numbers (missing coordinates?)"),
    ("geo_precision", "4" * 50, f"geo_precision {'4' * 40!r} must be one of 1, 2, 3"),
    ("fatalities", "x" * 50, f"fatalities {'x' * 40!r} is not a whole number"),
])  # fmt: skip
def test_each_field_is_read_within_its_bounds(tmp_path: Path, column: str, value: str, reason: str | None) -> None:
    data = read_acled(_acled(tmp_path, [{**GOOD, column: value}]), SAMPLE_MAPPING)
    assert [p.reason for p in data.rejected] == ([reason] if reason else [])


def test_dates_in_every_accepted_spelling_are_the_same_day(tmp_path: Path) -> None:
    spellings = ["2019-08-03", "2019-8-3", "3 August 2019", "03-August-2019", "03/08/2019"]
    rows = [{**GOOD, "event_id_cnty": f"T{n}", "event_date": text} for n, text in enumerate(spellings)]
    data = read_acled(_acled(tmp_path, rows), SAMPLE_MAPPING)
    assert {i.time.isoformat() for i in data.incidents} == {"2019-08-03T00:00:00+03:00"} and data.accepted == 5


# --- mappings: time zones, rulebooks --------------------------------------------------------------------------


def _mapping(tmp_path: Path, zone: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(SAMPLE_MAPPING.read_text(encoding="utf-8").replace("time_zone: Asia/Damascus", zone), encoding="utf-8")
    return path


@pytest.mark.parametrize(("offset", "start"), [
    ("+23:59", "2019-08-03T00:00:00+23:59"),
    ("-05:30", "2019-08-03T00:00:00-05:30"),
    ("-00:45", "2019-08-03T00:00:00-00:45"),
])  # fmt: skip
def test_a_utc_offset_places_the_local_day(tmp_path: Path, offset: str, start: str) -> None:
    data = read_acled(_acled(tmp_path, [GOOD]), _mapping(tmp_path, f'utc_offset: "{offset}"'))
    assert data.incidents[0].time.isoformat() == start
    assert data.incidents[0].latest == data.incidents[0].time + timedelta(days=1)


@pytest.mark.parametrize("offset", ["+24:00", "-23:60"])
def test_a_utc_offset_out_of_range_is_refused(tmp_path: Path, offset: str) -> None:
    _, problems = _refusal(AcledError, read_acled, SAMPLE_CSV, _mapping(tmp_path, f'utc_offset: "{offset}"'))
    assert [p.path for p in problems] == ["utc_offset"]
    assert f"UTC offset '{offset}' is out of range (-23:59 to +23:59)" in problems[0].message


@pytest.mark.parametrize(("zone", "ending"), [
    ("Asia/Damaskus", "such as 'Asia/Damascus' (did you mean 'Asia/Damascus'?)"),
    ("Qqqq/Zzzz", "such as 'Asia/Damascus'"),
])  # fmt: skip
def test_an_unknown_time_zone_is_refused_with_a_close_name_if_any(tmp_path: Path, zone: str, ending: str) -> None:
    _, problems = _refusal(AcledError, read_acled, SAMPLE_CSV, _mapping(tmp_path, f"time_zone: {zone}"))
    assert [p.path for p in problems] == ["time_zone"]
    assert problems[0].message.endswith(f"unknown time zone {zone!r}: expected an IANA name {ending}")


def test_a_rulebook_given_by_path_or_by_the_mappings_agreement_is_used(tmp_path: Path) -> None:
    path = _acled(tmp_path, [GOOD])
    mapping = AcledMapping.model_validate({"agreement": "idlib-2019", "time_zone": "Asia/Damascus", "actors": {
        "Military Forces of Syria (2000-)": "sy-gov"}, "events": {"Explosions/Remote violence": "shelling"}})  # fmt: skip
    rules = Path(__file__).resolve().parents[1] / "rules" / "idlib-2019.yaml"
    for given, source in [(SAMPLE_MAPPING, rules), (mapping, None), (mapping, rules), (SAMPLE_MAPPING, str(rules))]:
        data = read_acled(path, given, source)
        assert data.book.id == "idlib-2019" and data.accepted == 1


# --- the scenario a log gives ---------------------------------------------------------------------------------


def test_a_log_gives_its_incidents_and_sightings_as_a_scenario(tmp_path: Path) -> None:
    battle = {**GOOD, "event_type": "Battles", "sub_event_type": "Armed clash", "actor2": "Hayat Tahrir al-Sham"}
    path = _acled(tmp_path, [battle])
    data = read_acled(path, SAMPLE_MAPPING)
    scenario = data.scenario()
    assert scenario.title == "ACLED events from events.csv" and scenario.agreement == "idlib-2019"
    assert scenario.as_of == datetime.fromisoformat("2019-08-04T00:00:00+03:00")
    assert [u.id for u in scenario.units] == [u.id for u in data.units] and len(scenario.units) == 2
    assert [i.id for i in scenario.incidents] == ["T1"]
    when = datetime.fromisoformat("2019-08-10T12:00:00+03:00")
    assert data.scenario(when).as_of == when


def test_a_log_without_accepted_rows_is_a_scenario_at_the_agreements_start(tmp_path: Path) -> None:
    data = read_acled(_acled(tmp_path, [{**GOOD, "latitude": "x"}]), SAMPLE_MAPPING)
    assert data.scenario().as_of == load_rulebook("idlib-2019").in_force.start
    assert data.scenario().incidents == [] and UCDP_MAPPING.exists()


def test_a_row_the_incident_model_refuses_is_rejected_with_the_field_and_the_rest_read(tmp_path: Path) -> None:
    rows = [{**GOOD, "event_id_cnty": "T1", "fatalities": "999999999", "notes": "two\nlines"}, {**GOOD, "event_id_cnty": "T2"}]
    data = read_acled(_acled(tmp_path, rows), SAMPLE_MAPPING)
    assert [i.id for i in data.incidents] == ["T2"]
    assert [(p.lines, p.event_id, p.reason, p.ignored) for p in data.rejected] == [
        ((2, 3), "T1", "fatalities: Input should be less than or equal to 10000000", False)]  # fmt: skip


def test_a_raised_size_limit_also_holds_when_telling_the_format(tmp_path: Path) -> None:
    """A log over the default 1 GiB, read with a higher limit: the header is read, not refused as too large."""
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.write(b"id,date\n")
        handle.truncate(MAX_BYTES + 1)  # sparse: nothing past the header is read
    _, problems = _refusal(EventLogError, read_events, path, SAMPLE_MAPPING, max_bytes=MAX_BYTES + 1)
    assert [p.message for p in problems] == ["the header has no known format's columns"]


def test_the_field_limit_holds_even_where_the_csv_module_was_told_to_allow_more(tmp_path: Path) -> None:
    """csv's field limit is process-wide: another library may raise it; the reader's own limit still holds."""
    path = _acled(tmp_path, [{**GOOD, "notes": "@1"}, {**GOOD, "event_id_cnty": "T2", "notes": "@2"}])
    long = b"n" * 131_073
    path.write_bytes(path.read_bytes().replace(b"@1", long).replace(b"@2", b"\xff" + long))  # T2: not UTF-8 either
    before = csv.field_size_limit(1 << 24)
    try:
        data = read_acled(path, SAMPLE_MAPPING)
    finally:
        csv.field_size_limit(before)
    assert [(p.event_id, p.reason) for p in data.rejected] == [("T1", "a field is over 131072 characters"), ("T2", "not UTF-8 text")]
