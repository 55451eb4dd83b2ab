"""Turn a source's mapped values into clean, typed field values.

Cleaning is deliberately conservative: whitespace and placeholder values go, emails are validated
(syntax only, no DNS) and normalized, names get sane casing, booleans, timestamps and stages are
parsed. A value that fails is kept raw with the reason. Every parser is memoised by input value,
because exports repeat the same countries, titles and companies thousands of times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from email_validator import EmailNotValidError, validate_email
from nameparser import HumanName

from leads.fields import FIELD_KINDS, Kind
from leads.identity import identity_key
from leads.lifecycle import Stage, parse_stage
from leads.model import FieldValue, NormalizedRecord, RecordRef
from leads.timeparse import parse_timestamp

# Values exports use to mean "nothing here". Compared lowercased.
PLACEHOLDERS = frozenset(
    {
        "",
        "-",
        "--",
        "---",
        ".",
        "?",
        "n/a",
        "na",
        "n.a.",
        "none",
        "null",
        "nil",
        "undefined",
        "unknown",
        "test",
        "select",
        "select...",
        "please select",
        "not provided",
        "#n/a",
    }
)
_SPACES = re.compile(r"\s+")
_TRUE = frozenset({"true", "yes", "y", "1", "t", "on"})
_FALSE = frozenset({"false", "no", "n", "0", "f", "off"})


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that cannot be identified or contacted at all: it goes to quarantine."""

    reason: str


# Memo sizes follow how often values repeat: cleaned text and names repeat a lot (countries,
# titles, companies); emails almost never, so their memo stays small to keep memory bounded.
@lru_cache(maxsize=65536)
def clean_text(raw: str) -> str | None:
    text = _SPACES.sub(" ", raw).strip()
    return None if text.lower() in PLACEHOLDERS else text


@lru_cache(maxsize=65536)
def clean_name(raw: str) -> str | None:
    text = clean_text(raw)
    if text is None:
        return None
    # Fix only what is clearly shouting or lazy; "McDonald" or "van der Berg" stay as typed.
    if text.isupper() or text.islower():
        text = text.title().replace("'S ", "'s ")
    return text


@lru_cache(maxsize=4096)
def normalize_email(raw: str) -> tuple[str | None, str | None]:
    """(normalized address, None) or (None, reason). The domain is lowercased, the local part kept."""
    text = clean_text(raw)
    if text is None:
        return None, None
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        return None, f"not a valid email address: {exc}"
    return result.normalized, None


@lru_cache(maxsize=16384)
def split_full_name(full_name: str) -> tuple[str | None, str | None]:
    name = HumanName(full_name)
    return (name.first or None), (name.last or None)


def _parse_bool(text: str) -> bool:
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(f"not a boolean: {text!r}")


def _normalize_value(name: str, raw: Any, stage_aliases: dict[str, Stage] | None, tz: str) -> tuple[Any, str | None]:
    """(value, None) when valid, (raw, reason) when not, (None, None) when blank."""
    kind = FIELD_KINDS[name]
    if isinstance(raw, bool):
        if kind is Kind.BOOL:
            return raw, None
        raw = str(raw).lower()
    elif isinstance(raw, int | float):
        raw = str(raw)
    text = clean_text(raw)
    if text is None:
        return None, None
    if kind is Kind.EMAIL:
        email, reason = normalize_email(raw)
        return (email, None) if reason is None else (text, reason)
    if kind is Kind.NAME:
        return clean_name(raw), None
    if kind is Kind.URL:
        return text.lower(), None
    if kind is Kind.BOOL:
        try:
            return _parse_bool(text), None
        except ValueError as exc:
            return text, str(exc)
    if kind is Kind.DATETIME:
        try:
            return parse_timestamp(text, tz=tz), None
        except ValueError as exc:
            return text, str(exc)
    if kind is Kind.STAGE:
        stage = parse_stage(text, stage_aliases)
        return (stage.value, None) if stage else (text, f"unknown lifecycle stage {text!r}")
    return text, None


def normalize_record(
    ref: RecordRef,
    observed_at: datetime,
    mapped: dict[str, Any],
    stage_aliases: dict[str, Stage] | None = None,
    tz: str = "UTC",
) -> NormalizedRecord | Rejected:
    """Normalize one record's mapped values and give it its identity key."""
    values: dict[str, FieldValue] = {}
    for name, raw in mapped.items():
        if raw is None:
            continue
        value, reason = _normalize_value(name, raw, stage_aliases, tz)
        if value is not None:
            values[name] = FieldValue(value, ref.source, observed_at, reason)
    _fill_name_parts(values, ref.source, observed_at)

    email = values.get("email")
    phone = values.get("phone")
    has_email = email is not None and email.is_valid
    if not has_email and phone is None:
        why = f"email {email.invalid}" if email is not None else "no email"
        return Rejected(f"cannot be identified or contacted: {why} and no phone")
    return NormalizedRecord(ref, observed_at, values, identity_key(ref, email.value if has_email else None))


def _fill_name_parts(values: dict[str, FieldValue], source: str, observed_at: datetime) -> None:
    """Ad forms often ask only for a full name; derive first and last from it (and vice versa)."""
    full = values.get("full_name")
    if full is not None and ("first_name" not in values or "last_name" not in values):
        first, last = split_full_name(full.value)
        if first and "first_name" not in values:
            values["first_name"] = FieldValue(first, source, observed_at)
        if last and "last_name" not in values:
            values["last_name"] = FieldValue(last, source, observed_at)
    elif full is None and ("first_name" in values or "last_name" in values):
        parts = [values[n].value for n in ("first_name", "last_name") if n in values]
        values["full_name"] = FieldValue(" ".join(parts), source, observed_at)
