"""truce's performance, measured in one run on one machine; prints figures, ratios and targets.

    PYTHONPATH=src python bench/bench.py [--sweep 10000] [--max-units 1000000]

Large states go through ``truce.Columns`` (the row path builds a pydantic
object per unit and would measure those instead); the 100k validation ratio is
printed for both paths.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import psutil

import truce
from truce._durable import decide
from truce._load import read_scenario
from truce._observe import observe

AS_OF = "2019-08-03T12:00:00+03:00"
PARTIES = ["sy-gov", "hts", "nfl", "tr", "ru"]


def _kinds() -> tuple[list[str], list[str]]:
    book = truce.load_rulebook("idlib-2019")
    return sorted(book.kinds), sorted(book.incident_kinds)


def row_state(n: int, m: int, seed: int) -> dict[str, Any]:
    """An Idlib state of ``n`` units and ``m`` incidents scattered over north-west Syria."""
    rng = np.random.default_rng(seed)
    kinds, acts = _kinds()
    lat, lon = rng.uniform(35.0, 36.3, n + m), rng.uniform(36.2, 37.3, n + m)
    units = [{"id": f"u{i}", "party": PARTIES[i % 5], "kind": kinds[i % len(kinds)], "count": int(rng.integers(0, 40)),
              "position": {"lat": float(lat[i]), "lon": float(lon[i])}} for i in range(n)]
    incidents = [{"id": f"i{i}", "time": "2019-08-02T00:40:00+03:00", "kind": acts[i % len(acts)], "by": PARTIES[i % 5],
                  "position": {"lat": float(lat[n + i]), "lon": float(lon[n + i])}} for i in range(m)]
    return {"agreement": "idlib-2019", "as_of": AS_OF, "units": units, "incidents": incidents}


def column_tables(n: int, m: int, seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same kind of state as arrays (what a satellite pipeline hands over)."""
    rng = np.random.default_rng(seed)
    kinds, acts = _kinds()
    units = {"id": np.char.add("u", np.arange(n).astype(str)), "party": np.array(PARTIES)[np.arange(n) % 5],
             "kind": np.array(kinds)[np.arange(n) % len(kinds)], "count": rng.integers(0, 40, n),
             "lat": rng.uniform(35.0, 36.3, n), "lon": rng.uniform(36.2, 37.3, n)}
    incidents = {"id": np.char.add("i", np.arange(m).astype(str)), "time": np.full(m, "2019-08-02T00:40:00+03:00"),
                 "kind": np.array(acts)[np.arange(m) % len(acts)], "by": np.array(PARTIES)[np.arange(m) % 5],
                 "lat": rng.uniform(35.0, 36.3, m), "lon": rng.uniform(36.2, 37.3, m)}
    return units, incidents


def columns(units: dict[str, Any], incidents: dict[str, Any]) -> truce.Columns:
    return truce.Columns(units=units, incidents=incidents, agreement="idlib-2019", as_of=AS_OF)


def best(fn: Callable[[], object], repeat: int, number: int = 1) -> float:
    """The best of ``repeat`` timings of ``number`` calls, per call, in seconds."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def _mark(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def small_state() -> None:
    state = row_state(20, 10, seed=1)
    book = truce.load_rulebook("idlib-2019")
    reading = book.default_reading
    observation = observe(truce.prepare(state, rules=book, reading=reading))
    evaluate = best(lambda: truce.evaluate(state), repeat=5, number=200)
    bare = best(lambda: decide(book, reading, observation), repeat=5, number=200)
    print("(1) small Idlib state: 20 units, 10 incidents")
    print(f"    truce.evaluate           {1 / evaluate:10.0f} evaluations/s ({evaluate * 1e6:.0f} us)")
    print(f"    bare durable_rules      {1 / bare:10.0f} decisions/s   ({bare * 1e6:.0f} us, decide() on observe()'s facts)")
    print(f"    ratio evaluate / bare   {evaluate / bare:10.2f}   target <= 3: {_mark(evaluate / bare <= 3)}")


def growth(sizes: list[int]) -> None:
    print("(2) evaluate time by size (truce.Columns, incidents = 10% of units; building Columns included)")
    previous = None
    for n in sizes:
        units, incidents = column_tables(n, n // 10, seed=2)
        seconds = best(lambda u=units, i=incidents: truce.evaluate(columns(u, i)), repeat=3 if n <= 100_000 else 1)
        step = f"x{seconds / previous:6.2f} for 10x units" if previous else ""
        print(f"    {n:>9,} units  {seconds:9.3f} s  {step}")
        if previous and n == sizes[-1] and len(sizes) >= 3:
            first = next(s for s in sizes if s >= 10_000)
            print(f"    (10k -> {n:,} is {n // first}x units; see the steps above: target each step <= 11)")
        previous = seconds


def validation_ratio(n: int) -> None:
    units, incidents = column_tables(n, n // 10, seed=3)
    book = truce.load_rulebook("idlib-2019")

    def validate_only() -> None:
        columns(units, incidents).items(book)

    whole = best(lambda: truce.evaluate(columns(units, incidents)), repeat=3)
    alone = best(validate_only, repeat=3)
    print(f"(3) at {n:,} units: evaluate / validate alone (Columns + rulebook id checks)")
    print(f"    evaluate {whole:.3f} s, validate {alone:.3f} s, ratio {whole / alone:.2f}   target <= 2: {_mark(whole / alone <= 2)}")
    rows = row_state(n, n // 10, seed=3)
    whole_rows = best(lambda: truce.evaluate(rows), repeat=1)
    alone_rows = best(lambda: read_scenario(rows), repeat=1)
    print(f"    row path for comparison: evaluate {whole_rows:.3f} s, validate (pydantic) {alone_rows:.3f} s, "
          f"ratio {whole_rows / alone_rows:.2f}")


def peak_memory(n: int) -> None:
    units, incidents = column_tables(n, n // 10, seed=4)
    gc.collect()
    base_rss = psutil.Process().memory_info().rss
    tracemalloc.start()
    truce.evaluate(columns(units, incidents))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    given = sum(a.nbytes for t in (units, incidents) for a in t.values())
    print(f"(4) peak memory at {n:,} units: {peak / 2**20:.0f} MiB traced during evaluate "
          f"(input arrays {given / 2**20:.0f} MiB; process RSS before {base_rss / 2**20:.0f} MiB)")


def sweep(count: int) -> None:
    states = [row_state(int(k % 7) + 14, int(k % 5) + 6, seed=k) for k in range(count)]
    timings = {}
    results = {}
    for workers in (1, 2):
        with ProcessPoolExecutor(max_workers=workers) as pool:
            truce.sweep(states[:workers * 4], executor=pool)  # start the workers and compile the rules
            start = time.perf_counter()
            results[workers] = truce.sweep(states, executor=pool)
            timings[workers] = time.perf_counter() - start
    same = [r.model_dump_json() for r in results[1]] == [r.model_dump_json() for r in results[2]]  # type: ignore[union-attr]
    speedup = timings[1] / timings[2]
    print(f"(5) sweep of {count:,} small states: 1 worker {timings[1]:.2f} s, 2 workers {timings[2]:.2f} s")
    print(f"    speedup {speedup:.2f}   target >= 1.7: {_mark(speedup >= 1.7)}; same results: {same}")


def robustness_ratio(sizes: list[int]) -> None:
    """Robustness from distances against one evaluation of the same state (each from the columns, as a user calls it)."""
    print("(6) robustness / evaluate of the same state (truce.Columns; margin: each zone's uncertainty_km)")
    for n in sizes:
        units, incidents = column_tables(n, n // 10, seed=5)
        repeat = 3 if n <= 100_000 else 1
        whole = best(lambda u=units, i=incidents: truce.evaluate(columns(u, i)), repeat=repeat)
        robust = best(lambda u=units, i=incidents: truce.robustness(columns(u, i)), repeat=repeat)
        print(f"    {n:>9,} units  evaluate {whole:.3f} s, robustness {robust:.3f} s, ratio {robust / whole:.2f}   "
              f"target <= 3: {_mark(robust / whole <= 3)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sweep", type=int, default=10_000)
    parser.add_argument("--max-units", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    small_state()
    growth([n for n in (1_000, 10_000, 100_000, 1_000_000) if n <= args.max_units])
    validation_ratio(min(100_000, args.max_units))
    peak_memory(args.max_units)
    sweep(args.sweep)
    robustness_ratio([n for n in (1_000, 100_000) if n <= args.max_units])
    print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
