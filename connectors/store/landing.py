"""Landing: raw source records, quarantined rows, deletions and watermarks.

Commit points: a chunk's records land in one transaction; the watermark advances in a later
transaction (or, for sources read in cursor order, in the same one as the chunk it covers), after
everything it covers has landed, and never moves backwards.

Echoes: a CRM bumps a record's modified stamp whenever we write to it, so the next extract reads
every record a sink touched. A record whose only changes since its last landing are the values a
sink wrote (per `remote_writes`) is landed as an **echo**: its payload is kept current, but it is
not a change (not normalized again, not a sales edit). Keys named `volatile` (the modified stamps
themselves) are never content: a record whose only change is its stamp is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select, update

from connectors.store.schema import quarantine, remote_writes, source_records, watermarks
from connectors.store.upsert import batched, upsert
from leads.hashing import bytes_hash, stable_hash


@dataclass(slots=True)
class IncomingRecord:
    source_id: str
    cursor_ts: datetime
    payload: dict[str, Any]
    position: str


@dataclass(slots=True)
class QuarantineEntry:
    position: str
    raw: bytes
    reasons: list[str]
    source_id: str | None = None


@dataclass(slots=True)
class LandCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    stale: int = 0  # an older version than the one already landed (duplicate ids in an export)
    echoes: int = 0  # changed only by what our own sinks wrote


def content_hash(payload: dict[str, Any], volatile: frozenset[str] = frozenset()) -> str:
    """The hash of what a record says, without the keys that change on every write."""
    return stable_hash({k: v for k, v in payload.items() if k not in volatile} if volatile else payload)


def land_records(
    conn: Connection,
    source: str,
    records: Sequence[IncomingRecord],
    run_id: str,
    now: datetime,
    volatile: frozenset[str] = frozenset(),
) -> LandCounts:
    """Upsert a chunk of records; see the module docstring for echoes and volatile keys."""
    counts = LandCounts()
    latest: dict[str, IncomingRecord] = {}
    for rec in records:
        seen = latest.get(rec.source_id)
        if seen is None or rec.cursor_ts >= seen.cursor_ts:
            if seen is not None:
                counts.stale += 1
            latest[rec.source_id] = rec
        else:
            counts.stale += 1
    t = source_records.c
    existing: dict[str, Any] = {}
    for ids in batched(latest, 900):
        rows = conn.execute(
            select(t.source_id, t.content_hash, t.cursor_ts, t.deleted, t.normalized_content_hash).where(
                and_(t.source == source, t.source_id.in_(ids))
            )
        )
        existing.update({r.source_id: r for r in rows})

    hashes = {source_id: content_hash(rec.payload, volatile) for source_id, rec in latest.items()}
    changed_ids = [i for i, h in hashes.items() if i in existing and existing[i].content_hash != h]
    echoes = _echoes(conn, source, {i: latest[i].payload for i in changed_ids}, volatile) if changed_ids else set()

    writes: list[dict[str, Any]] = []
    carried: list[dict[str, Any]] = []
    touched: list[str] = []
    for source_id, rec in latest.items():
        digest = hashes[source_id]
        before = existing.get(source_id)
        if before is not None and before.content_hash == digest and not before.deleted:
            counts.unchanged += 1
            touched.append(source_id)
            continue
        if before is not None and rec.cursor_ts < before.cursor_ts:
            counts.stale += 1
            continue
        if before is None:
            counts.new += 1
        elif source_id in echoes:
            counts.echoes += 1
            if before.normalized_content_hash == before.content_hash:
                carried.append({"b_id": source_id, "b_hash": digest})
        else:
            counts.changed += 1
        writes.append(
            {
                "source": source,
                "source_id": source_id,
                "cursor_ts": rec.cursor_ts,
                "content_hash": digest,
                "payload": rec.payload,
                "position": rec.position,
                "first_seen_at": now,
                "last_seen_at": now,
                "last_run_id": run_id,
                "deleted": False,
            }
        )
    upsert(
        conn,
        source_records,
        writes,
        keys=["source", "source_id"],
        update=["cursor_ts", "content_hash", "payload", "position", "last_seen_at", "last_run_id", "deleted"],
    )
    for ids in batched(touched, 900):
        conn.execute(
            update(source_records)
            .where(and_(t.source == source, t.source_id.in_(ids)))
            .values(last_seen_at=now, last_run_id=run_id)
        )
    if carried:
        # An echo changes nothing the lead was built from: its normal form stays current.
        conn.execute(
            update(source_records)
            .where(and_(t.source == source, t.source_id == bindparam("b_id")))
            .values(normalized_content_hash=bindparam("b_hash")),
            carried,
        )
    return counts


def _echoes(conn: Connection, source: str, payloads: dict[str, dict[str, Any]], volatile: frozenset[str]) -> set[str]:
    """The records among `payloads` whose changes since their last landing are all our sinks' writes."""
    written = values_by_id(conn, remote_writes.c.fields, source, payloads)
    if not written:
        return set()
    before = values_by_id(conn, source_records.c.payload, source, written)
    return {i for i, fields in written.items() if is_echo(before.get(i) or {}, payloads[i], fields, volatile)}


def values_by_id(conn: Connection, column: Any, source: str, ids: Iterable[str]) -> dict[str, Any]:
    """`column` of its table's rows for `source` and these ids (tables keyed by source and source_id)."""
    table = column.table
    out: dict[str, Any] = {}
    for chunk in batched(ids, 900):
        rows = conn.execute(
            select(table.c.source_id, column.label("value")).where(
                and_(table.c.source == source, table.c.source_id.in_(chunk))
            )
        )
        out.update({r.source_id: r.value for r in rows})
    return out


def is_echo(before: dict[str, Any], after: dict[str, Any], written: dict[str, Any], volatile: frozenset[str]) -> bool:
    """True when every key that changed from `before` to `after` (stamps aside) now holds what we wrote."""
    changed = [k for k in before.keys() | after.keys() if k not in volatile and before.get(k) != after.get(k)]
    return bool(changed) and all(k in written and _same(after.get(k), written[k]) for k in changed)


def _same(value: Any, sent: Any) -> bool:
    # CRMs hand every value back as text (HubSpot) or in their own types; "" and null both mean empty.
    def text(v: Any) -> str:
        return "" if v is None else (str(v).lower() if isinstance(v, bool) else str(v))

    return text(value) == text(sent)


def mark_deleted(conn: Connection, source: str, source_ids: Sequence[str], run_id: str, now: datetime) -> int:
    """Tombstone records the source deleted or archived; normalize then takes them off their leads."""
    t = source_records.c
    marked = 0
    for ids in batched(source_ids, 900):
        marked += conn.execute(
            update(source_records)
            .where(and_(t.source == source, t.source_id.in_(ids), t.deleted.is_(False)))
            .values(deleted=True, normalized_content_hash=None, last_seen_at=now, last_run_id=run_id)
        ).rowcount
    return marked


def quarantine_rows(
    conn: Connection, source: str, stage: str, entries: Sequence[QuarantineEntry], run_id: str, now: datetime
) -> int:
    """Keep each rejected row once per (source, stage, exact bytes). Returns how many are new."""
    rows: dict[str, dict[str, Any]] = {}
    for e in entries:
        raw_hash = bytes_hash(e.raw)
        rows[raw_hash] = {
            "source": source,
            "stage": stage,
            "source_id": e.source_id,
            "position": e.position,
            "raw": e.raw,
            "raw_hash": raw_hash,
            "reasons": e.reasons,
            "status": "open",
            "seen_count": 1,
            "first_seen_at": now,
            "last_seen_at": now,
            "last_run_id": run_id,
        }
    known: set[str] = set()
    for hashes in batched(rows, 900):
        known.update(
            conn.execute(
                select(quarantine.c.raw_hash).where(
                    and_(quarantine.c.source == source, quarantine.c.stage == stage, quarantine.c.raw_hash.in_(hashes))
                )
            ).scalars()
        )
    upsert(
        conn,
        quarantine,
        list(rows.values()),
        keys=["source", "stage", "raw_hash"],
        update=["position", "reasons", "last_seen_at", "last_run_id", "seen_count"],
        increment=["seen_count"],
    )
    return len(rows) - len(known)


def get_watermark(conn: Connection, source: str) -> tuple[datetime, str] | None:
    row = conn.execute(select(watermarks).where(watermarks.c.source == source)).one_or_none()
    return (row.cursor_ts, row.cursor_id) if row else None


def advance_watermark(
    conn: Connection, source: str, cursor_ts: datetime, cursor_id: str, run_id: str, now: datetime
) -> bool:
    """Move the watermark forward to (cursor_ts, cursor_id); never backwards. True if it moved."""
    current = get_watermark(conn, source)
    if current is not None and (cursor_ts, cursor_id) <= current:
        return False
    upsert(
        conn,
        watermarks,
        [{"source": source, "cursor_ts": cursor_ts, "cursor_id": cursor_id, "run_id": run_id, "updated_at": now}],
        keys=["source"],
    )
    return True
