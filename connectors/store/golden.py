"""Store side of normalization: pending records, links between records and leads, golden leads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, or_, select, true, update

from connectors.store.schema import lead_links, leads, source_records
from connectors.store.upsert import batched, upsert
from leads.model import RecordRef


def fetch_pending(
    conn: Connection, source: str, mapping_hash: str, after: str | None, limit: int, *, deleted: bool = False
) -> list[Any]:
    """Records of `source` whose content or mapping changed since they were last normalized.

    Records validation quarantined are left out until their content changes. With `deleted`,
    records the source deleted since are included too (normalize takes them off their leads).
    """
    t = source_records.c
    query = (
        select(t.source_id, t.cursor_ts, t.payload, t.content_hash, t.deleted)
        .where(
            and_(
                t.source == source,
                t.deleted.is_(False) if not deleted else true(),
                or_(t.quarantined_hash.is_(None), t.quarantined_hash != t.content_hash),
                or_(
                    t.normalized_content_hash.is_(None),
                    t.normalized_content_hash != t.content_hash,
                    t.normalized_mapping_hash != mapping_hash,
                ),
            )
        )
        .order_by(t.source_id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(t.source_id > after)
    return list(conn.execute(query))


def by_source(refs: Iterable[RecordRef]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for ref in refs:
        grouped[ref.source].append(ref.source_id)
    return grouped


def _by_refs(conn: Connection, table: Any, value: Any, refs: Iterable[RecordRef], *where: Any) -> dict[RecordRef, Any]:
    """`value` of `table` for each (source, source_id) found, in batches of ids per source."""
    out: dict[RecordRef, Any] = {}
    for source, ids in by_source(refs).items():
        for chunk in batched(ids, 900):
            rows = conn.execute(
                select(table.c.source_id, value.label("value")).where(
                    and_(table.c.source == source, table.c.source_id.in_(chunk), *where)
                )
            )
            out.update({RecordRef(source, r.source_id): r.value for r in rows})
    return out


def links_of(conn: Connection, refs: Iterable[RecordRef]) -> dict[RecordRef, str]:
    """The lead each record is linked to now."""
    return _by_refs(conn, lead_links, lead_links.c.lead_id, refs)


def records_of_leads(conn: Connection, lead_ids: Iterable[str]) -> dict[RecordRef, str]:
    out: dict[RecordRef, str] = {}
    for chunk in batched(lead_ids, 900):
        rows = conn.execute(
            select(lead_links.c.source, lead_links.c.source_id, lead_links.c.lead_id).where(
                lead_links.c.lead_id.in_(chunk)
            )
        )
        out.update({RecordRef(r.source, r.source_id): r.lead_id for r in rows})
    return out


def normalized_of(conn: Connection, refs: Iterable[RecordRef]) -> dict[RecordRef, dict[str, Any]]:
    """The stored normal form of each record (rejected records have none)."""
    c = source_records.c
    return _by_refs(conn, source_records, c.normalized, refs, c.normalized.is_not(None))


def stored_leads(conn: Connection, lead_ids: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for chunk in batched(lead_ids, 900):
        rows = conn.execute(
            select(
                leads.c.lead_id,
                leads.c.lifecycle_stage,
                leads.c.content_hash,
                leads.c.created_at,
                leads.c.status,
                leads.c.enrichment,
                leads.c.fields,
            ).where(leads.c.lead_id.in_(chunk))
        )
        out.update({r.lead_id: r for r in rows})
    return out


def write_leads(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    upsert(conn, leads, rows, keys=["lead_id"], update=[c for c in rows[0] if c != "created_at"] if rows else None)


def write_links(conn: Connection, links: dict[RecordRef, str], reason_of: dict[RecordRef, str], now: datetime) -> None:
    rows = [
        {"source": r.source, "source_id": r.source_id, "lead_id": lead_id, "reason": reason_of[r], "linked_at": now}
        for r, lead_id in links.items()
    ]
    upsert(conn, lead_links, rows, keys=["source", "source_id"], update=["lead_id", "reason", "linked_at"])


def unlink(conn: Connection, refs: Iterable[RecordRef]) -> None:
    for source, ids in by_source(refs).items():
        for chunk in batched(ids, 900):
            conn.execute(
                lead_links.delete().where(and_(lead_links.c.source == source, lead_links.c.source_id.in_(chunk)))
            )


def mark_normalized(conn: Connection, source: str, items: Sequence[dict[str, Any]], mapping_hash: str) -> None:
    """items: {source_id, normalized (JSON or None when rejected), content_hash}."""
    if not items:
        return
    t = source_records
    stmt = (
        update(t)
        .where(and_(t.c.source == bindparam("b_source"), t.c.source_id == bindparam("b_source_id")))
        .values(
            normalized=bindparam("b_normalized"),
            normalized_content_hash=bindparam("b_content_hash"),
            normalized_mapping_hash=bindparam("b_mapping_hash"),
        )
    )
    params = [
        {
            "b_source": source,
            "b_source_id": i["source_id"],
            "b_normalized": i["normalized"],
            "b_content_hash": i["content_hash"],
            "b_mapping_hash": mapping_hash,
        }
        for i in items
    ]
    for chunk in batched(params, 1000):
        conn.execute(stmt, chunk)
