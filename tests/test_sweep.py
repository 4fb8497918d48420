"""``truce.sweep``: many scenarios on a process pool or a dask cluster give the serial results, in order."""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import truce
from test_cli import truce_cmd
from truce._cli import EXIT_CODES
from truce._sweep import State

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*/*.yaml"))
IDLIB = sorted((ROOT / "examples" / "idlib-2019").glob("*.yaml"))

FORKSERVER = multiprocessing.get_context("forkserver")  # forking a process that runs threads can deadlock the child


def _bad_states() -> list[State]:
    base = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00"}
    return [
        {**base, "units": [{"id": "u1", "party": "hst", "kind": "fighters"}]},
        {**base, "as_of": "2019-08-03T12:00:00"},
        ROOT / "examples" / "no-such-scenario.yaml",
    ]


STATES: list[State] = [*EXAMPLES[:20], *_bad_states(), *EXAMPLES[20:]]


def _serial(state: State, reading: str | None = None) -> truce.Verdict | truce.TruceError:
    try:
        return truce.evaluate(state, reading=reading)
    except truce.TruceError as exc:
        return exc


def _comparable(outcome: truce.Verdict | truce.TruceError) -> Any:
    if isinstance(outcome, truce.Verdict):
        return json.loads(outcome.model_dump_json())
    return (type(outcome).__name__, str(outcome), outcome.problems)


def _expected(states: list[State], reading: str | None = None) -> list[Any]:
    return [_comparable(_serial(s, reading)) for s in states]


def test_states_cover_every_outcome_and_some_errors() -> None:
    outcomes = [_serial(s) for s in STATES]
    statuses = {o.status for o in outcomes if isinstance(o, truce.Verdict)}
    assert statuses == {"holds", "breached", "conditions_unmet", "not_in_force", "indeterminate"}
    assert sum(isinstance(o, truce.TruceError) for o in outcomes) == len(_bad_states())


def test_process_pool_gives_serial_results_in_order() -> None:
    with ProcessPoolExecutor(max_workers=2, mp_context=FORKSERVER) as pool:
        outcomes = truce.sweep(STATES, executor=pool, batch_size=1)
    assert [_comparable(o) for o in outcomes] == _expected(STATES)


def test_dask_local_cluster_gives_serial_results_in_order() -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        outcomes = truce.sweep(STATES, executor=client.get_executor(), batch_size=3)
    assert [_comparable(o) for o in outcomes] == _expected(STATES)


def test_default_executor_is_a_process_pool() -> None:
    states = STATES[18:26]
    assert [_comparable(o) for o in truce.sweep(states)] == _expected(states)


def test_errors_stay_in_place_with_their_problems() -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = truce.sweep(STATES, executor=pool, batch_size=2)
    assert len(outcomes) == len(STATES)
    unknown_party, naive, missing = outcomes[20:23]
    assert isinstance(unknown_party, truce.ScenarioError)
    assert unknown_party.path == "units[0].party"
    assert unknown_party.suggestion == "did you mean 'hts'?"
    assert isinstance(naive, truce.ScenarioError) and naive.path == "as_of"
    assert isinstance(missing, truce.ScenarioError) and "no-such-scenario" in str(missing)
    assert all(isinstance(o, truce.Verdict) for i, o in enumerate(outcomes) if not 20 <= i < 23)


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_left_as_it_was_even_when_a_batch_fails(enabled: bool) -> None:
    class Broken(ThreadPoolExecutor):
        def submit(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("the pool is gone")

    (gc.enable if enabled else gc.disable)()
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            assert [_comparable(o) for o in truce.sweep(IDLIB[:3], executor=pool)] == _expected(IDLIB[:3])
        assert gc.isenabled() is enabled
        with Broken(max_workers=1) as broken, pytest.raises(RuntimeError, match="the pool is gone"):
            truce.sweep(IDLIB[:3], executor=broken)
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


def test_verdicts_come_back_equal_to_the_serial_ones_with_the_same_fields_set() -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = truce.sweep(EXAMPLES, executor=pool)
    serial = [_serial(s) for s in EXAMPLES]
    verdicts = [(o, s) for o, s in zip(outcomes, serial, strict=True) if isinstance(s, truce.Verdict)]
    assert len(verdicts) == len(EXAMPLES)
    for outcome, expected in verdicts:
        assert type(outcome) is truce.Verdict and outcome == expected
        assert outcome.model_dump_json(exclude_unset=True) == expected.model_dump_json(exclude_unset=True)


def test_rules_and_reading_apply_to_every_state() -> None:
    book = truce.load_rulebook("idlib-2019")
    with ProcessPoolExecutor(max_workers=2, mp_context=FORKSERVER) as pool:
        outcomes = truce.sweep(IDLIB, rules=book, reading="government", executor=pool)
    assert [_comparable(o) for o in outcomes] == _expected(IDLIB, reading="government")
    assert {o.reading for o in outcomes if isinstance(o, truce.Verdict)} == {"government"}


def test_a_rulebook_without_a_file_cannot_be_sent() -> None:
    book = truce.Rulebook.model_validate(truce.load_rulebook("idlib-2019").model_dump())
    with pytest.raises(truce.ScenarioError, match="no file to load it from"):
        truce.sweep(IDLIB, rules=book)


def test_cli_sweep_prints_each_verdict_in_order() -> None:
    files = [*IDLIB[:4], ROOT / "examples" / "no-such-scenario.yaml"]
    result = truce_cmd("sweep", *files, "--workers", "2", "--format", "json")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.pop("file") for line in lines] == list(map(str, files))
    assert lines[:4] == _expected(list(IDLIB[:4]))
    assert lines[4]["error"].startswith(str(files[4]))
    assert result.returncode == 3


def test_cli_sweep_text_names_each_file_and_status() -> None:
    result = truce_cmd("sweep", *IDLIB[:3])
    expected = [_serial(p) for p in IDLIB[:3]]
    assert result.stdout.splitlines() == [
        f"{p}: {o.status.replace('_', ' ').upper()}" + (f" ({', '.join(o.responsible)})" if o.responsible else "")
        for p, o in zip(IDLIB[:3], expected, strict=True)
        if isinstance(o, truce.Verdict)
    ]
    assert result.returncode == max(EXIT_CODES[o.status] for o in expected if isinstance(o, truce.Verdict))


def test_outcomes_read_like_the_list_of_serial_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Index (from either end), slice, iterate, compare; each batch is built once, on the first read of one of its outcomes."""
    built = []
    build = truce._sweep._outcomes  # type: ignore[attr-defined]
    monkeypatch.setattr("truce._sweep._outcomes", lambda batch: built.append(batch) or build(batch))
    states = STATES[17:26]  # the three bad states among verdicts, across batches of two
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = truce.sweep(states, executor=pool, batch_size=2)
    expected = _expected(states)
    assert built == [] and len(outcomes) == len(states) == 9 and repr(outcomes) == "<9 outcomes>"
    assert _comparable(outcomes[4]) == expected[4] and len(built) == 1
    assert outcomes[4] is outcomes[-5] and outcomes[5] is outcomes[5] and len(built) == 1
    assert outcomes[6] is outcomes[6] and len(built) == 2
    assert [_comparable(o) for o in outcomes[3:8:2]] == expected[3:8:2]
    assert [_comparable(o) for o in outcomes] == expected and len(built) == 5
    assert list(outcomes) == outcomes[:] and outcomes == list(outcomes) and outcomes != list(outcomes)[:-1]
    for index in (9, -10):
        with pytest.raises(IndexError, match=f"outcome {index} of 9: out of range"):
            outcomes[index]
    with pytest.raises(TypeError, match="integers or slices, not str"):
        outcomes["4"]  # type: ignore[call-overload]


@pytest.mark.parametrize(("workers", "batches"), [(1, 8), (4, 32), (None, 64 // (64 // (8 * (os.cpu_count() or 1))))])
def test_an_executor_of_n_workers_gets_eight_batches_each(workers: int | None, batches: int) -> None:
    """``workers`` with an executor sizes the batches (default: this machine's cores): each worker gets eight."""
    sizes = []

    class Counting(ThreadPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            sizes.append(len(args[0]))
            return super().submit(fn, *args, **kwargs)

    states = [IDLIB[k % len(IDLIB)] for k in range(64)]
    with Counting(max_workers=2) as pool:
        outcomes = truce.sweep(states, executor=pool, workers=workers)
    assert len(sizes) == batches and sum(sizes) == 64 and len(set(sizes)) == 1
    assert [_comparable(o) for o in outcomes[:len(IDLIB)]] == _expected(IDLIB)


def test_cli_sweep_on_a_dask_scheduler_prints_each_verdict_in_order() -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = truce_cmd("sweep", *IDLIB[:4], "--dask", cluster.scheduler_address, "--format", "json")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.pop("file") for line in lines] == list(map(str, IDLIB[:4]))
    assert lines == _expected(list(IDLIB[:4])), result.stderr
