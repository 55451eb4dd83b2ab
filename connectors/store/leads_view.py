"""Reading golden leads back from the store as domain objects."""

from __future__ import annotations

from typing import Any

from leads.lifecycle import Stage
from leads.model import FieldValue, Lead


def lead_from_row(row: Any) -> Lead:
    return Lead(
        lead_id=row.lead_id,
        identity_key=row.identity_key,
        fields={name: FieldValue.from_json(name, data) for name, data in row.fields.items()},
        lifecycle_stage=Stage(row.lifecycle_stage) if row.lifecycle_stage else None,
    )
