"""Shared fixtures: the bundled rulebooks and a builder for small scenario states."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import truce


@pytest.fixture(scope="session")
def idlib() -> truce.Rulebook:
    return truce.load_rulebook("idlib-2019")


@pytest.fixture
def state() -> Callable[..., dict[str, Any]]:
    """A fresh Idlib scenario dict; keyword arguments replace its fields."""

    def build(**fields: Any) -> dict[str, Any]:
        base: dict[str, Any] = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00", "units": [], "incidents": []}
        base.update(fields)
        return base

    return build
