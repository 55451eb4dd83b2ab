"""Store side of identity resolution: match keys per record, and lead merges.

identity_keys holds each normalized record's deterministic keys, plus one blocking row per record
with a corporate email domain ("block:<domain>", carrying the comparable name). Finding the leads
a batch touches is then one indexed lookup per kind instead of a scan of every lead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, select, update

from connectors.store.golden import by_source
from connectors.store.schema import identity_keys, lead_links, lead_merges, leads
from connectors.store.upsert import batched, upsert
from leads.identity import MatchKeys, PersonName
from leads.model import RecordRef

BLOCK = "block:"
_LINKED = identity_keys.join(
    lead_links,
    and_(lead_links.c.source == identity_keys.c.source, lead_links.c.source_id == identity_keys.c.source_id),
)


def forget_keys(conn: Connection, refs: Iterable[RecordRef]) -> None:
    """Drop the keys these records held; they are written again from their new values."""
    for source, ids in by_source(refs).items():
        for chunk in batched(ids, 900):
            conn.execute(
                identity_keys.delete().where(
                    and_(identity_keys.c.source == source, identity_keys.c.source_id.in_(chunk))
                )
            )


def write_keys(conn: Connection, items: Mapping[RecordRef, MatchKeys]) -> None:
    rows: list[dict[str, Any]] = []
    for ref, keys in items.items():
        base = {"source": ref.source, "source_id": ref.source_id}
        rows.extend({**base, "key": key, "name": None} for key in keys.keys)
        if keys.block and keys.name:
            rows.append({**base, "key": BLOCK + keys.block, "name": keys.name.to_text()[:200]})
    upsert(conn, identity_keys, rows, keys=["key", "source", "source_id"], update=["name"])


def holders(conn: Connection, keys: Iterable[str]) -> dict[RecordRef, str]:
    """Linked records holding any of these keys, with the lead each belongs to."""
    k = identity_keys.c
    out: dict[RecordRef, str] = {}
    for chunk in batched(sorted(set(keys)), 900):
        rows = conn.execute(
            select(k.source, k.source_id, lead_links.c.lead_id).select_from(_LINKED).where(k.key.in_(chunk))
        )
        out.update({RecordRef(r.source, r.source_id): r.lead_id for r in rows})
    return out


def block_members(conn: Connection, blocks: Iterable[str]) -> list[tuple[str, PersonName, RecordRef, str]]:
    """(domain, name, record, lead) of every linked record whose email is at one of these domains."""
    k = identity_keys.c
    out = []
    for chunk in batched(sorted({BLOCK + b for b in blocks}), 900):
        rows = conn.execute(
            select(k.key, k.name, k.source, k.source_id, lead_links.c.lead_id)
            .select_from(_LINKED)
            .where(k.key.in_(chunk))
        )
        out.extend(
            (r.key[len(BLOCK) :], PersonName.from_text(r.name), RecordRef(r.source, r.source_id), r.lead_id)
            for r in rows
            if r.name
        )
    return out


def existing_ids(conn: Connection, lead_ids: Iterable[str]) -> set[str]:
    """Which of these ids a lead has, or had before it was merged away: never to be reused."""
    found: set[str] = set()
    for chunk in batched(sorted(set(lead_ids)), 900):
        found |= set(conn.scalars(select(leads.c.lead_id).where(leads.c.lead_id.in_(chunk))))
        found |= set(conn.scalars(select(lead_merges.c.merged_lead_id).where(lead_merges.c.merged_lead_id.in_(chunk))))
    return found


def record_merges(conn: Connection, merges: Mapping[str, tuple[str, str]], now: datetime, run_id: str) -> None:
    """Mark merged leads and remember their survivor. Earlier merges into a lead that is now merged
    itself are pointed at the new survivor, so a sink always finds the lead that lives on."""
    if not merges:
        return
    rows = [
        {
            "merged_lead_id": lead,
            "survivor_lead_id": survivor,
            "reason": reason[:200],
            "merged_at": now,
            "run_id": run_id,
        }
        for lead, (survivor, reason) in merges.items()
    ]
    upsert(conn, lead_merges, rows, keys=["merged_lead_id"])
    for lead, (survivor, _) in merges.items():
        conn.execute(
            update(lead_merges).where(lead_merges.c.survivor_lead_id == lead).values(survivor_lead_id=survivor)
        )
    for chunk in batched(list(merges), 900):
        conn.execute(update(leads).where(leads.c.lead_id.in_(chunk)).values(status="merged", updated_at=now))


def retire(conn: Connection, lead_ids: Iterable[str], now: datetime) -> int:
    """Leads left with no source record at all (every record was rejected or deleted)."""
    lead_ids = sorted(set(lead_ids))
    for chunk in batched(lead_ids, 900):
        conn.execute(
            update(leads)
            .where(and_(leads.c.lead_id.in_(chunk), leads.c.status == "active"))
            .values(status="retired", updated_at=now)
        )
    return len(lead_ids)


def survivors(conn: Connection, lead_ids: Iterable[str]) -> dict[str, str]:
    """merged lead → the lead that lives on, for the ids given that were merged."""
    out: dict[str, str] = {}
    for chunk in batched(sorted(set(lead_ids)), 900):
        rows = conn.execute(
            select(lead_merges.c.merged_lead_id, lead_merges.c.survivor_lead_id).where(
                lead_merges.c.merged_lead_id.in_(chunk)
            )
        )
        out.update({r.merged_lead_id: r.survivor_lead_id for r in rows})
    return out
