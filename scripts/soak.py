"""Soak test: evaluate many generated scenarios with every available engine and report the figures.

    PYTHONPATH=src python scripts/soak.py                 # 100,000 evaluations per engine
    PYTHONPATH=src python scripts/soak.py --count 5000    # a quick run

Scenarios come from ``truce.strategies`` for every bundled rulebook and reading; each is
evaluated by each engine, and the verdict JSON must agree. Prints evaluations, rate,
crashes (any exception), disagreements, and resident memory after warm-up and at the end
(it must stay flat). Exits 1 if anything crashed, disagreed, or memory grew beyond --max-growth-mb.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

import truce
from truce._engines import available_engines
from truce.strategies import scenarios

Job = tuple[dict[str, Any], truce.Rulebook, str]


def resident_mb() -> float:
    """Current resident set size in MiB (Linux /proc; else the peak from getrusage)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource  # noqa: PLC0415 - fallback only where /proc is missing

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pool(per_book: int) -> list[Job]:
    """Generated states for every bundled rulebook, paired with each of its readings in turn."""
    jobs: list[Job] = []
    for info in truce.list_rulebooks():
        _collect(truce.load_rulebook(info.id), per_book, jobs)
    return jobs


def _collect(book: truce.Rulebook, count: int, jobs: list[Job]) -> None:
    readings = list(book.readings)

    @settings(max_examples=count, database=None, derandomize=True, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(scenarios(book))
    def collect(state: dict[str, Any]) -> None:
        jobs.append((state, book, readings[len(jobs) % len(readings)]))

    collect()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000, help="evaluations per engine (default 100000)")
    parser.add_argument("--pool", type=int, default=300, help="generated states per rulebook (default 300)")
    parser.add_argument("--every", type=int, default=10_000, help="print progress every N evaluations")
    parser.add_argument("--max-growth-mb", type=float, default=20.0, help="memory growth that counts as a leak")
    args = parser.parse_args()

    engines = available_engines()
    jobs = pool(args.pool)
    print(f"python {sys.version.split()[0]}; engines {', '.join(engines)}; {len(jobs)} generated states", flush=True)
    for state, book, reading in jobs:  # warm-up: compile rulesets, fill caches
        for engine in engines:
            truce.evaluate(state, rules=book, reading=reading, engine=engine)
    start_mb = resident_mb()
    crashes = disagreements = 0
    began = time.perf_counter()
    for n in range(1, args.count + 1):
        state, book, reading = jobs[n % len(jobs)]
        dumps = set()
        for engine in engines:
            try:
                dumps.add(truce.evaluate(state, rules=book, reading=reading, engine=engine).model_dump_json())
            except Exception:
                crashes += 1
                if crashes <= 3:
                    traceback.print_exc()
        disagreements += len(dumps) > 1
        if n % args.every == 0:
            rate = n / (time.perf_counter() - began)
            print(f"  {n:>9,} evaluations per engine  {rate:8.0f}/s  rss {resident_mb():7.1f} MiB", flush=True)
    elapsed = time.perf_counter() - began
    end_mb = resident_mb()
    print(f"evaluations:   {args.count:,} per engine, {args.count * len(engines):,} in all")
    print(f"elapsed:       {elapsed:.1f} s ({args.count / elapsed:.0f} states/s, each through {len(engines)} engine(s))")
    print(f"crashes:       {crashes}")
    print(f"disagreements: {disagreements}")
    print(f"memory:        start {start_mb:.1f} MiB, end {end_mb:.1f} MiB, growth {end_mb - start_mb:+.1f} MiB")
    return 1 if crashes or disagreements or end_mb - start_mb > args.max_growth_mb else 0


if __name__ == "__main__":
    sys.exit(main())
