"""Running the stages without Prefect, and comparing store states."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, inspect, select

from connectors.store.schema import lead_links, leads, quarantine, source_records, sync_errors, sync_state, watermarks
from tasks.enrich import enrich
from tasks.extract import extract
from tasks.handoff import handoff_stage
from tasks.normalize import normalize
from tasks.prepare import prepare
from tasks.route import route_stage
from tasks.score import score_stage
from tasks.sync import sync

# Scoring rules the stage tests share: a manager at a corporate address is an A, free mail costs.
FIT_CRITERIA = [
    {"name": "manager", "field": "seniority", "equals": "manager", "points": 40},
    {"name": "corporate email", "field": "email_class", "equals": "corporate", "points": 25},
    {"name": "free-mail", "field": "email_class", "equals": "free", "points": -30},
]
GRADES = {"fit": {"A": 60, "B": 40, "C": 20}, "engagement": {1: 60, 2: 30, 3: 10}}


def run_pipeline(config: Path, run_id: str, dry_run: bool = False) -> dict[str, Any]:
    ctx = prepare(str(config), run_id, None, dry_run)
    counts: dict[str, Any] = {"sources": {n: extract(ctx, n) for n in ctx.config.sources}}
    counts["normalize"] = normalize(ctx)
    counts["enrich"] = enrich(ctx)
    counts["score"] = score_stage(ctx)
    counts["route"] = route_stage(ctx)
    counts["handoff"] = handoff_stage(ctx)
    counts["sinks"] = {n: sync(ctx, n) for n in ctx.config.sinks}
    return counts


def snapshot(engine, sink_table: str = "crm_leads") -> dict[str, Any]:
    """The store's and the sink's meaningful state, without run ids and wall-clock times."""
    with engine.connect() as conn:
        state = {
            "records": sorted(
                (r.source, r.source_id, r.content_hash, r.normalized_content_hash)
                for r in conn.execute(select(source_records))
            ),
            "leads": sorted((r.lead_id, r.content_hash, r.status) for r in conn.execute(select(leads))),
            "links": sorted(
                tuple(r)
                for r in conn.execute(select(lead_links.c.source, lead_links.c.source_id, lead_links.c.lead_id))
            ),
            "watermarks": sorted((r.source, r.cursor_ts, r.cursor_id) for r in conn.execute(select(watermarks))),
            "sync_state": sorted((r.sink, r.lead_id, r.payload_hash) for r in conn.execute(select(sync_state))),
            "sync_errors": sorted((r.sink, r.lead_id) for r in conn.execute(select(sync_errors))),
            "quarantine": sorted((r.source, r.stage, r.raw_hash, r.status) for r in conn.execute(select(quarantine))),
        }
        if inspect(conn).has_table(sink_table):
            table = Table(sink_table, MetaData(), autoload_with=conn)
            columns = [c for c in table.c if c.name != "synced_at"]
            state["sink"] = sorted(tuple(_plain(v) for v in r) for r in conn.execute(select(*columns)))
        else:
            state["sink"] = None
    return state


def _plain(value: Any) -> Any:
    """Sink values as comparable across databases (SQLite reflects naive datetimes, 0/1 booleans)."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).replace(tzinfo=None).isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def run_checked(
    config: Path, run_id: str, events: list | None = None, started_at: datetime | None = None
) -> dict[str, Any]:
    """The flow's order of stages, with validation and gates, without Prefect."""
    from dataclasses import replace
    from unittest import mock

    from tasks.gates import evaluate
    from tasks.report import may_sync, validation_counts
    from tasks.validate import validate_leads, validate_records

    ctx = prepare(str(config), run_id, None, False)
    if started_at is not None:
        ctx = replace(ctx, started_at=started_at)
    counts: dict[str, Any] = {"sources": {n: extract(ctx, n) for n in ctx.config.sources}}
    checks = {n: validate_records(ctx, n) for n in ctx.config.sources}
    counts["normalize"] = normalize(ctx)
    counts["enrich"] = enrich(ctx)
    counts["score"] = score_stage(ctx)
    counts["route"] = route_stage(ctx)
    counts["handoff"] = handoff_stage(ctx)
    checks["leads"] = validate_leads(ctx)
    counts |= validation_counts(checks)
    emitted = events if events is not None else []
    with mock.patch("prefect.events.emit_event", side_effect=lambda **kw: emitted.append(kw)):
        counts["gates"] = evaluate(ctx, {"sources": counts["sources"], "validation_results": list(checks.values())})
    if may_sync(counts):
        counts["sinks"] = {n: sync(ctx, n) for n in ctx.config.sinks}
    return counts
