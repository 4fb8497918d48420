"""Shared fixtures: the bundled rulebooks and a builder for small scenario states; hypothesis' profiles.

Under CI (``CI`` set, as ``.ci/run`` is run) the property tests draw the same examples on every run
(``derandomize``), so a run on a developer's machine with ``CI=true`` shows what CI will see; elsewhere
they draw new examples each run, and whatever they find is kept in hypothesis' database.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import settings

import truce

settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


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
