"""Fuzzing: whatever arrives as a scenario or a rulebook, nothing but a TruceError escapes."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import truce
from truce._engines import available_engines
from truce.strategies import scenarios

ROOT = Path(__file__).resolve().parents[1]
FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
BOOKS = [info.id for info in truce.list_rulebooks()]

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.sampled_from(["idlib-2019", "hts", "tank", "buffer", "2019-08-03T12:00:00+03:00", "2019-08-03T12:00:00", "", "-1"]),
)
json_like = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(
            st.one_of(st.sampled_from(["id", "as_of", "units", "incidents", "position", "lat", "count", "agreement"]), st.text(max_size=8)),
            inner,
            max_size=6,
        ),
    ),
    max_leaves=40,
)


def _evaluate_or_truce_error(state: Any, **kwargs: Any) -> truce.Verdict | None:
    """A verdict that renders and round-trips through its JSON, or a TruceError that says what is wrong;
    anything else escaping fails the test."""
    try:
        verdict = truce.evaluate(state, **kwargs)
    except truce.TruceError as exc:
        assert exc.problems, "a TruceError must say what is wrong"
        return None
    assert json.loads(verdict.model_dump_json())["status"] == verdict.status
    assert verdict.explain()
    return verdict


@FUZZ
@given(json_like)
def test_random_structures(state: Any) -> None:
    _evaluate_or_truce_error(state)


@FUZZ
@given(st.dictionaries(st.sampled_from(["agreement", "as_of", "units", "incidents", "reading", "expect", "title"]), json_like))
def test_random_fields(state: dict[str, Any]) -> None:
    _evaluate_or_truce_error({"agreement": "idlib-2019", **state})


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        found += [p for k, v in value.items() for p in _paths(v, (*prefix, k))]
    elif isinstance(value, list):
        found += [p for i, v in enumerate(value) for p in _paths(v, (*prefix, i))]
    return found


def _mutate(state: dict[str, Any], path: tuple[Any, ...], how: str, junk: Any) -> Any:
    if not path:
        return junk
    parent = state
    for part in path[:-1]:
        parent = parent[part]
    if how == "delete":
        del parent[path[-1]]
    elif how == "extra" and isinstance(parent, dict):
        parent[f"{path[-1]}_extra"] = junk
    else:
        parent[path[-1]] = junk
    return state


@FUZZ
@given(st.sampled_from(BOOKS).flatmap(lambda b: scenarios(truce.load_rulebook(b))), st.data())
def test_mutated_valid_scenarios(state: dict[str, Any], data: st.DataObject) -> None:
    """One field of a well-formed state replaced, deleted or joined by junk."""
    path = data.draw(st.sampled_from(_paths(state)))
    mutated = _mutate(state, path, data.draw(st.sampled_from(["replace", "delete", "extra"])), data.draw(json_like))
    for engine in available_engines():
        _evaluate_or_truce_error(mutated, engine=engine)


@FUZZ
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)), st.sampled_from([".yaml", ".json"]))
def test_random_files(tmp_path_factory: pytest.TempPathFactory, content: bytes, suffix: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"state{suffix}"
    path.write_bytes(content)
    _evaluate_or_truce_error(path)


@FUZZ
@given(st.data())
def test_valid_text_cut_and_spliced(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    """A valid scenario's YAML with a random slice removed or random text spliced in."""
    book = truce.load_rulebook(data.draw(st.sampled_from(BOOKS)))
    text = yaml.safe_dump(data.draw(scenarios(book)))
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    text = text[:start] + data.draw(st.text(max_size=20)) + text[end:]
    path = tmp_path_factory.mktemp("fuzz") / "state.yaml"
    path.write_text(text, encoding="utf-8")
    _evaluate_or_truce_error(path)


_count = itertools.count()


@pytest.fixture(scope="module")
def book_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("books")
    shutil.copytree(ROOT / "rules" / "zones", folder / "zones")
    return folder


@FUZZ
@given(st.data())
def test_mutated_rulebooks(book_dir: Path, data: st.DataObject) -> None:
    """A bundled rulebook with one field replaced, deleted or joined by junk: a RulebookError, or a
    rulebook both engines evaluate alike."""
    source = truce.load_rulebook(data.draw(st.sampled_from(BOOKS)))
    raw = yaml.safe_load(Path(str(source.origin)).read_text(encoding="utf-8"))
    path = data.draw(st.sampled_from(_paths(raw)))
    assume(path)
    mutated = _mutate(raw, path, data.draw(st.sampled_from(["replace", "delete", "extra"])), data.draw(json_like))
    file = book_dir / f"book-{next(_count)}.json"
    file.write_text(json.dumps(mutated, default=str), encoding="utf-8")
    try:
        book = truce.load_rulebook(file)
    except truce.RulebookError as exc:
        assert exc.problems and exc.file == str(file)
        return
    state = data.draw(scenarios(book, max_units=4, max_incidents=3))
    verdicts = {e: _evaluate_or_truce_error(state, rules=book, engine=e) for e in available_engines()}
    dumps = {v.model_dump_json(exclude={"provenance": {"engine"}}) if v else None for v in verdicts.values()}
    assert len(dumps) == 1, verdicts
