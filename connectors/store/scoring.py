"""Store side of scoring: leads to score, their events and CRM signals, and the scores written back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select, update

from connectors.store.pipeline_fields import write_lead_fields
from connectors.store.schema import activities, lead_links, leads, outcomes, source_records, stage_history
from connectors.store.upsert import batched, upsert
from leads.model import RecordRef
from leads.scoring import Event

PIPELINE = "pipeline"  # the source name of stage changes the pipeline itself makes


def leads_to_score(conn: Connection, after: str | None, limit: int) -> list[Any]:
    c = leads.c
    query = (
        select(c.lead_id, c.identity_key, c.fields, c.lifecycle_stage, c.content_hash, c.scored_hash, c.scores)
        .where(c.status == "active")
        .order_by(c.lead_id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(c.lead_id > after)
    return list(conn.execute(query))


def records_of(conn: Connection, lead_ids: Sequence[str]) -> dict[str, tuple[RecordRef, ...]]:
    out: dict[str, list[RecordRef]] = defaultdict(list)
    for chunk in batched(lead_ids, 900):
        rows = conn.execute(
            select(lead_links.c.lead_id, lead_links.c.source, lead_links.c.source_id).where(
                lead_links.c.lead_id.in_(chunk)
            )
        )
        for r in rows:
            out[r.lead_id].append(RecordRef(r.source, r.source_id))
    return {lead: tuple(refs) for lead, refs in out.items()}


def events_of(conn: Connection, lead_ids: Sequence[str], ad_sources: Iterable[str]) -> dict[str, list[Event]]:
    """Every activity of these leads, and an `ad_lead` event per record an ad source holds for them."""
    out: dict[str, list[Event]] = defaultdict(list)
    ads = list(ad_sources)
    for chunk in batched(lead_ids, 900):
        rows = conn.execute(
            select(activities.c.lead_id, activities.c.kind, activities.c.occurred_at).where(
                activities.c.lead_id.in_(chunk)
            )
        )
        for r in rows:
            out[r.lead_id].append(Event(r.kind, r.occurred_at))
        if ads:
            joined = lead_links.join(
                source_records,
                and_(
                    source_records.c.source == lead_links.c.source, source_records.c.source_id == lead_links.c.source_id
                ),
            )
            rows = conn.execute(
                select(lead_links.c.lead_id, source_records.c.cursor_ts)
                .select_from(joined)
                .where(and_(lead_links.c.lead_id.in_(chunk), lead_links.c.source.in_(ads)))
            )
            for r in rows:
                out[r.lead_id].append(Event("ad_lead", r.cursor_ts))
    return out


def signals_of(conn: Connection, lead_ids: Sequence[str]) -> dict[str, dict[str, set[str]]]:
    """lead → {"lead_statuses": CRM lead statuses it had, "outcomes": won / lost / converted}."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"lead_statuses": set(), "outcomes": set()})
    for chunk in batched(lead_ids, 900):
        rows = conn.execute(
            select(stage_history.c.lead_id, stage_history.c.value).where(
                and_(stage_history.c.lead_id.in_(chunk), stage_history.c.field == "lead_status")
            )
        )
        for r in rows:
            if r.value:
                out[r.lead_id]["lead_statuses"].add(r.value.strip().casefold())
        for r in conn.execute(select(outcomes.c.lead_id, outcomes.c.kind).where(outcomes.c.lead_id.in_(chunk))):
            out[r.lead_id]["outcomes"].add(r.kind)
    return out


def write_scores(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """rows: {lead_id, fields, lifecycle_stage, content_hash, scores, scored_hash, scored_at}."""
    write_lead_fields(
        conn,
        [{**r, "at": r["scored_at"]} for r in rows],
        columns=("lifecycle_stage", "scores", "scored_hash", "scored_at"),
    )


def mark_scored(conn: Connection, rows: Sequence[tuple[str, str]]) -> None:
    """(lead_id, scored_hash) for leads whose scores came out unchanged."""
    stmt = update(leads).where(leads.c.lead_id == bindparam("b_id")).values(scored_hash=bindparam("b_scored"))
    for chunk in batched([{"b_id": i, "b_scored": h} for i, h in rows], 1000):
        conn.execute(stmt, chunk)


def record_stage_moves(conn: Connection, moves: Sequence[tuple[str, str, str, datetime]]) -> None:
    """(lead_id, new stage, reason, when): the pipeline's own lifecycle moves, beside the CRMs' history."""
    rows = [
        {
            "source": PIPELINE,
            "source_id": lead_id,
            "lead_id": lead_id,
            "field": "lifecycle_stage",
            "value": stage,
            "changed_at": at,
            "changed_by": "scoring",
            "reason": reason,
            "external_id": f"{PIPELINE}:{lead_id}:{stage}",
        }
        for lead_id, stage, reason, at in moves
    ]
    upsert(conn, stage_history, rows, keys=["source", "external_id"])
