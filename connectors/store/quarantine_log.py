"""Reading and closing quarantine entries (`leads quarantine`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, select, update

from connectors.store.schema import quarantine, source_records
from connectors.store.upsert import batched


def entries(
    conn: Connection, source: str | None, stage: str | None, status: str | None, limit: int | None = None
) -> list[Any]:
    q = quarantine.c
    query = select(quarantine).order_by(q.source, q.stage, q.id)
    for column, value in ((q.source, source), (q.stage, stage), (q.status, status)):
        if value is not None:
            query = query.where(column == value)
    if limit is not None:
        query = query.limit(limit)
    return list(conn.execute(query))


def entry(conn: Connection, entry_id: int) -> Any | None:
    return conn.execute(select(quarantine).where(quarantine.c.id == entry_id)).one_or_none()


def close(conn: Connection, ids: Sequence[int], now: datetime) -> None:
    for chunk in batched(ids, 900):
        conn.execute(update(quarantine).where(quarantine.c.id.in_(chunk)).values(status="released", last_seen_at=now))


def restate(conn: Connection, entry_id: int, reasons: list[str], now: datetime) -> None:
    """Still failing: keep the entry open with today's reasons."""
    conn.execute(update(quarantine).where(quarantine.c.id == entry_id).values(reasons=reasons, last_seen_at=now))


def landed(conn: Connection, source: str, source_ids: Sequence[str]) -> list[Any]:
    c = source_records.c
    rows: list[Any] = []
    for chunk in batched(source_ids, 900):
        rows += conn.execute(
            select(c.source_id, c.payload, c.content_hash, c.cursor_ts).where(
                and_(c.source == source, c.source_id.in_(chunk))
            )
        )
    return rows


def unhold(conn: Connection, source: str, source_ids: Sequence[str]) -> None:
    """Let records go through validation and normalization again on the next run."""
    c = source_records.c
    for chunk in batched(source_ids, 900):
        conn.execute(
            update(source_records)
            .where(and_(c.source == source, c.source_id.in_(chunk)))
            .values(quarantined_hash=None, normalized_content_hash=None)
        )


def leads_by_id(conn: Connection, lead_ids: Sequence[str]) -> list[Any]:
    from connectors.store.schema import leads

    c = leads.c
    rows: list[Any] = []
    for chunk in batched(lead_ids, 900):
        rows += conn.execute(
            select(c.lead_id, c.identity_key, c.fields, c.lifecycle_stage, c.content_hash).where(c.lead_id.in_(chunk))
        )
    return rows
