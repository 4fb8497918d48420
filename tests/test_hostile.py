"""Malformed and hostile scenarios and rulebooks get a TruceError naming the place, and never run code."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

import truce

ROOT = Path(__file__).resolve().parents[1]
GOOD: dict[str, Any] = {
    "agreement": "idlib-2019",
    "as_of": "2019-08-03T12:00:00+03:00",
    "units": [{"id": "u1", "party": "hts", "kind": "tank", "count": 2, "position": {"lat": 35.4389, "lon": 36.6511}}],
    "incidents": [{"id": "i1", "time": "2019-08-02T00:40:00+03:00", "kind": "shelling", "by": "sy-gov", "zone": "buffer"}],
}


def _with(path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    state = json.loads(json.dumps(GOOD))
    target = state
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return state


BAD_SCENARIOS = [
    ("as_of", [1, 2], "as_of"),
    ("as_of", "2019-08-03T12:00:00", "as_of"),  # naive
    ("as_of", "yesterday", "as_of"),
    ("units", "tanks", "units"),
    (("units", 0, "count"), "many", "units[0].count"),
    (("units", 0, "count"), -1, "units[0].count"),
    (("units", 0, "count"), 10**30, "units[0].count"),
    (("units", 0, "count"), 2.5, "units[0].count"),
    (("units", 0, "party"), "isis", "units[0].party"),
    (("units", 0, "kind"), "tanks", "units[0].kind"),
    (("units", 0, "zone"), "buffer", "units[0]"),  # position and zone both
    (("units", 0, "position"), {"lat": math.nan, "lon": 36.0}, "units[0].position.lat"),
    (("units", 0, "position"), {"lat": 35.0, "lon": math.inf}, "units[0].position.lon"),
    (("units", 0, "position"), {"lat": 91, "lon": 36.0}, "units[0].position.lat"),
    (("units", 0, "position"), {"lat": 35, "lon": -181}, "units[0].position.lon"),
    (("units", 0, "position"), {"lat": "north", "lon": 36.0}, "units[0].position.lat"),
    (("units", 0, "colour"), "green", "units[0].colour"),
    (("units", 0, "id"), "", "units[0].id"),
    (("incidents", 0, "time"), "2019-08-02T00:40:00", "incidents[0].time"),
    (("incidents", 0, "by"), "sy-govt", "incidents[0].by"),
    (("incidents", 0, "kind"), "shellng", "incidents[0].kind"),
    (("incidents", 0, "zone"), "bufer", "incidents[0].zone"),
    (("incidents", 0, "fatalities"), -3, "incidents[0].fatalities"),
    ("unitz", [], "unitz"),
    ("reading", "rebel", "reading"),
]


@pytest.mark.parametrize(("where", "value", "path"), BAD_SCENARIOS, ids=[f"{p}={v!r}"[:60] for _, v, p in BAD_SCENARIOS])
def test_bad_scenario_field_is_named(where: str | tuple[str | int, ...], value: object, path: str) -> None:
    state = _with(where if isinstance(where, tuple) else (where,), value)
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(state)
    assert isinstance(caught.value, ValueError)
    assert path in [p.path for p in caught.value.problems], caught.value
    assert path in str(caught.value)


def test_unknown_ids_get_a_did_you_mean() -> None:
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(_with(("units", 0, "kind"), "tanks"))
    assert caught.value.value == "tanks"
    assert caught.value.suggestion == "did you mean 'tank'?"


def test_unknown_agreement_is_an_unknown_rulebook() -> None:
    with pytest.raises(truce.UnknownRulebookError) as caught:
        truce.evaluate(_with(("agreement",), "idlib-2018"))
    assert caught.value.suggestion == "did you mean 'idlib-2019'?"


def test_an_agreement_path_is_read_only_if_it_names_a_rulebook_file() -> None:
    with pytest.raises(truce.UnknownRulebookError) as caught:
        truce.evaluate(_with(("agreement",), "../../../../../../etc/passwd"))
    assert [p.path for p in caught.value.problems] == ["agreement"]
    assert "neither a bundled rulebook" in str(caught.value)
    assert caught.value.suggestion == "give a path relative to the scenario file, or pass --rules"


def test_every_problem_is_reported() -> None:
    state = _with(("units", 0, "count"), -1)
    state["units"].append({"id": "u1", "party": "hts", "kind": "tank", "position": {"lat": 99, "lon": 0}})
    state["incidents"][0]["time"] = "2019-08-02T00:40:00"
    state["extra"] = 1
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(state)
    paths = {p.path for p in caught.value.problems}
    assert {"units[0].count", "units[1].position.lat", "incidents[0].time", "extra"} <= paths


def test_duplicate_ids_are_named() -> None:
    state = _with(("units",), GOOD["units"] * 2)
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(state)
    assert [p.path for p in caught.value.problems] == ["units[1].id"]


@pytest.mark.parametrize(
    "state", [None, b"as_of: 1", 42, ["as_of"], {1: 2}, {"as_of": None}], ids=["none", "bytes", "int", "list", "int-key", "null"]
)
def test_not_a_state(state: Any) -> None:
    with pytest.raises(truce.ScenarioError):
        truce.evaluate(state)


@pytest.mark.parametrize("rules", [5, 3.5, object(), "no-such-book"])
def test_bad_rules_argument(rules: Any) -> None:
    with pytest.raises(truce.RulebookError):
        truce.evaluate(GOOD, rules=rules)


@pytest.mark.parametrize("engine", ["drools", 5, "Durable"])
def test_bad_engine_argument(engine: Any) -> None:
    with pytest.raises(truce.EngineUnavailableError) as caught:
        truce.evaluate(GOOD, engine=engine)
    assert caught.value.path == "engine"


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


GOOD_TEXT = yaml.safe_dump(GOOD, sort_keys=False)
BAD_FILES = {
    "binary.yaml": bytes(range(256)),
    "latin1.yaml": "as_of: '2019-08-03T12:00:00+03:00'\ntitle: caf\xe9\n".encode("latin-1"),
    "nul.yaml": b"as_of: \x00\x01",
    "empty.yaml": "",
    "list.yaml": "- a\n- b\n",
    "scalar.json": "42",
    "trailing.json": json.dumps(GOOD) + "}",
    "tabs.yaml": "as_of:\n\t- x\n",
    "duplicate.yaml": GOOD_TEXT + "as_of: 2019-08-04T00:00:00+03:00\n",
    "unclosed.yaml": "units: [{id: a, party: hts\n",
    "undefined-alias.yaml": "as_of: *nowhere\n",
    "set-tag.yaml": "as_of: !!set {a, b}\n",
    "timestamp-tag.yaml": "as_of: !!timestamp 2019-08-03\n",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_scenario_file_names_the_file(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, name, BAD_FILES[name])
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(path)
    assert caught.value.file == str(path)


@pytest.mark.parametrize("cut", [0.0, 0.1, 0.25, 0.5, 0.75, 0.99])
def test_truncated_scenario_file(tmp_path: Path, cut: float) -> None:
    text = json.dumps(GOOD)
    path = _write(tmp_path, "cut.json", text[: int(len(text) * cut)])
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(path)
    assert caught.value.file == str(path)


def test_duplicate_key_is_located(tmp_path: Path) -> None:
    path = _write(tmp_path, "dup.yaml", GOOD_TEXT + "as_of: 2019-08-04T00:00:00+03:00\n")
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(path)
    assert caught.value.path == "as_of"
    assert caught.value.problems[0].line == GOOD_TEXT.count("\n") + 1


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:builtins.open ['{marker}', 'w']",
        "!!python/object/new:builtins.open ['{marker}', 'w']",
        "!!python/name:os.system",
        "!!python/object:pathlib.Path {{}}",
        "!custom {{a: 1}}",
    ],
)
def test_yaml_tags_never_construct_objects(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    path = _write(tmp_path, "tag.yaml", f"agreement: idlib-2019\nas_of: 2019-08-03T12:00:00+03:00\ntitle: {tag.format(marker=marker)}\n")
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(path)
    assert caught.value.file == str(path)
    assert not marker.exists()


def test_oversized_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("w") as stream:
        stream.write(GOOD_TEXT)
        line = "# " + "x" * 1000 + "\n"
        for _ in range(9 * 1024):
            stream.write(line)
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(path)
    assert "over the limit" in str(caught.value)


BOUNDED = {
    "alias-bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)),
    "recursive-anchor.yaml": "as_of: &a [*a]\n",
    "deep-flow.yaml": "[" * 200_000 + "]" * 200_000,
    "deep-block.yaml": "".join("  " * i + "- \n" for i in range(3000)),
    "wide-alias.yaml": "a: &a [" + ", ".join(["x"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 2000) + "]\n",
}
_CHILD = """
import resource, sys, truce
resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, resource.RLIM_INFINITY))
for path in sys.argv[1:]:
    try:
        truce.evaluate(path)
        print(path, "accepted")
    except truce.ScenarioError as exc:
        print(path, "ScenarioError", exc.problems[0].file)
"""


def test_hostile_documents_fail_fast_in_bounded_memory(tmp_path: Path) -> None:
    """Run in a child with a memory cap and a time limit, so a regression fails instead of swapping."""
    paths = [str(_write(tmp_path, name, text)) for name, text in BOUNDED.items()]
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_CHILD), *paths], capture_output=True, text=True, timeout=120, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == [f"{p} ScenarioError {p}" for p in paths]


# ---- rulebooks -------------------------------------------------------------------------------------------------

BOOK_TEXT = (ROOT / "rules" / "idlib-2019.yaml").read_text(encoding="utf-8")


@pytest.fixture
def book_dir(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "rules" / "zones", tmp_path / "zones")
    return tmp_path


BAD_BOOKS = [
    ("start: 2019-08-02T00:00:00+03:00", "start: 2019-08-02T00:00:00", "in_force.start"),
    ("parties: [jihadists]\n", "parties: [jihadist]\n", "clauses[0].parties[0]"),
    ("forces: [sochi_heavy]\n    zone: buffer\n    deadline", "forces: [heavyy]\n    zone: buffer\n    deadline", "clauses[2].forces[0]"),
    ("zone: deescalation", "zone: deescalaton", "clauses[3].zone"),
    ("  - id: no-attacks", "  - id: government-heavy-weapons", "clauses[3].id"),
    ("type: prohibition", "type: ban", "clauses[3].type"),
    ("illustrative: true\n    note:", "illustrative: true\n    colour: red\n    note:", "zones.buffer.colour"),
    ("geojson: zones/idlib-buffer.geojson", "geojson: zones/missing.geojson", "zones.buffer.geojson"),
    ("geojson: zones/idlib-buffer.geojson", "geojson: /dev/zero", "zones.buffer.geojson"),
    ("date: 2019-08-01\nsummary", "date: !!python/object/apply:os.getcwd []\nsummary", ""),
    ("members: [hts, other-jihadists]", "members: [hts, other-jihadists, daesh]", "groups.jihadists.members[2]"),
]


@pytest.mark.parametrize(("old", "new", "path"), BAD_BOOKS, ids=[b[2] or b[1][:30] for b in BAD_BOOKS])
def test_bad_rulebook_field_is_named(book_dir: Path, old: str, new: str, path: str) -> None:
    assert old in BOOK_TEXT
    file = _write(book_dir, "book.yaml", BOOK_TEXT.replace(old, new, 1))
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(file)
    assert caught.value.file == str(file)
    assert path in [p.path for p in caught.value.problems], caught.value


def test_every_rulebook_problem_is_reported(book_dir: Path) -> None:
    """Field errors come together; so do cross-reference errors (checked once the fields are valid)."""
    fields = BOOK_TEXT.replace("start: 2019-08-02T00:00:00+03:00", "start: 2019-08-02T00:00:00").replace("type: prohibition", "type: ban")
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(_write(book_dir, "fields.yaml", fields))
    assert {"in_force.start", "clauses[3].type"} <= {p.path for p in caught.value.problems}
    values = {p.path: p.value for p in caught.value.problems}
    assert (values["in_force.start"], values["clauses[3].type"]) == (datetime(2019, 8, 2), "ban")
    references = BOOK_TEXT.replace("zone: deescalation", "zone: nowhere").replace("parties: [jihadists]\n", "parties: [nobody]\n", 1)
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(_write(book_dir, "references.yaml", references))
    assert {"clauses[3].zone", "clauses[0].parties[0]"} <= {p.path for p in caught.value.problems}


@pytest.mark.parametrize(
    "zone",
    [
        '{"type": "Polygon", "coordinates": [[[NaN, 35], [37, 35], [37, 36], [NaN, 35]]]}',
        '{"type": "Polygon", "coordinates": [[[35, 200], [37, 35], [37, 36], [35, 200]]]}',
        '{"type": "Point", "coordinates": [36, 35]}',
        '{"type": "Polygon", "coordinates": "x"}',
        '{"type": "FeatureCollection", "features": [1]}',
        '{"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}',
        "[" * 100_000,
        "\x00\x01",
    ],
)
def test_bad_zone_file(book_dir: Path, zone: str) -> None:
    _write(book_dir / "zones", "idlib-buffer.geojson", zone)
    file = _write(book_dir, "book.yaml", BOOK_TEXT)
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(file)
    assert [p.path for p in caught.value.problems] == ["zones.buffer.geojson"]


@pytest.mark.parametrize("cut", [0.05, 0.3, 0.6, 0.95])
def test_truncated_rulebook(book_dir: Path, cut: float) -> None:
    file = _write(book_dir, "book.yaml", BOOK_TEXT[: int(len(BOOK_TEXT) * cut)])
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(file)
    assert caught.value.file == str(file)
