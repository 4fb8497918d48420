"""The verdict's contract: statuses, holds, responsible, JSON and the plain account."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import truce

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "idlib-2019"


@pytest.mark.parametrize(
    ("example", "status", "holds"),
    [
        ("01-holds-after-withdrawal", "holds", True),
        ("02-jihadists-stay-in-buffer", "conditions_unmet", False),
        ("04-government-shelling-in-first-hour", "breached", False),
        ("06-before-the-start", "not_in_force", None),
        ("07-unknown-position", "indeterminate", None),
    ],
)
def test_holds_follows_status(example: str, status: str, holds: bool | None) -> None:
    verdict = truce.evaluate(EXAMPLES / f"{example}.yaml")
    assert (verdict.status, verdict.holds) == (status, holds)
    assert json.loads(verdict.model_dump_json())["holds"] == holds


def test_findings_cover_every_clause_with_its_reference() -> None:
    verdict = truce.evaluate(EXAMPLES / "02-jihadists-stay-in-buffer.yaml")
    book = truce.load_rulebook("idlib-2019")
    assert [f.clause for f in verdict.findings] == ["in-force", *(c.id for c in book.clauses)]
    violated = verdict.finding("jihadists-leave-buffer")
    assert violated.status == "violated"
    assert violated.parties == ["hts"]
    assert violated.evidence == ["hts-bn-1"]
    assert "Sochi memorandum art. 5" in violated.reference


def test_explain_reads_as_a_clause_by_clause_account() -> None:
    text = truce.evaluate(EXAMPLES / "02-jihadists-stay-in-buffer.yaml").explain()
    assert "CONDITIONS ARE UNMET" in text
    assert "Responsible: hts." in text
    assert "300 x fighters of Hayat Tahrir al-Sham (hts) remain in the Sochi demilitarized (buffer) zone" in text
    assert "Reference: SANA statement of 1 August 2019" in text
    assert "illustrative" in text


def test_explain_lists_what_is_missing_when_indeterminate() -> None:
    verdict = truce.evaluate(EXAMPLES / "07-unknown-position.yaml")
    assert verdict.missing == ["the position of unit hts-bn-2 (hts, fighters)"]
    assert "the position of unit hts-bn-2" in verdict.explain()


def test_unknown_clause_raises_a_clear_key_error() -> None:
    verdict = truce.evaluate(EXAMPLES / "01-holds-after-withdrawal.yaml")
    with pytest.raises(KeyError, match="no-such-clause"):
        verdict.finding("no-such-clause")


def test_json_is_byte_identical_across_processes() -> None:
    script = "import truce,sys; sys.stdout.write(truce.evaluate(sys.argv[1]).model_dump_json())"
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", script, str(EXAMPLES / "10-unmet-condition-comes-first.yaml")],
            env=env, capture_output=True, text=True, check=True,
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1
    assert outputs.pop() == truce.evaluate(EXAMPLES / "10-unmet-condition-comes-first.yaml").model_dump_json()


def test_threads_get_the_serial_verdicts() -> None:
    paths = sorted(EXAMPLES.glob("*.yaml")) * 4
    serial = [truce.evaluate(p).model_dump_json() for p in paths]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda p: truce.evaluate(p).model_dump_json(), paths))
    assert threaded == serial


def test_a_breach_beside_an_unknown_lists_nothing_missing() -> None:
    """``missing`` is what an indeterminate verdict needs; a certain breach needs nothing more, even with
    another clause unknown (government tanks somewhere, not known where)."""
    state = {"agreement": "idlib-2019", "as_of": "2019-08-03T12:00:00+03:00",
             "units": [{"id": "gov-tanks", "party": "sy-gov", "kind": "tank", "count": 4}],
             "incidents": [{"id": "inc-1", "time": "2019-08-02T00:40:00+03:00", "kind": "shelling", "by": "sy-gov",
                            "position": {"lat": 35.4389, "lon": 36.6511}}]}  # fmt: skip
    verdict = truce.evaluate(state)
    assert (verdict.status, verdict.finding("government-heavy-weapons").status) == ("breached", "unknown")
    assert verdict.missing == []
    unknown_only = truce.evaluate({**state, "incidents": []})
    assert unknown_only.status == "indeterminate"
    assert unknown_only.missing == ["the position of unit gov-tanks (sy-gov, tank)"]
