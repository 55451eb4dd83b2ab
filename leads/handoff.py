"""The hand-off from marketing to sales, as arithmetic (pure): SLAs, recycling and acceptance.

- **SLA**: from a lead's MQL time (of its current cycle: after its last recycle) to its first sales
  touch and to SQL. `met` in time, `late` done after the limit, `overdue` not done and past the limit,
  `open` not done and still within it.
- **Recycle**: an MQL nobody touched within `recycle.after` of its MQL time, or one sales rejected
  with a listed lead status, goes back to `lead` (nurture): the one backward move of the lifecycle.
- **Re-qualifying**: after a recycle, only events after the recycle time count towards MQL again, so
  the same old engagement does not make the lead an MQL the next run.
- **Acceptance**: per fit criterion, how often MQLs it fired for reached SQL, against MQLs it did not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from leads.handoff_config import HandoffConfig
from leads.lifecycle import Stage

SlaStatus = Literal["met", "late", "overdue", "open"]
RECYCLED_BY = "handoff"  # stage_history.changed_by of a recycle


@dataclass(frozen=True, slots=True)
class HandoffLead:
    """What the hand-off needs to know of one lead, times aware UTC."""

    lead_id: str
    stage: Stage | None
    mql_at: datetime | None  # the MQL time of the current cycle
    first_touch_at: datetime | None = None  # first touch at or after mql_at
    sql_at: datetime | None = None  # first SQL (or later) time at or after mql_at
    rejected: str | None = None  # a recycling lead status sales set at or after mql_at
    recycled_at: datetime | None = None  # the last recycle


@dataclass(frozen=True, slots=True)
class Verdict:
    lead_id: str
    first_touch: SlaStatus | None
    to_sql: SlaStatus | None
    recycle: str | None  # the reason, when the lead goes back to nurture


@dataclass(slots=True)
class SlaTally:
    met: int = 0
    late: int = 0
    overdue: int = 0
    open: int = 0
    flagged: list[str] = field(default_factory=list)  # lead ids, overdue first then late


def span(value: timedelta) -> str:
    """A duration as the config writes it: 30d, 36h, 90m, 45s."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def sla_status(start: datetime, done: datetime | None, limit: timedelta, now: datetime) -> SlaStatus:
    if done is not None:
        return "met" if done - start <= limit else "late"
    return "overdue" if now - start > limit else "open"


def recycle_reason(lead: HandoffLead, config: HandoffConfig, now: datetime) -> str | None:
    """Why this MQL goes back to nurture now, or None. Only a lead at MQL is recycled: an SQL or
    later was accepted, and anything before MQL is in nurture already."""
    rules = config.recycle
    if not rules.enabled or lead.stage is not Stage.MQL or lead.mql_at is None:
        return None
    if lead.rejected is not None:
        return f"recycled: rejected by sales ({lead.rejected})"
    if rules.after is not None and lead.first_touch_at is None and now - lead.mql_at > rules.after:
        return f"recycled: not worked within {span(rules.after)}"
    return None


def judge(lead: HandoffLead, config: HandoffConfig, now: datetime) -> Verdict:
    first = to_sql = None
    if lead.mql_at is not None:
        sla = config.sla
        if sla.first_touch is not None:
            first = sla_status(lead.mql_at, lead.first_touch_at, sla.first_touch, now)
        if sla.to_sql is not None:
            sql_at = lead.sql_at
            if sql_at is None and lead.stage is not None and lead.stage.rank >= Stage.SQL.rank:
                sql_at = lead.mql_at  # the CRM says SQL but gave no time: counted as in time
            to_sql = sla_status(lead.mql_at, sql_at, sla.to_sql, now)
    return Verdict(lead.lead_id, first, to_sql, recycle_reason(lead, config, now))


def tally(verdicts: Iterable[Verdict], which: Literal["first_touch", "to_sql"], limit: int) -> SlaTally:
    out = SlaTally()
    late: list[str] = []
    for v in verdicts:
        status = getattr(v, which)
        if status is None:
            continue
        setattr(out, status, getattr(out, status) + 1)
        if status == "overdue":
            out.flagged.append(v.lead_id)
        elif status == "late":
            late.append(v.lead_id)
    out.flagged = sorted(out.flagged)[:limit] + sorted(late)[: max(0, limit - len(out.flagged))]
    return out


def since_recycle(events: Sequence[Any], recycled_at: datetime | None) -> list[Any]:
    """The events that count towards qualifying again: those after the last recycle (all when never
    recycled). Events are anything with an `at` time (leads.scoring.Event)."""
    if recycled_at is None:
        return list(events)
    return [e for e in events if e.at > recycled_at]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One MQL for acceptance feedback: the fit criteria that fired for it and whether sales accepted."""

    criteria: frozenset[str]
    accepted: bool  # reached SQL or later


@dataclass(frozen=True, slots=True)
class AcceptanceRow:
    criterion: str
    fired: int
    fired_accepted: int
    not_fired: int
    not_fired_accepted: int

    @property
    def fired_rate(self) -> float | None:
        return self.fired_accepted / self.fired if self.fired else None

    @property
    def not_fired_rate(self) -> float | None:
        return self.not_fired_accepted / self.not_fired if self.not_fired else None

    def as_dict(self) -> dict[str, Any]:
        rates = {"fired_rate": _round(self.fired_rate), "not_fired_rate": _round(self.not_fired_rate)}
        return {
            "criterion": self.criterion,
            "fired": self.fired,
            "fired_accepted": self.fired_accepted,
            "not_fired": self.not_fired,
            "not_fired_accepted": self.not_fired_accepted,
            **rates,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def acceptance(mqls: Iterable[Outcome], criteria: Sequence[str]) -> list[AcceptanceRow]:
    """Per criterion (in the given order), acceptance of the MQLs it fired for and of those it did not."""
    items = list(mqls)
    rows = []
    for name in criteria:
        fired = [m for m in items if name in m.criteria]
        other = [m for m in items if name not in m.criteria]
        rows.append(
            AcceptanceRow(name, len(fired), sum(m.accepted for m in fired), len(other), sum(m.accepted for m in other))
        )
    return rows


@dataclass(frozen=True, slots=True)
class Change:
    """A stage_history row as the hand-off reads it."""

    field: str  # lifecycle_stage | lead_status
    value: str | None
    at: datetime
    source: str
    changed_by: str | None = None


def is_recycle(change: Change) -> bool:
    return change.source == "pipeline" and change.field == "lifecycle_stage" and change.changed_by == RECYCLED_BY


def last_recycle(changes: Iterable[Change]) -> datetime | None:
    return max((c.at for c in changes if is_recycle(c)), default=None)


def handoff_lead(
    lead_id: str,
    stage: Stage | None,
    changes: Sequence[Change],
    touches: Sequence[datetime],
    config: HandoffConfig,
) -> HandoffLead:
    """The lead's current cycle from its stage history and touch times: the first MQL after the
    last recycle, then the first touch, SQL and rejection at or after it."""
    from leads.lifecycle import parse_stage

    recycled = last_recycle(changes)
    cycle = [c for c in changes if recycled is None or c.at > recycled]
    staged = [(c.at, s) for c in cycle if c.field == "lifecycle_stage" and c.value and (s := parse_stage(c.value))]
    mql_at = min((at for at, s in staged if s is Stage.MQL), default=None)
    if mql_at is None:
        return HandoffLead(lead_id, stage, None, recycled_at=recycled)
    sql_at = min((at for at, s in staged if s.rank >= Stage.SQL.rank and at >= mql_at), default=None)
    first = min((t for t in touches if t >= mql_at), default=None)
    listed = {s.strip().casefold(): s for s in config.recycle.lead_statuses}
    rejections = [
        c
        for c in cycle
        if c.field == "lead_status" and c.value and c.value.strip().casefold() in listed and c.at >= mql_at
    ]
    rejected = max(rejections, key=lambda c: c.at).value.strip() if rejections else None  # type: ignore[union-attr]
    return HandoffLead(lead_id, stage, mql_at, first, sql_at, rejected, recycled)
