"""Write (or, with --check, compare) the golden outputs: every example's verdict JSON under every
reading, and its timeline JSON, byte for byte. A refactoring must leave them unchanged.

    python scripts/golden.py          # rewrite tests/golden/*.json after a deliberate change
    python scripts/golden.py --check  # exit 1 and list what differs
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import truce
from truce.io.acled import SAMPLE_CSV, SAMPLE_MAPPING, read_acled

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*/*.yaml"))
OUT = ROOT / "tests" / "golden"


def outputs(engine: str | None = None) -> dict[str, dict[str, str]]:
    """File name -> {key -> JSON text} for every golden output, decided by ``engine``."""
    verdicts: dict[str, str] = {}
    timelines: dict[str, str] = {}
    for path in EXAMPLES:
        name = f"{path.parent.name}/{path.name}"
        book = truce.load_rulebook(truce.load_scenario(path).agreement or "")
        for reading in book.readings:
            verdicts[f"{name} [{reading}]"] = truce.evaluate(path, reading=reading, engine=engine).model_dump_json()
            timelines[f"{name} [{reading}]"] = truce.timeline(path, reading=reading, engine=engine).model_dump_json()
    log = read_acled(SAMPLE_CSV, SAMPLE_MAPPING).scenario()
    for reading in ("sochi", "government"):
        timelines[f"acled-sample [{reading}]"] = truce.timeline(log, reading=reading, engine=engine).model_dump_json()
    return {"verdicts.json": verdicts, "timelines.json": timelines}


def main() -> int:
    check = "--check" in sys.argv[1:]
    differ = []
    for file, found in outputs().items():
        target = OUT / file
        if check:
            stored = json.loads(target.read_text(encoding="utf-8"))
            differ += [f"{file}: {key}" for key in sorted(set(stored) | set(found)) if stored.get(key) != found.get(key)]
        else:
            OUT.mkdir(exist_ok=True)
            target.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    for line in differ:
        print(line)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
