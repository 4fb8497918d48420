"""Every example's verdict and timeline JSON is byte-identical to the stored golden outputs, on every engine.

A deliberate change of output is recorded with ``python scripts/golden.py`` and reviewed in the diff.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from truce._engines import available_engines

_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "golden.py"
_spec = importlib.util.spec_from_file_location("golden", _SCRIPT)
assert _spec is not None and _spec.loader is not None
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)


@pytest.mark.parametrize("engine", available_engines())
def test_outputs_are_byte_identical_to_the_golden_files(engine: str) -> None:
    found = golden.outputs(engine)
    for file, outputs in found.items():
        stored = json.loads((golden.OUT / file).read_text(encoding="utf-8"))
        assert sorted(outputs) == sorted(stored), file
        differ = [key for key in stored if outputs[key] != stored[key]]
        assert differ == [], f"{file}: {differ[:5]}"
