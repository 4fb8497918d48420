"""Hostile input, round two: impossible values, files that never end, files outside the rulebook.

Every bad input is a TruceError naming file, line and field; on the command line it is
exit status 3 with one-line problems, never a traceback, never a hang.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import truce
from cli_output import problem_lines
from truce._cli import main
from truce._engines import durable_available
from truce._errors import Problem
from truce._lint import lint_rulebook
from truce._load import MAX_CLAUSES
from truce.io.acled import SAMPLE_CSV, SAMPLE_MAPPING

ROOT = Path(__file__).resolve().parents[1]
BOOK_TEXT = re.sub(r"\n *depths: \{[^\n]*", "", (ROOT / "rules" / "idlib-2019.yaml").read_text(encoding="utf-8"))
"""The Idlib rulebook without its zone's depths, which only a zone drawn from a file may give: the tests below
redraw that zone in other ways."""
GOOD: dict[str, Any] = {
    "agreement": "idlib-2019",
    "as_of": "2019-08-03T12:00:00+03:00",
    "units": [{"id": "u1", "party": "hts", "kind": "tank", "count": 2, "position": {"lat": 35.4389, "lon": 36.6511}}],
    "incidents": [{"id": "i1", "time": "2019-08-02T00:40:00+03:00", "kind": "shelling", "by": "sy-gov", "zone": "buffer"}],
}
GOOD_TEXT = """\
agreement: idlib-2019
as_of: 2019-08-03T12:00:00+03:00
units:
  - {id: u1, party: hts, kind: tank, count: 2, position: {lat: 35.4389, lon: 36.6511}}
incidents:
  - {id: i1, time: 2019-08-02T00:40:00+03:00, kind: shelling, by: sy-gov, zone: buffer}
"""
ENV = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}

FORKSERVER = multiprocessing.get_context("forkserver")  # forking a process that runs threads can deadlock the child


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The command line in a child process, killed (and the test failed) if it hangs."""
    return subprocess.run(
        [sys.executable, "-m", "truce", *args], capture_output=True, text=True, timeout=120, env=env or ENV, check=False
    )


def _bad_input(done: subprocess.CompletedProcess[str]) -> str:
    """Assert a run was refused as bad input with one-line problems; its stderr."""
    assert done.returncode == 3, (done.stdout, done.stderr)
    problem_lines(done.stderr)
    return done.stderr


def _within(seconds: float, call: Callable[[], object]) -> object:
    """Run ``call`` in a daemon thread; fail the test instead of hanging if it does not return in time."""
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(_outcome(call)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert result, f"still running after {seconds} s: hangs"
    return result[0]


def _outcome(call: Callable[[], object]) -> object:
    try:
        return call()
    except Exception as exc:
        return exc


@pytest.fixture
def book_dir(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "rules" / "zones", tmp_path / "zones")
    return tmp_path


def _book(folder: Path, old: str, new: str, name: str = "book.yaml") -> Path:
    assert old in BOOK_TEXT
    path = folder / name
    path.write_text(BOOK_TEXT.replace(old, new, 1), encoding="utf-8")
    return path


# ---- 1. impossible values: typed problems with file, line and field -------------------------------------------

BAD_TIMES = {
    "2019-02-30T00:40:00+03:00": "day is out of range",
    "2019-08-02T23:59:60+03:00": "second must be in 0..59",
    "2019-08-02T00:40:00+24:00": "offset from UTC",
    "2019-13-02T00:40:00+03:00": "month must be in 1..12",
    "0000-08-02T00:40:00+03:00": "year 0",
}
HUGE_INTS = ["9" * 5000, "0x" + "f" * 5000, "0" + "7" * 6000, "0b" + "1" * 20000, "-" + "1" * 4301]


@pytest.mark.parametrize("value", sorted(BAD_TIMES))
@pytest.mark.parametrize(("field", "line", "path"), [("as_of", 2, "as_of"), ("time", 6, "incidents[0].time")])
def test_impossible_time_in_scenario_file(tmp_path: Path, value: str, field: str, line: int, path: str) -> None:
    text = GOOD_TEXT.replace("2019-08-03T12:00:00+03:00" if field == "as_of" else "2019-08-02T00:40:00+03:00", value)
    file = tmp_path / "state.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(file)
    problem = caught.value.problems[0]
    assert (problem.file, problem.line, problem.path) == (str(file), line, path)
    assert BAD_TIMES[value] in problem.message
    assert problem.suggestion


@pytest.mark.parametrize("value", HUGE_INTS, ids=lambda v: f"{v[:4]}..{len(v)}")
def test_huge_integer_in_scenario_file(tmp_path: Path, value: str) -> None:
    file = tmp_path / "state.json"
    file.write_text(GOOD_TEXT.replace("count: 2", f"count: {value}"), encoding="utf-8")
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(file)
    problem = caught.value.problems[0]
    assert (problem.line, problem.path) == (4, "units[0].count")
    assert "too large" in problem.message
    assert len(str(caught.value)) < 1000  # the number is not echoed in full


def test_every_impossible_value_is_reported_with_its_key(tmp_path: Path) -> None:
    file = tmp_path / "state.yaml"
    file.write_text(GOOD_TEXT.replace("count: 2", "count: " + "9" * 5000) + "2019-02-30: key\nx: &a 2019-13-01\ny: *a\n")
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(file)
    assert [p.path for p in caught.value.problems] == ["units[0].count", "2019-02-30", "x"]


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("as_of",), "2019-02-30T00:40:00+03:00"),
        (("as_of",), "2019-08-02T23:59:60+03:00"),
        (("as_of",), "2019-08-02T00:40:00+24:00"),
        (("incidents", 0, "time"), "2019-13-02T00:40:00+03:00"),
        (("incidents", 0, "time"), "0000-08-02T00:40:00+03:00"),
        (("units", 0, "count"), 10**5000),
        (("units", 0, "count"), -(10**5000)),
    ],
    ids=lambda v: f"int of {v.bit_length()} bits" if isinstance(v, int) else str(v),
)
def test_impossible_value_in_scenario_dict(where: tuple[str | int, ...], value: object) -> None:
    state = json.loads(json.dumps(GOOD))
    target = state
    for part in where[:-1]:
        target = target[part]
    target[where[-1]] = value
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(state)
    assert caught.value.problems[0].path == ".".join(map(str, where)).replace(".0.", "[0].")
    str(caught.value)


@pytest.mark.parametrize("value", sorted(BAD_TIMES))
def test_impossible_time_in_rulebook(book_dir: Path, value: str) -> None:
    file = _book(book_dir, "start: 2019-08-02T00:00:00+03:00", f"start: {value}")
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(file)
    problem = caught.value.problems[0]
    line = file.read_text(encoding="utf-8").splitlines().index(f"  start: {value}") + 1
    assert (problem.file, problem.line, problem.path) == (str(file), line, "in_force.start")


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("date: 2019-08-01\nsummary", "date: 2019-02-30\nsummary", "date"),
        ("start: 2019-08-02T00:00:00+03:00", "start: 2019-08-02T00:00:00+03:00\n  end: 2019-08-02T23:59:60Z", "in_force.end"),
        (
            "deadline: 2018-10-10T00:00:00+03:00",
            "deadline: {after_start: {days: " + "9" * 5000 + "}}",
            "clauses[2].deadline.after_start.days",
        ),
    ],
)
def test_impossible_value_in_rulebook_fields(book_dir: Path, old: str, new: str, path: str) -> None:
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(_book(book_dir, old, new))
    assert [p.path for p in caught.value.problems] == [path]


OUT_OF_RANGE_BOOKS = [
    ("start: 2019-08-02T00:00:00+03:00", "start: 0001-01-01T01:00:00+03:00", "in_force.start"),
    ("start: 2019-08-02T00:00:00+03:00", "start: 9999-12-31T00:00:00-03:00", "in_force.start"),
    ("start: 2019-08-02T00:00:00+03:00", "start: 2019-08-02T00:00:00+03:00\n  end: 9999-12-31T23:00:00Z", "in_force.end"),
    ("deadline: 2018-10-10T00:00:00+03:00", "deadline: 9999-12-31T22:00:00-01:00", "clauses[2].deadline"),
    ("deadline: 2018-10-10T00:00:00+03:00", "deadline: 0001-01-01T00:00:00+00:00", "clauses[2].deadline"),
]


@pytest.mark.parametrize(("old", "new", "path"), OUT_OF_RANGE_BOOKS)
def test_rulebook_times_near_the_ends_of_the_calendar_are_refused_at_load(book_dir: Path, old: str, new: str, path: str) -> None:
    file = _book(book_dir, old, new)
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(file)
    assert [p.path for p in caught.value.problems] == [path]
    assert caught.value.problems[0].line is not None
    stderr = _bad_input(_cli("check", str(file)))
    assert path in stderr


def test_deadline_after_a_late_start_is_refused_at_load(book_dir: Path) -> None:
    text = BOOK_TEXT.replace("start: 2019-08-02T00:00:00+03:00", "start: 8999-06-01T00:00:00+03:00").replace(
        "deadline: 2018-10-10T00:00:00+03:00", "deadline: {after_start: {days: 36500, hours: 876000}}"
    )
    text = text.replace("      government:\n        forces: [heavy, medium]", "      government:\n        forces: [heavy, medium]\n"
                        "        deadline: {after_start: {days: 365}}", 1)
    file = book_dir / "late.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(file)
    assert {p.path for p in caught.value.problems} == {"clauses[2].deadline", "clauses[1].readings.government.deadline"}


def test_late_but_valid_window_evaluates(book_dir: Path) -> None:
    file = _book(book_dir, "start: 2019-08-02T00:00:00+03:00", "start: 8999-12-31T00:00:00+03:00")
    state = {**GOOD, "as_of": "8999-12-31T12:00:00+03:00"}
    assert truce.evaluate(state, rules=file).status in {"breached", "conditions_unmet"}
    assert truce.timeline(state, rules=file).intervals


BAND_BOOK = """\
  buffer:
    name: Band over the pole
    band: {line: zones/polar.geojson, side: both, to_km: 300}
  ring:
    name: Buffer and polar band
    union: [buffer, deescalation]
  deescalation:"""


@pytest.mark.parametrize("line", [[[0, 89.0], [90, 89.0]], [[0, -89.5], [120, -89.5]], [[179.5, 10], [-179.5, 10]]])
def test_band_over_a_pole_or_the_antimeridian_is_a_problem(book_dir: Path, line: list[list[float]]) -> None:
    (book_dir / "zones" / "polar.geojson").write_text(json.dumps({"type": "LineString", "coordinates": line}))
    text = re.sub(r"  buffer:\n.*?\n  deescalation:", BAND_BOOK, BOOK_TEXT, count=1, flags=re.S)
    file = book_dir / "polar.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(file)
    assert [p.path for p in caught.value.problems] == ["zones.buffer.band.line"]
    assert "pole" in caught.value.problems[0].message


@pytest.mark.parametrize(
    "call",
    [
        lambda: truce.load_rulebook("book\0.yaml"),
        lambda: truce.load_rulebook("no\0such-book"),
        lambda: truce.evaluate("state\0.yaml"),
        lambda: truce.evaluate(GOOD, rules="book\0.yaml"),
        lambda: truce.timeline("state\0.yaml"),
    ],
)
def test_nul_byte_in_a_path(call: Callable[[], object]) -> None:
    with pytest.raises(truce.TruceError) as caught:
        call()
    assert "\0" not in str(caught.value.problems[0])


def test_nul_byte_in_a_zone_path(book_dir: Path) -> None:
    file = _book(book_dir, "geojson: zones/idlib-buffer.geojson", 'geojson: "zones/idlib\\0buffer.geojson"')
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(file)
    assert [p.path for p in caught.value.problems] == ["zones.buffer.geojson"]


# ---- 2. files that never end, and rulebooks the engine cannot compile ------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


def test_fifo_scenario_is_refused_without_blocking(fifo: Path) -> None:
    caught = _within(20, lambda: truce.evaluate(fifo))
    assert isinstance(caught, truce.ScenarioError), caught
    assert "not a regular file" in caught.problems[0].message
    assert isinstance(_within(20, lambda: truce.load_scenario(fifo)), truce.ScenarioError)


def test_fifo_rulebook_is_refused_without_blocking(fifo: Path) -> None:
    caught = _within(20, lambda: truce.load_rulebook(fifo))
    assert isinstance(caught, truce.RulebookError), caught


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("geojson: zones/idlib-buffer.geojson", "geojson: zones/pipe.geojson", "zones.buffer.geojson"),
        ("geojson: zones/idlib-buffer.geojson", "band: {line: zones/pipe.geojson, side: both, to_km: 5}", "zones.buffer.band.line"),
    ],
)
def test_fifo_zone_file_is_refused_without_blocking(book_dir: Path, old: str, new: str, path: str) -> None:
    os.mkfifo(book_dir / "zones" / "pipe.geojson")
    file = _book(book_dir, old, new)
    caught = _within(20, lambda: truce.load_rulebook(file))
    assert isinstance(caught, truce.RulebookError), caught
    assert [p.path for p in caught.problems] == [path]
    assert "not a regular file" in caught.problems[0].message


def test_device_behind_a_symlink_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    caught = _within(20, lambda: truce.evaluate(link))
    assert isinstance(caught, truce.ScenarioError), caught


def test_fifo_on_the_command_line(fifo: Path) -> None:
    _bad_input(_cli("evaluate", str(fifo)))
    _bad_input(_cli("evaluate", str(ROOT / "examples" / "idlib-2019" / "01-holds-after-withdrawal.yaml"), "--rules", str(fifo)))


def _many_clauses(folder: Path, count: int) -> Path:
    head = BOOK_TEXT.split("\nclauses:\n")[0]
    clauses = "".join(
        f"  - id: c{i}\n    type: prohibition\n    title: No shelling {i}\n    article: Art. {i}\n"
        f"    parties: [sy-gov]\n    incidents: [shelling]\n"
        for i in range(count)
    )
    path = folder / f"many-{count}.yaml"
    path.write_text(f"{head}\nclauses:\n{clauses}", encoding="utf-8")
    return path


@pytest.mark.parametrize("count", [MAX_CLAUSES + 1, 600, 5000])
def test_rulebook_over_the_compile_limit_is_refused_at_load(book_dir: Path, count: int) -> None:
    file = _many_clauses(book_dir, count)
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(file)
    problem = caught.value.problems[0]
    assert (problem.path, problem.value) == ("clauses", count)
    assert f"at most {MAX_CLAUSES}" in problem.message
    assert problem.suggestion


@pytest.mark.skipif(not durable_available(), reason="durable_rules does not import on this Python")
def test_rulebook_at_the_compile_limit_loads_and_evaluates(book_dir: Path) -> None:
    file = _many_clauses(book_dir, MAX_CLAUSES)
    verdict = _within(60, lambda: truce.evaluate(GOOD, rules=file, engine="durable"))
    assert isinstance(verdict, truce.Verdict), verdict
    assert verdict.status == "breached"


def test_check_reports_the_compile_limit_as_an_error_lint(book_dir: Path) -> None:
    file = _many_clauses(book_dir, MAX_CLAUSES + 1)
    found = lint_rulebook(file)
    assert [(x.code, x.severity, x.problem.path) for x in found] == [("too-many-clauses", "error", "clauses")]
    done = _cli("check", str(file))
    assert done.returncode == 1
    assert "[error: too-many-clauses]" in done.stdout
    assert "Traceback" not in done.stderr


def test_check_still_reports_other_problems_of_a_large_rulebook(book_dir: Path) -> None:
    file = _many_clauses(book_dir, MAX_CLAUSES + 1)
    file.write_text(file.read_text().replace("parties: [sy-gov]", "parties: [nobody]", 1))
    with pytest.raises(truce.RulebookError) as caught:
        lint_rulebook(file)
    assert [p.path for p in caught.value.problems] == ["clauses[0].parties[0]"]


# ---- 3. files outside the rulebook's folder ---------------------------------------------------------------------

SECRET = "TOP-SECRET-CONTENT"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the rulebook's with a valid zone and a secret file."""
    folder = tmp_path / "outside"
    folder.mkdir()
    shutil.copy(ROOT / "rules" / "zones" / "idlib-buffer.geojson", folder / "zone.geojson")
    (folder / "secret.geojson").write_text(SECRET)
    return folder


@pytest.mark.parametrize("target", ["zone.geojson", "secret.geojson"])
@pytest.mark.parametrize("how", ["absolute", "climb", "symlink", "symlinked-folder"])
@pytest.mark.parametrize("field", ["geojson", "line"])
def test_zone_file_outside_the_rulebook_folder(tmp_path: Path, outside: Path, target: str, how: str, field: str) -> None:
    folder = tmp_path / "book"
    shutil.copytree(ROOT / "rules" / "zones", folder / "zones")
    if how == "absolute":
        given = str(outside / target)
    elif how == "climb":
        given = f"zones/../../outside/{target}"
    elif how == "symlink":
        (folder / "zones" / "link.geojson").symlink_to(outside / target)
        given = "zones/link.geojson"
    else:
        (folder / "zones" / "elsewhere").symlink_to(outside, target_is_directory=True)
        given = f"zones/elsewhere/{target}"
    shape = f"geojson: {given}" if field == "geojson" else f"band: {{line: {given}, side: both, to_km: 5}}"
    file = _book(folder, "geojson: zones/idlib-buffer.geojson", shape)
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(file)
    problem = caught.value.problems[0]
    assert len(caught.value.problems) == 1
    assert problem.path == ("zones.buffer.geojson" if field == "geojson" else "zones.buffer.band.line")
    assert "inside the rulebook's folder" in problem.message
    assert problem.suggestion and "relative" in problem.suggestion
    assert SECRET not in str(caught.value)
    assert str(outside) not in problem.message


def test_zone_file_outside_on_the_command_line(book_dir: Path) -> None:
    file = _book(book_dir, "geojson: zones/idlib-buffer.geojson", "geojson: /etc/passwd")
    stderr = _bad_input(_cli("check", str(file)))
    assert "zones.buffer.geojson: zone files must lie inside the rulebook's folder" in stderr
    assert "root:" not in stderr
    _bad_input(_cli("evaluate", str(ROOT / "examples" / "idlib-2019" / "01-holds-after-withdrawal.yaml"), "-r", str(file)))


def test_zone_paths_that_stay_inside_load(book_dir: Path) -> None:
    (book_dir / "zones" / "sub").mkdir()
    (book_dir / "zones" / "sub" / "alias.geojson").symlink_to(book_dir / "zones" / "idlib-buffer.geojson")
    file = _book(book_dir, "geojson: zones/idlib-buffer.geojson", "geojson: ./zones/sub/../sub/alias.geojson")
    assert truce.load_rulebook(file).geometry("buffer").equals(truce.load_rulebook("idlib-2019").geometry("buffer"))


# ---- 4. sweeps, timelines, one-line problems, plain terminals ---------------------------------------------------


def test_sweep_gives_an_unpicklable_state_its_own_error() -> None:
    states: list[Any] = [GOOD, {**GOOD, "note": threading.Lock()}, GOOD, {**GOOD, "as_of": "2019-02-30T00:00:00+03:00"}]
    for batch_size in (1, None):
        with ProcessPoolExecutor(max_workers=2, mp_context=FORKSERVER) as pool:
            outcomes = truce.sweep(states, executor=pool, batch_size=batch_size)
        kinds = [type(o).__name__ for o in outcomes]
        assert kinds == ["Verdict", "ScenarioError", "Verdict", "ScenarioError"]
        assert "pickled" in str(outcomes[1])


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--plot", "chart.txt"),
        ("--plot", "report"),
        ("--start", "0001-01-01T00:00:00+03:00"),
        ("--end", "9999-12-31T23:00:00-05:00"),
        ("--start", "2019-02-30T00:00:00+03:00"),
    ],
)
def test_timeline_options_are_checked(tmp_path: Path, option: str, value: str) -> None:
    arg = str(tmp_path / value) if option == "--plot" else value
    stderr = _bad_input(_cli("timeline", str(SAMPLE_CSV), "--mapping", str(SAMPLE_MAPPING), option, arg))
    assert option in stderr
    assert list(tmp_path.iterdir()) == []


def test_timeline_writes_the_formats_it_names(tmp_path: Path) -> None:
    chart = tmp_path / "chart.SVG"
    assert main(["timeline", str(SAMPLE_CSV), "--mapping", str(SAMPLE_MAPPING), "--plot", str(chart)]) == 1
    assert chart.read_bytes().lstrip().startswith(b"<?xml")


@pytest.mark.parametrize(
    "field",
    [
        {"file": "a\nb.yaml"},
        {"path": "x\r\ny"},
        {"message": "one\ntwo\x1b[31m\x00"},
        {"suggestion": "do\u2028this\u0085"},
        {"file": "tab\there.yaml", "message": "é ok"},
    ],
)
def test_a_problem_is_always_one_line(field: dict[str, str]) -> None:
    problem = Problem(**{"path": "p", "message": "m", **field})  # type: ignore[arg-type]
    text = str(problem)
    assert len(text.splitlines()) == 1
    assert text.isprintable()
    assert "é ok" in text or "é" not in str(field)


def test_newline_in_a_file_name_keeps_the_error_on_one_line(tmp_path: Path) -> None:
    file = tmp_path / "bad\nname.yaml"
    file.write_text(GOOD_TEXT.replace("2019-08-03T12:00:00+03:00", "2019-02-30T12:00:00+03:00"))
    stderr = _bad_input(_cli("evaluate", str(file)))
    assert "bad\\nname.yaml:2: as_of" in stderr


@pytest.mark.parametrize(
    "args",
    [
        ("readings", "examples/idlib-2019/03-nfl-keeps-medium-weapons.yaml"),
        ("evaluate", "examples/idlib-2019/03-nfl-keeps-medium-weapons.yaml"),
        ("explain", "examples/idlib-2019/03-nfl-keeps-medium-weapons.yaml"),
        ("rulebooks",),
    ],
)
def test_output_degrades_on_an_ascii_terminal(args: tuple[str, ...]) -> None:
    env = {**ENV, "PYTHONIOENCODING": "ascii"}
    done = subprocess.run(
        [sys.executable, "-m", "truce", *args], capture_output=True, timeout=120, env=env, cwd=ROOT, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    assert b"Traceback" not in done.stderr
    done.stdout.decode("ascii")
    if args[0] == "readings":
        assert b"(marked !=)" in done.stdout


# ---- hypothesis: impossible values spliced into valid example files ---------------------------------------------

EXAMPLES = sorted((ROOT / "examples").glob("*/*.yaml"))
TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})?)?\b")
NUMBER = re.compile(r"(?<=: )\d+\b")
IMPOSSIBLE_TIMES = ["%Y-02-30", "%Y-%m-%dT23:59:60+03:00", "%Y-%m-%dT12:00:00+24:00", "%Y-13-%d", "0000-%m-%d"]
MUTATIONS = st.one_of(
    st.tuples(st.just("time"), st.sampled_from(IMPOSSIBLE_TIMES)),
    st.tuples(st.just("number"), st.sampled_from(["9" * 5000, "0x" + "f" * 4000, "1" + "0" * 4400, "0" + "7" * 6000])),
)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(example=st.sampled_from(EXAMPLES), mutation=MUTATIONS, which=st.integers(min_value=0, max_value=50))
def test_impossible_values_in_example_files(
    tmp_path_factory: pytest.TempPathFactory, example: Path, mutation: tuple[str, str], which: int
) -> None:
    """An example with one date or number made impossible is a TruceError, or (where the value does not
    matter, as in a description) gives the same verdict; never another exception."""
    text = example.read_text(encoding="utf-8")
    kind, template = mutation
    pattern = TIMESTAMP if kind == "time" else NUMBER
    spots = list(pattern.finditer(text))
    if not spots:
        return
    spot = spots[which % len(spots)]
    found = spot.group()
    value = template.replace("%Y", found[:4]).replace("%m", found[5:7] or "01").replace("%d", found[8:10] or "01")
    mutated = text[: spot.start()] + value + text[spot.end() :]
    folder = tmp_path_factory.mktemp("mutated")
    file = folder / example.name
    file.write_text(mutated, encoding="utf-8")
    before = truce.evaluate(example)
    try:
        after = truce.evaluate(file)
    except truce.TruceError as exc:
        assert all(p.file == str(file) for p in exc.problems if p.file is not None)
        str(exc)
        return
    assert (after.status, after.responsible) == (before.status, before.responsible)
