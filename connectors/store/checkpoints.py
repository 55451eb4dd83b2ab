"""Stream checkpoints in the `watermarks` table: a cursor that only moves forward, and a state.

The state (a window being worked through, an id floor, a bulk job's next page) is replaced on every
save; the cursor pair (timestamp, id) never goes back, whatever a save asks for.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, or_, select

from connectors.source import Checkpoint, watermark_key
from connectors.store.schema import watermarks
from connectors.store.upsert import upsert


def load_checkpoints(conn: Connection, source: str) -> dict[str, Checkpoint]:
    """Every stream's checkpoint of a source, by stream name ("" for the main stream)."""
    t = watermarks.c
    rows = conn.execute(select(watermarks).where(or_(t.source == source, t.source.like(f"{source}/%"))))
    out: dict[str, Checkpoint] = {}
    for row in rows:
        stream = "" if row.source == source else row.source[len(source) + 1 :]
        out[stream] = Checkpoint(row.cursor_ts, row.cursor_id, row.state)
    return out


def save_checkpoint(
    conn: Connection, source: str, stream: str, checkpoint: Checkpoint, run_id: str, now: datetime
) -> Checkpoint:
    """Store a stream's checkpoint (the cursor moves forward only); returns what is stored."""
    key = watermark_key(source, stream)
    row = conn.execute(select(watermarks).where(watermarks.c.source == key)).one_or_none()
    ts, cursor_id = checkpoint.cursor_ts, checkpoint.cursor_id
    if row is not None and (ts, cursor_id) < (row.cursor_ts, row.cursor_id):
        ts, cursor_id = row.cursor_ts, row.cursor_id
    stored = {"source": key, "cursor_ts": ts, "cursor_id": cursor_id, "state": checkpoint.state or None}
    upsert(conn, watermarks, [{**stored, "run_id": run_id, "updated_at": now}], keys=["source"])
    return Checkpoint(ts, cursor_id, checkpoint.state or None)
