"""The ``truce`` command: evaluate scenario files and print each verdict."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .errors import TruceError
from .evaluate import evaluate

_EXIT = {"holds": 0, "breached": 1, "conditions_unmet": 1, "indeterminate": 2, "not_in_force": 2}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: ``truce evaluate SCENARIO... [--rules R] [--reading X] [--format text|json]``."""
    parser = argparse.ArgumentParser(prog="truce", description="Evaluate ceasefire terms against scenario states.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("evaluate", help="evaluate scenario files and print each verdict")
    run.add_argument("scenarios", nargs="+", help="scenario .yaml/.json files")
    run.add_argument("--rules", help="a rulebook id or file (default: each scenario's agreement)")
    run.add_argument("--reading", help="a reading of the rulebook (default: the scenario's, else the rulebook's)")
    run.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    worst = 0
    for path in args.scenarios:
        try:
            verdict = evaluate(path, rules=args.rules, reading=args.reading)
        except TruceError as exc:
            print(f"truce: {exc}", file=sys.stderr)
            return 3
        if args.format == "json":
            print(verdict.model_dump_json())
        else:
            print(f"== {path}\n{verdict.explain()}\n")
        worst = max(worst, _EXIT[verdict.status])
    return worst


if __name__ == "__main__":
    sys.exit(main())
