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


def watermark_rows(conn: Connection) -> list[Any]:
    return list(conn.execute(select(watermarks).order_by(watermarks.c.source)))


def sync_error_counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(sync_errors.c.sink, func.count()).group_by(sync_errors.c.sink))
    return {sink: n for sink, n in rows}
