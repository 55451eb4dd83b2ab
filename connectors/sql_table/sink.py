"""Writes rows into the sink table, creating it (and any newly mapped column) on first use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Column, Engine, MetaData, String, Table, Text, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import CreateColumn

from connectors.store.schema import UTCDateTime
from connectors.store.upsert import upsert
from leads.fields import LEAD_FIELD_KINDS, Kind


@dataclass(slots=True)
class WriteResult:
    accepted: list[str]
    rejected: list[tuple[str, str]]  # (lead_id, reason)


def _column(name: str) -> Column:
    kind = LEAD_FIELD_KINDS[name]
    if kind is Kind.BOOL:
        return Column(name, Boolean)
    if kind is Kind.INT:
        return Column(name, BigInteger)
    if kind is Kind.LIST:
        return Column(name, JSON)
    if kind is Kind.DATETIME:
        return Column(name, UTCDateTime())
    return Column(name, Text)


class SqlTableSink:
    def __init__(self, engine: Engine, table: str, fields: Sequence[str]):
        self.engine = engine
        self.fields = list(fields)
        self.table = Table(
            table,
            MetaData(),
            Column("lead_id", String(32), primary_key=True),
            *(_column(f) for f in self.fields),
            Column("synced_at", UTCDateTime(), nullable=False),
        )

    def ensure_table(self) -> list[str]:
        """Create the table, or add the columns a changed mapping needs. Returns columns added."""
        inspector = inspect(self.engine)
        if not inspector.has_table(self.table.name):
            self.table.create(self.engine)
            return [c.name for c in self.table.columns]
        present = {c["name"] for c in inspector.get_columns(self.table.name)}
        missing = [c for c in self.table.columns if c.name not in present]
        table_name = self.engine.dialect.identifier_preparer.format_table(self.table)
        with self.engine.begin() as conn:
            for column in missing:
                ddl = CreateColumn(column).compile(dialect=self.engine.dialect)
                conn.execute(text(f"ALTER TABLE {table_name} ADD COLUMN {ddl}"))
        return [c.name for c in missing]

    def write(self, rows: Sequence[dict[str, Any]], now: datetime) -> WriteResult:
        """Upsert by lead_id. A batch the database refuses is split to isolate the bad rows."""
        stamped = [{**row, "synced_at": now} for row in rows]
        try:
            with self.engine.begin() as conn:
                upsert(conn, self.table, stamped, keys=["lead_id"])
            return WriteResult([r["lead_id"] for r in rows], [])
        except DBAPIError as exc:
            if len(rows) == 1:
                return WriteResult([], [(rows[0]["lead_id"], _reason(exc))])
        half = len(rows) // 2
        left, right = self.write(rows[:half], now), self.write(rows[half:], now)
        return WriteResult(left.accepted + right.accepted, left.rejected + right.rejected)

    def delete(self, lead_ids: Sequence[str]) -> None:
        """Remove rows of leads that no longer exist on their own (merged into another lead)."""
        with self.engine.begin() as conn:
            for start in range(0, len(lead_ids), 900):
                conn.execute(self.table.delete().where(self.table.c.lead_id.in_(lead_ids[start : start + 900])))


def _reason(exc: DBAPIError) -> str:
    return f"{type(exc.orig).__name__}: {str(exc.orig).splitlines()[0][:300]}"
