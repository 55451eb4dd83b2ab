"""Read-only views of the store for `leads status` and reports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from connectors.store.schema import leads, quarantine, sync_errors, watermarks


def quarantine_counts(conn: Connection) -> list[Any]:
    q = quarantine.c
    return list(
        conn.execute(
            select(q.source, q.stage, func.count().label("rows"))
            .where(q.status == "open")
            .group_by(q.source, q.stage)
            .order_by(q.source, q.stage)
        )
    )


def lead_counts(conn: Connection) -> list[Any]:
    c = leads.c
    return list(
        conn.execute(
            select(c.lifecycle_stage, func.count().label("leads"))
            .where(c.status == "active")
            .group_by(c.lifecycle_stage)
            .order_by(c.lifecycle_stage)
        )
    )


def held_back_leads(conn: Connection) -> int:
    """Active leads that validation quarantined: kept, never synced until they pass."""
    c = leads.c
    query = select(func.count()).where(c.status == "active", c.validation_status == "quarantined")
    return conn.execute(query).scalar_one()


def watermark_rows(conn: Connection) -> list[Any]:
    return list(conn.execute(select(watermarks).order_by(watermarks.c.source)))


def sync_error_counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(sync_errors.c.sink, func.count()).group_by(sync_errors.c.sink))
    return {sink: n for sink, n in rows}


def quarantine_reasons(conn: Connection, run_id: str) -> list[dict[str, Any]]:
    """What this run quarantined: rows per (source, stage, reason), most frequent first."""
    q = quarantine.c
    tally: dict[tuple[str, str, str], int] = {}
    for row in conn.execute(select(q.source, q.stage, q.reasons).where(q.last_run_id == run_id)):
        for reason in row.reasons or []:
            key = (row.source, row.stage, reason)
            tally[key] = tally.get(key, 0) + 1
    return [
        {"source": s, "stage": st, "reason": r, "rows": n}
        for (s, st, r), n in sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    ]


def run_history(conn: Connection, limit: int = 30) -> list[dict[str, Any]]:
    """Recent runs, oldest first, with records extracted per source (for volume charts)."""
    from connectors.store.history import extracted
    from connectors.store.schema import runs

    rows = list(conn.execute(select(runs).order_by(runs.c.started_at.desc()).limit(limit)))
    return [
        {
            "run_id": r.run_id,
            "started_at": r.started_at.isoformat(),
            "status": r.status,
            "extracted": {
                s: extracted(c) for s, c in (r.counts or {}).get("sources", {}).items() if c.get("status") == "ok"
            },
        }
        for r in reversed(rows)
    ]
