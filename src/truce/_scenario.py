"""The scenario state: forces, weapons, positions and incidents at one instant."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, StrictBool, model_serializer, model_validator

from ._limits import Count, Fatalities, Instant, Kilometres, Latitude, Longitude, Measurement, Note, ObjectId, Perpetrator
from ._terms import DATA, Id

FindingStatus = Literal["met", "violated", "unknown", "not_due", "not_applicable", "not_assessed"]
"""A clause's finding; ``not_assessed``: it rests on a kind of record the state carries none of."""
Status = Literal["holds", "breached", "conditions_unmet", "not_in_force", "indeterminate"]


class _Data(BaseModel):
    model_config = DATA


class Position(_Data):
    """A point in decimal degrees (WGS 84)."""

    lat: Latitude
    """Latitude in decimal degrees, -90 to 90."""
    lon: Longitude
    """Longitude in decimal degrees, -180 to 180."""


class Origin(Position):
    """Where an incident was launched from (a shell fired, a strike flown), beside where it landed."""

    uncertainty_km: Kilometres | None = None
    """How far, in km, the true launch point may lie from this one."""


class Baseline(Position):
    """Where a unit stood when its forces were to stop (a freeze's starting line), beside where it is now."""

    uncertainty_km: Kilometres | None = None
    """How far, in km, the true place it stood may lie from this one."""


class _Located(_Data):
    position: Position | None = None
    """Where it is (or was); without a position or a zone, its place is unknown."""
    zone: ObjectId | None = None
    """A zone id of the rulebook it is known to be in, when no position is known."""
    uncertainty_km: Kilometres | None = None
    """How far, in km, the true place may lie from `position`."""

    @model_validator(mode="after")
    def _one_place(self) -> _Located:
        if self.position is not None and self.zone is not None:
            raise ValueError("give either 'position' or 'zone', not both")
        if self.uncertainty_km is not None and self.position is None:
            raise ValueError("'uncertainty_km' qualifies a 'position'; give one or drop it")
        return self


class Unit(_Located):
    """Forces or weapons of one kind and party, as observed; no position means unknown.

    ``observed`` dates the observation: a unit id may then appear several times, and
    at any instant its latest observation at or before that instant counts. A unit
    without ``observed`` stands for the whole scenario.
    """

    id: ObjectId
    """The unit's id, unique in the scenario (or per `observed` time)."""
    party: ObjectId
    """The party (or group) id it belongs to."""
    kind: ObjectId
    """Its kind id in the rulebook."""
    count: Count = 1
    """How many soldiers or weapons it stands for."""
    observed: Instant | None = None
    """When it was observed; at any instant its latest observation counts."""
    attributes: dict[ObjectId, Measurement] = Field(default_factory=dict)
    """Measurements by attribute id, e.g. `{calibre_mm: 152}`."""
    baseline: Baseline | None = None
    """Where it stood when forces were to stop (a freeze measures from it); an observation of a unit id without one
    takes the one of the earliest observation of that id that gives one."""


class AreaControl(_Data):
    """Who controls a named area at ``as_of``; ``controlled_by: null`` means not known."""

    id: ObjectId
    """The rulebook's area id."""
    controlled_by: ObjectId | None = None
    """The party (or group) id in control; null: not known."""


class EventSource(_Data):
    """Where an incident read from an event log came from: the dataset, its id for the row, the row's first
    line in the file, and the dataset's licence where the reader knows it."""

    dataset: Note
    """The dataset the row came from (a file name or release)."""
    row: ObjectId
    """The dataset's own id of the row (UCDP's `id`, ACLED's `event_id_cnty`)."""
    line: int | None = Field(default=None, ge=1)
    """The row's first line in the file read."""
    licence: Note | None = None
    """The dataset's licence, where the reader knows it."""
    sides: list[ObjectId] | None = Field(default=None, min_length=2, max_length=2)
    """The row's two sides as the mapping names them (UCDP's side_a and side_b, ACLED's actor1 and actor2): party
    or group ids, `unattributed` (some party, not known which; also an empty actor2) or `ignore`."""
    merged: list[EventSource] = []
    """Rows of other logs taken as the same event and merged into this incident (`truce.io.read_logs`)."""


class Incident(_Located):
    """A time-stamped act; ``by: null`` means the perpetrator is not known, ``by: [a, b]`` that one of these did it.

    ``latest`` makes the time uncertain: the act happened at some moment from
    ``time`` up to, not including, ``latest`` (a date known only to the day,
    week or month). ``position`` (or ``zone``) is where the act landed,
    ``origin`` where it was launched from, if known. ``source`` keeps where an incident
    from an event log came from.
    """

    id: ObjectId
    """The incident's id, unique in the scenario."""
    time: Instant
    """When it happened (or the earliest moment it may have)."""
    latest: Instant | None = None
    """The moment before which it surely happened, when its time is uncertain."""
    kind: ObjectId
    """Its incident kind id in the rulebook."""
    by: Perpetrator | None = None
    """The party (or group) id that carried it out; a list of 2 or more: one of these did (candidates); null: not known."""
    origin: Origin | None = None
    """Where it was launched from, if known (``position`` is where it landed)."""
    fatalities: Fatalities | None = None
    """People killed."""
    note: Note | None = None
    """A remark for readers."""
    source: EventSource | None = None
    """Where an incident read from an event log came from; readers fill it in."""

    @property
    def perpetrator(self) -> str | None:
        """``by`` in words: the id, ``one of a, b`` for candidates, None where not known."""
        return self.by if self.by is None or isinstance(self.by, str) else f"one of {', '.join(self.by)}"

    @model_validator(mode="after")
    def _latest_after_time(self) -> Incident:
        if self.latest is not None and self.latest <= self.time:
            raise ValueError("'latest' must come after 'time'")
        return self


class Period(_Data):
    """A stretch of time, both ends included."""

    start: Instant
    """Its first instant."""
    end: Instant
    """Its last instant."""

    @model_validator(mode="after")
    def _end_after_start(self) -> Period:
        if self.end <= self.start:
            raise ValueError("'end' must come after 'start'")
        return self


class Record(_Data):
    """One record of something done or seen, of one of the kinds in ``Records``."""

    id: ObjectId
    """The record's id, unique among the records of its kind."""
    time: Instant
    """When it was done or seen."""
    note: Note | None = None
    """A remark for readers."""


class Patrol(Record):
    """A patrol that ran: who took part and, where the rulebook names one, the road it ran along."""

    parties: list[ObjectId] = Field(min_length=1)
    """The party (or group) ids that took part; a joint patrol names each."""
    road: ObjectId | None = None
    """The rulebook's road id it ran along, if any."""


class Inspection(Record):
    """An inspection held: who held it and, where the rulebook names one, the zone inspected."""

    parties: list[ObjectId] = Field(min_length=1)
    """The party (or group) ids that held it."""
    zone: ObjectId | None = None
    """The rulebook's zone id inspected, if any."""


class SiteStatus(Record):
    """The status at ``time`` of one named site the rulebook declares (a road, a post): kept as agreed, or not.

    Its record kind is also the name of the rulebook's catalogue of such sites and of an obligation's list of them.
    """

    site_field: ClassVar[str]
    statuses: ClassVar[tuple[str, str]]
    status: str
    """The site's status."""

    @property
    def site(self) -> str:
        """The site's id."""
        return str(getattr(self, self.site_field))

    @property
    def kept(self) -> bool:
        """Whether the status keeps the term (the first of ``statuses``)."""
        return self.status == self.statuses[0]


class RoadStatus(SiteStatus):
    """Whether a named road (a segment the rulebook declares) was open to transit at ``time``."""

    site_field: ClassVar[str] = "road"
    statuses: ClassVar[tuple[str, str]] = ("open", "closed")
    road: ObjectId
    """The rulebook's road id."""
    status: Literal["open", "closed"]
    """`open` (transit runs) or `closed`."""


class PostStatus(SiteStatus):
    """Whether a named post (an observation post the rulebook declares) was manned at ``time``."""

    site_field: ClassVar[str] = "post"
    statuses: ClassVar[tuple[str, str]] = ("manned", "withdrawn")
    post: ObjectId
    """The rulebook's post id."""
    status: Literal["manned", "withdrawn"]
    """`manned` (the post stands) or `withdrawn`."""


class RecordSet(_Data):
    """Records of one kind, and the period they cover completely, if the report claims one.

    Inside ``complete`` every record of the kind is listed, so a stretch without one is known
    to have none; outside it, a stretch without records may hold some that were not reported.
    """

    noun: ClassVar[str] = "records"
    complete: Period | None = None
    """The period in which every record of this kind is listed (a gap in it is a gap in fact)."""
    entries: list[Record] = []
    """The records."""

    @property
    def empty(self) -> bool:
        """Whether the set says nothing: no record and no period it covers."""
        return not self.entries and self.complete is None


class Patrols(RecordSet):
    """The patrols that ran."""

    noun: ClassVar[str] = "patrol records"
    entries: list[Patrol] = []  # type: ignore[assignment]
    """The patrols."""


class Inspections(RecordSet):
    """The inspections held."""

    noun: ClassVar[str] = "inspection records"
    entries: list[Inspection] = []  # type: ignore[assignment]
    """The inspections."""


class Roads(RecordSet):
    """The status of named roads, as seen at given times; at any instant a road's latest status counts."""

    noun: ClassVar[str] = "road status records"
    entries: list[RoadStatus] = []  # type: ignore[assignment]
    """The road status records."""


class Posts(RecordSet):
    """The status of named posts, as seen at given times; at any instant a post's latest status counts."""

    noun: ClassVar[str] = "post status records"
    entries: list[PostStatus] = []  # type: ignore[assignment]
    """The post status records."""


class Permission(Record):
    """Leave granted for acts a clause forbids: who granted it, for which clause, the incidents (or the acts of the
    parties) it covers, and when it is valid; an act is covered only if it falls wholly inside ``valid`` and not
    before ``time``."""

    granted_by: ObjectId
    """The party (or body) id that granted it."""
    clause: ObjectId
    """The id of the clause whose acts it allows."""
    incidents: list[ObjectId] = []
    """The ids of the incidents it covers."""
    parties: list[ObjectId] = []
    """The party (or group) ids whose acts it covers, whichever incidents they are."""
    valid: Period
    """When it is valid: an act must fall wholly inside this period."""

    @model_validator(mode="after")
    def _covers_something(self) -> Permission:
        if not self.incidents and not self.parties:
            raise ValueError("a permission covers 'incidents' (their ids) or 'parties' (all their acts): give one")
        return self


class Permissions(RecordSet):
    """The permissions granted."""

    noun: ClassVar[str] = "permission records"
    entries: list[Permission] = []  # type: ignore[assignment]
    """The permissions."""


class Objection(Record):
    """A party's notice that it objects to the renewal of a mandate, given at ``time``."""

    party: ObjectId
    """The party id that objected."""
    clause: ObjectId
    """The id of the mandate clause it objects to renewing."""


class Objections(RecordSet):
    """The objections notified."""

    noun: ClassVar[str] = "objection records"
    entries: list[Objection] = []  # type: ignore[assignment]
    """The objections."""


RecordKind = Literal["patrols", "inspections", "roads", "posts", "permissions", "objections"]
"""The kinds of record a scenario may carry beside units and incidents (the fields of ``Records``)."""
RECORD_SETS: dict[str, type[RecordSet]] = {
    "patrols": Patrols, "inspections": Inspections, "roads": Roads, "posts": Posts, "permissions": Permissions, "objections": Objections,
}
"""Each kind of record's set; a new kind is a ``Record`` and a ``RecordSet`` subclass, a field of ``Records`` and an entry here."""
SITE_STATUS: dict[str, type[SiteStatus]] = {"roads": RoadStatus, "posts": PostStatus}
"""The kinds of record that give named sites' status, and their record."""
EVIDENCE: dict[str, str] = {**{kind: records.noun for kind, records in RECORD_SETS.items()}, "baselines": "unit baselines"}
"""What each kind of evidence a clause may be not assessed for lacking is called: the record kinds, and units' baselines."""


class Records(_Data):
    """Records of other kinds than units and incidents, by kind; a kind left out is a kind the report says nothing of.

    A clause whose evidence is of a kind absent here (or given with no entry and no complete period) is not
    assessed: its finding is `not_assessed`, which never changes the verdict's status.
    """

    patrols: Patrols | None = None
    """Patrols run (for obligations to patrol)."""
    inspections: Inspections | None = None
    """Inspections held (for obligations to inspect)."""
    roads: Roads | None = None
    """The status of named roads (for obligations to open them)."""
    posts: Posts | None = None
    """The status of named posts (for obligations to keep them)."""
    permissions: Permissions | None = None
    """Leave granted for acts a clause forbids (for permissions)."""
    objections: Objections | None = None
    """Objections to a mandate's renewal (for mandates)."""

    def of(self, kind: RecordKind) -> RecordSet | None:
        """The records of ``kind``, or None where the state says nothing of that kind."""
        found: RecordSet | None = getattr(self, kind)
        return None if found is None or found.empty else found


class RepairExpectation(_Data):
    """The repair a scenario file expects under one reading (see `truce repair`)."""

    yields: Status
    """The verdict the repair's changes give."""
    changes: dict[ObjectId, list[ObjectId]] = {}
    """By party id, the ids of the units and areas it must change (in any order)."""
    not_repairable: list[ObjectId] = []
    """The ids of the clauses no change can mend."""
    learn: list[ObjectId] = []
    """The ids of the items whose facts would settle an open clause."""


class RobustnessExpectation(_Data):
    """How robust a scenario file expects its verdict to be under one reading (see `truce robustness`)."""

    stable: StrictBool
    """Whether the verdict survives every zone edge moved by its margin."""
    deciding: list[ObjectId] = []
    """The ids of the items whose side of a line decides it (in any order)."""
    margin_km: Kilometres | None = None
    """The margin to move every edge by (default: each zone's `uncertainty_km`)."""


_OPTIONAL_PARTS = ("repair", "robustness")


class Expectation(_Data):
    """The verdict a scenario file expects under one reading (for example tests)."""

    status: Status
    """The verdict's status."""
    responsible: list[ObjectId] = []
    """The party ids the verdict must hold responsible."""
    responsible_one_of: list[list[ObjectId]] = []
    """The candidate groups the verdict must hold responsible, one of each (see `by: [a, b]`)."""
    findings: dict[ObjectId, FindingStatus] = {}
    """The finding each clause must get, by clause id."""
    repair: RepairExpectation | None = None
    """The repair expected (`truce repair`), if the file states one."""
    robustness: RobustnessExpectation | None = None
    """The robustness expected (`truce robustness`), if the file states one."""

    @model_serializer(mode="wrap")
    def _unstated_left_out(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Parts of an expectation a file does not state are not written, so a scenario's hash does not change with them."""
        data: dict[str, Any] = handler(self)
        return {key: value for key, value in data.items() if key not in _OPTIONAL_PARTS or value is not None}


class Scenario(_Data):
    """A whole scenario state; ``agreement`` picks a bundled rulebook or a rulebook file (relative to the scenario's)."""

    agreement: Note | None = None
    """A bundled rulebook's id, or a rulebook file's path relative to the scenario file (or pass `rules=` / `--rules`)."""
    title: Note | None = None
    """A short title."""
    description: Note | None = None
    """What the scenario shows."""
    reading: Id | None = None
    """The reading to evaluate under (default: the rulebook's)."""
    as_of: Instant
    """The instant the state describes: a date, a time and an offset."""
    units: list[Unit] = []
    """The forces and weapons present."""
    incidents: list[Incident] = []
    """The acts reported."""
    areas: list[AreaControl] = Field(default_factory=list)
    """Who controls each named area."""
    records: Records = Field(default_factory=Records)
    """Records of other kinds (patrols run, inspections held, road status), by kind; a kind left out is not assessed."""
    expect: dict[ObjectId, Expectation] = Field(default_factory=dict)
    """The verdict expected under each reading, by reading id (for `truce test`)."""
