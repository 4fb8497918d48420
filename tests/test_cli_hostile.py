"""Every hostile scenario file through every command that reads one: exit 3, a first line naming the file and
how many problems it has, then one line per problem, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_output import problem_lines
from truce._cli import EXIT_BAD_INPUT, main

HEAD = "agreement: idlib-2019\n"
HOSTILE = {
    "yaml11-count": HEAD + "as_of: 2019-08-03T12:00:00+03:00\nunits:\n  - {id: u, party: hts, kind: tank, count: no, zone: buffer}\n",
    "bare-time": HEAD + "as_of: 20190803\n",
    "date-alone": HEAD + "as_of: 2019-08-03\n",
    "impossible-date": HEAD + "as_of: 2019-02-30T12:00:00+03:00\n",
    "leap-second": HEAD + "as_of: 2019-08-03T23:59:60+03:00\n",
    "offset-24": HEAD + "as_of: 2019-08-03T12:00:00+24:00\n",
    "huge-integer": HEAD + "as_of: 2019-08-03T12:00:00+03:00\nunits:\n  - {id: u, party: hts, kind: tank, count: " + "9" * 5000 + "}\n",
    "yaml11-lat": HEAD + "as_of: 2019-08-03T12:00:00+03:00\nunits:\n  - {id: u, party: hts, kind: tank, position: {lat: on, lon: 3}}\n",
    "three-problems": HEAD + "as_of: 2019-08-03T12:00\nunits:\n  - {id: u, party: NFL, kind: tnak}\n  - {id: u, party: hts, kind: tank}\n",
    "duplicate-keys": HEAD + "as_of: 2019-08-03T12:00:00+03:00\nas_of: 2019-08-04T12:00:00+03:00\n",
    "not-a-mapping": "- just\n- a list\n",
    "empty": "",
    "binary": "\x00\x01\x02",
}
COMMANDS = {
    "evaluate": ["evaluate", "{file}"],
    "evaluate-json": ["evaluate", "{file}", "--format", "json"],
    "explain": ["explain", "{file}"],
    "readings": ["readings", "{file}"],
    "map": ["map", "{file}", "-o", "{out}"],
    "test": ["test", "{file}"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("hostile", sorted(HOSTILE))
def test_a_hostile_file_is_reported_whole_by_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hostile: str, command: str
) -> None:
    file = tmp_path / f"{hostile}.yaml"
    text = HOSTILE[hostile] + ("expect:\n  sochi: {status: holds}\n" if command == "test" and HOSTILE[hostile].startswith(HEAD) else "")
    file.write_bytes(text.encode("utf-8"))
    args = [arg.format(file=file, out=tmp_path / "map.png") for arg in COMMANDS[command]]
    code = main(args)
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT, err
    problems = problem_lines(err)
    assert problems, err
    assert err.splitlines()[0].startswith(f"truce: error: {file}: ")
    assert all(line.startswith(str(file)) for line in problems), err
    assert not (tmp_path / "map.png").exists()


def test_every_problem_of_a_file_is_shown_not_only_the_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "three.yaml"
    file.write_text(HOSTILE["three-problems"], encoding="utf-8")
    assert main(["evaluate", str(file)]) == EXIT_BAD_INPUT
    problems = problem_lines(capsys.readouterr().err)
    assert [line.split(": ")[1] for line in problems] == ["as_of", "units[0].kind", "units[0].party", "units[1].id"]
    assert "did you mean 'tank'?" in problems[1]
    assert "did you mean 'nfl'?" in problems[2]


def test_sweep_reports_each_bad_file_with_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = []
    for name in ("three-problems", "bare-time"):
        files.append(tmp_path / f"{name}.yaml")
        files[-1].write_text(HOSTILE[name], encoding="utf-8")
    good = Path(__file__).resolve().parents[1] / "examples" / "idlib-2019" / "01-holds-after-withdrawal.yaml"
    assert main(["sweep", str(good), *map(str, files), "--workers", "1", "--format", "json"]) == EXIT_BAD_INPUT
    out = capsys.readouterr().out
    assert "Traceback" not in out

    errors = [line for line in map(json.loads, out.splitlines()) if "error" in line]
    assert [line["file"] for line in errors] == list(map(str, files))
    assert len(errors[0]["problems"]) == 4 and len(errors[1]["problems"]) == 1
