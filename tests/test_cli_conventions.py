"""Command-line conventions: custom rulebooks, stdin, many files, JSON lines, exit codes, help and completion."""

from __future__ import annotations

import json
import re
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

import truce
from cli_output import problem_lines
from test_cli import COMMANDS, DATA, truce_cmd
from test_cli_check import BASE, write_rulebook
from test_cli_hostile import HOSTILE
from test_cli_scenario_tests import _pytest
from truce._cli import EXIT_BAD_INPUT, EXIT_CODES, main

INSIDE = {"lat": 35.5, "lon": 36.5}  # in BASE's zone
SCENARIOS = {
    "holds": {"as_of": "2020-01-06T00:00:00+00:00", "expect": {"strict": {"status": "holds"}}},
    "shelled": {
        "as_of": "2020-01-06T00:00:00+00:00",
        "incidents": [{"id": "s1", "time": "2020-01-03T00:00:00+00:00", "kind": "shelling", "by": "blue", "position": INSIDE}],
        "expect": {"strict": {"status": "breached", "responsible": ["blue"], "findings": {"no-shelling": "violated"}}},
    },
    "stayed": {
        "as_of": "2020-01-06T00:00:00+00:00",
        "units": [{"id": "r1", "party": "red", "kind": "tank", "count": 3, "position": INSIDE}],
        "expect": {
            "strict": {"status": "breached", "responsible": ["red"], "findings": {"withdraw": "violated"}},
            "lenient": {"status": "breached", "responsible": ["red"]},
        },
    },
}


def custom_suite(folder: Path, agreement: str | None = "book.yaml") -> Path:
    """A new rulebook and three scenarios beside it that name it by its file."""
    folder.mkdir(exist_ok=True)
    write_rulebook(folder, BASE)
    for name, scenario in SCENARIOS.items():
        head = {"agreement": agreement} if agreement else {}
        (folder / f"{name}.yaml").write_text(yaml.safe_dump({**head, **scenario}, sort_keys=False), encoding="utf-8")
    return folder


def test_truce_test_runs_a_folder_of_scenarios_beside_their_rulebook(tmp_path: Path) -> None:
    suite = custom_suite(tmp_path / "suite")
    result = truce_cmd("test", suite, cwd=tmp_path)  # the rulebook is found beside the scenarios, not in the cwd
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed, 0 failed, 0 could not run" in result.stdout


def test_pytest_plugin_runs_a_folder_of_scenarios_beside_their_rulebook(tmp_path: Path) -> None:
    suite = custom_suite(tmp_path / "suite")
    (suite / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    result = _pytest(suite, "--truce-scenarios")
    assert result.returncode == 0, result.stdout
    assert "4 passed" in result.stdout


def test_rules_option_of_test_and_the_plugin_names_the_rulebook(tmp_path: Path) -> None:
    suite = custom_suite(tmp_path / "suite", agreement=None)
    book = str(suite / "book.yaml")
    assert truce_cmd("test", suite).returncode == EXIT_BAD_INPUT  # no agreement, no --rules
    result = truce_cmd("test", suite, "--rules", book)
    assert result.returncode == 0, result.stdout + result.stderr
    (suite / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    assert "4 passed" in _pytest(suite, "--truce-scenarios", "--truce-rules", book).stdout
    assert truce_cmd("evaluate", suite / "stayed.yaml", "--rules", book).returncode == EXIT_CODES["breached"]


def test_an_agreement_that_is_neither_bundled_nor_a_file_names_the_file_and_the_way_out(tmp_path: Path) -> None:
    suite = custom_suite(tmp_path / "suite", agreement="my-book")
    result = truce_cmd("evaluate", suite / "holds.yaml")
    assert result.returncode == EXIT_BAD_INPUT
    (problem,) = problem_lines(result.stderr)
    assert problem.startswith(f"{suite / 'holds.yaml'}:1: agreement: 'my-book' is neither a bundled rulebook (golan-1974, ")
    assert problem.endswith("nor a rulebook file next to this scenario (give a path relative to the scenario file, or pass --rules)")
    (suite / "naive.yaml").write_text("agreement: my-book\nas_of: 2020-01-06T00:00:00\n", encoding="utf-8")
    both = problem_lines(truce_cmd("evaluate", suite / "naive.yaml").stderr)  # reported with the scenario's own problems
    assert [line.split(": ")[1] for line in both] == ["agreement", "as_of"]


def test_an_agreement_in_memory_is_relative_to_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    custom_suite(tmp_path)
    monkeypatch.chdir(tmp_path)
    state = {"agreement": "book.yaml", "as_of": "2020-01-06T00:00:00+00:00"}
    assert truce.evaluate(state).status == "holds"


def test_max_problems_cuts_the_list_and_says_how_many_were_left_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "three.yaml"
    file.write_text(HOSTILE["three-problems"], encoding="utf-8")
    assert main(["evaluate", str(file), "--max-problems", "2"]) == EXIT_BAD_INPUT
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"truce: error: {file}: 4 problems"
    assert [line.split(": ")[1] for line in lines[1:3]] == ["as_of", "units[0].kind"]
    assert lines[3:] == ["  ... and 2 more (--max-problems 2 cut the list)"]
    assert main(["evaluate", str(file)]) == EXIT_BAD_INPUT  # the limit is per run
    assert len(problem_lines(capsys.readouterr().err)) == 4


@pytest.mark.parametrize("form", ["yaml", "json"])
def test_a_dash_reads_the_scenario_from_stdin(form: str) -> None:
    scenario = yaml.safe_load((DATA / "breached.yaml").read_text(encoding="utf-8"))
    text = yaml.safe_dump(scenario) if form == "yaml" else json.dumps(scenario, default=lambda instant: instant.isoformat())
    result = truce_cmd("evaluate", "-", "--format", "json", stdin=text)
    assert result.returncode == EXIT_CODES["breached"], result.stderr
    assert json.loads(result.stdout)["file"] == "-"
    assert json.loads(result.stdout)["status"] == "breached"


def test_stdin_problems_name_stdin_and_their_line() -> None:
    result = truce_cmd("explain", "-", stdin="agreement: idlib-2019\nas_of: 2019-08-03T12:00:00\n")
    assert result.returncode == EXIT_BAD_INPUT
    assert problem_lines(result.stderr)[0].startswith("<stdin>:2: as_of")


def test_evaluate_reports_every_file_and_exits_with_the_highest_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(HOSTILE["bare-time"], encoding="utf-8")
    holds, breached = DATA / "holds.yaml", DATA / "breached.yaml"
    result = truce_cmd("evaluate", holds, bad, breached, "--format", "json")
    assert result.returncode == EXIT_BAD_INPUT
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(holds), str(bad), str(breached)]
    assert [line.get("status") for line in lines] == ["holds", None, "breached"]
    assert lines[1]["problems"] and lines[1]["error"].startswith(str(bad))
    assert problem_lines(result.stderr)[0].startswith(f"{bad}:2: as_of")
    text = truce_cmd("evaluate", holds, bad, breached)
    assert text.returncode == EXIT_BAD_INPUT
    assert str(holds) in text.stdout and str(breached) in text.stdout and "BREACHED" in text.stdout


def test_explain_check_and_test_speak_json(tmp_path: Path) -> None:
    explained = truce_cmd("explain", DATA / "unmet.yaml", "-f", "json")
    line = json.loads(explained.stdout)
    assert line["file"] == str(DATA / "unmet.yaml")
    assert line["explanation"] == truce.evaluate(DATA / "unmet.yaml").explain()
    assert explained.returncode == EXIT_CODES[line["status"]]

    book = copy_with_unused_party(tmp_path)
    checked = truce_cmd("check", book, "-f", "json")
    (finding,) = map(json.loads, checked.stdout.splitlines())
    assert finding | {"line": 0} == {
        "file": str(book), "line": 0, "path": "parties.green", "severity": "warning", "code": "unused-id",
        "message": "no clause or group names this party: no term binds it", "suggestion": None,
    }
    assert checked.returncode == 0 and truce_cmd("check", book, "--strict").returncode == 1

    tested = truce_cmd("test", custom_suite(tmp_path / "suite"), "-f", "json")
    lines = [json.loads(line) for line in tested.stdout.splitlines()]
    assert sorted((Path(x["file"]).stem, x["reading"], x["passed"]) for x in lines) == [
        ("holds", "strict", True), ("shelled", "strict", True), ("stayed", "lenient", True), ("stayed", "strict", True),
    ]
    assert all(x["diff"] == [] and x["verdict"]["agreement"] == "test-truce" for x in lines)
    assert tested.returncode == 0 and "4 passed" in tested.stderr


def copy_with_unused_party(folder: Path) -> Path:
    book = json.loads(json.dumps(BASE))
    book["parties"]["green"] = {"name": "Green"}
    return write_rulebook(folder, book)


def test_a_finding_is_allowed_by_a_comment_on_its_line(tmp_path: Path) -> None:
    book = copy_with_unused_party(tmp_path)
    text = book.read_text(encoding="utf-8")
    assert truce_cmd("check", "--strict", book).returncode == 1
    book.write_text(text.replace("  green:\n", "  green:  # truce: allow unused-id (reported by scenarios only)\n"), encoding="utf-8")
    assert truce_cmd("check", "--strict", book).returncode == 0
    book.write_text(text.replace("  green:\n", "  green:  # truce: allow uncovered-kind\n"), encoding="utf-8")
    assert truce_cmd("check", "--strict", book).returncode == 1  # another code is not allowed


def test_check_strict_is_clean_on_every_bundled_rulebook() -> None:
    ids = [info.id for info in truce.list_rulebooks()]
    result = truce_cmd("check", "--strict", *ids)
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""


def test_a_zone_used_only_in_a_union_is_used(tmp_path: Path) -> None:
    book = json.loads(json.dumps(BASE))
    book["zones"] |= {"other": {"name": "another", "geojson": "zone.geojson"}, "both": {"name": "both", "union": ["zone", "other"]}}
    book["clauses"][1]["zone"] = "both"
    found = truce_cmd("check", "-f", "json", write_rulebook(tmp_path, book)).stdout
    assert found == ""
    del book["clauses"][1]["zone"]  # now nothing uses the union, so nothing uses 'other'
    found = truce_cmd("check", "-f", "json", write_rulebook(tmp_path, book)).stdout
    assert sorted(json.loads(line)["path"] for line in found.splitlines()) == ["zones.both", "zones.other"]


def test_rulebooks_with_an_id_shows_its_vocabulary(tmp_path: Path) -> None:
    words = json.loads(truce_cmd("rulebooks", "idlib-2019", "--format", "json").stdout)
    book = truce.load_rulebook("idlib-2019")
    for section in ("parties", "groups", "kinds", "classes", "zones", "incident_kinds", "readings"):
        assert [row["id"] for row in words[section]] == list(getattr(book, section)), section
    assert {"id": "jihadists", "name": book.groups["jihadists"].name, "members": book.groups["jihadists"].members} in words["groups"]
    assert [(c["id"], c["type"], c["article"]) for c in words["clauses"]] == [(c.id, c.type, c.article) for c in book.clauses]
    text = truce_cmd("rulebooks", "idlib-2019")
    assert text.returncode == 0
    for word in ("sy-gov", "jihadists", "heavy_machine_gun", "buffer", "shelling", "government", "no-attacks"):
        assert word in text.stdout
    path = write_rulebook(tmp_path, BASE)
    assert json.loads(truce_cmd("rulebooks", path, "-f", "json").stdout)["id"] == "test-truce"
    missing = truce_cmd("rulebooks", "idlib-2091")
    assert missing.returncode == EXIT_BAD_INPUT and "did you mean 'idlib-2019'?" in missing.stderr


@pytest.mark.parametrize("command", [None, *COMMANDS, "sweep", "timeline"])
def test_dash_h_is_help_and_help_shows_no_bool_metavars(command: str | None) -> None:
    args = [command] if command else []
    short, long = truce_cmd(*args, "-h"), truce_cmd(*args, "--help")
    assert short.returncode == long.returncode == 0, short.stderr
    assert short.stdout == long.stdout
    assert "<bool>" not in long.stdout
    assert re.search(r"-h, --help", long.stdout)


def test_completion_script_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    # the shell named, not found from the processes above (a CI runner or a background job may have none)
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = truce_cmd("--show-completion", "bash")
    assert result.returncode == 0, result.stderr
    assert "truce" in result.stdout and "complete" in result.stdout


def test_workers_with_dask_is_an_error() -> None:
    result = truce_cmd("sweep", DATA / "holds.yaml", "--dask", "tcp://127.0.0.1:1", "--workers", "2")
    assert result.returncode == EXIT_BAD_INPUT
    (problem,) = problem_lines(result.stderr)
    assert "--workers: cannot be used with --dask" in problem


class _Recording(ThreadPoolExecutor):
    """An executor that keeps every batch it is sent, like a cluster's would receive it."""

    sent: list[Any]

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.sent.append(args)
        return super().submit(fn, *args, **kwargs)


def test_paths_sent_to_workers_are_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    custom_suite(tmp_path)
    monkeypatch.chdir(tmp_path)
    with _Recording(1) as pool:
        pool.sent = []
        outcomes = truce.sweep(["stayed.yaml", Path("holds.yaml")], rules="book.yaml", executor=pool)
    assert [o.status for o in outcomes if isinstance(o, truce.Verdict)] == ["breached", "holds"]
    states = [state for batch, *_ in pool.sent for state in batch]
    assert states == [str(tmp_path / "stayed.yaml"), tmp_path / "holds.yaml"]
    assert {rules for _, rules, *_ in pool.sent} == {str(tmp_path / "book.yaml")}


def test_a_group_is_used_when_a_clause_binds_it_or_a_member(tmp_path: Path) -> None:
    book = json.loads(json.dumps(BASE))
    book["parties"]["green"] = {"name": "Green"}
    book["groups"] |= {"reds": {"name": "Reds", "members": ["red"]}, "greens": {"name": "Greens", "members": ["green"]}}
    found = truce_cmd("check", "-f", "json", write_rulebook(tmp_path, book)).stdout
    assert [json.loads(line)["path"] for line in found.splitlines()] == ["groups.greens"]


def test_a_reading_differs_when_the_default_overrides_a_clause_it_does_not(tmp_path: Path) -> None:
    book = json.loads(json.dumps(BASE))
    book["readings"]["same"] = {"name": "same", "description": "as the default"}
    book["clauses"][1]["readings"] = {"strict": {"applies": False}, "same": {"applies": False}}
    book["clauses"][0]["readings"]["same"] = {"forces": "all"}
    found = truce_cmd("check", "-f", "json", write_rulebook(tmp_path, book)).stdout
    assert [json.loads(line)["path"] for line in found.splitlines()] == ["readings.same"]
