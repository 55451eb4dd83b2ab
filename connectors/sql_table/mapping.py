"""Lead → row of the sink table (pure). Invalid values are never written: the column is NULL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from leads.hashing import stable_hash
from leads.model import Lead


def to_row(lead: Lead, fields: Sequence[str]) -> dict[str, Any]:
    row: dict[str, Any] = {"lead_id": lead.lead_id}
    for name in fields:
        row[name] = lead.get(name)
    if "lifecycle_stage" in row and lead.lifecycle_stage is not None:
        row["lifecycle_stage"] = lead.lifecycle_stage.value
    return row


def payload_hash(row: dict[str, Any]) -> str:
    return stable_hash(row)


def mapping_hash(table: str, fields: Sequence[str]) -> str:
    return stable_hash({"table": table, "fields": list(fields)})[:16]
