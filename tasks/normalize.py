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

from connectors.mapping import mapping_hash, to_fields
from connectors.store import golden as store
from connectors.store import identity
from connectors.store.events import attach_events
from connectors.store.landing import QuarantineEntry, quarantine_rows
from connectors.store.leases import LeaseHeld
from leads.config import SourceConfig
from leads.enriched import enrichment_fields
from leads.golden import build_lead, keep_scores, lead_fingerprint
from leads.hashing import stable_hash
from leads.identity import MatchKeys, PersonName, match_keys, name_score
from leads.lifecycle import Stage
from leads.model import Lead, NormalizedRecord, RecordRef
from leads.normalize import Rejected, normalize_record
from leads.resolve import Assignment, assign_ids, candidate_ids, cluster
from tasks import progress
from tasks.context import RunContext, lead_rules
from tasks.gc_tuning import fewer_collections

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
    leads_merged: int = 0
    seconds: float = 0.0


def normalize(ctx: RunContext) -> dict[str, Any]:
    counts = NormalizeCounts()
    started = time.perf_counter()
    try:
        with ctx.lease(LEASE), fewer_collections():
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


def _normalize_source(ctx: RunContext, source: str, settings: SourceConfig, counts: NormalizeCounts) -> None:
    engine = ctx.engine()
    mh = mapping_hash(settings)
    after: str | None = None
    while True:
        with engine.begin() as conn:
            batch = store.fetch_pending(conn, source, mh, after, ctx.config.chunk_size, deleted=True)
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
    settings: SourceConfig,
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
        if row.deleted:  # gone at the source: off its lead, which is rebuilt from the rest
            marks.append({"source_id": row.source_id, "normalized": None, "content_hash": row.content_hash})
            continue
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
    resolution = _resolve(ctx, conn, batch_refs, fresh)
    _write_leads(ctx, conn, resolution, counts, now)
    gone = [ref for ref in batch_refs if ref not in fresh]
    store.unlink(conn, gone)
    attach_events(conn, dict.fromkeys(gone))
    identity.write_keys(conn, resolution.fresh_keys)
    store.mark_normalized(conn, source, marks, mh)
    quarantine_rows(conn, source, "normalize", rejected, ctx.run_id, now)


@dataclass(slots=True)
class _Resolution:
    assignment: Assignment
    records: dict[RecordRef, NormalizedRecord]  # every record of every lead the batch touched
    fresh_keys: dict[RecordRef, MatchKeys]
    before: dict[str, Any]  # stored state of the leads involved


def _resolve(
    ctx: RunContext, conn: Connection, batch_refs: list[RecordRef], fresh: dict[RecordRef, NormalizedRecord]
) -> _Resolution:
    """Find every lead the batch touches, regroup their records into people, and name them."""
    fuzzy = ctx.config.identity.fuzzy
    threshold = fuzzy.threshold if fuzzy.enabled else None
    fresh_keys = {ref: match_keys(rec.values) for ref, rec in fresh.items()}
    prior = store.links_of(conn, batch_refs)
    identity.forget_keys(conn, batch_refs)

    near = identity.holders(conn, {k for mk in fresh_keys.values() for k in mk.keys})
    if threshold is not None:
        near |= _fuzzy_neighbours(conn, fresh_keys, threshold)
    affected = set(prior.values()) | set(near.values())

    in_batch = set(batch_refs)
    others = {ref: lead for ref, lead in store.records_of_leads(conn, affected).items() if ref not in in_batch}
    records = {ref: NormalizedRecord.from_json(ref, data) for ref, data in store.normalized_of(conn, others).items()}
    members = {ref: match_keys(rec.values) for ref, rec in records.items()} | fresh_keys
    records |= fresh

    clusters = cluster(list(members.items()), threshold, set(fresh_keys), prior | others)
    candidates = {i for c in clusters for i in candidate_ids(c.primary_key)}
    before = store.stored_leads(conn, affected | candidates)
    taken = identity.existing_ids(conn, candidates) - affected
    ages = {lead: row.created_at for lead, row in before.items()}
    assignment = assign_ids(clusters, prior | others, affected, ages, taken)
    return _Resolution(assignment, records, fresh_keys, before)


def _fuzzy_neighbours(
    conn: Connection, fresh_keys: dict[RecordRef, MatchKeys], threshold: float
) -> dict[RecordRef, str]:
    """Stored records at the same corporate domain whose name is close to a fresh record's."""
    wanted: dict[str, set[PersonName]] = defaultdict(set)
    for keys in fresh_keys.values():
        if keys.block and keys.name:
            wanted[keys.block].add(keys.name)
    found: dict[RecordRef, str] = {}
    for block, name, ref, lead in identity.block_members(conn, wanted):
        if any(name_score(mine, name) >= threshold for mine in wanted[block]):
            found[ref] = lead
    return found


def _write_leads(ctx: RunContext, conn: Connection, res: _Resolution, counts: NormalizeCounts, now: Any) -> None:
    rules = lead_rules(ctx.config)
    rows, links, reasons = [], {}, {}
    for lead_id, group in res.assignment.clusters.items():
        prior = res.before.get(lead_id)
        stage = Stage(prior.lifecycle_stage) if prior is not None and prior.lifecycle_stage else None
        enrichment = enrichment_fields(prior.enrichment) if prior is not None else None
        records = [res.records[ref] for ref in group.refs]
        lead = build_lead(lead_id, group.primary_key, records, stage, rules, enrichment)
        if prior is not None:
            keep_scores(lead, prior.fields)
        fields_json = {n: fv.to_json() for n, fv in lead.fields.items()}
        content_hash = stable_hash(lead_fingerprint(lead, fields_json))
        links |= dict.fromkeys(group.refs, lead_id)
        reasons |= group.reasons
        if prior is None:
            counts.leads_created += 1
        elif prior.content_hash == content_hash and prior.status == "active":
            counts.leads_unchanged += 1
            continue
        else:
            counts.leads_updated += 1
        rows.append(_lead_row(lead, fields_json, content_hash, now))
    store.write_leads(conn, rows)
    store.write_links(conn, links, reasons, now)
    attach_events(conn, links)
    identity.record_merges(conn, res.assignment.merges, now, ctx.run_id)
    counts.leads_merged += len(res.assignment.merges)
    counts.leads_retired += identity.retire(conn, res.assignment.orphaned, now)


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
