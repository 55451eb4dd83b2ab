"""Our own writes to a CRM, as the source that reads the CRM back needs to know them.

A sink that writes to a CRM records two things, so that the next extract neither mistakes its
writes for edits nor pays to read them back:
- `record_writes`: per written record, the values sent (landing calls a record whose only changes
  are these values an echo: kept current, not a change, not a sales edit);
- waves (`open_wave` / `close_wave`): stretches of writes, each with the value of a stamp property
  written with every record of the wave and the CRM's modified stamps of its first and last write.
  A source then leaves records modified inside a closed wave and carrying that wave's stamp out of
  its search (HubSpot), or records the wave's writer modified last (Salesforce's LastModifiedById),
  instead of reading every echo back. A wave left open by a crash is never skipped.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, select, update

from connectors.store.landing import values_by_id
from connectors.store.schema import remote_writes, sync_waves
from connectors.store.upsert import upsert


@dataclass(frozen=True, slots=True)
class Wave:
    wave_id: str
    stamp: str
    writer_id: str | None
    first_write: datetime
    last_write: datetime


def record_writes(
    conn: Connection, source: str, sink: str, writes: dict[str, dict[str, Any]], run_id: str, now: datetime
) -> None:
    """What a sink just wrote to the records `source` reads back (remote id → property → value).

    Later writes to the same record merge into what is kept, so an echo of either write is known.
    """
    if not writes:
        return
    known = values_by_id(conn, remote_writes.c.fields, source, writes)
    rows = [
        {
            "source": source,
            "source_id": remote_id,
            "sink": sink,
            "fields": {**known.get(remote_id, {}), **fields},
            "written_at": now,
            "run_id": run_id,
        }
        for remote_id, fields in writes.items()
    ]
    upsert(conn, remote_writes, rows, keys=["source", "source_id"])


def open_wave(conn: Connection, source: str, sink: str, stamp: str, run_id: str, writer_id: str | None = None) -> str:
    """Start a wave of writes to the records `source` reads; returns its id."""
    wave_id = uuid.uuid4().hex
    conn.execute(
        sync_waves.insert().values(
            source=source,
            wave_id=wave_id,
            sink=sink,
            stamp=stamp,
            writer_id=writer_id,
            records=0,
            closed=False,
            run_id=run_id,
        )
    )
    return wave_id


def extend_wave(conn: Connection, source: str, wave_id: str, first: datetime, last: datetime, records: int) -> None:
    """Widen a wave to cover writes the CRM stamped between `first` and `last`."""
    row = conn.execute(
        select(sync_waves).where(and_(sync_waves.c.source == source, sync_waves.c.wave_id == wave_id))
    ).one()
    conn.execute(
        update(sync_waves)
        .where(and_(sync_waves.c.source == source, sync_waves.c.wave_id == wave_id))
        .values(
            first_write=min(first, row.first_write) if row.first_write else first,
            last_write=max(last, row.last_write) if row.last_write else last,
            records=row.records + records,
        )
    )


def close_wave(conn: Connection, source: str, wave_id: str) -> None:
    conn.execute(
        update(sync_waves)
        .where(and_(sync_waves.c.source == source, sync_waves.c.wave_id == wave_id))
        .values(closed=True)
    )


def waves_within(conn: Connection, source: str, lo: datetime, hi: datetime) -> list[Wave]:
    """Closed waves of writes to `source`'s records that overlap [lo, hi], oldest first."""
    t = sync_waves.c
    rows = conn.execute(
        select(sync_waves)
        .where(and_(t.source == source, t.closed.is_(True), t.first_write <= hi, t.last_write >= lo))
        .order_by(t.first_write)
    )
    return [Wave(r.wave_id, r.stamp, r.writer_id, r.first_write, r.last_write) for r in rows]
