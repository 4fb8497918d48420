"""Write (or, with --check, compare) the golden outputs: every example's verdict JSON under every
reading, and its timeline JSON, byte for byte. A refactoring must leave them unchanged.

Their provenance is kept whole (truce's version, the SHA-256 of each bundled rulebook file, the
input's hash: the same on every machine) except the engine, left out so that both engines are
held to the same bytes.

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


def _dump(answer: truce.Verdict | truce.Timeline) -> str:
    """The answer's JSON, its provenance without the engine."""
    return answer.model_copy(update={"provenance": answer.provenance.model_copy(update={"engine": None})}).model_dump_json()


def outputs(engine: str | None = None) -> dict[str, dict[str, str]]:
    """File name -> {key -> JSON text} for every golden output, decided by ``engine``."""
    verdicts: dict[str, str] = {}
    timelines: dict[str, str] = {}
    for path in EXAMPLES:
        name = f"{path.parent.name}/{path.name}"
        book = truce.load_rulebook(truce.load_scenario(path).agreement or "")
        for reading in book.readings:
            verdicts[f"{name} [{reading}]"] = _dump(truce.evaluate(path, reading=reading, engine=engine))
            timelines[f"{name} [{reading}]"] = _dump(truce.timeline(path, reading=reading, engine=engine))
    log = read_acled(SAMPLE_CSV, SAMPLE_MAPPING).scenario()
    for reading in ("sochi", "government"):
        timelines[f"acled-sample [{reading}]"] = _dump(truce.timeline(log, reading=reading, engine=engine))
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
