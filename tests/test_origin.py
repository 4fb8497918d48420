"""Where an act landed versus where it was launched: ``origin``, ``range_km`` and a prohibition's ``acts``.

The truth tables are the issue's definitions (within = launched and landed in the zone, from =
launched in it, into = landed in it from outside, against = landed in it), in Kleene's
three-valued logic, written out here rather than taken from the implementation. Several acts
count if any does, however the unknown facts turn out (so exactly, where Kleene's OR is not).
"""

from __future__ import annotations

import itertools
import math
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from pyproj import Geod

import truce
from truce._geo import Area
from truce._items import UNKNOWN, Items
from truce._load import bundled_rules_dir
from truce.strategies import scenarios

AS_OF = "2020-01-02T00:00:00+00:00"
WHEN = "2020-01-01T12:00:00+00:00"
ACTS = ("within", "from", "into", "against")

# The test zone is the square 10..11 E, 0..1 N. A place is T (in it), F (far out of it) or U
# (on its edge, 5 km either way).
PLACES: dict[str, dict[str, float]] = {
    "T": {"lat": 0.5, "lon": 10.5},
    "F": {"lat": 0.5, "lon": 20.0},
    "U": {"lat": 0.5, "lon": 11.0, "uncertainty_km": 5.0},
}
STATUS = {"T": "violated", "F": "met", "U": "unknown"}
TABLE = {  # by (launched, landed) in the order TT TF TU FT FF FU UT UF UU
    "within": "TFUFFFUFU",
    "from": "TTTFFFUUU",
    "into": "FFFTFUUFU",
    "against": "TFUTFUTFU",
}
PAIRS = [a + b for a in "TFU" for b in "TFU"]


def _exact(acts: tuple[str, ...], pair: str) -> str:
    """T if the acts hold in every way the unknown facts (U) may turn out, F if in none, else U."""
    meaning = {
        "within": lambda launched, landed: launched and landed,
        "from": lambda launched, landed: launched,
        "into": lambda launched, landed: landed and not launched,
        "against": lambda launched, landed: landed,
    }
    ways = {"T": [True], "F": [False], "U": [True, False]}
    outcomes = {any(meaning[a](o, l) for a in acts) for o in ways[pair[0]] for l in ways[pair[1]]}  # noqa: E741
    return "U" if len(outcomes) == 2 else "T" if outcomes == {True} else "F"


def _rulebook(folder: Path, clause: str, kinds: str = "  shelling: {name: shelling, range_km: 30}\n") -> Path:
    """A small rulebook with the square zone, one party, the incident kinds given, and one clause."""
    folder.mkdir(parents=True, exist_ok=True)
    square = {"type": "Polygon", "coordinates": [[[10, 0], [11, 0], [11, 1], [10, 1], [10, 0]]]}
    (folder / "square.geojson").write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": '
        + str(square).replace("'", '"') + "}]}",
        encoding="utf-8",
    )
    path = folder / "book.yaml"
    path.write_text(
        "id: test-book\ntitle: Test\ndate: 2020-01-01\nsummary: A test.\nsources: [{title: none}]\n"
        "parties: {a: {name: Party A}}\nkinds: {troops: {name: troops}}\n"
        f"incident_kinds:\n{kinds}"
        "zones: {square: {name: square zone, geojson: square.geojson}}\n"
        "readings: {text: {name: text, description: The text.}, wide: {name: wide, description: Wider.}}\n"
        "in_force: {start: 2020-01-01T00:00:00+00:00, article: Art. 1}\n"
        f"clauses:\n{clause}",
        encoding="utf-8",
    )
    return path


def _clause(acts: tuple[str, ...] | None, extra: str = "") -> str:
    said = f"    acts: [{', '.join(acts)}]\n" if acts is not None else ""
    return (
        "  - id: no-acts\n    type: prohibition\n    title: No shelling\n    article: Art. 2\n"
        f"    parties: [a]\n    incidents: [shelling]\n    zone: square\n{said}{extra}"
    )


def _incident(**place: Any) -> dict[str, Any]:
    return {"id": "i", "time": WHEN, "kind": "shelling", "by": "a", **place}


def _verdict(book: Path, incident: dict[str, Any], reading: str = "text") -> truce.Verdict:
    return truce.evaluate({"as_of": AS_OF, "incidents": [incident]}, rules=book, reading=reading)


def _placed(launched: str, landed: str) -> dict[str, Any]:
    """An incident launched at one test place and landed at another (each with its own uncertainty)."""
    origin, target = dict(PLACES[launched]), dict(PLACES[landed])
    radius = target.pop("uncertainty_km", None)
    return _incident(origin=origin, position=target, **({"uncertainty_km": radius} if radius else {}))


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, ...], Path]:
    root = tmp_path_factory.mktemp("acts")
    forms = [(act,) for act in ACTS] + [("within", "from", "against"), ("from", "into"), ("within", "into")]
    return {acts: _rulebook(root / "-".join(acts), _clause(acts)) for acts in forms}


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("pair", PAIRS)
def test_each_act_follows_its_three_valued_truth_table(books: dict[tuple[str, ...], Path], act: str, pair: str) -> None:
    expected = TABLE[act][PAIRS.index(pair)]
    assert expected == _exact((act,), pair)  # one act: Kleene's table is the exact one
    verdict = _verdict(books[(act,)], _placed(pair[0], pair[1]))
    assert verdict.finding("no-acts").status == STATUS[expected], (act, pair)


@pytest.mark.parametrize("acts", [("within", "from", "against"), ("from", "into"), ("within", "into")])
@pytest.mark.parametrize("pair", PAIRS)
def test_several_acts_count_if_any_does(books: dict[tuple[str, ...], Path], acts: tuple[str, ...], pair: str) -> None:
    expected = _exact(acts, pair)
    assert _verdict(books[acts], _placed(pair[0], pair[1])).finding("no-acts").status == STATUS[expected]


def test_without_acts_a_prohibition_counts_where_an_act_landed_as_before(books: dict[tuple[str, ...], Path], tmp_path: Path) -> None:
    plain = _rulebook(tmp_path / "plain", _clause(None))
    for pair in PAIRS:
        incident = _placed(pair[0], pair[1])
        assert _verdict(plain, incident).findings == _verdict(books[("against",)], incident).findings


def test_the_unknown_fact_that_decides_is_the_one_reported_missing(books: dict[tuple[str, ...], Path]) -> None:
    near = {"lat": 0.5, "lon": 11.1}  # 11 km east of the zone, within the 30 km a shell carries
    missing = _verdict(books[("from",)], _incident(position=near)).missing
    assert "the origin of incident i (shelling)" in missing
    assert not any("position" in m for m in missing)
    assert _verdict(books[("against",)], _incident()).missing == ["the position of incident i (shelling)"]
    both = _verdict(books[("within",)], _placed("U", "U")).missing
    assert {"the origin of incident i (shelling)", "the position of incident i (shelling)"} <= set(both)
    # launched far out of the zone: landing decides "into" alone
    into = _verdict(books[("into",)], _placed("F", "U")).missing
    assert into == ["the position of incident i (shelling)"]


@pytest.mark.parametrize("acts", [c for n in range(1, 5) for c in itertools.combinations(ACTS, n)])
def test_an_unknown_place_always_names_a_missing_fact(tmp_path: Path, acts: tuple[str, ...]) -> None:
    book = _rulebook(tmp_path, _clause(acts))
    for pair in PAIRS:
        verdict = _verdict(book, _placed(pair[0], pair[1]))
        if verdict.finding("no-acts").status == "unknown":
            assert verdict.missing and not any("time" in m for m in verdict.missing), (acts, pair, verdict.missing)


def test_a_reading_may_count_other_acts(tmp_path: Path) -> None:
    book = _rulebook(tmp_path, _clause(None, "    readings:\n      wide:\n        acts: [from, against]\n"))
    fired_out = _placed("T", "F")
    assert _verdict(book, fired_out).finding("no-acts").status == "met"
    assert _verdict(book, fired_out, reading="wide").finding("no-acts").status == "violated"


def test_the_wording_names_the_acts(books: dict[tuple[str, ...], Path]) -> None:
    verdict = _verdict(books[("within", "from", "against")], _placed("T", "F"))
    assert "forbidden act within, from or against the square zone" in verdict.finding("no-acts").message
    assert " in the square zone" in _verdict(books[("against",)], _placed("T", "T")).finding("no-acts").message


# -- where an incident without an origin may have come from --------------------------------------


def _from(tmp_path: Path, range_km: float) -> Path:
    return _rulebook(tmp_path / f"r{range_km}", _clause(("from",)), f"  shelling: {{name: shelling, range_km: {range_km}}}\n")


def _km_east(km: float) -> dict[str, float]:
    """A point ``km`` east of the zone's eastern edge, on the equator's side of it."""
    return {"lat": 0.5, "lon": 11 + km / 111.32}


@pytest.mark.parametrize(
    ("range_km", "landed", "uncertainty", "status"),
    [
        (20, 25, None, "met"),  # out of range: it cannot have come from the zone
        (20, 15, None, "unknown"),  # within range of the zone
        (20, 25, 10.0, "unknown"),  # the position's own uncertainty widens the range
        (0, 1, None, "met"),  # range 0: launched where it landed, out of the zone
        (0, -1, None, "violated"),  # range 0: launched where it landed, in the zone
        (20, -40, None, "violated"),  # landed deep inside, so launched inside whatever the range
    ],
)
def test_a_range_bounds_where_an_incident_without_an_origin_came_from(
    tmp_path: Path, range_km: float, landed: float, uncertainty: float | None, status: str
) -> None:
    incident = _incident(position=_km_east(landed), **({"uncertainty_km": uncertainty} if uncertainty else {}))
    assert _verdict(_from(tmp_path, range_km), incident).finding("no-acts").status == status


@pytest.mark.parametrize(
    ("origin_km", "uncertainty", "status"),
    [
        (10, None, "met"),  # launched 10 km out, exactly: the kind's 20 km range does not widen a given origin
        (-10, None, "violated"),
        (10, 15.0, "unknown"),  # the origin's own uncertainty does
        (25, 15.0, "met"),
    ],
)
def test_a_given_origin_is_placed_within_its_own_uncertainty_not_the_kinds_range(
    tmp_path: Path, origin_km: float, uncertainty: float | None, status: str
) -> None:
    origin = {**_km_east(origin_km), **({"uncertainty_km": uncertainty} if uncertainty else {})}
    incident = _incident(position=_km_east(100), origin=origin)
    assert _verdict(_from(tmp_path, 20), incident).finding("no-acts").status == status


def test_an_incident_placed_by_zone_or_not_at_all(tmp_path: Path) -> None:
    """With range 0 a named zone places the origin as it places the landing; else nothing does."""
    assert _verdict(_from(tmp_path, 0), _incident(zone="square")).finding("no-acts").status == "violated"
    assert _verdict(_from(tmp_path, 30), _incident(zone="square")).finding("no-acts").status == "unknown"
    assert _verdict(_from(tmp_path, 0), _incident()).finding("no-acts").status == "unknown"
    assert _verdict(_from(tmp_path, 30), _incident()).finding("no-acts").status == "unknown"
    given = _incident(origin={"lat": 0.5, "lon": 10.5})
    assert _verdict(_from(tmp_path, 30), given).finding("no-acts").status == "violated"


class _Book:
    """Just what ``Items`` asks of a rulebook to place points in one zone."""

    def __init__(self, zone: shapely.Polygon) -> None:
        self.zone, self.incident_kinds = zone, {}

    def area(self, zone: str) -> Area:
        return Area(self.zone)

    def geometry(self, zone: str) -> shapely.Polygon:
        return self.zone


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.floats(-85, 85), st.floats(-170, 170), st.floats(0.5, 3000), st.floats(0, 360), st.floats(0, 0.999)
)
def test_the_degree_radius_errs_on_the_side_of_unknown(lat: float, lon: float, radius: float, bearing: float, share: float) -> None:
    """A point within ``radius`` km on the ground of the zone's edge is never decided: a tiny zone is
    set just beyond a point of the true circle, and the circle's centre must be UNKNOWN."""
    end_lon, end_lat, _ = Geod(ellps="WGS84").fwd(lon, lat, bearing, radius * share * 1000)
    step_lon, step_lat = math.copysign(1e-5, end_lon - lon), math.copysign(1e-5, end_lat - lat)
    corner = (end_lon, end_lat)
    zone = shapely.box(*sorted((corner[0], corner[0] + step_lon)), *sorted((corner[1], corner[1] + step_lat)))
    if zone.covers(shapely.Point(lon, lat)) or abs(end_lon - lon) > 180:
        return
    items = Items.from_columns(
        _Book(zone),  # type: ignore[arg-type]
        ids=np.array(["i"], dtype=object), actors=np.array(["a"], dtype=object), kinds=np.array(["k"], dtype=object),
        weights=np.ones(1, dtype=np.int64), lon=np.array([lon]), lat=np.array([lat]), radius_km=np.array([radius]),
        named_zone=np.array([""], dtype=object), start=np.zeros(1), stop=np.zeros(1),
        offsets=np.zeros((1, 2), dtype=np.int32), attributes={},
    )
    assert items.in_zone("z")[0] == UNKNOWN


# -- rulebooks that misuse the form ----------------------------------------------------------------


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_acts_from_a_zone_without_a_range_is_a_located_error_with_the_fix(tmp_path: Path) -> None:
    book = _rulebook(tmp_path, _clause(("within", "from", "against")), "  shelling: {name: shelling}\n")
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(book)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.path) == (str(book), _line(book, "acts:"), "clauses[0].acts")
    assert "'shelling'" in problem.message and "range_km" in problem.message
    assert problem.suggestion is not None and problem.suggestion.startswith("declare incident_kinds.shelling.range_km")


def test_a_reading_that_turns_on_the_origin_needs_ranges_too(tmp_path: Path) -> None:
    rangeless = "  shelling: {name: shelling}\n  clash: {name: clashes, range_km: 0}\n"
    by_acts = _clause(None, "    readings:\n      wide:\n        acts: [within, against]\n")
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(_rulebook(tmp_path / "a", by_acts, rangeless))
    assert [p.path for p in caught.value.problems] == ["clauses[0].readings.wide.acts"]
    by_kinds = _clause(("from",), "    readings:\n      wide:\n        incidents: [clash, shelling]\n").replace(
        "incidents: [shelling]", "incidents: [clash]", 1
    )
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(_rulebook(tmp_path / "b", by_kinds, rangeless))
    assert [(p.path, p.value) for p in caught.value.problems] == [("clauses[0].acts", "shelling")]
    only_against = _clause(("against",), "    readings:\n      wide:\n        incidents: [clash, shelling]\n")
    assert truce.load_rulebook(_rulebook(tmp_path / "c", only_against, rangeless)).id == "test-book"


def test_korea_without_the_range_of_shelling_does_not_load(tmp_path: Path) -> None:
    source = bundled_rules_dir() / "korea-1953.yaml"
    text = source.read_text(encoding="utf-8")
    assert "    range_km: 25\n" in text
    shutil.copytree(bundled_rules_dir() / "zones", tmp_path / "zones")
    target = tmp_path / source.name
    target.write_text(text.replace("    range_km: 25\n", ""), encoding="utf-8")
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(target)
    [problem] = caught.value.problems
    assert problem.path.endswith(".acts") and problem.line == _line(target, "acts: [within, from, against]")
    assert "incident_kinds.shelling.range_km" in (problem.suggestion or "")


@pytest.mark.parametrize(
    ("clause", "message"),
    [
        (_clause(("from",)).replace("    zone: square\n", ""), "'acts' say how an act stands to a zone"),
        (_clause(None, "    readings:\n      wide:\n        acts: [from]\n").replace("    zone: square\n", ""), "reading 'wide'"),
        (_clause(("from", "from")), "name each act once"),
        (_clause(("towards",)), "'within', 'from', 'into' or 'against'"),
        (_clause(None, "    acts: []\n"), "at least 1 item"),
        (_clause(None, "    acts: from\n"), "valid list"),
    ],
)
def test_malformed_acts_are_errors(tmp_path: Path, clause: str, message: str) -> None:
    with pytest.raises(truce.RulebookError, match=re.escape(message)):
        truce.load_rulebook(_rulebook(tmp_path, clause))


@pytest.mark.parametrize("value", ["yes", "'30'", "-1", "20001", ".inf"])
def test_a_range_is_a_number_of_kilometres(tmp_path: Path, value: str) -> None:
    with pytest.raises(truce.RulebookError) as caught:
        truce.load_rulebook(_rulebook(tmp_path, _clause(("from",)), f"  shelling: {{name: shelling, range_km: {value}}}\n"))
    assert "incident_kinds.shelling.range_km" in [p.path for p in caught.value.problems]


# -- generated states, both engines, and the timeline ---------------------------------------------


def test_generated_incidents_sometimes_give_an_origin_near_the_zone() -> None:
    book = truce.load_rulebook("korea-1953")
    dmz = book.geometry("dmz")

    def near(state: dict[str, Any]) -> bool:
        return any(
            "origin" in i and dmz.distance(shapely.Point(i["origin"]["lon"], i["origin"]["lat"])) < 0.1 and "uncertainty_km" in i["origin"]
            for i in state["incidents"]
        )

    no_shrinking = (Phase.explicit, Phase.reuse, Phase.generate)  # one example found is the answer; a smaller one is not
    found = find(scenarios(book), near, settings=settings(database=None, max_examples=2000, phases=no_shrinking))
    assert any("origin" in i for i in found["incidents"])


def test_a_timeline_keeps_the_origin_of_incidents_given_as_columns(tmp_path: Path) -> None:
    book = _from(tmp_path, 30)
    columns = truce.Columns(
        incidents={"id": ["i"], "time": [WHEN], "kind": ["shelling"], "by": ["a"], "lat": [0.5], "lon": [20.0],
                   "origin_lat": [0.5], "origin_lon": [10.5], "origin_uncertainty_km": [2.0]},
        as_of=AS_OF,
    )
    line = truce.timeline(columns, rules=book)
    assert line.intervals[-1].findings["no-acts"] == "violated"
    [incident] = line.incidents
    assert incident.origin is not None and (incident.origin.lat, incident.origin.lon, incident.origin.uncertainty_km) == (0.5, 10.5, 2.0)
