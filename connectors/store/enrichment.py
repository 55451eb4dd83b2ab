"""Store side of enrichment: the lookup cache, and which leads are due for enrichment.

The cache holds hits and misses per (provider, normalized input) with an expiry, so the same
lookup is never paid for twice while it is fresh, across runs and across leads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, or_, select, update

from connectors.enrichment.base import Answer, Outcome
from connectors.store.schema import enrichment_cache, leads
from connectors.store.upsert import batched, upsert


class EnrichmentCache:
    def __init__(self, engine: Engine, ttl: timedelta, miss_ttl: timedelta) -> None:
        self.engine = engine
        self.ttl = ttl
        self.miss_ttl = miss_ttl

    def get_many(self, provider: str, keys: Iterable[str], now: datetime) -> dict[str, Answer]:
        """Fresh cached answers; a cached answer costs nothing."""
        c = enrichment_cache.c
        out: dict[str, Answer] = {}
        with self.engine.connect() as conn:
            for chunk in batched(sorted(set(keys)), 900):
                rows = conn.execute(
                    select(c.lookup_key, c.hit, c.result).where(
                        and_(c.provider == provider, c.lookup_key.in_(chunk), c.expires_at > now)
                    )
                )
                for r in rows:
                    result = r.result or {}
                    out[r.lookup_key] = (
                        Answer(Outcome.HIT, result.get("fields", {}), result.get("confidence"))
                        if r.hit
                        else Answer(Outcome.MISS)
                    )
        return out

    def put_many(self, provider: str, answers: Mapping[str, Answer], now: datetime) -> None:
        """Keep hits and misses; queued and failed answers are asked again next time."""
        rows = [
            {
                "provider": provider,
                "lookup_key": key[:400],
                "hit": a.outcome is Outcome.HIT,
                "result": {"fields": a.fields, "confidence": a.confidence} if a.outcome is Outcome.HIT else None,
                "cost": a.cost,
                "fetched_at": now,
                "expires_at": now + (self.ttl if a.outcome is Outcome.HIT else self.miss_ttl),
            }
            for key, a in answers.items()
            if a.outcome in (Outcome.HIT, Outcome.MISS)
        ]
        with self.engine.begin() as conn:
            upsert(conn, enrichment_cache, rows, keys=["provider", "lookup_key"])


def due(conn: Connection, now: datetime, ttl: timedelta, after: str | None, limit: int) -> list[Any]:
    """Active leads whose content changed since enrichment last looked, never enriched, or stale."""
    c = leads.c
    query = (
        select(c.lead_id, c.identity_key, c.lifecycle_stage, c.content_hash, c.enrichment, c.enriched_at, c.fields)
        .where(
            and_(
                c.status == "active",
                or_(
                    c.enrichment_inputs.is_(None),
                    c.enrichment_inputs != c.content_hash,
                    c.enriched_at.is_(None),
                    c.enriched_at < now - ttl,
                ),
            )
        )
        .order_by(c.lead_id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(c.lead_id > after)
    return list(conn.execute(query))


def write_enrichment(conn: Connection, items: list[dict[str, Any]]) -> None:
    """items: lead_id, fields, issues, content_hash, enrichment, enriched_at (None: try again)."""
    if not items:
        return
    stmt = (
        update(leads)
        .where(leads.c.lead_id == bindparam("b_lead_id"))
        .values(
            fields=bindparam("b_fields"),
            issues=bindparam("b_issues"),
            content_hash=bindparam("b_content_hash"),
            enrichment=bindparam("b_enrichment"),
            enrichment_inputs=bindparam("b_content_hash"),
            enriched_at=bindparam("b_enriched_at"),
            updated_at=bindparam("b_updated_at"),
        )
    )
    for chunk in batched([{f"b_{k}": v for k, v in i.items()} for i in items], 1000):
        conn.execute(stmt, chunk)
