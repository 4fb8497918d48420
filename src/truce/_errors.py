"""The exception tree: every error truce raises on purpose.

    TruceError (ValueError)
    ├── ScenarioError      a scenario state is malformed or names unknown ids
    ├── RulebookError      a rulebook or its zone files are malformed
    │   └── UnknownRulebookError   no bundled rulebook has that id
    ├── EngineUnavailableError  the engine asked for cannot run here (durable on 3.13+) or does not exist
    ├── EngineError (also RuntimeError)  the rule engine misbehaved (a bug, not bad input)
    └── EventLogError      truce.io: an event log or its mapping cannot be used at all
        ├── AcledError     truce.io.acled: an ACLED export
        └── UcdpError      truce.io.ucdp: a UCDP GED export

Input errors carry every problem found, not just the first: ``error.problems``
lists them, each with the file, the field path, the bad value and a hint.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Self

__all__ = [
    "EngineError",
    "EngineUnavailableError",
    "Invalid",
    "Problem",
    "RulebookError",
    "ScenarioError",
    "TruceError",
    "UnknownRulebookError",
    "by_place",
    "did_you_mean",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what was found, what to do."""

    path: str
    message: str
    value: object = None
    suggestion: str | None = None
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        """One line, ``file:line: path: message (suggestion)``, control characters escaped."""
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: {self.path or '(top level)'}: {self.message}"
        if self.suggestion:
            text += f" ({self.suggestion})"
        return one_line(text)


def one_line(text: str) -> str:
    """``text`` with every control or line-breaking character escaped, so it stays on one line."""
    return "".join(_escape(c) for c in text)


def _escape(char: str) -> str:
    """A control or line-breaking character (newline, NUL, escape, U+2028, ...) as its escape; others as they are."""
    if char.isprintable() or char == " ":
        return char
    return char.encode("unicode_escape").decode("ascii")


class TruceError(ValueError):
    """Root of every error truce raises; a ValueError because most are bad input."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(message)

    @classmethod
    def from_problems(cls, what: str, problems: Sequence[Problem]) -> Self:
        """One error that reports every problem, one per line."""
        lines = "\n".join(f"  - {p}" for p in problems)
        noun = "problem" if len(problems) == 1 else "problems"
        return cls(f"{what}: {len(problems)} {noun}\n{lines}", problems)

    @property
    def file(self) -> str | None:
        return self.problems[0].file if self.problems else None

    @property
    def path(self) -> str | None:
        return self.problems[0].path if self.problems else None

    @property
    def value(self) -> object:
        return self.problems[0].value if self.problems else None

    @property
    def suggestion(self) -> str | None:
        return self.problems[0].suggestion if self.problems else None


class Invalid(ValueError):
    """A value a model's validator refuses, with its fix: validation turns it into a ``Problem`` whose suggestion
    is ``suggestion`` (it never reaches a caller itself)."""

    def __init__(self, message: str, suggestion: str) -> None:
        super().__init__(message)
        self.suggestion = suggestion


class ScenarioError(TruceError):
    """A scenario state is malformed, or names ids its rulebook does not declare."""


class RulebookError(TruceError):
    """A rulebook, or a zone file it points to, is malformed."""


class UnknownRulebookError(RulebookError):
    """No bundled rulebook has the requested id."""


class EngineUnavailableError(TruceError):
    """The decision engine asked for cannot run in this interpreter, or there is no such engine."""


class EngineError(TruceError, RuntimeError):
    """The rule engine failed or disagreed with itself: a bug to report, not bad input."""


def by_place(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in the order of their places: file, line, then field path (``units[2]`` before ``units[10]``)."""

    def key(problem: Problem) -> tuple[str, int, list[tuple[str, int]]]:
        parts = [(name, int(index or -1)) for name, index in re.findall(r"([^.\[\]]*)(?:\[(\d+)\])?", problem.path) if name or index]
        return (problem.file or "", problem.line or 0, parts)

    return sorted(problems, key=key)


def did_you_mean(value: object, choices: Iterable[str]) -> str | None:
    """A 'did you mean ...?' hint for an unknown id, or a list of valid ids."""
    options = sorted(set(choices))
    if not options:
        return None
    same = [option for option in options if option.lower() == str(value).lower()]
    close = same or difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    shown = ", ".join(options[:12]) + (", ..." if len(options) > 12 else "")
    return f"expected one of: {shown}"
