"""Earlier runs' counts, for gates that compare a run with its history."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, select

from connectors.store.schema import runs


def extracted_at_same_hour(
    engine: Engine, source: str, now: datetime, timezone: str, current_run: str, limit: int
) -> list[int]:
    """Records extracted from `source` by earlier completed runs that started at this local hour."""
    zone = ZoneInfo(timezone)
    hour = now.astimezone(zone).hour
    query = (
        select(runs.c.run_id, runs.c.started_at, runs.c.counts)
        .where(and_(runs.c.status == "completed", runs.c.dry_run.is_(False), runs.c.run_id != current_run))
        .order_by(runs.c.started_at.desc())
        .limit(limit * 30)
    )
    counts: list[int] = []
    with engine.connect() as conn:
        for row in conn.execute(query):
            source_counts = (row.counts or {}).get("sources", {}).get(source)
            if not source_counts or source_counts.get("status") != "ok":
                continue
            if row.started_at.astimezone(zone).hour != hour:
                continue
            counts.append(extracted(source_counts))
            if len(counts) == limit:
                break
    return counts


def extracted(source_counts: dict) -> int:
    """Records a run extracted from a source: read, less what the cursor skipped."""
    return int(source_counts.get("read") or 0) - int(source_counts.get("skipped_by_cursor") or 0)
