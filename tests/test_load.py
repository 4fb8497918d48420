"""Loading and validating rulebooks and scenarios: every problem named, with its place."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import truce
from places import KHAN_SHAYKHUN
from truce._load import bundled_rules_dir

RULES = bundled_rules_dir()


def _copy_rulebook(tmp_path: Path, edit: Callable[[str], str]) -> Path:
    folder = tmp_path / f"copy{len(list(tmp_path.iterdir()))}"
    shutil.copytree(RULES / "zones", folder / "zones")
    target = folder / "idlib-2019.yaml"
    target.write_text(edit((RULES / "idlib-2019.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    return target


def test_bundled_rulebooks_load_by_id_and_are_listed() -> None:
    ids = {info.id for info in truce.list_rulebooks()}
    assert {"idlib-2019", "sochi-2018"} <= ids
    for info in truce.list_rulebooks():
        book = truce.load_rulebook(info.id)
        assert (book.title, book.date.isoformat()) == (info.title, info.date)
        assert info.source and info.path.is_file()


def test_bundled_rules_ship_inside_an_installed_package() -> None:
    package = Path(truce.__file__).parent
    if "site-packages" in package.parts:
        assert package / "rules" == RULES
    assert (RULES / "idlib-2019.yaml").is_file()
    assert (RULES / "zones" / "idlib-buffer.geojson").is_file()


def test_rulebooks_are_cached() -> None:
    assert truce.load_rulebook("idlib-2019") is truce.load_rulebook(RULES / "idlib-2019.yaml")


def test_unknown_rulebook_suggests_the_closest_id() -> None:
    with pytest.raises(truce.UnknownRulebookError) as info:
        truce.load_rulebook("idlib-2109")
    assert info.value.suggestion == "did you mean 'idlib-2019'?"
    assert isinstance(info.value, ValueError)


def test_rulebook_typo_in_a_party_id_is_located_with_a_suggestion(tmp_path: Path) -> None:
    path = _copy_rulebook(tmp_path, lambda text: text.replace("parties: [jihadists]\n", "parties: [jihadits]\n"))
    with pytest.raises(truce.RulebookError) as info:
        truce.load_rulebook(path)
    (problem,) = info.value.problems
    assert problem.path == "clauses[0].parties[0]"
    assert problem.value == "jihadits"
    assert problem.suggestion == "did you mean 'jihadists'?"
    assert problem.file == str(path)
    line = path.read_text(encoding="utf-8").splitlines()[problem.line - 1] if problem.line else ""
    assert "jihadits" in line


def test_rulebook_reports_every_problem_not_just_the_first(tmp_path: Path) -> None:
    def edit(text: str) -> str:
        text = text.replace("zone: deescalation\n", "zone: deescalaton\n")
        text = text.replace("forces: [sochi_heavy]\n    zone: buffer\n    deadline", "forces: [sochi_hevy]\n    zone: buffer\n    deadline")
        return text.replace("  medium: {name: medium weapons}\n", "  medium: {name: medium weapons, colour: red}\n")

    with pytest.raises(truce.RulebookError) as info:
        truce.load_rulebook(_copy_rulebook(tmp_path, edit))
    paths = {p.path for p in info.value.problems}
    assert paths == {"classes.medium.colour"}  # schema errors come first, then cross-references
    fixed = _copy_rulebook(tmp_path, lambda t: edit(t).replace(", colour: red", ""))
    with pytest.raises(truce.RulebookError) as info:
        truce.load_rulebook(fixed)
    assert {p.path for p in info.value.problems} == {"clauses[2].forces[0]", "clauses[3].zone"}


def test_rulebook_rejects_duplicate_keys(tmp_path: Path) -> None:
    path = _copy_rulebook(tmp_path, lambda t: t.replace("title: Idlib conditional", "title: x\ntitle: Idlib conditional"))
    with pytest.raises(truce.RulebookError, match="duplicate keys") as info:
        truce.load_rulebook(path)
    assert info.value.problems[0].path == "title"


def test_rulebook_rejects_a_naive_start(tmp_path: Path) -> None:
    path = _copy_rulebook(tmp_path, lambda t: t.replace("start: 2019-08-02T00:00:00+03:00", "start: 2019-08-02T00:00:00"))
    with pytest.raises(truce.RulebookError) as info:
        truce.load_rulebook(path)
    assert info.value.problems[0].path == "in_force.start"


def test_rulebook_rejects_an_invalid_zone(tmp_path: Path) -> None:
    path = _copy_rulebook(tmp_path, lambda t: t)
    bowtie = {"type": "Polygon", "coordinates": [[[36, 35], [37, 36], [37, 35], [36, 36], [36, 35]]]}
    (path.parent / "zones" / "idlib-buffer.geojson").write_text(json.dumps(bowtie), encoding="utf-8")
    with pytest.raises(truce.RulebookError, match="invalid polygon") as info:
        truce.load_rulebook(path)
    assert info.value.problems[0].path == "zones.buffer.geojson"


def test_rulebook_yaml_tags_never_construct_objects(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("id: !!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    with pytest.raises(truce.RulebookError, match="not valid YAML"):
        truce.load_rulebook(path)


def test_scenario_unknown_ids_all_reported_with_suggestions(state: Callable[..., dict[str, Any]]) -> None:
    bad = state(
        units=[
            {"id": "u1", "party": "hst", "kind": "fighters", "position": KHAN_SHAYKHUN},
            {"id": "u1", "party": "hts", "kind": "tanks", "zone": "bufer"},
        ],
        incidents=[{"id": "i1", "time": "2019-08-02T01:00:00+03:00", "kind": "shellng", "by": "sy-gov"}],
    )
    with pytest.raises(truce.ScenarioError) as info:
        truce.evaluate(bad)
    found = {(p.path, p.suggestion) for p in info.value.problems}
    assert found == {
        ("units[0].party", "did you mean 'hts'?"),
        ("units[1].id", "ids must be unique; observations of one unit need distinct 'observed' times"),
        ("units[1].kind", "did you mean 'tank'?"),
        ("units[1].zone", "did you mean 'buffer'?"),
        ("incidents[0].kind", "did you mean 'shelling'?"),
    }


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("as_of", "2019-08-03T12:00:00", "as_of"),
        ("units", [{"id": "u", "party": "hts", "kind": "tank", "count": -1}], "units[0].count"),
        ("units", [{"id": "u", "party": "hts", "kind": "tank", "position": {"lat": 95, "lon": 36}}], "units[0].position.lat"),
        ("units", [{"id": "u", "party": "hts", "kind": "tank", "position": {"lat": "nan", "lon": 36}}], "units[0].position.lat"),
        ("units", [{"id": "u", "party": "hts", "kind": "tank", "postion": {"lat": 35, "lon": 36}}], "units[0].postion"),
        ("incidents", [{"id": "i", "time": "2019-08-02T01:00:00", "kind": "shelling"}], "incidents[0].time"),
    ],
)
def test_scenario_field_errors_name_the_path(
    state: Callable[..., dict[str, Any]], field: str, value: object, path: str
) -> None:
    with pytest.raises(truce.ScenarioError) as info:
        truce.evaluate(state(**{field: value}))
    assert [p.path for p in info.value.problems] == [path]


def test_scenario_file_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "agreement: idlib-2019\nas_of: 2019-08-03T12:00:00+03:00\nunits:\n"
        "  - {id: u1, party: hts, kind: fighters}\n  - {id: u2, party: hts, kind: tnak}\n",
        encoding="utf-8",
    )
    with pytest.raises(truce.ScenarioError) as info:
        truce.evaluate(path)
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.path) == (str(path), 5, "units[1].kind")
    assert f"{path}:5: units[1].kind" in str(info.value)


def test_scenario_without_agreement_or_rules_says_how_to_fix(state: Callable[..., dict[str, Any]]) -> None:
    data = state()
    del data["agreement"]
    with pytest.raises(truce.ScenarioError, match="agreement"):
        truce.evaluate(data)
    assert truce.evaluate(data, rules="idlib-2019").status == "holds"


def test_unknown_reading_is_an_error_with_suggestion(state: Callable[..., dict[str, Any]]) -> None:
    with pytest.raises(truce.ScenarioError) as info:
        truce.evaluate(state(), reading="goverment")
    assert info.value.suggestion == "did you mean 'government'?"


def test_schema_errors_and_unknown_ids_are_reported_together(state: Callable[..., dict[str, Any]]) -> None:
    bad = state(units=[
        {"id": "u1", "party": "hst", "kind": "tank", "count": -1},
        {"id": "u1", "party": "hts", "kind": "tnak", "position": {"lat": 95, "lon": 36}},
    ])
    with pytest.raises(truce.ScenarioError) as info:
        truce.evaluate(bad)
    assert {p.path for p in info.value.problems} == {
        "units[0].count", "units[1].position.lat", "units[0].party", "units[1].id", "units[1].kind",
    }
    with pytest.raises(truce.ScenarioError) as info:  # the same, when the rulebook is given rather than named
        truce.evaluate({k: v for k, v in bad.items() if k != "agreement"}, rules="idlib-2019")
    assert "units[0].party" in {p.path for p in info.value.problems}


def test_landmarks_are_validated_and_located(tmp_path: Path) -> None:
    book = truce.load_rulebook("idlib-2019")
    assert book.landmarks["khan-shaykhun"].name == "Khan Shaykhun"
    path = _copy_rulebook(tmp_path, lambda t: t.replace("{name: Hama, lat: 35.135,", "{name: Hama, lat: 135.135,"))
    with pytest.raises(truce.RulebookError) as info:
        truce.load_rulebook(path)
    assert [p.path for p in info.value.problems] == ["landmarks.hama.lat"]


@pytest.mark.parametrize(
    ("book", "old", "new", "path"),
    [
        ("golan-1974", "    max: 6000\n", "    max: yes\n", "clauses[4].max"),
        ("golan-1974", "    max: 75\n", "    max: 75.5\n", "clauses[5].max"),
        ("golan-1974", "{calibre_mm: {max: 122}}", "{calibre_mm: {max: .nan}}", "classes.short_range_artillery.where.calibre_mm.max"),
        ("golan-1974", "{range_km: {max: 20}}", "{range_km: {max: .inf}}", "classes.artillery_to_20km.where.range_km.max"),
        ("golan-1974", "{calibre_mm: {max: 122}}", "{calibre_mm: {max: on}}", "classes.short_range_artillery.where.calibre_mm.max"),
        ("golan-1974", "  start: 1974-05-31T00:00:00+02:00", "  start: 19740531", "in_force.start"),
        ("golan-1974", "  start: 1974-05-31T00:00:00+02:00", "  start: 1974-05-31", "in_force.start"),
        ("golan-1974", "{after_start: {days: 26}}", "{after_start: {days: yes}}", "clauses[1].deadline.after_start.days"),
        ("golan-1974", "    deadline: {after_start: {days: 26}}", "    deadline: 1974", "clauses[1].deadline"),
        ("minsk-2015", "side: left, to_km: 25}", "side: left, to_km: yes}", "zones.ua-artillery-band.band.to_km"),
        ("minsk-2015", "    illustrative: true\n", "    illustrative: 1\n", "zones.formations-side-of-contact-line.illustrative"),
    ],
)
def test_a_rulebook_value_of_the_wrong_type_is_an_error_not_a_coercion(
    tmp_path: Path, book: str, old: str, new: str, path: str
) -> None:
    """``max: yes`` is not 1, a NaN bound does not make a class empty, a bare number is not a time."""
    source = bundled_rules_dir() / f"{book}.yaml"
    text = source.read_text(encoding="utf-8")
    assert old in text
    shutil.copytree(bundled_rules_dir() / "zones", tmp_path / "zones")
    target = tmp_path / source.name
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(target)
    assert path in [p.path for p in caught.value.problems], caught.value


def test_a_misspelled_set_by_is_located_with_a_suggestion(tmp_path: Path) -> None:
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(_copy_rulebook(tmp_path, lambda text: text.replace("set_by: sy-gov", "set_by: sy-gv", 1)))
    (problem,) = [p for p in caught.value.problems if p.path.endswith("set_by")]
    assert (problem.path, problem.value, problem.suggestion) == ("clauses[0].set_by", "sy-gv", "did you mean 'sy-gov'?")


# A small rulebook of every section a cross-reference can reach, written to a folder with its two zone files;
# each test below breaks it the way an author could, and names the problem it must be told, with its place.

def _box(lon: float, lat: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + 0.1, lat], [lon + 0.1, lat + 0.1], [lon, lat + 0.1], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _small_book() -> dict[str, Any]:
    return {
        "id": "small", "title": "A small truce", "date": "2020-01-01", "summary": "Two parties stop firing.",
        "sources": [{"title": "The text"}],
        "parties": {"a": {"name": "Party A", "side": "A"}, "b": {"name": "Party B", "side": "B"}},
        "groups": {"both": {"name": "Both parties", "members": ["a", "b"]}},
        "attributes": {"calibre_mm": {"name": "calibre", "unit": "mm"}},
        "classes": {"heavy": {"name": "heavy weapons", "kinds": ["tank"], "where": {"calibre_mm": {"above": 100}}}},
        "kinds": {"tank": {"name": "tanks", "classes": ["heavy"]}, "gun": {"name": "guns"}},
        "incident_kinds": {"shelling": {"name": "shelling"}},
        "zones": {
            "north": {"name": "the north", "geojson": "north.geojson"},
            "south": {"name": "the south", "geojson": "south.geojson"},
            "both-zones": {"name": "north and south", "union": ["north", "south"]},
        },
        "readings": {
            "text": {"name": "the text", "description": "As written.", "default": True},
            "late": {"name": "a late reading", "description": "Withdrawal takes longer."},
        },
        "in_force": {"start": "2020-01-01T00:00:00+00:00", "article": "Art. 1"},
        "clauses": [
            {"id": "ceasefire", "type": "prohibition", "title": "No shelling", "article": "Art. 2", "parties": ["both"],
             "incidents": ["shelling"]},
            {"id": "no-tanks", "type": "withdrawal", "title": "No heavy weapons", "article": "Art. 3", "parties": ["a"],
             "forces": ["heavy"], "zone": "both-zones", "deadline": {"after_start": {"days": 2}},
             "readings": {"late": {"deadline": {"after_start": {"days": 9}}}}},
        ],
    }


def _write_book(tmp_path: Path, edit: Callable[[dict[str, Any]], object] = lambda book: None) -> Path:
    """The small rulebook, changed by ``edit``, written as ``small.yaml`` beside its zone files."""
    book = _small_book()
    edit(book)
    (tmp_path / "north.geojson").write_text(json.dumps(_box(36.0, 36.0)), encoding="utf-8")
    (tmp_path / "south.geojson").write_text(json.dumps(_box(36.0, 35.0)), encoding="utf-8")
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    return path


def _refused(path: Path) -> truce.RulebookError:
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(path)
    assert str(caught.value).startswith(f"invalid rulebook {path}: "), caught.value
    for problem in caught.value.problems:
        assert problem.file == str(path) and problem.line is not None, problem
    return caught.value


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_the_small_rulebook_loads_with_its_files_and_origin(tmp_path: Path) -> None:
    path = _write_book(tmp_path)
    book = truce.load_rulebook(path)
    assert [c.id for c in book.clauses] == ["ceasefire", "no-tanks"]
    assert book.origin == str(path)
    assert book.document.file == str(path)
    assert book.files == {
        name: hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        for name in ("small.yaml", "north.geojson", "south.geojson")
    }
    assert book.area("both-zones").lonlat.area == pytest.approx(0.02)


_BROKEN: list[tuple[Callable[[dict[str, Any]], object], tuple[str, str, object, str | None]]] = [
    (lambda b: b["groups"].update(a={"name": "A again", "members": ["a"]}),
     ("groups.a", "a group may not share an id with a party", "a", None)),
    (lambda b: b["groups"]["both"].update(members=["a", "bb"]),
     ("groups.both.members[1]", "unknown party 'bb'", "bb", "did you mean 'b'?")),
    (lambda b: b["groups"]["both"].update(members=["a", "both"]),
     ("groups.both.members[1]", "unknown party 'both'", "both", "expected one of: a, b")),
    (lambda b: b["kinds"].update(heavy={"name": "heavy guns"}), ("kinds.heavy", "a kind may not share an id with a class", "heavy", None)),
    (lambda b: b["kinds"]["tank"].update(classes=["hevy"]),
     ("kinds.tank.classes[0]", "unknown class 'hevy'", "hevy", "did you mean 'heavy'?")),
    (lambda b: b["classes"]["heavy"].update(kinds=["gun", "tanks"]),
     ("classes.heavy.kinds[1]", "unknown kind 'tanks'", "tanks", "did you mean 'tank'?")),
    (lambda b: b["classes"]["heavy"].update(where={"calibre": {"above": 100}}),
     ("classes.heavy.where.calibre", "unknown attribute 'calibre'", "calibre", "did you mean 'calibre_mm'?")),
    (lambda b: b["zones"]["both-zones"].update(union=["north", "sout"]),
     ("zones.both-zones.union[1]", "unknown zone 'sout'", "sout", "did you mean 'south'?")),
    (lambda b: b["readings"]["late"].update(default=True),
     ("readings", "only one reading may be the default, found ['text', 'late']", None, None)),
    (lambda b: b["clauses"][1].update(id="ceasefire"), ("clauses[1].id", "clause id 'ceasefire' is used twice", "ceasefire", None)),
    (lambda b: b["clauses"][1].update(readings={"lat": {"deadline": {"after_start": {"days": 9}}}}),
     ("clauses[1].readings.lat", "unknown reading 'lat'", "lat", "did you mean 'late'?")),
]
"""The small rulebook broken one way, and the one problem (path, message, value, suggestion) it must be told."""


@pytest.mark.parametrize(("edit", "expected"), _BROKEN)
def test_a_rulebook_cross_reference_is_located_and_explained(
    tmp_path: Path, edit: Callable[[dict[str, Any]], object], expected: tuple[str, str, object, str | None]
) -> None:
    error = _refused(_write_book(tmp_path, edit))
    assert [(p.path, p.message, p.value, p.suggestion) for p in error.problems] == [expected]


def test_a_cross_reference_problem_points_at_its_line(tmp_path: Path) -> None:
    path = _write_book(tmp_path, lambda b: b["zones"]["both-zones"].update(union=["north", "sout"]))
    (problem,) = _refused(path).problems
    assert problem.line == _line_of(path, "- sout")


def test_every_cross_reference_problem_is_reported_at_once(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        book["groups"]["both"]["members"] = ["a", "c"]
        book["kinds"]["tank"]["classes"] = ["light"]
        book["classes"]["heavy"]["kinds"] = ["tnk"]
        book["zones"]["both-zones"]["union"] = ["north", "east"]
        book["clauses"][1]["readings"] = {"early": {"deadline": {"after_start": {"days": 1}}}}

    paths = [p.path for p in _refused(_write_book(tmp_path, edit)).problems]
    assert paths == [
        "groups.both.members[1]", "kinds.tank.classes[0]", "classes.heavy.kinds[0]", "zones.both-zones.union[1]",
        "clauses[1].readings.early",
    ]


def test_a_zone_file_problem_is_reported_with_the_cross_references(tmp_path: Path) -> None:
    path = _write_book(tmp_path, lambda b: b["kinds"]["tank"].update(classes=["hevy"]))
    (tmp_path / "north.geojson").unlink()
    assert {p.path for p in _refused(path).problems} == {"kinds.tank.classes[0]", "zones.north.geojson"}


def _far_start(book: dict[str, Any], start: str, days: int, late_days: int) -> None:
    book["in_force"]["start"] = start
    book["clauses"][1]["deadline"] = {"after_start": {"days": days}}
    book["clauses"][1]["readings"]["late"]["deadline"] = {"after_start": {"days": late_days}}


def test_a_deadline_in_the_last_or_first_year_truce_takes_loads(tmp_path: Path) -> None:
    late = truce.load_rulebook(_write_book(tmp_path, lambda b: _far_start(b, "8999-12-01T00:00:00+00:00", 30, 30)))
    assert late.deadline(late.clauses[1]).year == 8999
    early = tmp_path / "early"
    early.mkdir()
    first = truce.load_rulebook(_write_book(early, lambda b: _far_start(b, "1000-01-01T00:00:00+00:00", 0, 1)))
    assert first.deadline(first.clauses[1]).year == 1000


def test_the_longest_span_from_the_last_start_is_refused_as_past_the_last_year(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        _far_start(book, "8999-12-01T00:00:00+00:00", 1, 1)
        book["clauses"][1]["deadline"] = {"after_start": {"days": 36500, "hours": 876000}}  # the longest a span may be

    problems = _refused(_write_book(tmp_path, edit)).problems
    assert [(p.path, p.message) for p in problems] == [("clauses[1].deadline", "the deadline falls outside the years 1000 to 8999")]


@pytest.mark.parametrize(
    ("days", "late_days", "paths"),
    [
        (31, 2, ["clauses[1].deadline"]),
        (2, 31, ["clauses[1].readings.late.deadline"]),
        (40, 40, ["clauses[1].deadline", "clauses[1].readings.late.deadline"]),
    ],
)
def test_a_deadline_past_the_last_year_truce_takes_is_refused(tmp_path: Path, days: int, late_days: int, paths: list[str]) -> None:
    error = _refused(_write_book(tmp_path, lambda b: _far_start(b, "8999-12-01T00:00:00+00:00", days, late_days)))
    assert [p.path for p in error.problems] == paths
    for problem in error.problems:
        assert problem.message == "the deadline falls outside the years 1000 to 8999"
        assert problem.suggestion == "check the start and the span after it"


def test_a_deadline_only_a_reading_gives_is_checked(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        _far_start(book, "8999-12-01T00:00:00+00:00", 0, 40)
        del book["clauses"][1]["deadline"]

    assert [p.path for p in _refused(_write_book(tmp_path, edit)).problems] == ["clauses[1].readings.late.deadline"]


def test_a_reading_under_which_a_clause_does_not_apply_has_no_deadline_to_check(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        _far_start(book, "8999-12-01T00:00:00+00:00", 40, 0)
        book["clauses"][1]["readings"]["late"] = {"applies": False}

    assert [p.path for p in _refused(_write_book(tmp_path, edit)).problems] == ["clauses[1].deadline"]


def _clauses(count: int) -> Callable[[dict[str, Any]], None]:
    def edit(book: dict[str, Any]) -> None:
        book["clauses"] = [{**book["clauses"][0], "id": f"ceasefire-{i}"} for i in range(count)]

    return edit


def test_a_rulebook_of_more_clauses_than_the_engine_compiles_is_refused(tmp_path: Path) -> None:
    assert len(truce.load_rulebook(_write_book(tmp_path, _clauses(511))).clauses) == 511
    error = _refused(_write_book(tmp_path, _clauses(512)))
    (problem,) = error.problems
    assert problem.path == "clauses"
    assert problem.message == (
        "a rulebook may have at most 511 clauses, as the rule engine compiles at most 3075 rules; this one has 512 (3081 rules)"
    )
    assert (problem.value, problem.suggestion) == (512, "split the agreement into several rulebooks")


def _bundled_listing() -> str:
    return ", ".join(sorted(p.stem for p in RULES.glob("*.yaml")))


@pytest.mark.parametrize(
    ("ref", "suggestion"),
    [("idlib-2109", "did you mean 'idlib-2019'?"), ("nothing-like-it", "give a rulebook file's path")],
)
def test_an_unknown_rulebook_name_lists_the_bundled_ones_and_the_way_out(ref: str, suggestion: str) -> None:
    with pytest.raises(truce.UnknownRulebookError) as caught:
        truce.load_rulebook(ref)
    assert str(caught.value).startswith(f"unknown rulebook {ref!r}: 1 problem")
    (problem,) = caught.value.problems
    assert (problem.path, problem.value, problem.suggestion) == ("rules", ref, suggestion)
    assert problem.message == f"{ref!r} is neither a bundled rulebook ({_bundled_listing()}) nor a rulebook file in the current folder"


def test_an_unknown_agreement_next_to_a_scenario_file_says_where_it_was_looked_for(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("agreement: nothing-like-it\nas_of: 2019-08-03T12:00:00+03:00\n", encoding="utf-8")
    with pytest.raises(truce.UnknownRulebookError) as caught:
        truce.evaluate(path)
    (problem,) = caught.value.problems
    assert (problem.path, problem.file, problem.line) == ("agreement", str(path), 1)
    listing = _bundled_listing()
    assert problem.message == f"'nothing-like-it' is neither a bundled rulebook ({listing}) nor a rulebook file next to this scenario"
    assert problem.suggestion == "give a path relative to the scenario file, or pass --rules"


@pytest.mark.parametrize("where", ["agreement", "rules"])
def test_a_rulebook_named_where_no_file_may_be_read_must_be_bundled(state: Callable[..., dict[str, Any]], where: str) -> None:
    data = state(agreement="idlib-2109") if where == "agreement" else state()
    with pytest.raises(truce.UnknownRulebookError) as caught:
        truce.prepare(data, rules="idlib-2109" if where == "rules" else None, files=False)
    assert str(caught.value).startswith("unknown rulebook 'idlib-2109': 1 problem")
    (problem,) = caught.value.problems
    assert (problem.path, problem.message, problem.value, problem.suggestion) == (
        where, "no bundled rulebook has this id", "idlib-2109", "did you mean 'idlib-2019'?"
    )


@pytest.mark.parametrize("ref", [42, None, ["idlib-2019"]])
def test_a_rulebook_reference_of_the_wrong_type_is_refused(ref: Any) -> None:
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(ref)
    assert str(caught.value).startswith("cannot load rulebook: 1 problem")
    (problem,) = caught.value.problems
    assert (problem.path, problem.message) == ("rules", f"expected a rulebook id or path, got {type(ref).__name__}")


def test_a_rulebook_path_with_a_nul_byte_is_refused_before_any_file_is_touched() -> None:
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook("rules\0.yaml")
    assert str(caught.value).startswith("no rulebook file: 1 problem")
    (problem,) = caught.value.problems
    assert (problem.path, problem.message, problem.value) == (
        "rules", "the path contains a NUL byte; no file can have that name", "rules\0.yaml"
    )


@pytest.mark.parametrize(("name", "folder", "found"), [
    ("missing.yaml", False, "no such file"),
    ("book.yaml", True, "not a regular file"),
    ("book", True, "not a regular file"),
])
def test_a_rulebook_path_that_is_no_file_is_named(tmp_path: Path, name: str, folder: bool, found: str) -> None:
    path = tmp_path / name
    if folder:
        path.mkdir()
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(path)
    assert not isinstance(caught.value, truce.UnknownRulebookError)
    assert str(caught.value).startswith(f"no rulebook file {path}: 1 problem")
    (problem,) = caught.value.problems
    assert (problem.path, problem.message, problem.value, problem.file) == ("", found, str(path), str(path))


def test_a_rulebook_file_without_a_suffix_loads(tmp_path: Path) -> None:
    path = _write_book(tmp_path).rename(tmp_path / "small")
    assert truce.load_rulebook(path).id == "small"
    assert truce.load_rulebook(str(path)).origin == str(path)


def test_a_rulebook_is_cached_by_its_absolute_path_and_read_again_once_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write_book(tmp_path)
    monkeypatch.chdir(tmp_path)
    book = truce.load_rulebook("small.yaml")
    assert truce.load_rulebook(path) is book
    assert truce.load_rulebook(Path("small.yaml")) is book
    path.write_text(path.read_text(encoding="utf-8").replace("title: A small truce", "title: A smaller truce"), encoding="utf-8")
    changed = truce.load_rulebook(path)
    assert changed.title == "A smaller truce"
    assert truce.load_rulebook("small.yaml") is changed


def test_the_listing_names_each_bundled_rulebook_with_its_first_source() -> None:
    infos = truce.list_rulebooks()
    assert [info.id for info in infos] == sorted(p.stem for p in RULES.glob("*.yaml"))
    for info in infos:
        book = truce.load_rulebook(info.path)
        assert info.path == (RULES / f"{info.id}.yaml").resolve()
        assert (info.id, info.title, info.date, info.source) == (book.id, book.title, book.date.isoformat(), book.sources[0].title)


def test_a_scenario_is_loaded_from_a_dict_a_file_or_as_it_is(tmp_path: Path, state: Callable[..., dict[str, Any]]) -> None:
    scenario = truce.load_scenario(state())
    assert truce.load_scenario(scenario) is scenario
    path = tmp_path / "s.json"
    path.write_text(json.dumps(state()), encoding="utf-8")
    assert truce.load_scenario(path) == scenario
    assert truce.load_scenario(str(path)) == scenario


@pytest.mark.parametrize(("source", "what", "message"), [
    (42, "cannot read scenario", "expected a dict, a Scenario or a path, got int"),
    (["agreement"], "cannot read scenario", "expected a dict, a Scenario or a path, got list"),
    ("s.txt", "not a scenario file: s.txt", "expected a .yaml, .yml or .json file"),
])
def test_a_scenario_that_is_no_scenario_is_refused(source: Any, what: str, message: str) -> None:
    with pytest.raises(truce.ScenarioError) as caught:
        truce.load_scenario(source)
    assert str(caught.value).startswith(f"{what}: 1 problem")
    (problem,) = caught.value.problems
    assert (problem.path, problem.message) == ("", message)
    if isinstance(source, str):
        assert (problem.value, problem.file) == (source, source)


def test_an_invalid_scenario_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "s.yml"
    path.write_text("agreement: idlib-2019\nas_of: 3\n", encoding="utf-8")
    with pytest.raises(truce.ScenarioError) as caught:
        truce.load_scenario(path)
    assert str(caught.value).startswith(f"invalid scenario {path}: 1 problem")
    assert [(p.path, p.line) for p in caught.value.problems] == [("as_of", 2)]
    with pytest.raises(truce.ScenarioError) as caught:
        truce.load_scenario({"agreement": "idlib-2019", "as_of": 3})
    assert str(caught.value).startswith("invalid scenario: 1 problem")


def test_a_cross_reference_and_a_deadline_problem_are_reported_together(tmp_path: Path) -> None:
    def edit(book: dict[str, Any]) -> None:
        _far_start(book, "8999-12-01T00:00:00+00:00", 40, 2)
        book["groups"]["both"]["members"] = ["a", "bb"]

    assert [p.path for p in _refused(_write_book(tmp_path, edit)).problems] == ["groups.both.members[1]", "clauses[1].deadline"]


def test_a_prepared_scenarios_document_prepares_it_again(tmp_path: Path, state: Callable[..., dict[str, Any]]) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(state()), encoding="utf-8")
    case = truce.prepare(path)
    again = truce.prepare(case.document, reading="government")
    assert again.document is case.document
    assert (again.scenario, again.reading) == (case.scenario, "government")


@pytest.mark.parametrize(("raw", "message"), [(None, "cannot read"), (b"units: [\n", "not valid YAML"), (b"as_of: \xff\n", "is not text")])
def test_a_scenario_file_that_cannot_be_read_is_a_scenario_error(tmp_path: Path, raw: bytes | None, message: str) -> None:
    path = tmp_path / "s.yaml"
    if raw is not None:
        path.write_bytes(raw)
    with pytest.raises(truce.ScenarioError, match=message) as caught:
        truce.load_scenario(path)
    assert caught.value.file == str(path)


def test_two_rulebook_files_of_the_same_size_and_time_are_two_rulebooks(tmp_path: Path) -> None:
    """Files unpacked from one archive share their modification time; an edit of one letter keeps the size."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    paths = [_write_book(first), _write_book(second, lambda b: b.update(title="A small trucf"))]
    stamp = paths[0].stat().st_mtime_ns
    for path in paths:
        os.utime(path, ns=(stamp, stamp))
    assert paths[0].stat().st_size == paths[1].stat().st_size
    assert [truce.load_rulebook(path).title for path in paths] == ["A small truce", "A small trucf"]


def test_a_rulebook_linked_into_another_folder_is_read_there(tmp_path: Path) -> None:
    """A rulebook's zone files are read beside the path it is loaded by: a link to it in another folder, beside
    other zone files, is another rulebook."""
    (tmp_path / "original").mkdir()
    original = _write_book(tmp_path / "original")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "small.yaml").symlink_to(original)
    (linked / "north.geojson").write_text(json.dumps(_box(37.0, 36.0)), encoding="utf-8")
    (linked / "south.geojson").write_text(json.dumps(_box(37.0, 35.0)), encoding="utf-8")
    at_original, at_link = truce.load_rulebook(original), truce.load_rulebook(linked / "small.yaml")
    assert (at_original.origin, at_link.origin) == (str(original), str(linked / "small.yaml"))
    assert at_original.geometry("north").bounds[0] == pytest.approx(36.0)
    assert at_link.geometry("north").bounds[0] == pytest.approx(37.0)


def test_a_rulebook_keeps_its_document_to_locate_later_problems(tmp_path: Path) -> None:
    path = _write_book(tmp_path)
    document = truce.load_rulebook(path).document
    assert document.data["title"] == "A small truce"
    assert document.problem(("clauses", 1, "zone"), "a later problem").line == _line_of(path, "zone: both-zones")


def test_a_schema_problem_names_the_rulebook_file(tmp_path: Path) -> None:
    path = _write_book(tmp_path, lambda b: b.update(titel=b.pop("title")))
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(path)
    assert str(caught.value).startswith(f"invalid rulebook {path}: ")
    assert "titel" in {p.path for p in caught.value.problems}
