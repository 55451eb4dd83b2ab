"""Extract: read a source from its checkpoints, land each batch with the checkpoint it earns.

One transaction per batch holds the batch's records, quarantined rows, deletions, events and its
stream's checkpoint, so the checkpoint is never ahead of what landed and a rerun after a crash
resumes where the last batch ended. A vendor's daily quota running low ends the read cleanly at
the last checkpoint (status `stopped`); the next run goes on from there.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from connectors.http.quota import QuotaReached
from connectors.source import MAIN, Batch, Source
from connectors.store.checkpoints import load_checkpoints, save_checkpoint
from connectors.store.events import land_events
from connectors.store.landing import LandCounts, land_records, mark_deleted, quarantine_rows
from connectors.store.leases import LeaseHeld
from leads.masking import mask_text
from tasks import progress
from tasks.context import RunContext
from tasks.sources import open_source


class SourceUnreadable(RuntimeError):
    """The source cannot be read at all (missing file, columns the config maps are absent)."""


@dataclass(slots=True)
class ExtractCounts:
    status: str = "ok"
    read: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    stale: int = 0
    echoes: int = 0  # changed only by what our sinks wrote
    deleted: int = 0
    skipped_by_cursor: int = 0
    quarantined: int = 0
    quarantined_new: int = 0
    events: dict[str, int] = field(default_factory=dict)  # activities, stage_changes, owners, outcomes
    requests: int = 0
    watermark: str | None = None
    seconds: float = 0.0
    missing_columns: list[str] = field(default_factory=list)  # schema drift, judged by a gate
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, landed: LandCounts) -> None:
        self.new += landed.new
        self.changed += landed.changed
        self.unchanged += landed.unchanged
        self.stale += landed.stale
        self.echoes += landed.echoes


def extract(ctx: RunContext, source_name: str) -> dict[str, Any]:
    """The extract stage for one source; see `extract_source` for the Prefect task."""
    counts = ExtractCounts()
    started = time.perf_counter()
    try:
        with ctx.lease(f"source:{source_name}"):
            _extract(ctx, source_name, counts)
    except LeaseHeld as held:
        counts.status, counts.problems = "busy", [str(held)]
    counts.seconds = round(time.perf_counter() - started, 3)
    return asdict(counts)


def _extract(ctx: RunContext, source_name: str, counts: ExtractCounts) -> None:
    source, client = open_source(ctx, source_name)
    try:
        problems = source.check()
        if problems:
            raise SourceUnreadable("; ".join(problems))
        with ctx.engine().connect() as conn:
            checkpoints = load_checkpoints(conn, source_name)
        progress.started(f"extract {source_name}")
        try:
            for batch in source.read(checkpoints):
                _land(ctx, source_name, source, batch, counts)
        except QuotaReached as stop:
            counts.status = "stopped"
            counts.notes.append(mask_text(str(stop)))
        finally:
            progress.finished(f"extract {source_name}")
        counts.missing_columns = source.missing_columns()
        counts.notes += [mask_text(n) for n in source.notes()]
        counts.requests = source.requests()
    finally:
        if client is not None:
            client.close()
    with ctx.engine().connect() as conn:
        mark = load_checkpoints(conn, source_name)
    main = mark.get(MAIN) or (min(mark.values(), key=lambda c: c.cursor_ts) if mark else None)
    counts.watermark = main.cursor_ts.isoformat() if main else None


def _land(ctx: RunContext, source_name: str, source: Source, batch: Batch, counts: ExtractCounts) -> None:
    now = ctx.now()
    with ctx.engine().begin() as conn:
        if batch.records:
            counts.add(land_records(conn, source_name, batch.records, ctx.run_id, now, source.volatile))
        if batch.rejected:
            counts.quarantined_new += quarantine_rows(conn, source_name, "extract", batch.rejected, ctx.run_id, now)
        if batch.deleted:
            counts.deleted += mark_deleted(conn, source_name, batch.deleted, ctx.run_id, now)
        if batch.events:
            for kind, n in land_events(conn, source_name, batch.events, now).items():
                counts.events[kind] = counts.events.get(kind, 0) + n
        if batch.checkpoint is not None:
            save_checkpoint(conn, source_name, batch.stream, batch.checkpoint, ctx.run_id, now)
    counts.read += batch.read
    counts.skipped_by_cursor += batch.skipped
    counts.quarantined += len(batch.rejected)
    ctx.renew(f"source:{source_name}")
    progress.advanced(f"extract {source_name}", batch.read)


@task(name="extract", task_run_name="extract-{source_name}", cache_policy=NO_CACHE, retries=0)
def extract_source(ctx: RunContext, source_name: str) -> dict[str, Any]:
    return extract(ctx, source_name)
