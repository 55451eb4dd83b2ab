"""Identity keys: which records are the same person.

For now one lead per canonical email; a record without a valid email is a lead of its own. The
lead id is derived from the key, so the same person gets the same id on every run and every
machine, and reruns never flip a record between leads.
"""

from __future__ import annotations

import uuid
from functools import lru_cache

from leads.model import RecordRef

_NAMESPACE = uuid.UUID("6c0f5d8e-9a51-4a4e-8a55-2f1f0c7a9b10")


def canonical_email(email: str) -> str:
    """The comparison form of an address: case-insensitive as every mail provider treats it."""
    return email.strip().lower()


def identity_key(ref: RecordRef, email: str | None) -> str:
    if email:
        return f"email:{canonical_email(email)}"
    return f"record:{ref.source}:{ref.source_id}"


@lru_cache(maxsize=16384)
def lead_id_for(key: str) -> str:
    return uuid.uuid5(_NAMESPACE, key).hex
