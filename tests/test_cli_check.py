"""``truce check``: the rulebook linter finds each kind of mistake and says where it is."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import truce
from bookcopy import add_inspected_zone, copy_rulebook
from truce._cli import EXIT_BAD_INPUT, main
from truce._lint import _compatible, lint_rulebook

SQUARE = [[36.0, 35.0], [37.0, 35.0], [37.0, 36.0], [36.0, 36.0], [36.0, 35.0]]
EAST_HALF = [[36.5, 35.0], [37.5, 35.0], [37.5, 36.0], [36.5, 36.0], [36.5, 35.0]]

BASE: dict[str, Any] = {
    "id": "test-truce",
    "title": "A test truce",
    "date": "2020-01-01",
    "summary": "Two parties, one zone.",
    "sources": [{"title": "Invented for tests"}],
    "parties": {"red": {"name": "Red"}, "blue": {"name": "Blue"}},
    "groups": {"everyone": {"name": "Everyone", "members": ["red", "blue"]}},
    "classes": {"heavy": {"name": "heavy weapons"}},
    "kinds": {"tank": {"name": "tanks", "classes": ["heavy"]}, "fighters": {"name": "fighters"}},
    "incident_kinds": {"shelling": {"name": "shelling"}},
    "zones": {"zone": {"name": "the zone", "geojson": "zone.geojson"}},
    "readings": {
        "strict": {"name": "strict", "description": "everything out", "default": True},
        "lenient": {"name": "lenient", "description": "only tanks out"},
    },
    "in_force": {"start": "2020-01-02T00:00:00+00:00", "article": "art. 1"},
    "clauses": [
        {
            "id": "withdraw",
            "type": "withdrawal",
            "title": "Red withdraws",
            "article": "art. 2",
            "parties": ["red"],
            "forces": "all",
            "zone": "zone",
            "deadline": "2020-01-05T00:00:00+00:00",
            "readings": {"lenient": {"forces": ["heavy"]}},
        },
        {
            "id": "no-shelling",
            "type": "prohibition",
            "title": "Nobody shells",
            "article": "art. 3",
            "parties": ["everyone"],
            "incidents": ["shelling"],
        },
    ],
}


def _polygon(ring: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [ring]}


def write_rulebook(tmp_path: Path, book: dict[str, Any], zones: dict[str, Any] | None = None) -> Path:
    for name, geometry in (zones or {"zone.geojson": _polygon(SQUARE)}).items():
        (tmp_path / name).write_text(json.dumps(geometry), encoding="utf-8")
    path = tmp_path / "book.yaml"
    path.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    """The 1-based line whose key (or list item) is exactly ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip().split(":")[0] == text.rstrip(":"):
            return number
    raise AssertionError(f"{text!r} not in {path}")


def test_clean_rulebook_has_no_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_rulebook(tmp_path, BASE)
    assert lint_rulebook(path) == []
    assert main(["check", str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_unused_ids_are_reported_at_their_lines(tmp_path: Path) -> None:
    book = copy.deepcopy(BASE)
    book["parties"]["green"] = {"name": "Green"}
    book["incident_kinds"]["sniping"] = {"name": "sniping"}
    book["classes"]["medium"] = {"name": "medium weapons"}
    path = write_rulebook(tmp_path, book)
    found = {(x.code, x.problem.path, x.problem.line) for x in lint_rulebook(path)}
    assert found == {
        ("unused-id", "parties.green", line_of(path, "green:")),
        ("unused-id", "incident_kinds.sniping", line_of(path, "sniping:")),
        ("unused-id", "classes.medium", line_of(path, "medium:")),
    }


def test_kind_no_clause_counts(tmp_path: Path) -> None:
    book = copy.deepcopy(BASE)
    book["clauses"][0]["forces"] = ["heavy"]
    path = write_rulebook(tmp_path, book)
    found = [x for x in lint_rulebook(path) if x.code == "uncovered-kind"]
    assert [(x.problem.path, x.problem.line) for x in found] == [("kinds.fighters", line_of(path, "fighters:"))]


def test_clause_that_never_applies(tmp_path: Path) -> None:
    book = copy.deepcopy(BASE)
    book["clauses"][1]["readings"] = {"strict": {"applies": False}, "lenient": {"applies": False}}
    book["classes"]["empty"] = {"name": "a class no kind is in"}
    book["clauses"][0]["readings"]["lenient"]["forces"] = ["empty"]
    path = write_rulebook(tmp_path, book)
    found = [x for x in lint_rulebook(path) if x.code == "never-applies"]
    assert {x.problem.path for x in found} == {"clauses[1]", "clauses[0].readings.lenient.forces"}
    assert all(x.severity == "error" for x in found)
    assert main(["check", str(path)]) == 1


def test_deadline_before_start_is_a_warning(tmp_path: Path) -> None:
    book = copy.deepcopy(BASE)
    book["clauses"][0]["deadline"] = "2019-12-01T00:00:00+00:00"
    path = write_rulebook(tmp_path, book)
    found = lint_rulebook(path)
    assert [(x.code, x.severity, x.problem.line) for x in found] == [
        ("deadline-before-start", "warning", line_of(path, "deadline:"))
    ]
    assert main(["check", str(path)]) == 0
    assert main(["check", "--strict", str(path)]) == 1


def _with_east_clause(tmp_path: Path, clause: dict[str, Any]) -> Path:
    """BASE plus a zone overlapping the east half of its zone, and a clause there, written to ``tmp_path``."""
    book = copy.deepcopy(BASE)
    book["zones"]["east"] = {"name": "the east", "geojson": "east.geojson"}
    fields = {"id": clause["id"], "title": "Red in the east", "article": "art. 4", "parties": ["red"], "zone": "east"}
    book["clauses"].append({**fields, **clause})
    return write_rulebook(tmp_path, book, {"zone.geojson": _polygon(SQUARE), "east.geojson": _polygon(EAST_HALF)})


def test_overlapping_zones_with_the_same_limit_agree(tmp_path: Path) -> None:
    path = _with_east_clause(tmp_path, {"id": "out-east", "type": "withdrawal", "forces": "all"})
    assert lint_rulebook(path) == []


def test_overlapping_zones_with_different_limits_contradict(tmp_path: Path) -> None:
    path = _with_east_clause(tmp_path, {"id": "cap-east", "type": "cap", "forces": "all", "max": 5})
    found = [x for x in lint_rulebook(path) if x.code == "contradictory-zones"]
    assert len(found) == 1
    assert "'zone' and 'east' overlap" in found[0].problem.message
    assert "at most 0" in found[0].problem.message and "at most 5" in found[0].problem.message
    assert found[0].problem.path == "clauses[2]"
    assert found[0].problem.line == path.read_text(encoding="utf-8").splitlines().index("- id: cap-east") + 1


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (_polygon([[36.0, 35.0], [37.0, 36.0], [37.0, 35.0], [36.0, 36.0], [36.0, 35.0]]), "invalid polygon"),
        ({"type": "FeatureCollection", "features": []}, "holds no geometry"),
    ],
    ids=["self-intersecting", "empty"],
)
def test_invalid_or_empty_geometry_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], geometry: dict[str, Any], message: str
) -> None:
    path = write_rulebook(tmp_path, BASE, {"zone.geojson": geometry})
    assert main(["check", str(path)]) == EXIT_BAD_INPUT
    out, err = capsys.readouterr()
    assert f"{path}:{line_of(path, 'geojson:')}: zones.zone.geojson" in out
    assert message in out
    assert err.startswith("truce: error:")


def test_undefined_id_is_reported_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = copy.deepcopy(BASE)
    book["clauses"][1]["incidents"] = ["shelling", "shellin"]
    path = write_rulebook(tmp_path, book)
    assert main(["check", str(path)]) == EXIT_BAD_INPUT
    out = capsys.readouterr().out
    assert f"{path}:{line_of(path, '- shellin')}: clauses[1].incidents[1]" in out
    assert "did you mean 'shelling'?" in out


def test_bundled_rulebooks_have_no_errors(capsys: pytest.CaptureFixture[str]) -> None:
    ids = [info.id for info in truce.list_rulebooks()]
    assert len(ids) >= 8
    assert main(["check", *ids]) == 0
    out, err = capsys.readouterr()
    assert [line for line in out.splitlines() if "[error:" in line] == []
    assert re.findall(r"^(\S+): (\d+) error\(s\)", err, re.MULTILINE) == [(rid, "0") for rid in ids]


def test_classes_whose_attribute_bounds_exclude_each_other_count_no_unit_twice() -> None:
    book = truce.load_rulebook("golan-1974")
    assert not _compatible(book, "short_range_artillery", "heavier_artillery")  # max 122 vs above 122
    assert not _compatible(book, "artillery_to_20km", "artillery_over_20km")
    assert _compatible(book, "short_range_artillery", "artillery_to_20km")  # calibre and range: both can hold
    assert _compatible(book, "artillery", "heavier_artillery")  # a kind has no bounds


def test_a_folder_is_every_rulebook_in_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = Path(__file__).resolve().parents[1] / "rules"
    assert main(["check", "--strict", str(rules)]) == 0
    said = "".join(capsys.readouterr().err.split())  # the terminal may wrap a long path anywhere, even inside a name
    checked = re.findall(r"(\S+?\.yaml):0error\(s\),0warning\(s\)", said)
    assert [Path(c).stem for c in checked] == sorted(i.id for i in truce.list_rulebooks())
    shutil.copytree(rules / "zones", tmp_path / "zones")
    shutil.copy(rules / "nes-2019.yaml", tmp_path / "a-good.yaml")
    (tmp_path / "b-bad.yaml").write_text("id: x\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a rulebook", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == EXIT_BAD_INPUT  # the worst of them
    captured = capsys.readouterr()
    assert "a-good.yaml:0error(s)" in "".join(captured.err.split()) and "b-bad.yaml" in "".join(captured.out.split())
    assert "notes.txt" not in captured.out + captured.err and "zones" not in captured.out


def _objector(book: dict[str, Any]) -> None:
    book["parties"]["tr"] = {"name": "Turkey"}
    next(c for c in book["clauses"] if c["type"] == "mandate")["objectors"].append("tr")


@pytest.mark.parametrize(("rid", "edit"), [("karabakh-2020", _objector), ("moscow-2020", add_inspected_zone)], ids=["objector", "zone"])
def test_a_party_only_a_mandate_lets_object_or_a_zone_only_an_inspection_names_is_used(tmp_path: Path, rid: str, edit: Any) -> None:
    assert [x.problem.path for x in lint_rulebook(copy_rulebook(tmp_path, rid, edit)) if x.code == "unused-id"] == []


@pytest.mark.parametrize(("rid", "section", "item", "what"), [
    ("sochi-2018", "roads", "m99-nowhere", "road"),
    ("sochi-2018", "posts", "op-13", "post"),
    ("karabakh-2020", "areas", "shusha", "area"),
])
def test_a_road_post_or_area_no_clause_names_is_an_unused_id(tmp_path: Path, rid: str, section: str, item: str, what: str) -> None:
    def edit(book: dict[str, Any]) -> None:
        book[section][item] = {"name": f"{what} {item}"}

    path = copy_rulebook(tmp_path, rid, edit)
    found = [x for x in lint_rulebook(path) if x.code == "unused-id"]
    assert [(x.severity, x.problem.path, x.problem.message, x.problem.value) for x in found] == [
        ("warning", f"{section}.{item}", f"no clause names this {what}: records of it never count", item)
    ]
    assert found[0].problem.line == line_of(path, f"{item}:")
