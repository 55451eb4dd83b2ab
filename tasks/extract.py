"""Extract: read a source from its watermark, land records in chunks, then advance the watermark."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from connectors.files.source import Cursor, FileSource, Record, cursor_max
from connectors.store.landing import (
    IncomingRecord,
    LandCounts,
    QuarantineEntry,
    advance_watermark,
    get_watermark,
    land_records,
    quarantine_rows,
)
from connectors.store.leases import LeaseHeld
from tasks import progress
from tasks.context import RunContext


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
    skipped_by_cursor: int = 0
    quarantined: int = 0
    quarantined_new: int = 0
    watermark: str | None = None
    seconds: float = 0.0
    missing_columns: list[str] = field(default_factory=list)  # schema drift, judged by a gate
    problems: list[str] = field(default_factory=list)

    def add(self, landed: LandCounts) -> None:
        self.new += landed.new
        self.changed += landed.changed
        self.unchanged += landed.unchanged
        self.stale += landed.stale


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
    source = FileSource(source_name, ctx.config.sources[source_name])
    problems = source.check()
    if problems:
        raise SourceUnreadable("; ".join(problems))
    engine = ctx.engine()
    with engine.connect() as conn:
        mark = get_watermark(conn, source_name)
    since = Cursor(*mark) if mark else None
    newest: Cursor | None = None
    seen_keys: set[str] = set()
    records: list[IncomingRecord] = []
    rejected: list[QuarantineEntry] = []
    progress.started(f"extract {source_name}")
    try:
        for item in source.read(since):
            counts.read += 1
            if item is None:
                counts.skipped_by_cursor += 1
                continue
            if isinstance(item, Record):
                records.append(IncomingRecord(item.source_id, item.cursor.ts, item.payload, item.position))
                newest = cursor_max(newest, item.cursor)
                seen_keys.update(item.payload)
            else:
                rejected.append(QuarantineEntry(item.position, item.raw, item.reasons, item.source_id))
            if len(records) + len(rejected) >= ctx.config.chunk_size:
                _flush(ctx, source_name, records, rejected, counts)
                records, rejected = [], []
        _flush(ctx, source_name, records, rejected, counts)
    finally:
        progress.finished(f"extract {source_name}")
    counts.missing_columns = source.missing_columns(seen_keys if newest is not None else None)
    # Only now is everything up to `newest` durably landed: the commit point for the cursor.
    with engine.begin() as conn:
        if newest is not None:
            advance_watermark(conn, source_name, newest.ts, newest.id, ctx.run_id, ctx.now())
        mark = get_watermark(conn, source_name)
    counts.watermark = mark[0].isoformat() if mark else None


def _flush(
    ctx: RunContext, source: str, records: list[IncomingRecord], rejected: list[QuarantineEntry], counts: ExtractCounts
) -> None:
    if not records and not rejected:
        return
    engine = ctx.engine()
    now = ctx.now()
    with engine.begin() as conn:
        counts.add(land_records(conn, source, records, ctx.run_id, now))
        counts.quarantined_new += quarantine_rows(conn, source, "extract", rejected, ctx.run_id, now)
    counts.quarantined += len(rejected)
    ctx.renew(f"source:{source}")
    progress.advanced(f"extract {source}", len(records) + len(rejected))


@task(name="extract", task_run_name="extract-{source_name}", cache_policy=NO_CACHE, retries=0)
def extract_source(ctx: RunContext, source_name: str) -> dict[str, Any]:
    return extract(ctx, source_name)
