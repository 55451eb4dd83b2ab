"""Batched, dialect-native upserts: one statement per batch, never a round trip per row."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

# Rows per executemany call; bounds the memory of one call's parameters.
BATCH = 5000


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: Sequence[str] | None = None,
    increment: Sequence[str] = (),
) -> None:
    """Insert rows, or on a key conflict set `update` columns (default: all non-key columns).

    `increment` columns are added to instead of replaced (counters such as seen_count). One
    statement, compiled once and cached, runs as an executemany: a multi-row VALUES clause would
    be compiled anew for every batch, which at 100k rows costs more than the database work.
    Rows must not repeat a key within one call (PostgreSQL refuses to update a row twice).
    """
    if not rows:
        return
    dialect = conn.dialect.name
    if dialect == "postgresql":
        insert = postgresql.insert
    elif dialect == "sqlite":
        insert = sqlite.insert
    else:  # pragma: no cover - the store supports the two dialects above
        raise NotImplementedError(f"upsert is not implemented for {dialect}")
    update = [c for c in (update if update is not None else list(rows[0])) if c not in keys]
    stmt = insert(table)
    sets: dict[str, Any] = {c: stmt.excluded[c] for c in update if c not in increment}
    sets |= {c: table.c[c] + stmt.excluded[c] for c in increment}
    if sets:
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=sets)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    for chunk in batched(rows, BATCH):
        conn.execute(stmt, chunk)
