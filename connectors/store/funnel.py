"""Store side of the funnel report: leads with their stage times and outcomes, ad spend, and the
`funnel_weekly` rows rewritten for the weeks a run recomputed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select

from connectors.store.schema import funnel_weekly, leads, outcomes, spend, stage_history
from connectors.store.upsert import batched
from leads.funnel import FunnelLead, FunnelRow, Spend, monday, week_of
from leads.handoff import Outcome
from leads.lifecycle import Stage, parse_stage
from leads.model import FieldValue

CHUNK = 5000


@dataclass(frozen=True, slots=True)
class Cohort:
    """One lead for the report: its funnel facts and, when it reached MQL, its acceptance facts."""

    lead: FunnelLead
    mql: Outcome | None


def _value(fields: dict[str, Any], name: str) -> Any:
    data = fields.get(name)
    if not data:
        return None
    fv = FieldValue.from_json(name, data)
    return fv.value if fv.invalid is None else None


def _text(fields: dict[str, Any], name: str, size: int) -> str:
    value = _value(fields, name)
    return "" if value is None else str(value)[:size]


def cohorts(conn: Connection, since: date, tz: str = "UTC") -> Iterator[Cohort]:
    """Every lead (active or retired; merged ones live on in their survivor) created in a week
    starting on or after `since`'s Monday, by the `created_at` field, else the store's row time."""
    after: str | None = None
    c = leads.c
    while True:
        query = (
            select(c.lead_id, c.fields, c.lifecycle_stage, c.validation_status, c.created_at, c.scores)
            .where(c.status != "merged")
            .order_by(c.lead_id)
            .limit(CHUNK)
        )
        if after is not None:
            query = query.where(c.lead_id > after)
        rows = list(conn.execute(query))
        if not rows:
            return
        after = rows[-1].lead_id
        ids = [r.lead_id for r in rows]
        times, won = _stage_times(conn, ids), _won(conn, ids)
        for r in rows:
            created = _value(r.fields, "created_at")
            created = created if isinstance(created, datetime) else r.created_at
            if week_of(created, tz) < monday(since):
                continue
            yield _cohort(r, created, times.get(r.lead_id, {}), won.get(r.lead_id))


def _cohort(r: Any, created: datetime, times: dict[Stage, datetime], won_at: datetime | None) -> Cohort:
    stage = Stage(r.lifecycle_stage) if r.lifecycle_stage else None
    rank = stage.rank if stage is not None else -1
    mql_at = times.get(Stage.MQL)
    sql_at = min((t for s, t in times.items() if s.rank >= Stage.SQL.rank), default=None)
    reached_mql = rank >= Stage.MQL.rank or mql_at is not None or sql_at is not None
    reached_sql = rank >= Stage.SQL.rank or sql_at is not None or won_at is not None
    lead = FunnelLead(
        source=_text(r.fields, "source_system", 100),
        campaign=_text(r.fields, "campaign_id", 255),
        form_id=_text(r.fields, "form_id", 100),
        ad_id=_text(r.fields, "ad_id", 100),
        created_at=created,
        valid=r.validation_status != "quarantined",
        reached_mql=reached_mql,
        reached_sql=reached_sql,
        won=won_at is not None,
        mql_at=mql_at,
        sql_at=sql_at,
        won_at=won_at,
    )
    fired = frozenset(x.get("criterion") for x in (r.scores or {}).get("reasons") or [] if x.get("criterion"))
    return Cohort(lead, Outcome(fired, reached_sql) if reached_mql else None)


def _stage_times(conn: Connection, ids: Sequence[str]) -> dict[str, dict[Stage, datetime]]:
    """The first time each lead reached each stage, from every source's lifecycle history."""
    out: dict[str, dict[Stage, datetime]] = defaultdict(dict)
    h = stage_history.c
    for chunk in batched(ids, 900):
        rows = conn.execute(
            select(h.lead_id, h.value, h.changed_at).where(and_(h.lead_id.in_(chunk), h.field == "lifecycle_stage"))
        )
        for r in rows:
            stage = parse_stage(r.value) if r.value else None
            if stage is None or stage.rank < Stage.MQL.rank:
                continue
            known = out[r.lead_id].get(stage)
            if known is None or r.changed_at < known:
                out[r.lead_id][stage] = r.changed_at
    return out


def _won(conn: Connection, ids: Sequence[str]) -> dict[str, datetime]:
    out: dict[str, datetime] = {}
    for chunk in batched(ids, 900):
        rows = conn.execute(
            select(outcomes.c.lead_id, outcomes.c.occurred_at).where(
                and_(outcomes.c.lead_id.in_(chunk), outcomes.c.kind == "won")
            )
        )
        for r in rows:
            if r.lead_id not in out or r.occurred_at < out[r.lead_id]:
                out[r.lead_id] = r.occurred_at
    return out


def spend_since(conn: Connection, since: date) -> list[Spend]:
    s = spend.c
    rows = conn.execute(select(s.campaign_id, s.ad_id, s.day, s.amount, s.currency).where(s.day >= since))
    return [Spend(r.campaign_id, r.ad_id or "", r.day, float(r.amount), r.currency) for r in rows]


def write_funnel(conn: Connection, rows: Sequence[FunnelRow], weeks: Sequence[date], at: datetime) -> None:
    """Rewrite the rows of these weeks: the recomputed ones replace whatever was there."""
    for chunk in batched(sorted(set(weeks)), 500):
        conn.execute(delete(funnel_weekly).where(funnel_weekly.c.week.in_(chunk)))
    columns = {c.name for c in funnel_weekly.c}
    values = [{k: v for k, v in r.as_dict().items() if k in columns} | {"computed_at": at} for r in rows]
    for chunk in batched(values, 1000):
        conn.execute(insert(funnel_weekly), chunk)


def stored_funnel(conn: Connection, since: date) -> list[dict[str, Any]]:
    f = funnel_weekly.c
    query = select(funnel_weekly).where(f.week >= since).order_by(f.week, f.source, f.campaign, f.form_id, f.ad_id)
    return [dict(r._mapping) for r in conn.execute(query)]
