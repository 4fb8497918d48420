"""Choosing an engine: durable by default where it imports, python otherwise, a clear error if asked for the impossible."""

from __future__ import annotations

import pytest

import truce
from truce import _engines as engines

STATE = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00"}


def test_python_engine_always_runs() -> None:
    assert "python" in engines.available_engines()
    assert truce.evaluate(STATE, engine="python").status == "holds"


def test_default_is_durable_where_it_imports() -> None:
    durable_imports = True
    try:
        import durable_rules_engine  # noqa: F401, PLC0415
    except ImportError:
        durable_imports = False
    assert engines.default_engine() == ("durable" if durable_imports else "python")


def test_durable_missing_means_python_by_default_and_an_error_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "_durable", lambda: "ImportError: PyEval_CallObject")
    assert engines.available_engines() == ("python",)
    assert truce.evaluate(STATE).status == "holds"
    with pytest.raises(truce.EngineUnavailableError) as caught:
        truce.evaluate(STATE, engine="durable")
    assert caught.value.path == "engine"
    assert "PyEval_CallObject" in str(caught.value)
    assert "engine='python'" in (caught.value.suggestion or "")
