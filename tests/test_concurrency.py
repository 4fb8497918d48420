"""Evaluations are pure: threads interleaving them get the serial results, and verdict JSON
does not depend on the process's hash seed."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import truce
from truce._engines import available_engines
from truce.strategies import scenarios

ROOT = Path(__file__).resolve().parents[1]
THREADS = 8
Job = tuple[dict[str, Any], str, str, str]  # state, rulebook id, reading, engine


def _jobs() -> st.SearchStrategy[list[Job]]:
    """States of every bundled rulebook, each paired with every reading and engine."""
    per_book = []
    for info in truce.list_rulebooks():
        book = truce.load_rulebook(info.id)
        pairs = [(reading, engine) for reading in book.readings for engine in available_engines()]
        per_book.append(
            st.lists(scenarios(book, max_units=6, max_incidents=4), min_size=6, max_size=6).map(
                lambda states, b=info.id, pairs=pairs: [(s, b, r, e) for s in states for r, e in pairs]
            )
        )
    return st.tuples(*per_book).map(lambda lists: [job for jobs in lists for job in jobs])


def _run(job: Job) -> str:
    state, book, reading, engine = job
    return truce.evaluate(state, rules=book, reading=reading, engine=engine).model_dump_json()


@settings(max_examples=2, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(_jobs(), st.randoms(use_true_random=False))
def test_threads_get_the_serial_results(jobs: list[Job], rng: random.Random) -> None:
    serial = [_run(job) for job in jobs]
    start = threading.Barrier(THREADS)

    def worker(seed: int) -> list[tuple[int, str]]:
        order = list(range(len(jobs)))
        random.Random(seed).shuffle(order)
        start.wait()
        return [(i, _run(jobs[i])) for i in order]

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, mid-evaluation too
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(worker, [rng.randrange(2**32) for _ in range(THREADS)]))
    finally:
        sys.setswitchinterval(interval)
    assert len(results) == THREADS
    for per_thread in results:
        assert len(per_thread) == len(jobs)
        for i, verdict in per_thread:
            assert verdict == serial[i], f"job {i} differs when run concurrently"


_CHILD = """
import json, sys, truce
for state, book, reading, engine in json.load(sys.stdin):
    print(truce.evaluate(state, rules=book, reading=reading, engine=engine).model_dump_json())
"""


@settings(max_examples=1, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(_jobs())
def test_verdict_json_is_identical_across_hash_seeds(jobs: list[Job]) -> None:
    outputs = []
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "src")}
        done = subprocess.run(
            [sys.executable, "-c", _CHILD], input=json.dumps(jobs), capture_output=True, text=True, env=env, timeout=300, check=True
        )
        outputs.append(done.stdout.encode())
    assert outputs[0].count(b"\n") == len(jobs)
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0].decode().splitlines() == [_run(job) for job in jobs]
