"""docs/coverage.md: every term of the brief, the clause that encodes it and an example that exercises it.

Each example named is evaluated under the reading named and must give the finding and verdict the table
claims; every clause of every bundled rulebook must appear; a row without a clause says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import truce

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "coverage.md"
IN_FORCE = "in-force"
WITHOUT_CLAUSE = ("not encodable: ", "not yet encoded: ")


@dataclass(frozen=True)
class Row:
    book: str
    line: int
    term: str
    clause: str
    example: str
    reading: str
    finding: str
    verdict: str


def _rows() -> list[Row]:
    rows, book = [], ""
    for number, text in enumerate(PAGE.read_text(encoding="utf-8").splitlines(), start=1):
        heading = re.match(r"## `([a-z0-9-]+)`", text)
        if heading:
            book = heading.group(1)
            continue
        cells = [c.strip() for c in text.strip().strip("|").split("|")] if text.startswith("| ") else []
        if len(cells) != 6 or cells[0] == "term" or set(cells[0]) <= {"-", " "}:
            continue
        assert book, f"coverage.md:{number}: a table row before any rulebook's heading"
        rows.append(Row(book, number, cells[0], *(c.strip("`") for c in cells[1:])))
    return rows


ROWS = _rows()
ENCODED = [row for row in ROWS if not row.clause.startswith(WITHOUT_CLAUSE)]


def test_the_page_has_a_section_for_every_bundled_rulebook_and_every_clause() -> None:
    sections = {row.book for row in ROWS}
    assert sections == {info.id for info in truce.list_rulebooks()}
    for info in truce.list_rulebooks():
        named = {row.clause for row in ENCODED if row.book == info.id}
        missing = [c.id for c in truce.load_rulebook(info.id).clauses if c.id not in named]
        assert not missing, f"coverage.md: {info.id}'s clauses {missing} encode no term in the table"


def test_a_row_without_a_clause_says_why_and_names_no_example() -> None:
    for row in ROWS:
        if row.clause.startswith(WITHOUT_CLAUSE):
            reason = row.clause.split(": ", 1)[1]
            assert len(reason) > 10 and not (row.example or row.reading or row.finding or row.verdict), row


@pytest.mark.parametrize("row", ENCODED, ids=[f"{r.book}:{r.line}" for r in ENCODED])
def test_each_example_gives_the_finding_and_verdict_the_table_claims(row: Row) -> None:
    book = truce.load_rulebook(row.book)
    assert row.clause == IN_FORCE or row.clause in {c.id for c in book.clauses}, f"coverage.md:{row.line}: no clause {row.clause}"
    assert row.reading in book.readings, f"coverage.md:{row.line}: {row.book} has no reading {row.reading}"
    example = ROOT / "examples" / row.example
    assert example.is_file() and example.parent.name == row.book, f"coverage.md:{row.line}: no example {row.example}"
    verdict = truce.evaluate(example, reading=row.reading)
    assert verdict.agreement == row.book
    findings = {f.clause: f.status for f in verdict.findings}
    assert (findings[row.clause], verdict.status) == (row.finding, row.verdict), f"coverage.md:{row.line}: {row.term}"
