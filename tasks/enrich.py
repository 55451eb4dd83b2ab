"""Enrich: fill company and person facts through the configured waterfall, chunk by chunk.

A lead is due when its content changed since enrichment last looked, when it was never
enriched, when a step was deferred (queued, failed, over budget), or when its enrichment is older
than the TTL. A lead whose lookup inputs (email, company domain, name) did not change keeps what
it had without asking anyone. Each chunk is written in one transaction.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from connectors.enrichment.registry import build_providers, used_providers
from connectors.enrichment.waterfall import Waterfall
from connectors.store import enrichment as store
from connectors.store import golden
from connectors.store.enrichment import EnrichmentCache
from connectors.store.leases import LeaseHeld
from leads.config import EnrichmentConfig
from leads.enrich_rules import inputs_hash, skip_reason
from leads.enriched import enrichment_fields
from leads.golden import LeadRules, build_lead, keep_scores, lead_fingerprint
from leads.hashing import stable_hash
from leads.lifecycle import Stage
from leads.model import Lead, NormalizedRecord
from tasks import progress
from tasks.context import RunContext, lead_rules

LEASE = "stage:enrich"


@dataclass(slots=True)
class EnrichCounts:
    status: str = "ok"
    leads: int = 0  # leads looked at
    enriched: int = 0  # leads that gained at least one field this run
    reused: int = 0  # inputs unchanged and fresh: kept what they had
    deferred: int = 0  # a step to retry next run
    skipped: dict[str, int] = field(default_factory=dict)  # reason → leads
    filled: dict[str, int] = field(default_factory=dict)  # field → leads it was filled for
    providers: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def enrich(ctx: RunContext) -> dict[str, Any]:
    counts = EnrichCounts()
    started = time.perf_counter()
    settings = ctx.config.enrichment
    if not settings.enabled or not used_providers(settings):
        counts.status = "off"  # nothing to ask: leads stay due, and are enriched once a waterfall exists
        return asdict(counts)
    try:
        with ctx.lease(LEASE):
            _enrich(ctx, settings, counts)
    except LeaseHeld:
        counts.status = "busy"
    counts.seconds = round(time.perf_counter() - started, 3)
    return asdict(counts)


def _enrich(ctx: RunContext, settings: EnrichmentConfig, counts: EnrichCounts) -> None:
    engine = ctx.engine()
    providers = build_providers(settings, engine, ctx.provider_keys, ctx.reference_urls)
    order = {f: [p for p in names if p in providers] for f, names in settings.waterfall.items()}
    budgets = {name: getattr(settings.providers[name], "budget", None) for name in providers}
    waterfall = Waterfall(providers, order, EnrichmentCache(engine, settings.ttl, settings.miss_ttl), budgets, ctx.now)
    rules = lead_rules(ctx.config)
    skipped: Counter[str] = Counter()
    filled: Counter[str] = Counter()
    progress.started("enrich")
    try:
        after: str | None = None
        while True:
            with engine.connect() as conn:
                batch = store.due(conn, ctx.now(), settings.ttl, after, ctx.config.chunk_size)
                records = _records_of(conn, [row.lead_id for row in batch])
            if not batch:
                break
            after = batch[-1].lead_id
            items = _enrich_chunk(ctx, settings, waterfall, rules, batch, records, counts, skipped, filled)
            with engine.begin() as conn:
                store.write_enrichment(conn, items)
            ctx.renew(LEASE)
            progress.advanced("enrich", len(batch))
    finally:
        progress.finished("enrich")
    counts.skipped, counts.filled = dict(skipped), dict(filled)
    counts.providers = {name: asdict(use) for name, use in waterfall.use.items()}
    counts.problems = [f"{name}: stopped for this run: {u.stopped}" for name, u in waterfall.use.items() if u.stopped]
    if counts.problems:
        counts.status = "partial"


def _records_of(conn: Any, lead_ids: list[str]) -> dict[str, list[NormalizedRecord]]:
    links = golden.records_of_leads(conn, lead_ids)
    grouped: dict[str, list[NormalizedRecord]] = defaultdict(list)
    for ref, data in golden.normalized_of(conn, links).items():
        grouped[links[ref]].append(NormalizedRecord.from_json(ref, data))
    return grouped


def _enrich_chunk(
    ctx: RunContext,
    settings: EnrichmentConfig,
    waterfall: Waterfall,
    rules: LeadRules,
    batch: list[Any],
    records: dict[str, list[NormalizedRecord]],
    counts: EnrichCounts,
    skipped: Counter[str],
    filled: Counter[str],
) -> list[dict[str, Any]]:
    now = ctx.now()
    fresh_after = now - settings.ttl
    classes = frozenset(settings.skip_email_classes)
    plans: dict[str, dict[str, Any]] = {}
    needs: dict[str, tuple[Lead, set[str]]] = {}
    for row in batch:
        if not records.get(row.lead_id):
            continue  # no record left: normalization retires it
        stage = Stage(row.lifecycle_stage) if row.lifecycle_stage else None
        bare = build_lead(row.lead_id, row.identity_key, records[row.lead_id], stage, rules)
        inputs = inputs_hash(bare)
        before = row.enrichment or {}
        counts.leads += 1
        if (
            before.get("inputs") == inputs
            and not before.get("deferred")
            and row.enriched_at is not None
            and row.enriched_at >= fresh_after
        ):
            counts.reused += 1
            plans[row.lead_id] = {"bare": bare, "enrichment": before, "at": row.enriched_at, "stored": row.fields}
            continue
        reason = skip_reason(bare, classes, settings.skip_role_addresses, settings.skip_do_not_contact)
        if reason is not None:
            skipped[reason] += 1
            plans[row.lead_id] = {
                "bare": bare,
                "enrichment": {"inputs": inputs, "skipped": reason},
                "at": now,
                "stored": row.fields,
            }
            continue
        wanted = {f for f in settings.waterfall if _lacks(bare, f, rules, settings.waterfall[f])}
        plans[row.lead_id] = {"bare": bare, "inputs": inputs, "stored": row.fields}
        needs[row.lead_id] = (bare, wanted)

    found = waterfall.run(needs) if needs else {}
    items = []
    for lead_id, plan in plans.items():
        if lead_id in found:
            result = found[lead_id]
            enrichment = {"inputs": plan["inputs"], "fields": {f: e.to_json() for f, e in result.fields.items()}}
            if result.deferred:
                enrichment["deferred"] = sorted(result.deferred)
                counts.deferred += 1
            counts.enriched += bool(result.fields)
            filled.update(list(result.fields))
            at: datetime | None = None if result.deferred else now
        else:
            enrichment, at = plan["enrichment"], plan["at"]
        bare: Lead = plan["bare"]
        lead = build_lead(
            bare.lead_id,
            bare.identity_key,
            records[lead_id],
            bare.lifecycle_stage,
            rules,
            enrichment_fields(enrichment),
        )
        keep_scores(lead, plan["stored"])
        fields_json = {n: fv.to_json() for n, fv in lead.fields.items()}
        items.append(
            {
                "lead_id": lead_id,
                "fields": fields_json,
                "issues": lead.issues,
                "content_hash": stable_hash(lead_fingerprint(lead, fields_json)),
                "enrichment": enrichment,
                "enriched_at": at,
                "updated_at": now,
            }
        )
    return items


def _lacks(lead: Lead, field_name: str, rules: LeadRules, order: list[str]) -> bool:
    """A field is wanted when it is empty or invalid, or its first provider outranks its source."""
    have = lead.fields.get(field_name)
    if have is None or not have.is_valid:
        return True
    return bool(order) and rules.priority.rank(field_name, order[0]) < rules.priority.rank(field_name, have.source)


@task(name="enrich", cache_policy=NO_CACHE, retries=0)
def enrich_leads(ctx: RunContext) -> dict[str, Any]:
    return enrich(ctx)
