"""Column mapping between an export's columns and lead fields (pure)."""

from __future__ import annotations

from typing import Any

from leads.config import FileSourceConfig
from leads.hashing import stable_hash


def to_fields(payload: dict[str, Any], settings: FileSourceConfig) -> dict[str, Any]:
    """Lead field → raw value, from a landed record's columns."""
    mapped = {name: payload.get(column) for name, column in settings.mapping.items()}
    if settings.source_system and not mapped.get("source_system"):
        mapped["source_system"] = settings.source_system
    return mapped


def mapping_hash(settings: FileSourceConfig) -> str:
    """Changes whenever normalizing the same landed record could give a different result."""
    return stable_hash(
        {
            "mapping": settings.mapping,
            "source_system": settings.source_system,
            "stage_aliases": {k: v.value for k, v in settings.stage_aliases.items()},
            "timezone": settings.timezone,
        }
    )[:16]
