"""Benchmark: the timeline of 1k, 10k and 100k events against one evaluation of the final state.

    PYTHONPATH=src python bench/timeline_bench.py [SIZES...]

Prints seconds per run and the ratio timeline / evaluate. An incremental
timeline keeps that ratio small and roughly flat as the log grows; one that
re-evaluated at every event would see it grow with the number of events.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta

import numpy as np

import truce
from truce._scenario import Scenario
from truce._timeline import timeline

START = datetime.fromisoformat("2019-07-20T00:00:00+03:00")
PARTIES = ["sy-gov", "ru", "hts", "nfl", "other-jihadists", None]
KINDS = ["armed_clash", "shelling", "air_strike"]
UNIT_KINDS = ["fighters", "tank", "mortar", "artillery"]


def log(size: int, seed: int = 1) -> Scenario:
    """``size`` events over 40 days in and around Idlib: nine in ten incidents, one in ten unit sightings."""
    rng = np.random.default_rng(seed)
    seconds = np.sort(rng.uniform(0, 40 * 86400, size))
    lat, lon = rng.uniform(35.1, 36.1, size), rng.uniform(36.2, 37.0, size)
    incidents, units = [], []
    for n in range(size):
        when = START + timedelta(seconds=float(seconds[n]))
        place = {"lat": float(lat[n]), "lon": float(lon[n])}
        if n % 10:
            item: dict[str, object] = {"id": f"e{n}", "time": when, "kind": KINDS[n % 3], "by": PARTIES[n % 6],
                                       "position": place}
            if n % 7 == 0:
                item["latest"] = when + timedelta(days=1)
            incidents.append(item)
        else:
            party = ["hts", "nfl", "sy-gov"][n % 3]
            units.append({"id": f"u{n % 200}", "party": party, "kind": UNIT_KINDS[n % 4], "count": 5,
                          "position": place, "observed": when})
    last = START + timedelta(days=41)
    return Scenario.model_validate({"agreement": "idlib-2019", "as_of": last, "units": units, "incidents": incidents})


def best(run: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - began)
    return min(times)


def main(sizes: list[int]) -> None:
    book = truce.load_rulebook("idlib-2019")
    truce.evaluate(log(10), rules=book)  # compile the rules once, outside the timings
    print(f"{'events':>8} {'timeline s':>11} {'evaluate s':>11} {'ratio':>7} {'us/event':>9} {'intervals':>9}")
    for size in sizes:
        state = log(size)
        repeat = 3 if size <= 10_000 else 1
        line = timeline(state, rules=book)
        t_line = best(lambda state=state: timeline(state, rules=book), repeat)
        t_eval = best(lambda state=state: truce.evaluate(state, rules=book), repeat)
        print(f"{size:>8} {t_line:>11.3f} {t_eval:>11.3f} {t_line / t_eval:>7.2f} {1e6 * t_line / size:>9.1f}"
              f" {len(line.intervals):>9}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000])
