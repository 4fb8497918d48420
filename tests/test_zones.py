"""The illustrative Idlib zones hold the places the brief says they hold, and no others."""

from __future__ import annotations

import pytest
import shapely

import places
import truce

INSIDE_BUFFER = ["KHAN_SHAYKHUN", "MOREK", "KAFR_ZITA", "AL_LATAMINA", "QALAAT_AL_MADIQ"]
OUTSIDE_BOTH = ["HAMA", "ALEPPO", "LATAKIA"]
INTERIOR = ["IDLIB_CITY", "KAFR_NABL", "MAARAT_AL_NUMAN", "ARIHA", "SARAQIB", "JISR_AL_SHUGHUR"]


def _contains(book: truce.Rulebook, zone: str, place: str) -> bool:
    point = getattr(places, place)
    return bool(shapely.contains_xy(book.geometry(zone), point["lon"], point["lat"]))


@pytest.mark.parametrize("rulebook", ["idlib-2019", "sochi-2018"])
def test_zones_are_marked_illustrative(rulebook: str) -> None:
    book = truce.load_rulebook(rulebook)
    assert all(zone.illustrative for zone in book.zones.values())


@pytest.mark.parametrize("place", INSIDE_BUFFER)
def test_buffer_holds_the_towns_inside_the_sochi_zone(idlib: truce.Rulebook, place: str) -> None:
    assert _contains(idlib, "buffer", place)
    assert _contains(idlib, "deescalation", place)


@pytest.mark.parametrize("place", ["IDLIB_CITY", *OUTSIDE_BOTH])
def test_buffer_excludes_the_interior_and_government_cities(idlib: truce.Rulebook, place: str) -> None:
    assert not _contains(idlib, "buffer", place)


@pytest.mark.parametrize("place", INTERIOR)
def test_deescalation_area_holds_the_interior(idlib: truce.Rulebook, place: str) -> None:
    assert _contains(idlib, "deescalation", place)


@pytest.mark.parametrize("place", OUTSIDE_BOTH)
def test_deescalation_area_excludes_government_held_cities(idlib: truce.Rulebook, place: str) -> None:
    assert not _contains(idlib, "deescalation", place)


def test_buffer_lies_within_the_deescalation_area(idlib: truce.Rulebook) -> None:
    assert idlib.geometry("deescalation").covers(idlib.geometry("buffer"))
