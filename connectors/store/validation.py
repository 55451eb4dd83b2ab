"""Store side of validation: quarantining records and leads, and releasing them once they pass."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, or_, select, update

from connectors.store.landing import QuarantineEntry, quarantine_rows
from connectors.store.schema import leads, quarantine, source_records
from connectors.store.upsert import batched

LEADS_SOURCE = "leads"  # quarantine entries of golden leads use this as their source
STAGE = "validate"


def quarantine_records(
    conn: Connection, source: str, failing: dict[str, list[str]], rows: Sequence[Any], run_id: str, now: datetime
) -> None:
    """Hold back records that failed a quarantining expectation, until their content changes."""
    if not failing:
        return
    by_id = {r.source_id: r for r in rows}
    stmt = (
        update(source_records)
        .where(and_(source_records.c.source == source, source_records.c.source_id == bindparam("b_id")))
        .values(quarantined_hash=bindparam("b_hash"))
    )
    conn.execute(stmt, [{"b_id": i, "b_hash": by_id[i].content_hash} for i in failing])
    entries = [QuarantineEntry(f"record {i}", _raw(by_id[i].payload), reasons, i) for i, reasons in failing.items()]
    quarantine_rows(conn, source, STAGE, entries, run_id, now)


def release(conn: Connection, source: str, ids: Sequence[str], now: datetime) -> int:
    """Close open validation quarantine entries of ids that now pass. Returns how many closed."""
    closed = 0
    for chunk in batched(ids, 900):
        closed += conn.execute(
            update(quarantine)
            .where(
                and_(
                    quarantine.c.source == source,
                    quarantine.c.stage == STAGE,
                    quarantine.c.status == "open",
                    quarantine.c.source_id.in_(chunk),
                )
            )
            .values(status="released", last_seen_at=now)
        ).rowcount
    return closed


def leads_to_validate(conn: Connection, after: str | None, limit: int) -> list[Any]:
    """Active leads whose content changed since they were last validated."""
    c = leads.c
    query = (
        select(c.lead_id, c.identity_key, c.fields, c.lifecycle_stage, c.content_hash)
        .where(and_(c.status == "active", or_(c.validated_hash.is_(None), c.validated_hash != c.content_hash)))
        .order_by(c.lead_id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(c.lead_id > after)
    return list(conn.execute(query))


def record_lead_verdicts(
    conn: Connection, rows: Sequence[Any], failing: dict[str, list[str]], run_id: str, now: datetime
) -> None:
    stmt = (
        update(leads)
        .where(leads.c.lead_id == bindparam("b_id"))
        .values(
            validation_status=bindparam("b_status"),
            validation_issues=bindparam("b_issues"),
            validated_hash=bindparam("b_hash"),
        )
    )
    params = [
        {
            "b_id": r.lead_id,
            "b_status": "quarantined" if r.lead_id in failing else "valid",
            "b_issues": failing.get(r.lead_id),
            "b_hash": r.content_hash,
        }
        for r in rows
    ]
    for chunk in batched(params, 1000):
        conn.execute(stmt, chunk)
    entries = [
        QuarantineEntry(
            f"lead {r.lead_id}", _raw({n: v[0] for n, v in r.fields.items()}), failing[r.lead_id], r.lead_id
        )
        for r in rows
        if r.lead_id in failing
    ]
    quarantine_rows(conn, LEADS_SOURCE, STAGE, entries, run_id, now)


def _raw(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
