"""``truce.sweep``: evaluate many scenario states on worker processes or a cluster.

durable_rules holds the GIL, so parallel evaluation needs processes. Any
``concurrent.futures.Executor`` serves: a local process pool by default, or a
dask.distributed ``Client.get_executor()`` for a cluster. Scenarios travel in
batches; the rulebook travels as its id or path, and each worker loads and
compiles it once (both are cached per process). Paths travel absolute, so a
worker started in another folder (or on another machine sharing the files)
reads the same files. A batch's verdicts travel back as one JSON document
that pydantic validates in one call (unpickling each model cost the parent more),
the first time one of them is read: while the workers run, the parent only
sends states and keeps documents, so it keeps pace with them.
"""

from __future__ import annotations

import bisect
import itertools
import multiprocessing
import operator
import os
import pickle
import traceback
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, overload

from pydantic import TypeAdapter
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ._case import collection_paused
from ._columns import Columns
from ._errors import EngineError, Problem, ScenarioError, TruceError
from ._evaluate import evaluate
from ._load import bundled_ids
from ._rulebook import Rulebook
from ._scenario import Scenario
from ._verdict import Verdict

__all__ = ["Outcome", "Outcomes", "State", "sweep"]

State = Mapping[str, Any] | Scenario | Columns | str | Path
Outcome = Verdict | TruceError
"""A scenario's verdict, or the error that kept it from one."""

_BATCHES_PER_WORKER = 8
_MAX_BATCH = 512
_VERDICTS = TypeAdapter(list[Verdict | None])
_Batch = tuple[bytes, dict[int, TruceError]]
"""A batch's outcomes from a worker: its verdicts as one JSON list (null where it failed), and its errors by position."""


class Outcomes(Sequence[Outcome]):
    """A sweep's outcomes, one per state in input order: a ``Verdict``, or the ``TruceError`` that stopped it.

    Read like a list (index, slice, iterate, compare). Each batch's verdicts are kept as the JSON document its
    worker sent and built the first time one of them is read, so a caller who reads a few pays for their batches only.
    """

    def __init__(self, batches: Sequence[_Batch | list[Outcome]], sizes: Sequence[int]) -> None:
        self._batches = list(batches)
        self._ends = list(itertools.accumulate(sizes))

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    @overload
    def __getitem__(self, index: int) -> Outcome: ...

    @overload
    def __getitem__(self, index: slice) -> list[Outcome]: ...

    def __getitem__(self, index: int | slice) -> Outcome | list[Outcome]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        try:
            position = operator.index(index)
        except TypeError:
            raise TypeError(f"outcome indices must be integers or slices, not {type(index).__name__}") from None
        position += len(self) if position < 0 else 0
        if not 0 <= position < len(self):
            raise IndexError(f"outcome {index} of {len(self)}: out of range")
        batch = bisect.bisect_right(self._ends, position)
        return self._built(batch)[position - (self._ends[batch - 1] if batch else 0)]

    def __iter__(self) -> Iterator[Outcome]:
        for batch in range(len(self._batches)):
            yield from self._built(batch)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{len(self)} outcomes>"

    def _built(self, batch: int) -> list[Outcome]:
        """Batch ``batch``'s outcomes, built from its document on first read."""
        found = self._batches[batch]
        if isinstance(found, tuple):
            with collection_paused():
                found = self._batches[batch] = _outcomes(found)
        return found


def sweep(
    scenarios: Iterable[State],
    rules: Rulebook | str | Path | None = None,
    reading: str | None = None,
    executor: Executor | None = None,
    *,
    workers: int | None = None,
    engine: str | None = None,
    batch_size: int | None = None,
    progress: bool = False,
) -> Outcomes:
    """Evaluate every scenario; one outcome per scenario, in input order (see ``Outcomes``).

    A scenario that cannot be evaluated yields its ``TruceError`` in its place
    (an unexpected failure becomes an ``EngineError`` carrying the traceback);
    the others still run. Without ``executor``, a process pool of ``workers``
    (default: one per core) is started and shut down; with one, ``workers`` says how many it runs (default: this
    machine's cores), so that each gets several batches of ``batch_size`` (default: up to 512) states.
    ``engine`` is as in ``truce.evaluate``.
    ``progress`` shows a bar on stderr. While results arrive and while verdicts are built, the cyclic garbage
    collector is paused (and then restored as it was): they hold no cycles, and collecting them over and over
    tripled the parent's CPU.
    """
    states = [_absolute(state) for state in scenarios]
    ref = _rules_ref(rules)
    own = executor is None
    workers = workers or os.cpu_count() or 1
    pool = executor or ProcessPoolExecutor(max_workers=workers, mp_context=_start_method())
    size = batch_size or max(1, min(_MAX_BATCH, len(states) // (_BATCHES_PER_WORKER * workers)))
    batches = [states[start : start + size] for start in range(0, len(states), size)]
    done: dict[int, _Batch | list[Outcome]] = {}
    bar = Progress(
        TextColumn("sweeping"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True, disable=not progress,
    )
    try:
        with collection_paused(), bar:  # tens of thousands of acyclic results: each collection would walk them all again
            task = bar.add_task("sweep", total=len(states))
            futures = {pool.submit(_evaluate_batch, batch, ref, reading, engine): number for number, batch in enumerate(batches)}
            for future in as_completed(futures):
                number = futures[future]
                try:
                    done[number] = future.result()
                except Exception:  # the batch could not travel or its worker died: one state at a time
                    done[number] = [_evaluate_alone(pool, state, ref, reading, engine) for state in batches[number]]
                bar.advance(task, len(batches[number]))
    finally:
        if own:
            pool.shutdown(cancel_futures=True)
    return Outcomes([done[number] for number in range(len(batches))], [len(batch) for batch in batches])


def _start_method() -> multiprocessing.context.BaseContext:
    """Workers start from a clean server process where the platform has one: forking a process
    that runs threads (a progress bar, durable_rules' engine) can deadlock the child."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else methods[0])


def _absolute(state: State) -> State:
    """A scenario path made absolute (the type kept); any other state as it is."""
    if isinstance(state, Path):
        return state.absolute()
    return str(Path(state).absolute()) if isinstance(state, str) else state


def _rules_ref(rules: Rulebook | str | Path | None) -> str | None:
    """What to send workers for a rulebook: its id, or its file's path made absolute; never the object (and its compiled state)."""
    if rules is None or (isinstance(rules, str) and rules in bundled_ids()):
        return rules
    if isinstance(rules, str | Path):
        return str(Path(rules).absolute()) if Path(rules).exists() else str(rules)
    if rules.origin is None:
        raise ScenarioError.from_problems(
            "cannot send this rulebook to workers",
            [Problem("rules", "a rulebook built in memory has no file to load it from", suggestion="pass its id or path")],
        )
    return rules.origin


def _evaluate_alone(pool: Executor, state: State, rules: str | None, reading: str | None, engine: str | None) -> Outcome:
    """One state's outcome after its batch failed: a ScenarioError if it cannot be sent to a worker."""
    try:
        pickle.dumps(state)
    except Exception as exc:  # pickling raises whatever the object's reducer raises
        return ScenarioError.from_problems(
            "cannot send this scenario to a worker process",
            [Problem("", f"it cannot be pickled: {exc}", suggestion="pass plain data (dicts, lists, strings, numbers) or a file path")],
        )
    try:
        return _outcomes(pool.submit(_evaluate_batch, [state], rules, reading, engine).result())[0]
    except Exception as exc:
        return EngineError(f"evaluation failed in its worker: {exc!r}")


def _evaluate_batch(states: Sequence[State], rules: str | None, reading: str | None, engine: str | None) -> _Batch:
    """Evaluate a batch in a worker, keeping each scenario's error as its outcome."""
    verdicts: list[Verdict | None] = []
    errors: dict[int, TruceError] = {}
    for index, state in enumerate(states):
        try:
            verdicts.append(evaluate(state, rules=rules, reading=reading, engine=engine))
            continue
        except TruceError as exc:
            errors[index] = exc
        except Exception as exc:
            errors[index] = EngineError(f"evaluation failed unexpectedly: {exc!r}\n{traceback.format_exc()}")
        verdicts.append(None)
    return _VERDICTS.dump_json(verdicts, exclude_unset=True), errors


def _outcomes(batch: _Batch) -> list[Outcome]:
    """A batch's outcomes in the parent, its verdicts rebuilt from their JSON."""
    data, errors = batch
    return [errors[index] if verdict is None else verdict for index, verdict in enumerate(_VERDICTS.validate_json(data, strict=True))]
