"""The sync outbox: a lead is pending for a sink when what the sink last accepted is out of date.

sync_state keeps, per (sink, lead), the hash of the lead it was computed from, the hash of the
mapping, and the hash of the payload the sink accepted. The cheap test (lead or mapping changed)
runs in SQL; the exact test (payload changed) runs on the mapped payload, so a change to a field
the sink does not map costs no write.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, or_, select, update
from sqlalchemy.sql import Select

from connectors.store.schema import lead_merges, leads, sync_errors, sync_state
from connectors.store.upsert import batched, upsert


def _pending_query(sink: str, mapping_hash: str, stages: Sequence[str] | None, skip_refused: bool = False) -> Select:
    """`skip_refused`: leave out leads the sink refused for good, until they change again."""
    s = sync_state.c
    joined = leads.outerjoin(sync_state, and_(s.sink == sink, s.lead_id == leads.c.lead_id))
    query = (
        select(
            leads.c.lead_id,
            leads.c.identity_key,
            leads.c.fields,
            leads.c.lifecycle_stage,
            leads.c.content_hash,
            s.payload_hash,
            s.remote_id,
        )
        .select_from(joined)
        .where(
            and_(
                leads.c.status == "active",
                leads.c.validation_status != "quarantined",
                or_(s.lead_id.is_(None), s.lead_hash != leads.c.content_hash, s.mapping_hash != mapping_hash),
            )
        )
    )
    if stages is not None:
        query = query.where(leads.c.lifecycle_stage.in_(list(stages)))
    if skip_refused:
        e = sync_errors.c
        refused = select(e.lead_id).where(
            and_(
                e.sink == sink,
                e.lead_id == leads.c.lead_id,
                e.retriable.is_(False),
                e.last_failed_at >= leads.c.updated_at,
            )
        )
        query = query.where(~refused.exists())
    return query


def pending(
    conn: Connection,
    sink: str,
    mapping_hash: str,
    stages: Sequence[str] | None,
    after: str | None,
    limit: int,
    skip_refused: bool = False,
) -> list[Any]:
    query = _pending_query(sink, mapping_hash, stages, skip_refused).order_by(leads.c.lead_id).limit(limit)
    if after is not None:
        query = query.where(leads.c.lead_id > after)
    return list(conn.execute(query))


def count_pending(
    conn: Connection, sink: str, mapping_hash: str, stages: Sequence[str] | None, skip_refused: bool = False
) -> int:
    return conn.execute(
        select(func.count()).select_from(_pending_query(sink, mapping_hash, stages, skip_refused).subquery())
    ).scalar_one()


def record_accepted(
    conn: Connection, sink: str, rows: Sequence[dict[str, Any]], mapping_hash: str, run_id: str, now: datetime
) -> None:
    """rows: {lead_id, payload_hash, lead_hash, remote_id}; clears any earlier error for them."""
    upsert(
        conn,
        sync_state,
        [{"sink": sink, **r, "mapping_hash": mapping_hash, "synced_at": now, "run_id": run_id} for r in rows],
        keys=["sink", "lead_id"],
    )
    for ids in batched([r["lead_id"] for r in rows], 900):
        conn.execute(delete(sync_errors).where(and_(sync_errors.c.sink == sink, sync_errors.c.lead_id.in_(ids))))


def record_rejected(
    conn: Connection, sink: str, errors: Sequence[tuple[str, str, bool]], run_id: str, now: datetime
) -> None:
    """errors: (lead_id, message, retriable). Kept until a later run succeeds for the lead."""
    upsert(
        conn,
        sync_errors,
        [
            {
                "sink": sink,
                "lead_id": lead_id,
                "error": message,
                "retriable": retriable,
                "attempts": 1,
                "first_failed_at": now,
                "last_failed_at": now,
                "run_id": run_id,
            }
            for lead_id, message, retriable in errors
        ],
        keys=["sink", "lead_id"],
        update=["error", "retriable", "attempts", "last_failed_at", "run_id"],
        increment=["attempts"],
    )


def merged_away(conn: Connection, sink: str) -> list[tuple[str, str]]:
    """(merged lead, survivor) for leads this sink holds that were since merged into another."""
    m = lead_merges.c
    rows = conn.execute(
        select(m.merged_lead_id, m.survivor_lead_id)
        .select_from(lead_merges.join(sync_state, sync_state.c.lead_id == m.merged_lead_id))
        .where(sync_state.c.sink == sink)
        .order_by(m.merged_lead_id)
    )
    return [(r.merged_lead_id, r.survivor_lead_id) for r in rows]


def forget(conn: Connection, sink: str, lead_ids: Sequence[str]) -> None:
    """The sink no longer holds these leads."""
    for ids in batched(list(lead_ids), 900):
        conn.execute(delete(sync_state).where(and_(sync_state.c.sink == sink, sync_state.c.lead_id.in_(ids))))


def retired_in(conn: Connection, sink: str) -> list[tuple[str, str | None]]:
    """(lead, remote id) for leads this sink holds that the pipeline retired (every record deleted)."""
    rows = conn.execute(
        select(sync_state.c.lead_id, sync_state.c.remote_id)
        .select_from(sync_state.join(leads, leads.c.lead_id == sync_state.c.lead_id))
        .where(and_(sync_state.c.sink == sink, leads.c.status == "retired"))
        .order_by(sync_state.c.lead_id)
    )
    return [(r.lead_id, r.remote_id) for r in rows]


def remote_ids(conn: Connection, sink: str, lead_ids: Sequence[str]) -> dict[str, str]:
    """The remote id the sink last accepted each lead under."""
    out: dict[str, str] = {}
    for ids in batched(list(lead_ids), 900):
        rows = conn.execute(
            select(sync_state.c.lead_id, sync_state.c.remote_id).where(
                and_(sync_state.c.sink == sink, sync_state.c.lead_id.in_(ids), sync_state.c.remote_id.is_not(None))
            )
        )
        out.update({r.lead_id: r.remote_id for r in rows})
    return out


def full_resync(conn: Connection, sink: str) -> int:
    """Make every lead the sink holds pending again, once (`leads sync --full-resync`)."""
    return conn.execute(
        update(sync_state).where(sync_state.c.sink == sink).values(payload_hash="", mapping_hash="")
    ).rowcount
