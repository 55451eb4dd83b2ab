"""Hand-off: SLAs from MQL to first touch and to SQL, and recycling to nurture.

Runs after the score stage and before lead validation, chunk by chunk over the leads at MQL or
later, under the lease every change of leads happens under. A recycled lead goes back to `lead`
with its reason in the `recycle_reason` field (synced like any other) and in `stage_history`
(source `pipeline`, by `handoff`); the score stage then counts only events after the recycle
towards making it an MQL again. Counts and the lead ids past an SLA (never an email, phone or
name) go into the run's counts for the report.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from connectors.store import handoff as store
from connectors.store.leads_view import lead_from_row
from connectors.store.leases import LeaseHeld
from connectors.store.scoring import records_of
from leads.golden import lead_fingerprint
from leads.handoff import Verdict, handoff_lead, judge, tally
from leads.hashing import stable_hash
from leads.lifecycle import Stage
from leads.model import FieldValue
from tasks import progress
from tasks.context import RunContext

LEASE = "stage:normalize"  # leads change under this lease only
SOURCE = "pipeline"


@dataclass(slots=True)
class HandoffCounts:
    status: str = "ok"
    mqls: int = 0  # leads with an MQL time in their current cycle
    first_touch: dict[str, Any] = field(default_factory=dict)
    to_sql: dict[str, Any] = field(default_factory=dict)
    recycled: int = 0
    recycle_reasons: dict[str, int] = field(default_factory=dict)
    recycled_ids: list[str] = field(default_factory=list)
    seconds: float = 0.0


def handoff_stage(ctx: RunContext) -> dict[str, Any]:
    counts = HandoffCounts()
    started = time.perf_counter()
    config = ctx.config.handoff
    if not config.enabled:
        counts.status = "off"
        return asdict(counts)
    now = ctx.started_at
    verdicts: list[Verdict] = []
    reasons: Counter[str] = Counter()
    try:
        with ctx.lease(LEASE):
            progress.started("handoff")
            after: str | None = None
            while True:
                with ctx.engine().begin() as conn:
                    rows = store.qualified_leads(conn, after, ctx.config.chunk_size)
                    if not rows:
                        break
                    after = rows[-1].lead_id
                    chunk = _judge_chunk(ctx, conn, rows, now)
                    verdicts += chunk
                    recycles = _recycles(conn, rows, chunk, now) if not ctx.dry_run else []
                    store.write_recycles(conn, recycles)
                    reasons.update(r["reason"] for r in recycles)
                    counts.recycled_ids += [r["lead_id"] for r in recycles]
                ctx.renew(LEASE)
                progress.advanced("handoff", len(rows))
    except LeaseHeld:
        counts.status = "busy"
    finally:
        progress.finished("handoff")
    counts.mqls = sum(v.first_touch is not None or v.to_sql is not None for v in verdicts)
    counts.first_touch = asdict(tally(verdicts, "first_touch", config.flagged_limit))
    counts.to_sql = asdict(tally(verdicts, "to_sql", config.flagged_limit))
    counts.recycled = sum(reasons.values())
    counts.recycle_reasons = dict(reasons)
    counts.recycled_ids = sorted(counts.recycled_ids)[: config.flagged_limit]
    counts.seconds = round(time.perf_counter() - started, 3)
    return asdict(counts)


def _judge_chunk(ctx: RunContext, conn: Any, rows: list[Any], now: Any) -> list[Verdict]:
    config = ctx.config.handoff
    ids = [r.lead_id for r in rows]
    changes = store.changes_of(conn, ids)
    touches = store.touches_of(conn, ids, config.touches)
    out = []
    for row in rows:
        stage = Stage(row.lifecycle_stage) if row.lifecycle_stage else None
        lead = handoff_lead(row.lead_id, stage, changes.get(row.lead_id, []), touches.get(row.lead_id, []), config)
        out.append(judge(lead, config, now))
    return out


def _recycles(conn: Any, rows: list[Any], verdicts: list[Verdict], now: Any) -> list[dict[str, Any]]:
    """The writes that put recycled leads back at `lead`, with the reason in their fields."""
    out = []
    chosen = [(row, v) for row, v in zip(rows, verdicts, strict=True) if v.recycle is not None]
    refs = records_of(conn, [row.lead_id for row, _ in chosen]) if chosen else {}
    for row, verdict in chosen:
        lead = lead_from_row(row)
        lead.records = refs.get(row.lead_id, ())
        lead.lifecycle_stage = Stage.LEAD
        lead.fields["lifecycle_stage"] = FieldValue(Stage.LEAD.value, SOURCE, now)
        lead.fields["recycle_reason"] = FieldValue(verdict.recycle, SOURCE, now)
        lead.fields = dict(sorted(lead.fields.items()))
        fields_json = {n: fv.to_json() for n, fv in lead.fields.items()}
        content_hash = stable_hash(lead_fingerprint(lead, fields_json))
        reason = verdict.recycle
        out.append(
            {"lead_id": row.lead_id, "fields": fields_json, "content_hash": content_hash, "reason": reason, "at": now}
        )
    return out


@task(name="handoff", cache_policy=NO_CACHE, retries=0)
def handoff_leads(ctx: RunContext) -> dict[str, Any]:
    return handoff_stage(ctx)
