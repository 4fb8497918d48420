"""The agreement library: every bundled rulebook loads and is listed; the language's new
terms (bands, unions, attribute classes, caps, handovers, relative deadlines) are validated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import truce
from bookcopy import copy_rulebook

AGREEMENTS = ["golan-1974", "karabakh-2020", "korea-1953", "minsk-2015", "moscow-2020", "nes-2019"]


def test_every_agreement_is_listed_with_title_date_and_source() -> None:
    listed = {info.id: info for info in truce.list_rulebooks()}
    for rid in AGREEMENTS:
        info = listed[rid]
        book = truce.load_rulebook(rid)
        assert (info.title, info.date, info.source) == (book.title, book.date.isoformat(), book.sources[0].title)
        assert all(clause.article for clause in book.clauses)


def test_every_agreement_has_five_examples() -> None:
    examples = Path(__file__).resolve().parents[1] / "examples"
    for rid in AGREEMENTS:
        assert len(list((examples / rid).glob("*.yaml"))) >= 5, rid


def test_relative_deadlines_count_from_the_start() -> None:
    korea = truce.load_rulebook("korea-1953")
    clause = next(c for c in korea.clauses if c.id == "forces-leave-dmz")
    assert korea.deadline(clause) == dt.datetime(1953, 7, 30, 22, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    minsk = truce.load_rulebook("minsk-2015")
    clause = next(c for c in minsk.clauses if c.id == "ua-artillery-25km")
    assert minsk.deadline(clause) == dt.datetime(2015, 3, 1, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def test_a_reading_can_move_a_deadline() -> None:
    book = truce.load_rulebook("karabakh-2020")
    clause = next(c for c in book.clauses if c.id == "kalbajar-returned")
    moved = clause.under("extended")
    assert moved is not None
    assert book.deadline(moved) - book.deadline(clause) == dt.timedelta(days=10)


def test_per_party_cap_names_every_party_over_it(tmp_path: Path) -> None:
    def joint_cap(data: dict[str, Any]) -> None:
        data["clauses"].append({
            "id": "tanks-cap", "type": "cap", "title": "At most 75 tanks in each side's 10 km zone",
            "article": "Protocol, para. 2", "parties": ["il", "sy"], "forces": ["tank"], "zone": "first-zones",
            "per": "party", "max": 75,
        })

    book = truce.load_rulebook(copy_rulebook(tmp_path, "golan-1974", joint_cap))
    state: dict[str, Any] = {
        "as_of": "1974-07-01T12:00:00+02:00",
        "units": [
            {"id": "il", "party": "il", "kind": "tank", "count": 80, "position": {"lat": 33.044339, "lon": 35.754397}},
            {"id": "sy", "party": "sy", "kind": "tank", "count": 76, "position": {"lat": 33.055639, "lon": 35.910618}},
        ],
    }
    verdict = truce.evaluate(state, rules=book)
    assert verdict.finding("tanks-cap").status == "violated"
    assert verdict.responsible == ["il", "sy"]
    assert verdict.finding("tanks-cap").evidence == ["il", "sy"]
    assert verdict.finding("tanks-cap").message.endswith(
        "up to 10 km from the lines for each party): Israel Defense Forces (il), Syrian Arab Army (sy) each count more, "
        "the most 80 (units il, sy)."
    )
    state["units"][1]["count"] = 75
    one = truce.evaluate(state, rules=book)
    assert one.responsible == ["il"]
    assert one.finding("tanks-cap").message.endswith("for each party): Israel Defense Forces (il) counts 80 (units il).")
    state["units"][0]["count"] = 70
    within = truce.evaluate(state, rules=book).finding("tanks-cap")
    assert (within.status, within.message.endswith("for each party): the most counted is 75.")) == ("met", True)


def _problems(path: Path) -> dict[str, str]:
    with pytest.raises(truce.RulebookError) as info:
        truce.load_rulebook(path)
    return {p.path: f"{p.message} {p.suggestion or ''}" for p in info.value.problems}


def test_bad_band_and_zone_shapes_are_each_reported(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["zones"]["dmz"]["band"]["from_km"] = 3
        data["zones"]["north-of-line"]["geojson"] = "zones/korea-mdl.geojson"
        data["zones"]["south-of-line"]["beyond"]["side"] = "north"

    problems = _problems(copy_rulebook(tmp_path, "korea-1953", edit))
    assert "from_km must be less than to_km" in problems["zones.dmz.band"]
    assert "exactly one of 'geojson', 'band', 'beyond' or 'union'" in problems["zones.north-of-line"]
    assert "zones.south-of-line.beyond.side" in problems


def test_unknown_ids_in_the_new_terms_get_did_you_mean(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["classes"]["short_range_artillery"]["where"] = {"calibre": {"max": 122}}
        data["zones"]["first-zones"]["union"] = ["il-0-10", "sy-0-1"]

    problems = _problems(copy_rulebook(tmp_path, "golan-1974", edit))
    assert "did you mean 'calibre_mm'" in problems["classes.short_range_artillery.where.calibre"]
    assert "did you mean 'sy-0-10'" in problems["zones.first-zones.union[1]"]


def test_clause_fields_must_fit_its_type(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["clauses"][1]["area"]
        data["clauses"][4]["max"] = 10
        del data["clauses"][6]["max"]

    problems = _problems(copy_rulebook(tmp_path, "karabakh-2020", edit))
    assert "needs 'area'" in problems["clauses[1]"]
    assert "a withdrawal clause has no 'max'" in problems["clauses[4]"]
    assert "needs 'max'" in problems["clauses[6]"]


def test_a_line_file_must_hold_a_line(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["zones"]["border-30km"]["band"]["line"] = "zones/idlib-buffer.geojson"

    problems = _problems(copy_rulebook(tmp_path, "nes-2019", edit))
    assert "expected one LineString, found Polygon" in problems["zones.border-30km.band.line"]


def test_scenario_attributes_and_areas_are_checked() -> None:
    state = {
        "agreement": "karabakh-2020",
        "as_of": "2020-11-20T12:00:00+03:00",
        "units": [{"id": "u", "party": "ru", "kind": "apc", "attributes": {"calibre_mm": 14.5}}],
        "areas": [{"id": "kalbajr", "controlled_by": "arm"}],
    }
    with pytest.raises(truce.ScenarioError) as info:
        truce.evaluate(state)
    problems = {p.path: p for p in info.value.problems}
    assert set(problems) == {"units[0].attributes.calibre_mm", "areas[0].id", "areas[0].controlled_by"}
    assert problems["areas[0].id"].suggestion == "did you mean 'kalbajar'?"
    assert problems["areas[0].controlled_by"].value == "arm"


def test_forces_of_several_classes_count_a_unit_that_fits_any_of_them(tmp_path: Path) -> None:
    """Kleene OR over classes: a unit counts if it surely fits one, may count if it may fit one, and counts not if it
    fits none; each unit alone and all in one state give the same answer."""

    def edit(book: dict[str, Any]) -> None:
        cap = next(c for c in book["clauses"] if c["id"] == "il-short-artillery-cap")
        cap.update(forces=["short_range_artillery", "artillery_over_20km"], max=0)

    path = copy_rulebook(tmp_path, "golan-1974", edit)
    guns = {
        "short": {"calibre_mm": 100, "range_km": 10}, "long": {"calibre_mm": 150, "range_km": 25},
        "short-range-unknown": {"calibre_mm": 100}, "long-calibre-unknown": {"range_km": 25},  # one class surely fits
        "heavy-range-unknown": {"calibre_mm": 150}, "nothing-known": {},  # none surely fits, one may
        "neither": {"calibre_mm": 150, "range_km": 10},
    }  # fmt: skip
    units = [{"id": name, "party": "il", "kind": "artillery", "zone": "il-0-10", "attributes": a} for name, a in guns.items()]

    def counted(given: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
        verdict = truce.evaluate({"as_of": "1974-07-01T00:00:00+02:00", "units": given}, rules=path)
        finding = verdict.finding("il-short-artillery-cap")
        return sorted(finding.evidence), sorted(finding.unknown)

    assert counted(units)[0] == ["long", "long-calibre-unknown", "short", "short-range-unknown"]  # breached: the sure ones shown
    assert counted(units[4:]) == ([], ["heavy-range-unknown", "nothing-known"])
    alone = [counted([unit]) for unit in units]
    assert alone == [([u["id"]], []) for u in units[:4]] + [([], [u["id"]]) for u in units[4:6]] + [([], [])]


def test_a_class_of_several_bounds_takes_a_unit_that_meets_all_of_them(tmp_path: Path) -> None:
    """Kleene AND over a class's bounds: one bound surely failed rules a unit out, whatever the others' doubt."""

    def edit(book: dict[str, Any]) -> None:
        book["classes"]["short_range_artillery"]["where"] = {"calibre_mm": {"max": 122}, "range_km": {"max": 20}}
        cap = next(c for c in book["clauses"] if c["id"] == "il-short-artillery-cap")
        cap["max"] = 0

    path = copy_rulebook(tmp_path, "golan-1974", edit)
    guns = {
        "fits": ({"calibre_mm": 100, "range_km": 10}, "violated"),
        "range-unknown": ({"calibre_mm": 100}, "unknown"), "calibre-unknown": ({"range_km": 10}, "unknown"),
        "nothing-known": ({}, "unknown"),
        "too-heavy-range-unknown": ({"calibre_mm": 150}, "met"), "too-far-calibre-unknown": ({"range_km": 25}, "met"),
        "too-heavy": ({"calibre_mm": 150, "range_km": 10}, "met"), "both-fail": ({"calibre_mm": 150, "range_km": 25}, "met"),
    }  # fmt: skip
    for name, (attributes, status) in guns.items():
        unit = {"id": name, "party": "il", "kind": "artillery", "zone": "il-0-10", "attributes": attributes}
        verdict = truce.evaluate({"as_of": "1974-07-01T00:00:00+02:00", "units": [unit]}, rules=path)
        assert verdict.finding("il-short-artillery-cap").status == status, name
