"""Sync: send pending leads to a sink through the outbox, only what changed since it last accepted."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from connectors.sql_table.mapping import mapping_hash, payload_hash, to_row
from connectors.sql_table.sink import SqlTableSink
from connectors.store import outbox
from connectors.store.leads_view import lead_from_row
from connectors.store.leases import LeaseHeld
from leads.config import SqlTableSinkConfig
from leads.lifecycle import stages_from
from tasks import progress
from tasks.context import RunContext
from tasks.crm_sync import CrmSync
from tasks.crm_sync import mapping_hash as crm_mapping_hash


@dataclass(slots=True)
class SyncCounts:
    status: str = "ok"
    dry_run: bool = False
    pending: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    merged_away: int = 0  # rows of leads merged into another, removed (the survivor's row holds them)
    deleted: int = 0  # CRM records archived or cleared because their lead was deleted in the pipeline
    columns_added: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # a sample of rejection reasons, by lead id
    requests: dict[str, int] = field(default_factory=dict)  # CRM sinks: calls by endpoint, reads included
    kept_fields: dict[str, int] = field(default_factory=dict)  # why CRM values were left as they were
    changed_fields: dict[str, int] = field(default_factory=dict)  # properties written (dry run: would be)
    quality: dict[str, Any] = field(default_factory=dict)  # the outgoing suites' tallies
    seconds: float = 0.0


def sync(ctx: RunContext, sink_name: str) -> dict[str, Any]:
    counts = SyncCounts(dry_run=ctx.dry_run)
    started = time.perf_counter()
    try:
        with ctx.lease(f"sink:{sink_name}"):
            _sync(ctx, sink_name, counts)
    except LeaseHeld as held:
        counts.status, counts.errors = "busy", [str(held)]
    counts.seconds = round(time.perf_counter() - started, 3)
    return asdict(counts)


def sink_mapping_hash(settings: Any) -> str:
    """The mapping hash a sink's outbox entries are kept under (a changed mapping resends everything)."""
    if isinstance(settings, SqlTableSinkConfig):
        return mapping_hash(settings.table, settings.fields)
    return crm_mapping_hash(settings)


def pending_count(ctx: RunContext, sink_name: str) -> int:
    settings = ctx.config.sinks[sink_name]
    crm = not isinstance(settings, SqlTableSinkConfig)
    with ctx.engine().connect() as conn:
        return outbox.count_pending(
            conn, sink_name, sink_mapping_hash(settings), stages_from(settings.min_stage), skip_refused=crm
        )


@task(name="full-resync", task_run_name="full-resync-{sink_name}", cache_policy=NO_CACHE)
def forget_accepted(ctx: RunContext, sink_name: str) -> int:
    """Forget what the sink last accepted, so its next sync looks at every lead again; returns how many."""
    with ctx.engine().begin() as conn:
        return outbox.full_resync(conn, sink_name)


def _sync(ctx: RunContext, sink_name: str, counts: SyncCounts) -> None:
    settings = ctx.config.sinks[sink_name]
    if not isinstance(settings, SqlTableSinkConfig):
        CrmSync(ctx, sink_name, counts).run()
        return
    sink = SqlTableSink(ctx.sink_engine(sink_name), settings.table, settings.fields)
    mh = mapping_hash(settings.table, settings.fields)
    stages = stages_from(settings.min_stage)
    with ctx.engine().connect() as conn:
        counts.pending = outbox.count_pending(conn, sink_name, mh, stages)
    progress.started(f"sync {sink_name}", counts.pending)
    try:
        if not ctx.dry_run:
            counts.columns_added = sink.ensure_table()
        _drop_merged(ctx, sink_name, sink, counts)
        after: str | None = None
        while True:
            with ctx.engine().connect() as conn:
                batch = outbox.pending(conn, sink_name, mh, stages, after, ctx.config.chunk_size)
            if not batch:
                break
            after = batch[-1].lead_id
            _sync_batch(ctx, sink_name, sink, mh, batch, counts)
            ctx.renew(f"sink:{sink_name}")
            progress.advanced(f"sync {sink_name}", len(batch))
    finally:
        progress.finished(f"sync {sink_name}")


def _drop_merged(ctx: RunContext, sink_name: str, sink: SqlTableSink, counts: SyncCounts) -> None:
    """A lead the sink holds that was merged into another: its survivor is synced as usual (its
    content changed with the merge), and the merged lead's own row goes."""
    with ctx.engine().connect() as conn:
        merged = [lead for lead, _ in outbox.merged_away(conn, sink_name)]
    counts.merged_away = len(merged)
    if ctx.dry_run or not merged:
        return
    sink.delete(merged)
    with ctx.engine().begin() as conn:
        outbox.forget(conn, sink_name, merged)


def _sync_batch(
    ctx: RunContext, sink_name: str, sink: SqlTableSink, mh: str, batch: list[Any], counts: SyncCounts
) -> None:
    fields = sink.fields
    unchanged, to_send, hashes, is_new = [], [], {}, {}
    for row in batch:
        payload = to_row(lead_from_row(row), fields)
        ph = payload_hash(payload)
        hashes[row.lead_id] = (ph, row.content_hash)
        if row.payload_hash == ph:
            unchanged.append(row.lead_id)
        else:
            to_send.append(payload)
            is_new[row.lead_id] = row.payload_hash is None
    counts.unchanged += len(unchanged)
    if ctx.dry_run:
        counts.created += sum(is_new.values())
        counts.updated += len(to_send) - sum(is_new.values())
        return
    result = sink.write(to_send, ctx.now())
    counts.created += sum(1 for lead_id in result.accepted if is_new[lead_id])
    counts.updated += sum(1 for lead_id in result.accepted if not is_new[lead_id])
    counts.rejected += len(result.rejected)
    counts.errors.extend(
        f"{lead_id}: {reason}" for lead_id, reason in result.rejected[: max(0, 20 - len(counts.errors))]
    )
    accepted = [
        {"lead_id": i, "payload_hash": hashes[i][0], "lead_hash": hashes[i][1], "remote_id": i}
        for i in [*unchanged, *result.accepted]
    ]
    now = ctx.now()
    with ctx.engine().begin() as conn:
        outbox.record_accepted(conn, sink_name, accepted, mh, ctx.run_id, now)
        outbox.record_rejected(conn, sink_name, [(i, r, False) for i, r in result.rejected], ctx.run_id, now)


@task(name="sync", task_run_name="sync-{sink_name}", cache_policy=NO_CACHE, retries=0)
def sync_sink(ctx: RunContext, sink_name: str) -> dict[str, Any]:
    return sync(ctx, sink_name)
