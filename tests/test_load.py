"""Loading and validating rulebooks and scenarios: every problem named, with its place."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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
