"""The two decision engines and how one is chosen.

``durable`` runs the compiled rules in durable_rules (the default where it
imports: Python below 3.13); ``python`` evaluates the same rule tables in plain
Python. Both give the same verdicts; the tests hold them to it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Literal, get_args

from ._errors import EngineUnavailableError, Problem, did_you_mean
from ._logic import Decision, decide_python
from ._observe import Observation
from ._rulebook import Rulebook

__all__ = ["ENGINES", "Engine", "available_engines", "decider", "default_engine", "durable_available"]

Engine = Literal["durable", "python"]
ENGINES: tuple[Engine, ...] = get_args(Engine)
Decider = Callable[[Rulebook, str, Observation], Decision]


@cache
def _durable() -> Decider | str:
    """durable_rules' decide, or why it cannot be imported here."""
    try:
        from ._durable import decide  # noqa: PLC0415 - optional: durable_rules does not import on 3.13+
    except ImportError as exc:
        return f"{type(exc).__name__}: {exc}"
    return decide


def durable_available() -> bool:
    """Whether durable_rules imports in this interpreter (not on Python 3.13 and later)."""
    return callable(_durable())


def available_engines() -> tuple[Engine, ...]:
    """The engines that can run in this interpreter."""
    return tuple(e for e in ENGINES if e == "python" or durable_available())


def default_engine() -> Engine:
    """durable where durable_rules imports, else python."""
    return available_engines()[0]


def decider(engine: str | None) -> Decider:
    """The decide function of an engine (None: the default engine)."""
    chosen = engine or default_engine()
    if chosen == "python":
        return decide_python
    if chosen == "durable":
        durable = _durable()
        if callable(durable):
            return durable
        raise EngineUnavailableError.from_problems(
            "the durable engine cannot run here",
            [Problem("engine", f"durable_rules does not import ({durable})", value=chosen,
                     suggestion="use engine='python' (same verdicts), or Python 3.11/3.12 for durable")],
        )
    raise EngineUnavailableError.from_problems(
        f"unknown engine {chosen!r}",
        [Problem("engine", "no such engine", value=chosen, suggestion=did_you_mean(chosen, ENGINES))],
    )
