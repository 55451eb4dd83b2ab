"""Writing what a downstream stage (score, route, hand-off) put into a lead's fields.

Those stages change a lead's fields and so its content hash, but not what enrichment looked up:
a lead whose enrichment was current stays current (its `enrichment_inputs` follow the new hash),
so the next run's enrich stage does not visit it again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, case, update

from connectors.store.schema import leads
from connectors.store.upsert import batched


def write_lead_fields(conn: Connection, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] = ()) -> None:
    """rows: {lead_id, fields, content_hash, at, and a value for each of `columns`} (more `leads`
    columns to set, named as in the table); `updated_at` becomes the row's `at`."""
    if not rows:
        return
    values: dict[str, Any] = {
        "fields": bindparam("b_fields"),
        "content_hash": bindparam("b_hash"),
        "enrichment_inputs": case(
            (leads.c.enrichment_inputs == leads.c.content_hash, bindparam("b_hash")),
            else_=leads.c.enrichment_inputs,
        ),
        "updated_at": bindparam("b_at"),
        **{column: bindparam(f"b_{column}") for column in columns},
    }
    stmt = update(leads).where(leads.c.lead_id == bindparam("b_id")).values(**values)
    params = [
        {
            "b_id": r["lead_id"],
            "b_fields": r["fields"],
            "b_hash": r["content_hash"],
            "b_at": r["at"],
            **{f"b_{column}": r[column] for column in columns},
        }
        for r in rows
    ]
    for chunk in batched(params, 1000):
        conn.execute(stmt, chunk)
