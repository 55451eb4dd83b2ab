"""Landing: raw source records, quarantined rows and watermarks.

Commit points: a chunk's records land in one transaction; the watermark advances in a later
transaction, after everything it covers has landed, and never moves backwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, select, update

from connectors.store.schema import quarantine, source_records, watermarks
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


def land_records(
    conn: Connection, source: str, records: Sequence[IncomingRecord], run_id: str, now: datetime
) -> LandCounts:
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
    existing: dict[str, tuple[str, datetime]] = {}
    for ids in batched(latest, 900):
        rows = conn.execute(
            select(source_records.c.source_id, source_records.c.content_hash, source_records.c.cursor_ts).where(
                and_(source_records.c.source == source, source_records.c.source_id.in_(ids))
            )
        )
        existing.update({r.source_id: (r.content_hash, r.cursor_ts) for r in rows})

    writes: list[dict[str, Any]] = []
    touched: list[str] = []
    for source_id, rec in latest.items():
        content_hash = stable_hash(rec.payload)
        before = existing.get(source_id)
        if before is not None and before[0] == content_hash:
            counts.unchanged += 1
            touched.append(source_id)
            continue
        if before is not None and rec.cursor_ts < before[1]:
            counts.stale += 1
            continue
        if before is None:
            counts.new += 1
        else:
            counts.changed += 1
        writes.append(
            {
                "source": source,
                "source_id": source_id,
                "cursor_ts": rec.cursor_ts,
                "content_hash": content_hash,
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
            .where(and_(source_records.c.source == source, source_records.c.source_id.in_(ids)))
            .values(last_seen_at=now, last_run_id=run_id)
        )
    return counts


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
