"""Candidate perpetrators (``by: [a, b]``): a prohibition binding every candidate is violated, "one of" them;
one binding only some leaves the incident's party unknown; one binding none does not count it."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import truce
from truce._engines import available_engines

AS_OF = "2020-03-17T18:00:00+03:00"
IN_CORRIDOR = {"lat": 35.779158, "lon": 36.56973}  # 3 km south of the M4: in the moscow-2020 security corridor
IN_AREA = {"lat": 35.80, "lon": 36.60}  # in the de-escalation area


def _attack(by: Any, number: int = 1, kind: str = "attack_on_patrol", place: dict[str, float] = IN_CORRIDOR) -> dict[str, Any]:
    return {"id": f"inc-{number}", "time": "2020-03-17T11:00:00+03:00", "kind": kind, "by": by, "position": place}


def _state(*incidents: dict[str, Any]) -> dict[str, Any]:
    return {"agreement": "moscow-2020", "as_of": AS_OF, "incidents": list(incidents)}


def test_a_prohibition_binding_every_candidate_is_violated_by_one_of_them() -> None:
    verdict = truce.evaluate(_state(_attack(["sy-gov", "hts"])))
    finding = verdict.finding("patrols-unharmed")
    assert (verdict.status, verdict.responsible, verdict.responsible_one_of) == ("breached", [], [["hts", "sy-gov"]])
    assert (finding.status, finding.parties, finding.parties_one_of, finding.evidence) == ("violated", [], [["hts", "sy-gov"]], ["inc-1"])
    assert "by one of Hayat Tahrir al-Sham (hts), Syrian government and army (sy-gov): incidents inc-1." in finding.message
    assert "Responsible: one of: hts, sy-gov." in verdict.explain()


def test_a_prohibition_binding_only_some_candidates_leaves_the_finding_unknown() -> None:
    verdict = truce.evaluate(_state(_attack(["sy-gov", "ru"])))  # the patrols clause does not bind Russia
    finding = verdict.finding("patrols-unharmed")
    assert (verdict.status, verdict.responsible, verdict.responsible_one_of) == ("indeterminate", [], [])
    assert (finding.status, finding.parties_one_of, finding.unknown) == ("unknown", [], ["inc-1"])
    assert verdict.missing == ["which of ru, sy-gov carried out incident inc-1"]


def test_a_prohibition_binding_no_candidate_does_not_count_the_incident() -> None:
    verdict = truce.evaluate(_state(_attack(["ru", "tr"])))
    assert verdict.status == "holds"
    assert verdict.finding("patrols-unharmed").status == "met"


def test_a_group_among_candidates_is_bound_where_all_its_members_are() -> None:
    assert truce.evaluate(_state(_attack(["jihadists", "sy-gov"]))).finding("patrols-unharmed").status == "violated"
    assert truce.evaluate(_state(_attack(["jihadists", "ru"]))).finding("patrols-unharmed").status == "unknown"


def test_certain_responsibility_never_names_a_party_that_only_might_have_acted() -> None:
    """A certain breach decides the clause; the doubtful incident names no one, certainly or as "one of"."""
    verdict = truce.evaluate(_state(_attack("nfl"), _attack(["sy-gov", "ru"], 2)))
    assert (verdict.status, verdict.responsible, verdict.responsible_one_of) == ("breached", ["nfl"], [])
    assert verdict.finding("patrols-unharmed").evidence == ["inc-1"]


def test_a_candidate_group_stays_listed_beside_a_member_certainly_responsible_for_another_act() -> None:
    verdict = truce.evaluate(_state(_attack("sy-gov"), _attack(["hts", "nfl"], 2), _attack(["sy-gov", "hts"], 3)))
    assert verdict.responsible == ["sy-gov"]
    assert verdict.responsible_one_of == [["hts", "nfl"], ["hts", "sy-gov"]]
    assert "Responsible: sy-gov; one of: hts, nfl; one of: hts, sy-gov." in verdict.explain()
    finding = verdict.finding("patrols-unharmed")
    assert (finding.parties, finding.parties_one_of) == (["sy-gov"], [["hts", "nfl"], ["hts", "sy-gov"]])


def test_the_same_candidates_in_any_order_are_one_group() -> None:
    verdict = truce.evaluate(_state(_attack(["sy-gov", "hts"]), _attack(["hts", "sy-gov"], 2)))
    assert verdict.responsible_one_of == [["hts", "sy-gov"]]


def test_the_json_carries_the_candidate_groups() -> None:
    data = json.loads(truce.evaluate(_state(_attack("nfl"), _attack(["sy-gov", "hts"], 2))).model_dump_json())
    assert (data["responsible"], data["responsible_one_of"]) == (["nfl"], [["hts", "sy-gov"]])
    finding = next(f for f in data["findings"] if f["clause"] == "patrols-unharmed")
    assert (finding["parties"], finding["parties_one_of"]) == (["nfl"], [["hts", "sy-gov"]])
    assert all(f["parties_one_of"] == [] for f in data["findings"] if f["clause"] != "patrols-unharmed")


@pytest.mark.skipif("durable" not in available_engines(), reason="durable_rules does not import here")
@pytest.mark.parametrize("by", [["sy-gov", "hts"], ["sy-gov", "ru"], ["ru", "tr"], ["jihadists", "ru", "tr"]])
def test_both_engines_agree_on_candidates(by: list[str]) -> None:
    state = _state(_attack(by), _attack(by, 2, "air_strike", IN_AREA))
    same = {"provenance": {"engine"}}  # each names its engine
    durable, python = (truce.evaluate(state, engine=engine).model_dump_json(exclude=same) for engine in ("durable", "python"))
    assert durable == python


@pytest.mark.parametrize(
    ("by", "message"),
    [
        (["hts"], "a list of candidates names 2 or more; give a single id as text"),
        ([], "a list of candidates names 2 or more; give a single id as text"),
        (["hts", "hts"], "name each candidate once"),
        (["hts", 7], "expected candidates as texts of 1 to 200 characters"),
        (7, "expected a party or group id, or a list of candidates, not int"),
        ("", "expected a text of 1 to 200 characters"),
    ],
)
def test_a_bad_list_of_candidates_is_one_problem_at_by_in_both_forms(by: Any, message: str) -> None:
    with pytest.raises(truce.ScenarioError) as rows:
        truce.evaluate(_state(_attack(by)))
    with pytest.raises(truce.ScenarioError) as columns:
        truce.Columns(incidents=_columns([by]), agreement="moscow-2020", as_of=AS_OF)
    for caught in (rows, columns):
        assert [(p.path, p.message) for p in caught.value.problems] == [("incidents[0].by", message)]


def test_an_unknown_candidate_is_named_in_both_forms() -> None:
    with pytest.raises(truce.ScenarioError) as rows:
        truce.evaluate(_state(_attack(["hts", "sy-gvo"])))
    with pytest.raises(truce.ScenarioError) as columns:
        truce.evaluate(truce.Columns(incidents=_columns([("hts", "sy-gvo")]), agreement="moscow-2020", as_of=AS_OF))
    for caught in (rows, columns):
        [problem] = caught.value.problems
        assert (problem.path, problem.value) == ("incidents[0].by", "sy-gvo")
        assert "sy-gov" in str(problem.suggestion)


def _columns(by: list[Any]) -> dict[str, Any]:
    size = len(by)
    return {"id": [f"inc-{n}" for n in range(size)], "time": ["2020-03-17T11:00:00+03:00"] * size, "kind": ["attack_on_patrol"] * size,
            "by": by, "lat": [IN_CORRIDOR["lat"]] * size, "lon": [IN_CORRIDOR["lon"]] * size}


def test_a_by_column_takes_ids_none_nan_lists_and_tuples() -> None:
    by = ["nfl", None, np.nan, ["sy-gov", "hts"], ("ru", "sy-gov"), np.array(["tr", "ru"], dtype=object)]
    columns = truce.evaluate(truce.Columns(incidents=_columns(by), agreement="moscow-2020", as_of=AS_OF))
    rows = [{**_attack(b if not isinstance(b, float | np.ndarray) else (None if isinstance(b, float) else b.tolist()), n)}
            for n, b in enumerate(by)]
    for n, row in enumerate(rows):
        row["id"] = f"inc-{n}"
    same = {"provenance": {"input"}}  # each form hashes its own input
    assert columns.model_dump_json(exclude=same) == truce.evaluate(_state(*rows)).model_dump_json(exclude=same)
    assert (columns.responsible, columns.responsible_one_of) == (["nfl"], [["hts", "sy-gov"]])


def test_a_timeline_names_candidates_from_the_moment_they_count() -> None:
    line = truce.timeline(_state(_attack(["sy-gov", "hts"])))
    last = line.intervals[-1]
    assert (last.status, last.responsible, last.responsible_one_of) == ("breached", [], [["hts", "sy-gov"]])
    assert line.first_breach is not None and line.first_breach.parties_one_of == [["hts", "sy-gov"]]
    assert "[one of: hts, sy-gov]" in line.explain()
    assert "by one of: hts, sy-gov" in line.explain()
    assert line.incidents[0].by == ["sy-gov", "hts"]


def test_a_timeline_splits_where_only_the_candidates_change() -> None:
    """A second breach by other candidates changes who is responsible, not the status: a new interval."""
    later = {**_attack(["hts", "nfl"], 2), "time": "2020-03-17T15:00:00+03:00"}
    line = truce.timeline(_state(_attack("sy-gov"), later))
    breached = [i for i in line.intervals if i.status == "breached"]
    assert [(i.responsible, i.responsible_one_of) for i in breached] == [(["sy-gov"], []), (["sy-gov"], [["hts", "nfl"]])]


def test_a_scenario_schema_narrows_candidates_to_the_rulebooks_ids() -> None:
    schema = truce.json_schema("scenario", agreement="moscow-2020")
    branches = schema["$defs"]["Incident"]["properties"]["by"]["anyOf"]
    array = next(b for b in branches if b.get("type") == "array")
    assert (array["minItems"], array["uniqueItems"]) == (2, True)
    assert "sy-gov" in array["items"]["enum"] and "jihadists" in array["items"]["enum"]


def test_a_pyarrow_list_column_and_its_pandas_frame_give_candidates() -> None:
    import pyarrow as pa  # noqa: PLC0415

    table = pa.table({**_columns(["nfl", None, "tr"]), "by": [["sy-gov", "hts"], None, ["ru", "tr"]]})
    for given in (table, table.to_pandas()):
        verdict = truce.evaluate(truce.Columns(incidents=given, agreement="moscow-2020", as_of=AS_OF))
        assert (verdict.responsible, verdict.responsible_one_of) == ([], [["hts", "sy-gov"]])


def test_the_terminal_view_shows_certain_and_one_of_apart() -> None:
    from rich.console import Console  # noqa: PLC0415

    from truce._render import readings_view, verdict_view  # noqa: PLC0415

    verdict = truce.evaluate(_state(_attack("sy-gov"), _attack(["hts", "nfl"], 2)))
    console = Console(width=200, record=True)
    console.print(verdict_view(verdict))
    console.print(readings_view([verdict])[0])
    text = console.export_text()
    assert text.count("sy-gov; one of: hts, nfl") == 3  # the head, the finding, the readings table


def test_an_unknown_candidate_is_named_beside_another_problem_of_the_file() -> None:
    """A scenario that fails validation still has the ids of its raw rows checked, candidates among them."""
    bad_time = {**_attack(["hts", "sy-gvo"]), "time": "2020-03-17"}
    with pytest.raises(truce.ScenarioError) as caught:
        truce.evaluate(_state(bad_time))
    assert {p.path for p in caught.value.problems} == {"incidents[0].time", "incidents[0].by"}
