"""Store side of the hand-off: MQLs with their stage history and touches, and recycles written back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from connectors.store.pipeline_fields import write_lead_fields
from connectors.store.schema import TS, activities, leads, stage_history
from connectors.store.scoring import PIPELINE
from connectors.store.upsert import batched, upsert
from leads.handoff import RECYCLED_BY, Change
from leads.lifecycle import Stage

QUALIFIED = [s.value for s in Stage if s.rank >= Stage.MQL.rank]


def qualified_leads(conn: Connection, after: str | None, limit: int) -> list[Any]:
    """Active leads at MQL or later, in lead id order from `after`."""
    c = leads.c
    query = (
        select(c.lead_id, c.identity_key, c.fields, c.lifecycle_stage, c.content_hash)
        .where(and_(c.status == "active", c.lifecycle_stage.in_(QUALIFIED)))
        .order_by(c.lead_id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(c.lead_id > after)
    return list(conn.execute(query))


def changes_of(conn: Connection, lead_ids: Sequence[str]) -> dict[str, list[Change]]:
    """Lifecycle and lead-status changes per lead, oldest first (ours and the CRMs')."""
    out: dict[str, list[Change]] = defaultdict(list)
    h = stage_history.c
    for chunk in batched(lead_ids, 900):
        rows = conn.execute(
            select(h.lead_id, h.field, h.value, h.changed_at, h.source, h.changed_by)
            .where(and_(h.lead_id.in_(chunk), h.field.in_(["lifecycle_stage", "lead_status"])))
            .order_by(h.changed_at, h.id)
        )
        for r in rows:
            out[r.lead_id].append(Change(r.field, r.value, r.changed_at, r.source, r.changed_by))
    return out


def touches_of(conn: Connection, lead_ids: Sequence[str], kinds: Sequence[str]) -> dict[str, list[datetime]]:
    """The times of sales touches (calls, emails sent and replies, meetings) per lead."""
    out: dict[str, list[datetime]] = defaultdict(list)
    a = activities.c
    for chunk in batched(lead_ids, 900):
        rows = conn.execute(select(a.lead_id, a.occurred_at).where(and_(a.lead_id.in_(chunk), a.kind.in_(list(kinds)))))
        for r in rows:
            out[r.lead_id].append(r.occurred_at)
    return out


def recycled_at(conn: Connection, lead_ids: Sequence[str]) -> dict[str, datetime]:
    """The time of each lead's last recycle to nurture (only leads ever recycled)."""
    h = stage_history.c
    out: dict[str, datetime] = {}
    for chunk in batched(lead_ids, 900):
        rows = conn.execute(
            select(h.lead_id, func.max(h.changed_at, type_=TS).label("at"))
            .where(
                and_(
                    h.lead_id.in_(chunk),
                    h.source == PIPELINE,
                    h.field == "lifecycle_stage",
                    h.changed_by == RECYCLED_BY,
                )
            )
            .group_by(h.lead_id)
        )
        for r in rows:
            out[r.lead_id] = r.at
    return out


def write_recycles(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """rows: {lead_id, fields, content_hash, reason, at}: the lead back at `lead`, and the move in
    stage_history (source `pipeline`, by `handoff`, with its reason)."""
    if not rows:
        return
    write_lead_fields(conn, [{**r, "lifecycle_stage": Stage.LEAD.value} for r in rows], columns=("lifecycle_stage",))
    history = [
        {
            "source": PIPELINE,
            "source_id": r["lead_id"],
            "lead_id": r["lead_id"],
            "field": "lifecycle_stage",
            "value": Stage.LEAD.value,
            "changed_at": r["at"],
            "changed_by": RECYCLED_BY,
            "reason": r["reason"],
            "external_id": f"{PIPELINE}:{r['lead_id']}:recycled:{r['at'].isoformat()}",
        }
        for r in rows
    ]
    upsert(conn, stage_history, history, keys=["source", "external_id"])
