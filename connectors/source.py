"""What every source gives the extract stage: batches to land, each with the checkpoint it earns.

A source reads one or more **streams** (HubSpot: contacts, meetings, calls, deals, owners; a file:
its rows) and yields `Batch`es. The extract stage lands each batch in one transaction together with
the batch's checkpoint, so a crash never leaves a checkpoint ahead of what landed, and a rerun
resumes from the last checkpoint without a gap. Sources that read in cursor order (Salesforce's
ORDER BY SystemModstamp, Id; HubSpot's id-ordered windows) checkpoint every page; a file, read in
no particular order, only once at its end.

Checkpoints live in `watermarks`, keyed by the source's name for its main stream and by
"<source>/<stream>" for the others.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from connectors.store.landing import IncomingRecord, QuarantineEntry

MAIN = ""  # the stream whose checkpoint is the source's watermark


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where a stream stands: everything up to (cursor_ts, cursor_id) has landed.

    `state` carries what a cursor pair cannot say: a window being worked through, the id floor
    inside it, when the last archive sweep ran.
    """

    cursor_ts: datetime
    cursor_id: str = ""
    state: dict[str, Any] | None = None


@dataclass(slots=True)
class Events:
    """Engagement, ownership and outcome rows tied to source records (see connectors/store/events.py).

    `spend` rows are an ad platform's daily cost per campaign and ad (platform, account_id,
    campaign_id, ad_id ('' for a campaign's own row), day, amount, currency, impressions, clicks).
    """

    activities: list[dict[str, Any]] = field(default_factory=list)
    stage_changes: list[dict[str, Any]] = field(default_factory=list)
    owners: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    spend: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.activities or self.stage_changes or self.owners or self.outcomes or self.spend)

    def extend(self, other: Events) -> None:
        self.activities += other.activities
        self.stage_changes += other.stage_changes
        self.owners += other.owners
        self.outcomes += other.outcomes
        self.spend += other.spend


@dataclass(slots=True)
class Batch:
    """One transaction's worth of a stream: records, rejected rows, deletions, events, checkpoint."""

    stream: str = MAIN
    records: list[IncomingRecord] = field(default_factory=list)
    rejected: list[QuarantineEntry] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    events: Events = field(default_factory=Events)
    read: int = 0  # rows or objects read for this batch, including those skipped or rejected
    skipped: int = 0  # read but older than the cursor (files only: an API filters server-side)
    checkpoint: Checkpoint | None = None


class Source(Protocol):
    """A configured source, ready to read."""

    name: str
    volatile: frozenset[str]  # payload keys that change on every write: never content

    def check(self) -> list[str]:
        """Problems that stop this source before it reads anything (named by config key)."""
        ...

    def read(self, checkpoints: Mapping[str, Checkpoint]) -> Iterator[Batch]:
        """Batches from each stream's checkpoint on (none: a first load)."""
        ...

    def missing_columns(self) -> list[str]:
        """Mapped columns or properties the source lacks (schema drift), once read."""
        ...

    def notes(self) -> list[str]:
        """What the run summary should say about this read (count mismatches, a stopped quota)."""
        ...

    def requests(self) -> int:
        """HTTP requests made (0 for files)."""
        ...


def watermark_key(source: str, stream: str) -> str:
    return source if stream == MAIN else f"{source}/{stream}"


@dataclass(frozen=True, slots=True)
class Window:
    """The span of cursor values a run reads for a stream, and whether it reconciles.

    A new window runs from the last one's end minus the lookback (a first load: from `start`) to
    this run's start. A reconciling window reaches back to the last reconciliation and reads every
    record, our own echoes included; the others may leave echoes unread.
    """

    lo: datetime
    hi: datetime
    reconciling: bool


def new_window(
    mark: Checkpoint | None,
    now: datetime,
    lookback: timedelta,
    start: datetime | None,
    reconcile_every: timedelta,
    epoch: datetime,
) -> Window:
    state = (mark.state or {}) if mark else {}
    reconciled = datetime.fromisoformat(state["reconciled_at"]) if state.get("reconciled_at") else None
    lo = (mark.cursor_ts - lookback) if mark else (start or epoch)
    reconciling = mark is None or reconciled is None or now - reconciled >= reconcile_every
    if reconciling and reconciled is not None:
        lo = min(lo, reconciled - lookback)
    return Window(lo, now, reconciling)
