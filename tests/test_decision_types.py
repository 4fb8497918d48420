"""A Decision speaks the verdict's words: the tables give exactly the Literal outcomes, and a
durable_rules rule naming anything else is an EngineError, not a verdict with a stray status."""

from __future__ import annotations

import dataclasses
from types import ModuleType
from typing import get_args

import pytest

import truce
from truce import _logic
from truce._logic import InForceStatus
from truce._observe import Measure, Observation
from truce._scenario import FindingStatus, Status


@pytest.fixture
def durable() -> ModuleType:
    """truce's durable_rules decision module (skipped where durable_rules does not import, as on Python 3.13)."""
    pytest.importorskip("durable_rules_engine", reason="durable_rules does not import on this Python")
    return pytest.importorskip("truce._durable")


def test_the_tables_give_exactly_the_literal_outcomes() -> None:
    assert sorted(name for name, _ in _logic.CLAUSE_OUTCOMES) == sorted(get_args(FindingStatus))
    assert sorted(name for name, _ in _logic.IN_FORCE_OUTCOMES) == sorted(get_args(InForceStatus))
    assert sorted({rule.status for rule in _logic.VERDICT_PRECEDENCE}) == sorted(get_args(Status))
    assert set(get_args(InForceStatus)) <= set(get_args(FindingStatus))


def _clear(book: truce.Rulebook) -> Observation:
    """In force, every clause due and clear: every clause met, the truce holds."""
    return Observation("in_force", tuple(Measure(c, "due", amount=0, possible=0) for c in book.clauses))


def test_durable_gives_the_literal_outcomes(durable: ModuleType) -> None:
    book = truce.load_rulebook("idlib-2019").model_copy()
    decision = durable.decide(book, book.default_reading, _clear(book))
    assert decision == _logic.decide_python(book, book.default_reading, _clear(book))
    assert (decision.in_force, decision.status) == ("met", "holds")
    assert set(decision.findings.values()) == {"met"}


def test_a_clause_outcome_outside_the_literal_is_an_engine_error(durable: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    renamed = tuple(("fine" if name == "met" else name, pattern) for name, pattern in _logic.CLAUSE_OUTCOMES)
    monkeypatch.setattr(durable, "CLAUSE_OUTCOMES", renamed)
    book = truce.load_rulebook("idlib-2019").model_copy()  # a new object: compiled afresh from the renamed table
    with pytest.raises(truce.EngineError, match="'fine'"):
        durable.decide(book, book.default_reading, _clear(book))


def test_a_verdict_status_outside_the_literal_is_an_engine_error(durable: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    renamed = tuple(
        dataclasses.replace(rule, status="fine") if rule.status == "holds" else rule for rule in _logic.VERDICT_PRECEDENCE
    )
    monkeypatch.setattr(durable, "VERDICT_PRECEDENCE", renamed)
    book = truce.load_rulebook("idlib-2019").model_copy()
    with pytest.raises(truce.EngineError, match="'fine'"):
        durable.decide(book, book.default_reading, _clear(book))


def test_an_in_force_outcome_outside_the_literal_is_an_engine_error(durable: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    renamed = tuple(("fine" if name == "met" else name, pattern) for name, pattern in _logic.IN_FORCE_OUTCOMES)
    monkeypatch.setattr(durable, "IN_FORCE_OUTCOMES", renamed)
    book = truce.load_rulebook("idlib-2019").model_copy()
    with pytest.raises(truce.EngineError, match="'fine'"):
        durable.decide(book, book.default_reading, _clear(book))


def test_a_comparison_of_a_number_with_text_is_an_engine_error_naming_it() -> None:
    for fact, value in (({"amount": 3}, "x"), ({"amount": "3"}, 2)):
        with pytest.raises(truce.EngineError, match=r"cannot compare .* > .* in field amount"):
            _logic.matches((_logic.Test("amount", ">", value),), fact)


def test_the_python_engine_weighs_each_amount_against_its_own_clauses_limit() -> None:
    book = truce.load_rulebook("golan-1974")
    cap = next(c for c in book.clauses if c.type == "cap" and c.limit > 0)
    cases = {(cap.limit, cap.limit): "met", (cap.limit + 1, cap.limit + 1): "violated", (0, cap.limit + 1): "unknown"}
    for (amount, possible), status in cases.items():
        measures = tuple(Measure(c, "due", amount=amount, possible=possible) if c is cap else Measure(c, "due") for c in book.clauses)
        assert _logic.decide_python(book, "text", Observation("in_force", measures)).findings[cap.id] == status


def test_the_python_engine_names_what_no_table_could_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    book = truce.load_rulebook("idlib-2019")
    clear = _clear(book)
    first = book.clauses[0]
    odd = (dataclasses.replace(clear.measures[0], phase="sideways"), *clear.measures[1:])  # type: ignore[arg-type]
    with pytest.raises(truce.EngineError, match=f"clause {first.id} matched outcomes \\[\\]; expected exactly one"):
        _logic.decide_python(book, "sochi", dataclasses.replace(clear, measures=odd))
    with pytest.raises(truce.EngineError, match=f"clause {first.id} was measured twice"):
        _logic.decide_python(book, "sochi", dataclasses.replace(clear, measures=(*clear.measures, clear.measures[0])))
    with pytest.raises(truce.EngineError, match="the truce's window matched outcomes \\[\\]; expected exactly one"):
        _logic.decide_python(book, "sochi", dataclasses.replace(clear, window="sideways"))  # type: ignore[arg-type]
    monkeypatch.setattr(_logic, "VERDICT_PRECEDENCE", ())
    with pytest.raises(truce.EngineError, match="no verdict rule matched window in_force and findings"):
        _logic.decide_python(book, "sochi", clear)
