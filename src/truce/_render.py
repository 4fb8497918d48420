"""Rich renderings of verdicts for the terminal, and the colours they share with maps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ._load import RulebookInfo
from ._rulebook import Rulebook
from ._verdict import Verdict, responsibility

FINDING_COLOURS: dict[str, str] = {
    "violated": "#d62728",
    "unknown": "#ff9f1c",
    "met": "#2ca02c",
    "not_due": "#7f7f7f",
    "not_applicable": "#bcbcbc",
    "not_assessed": "#8c6bb1",
}
STATUS_COLOURS: dict[str, str] = {
    "holds": "#2ca02c",
    "breached": "#d62728",
    "conditions_unmet": "#c2185b",
    "not_in_force": "#7f7f7f",
    "indeterminate": "#ff9f1c",
}


def status_label(status: str) -> str:
    """``conditions_unmet`` -> ``CONDITIONS UNMET``."""
    return status.replace("_", " ").upper()


def status_text(status: str) -> Text:
    """A verdict status for the terminal, in its colour."""
    return Text(status_label(status), style=f"bold {STATUS_COLOURS[status]}")


def _finding(status: str) -> Text:
    return Text(status.replace("_", " "), style=FINDING_COLOURS[status])


def verdict_view(verdict: Verdict, source: str | None = None) -> RenderableType:
    """A verdict as a panel: the status and who is responsible, then a table of clauses."""
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    if source:
        head.add_row("scenario", source)
    head.add_row("reading", f"{verdict.reading_name} ({verdict.reading})")
    head.add_row("as of", verdict.as_of)
    head.add_row("status", status_text(verdict.status))
    if verdict.responsible or verdict.responsible_one_of:
        head.add_row("responsible", responsibility(verdict.responsible, verdict.responsible_one_of))
    if verdict.not_assessed:
        label = "; ".join(n.text(verdict.finding(n.clause).title) for n in verdict.not_assessed)
        head.add_row("not assessed", Text(label, style=FINDING_COLOURS["not_assessed"]))
    clauses = Table(show_lines=True)
    clauses.add_column("Clause, term and article", min_width=2 + max(len(f.clause) for f in verdict.findings))
    clauses.add_column("Finding", no_wrap=True)
    clauses.add_column("Evidence", overflow="fold")
    for f in verdict.findings:
        evidence = Text("\n".join(f.evidence))
        if f.unknown:
            unknown = "\n".join(f"? {i}" for i in f.unknown)
            evidence.append(("\n" if f.evidence else "") + unknown, style=FINDING_COLOURS["unknown"])
        finding = _finding(f.status)
        if f.parties or f.parties_one_of:
            finding.append("\nby " + responsibility(f.parties, f.parties_one_of))
        clause = Text.assemble((f.clause, "bold"), "\n", f.title, "\n", (f.reference, "dim"))
        clauses.add_row(clause, finding, evidence)
    parts: list[RenderableType] = [head, clauses]
    if verdict.missing:
        parts.append(Text("To decide, the state needs:\n" + "\n".join(f"  - {m}" for m in verdict.missing)))
    if verdict.notes:
        parts.append(Text("\n".join(f"Note: {n}" for n in verdict.notes), style="dim"))
    return Panel(Group(*parts), title=f"{verdict.title} ({verdict.agreement})", title_align="left")


def readings_view(verdicts: Sequence[Verdict], mark: str = "≠") -> tuple[RenderableType, list[str]]:
    """The verdicts under several readings side by side, and the rows where they disagree (marked ``mark``)."""
    table = Table(title=f"{verdicts[0].title}: as of {verdicts[0].as_of}", show_lines=True)
    table.add_column("", no_wrap=True)
    for v in verdicts:
        table.add_column(f"{v.reading}\n{v.reading_name}", overflow="fold")
    rows: list[tuple[str, list[Text]]] = [
        ("status", [status_text(v.status) for v in verdicts]),
        ("responsible", [Text(responsibility(v.responsible, v.responsible_one_of) or "-") for v in verdicts]),
    ]
    for f in verdicts[0].findings:
        rows.append((f.clause, [_finding(v.finding(f.clause).status) for v in verdicts]))
    disagree = []
    for name, cells in rows:
        differs = len({c.plain for c in cells}) > 1
        label = Text((f"{mark} " if differs else " " * (len(mark) + 1)) + name, style="bold reverse" if differs else "bold")
        if differs:
            disagree.append(name)
        table.add_row(label, *cells)
    return table, disagree


def rulebooks_view(infos: Sequence[RulebookInfo]) -> RenderableType:
    """The bundled rulebooks as a table."""
    table = Table(title="Bundled rulebooks")
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("title")
    table.add_column("date", no_wrap=True)
    table.add_column("source")
    for info in infos:
        table.add_row(info.id, info.title, info.date, info.source)
    return table


def vocabulary(book: Rulebook) -> dict[str, Any]:
    """What a scenario author needs from a rulebook: each section's ids with their names, and the clauses."""

    def named(section: dict[str, Any], **more: Any) -> list[dict[str, Any]]:
        return [{"id": key, "name": item.name, **{k: f(key, item) for k, f in more.items()}} for key, item in section.items()]

    return {
        "id": book.id,
        "title": book.title,
        "file": book.origin,
        "parties": named(book.parties),
        "groups": named(book.groups, members=lambda _, g: g.members),
        "kinds": named(book.kinds, classes=lambda k, _: sorted(book.classes_of(k) - {k})),
        "classes": named(book.classes, where=lambda _, c: {a: b.model_dump(exclude_none=True) for a, b in c.where.items()}),
        "attributes": named(book.attributes, unit=lambda _, a: a.unit),
        "zones": named(book.zones),
        "areas": named(book.areas),
        "incident_kinds": named(book.incident_kinds),
        "readings": named(book.readings, default=lambda r, _: r == book.default_reading),
        "clauses": [{"id": c.id, "type": c.type, "article": c.article, "title": c.title} for c in book.clauses],
    }


def vocabulary_view(words: dict[str, Any]) -> RenderableType:
    """A rulebook's vocabulary (from ``vocabulary``) as one table per non-empty section."""
    tables: list[RenderableType] = [Text(f"{words['title']} ({words['id']}): {words['file']}", style="bold")]
    for section, rows in words.items():
        if not isinstance(rows, list) or not rows:
            continue
        table = Table(title=section.replace("_", " "), title_justify="left")
        for column in rows[0]:
            table.add_column(column, style="bold" if column == "id" else None, overflow="fold")
        for row in rows:
            table.add_row(*(_cell(value) for value in row.values()))
        tables.append(table)
    return Group(*tables)


def _cell(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{key} {_cell(inner)}" for key, inner in value.items())
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)
