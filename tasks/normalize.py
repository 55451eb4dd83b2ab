"""Normalize: turn changed source records into golden leads, chunk by chunk.

For each chunk of pending records: normalize them, find every lead they touch (the lead they now
belong to and the one they belonged to before), re-merge those leads from all their records,
and write leads, links and the records' normalized form in one transaction. A crash therefore
leaves each chunk either fully applied or pending for the next run.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import Connection

from connectors.files.mapping import mapping_hash, to_fields
from connectors.store import golden as store
from connectors.store.landing import QuarantineEntry, quarantine_rows
from connectors.store.leases import LeaseHeld
from leads.config import FileSourceConfig
from leads.golden import lead_fingerprint, merge_records
from leads.hashing import stable_hash
from leads.identity import lead_id_for
from leads.lifecycle import Stage
from leads.model import Lead, NormalizedRecord, RecordRef
from leads.normalize import Rejected, normalize_record
from tasks import progress
from tasks.context import RunContext

LEASE = "stage:normalize"


@dataclass(slots=True)
class NormalizeCounts:
    status: str = "ok"
    records: int = 0
    rejected: int = 0
    leads_created: int = 0
    leads_updated: int = 0
    leads_unchanged: int = 0
    leads_retired: int = 0
    seconds: float = 0.0


def normalize(ctx: RunContext) -> dict[str, Any]:
    counts = NormalizeCounts()
    started = time.perf_counter()
    try:
        with ctx.lease(LEASE):
            progress.started("normalize")
            try:
                for name, settings in ctx.config.sources.items():
                    if settings.enabled:
                        _normalize_source(ctx, name, settings, counts)
            finally:
                progress.finished("normalize")
    except LeaseHeld:
        counts.status = "busy"
    counts.seconds = round(time.perf_counter() - started, 3)
    return asdict(counts)


def _normalize_source(ctx: RunContext, source: str, settings: FileSourceConfig, counts: NormalizeCounts) -> None:
    engine = ctx.engine()
    mh = mapping_hash(settings)
    after: str | None = None
    while True:
        with engine.begin() as conn:
            batch = store.fetch_pending(conn, source, mh, after, ctx.config.chunk_size)
            if not batch:
                return
            after = batch[-1].source_id
            _apply_batch(ctx, conn, source, settings, mh, batch, counts)
        ctx.renew(LEASE)
        progress.advanced("normalize", len(batch))


def _apply_batch(
    ctx: RunContext,
    conn: Connection,
    source: str,
    settings: FileSourceConfig,
    mh: str,
    batch: list[Any],
    counts: NormalizeCounts,
) -> None:
    now = ctx.now()
    fresh: dict[RecordRef, NormalizedRecord] = {}
    rejected: list[QuarantineEntry] = []
    marks: list[dict[str, Any]] = []
    for row in batch:
        ref = RecordRef(source, row.source_id)
        result = normalize_record(
            ref, row.cursor_ts, to_fields(row.payload, settings), settings.stage_aliases, settings.timezone
        )
        if isinstance(result, Rejected):
            raw = json.dumps(row.payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
            rejected.append(QuarantineEntry(f"record {row.source_id}", raw, [result.reason], row.source_id))
            marks.append({"source_id": row.source_id, "normalized": None, "content_hash": row.content_hash})
        else:
            fresh[ref] = result
            marks.append({"source_id": row.source_id, "normalized": result.to_json(), "content_hash": row.content_hash})
    counts.records += len(batch)
    counts.rejected += len(rejected)

    batch_refs = [RecordRef(source, row.source_id) for row in batch]
    in_batch = set(batch_refs)
    old_links = store.links_of(conn, batch_refs)
    affected = {lead_id_for(r.identity_key) for r in fresh.values()} | set(old_links.values())

    # Every record of every affected lead; the batch's records count in their new normal form.
    others = [ref for ref in store.records_of_leads(conn, affected) if ref not in in_batch]
    groups: dict[str, list[NormalizedRecord]] = defaultdict(list)
    for ref, data in store.normalized_of(conn, others).items():
        rec = NormalizedRecord.from_json(ref, data)
        groups[rec.identity_key].append(rec)
    for rec in fresh.values():
        groups[rec.identity_key].append(rec)

    before = store.stored_leads(conn, {lead_id_for(k) for k in groups} | affected)
    rows = []
    for key, records in groups.items():
        lead_id = lead_id_for(key)
        prior = before.get(lead_id)
        lead = merge_records(key, records, Stage(prior.lifecycle_stage) if prior and prior.lifecycle_stage else None)
        fields_json = {n: fv.to_json() for n, fv in lead.fields.items()}
        content_hash = stable_hash(lead_fingerprint(lead, fields_json))
        if prior is None:
            counts.leads_created += 1
        elif prior.content_hash == content_hash and prior.status == "active":
            counts.leads_unchanged += 1
            continue
        else:
            counts.leads_updated += 1
        rows.append(_lead_row(lead, fields_json, content_hash, now))

    store.write_leads(conn, rows)
    reason = {ref: rec.identity_key.split(":", 1)[0] for ref, rec in fresh.items()}
    store.write_links(conn, {ref: lead_id_for(rec.identity_key) for ref, rec in fresh.items()}, reason, now)
    store.unlink(conn, [ref for ref in batch_refs if ref not in fresh])
    counts.leads_retired += store.retire_orphans(conn, affected - {lead_id_for(k) for k in groups}, now)
    store.mark_normalized(conn, source, marks, mh)
    quarantine_rows(conn, source, "normalize", rejected, ctx.run_id, now)


def _lead_row(lead: Lead, fields_json: dict[str, Any], content_hash: str, now: Any) -> dict[str, Any]:
    return {
        "lead_id": lead.lead_id,
        "identity_key": lead.identity_key,
        "email": lead.email,
        "lifecycle_stage": lead.lifecycle_stage.value if lead.lifecycle_stage else None,
        "do_not_contact": lead.do_not_contact,
        "status": "active",
        "fields": fields_json,
        "issues": lead.issues,
        "record_count": len(lead.records),
        "content_hash": content_hash,
        "created_at": now,
        "updated_at": now,
    }


@task(name="normalize", cache_policy=NO_CACHE, retries=0)
def normalize_leads(ctx: RunContext) -> dict[str, Any]:
    return normalize(ctx)
