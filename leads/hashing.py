"""Stable content hashes, used to notice change without comparing whole records."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any


def _default(obj: Any) -> Any:
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, set | frozenset | tuple):
        return sorted(obj, key=str)
    return str(obj)


def stable_hash(obj: Any) -> str:
    """SHA-256 of the canonical JSON of `obj` (sorted keys, no whitespace)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=_default, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bytes_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()
