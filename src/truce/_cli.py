"""The ``truce`` command: evaluate, explain and compare verdicts; lint, test and map rulebooks.

Exit status, for scripts: 0 the ceasefire holds, 1 it does not (breached or
its conditions unmet), 2 indeterminate or not in force, 3 bad input (every
problem on stderr, one line each, never a traceback), 4 an internal error (a bug).
With several files, the highest of their codes.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from ._case import Case, prepare
from ._contrast import contrast as _contrast
from ._errors import EngineError, Problem, RulebookError, ScenarioError, TruceError, one_line
from ._evaluate import evaluate as _evaluate
from ._evaluate import verdicts_by_reading
from ._export import feature_collection, write_csv
from ._limits import FIRST_YEAR, LAST_YEAR
from ._lint import lint_rulebook
from ._load import list_rulebooks, load_rulebook
from ._map import draw_map, image_path
from ._page import PAGE_SUFFIXES, write_page
from ._provenance import truce_version
from ._render import readings_view, rulebooks_view, status_label, verdict_view, vocabulary, vocabulary_view
from ._repair import repair as _repair
from ._robustness import robustness as _robustness
from ._scenario_tests import expectation_diff, expected_cases, find_scenario_tests
from ._schema import SchemaName, json_schema
from ._source import parse_text
from ._sweep import sweep as _sweep
from ._timeline_cli import timeline_command
from ._verdict import Verdict
from .io import SLACK_KM

__all__ = ["EXIT_BAD_INPUT", "EXIT_CODES", "app", "main"]

EXIT_CODES: dict[str, int] = {"holds": 0, "breached": 1, "conditions_unmet": 1, "indeterminate": 2, "not_in_force": 2}
EXIT_BAD_INPUT = 3
_EXIT_BUG = 4

app = typer.Typer(
    name="truce",
    help="Evaluate ceasefire terms, encoded as declarative rules, against scenario states.",
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: typer's rich panels show a <bool> type beside every flag
    context_settings={"help_option_names": ["-h", "--help"]},
)
_out = Console()
_err = Console(stderr=True)

T = TypeVar("T")


class Format(StrEnum):
    """Output format: a table for people, or JSON for programs."""

    text = "text"
    json = "json"


_problem_limit: ContextVar[int | None] = ContextVar("problem_limit", default=None)
_STDIN = "-"


def _limit_problems(value: int | None) -> int | None:
    if value is not None:
        _problem_limit.set(value)
    return value


Rules = Annotated[
    str | None,
    typer.Option("--rules", "-r", help="A bundled rulebook id or a rulebook file (default: the scenario's agreement)."),
]
MaxProblems = Annotated[
    int | None,
    typer.Option(
        "--max-problems", min=1, callback=_limit_problems, metavar="N",
        help="Show at most N problems of a bad input, saying how many more there are (default: all).",
    ),
]
ReadingOpt = Annotated[
    str | None,
    typer.Option("--reading", help="A reading of the rulebook (default: the scenario's, else the rulebook's)."),
]
Tiles = Annotated[
    str | None,
    typer.Option("--tiles", metavar="URL", help="A basemap tile URL with {z}, {x} and {y} for the map page (default: none, no network)."),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="text for people, json for programs.")]
ScenarioArg = Annotated[
    Path, typer.Argument(help="A scenario .yaml or .json file, or - to read one from stdin.", show_default=False)
]
ScenariosArg = Annotated[
    list[Path],
    typer.Argument(help="Scenario .yaml or .json files (- reads one from stdin).", show_default=False),
]


def track(items: Sequence[T], what: str) -> Iterator[T]:
    """Iterate ``items`` behind a progress bar on stderr, shown only for several items on a terminal."""
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_err,
        transient=True,
        disable=len(items) < 2 or not _err.is_terminal,
    )
    with progress:
        yield from progress.track(items, description=what)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"truce {truce_version()}")
        raise typer.Exit(0)


@app.callback()
def _root(
    show_version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Evaluate ceasefire terms, encoded as declarative rules, against scenario states.

    Exit status: 0 holds, 1 breached or conditions unmet, 2 indeterminate or
    not in force, 3 bad input.
    """


def _prepared(scenario: Path, rules: str | None = None, reading: str | None = None) -> Case:
    """The case of a scenario file, or of the scenario on stdin for ``-`` (YAML or JSON; a relative
    ``agreement`` path is then read from the current folder)."""
    if str(scenario) == _STDIN:
        return prepare(parse_text(sys.stdin.read(), "<stdin>", ScenarioError), rules, reading)
    return prepare(scenario, rules, reading)


def _outcome_code(outcome: Verdict | TruceError) -> int:
    if isinstance(outcome, EngineError):
        return _EXIT_BUG
    return EXIT_BAD_INPUT if isinstance(outcome, TruceError) else EXIT_CODES[outcome.status]


def _verdict_json(path: Path | str, verdict: BaseModel, **extra: object) -> str:
    """One line of JSON: the file, then the fields of the verdict (or other answer about it: a repair, a robustness),
    and any ``extra``."""
    return json.dumps({"file": str(path), **json.loads(verdict.model_dump_json()), **extra})


def _error_json(path: Path | str, exc: TruceError) -> str:
    """One line of JSON for an input that could not be evaluated, with every problem."""
    return json.dumps({"file": str(path), "error": _one_line(exc), "problems": [str(p) for p in exc.problems]})


class EvaluateFormat(StrEnum):
    """What evaluate prints: a table, JSON, GeoJSON for maps, or CSV with one row per finding."""

    text = "text"
    json = "json"
    geojson = "geojson"
    csv = "csv"


@app.command()
def evaluate(
    scenarios: ScenariosArg,
    rules: Rules = None,
    reading: ReadingOpt = None,
    fmt: Annotated[
        EvaluateFormat, typer.Option("--format", "-f", help="text for people; json, geojson (zones, units, incidents) or csv for programs.")
    ] = EvaluateFormat.text,
    _max_problems: MaxProblems = None,
) -> None:
    """Evaluate scenario files and print each verdict, clause by clause.

    Every file is evaluated; one that cannot be is reported on stderr (and as a JSON line
    with "error") and the rest still run. The exit status is the highest of the files'.
    With --format json or geojson, one JSON document per line, each with its "file"; with
    --format csv, one row per finding of every file.
    """
    worst = 0
    found: list[tuple[str, Verdict]] = []
    for path in track(scenarios, "evaluating"):
        outcome: Verdict | TruceError
        try:
            case = _prepared(path, rules, reading)
            outcome = _evaluate(case)
        except EngineError:
            raise  # a bug: reported as one, not as this file's bad input
        except TruceError as exc:
            outcome = exc
        worst = max(worst, _outcome_code(outcome))
        if isinstance(outcome, TruceError):
            print(_report(outcome), file=sys.stderr)
            if fmt in (EvaluateFormat.json, EvaluateFormat.geojson):
                typer.echo(_error_json(path, outcome))
        elif fmt is EvaluateFormat.json:
            typer.echo(_verdict_json(path, outcome))
        elif fmt is EvaluateFormat.geojson:
            typer.echo(json.dumps({"file": str(path), **feature_collection(case, outcome)}, ensure_ascii=False))
        elif fmt is EvaluateFormat.csv:
            found.append((str(path), outcome))
        else:
            _out.print(verdict_view(outcome, str(path)))
    if fmt is EvaluateFormat.csv:
        table = io.StringIO()
        write_csv(found, table)
        typer.echo(table.getvalue(), nl=False)
    raise typer.Exit(worst)


@app.command()
def sweep(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario .yaml or .json files.", show_default=False)],
    rules: Rules = None,
    reading: ReadingOpt = None,
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1, help="Worker processes (default: one per core).")] = None,
    scheduler: Annotated[
        str | None, typer.Option("--dask", help="Run on a dask.distributed scheduler at this address instead of local processes.")
    ] = None,
    fmt: FormatOpt = Format.text,
) -> None:
    """Evaluate many scenario files in parallel: one line each, in the order given.

    A file that cannot be evaluated is reported on its line and the rest still
    run; the exit status is the worst over all files (3 if any was bad input).
    """
    if scheduler is not None:
        if workers is not None:
            raise TruceError.from_problems(
                "--workers does not apply with --dask",
                [Problem("--workers", "cannot be used with --dask: the cluster has its own workers",
                         suggestion="drop --workers, or drop --dask to run local processes")],
            )
        try:
            from distributed import Client  # noqa: PLC0415  (an optional extra)
        except ImportError:
            raise typer.BadParameter("--dask needs dask.distributed: pip install '.[dask]' from a clone") from None
        with Client(scheduler) as client:  # type: ignore[no-untyped-call]
            workers = sum(client.nthreads().values()) or None
            outcomes = _sweep(scenarios, rules, reading, client.get_executor(), workers=workers, progress=True)
    else:
        outcomes = _sweep(scenarios, rules, reading, workers=workers, progress=True)
    worst = 0
    for path, outcome in zip(scenarios, outcomes, strict=True):
        worst = max(worst, _outcome_code(outcome))
        if isinstance(outcome, TruceError):
            typer.echo(_error_json(path, outcome) if fmt is Format.json else f"{path}: error: {_one_line(outcome)}")
        elif fmt is Format.json:
            typer.echo(_verdict_json(path, outcome))
        else:
            who = f" ({', '.join(outcome.responsible)})" if outcome.responsible else ""
            typer.echo(f"{path}: {status_label(outcome.status)}{who}")
    raise typer.Exit(worst)


@app.command()
def explain(
    scenario: ScenarioArg,
    rules: Rules = None,
    reading: ReadingOpt = None,
    fmt: FormatOpt = Format.text,
    _max_problems: MaxProblems = None,
) -> None:
    """Explain a verdict in plain language, clause by clause (exit status as for evaluate).

    With --format json, the verdict with its "file" and the account as "explanation".
    """
    verdict = _evaluate(_prepared(scenario, rules, reading))
    typer.echo(_verdict_json(scenario, verdict, explanation=verdict.explain()) if fmt is Format.json else verdict.explain())
    raise typer.Exit(EXIT_CODES[verdict.status])


@app.command()
def repair(
    scenario: ScenarioArg,
    rules: Rules = None,
    reading: ReadingOpt = None,
    fmt: FormatOpt = Format.text,
    _max_problems: MaxProblems = None,
) -> None:
    """What would have to change, per party, for the ceasefire to hold: units to leave a zone, positions to learn,
    areas to hand over, each with its clause, article and deadline; what no change can mend; facts to learn.

    The exit status is that of the verdict the changes yield (as for evaluate: 0 they make it hold).
    With --format json, the repair with its "file".
    """
    found = _repair(_prepared(scenario, rules, reading))
    typer.echo(_verdict_json(scenario, found) if fmt is Format.json else found.explain())
    raise typer.Exit(EXIT_CODES[found.yields])


@app.command()
def robustness(
    scenario: ScenarioArg,
    rules: Rules = None,
    reading: ReadingOpt = None,
    margin_km: Annotated[
        float | None,
        typer.Option("--margin-km", "-m", min=0, help="Move every zone's edge by this many km (default: each zone's uncertainty_km)."),
    ] = None,
    fmt: FormatOpt = Format.text,
    _max_problems: MaxProblems = None,
) -> None:
    """Whether the verdict survives zone lines that lie elsewhere than drawn: stable, or the items whose side of a
    line decides it, with each finding's nearest items and their distance to the edge (km, negative inside).

    The exit status is the verdict's (as for evaluate). With --format json, the robustness with its "file".
    """
    found = _robustness(_prepared(scenario, rules, reading), margin_km=margin_km)
    typer.echo(_verdict_json(scenario, found) if fmt is Format.json else found.explain())
    raise typer.Exit(EXIT_CODES[found.status])


@app.command()
def contrast(
    rulebook: Annotated[str, typer.Argument(help="A bundled rulebook id or a rulebook file.", show_default=False)],
    reading_a: Annotated[str | None, typer.Argument(help="A reading (default: the rulebook's).", show_default=False)] = None,
    reading_b: Annotated[str | None, typer.Argument(help="Another reading (default: its first other one).", show_default=False)] = None,
    fmt: FormatOpt = Format.text,
    _max_problems: MaxProblems = None,
) -> None:
    """Where two readings of a rulebook part: each clause they read differently, the parties, classes, kinds and
    zones only one of them names, and a state (one unit, incident or area) on which its finding differs, evaluated
    under both. Exit status: 0 the readings agree, 1 they differ, 3 bad input.

    With --format json, the contrast with its "file" (the rulebook).
    """
    book = load_rulebook(rulebook)
    first = reading_a or book.default_reading
    second = reading_b or next((r for r in book.readings if r != first), None)
    if second is None:
        raise TruceError.from_problems(f"rulebook {book.id} has one reading", [Problem(
            "reading_b", f"rulebook {book.id} declares one reading ({first}): there is nothing to contrast it with",
            file=book.origin, suggestion="declare another reading in the rulebook's readings")])
    found = _contrast(book, first, second)
    typer.echo(_verdict_json(rulebook, found) if fmt is Format.json else found.explain())
    raise typer.Exit(1 if found.differences else 0)


@app.command()
def readings(
    scenario: ScenarioArg, rules: Rules = None, fmt: FormatOpt = Format.text, _max_problems: MaxProblems = None
) -> None:
    """Show the verdict under every reading of the rulebook side by side, marking where they disagree.

    The exit status is the highest of the verdicts shown (as for evaluate).
    """
    verdicts = verdicts_by_reading(_prepared(scenario, rules))
    code = max(EXIT_CODES[v.status] for v in verdicts)
    if fmt is Format.json:
        typer.echo("{" + ", ".join(f'"{v.reading}": {v.model_dump_json()}' for v in verdicts) + "}")
        raise typer.Exit(code)
    mark = "≠" if _out.encoding.lower().startswith("utf") else "!="
    table, disagree = readings_view(verdicts, mark)
    _out.print(table)
    if disagree:
        _out.print(f"The readings disagree on: {', '.join(disagree)} (marked {mark}).")
    else:
        _out.print("All readings agree.")
    raise typer.Exit(code)


@app.command()
def rulebooks(
    rulebook: Annotated[
        str | None,
        typer.Argument(help="A bundled rulebook id or a rulebook file: show its vocabulary.", show_default=False),
    ] = None,
    fmt: FormatOpt = Format.text,
    _max_problems: MaxProblems = None,
) -> None:
    """List the bundled agreements with their title, date and source; or, given one, show its vocabulary.

    The vocabulary is what a scenario author needs: parties, groups, kinds, classes,
    attributes, zones, named areas, incident kinds, readings and clauses.
    """
    if rulebook is not None:
        words = vocabulary(load_rulebook(rulebook))
        if fmt is Format.json:
            typer.echo(json.dumps(words, indent=2))
        else:
            _out.print(vocabulary_view(words))
        return
    infos = list_rulebooks()
    if fmt is Format.json:
        rows = [{"id": i.id, "title": i.title, "date": i.date, "source": i.source} for i in infos]
        typer.echo(json.dumps(rows, indent=2))
    else:
        _out.print(rulebooks_view(infos))


@app.command()
def schema(
    name: Annotated[SchemaName, typer.Argument(help="Which file format.", show_default=False)],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
    agreement: Annotated[
        str | None,
        typer.Option("--agreement", "-a", help="A bundled rulebook id or rulebook file whose ids scenario fields may take."),
    ] = None,
) -> None:
    """Print the JSON Schema of scenario or rulebook files, for editors to validate and complete YAML.

    For VS Code's YAML extension: truce schema scenario --agreement idlib-2019 -o scenario.schema.json,
    then add "# yaml-language-server: $schema=scenario.schema.json" atop a scenario.
    """
    text = json.dumps(json_schema(name, agreement), indent=2)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")


def _rulebook_files(given: str) -> list[str]:
    """A folder as the rulebook files directly in it (YAML or JSON, in name order); anything else as given."""
    folder = Path(given)
    if not folder.is_dir():
        return [given]
    return [str(p) for p in sorted(folder.iterdir()) if p.is_file() and p.suffix in (".yaml", ".yml", ".json")] or [given]


@app.command()
def check(
    rulebooks: Annotated[list[str], typer.Argument(help="Rulebook files, folders of them or bundled ids.", show_default=False)],
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    fmt: FormatOpt = Format.text,
    _max_problems: MaxProblems = None,
) -> None:
    """Lint rulebooks: undefined or unused ids, kinds no clause counts, clauses that can never apply,
    deadlines before the start, invalid geometry, overlapping zones that contradict.

    Every finding is printed as file:line: field: message [severity: code], or with --format json
    as one JSON object per line. A finding is allowed, with its reason, by a comment on its line:
    "# truce: allow CODE (why)". Exit status: 0 clean (or warnings only), 1 errors (or warnings
    with --strict), 3 a rulebook does not load.
    """
    worst = 0
    for ref in track([r for given in rulebooks for r in _rulebook_files(given)], "checking"):
        try:
            found = lint_rulebook(ref)
        except RulebookError as exc:
            for problem in exc.problems:
                typer.echo(_lint_json(problem, "error", "invalid") if fmt is Format.json else f"{problem} [error: invalid]")
            print(_report(exc), file=sys.stderr)
            worst = EXIT_BAD_INPUT
            continue
        for lint in found:
            typer.echo(_lint_json(lint.problem, lint.severity, lint.code) if fmt is Format.json else str(lint))
        failing = [x for x in found if x.severity == "error" or strict]
        worst = max(worst, 1 if failing else 0)
        errors = sum(x.severity == "error" for x in found)
        _err.print(f"{ref}: {errors} error(s), {len(found) - errors} warning(s)", highlight=False)
    raise typer.Exit(worst)


def _lint_json(problem: Problem, severity: str, code: str) -> str:
    return json.dumps({
        "file": problem.file, "line": problem.line, "path": problem.path, "message": problem.message,
        "suggestion": problem.suggestion, "severity": severity, "code": code,
    })


@app.command("test")
def test_scenarios(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Scenario files or folders to search (default: .).", show_default=False),
    ] = None,
    rules: Annotated[
        str | None,
        typer.Option(
            "--rules", "-r", help="Evaluate every file against this rulebook, a bundled id or a file (default: each file's agreement)."
        ),
    ] = None,
    verdicts: Annotated[bool, typer.Option("--verdicts", "-v", help="Also print each verdict, clause by clause.")] = False,
    fmt: FormatOpt = Format.text,
    _max_problems: MaxProblems = None,
) -> None:
    """Run scenario files that carry their expected verdict (expect:) and report pass or fail.

    A failure shows expected (-) against actual (+); with --format json, one JSON object per
    file and reading ("passed", "diff", "verdict") or per file that could not run ("error").
    Exit status: 0 all pass, 1 some fail, 3 a file is bad input or none is found.
    """
    where = paths or [Path(".")]
    files = find_scenario_tests(where)
    if not files:
        problem = Problem(
            "", "no scenario tests found: no .yaml file has a top-level 'expect:'", file=", ".join(map(str, where))
        )
        raise ScenarioError.from_problems("no scenario tests found", [problem])
    passed = failed = broken = 0
    for path in track(files, "testing"):
        try:
            cases = [(case.reading, expectation_diff(case)) for case in expected_cases(path, rules)]
        except TruceError as exc:
            broken += 1
            if fmt is Format.json:
                typer.echo(_error_json(path, exc))
            else:
                print(_report(exc), file=sys.stderr)
            continue
        for reading, (verdict, diff) in cases:
            failed += bool(diff)
            passed += not diff
            if fmt is Format.json:
                typer.echo(json.dumps({"file": str(path), "reading": reading, "passed": not diff, "diff": diff,
                                       "verdict": json.loads(verdict.model_dump_json())}))
                continue
            if verdicts:
                _out.print(verdict_view(verdict, f"{path} [{reading}]"))
            label = ("FAIL", "bold red") if diff else ("PASS", "green")
            _out.print(Text.assemble(label, f" {path} [{reading}]"), soft_wrap=True)
            for line in diff:
                _out.print(Text(f"    {line}", style="red" if line.startswith("-") else "green"), soft_wrap=True)
    summary = _err if fmt is Format.json else _out  # JSON output stays one object per line
    summary.print(f"{passed} passed, {failed} failed, {broken} could not run", highlight=False)
    raise typer.Exit(EXIT_BAD_INPUT if broken else (1 if failed else 0))


@app.command()
def timeline(
    events: Annotated[list[Path], typer.Argument(help="ACLED or UCDP GED CSV exports (one or more).", show_default=False)],
    mapping: Annotated[
        list[Path], typer.Option("--mapping", "-m", help="Actor and event-type mapping (YAML): one for all logs, or one per log, in order.")
    ],
    events_format: Annotated[
        str | None, typer.Option("--events", "-e", help="The logs' format, acled or ucdp (default: read from each header).")
    ] = None,
    keep_duplicates: Annotated[
        bool, typer.Option("--keep-duplicates", help="Do not merge the rows several logs give of one event.")
    ] = False,
    match_km: Annotated[
        float, typer.Option("--match-km", help="Distance allowed between two logs' rows of one event beyond their precisions.")
    ] = SLACK_KM,
    agreement: Annotated[
        str | None, typer.Option("--agreement", "-a", help="A rulebook id or file (default: the mapping's agreement).")
    ] = None,
    reading: ReadingOpt = None,
    fmt: FormatOpt = Format.text,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write a chart of status over time to this .png, .svg or .pdf file.")] = None,
    start: Annotated[datetime | None, typer.Option(help="First instant shown (with a time zone).", parser=_instant)] = None,
    end: Annotated[datetime | None, typer.Option(help="Instant the timeline stops (with a time zone).", parser=_instant)] = None,
    _max_problems: MaxProblems = None,
) -> None:
    """The truce's status over time from event logs: when it broke, who broke it first, when its conditions lapsed.

    Every row is accepted or reported with its line and reason (on stderr, and under "report" in JSON);
    rejected rows do not change the exit status: 0 no breach or lapse, 1 a breach or a lapse, 3 bad input.
    Given several logs, a row of a later log that reports an event of an earlier one (overlapping days, the same
    place within their precisions, the same dyad) is merged into it once, and every merge is reported.
    """
    code = timeline_command(
        events, mapping, events_format=events_format, dedupe=not keep_duplicates, slack_km=match_km,
        agreement=agreement, reading=reading, output=fmt.value,
        plot=plot, start=start, end=end, console=_out,
    )
    raise typer.Exit(code)


@app.command("map")
def map_(
    scenario: ScenarioArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="An interactive .html page, or a .png, .svg or .pdf image.")],
    rules: Rules = None,
    reading: ReadingOpt = None,
    tiles: Tiles = None,
    _max_problems: MaxProblems = None,
) -> None:
    """Draw the zones, units and incidents, coloured by their finding, with the verdict and every broken clause.

    An .html output is an interactive page (Leaflet, no network needed) with the clause table, the timeline and
    the verdict under every reading. The exit status is the verdict's (as for evaluate), once the map is written.
    """
    page = output.suffix.lower() in PAGE_SUFFIXES
    if not page:
        image_path(output, "--output", "an .html page")
    case = _prepared(scenario, rules, reading)
    verdict = write_page(case, output, tiles=tiles) if page else draw_map(case, output)
    _err.print(f"wrote {output} ({status_label(verdict.status)})", highlight=False)
    raise typer.Exit(EXIT_CODES[verdict.status])


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="The address to listen on; anything but loopback needs --token-file.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="The port to listen on.")] = 8000,
    token_file: Annotated[
        Path | None, typer.Option("--token-file", help="A file holding a secret every request must send as 'Authorization: Bearer ...'.")
    ] = None,
    cors_origin: Annotated[
        list[str] | None, typer.Option("--cors-origin", help="Let browser pages from this origin call the API (CORS is off otherwise).")
    ] = None,
    tiles: Tiles = None,
) -> None:
    """Serve the map page at / and the HTTP JSON API: POST /v1/evaluate, /v1/readings, /v1/timeline, /v1/view;
    GET /v1/rulebooks, /v1/schema/...
    (OpenAPI at /docs). Needs the serve extra: pip install 'truce[serve]'."""
    try:
        from ._serve import run  # noqa: PLC0415  (an optional extra)
    except ModuleNotFoundError as exc:
        raise TruceError.from_problems("truce serve needs FastAPI and uvicorn", [Problem(
            "serve", f"{exc.name} is not installed", suggestion="pip install 'truce[serve]'")]) from None
    run(host, port, token_file, cors_origin or (), tiles)


def _instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 time, e.g. 2019-08-02T00:00:00+03:00") from None
    if instant.tzinfo is None:
        raise typer.BadParameter(f"{text!r} has no time zone; add one, e.g. +03:00")
    if not FIRST_YEAR <= instant.year <= LAST_YEAR:
        raise typer.BadParameter(f"{text!r} is out of range; give a time between the years {FIRST_YEAR} and {LAST_YEAR}")
    return instant


def _report(exc: TruceError) -> str:
    """Every problem of a bad input (at most --max-problems of them): a first line with the file and how
    many problems, then one line each, and a last line saying how many were left out."""
    if not exc.problems:
        return f"truce: error: {one_line(str(exc).splitlines()[0])}"
    files = sorted({p.file for p in exc.problems if p.file})
    count = len(exc.problems)
    shown = exc.problems[: _problem_limit.get() or count]
    lines = [f"  {problem}" for problem in shown]
    if len(shown) < count:
        lines.append(f"  ... and {count - len(shown)} more (--max-problems {len(shown)} cut the list)")
    head = f"truce: error: {one_line(', '.join(files) or '<input>')}: {count} problem{'s' if count > 1 else ''}"
    return "\n".join([head, *lines])


def _one_line(exc: TruceError) -> str:
    if not exc.problems:
        return str(exc).splitlines()[0]
    more = len(exc.problems) - 1
    return str(exc.problems[0]) + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status (the console script's entry point)."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")  # a terminal that cannot show a character gets '?', not a crash
    command = typer.main.get_command(app)
    token = _problem_limit.set(None)
    try:
        code = command.main(args=list(argv) if argv is not None else None, prog_name="truce", standalone_mode=False)
    except EngineError as exc:
        print(f"truce: internal error, please report it: {exc}", file=sys.stderr)
        return _EXIT_BUG
    except TruceError as exc:
        print(_report(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except typer.TyperException as exc:
        message = exc.format_message() or "no command given"
        print(f"truce: error: {message} (try 'truce --help')", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"truce: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except typer.Abort:
        print("truce: aborted", file=sys.stderr)
        return 130
    finally:
        _problem_limit.reset(token)
    return code if isinstance(code, int) else 0
