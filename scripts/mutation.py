"""Mutation testing of truce's core modules with mutmut: per module, the tests of its stage are run against
each small planted bug (a mutant); a mutant they all pass is a survivor, a bug the suite would let through.

    python scripts/mutation.py                    # every core module (hours on 2 cores)
    python scripts/mutation.py io/_merge.py       # one module or folder (relative to src/truce), or one file
                                                  # of a core folder (run against the folder's tests)
    python scripts/mutation.py _items.py --only both --only Items.launched_in
                                                  # only these functions' mutants (a file, not a folder)
    python scripts/mutation.py _clauses/ --resume # keep the run in .mutation/ and go on from where it stopped
    python scripts/mutation.py --list             # the modules and the tests run against each

Each module runs in a scratch copy of the repository (mutmut writes its mutants/ folder there) with the
venv .venv-mutation: the project's dependencies and mutmut, but not truce itself, since the tests must
import mutmut's mutated copy; each mutant's tests run fastest first. Prints per file (each file of a
folder apart) the mutants killed (a timeout counts as killed) out of all, the score, and each survivor
with its change; exits 1 if a file scores under --threshold, and 2 if mutmut could not test a module's
mutants (the tests fail on the code as it is).

With --resume a module's run lives in .mutation/<module>/ and is kept: stopped part way (Ctrl-C, a lost
session), the same command goes on with the mutants not yet tested. Each resumed run copies the repository in
afresh, tests again every mutant not killed so far (so new tests get their chance), and tests the mutants of
every function whose code changed; a mutant of unchanged code already killed stays killed. mutmut times and maps
to the code they run only the tests new by name (mapping all again takes as long as the clean tests run with every
rulebook built afresh: delete .mutation/<module>/mutants/mutmut-stats.json to have it). For the score a change is
resolved on, run without --resume, or delete .mutation/<module>/ first, if tests were removed or weakened since
the kills.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv-mutation"
KEPT = ROOT / ".mutation"
MUTMUT = "mutmut==3.8.1"
CORE: dict[str, tuple[str, ...]] = {
    "_logic.py": ("test_decide.py", "test_decision_types.py", "test_engines.py", "test_verdict.py"),
    "_observe.py": ("test_observe.py", "test_origin.py", "test_candidates.py"),
    "_clauses/": ("test_clauses.py", "test_observe.py", "test_origin.py", "test_candidates.py", "test_agreements.py", "test_freeze.py",
                  "test_mandates.py", "test_permissions.py", "test_obligations.py", "test_thresholds.py", "test_sequencing.py",
                  "test_stale.py", "test_golden.py",
                  "test_repair.py", "test_cli_check.py", "test_robustness.py", "test_contrast.py", "test_timeline.py"),
    "_geo.py": ("test_zones.py", "test_bands.py", "test_beyond.py", "test_robustness.py"),
    "_columns.py": ("test_columns.py", "test_converter.py"),
    "_items.py": ("test_items.py", "test_observe.py", "test_origin.py", "test_freeze.py", "test_candidates.py", "test_columns.py",
                  "test_converter.py", "test_timeline.py", "test_agreements.py",
                  "test_robustness.py", "test_repair.py", "test_thresholds.py"),
    "_load.py": ("test_load.py", "test_field_suggestions.py"),
    "io/": ("test_acled.py", "test_ucdp.py", "test_merge.py", "test_io_core.py"),
}
"""Each core module (or folder) of src/truce, and the test files of its stage that are run against its mutants."""
LEFT_OUT: dict[str, str] = {
    "_clauses/": "not strategies_reach_every and not strategy_gives_every and not generated_states_reach_every "
                 "and not generated_states_hold_stale",
}
"""Tests left out of a module's selection (a pytest ``-k`` expression): the clause units' property tests that only ask
whether the hypothesis strategies (test data, left unmutated) reach every finding. They run every clause for about
100 s, so each surviving mutant would wait for them, and a mutant they alone would kill is not known."""
NOT_MUTATED = ("_clauses/_strategies.py",)
"""Files of a core folder left unmutated: the hypothesis strategies that generate states for tests (test data,
not a step of any decision; a mutant there only changes which states the property tests draw)."""
_COPIED = ("src", "tests", "rules", "examples", "docs", "scripts", "README.md", "LICENSE", "pyproject.toml")
_RESULT = re.compile(r"^\s*(\S+): (\S.*)$")


def _tests(module: str) -> tuple[str, ...] | None:
    """The tests run against ``module``: a core module's or folder's, or, for a file in a core folder, the folder's."""
    if module in CORE:
        return CORE[module]
    folder = module.rpartition("/")[0] + "/"
    mutated = module.endswith(".py") and module not in NOT_MUTATED and (ROOT / "src" / "truce" / module).is_file()
    return CORE.get(folder) if mutated else None


class MutationError(RuntimeError):
    """mutmut did not test the mutants (the tests fail on the code as it is, or mutmut broke): no score."""


def _venv() -> Path:
    """The mutation venv's bin folder, made on first use: dependencies and mutmut, and no installed truce."""
    bin_dir = VENV / "bin"
    if not (bin_dir / "mutmut").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(bin_dir / "pip"), "install", "-q", f"{ROOT}[test]", MUTMUT], check=True)
    subprocess.run([str(bin_dir / "pip"), "uninstall", "-q", "-y", "truce"], check=False, capture_output=True)
    return bin_dir


def _scratch(module: str, tests: tuple[str, ...], kept: Path | None = None) -> Path:
    """A copy of the repository whose pyproject tells mutmut to mutate ``module`` and run ``tests``: in a new
    temporary folder, or refreshed in ``kept`` (where mutmut's mutants/ folder and results of a former run stay)."""
    folder = kept or Path(tempfile.mkdtemp(prefix="truce-mutation-"))
    folder.mkdir(parents=True, exist_ok=True)
    for name in _COPIED:
        source, copy = ROOT / name, folder / name
        if copy.is_dir():
            shutil.rmtree(copy)
        if source.is_dir():
            shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.exists():
            shutil.copy2(source, copy)
    pattern = f"src/truce/{module}*" if module.endswith("/") else f"src/truce/{module}"
    selection = ", ".join(f'"tests/{t}"' for t in tests)
    kept_out = LEFT_OUT.get(module) or LEFT_OUT.get(module.rpartition("/")[0] + "/")  # a module, or a file of a folder
    left_out = f'pytest_add_cli_args = ["-k", "{kept_out}"]\n' if kept_out else ""
    unmutated = ", ".join(f'"src/truce/{f}"' for f in NOT_MUTATED)
    with (folder / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write(f'\n[tool.mutmut]\nsource_paths = ["src"]\nonly_mutate = ["{pattern}"]\n'
                     f'pytest_add_cli_args_test_selection = [{selection}]\n'
                     f'do_not_mutate = [{unmutated}]\n{left_out}'
                     'also_copy = ["rules", "examples", "tests", "docs", "scripts", "README.md"]\n'
                     'forkserver_warmup = "import"\npreload_modules_file = "preload.txt"\n'
                     'timeout_multiplier = 5.0\n')  # fmt: skip  # a hung mutant is cut at 10 times its tests' CPU time, not 30
    (folder / "preload.txt").write_text("\n".join(_PRELOAD), encoding="utf-8")
    with (folder / "tests" / "conftest.py").open("a", encoding="utf-8") as conftest:
        conftest.write(_CONFTEST_HOOKS)
    (folder / "mutants" / "src").mkdir(parents=True, exist_ok=True)  # on PYTHONPATH before mutmut fills it, or `import truce` fails
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    metadata = folder / "mutants" / "src" / f"truce-{version}.dist-info"  # the version a verdict's provenance names
    metadata.mkdir(exist_ok=True)
    (metadata / "METADATA").write_text(f"Metadata-Version: 2.1\nName: truce\nVersion: {version}\n", encoding="utf-8")
    return folder


_PRELOAD = ("numpy", "shapely", "pyproj", "pydantic", "yaml", "hypothesis", "matplotlib.pyplot", "truce")
"""What each mutant's tests start from, already imported: the libraries and truce, but not the test modules, whose
collection loads rulebooks and builds their zones (a zone built once, unmutated, would hide every mutant of the
code that builds it)."""

_CONFTEST_HOOKS = '''

from hypothesis import settings as _settings

_settings.register_profile("mutation", derandomize=True, database=None, deadline=None)
_settings.load_profile("mutation")  # the same examples for every mutant, and no deadline for a machine kept busy


def pytest_collection_modifyitems(items):
    """Added by scripts/mutation.py: a mutant's tests run fastest first, by mutmut's timings of the clean run
    (mutmut stops at the first failure, so a killed mutant seldom waits for the slow property tests)."""
    import json, pathlib
    stats = pathlib.Path("mutmut-stats.json")
    if stats.is_file():
        seconds = json.loads(stats.read_text(encoding="utf-8"))["duration_by_test"]
        items.sort(key=lambda item: seconds.get(item.nodeid, 0.0))


def pytest_sessionstart(session):
    """Added by scripts/mutation.py: each pytest session (a mutant's runs in a process forked from the one that ran
    the clean tests) starts from no rulebook built and no test module imported, so the rulebooks its tests load, at
    import or later, are built by the code under test, mutated or not."""
    import pathlib, sys
    import truce._load
    truce._load._cache.clear()
    here = pathlib.Path(__file__).resolve().parent
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and pathlib.Path(file).resolve().parent == here and pathlib.Path(file).resolve() != pathlib.Path(__file__).resolve():
            del sys.modules[name]


@pytest.fixture(autouse=True)
def _rulebooks_built_afresh():
    """Added by scripts/mutation.py: while mutmut times the tests and sees which code each runs, no test finds a
    rulebook another built, so each test that loads one is seen to run the code that builds it (and its zones)."""
    import os
    import truce._load
    if os.environ.get("MUTANT_UNDER_TEST") == "stats":
        truce._load._cache.clear()
'''
"""Hooks for the scratch copy's conftest: each mutant gets the same tests and examples, in an order that finds a
failure sooner, and every test that builds a rulebook is known to."""


def _patterns(module: str, functions: list[str]) -> list[str]:
    """mutmut's names for the mutants of ``functions`` (``name`` or ``Class.name``) of the file ``module``."""
    dotted = "truce." + module.removesuffix(".py").replace("/", ".")
    patterns = []
    for function in functions:
        owner, _, name = function.rpartition(".")
        patterns.append(f"{dotted}.{f'xǁ{owner}ǁ{name}' if owner else f'x_{name}'}__mutmut_*")
    return patterns


_RETEST = """
import json, pathlib
from mutmut.stats import status_by_exit_code
for meta in pathlib.Path("mutants").rglob("*.meta"):
    data = json.loads(meta.read_text(encoding="utf-8"))
    codes = data.get("exit_code_by_key", {})
    for key, code in codes.items():
        if code is not None and status_by_exit_code[code] not in ("killed", "timeout"):
            codes[key] = None
    meta.write_text(json.dumps(data), encoding="utf-8")
"""
"""Run in a kept folder before mutmut goes on: every mutant not killed is tested again."""


def run(module: str, tests: tuple[str, ...], children: int, only: Sequence[str] = (),
        resume: bool = False) -> dict[str, list[tuple[str, str | None]]]:  # fmt: skip
    """Mutate one module or folder (only the mutants matching the ``only`` patterns, if any): per file, each mutant's
    name and, for a survivor, its status and change (None for a killed one). With ``resume``, in the kept folder of
    the module, going on from its former run."""
    kept = KEPT / module.rstrip("/").replace("/", "+") if resume else None
    bin_dir, folder = _venv(), _scratch(module, tests, kept)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONPATH"] = str(folder / "mutants" / "src")  # tests that start `python -m truce` import the mutated copy too
    try:
        if kept is not None:
            subprocess.run([str(bin_dir / "python"), "-c", _RETEST], cwd=folder, check=True)
        ran = subprocess.run([str(bin_dir / "mutmut"), "run", "--max-children", str(children), *only], cwd=folder, env=env,
                             check=False, capture_output=True, text=True)  # fmt: skip
        if ran.returncode != 0:
            output = (ran.stdout + ran.stderr)[-6000:]
            raise MutationError(f"{module}: mutmut could not run the tests (exit {ran.returncode}):\n{output}")
        listed = subprocess.run([str(bin_dir / "mutmut"), "results", "--all", "true"], cwd=folder, env=env,
                                capture_output=True, text=True, check=False).stdout  # fmt: skip
        results = [(m[1], m[2].strip()) for line in listed.splitlines() if (m := _RESULT.match(line))]
        results = [(name, status) for name, status in results if not only or any(fnmatch.fnmatchcase(name, p) for p in only)]
        unchecked = [name for name, status in results if status == "not checked"]
        if unchecked or not results:
            raise MutationError(f"{module}: mutmut tested {len(results) - len(unchecked)} of {len(results)} mutants")
        by_file: dict[str, list[tuple[str, str | None]]] = {}
        for name, status in results:
            change = None
            if status not in ("killed", "timeout"):
                shown = subprocess.run([str(bin_dir / "mutmut"), "show", name], cwd=folder, env=env, capture_output=True,
                                       text=True, check=False).stdout  # fmt: skip
                lines = " / ".join(line[1:].strip() for line in shown.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---"))
                change = f"({status}): {lines}"
            dotted = name.rpartition(".x")[0].removeprefix("truce.")  # truce._clauses.cap.xǁCapǁmessage__mutmut_1
            by_file.setdefault(dotted.replace(".", "/") + ".py", []).append((name, change))
        return by_file
    finally:
        if kept is None:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="core modules to mutate (default: all of them)")
    parser.add_argument("--list", action="store_true", help="list the core modules and their tests")
    parser.add_argument("--threshold", type=float, default=90.0, help="the lowest score accepted, in percent")
    parser.add_argument("--children", type=int, default=os.cpu_count() or 1, help="mutants tested at once")
    parser.add_argument("--only", action="append", default=[], metavar="FUNCTION",
                        help="mutate only this function (name, or Class.name) of the one file given; repeatable")
    parser.add_argument("--resume", action="store_true",
                        help=f"keep each module's run in {KEPT.name}/ and go on from a former one there (see above)")
    args = parser.parse_args()
    if args.list:
        for module, tests in CORE.items():
            print(f"{module}: {' '.join(tests)}" + (f" (-k '{LEFT_OUT[module]}')" if module in LEFT_OUT else ""))
        return 0
    unknown = [m for m in args.modules if _tests(m) is None]
    if unknown:
        parser.error(f"not a core module nor a file of a core folder: {', '.join(unknown)} (see --list)")
    if args.only and (len(args.modules) != 1 or not args.modules[0].endswith(".py")):
        parser.error("--only needs exactly one module file (not a folder)")
    low = False
    for module in args.modules or list(CORE):
        try:
            by_file = run(module, _tests(module) or (), args.children, _patterns(module, args.only), args.resume)
        except MutationError as exc:
            print(exc, file=sys.stderr, flush=True)
            return 2
        part = f" ({', '.join(args.only)} only)" if args.only else ""
        for file, mutants in sorted(by_file.items()):
            survivors = [(name, change) for name, change in mutants if change is not None]
            killed, total = len(mutants) - len(survivors), len(mutants)
            score = 100.0 * killed / total
            low |= score < args.threshold
            print(f"{file}{part}: {killed}/{total} mutants killed, score {score:.1f}%  (threshold {args.threshold:g}%)", flush=True)
            for name, change in survivors:
                print(f"    survived: {name} {change}", flush=True)
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
