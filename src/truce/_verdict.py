"""The verdict: status, responsible parties, a finding per clause, and a plain account."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

from ._provenance import Provenance
from ._scenario import EVIDENCE, FindingStatus, Status

__all__ = ["Finding", "NotAssessed", "Verdict", "responsibility"]

_STATUS_TEXT: dict[str, str] = {
    "holds": "the ceasefire HOLDS: it is in force and no term is broken.",
    "breached": "the ceasefire is BREACHED: a party did what the terms forbid, or failed to do what they require, while it was in force.",
    "conditions_unmet": (
        "the ceasefire's CONDITIONS ARE UNMET: a condition it was made dependent on is not met, "
        "so under its own terms it does not bind the party that set it."
    ),
    "not_in_force": "the ceasefire is NOT IN FORCE at this instant.",
    "indeterminate": "the verdict is INDETERMINATE: the state lacks what the terms need to decide.",
}
_MARK = {"met": "ok ", "violated": "XX ", "unknown": "?? ", "not_due": "-- ", "not_applicable": "n/a", "not_assessed": "NA "}
_HOLDS_ON_ASSESSED = "the ceasefire HOLDS on every term assessed"


def responsibility(parties: list[str], one_of: list[list[str]]) -> str:
    """Who is responsible, in words: ``sy-gov; one of: hts, nfl`` (each candidate group after ``one of``)."""
    return "; ".join([*([", ".join(parties)] if parties else []), *(f"one of: {', '.join(group)}" for group in one_of)])


class Finding(BaseModel):
    """What one clause says about the state."""

    model_config = ConfigDict(frozen=True)

    clause: str
    title: str
    role: Literal["in_force", "term", "condition"]
    status: FindingStatus
    parties: list[str]
    parties_one_of: list[list[str]]
    """Candidate groups (sorted) of which one carried out acts in the evidence: one of each, not known which."""
    evidence: list[str]
    unknown: list[str]
    reference: str
    message: str


class NotAssessed(BaseModel):
    """A clause not assessed: it rests on a kind of evidence (``records``: patrols, inspections, roads, posts, permissions,
    objections, baselines) the state carries none of."""

    model_config = ConfigDict(frozen=True)

    clause: str
    records: list[str]
    """The kinds of record it lacks."""

    def text(self, title: str) -> str:
        """``Joint patrols (no patrol records)``."""
        nouns = " or ".join(EVIDENCE[kind] for kind in self.records)
        return f"{title} (no {nouns})"


class Verdict(BaseModel):
    """Whether a ceasefire holds under its terms at one instant, and why; ``provenance`` says what produced it."""

    model_config = ConfigDict(frozen=True)

    agreement: str
    title: str
    reading: str
    reading_name: str
    as_of: str
    status: Status
    responsible: list[str]
    responsible_one_of: list[list[str]]
    """Candidate groups (sorted) of which one is behind the status, where the data does not say which."""
    findings: list[Finding]
    not_assessed: list[NotAssessed]
    """The clauses not assessed, in rulebook order: each rests on a kind of record the state carries none of; none changes the status."""
    missing: list[str]
    notes: list[str]
    provenance: Provenance

    @computed_field  # type: ignore[prop-decorator]
    @property
    def holds(self) -> bool | None:
        """True if the truce holds, False if it is breached or its conditions are unmet, else None."""
        if self.status == "holds":
            return True
        if self.status in ("breached", "conditions_unmet"):
            return False
        return None

    def finding(self, clause: str) -> Finding:
        """The finding for a clause id."""
        for finding in self.findings:
            if finding.clause == clause:
                return finding
        raise KeyError(f"no finding for clause {clause!r}; clauses: {[f.clause for f in self.findings]}")

    def _repr_html_(self) -> str:
        """The verdict in a notebook: status colour, a row per clause, what is missing, notes, provenance."""
        from ._html import verdict_html  # noqa: PLC0415  (it imports the renderers, which import this module)

        return verdict_html(self)

    def explain(self) -> str:
        """A plain-language account a non-programmer can read and check clause by clause."""
        lines = [
            f"{self.title} ({self.agreement})",
            f"Reading: {self.reading_name} ({self.reading})",
            f"As of {self.as_of}: {_STATUS_TEXT[self.status]}",
        ]
        if self.not_assessed:
            unassessed = "; ".join(n.text(self.finding(n.clause).title) for n in self.not_assessed)
            if self.status == "holds":
                lines[-1] = f"As of {self.as_of}: {_HOLDS_ON_ASSESSED}; not assessed: {unassessed}."
            else:
                lines.append(f"Not assessed: {unassessed}.")
        if self.responsible or self.responsible_one_of:
            lines.append(f"Responsible: {responsibility(self.responsible, self.responsible_one_of)}.")
        if self.missing:
            lines.append("To decide, the state needs:")
            lines += [f"  - {item}" for item in self.missing]
        lines.append("")
        lines.append("Clause by clause:")
        for f in self.findings:
            lines.append(f"  [{_MARK[f.status]}] {f.clause} - {f.title} ({f.status.replace('_', ' ')})")
            lines.append(f"        {f.message}")
            lines.append(f"        Reference: {f.reference}")
        if self.notes:
            lines.append("")
            lines.append("Notes:")
            lines += [f"  - {note}" for note in self.notes]
        return "\n".join(lines)
