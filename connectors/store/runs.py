"""The runs table: one row per flow run, with counts per stage for reports and trends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update

from connectors.store.schema import runs


def start_run(
    engine: Engine, run_id: str, flow_name: str, flow_run_id: str | None, dry_run: bool, now: datetime
) -> None:
    with engine.begin() as conn:
        conn.execute(
            runs.insert().values(
                run_id=run_id,
                flow_name=flow_name,
                flow_run_id=flow_run_id,
                status="running",
                dry_run=dry_run,
                started_at=now,
                counts={},
            )
        )


def finish_run(
    engine: Engine, run_id: str, status: str, counts: dict[str, Any], now: datetime, error: str | None = None
) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(runs)
            .where(runs.c.run_id == run_id)
            .values(status=status, counts=counts, finished_at=now, error=error)
        )


def recent_runs(engine: Engine, limit: int = 10) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(runs).order_by(runs.c.started_at.desc()).limit(limit)))
