"""The Lead and the records it is built from.

Every field value carries its provenance (which source said it, and when). A value that failed
validation is kept raw with the reason, so nothing a source sent is lost, but it is never synced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from leads.fields import ATTRIBUTION_FIELDS, LEAD_FIELD_KINDS, Kind
from leads.lifecycle import Stage


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One field's value as one source stated it."""

    value: Any
    source: str
    observed_at: datetime
    invalid: str | None = None  # why the raw value was rejected; None when valid

    def __init__(self, value: Any, source: str, observed_at: datetime, invalid: str | None = None) -> None:
        # What the generated frozen __init__ does (object.__setattr__ per field), through the slots'
        # own setters: 40% cheaper, and a run builds a few dozen of these per record.
        _set_value(self, value)
        _set_source(self, source)
        _set_observed_at(self, observed_at)
        _set_invalid(self, invalid)

    @property
    def is_valid(self) -> bool:
        return self.invalid is None

    def to_json(self) -> list[Any]:
        """[value, source, observed_at] plus the reason when invalid: compact, as leads hold dozens."""
        out = [_plain(self.value), self.source, self.observed_at.isoformat()]
        if self.invalid is not None:
            out.append(self.invalid)
        return out

    @classmethod
    def from_json(cls, name: str, data: list[Any]) -> FieldValue:
        value, source, observed_at, *invalid = data
        reason = invalid[0] if invalid else None
        return cls(_typed(name, value, reason), source, _parse_time(observed_at), reason)


_set_value, _set_source, _set_observed_at, _set_invalid = (
    FieldValue.__dict__[name].__set__ for name in ("value", "source", "observed_at", "invalid")
)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


_DATETIME_FIELDS = frozenset(name for name, kind in LEAD_FIELD_KINDS.items() if kind is Kind.DATETIME)


def _typed(name: str, value: Any, invalid: str | None) -> Any:
    if invalid is None and value is not None and name in _DATETIME_FIELDS:
        return _parse_time(value)
    return value


@lru_cache(maxsize=16384)
def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True, slots=True)
class RecordRef:
    source: str
    source_id: str


@dataclass(slots=True)
class NormalizedRecord:
    """One source record after mapping and normalization, ready for identity and merging."""

    ref: RecordRef
    observed_at: datetime
    values: dict[str, FieldValue]
    identity_key: str

    def valid(self, name: str) -> Any:
        fv = self.values.get(name)
        return fv.value if fv is not None and fv.is_valid else None

    def to_json(self) -> dict[str, Any]:
        """Every value of a record shares its source and time, so they are stored once."""
        plain: dict[str, Any] = {}
        invalid: dict[str, str] = {}
        for name, fv in self.values.items():
            value = fv.value
            plain[name] = value if value.__class__ is str else _plain(value)
            if fv.invalid is not None:
                invalid[name] = fv.invalid
        out: dict[str, Any] = {"at": self.observed_at.isoformat(), "key": self.identity_key, "v": plain}
        if invalid:
            out["bad"] = invalid
        return out

    @classmethod
    def from_json(cls, ref: RecordRef, data: dict[str, Any]) -> NormalizedRecord:
        at = _parse_time(data["at"])
        bad = data.get("bad")
        source = ref.source
        values: dict[str, FieldValue] = {}
        for name, value in data["v"].items():
            reason = bad.get(name) if bad else None
            if reason is None and value is not None and name in _DATETIME_FIELDS:
                value = _parse_time(value)
            values[name] = FieldValue(value, source, at, reason)
        return cls(ref=ref, observed_at=at, values=values, identity_key=data["key"])


@dataclass(slots=True)
class Lead:
    """The golden record for one person."""

    lead_id: str
    identity_key: str
    fields: dict[str, FieldValue]
    lifecycle_stage: Stage | None
    records: tuple[RecordRef, ...] = field(default_factory=tuple)

    def get(self, name: str) -> Any:
        """The field's valid value, or None when absent or invalid."""
        fv = self.fields.get(name)
        return fv.value if fv is not None and fv.is_valid else None

    @property
    def email(self) -> str | None:
        return self.get("email")

    @property
    def do_not_contact(self) -> bool:
        return bool(self.get("do_not_contact"))

    @property
    def issues(self) -> dict[str, str]:
        """Field name → why its value was rejected."""
        return {n: fv.invalid for n, fv in self.fields.items() if fv.invalid is not None}

    @property
    def attribution(self) -> dict[str, Any]:
        return {n: self.get(n) for n in ATTRIBUTION_FIELDS if self.get(n) is not None}
