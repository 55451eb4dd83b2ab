"""What enrichment found for a lead, as stored beside it: value, provider, when, how sure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leads.model import FieldValue


@dataclass(frozen=True, slots=True)
class Enriched:
    value: Any
    provider: str
    fetched_at: datetime
    confidence: float | None = None

    def to_json(self) -> list[Any]:
        return [self.value, self.provider, self.fetched_at.isoformat(), self.confidence]

    @classmethod
    def from_json(cls, data: list[Any]) -> Enriched:
        value, provider, fetched_at, confidence = data
        return cls(value, provider, datetime.fromisoformat(fetched_at), confidence)

    def as_field(self) -> FieldValue:
        return FieldValue(self.value, self.provider, self.fetched_at)


def enrichment_from_json(data: Mapping[str, Any] | None) -> dict[str, Enriched]:
    """The stored column is {"inputs": hash, "fields": {field: [value, provider, at, confidence]},
    plus "skipped" (why nothing was asked) or "deferred" (steps to retry next run) when present."""
    return {name: Enriched.from_json(v) for name, v in ((data or {}).get("fields") or {}).items()}


def enrichment_fields(data: Mapping[str, Any] | None) -> dict[str, FieldValue]:
    """The stored enrichment column as field values, ready to fold into a lead."""
    return {name: e.as_field() for name, e in enrichment_from_json(data).items()}
