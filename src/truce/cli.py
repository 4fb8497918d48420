"""The ``truce`` command: evaluate scenario files, or check them against their stored expectations."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import TruceError
from .evaluate import evaluate, mismatches
from .load import load_scenario

_EXIT = {"holds": 0, "breached": 1, "conditions_unmet": 1, "indeterminate": 2, "not_in_force": 2}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``truce`` command."""
    parser = argparse.ArgumentParser(prog="truce", description="Evaluate ceasefire terms against scenario states.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("evaluate", help="evaluate scenario files and print each verdict")
    run.add_argument("scenarios", nargs="+", help="scenario .yaml/.json files")
    run.add_argument("--rules", help="a rulebook id or file (default: each scenario's agreement)")
    run.add_argument("--reading", help="a reading of the rulebook (default: the scenario's, else the rulebook's)")
    run.add_argument("--format", choices=("text", "json"), default="text")
    check = commands.add_parser("test", help="evaluate scenario files that carry expected verdicts; exit 1 on a mismatch")
    check.add_argument("paths", nargs="+", help="scenario files, or folders to search for *.yaml")
    args = parser.parse_args(argv)
    try:
        return _evaluate(args) if args.command == "evaluate" else _test(args.paths)
    except TruceError as exc:
        print(f"truce: {exc}", file=sys.stderr)
        return 3


def _evaluate(args: argparse.Namespace) -> int:
    worst = 0
    for path in args.scenarios:
        verdict = evaluate(path, rules=args.rules, reading=args.reading)
        print(verdict.model_dump_json() if args.format == "json" else f"== {path}\n{verdict.explain()}\n")
        worst = max(worst, _EXIT[verdict.status])
    return worst


def _test(paths: Sequence[str]) -> int:
    files = sorted(f for p in map(Path, paths) for f in (sorted(p.rglob("*.yaml")) if p.is_dir() else [p]))
    failures = checked = 0
    for path in files:
        scenario = load_scenario(path)
        for reading, expected in scenario.expect.items():
            verdict = evaluate(scenario, reading=reading)
            wrong = mismatches(verdict, expected)
            checked += 1
            failures += bool(wrong)
            print(f"== {path} [{reading}]: {'FAIL: ' + '; '.join(wrong) if wrong else 'as expected'}\n{verdict.explain()}\n")
    print(f"{checked - failures} passed, {failures} failed")
    return 1 if failures else 0
