"""The public surface is deliberate: this pins it."""

from __future__ import annotations

import truce


def test_public_surface_is_pinned() -> None:
    assert sorted(truce.__all__) == [
        "Columns",
        "EngineError",
        "EngineUnavailableError",
        "Finding",
        "Incident",
        "Position",
        "Problem",
        "Rulebook",
        "RulebookError",
        "RulebookInfo",
        "Scenario",
        "ScenarioError",
        "Timeline",
        "TruceError",
        "Unit",
        "UnknownRulebookError",
        "Verdict",
        "evaluate",
        "list_rulebooks",
        "load_rulebook",
        "load_scenario",
        "sweep",
        "timeline",
    ]
    for name in truce.__all__:
        assert getattr(truce, name) is not None


def test_every_error_is_a_truce_error_and_a_value_error() -> None:
    for error in (truce.ScenarioError, truce.RulebookError, truce.UnknownRulebookError, truce.EngineError):
        assert issubclass(error, truce.TruceError)
        assert issubclass(error, ValueError)


def test_a_scenario_object_evaluates_like_its_dict() -> None:
    data = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00",
            "units": [{"id": "u", "party": "hts", "kind": "tank", "zone": "buffer"}]}
    assert truce.evaluate(truce.Scenario.model_validate(data)) == truce.evaluate(data)
