"""Verdicts and timelines as HTML for notebooks (``_repr_html_``): every text escaped."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ._render import FINDING_COLOURS, STATUS_COLOURS, status_label

if TYPE_CHECKING:
    from ._provenance import Provenance
    from ._timeline import Timeline
    from ._verdict import Verdict

__all__ = ["timeline_html", "verdict_html"]

_CELL = "border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top"


def _badge(status: str) -> str:
    return (f'<span style="background:{STATUS_COLOURS[status]};color:white;padding:1px 6px;border-radius:3px;'
            f'font-weight:bold">{escape(status_label(status))}</span>')  # fmt: skip


def _finding(status: str) -> str:
    return f'<span style="color:{FINDING_COLOURS[status]};font-weight:bold">{escape(status.replace("_", " "))}</span>'


def _table(head: list[str], rows: list[list[str]]) -> str:
    """A table of cells already in HTML."""
    header = "".join(f'<th style="{_CELL}">{escape(h)}</th>' for h in head)
    body = "".join("<tr>" + "".join(f'<td style="{_CELL}">{cell}</td>' for cell in row) + "</tr>" for row in rows)
    return f'<table style="border-collapse:collapse"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'


def _items(title: str, texts: list[str]) -> str:
    if not texts:
        return ""
    return f"<p><b>{escape(title)}</b></p><ul>" + "".join(f"<li>{escape(t)}</li>" for t in texts) + "</ul>"


def _provenance(found: Provenance) -> str:
    files = ", ".join(f"{name} {digest[:12]}" for name, digest in found.files.items())
    text = (f"truce {found.truce}, rulebook {found.rulebook} ({files}), reading {found.reading}, engine {found.engine}, "
            f"input {(found.input or '')[:12]}, schema {found.schema_version}")  # fmt: skip
    return f'<p style="color:#777;font-size:85%">{escape(text)}</p>'


def verdict_html(verdict: Verdict) -> str:
    """The verdict: status in its colour, who is responsible, a row per clause, what is missing, notes, provenance."""
    head = (f"<p><b>{escape(verdict.title)}</b> ({escape(verdict.agreement)}), reading {escape(verdict.reading_name)} "
            f"({escape(verdict.reading)}), as of {escape(verdict.as_of)}: {_badge(verdict.status)}")  # fmt: skip
    if verdict.responsible:
        head += f" &mdash; responsible: {escape(', '.join(verdict.responsible))}"
    rows = [
        [f"<b>{escape(f.clause)}</b><br>{escape(f.title)}", _finding(f.status), escape(", ".join(f.parties)),
         escape(", ".join(f.evidence)) + (f"<br>? {escape(', '.join(f.unknown))}" if f.unknown else ""),
         escape(f.reference), escape(f.message)]
        for f in verdict.findings
    ]  # fmt: skip
    clauses = _table(["clause", "finding", "parties", "evidence", "article", "finding in words"], rows)
    titles = {f.clause: f.title for f in verdict.findings}
    unassessed = [f"{n.clause}: {n.text(titles[n.clause])}" for n in verdict.not_assessed]
    parts = [head + "</p>", clauses, _items("Not assessed (no record of the kind they rest on):", unassessed),
             _items("To decide, the state needs:", verdict.missing), _items("Notes:", verdict.notes)]
    return "<div>" + "".join(parts) + _provenance(verdict.provenance) + "</div>"


def timeline_html(line: Timeline) -> str:
    """The timeline: a row per interval with its status in colour and what changed, then the first breach and lapse."""
    head = (f"<p><b>{escape(line.title)}</b> ({escape(line.agreement)}), reading {escape(line.reading)}; "
            f"truce starts {escape(line.truce_start.isoformat())}</p>")  # fmt: skip
    rows = [
        [escape(i.start.isoformat()), escape(i.end.isoformat() if i.end else "onwards"), _badge(i.status),
         escape(", ".join(i.responsible)),
         "<br>".join(f"{escape(c.clause)}: {escape(c.before or '-')} &rarr; {_finding(c.after)}"
                     + (f" ({escape(', '.join(c.evidence))})" if c.evidence else "") for c in i.changed)]
        for i in line.intervals
    ]  # fmt: skip
    intervals = _table(["from", "until", "status", "responsible", "what changed"], rows)
    return "<div>" + head + intervals + _items("Summary:", line.summary()) + _provenance(line.provenance) + "</div>"
