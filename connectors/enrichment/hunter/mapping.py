"""Hunter verifier and finder answers → canonical lead fields (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.enrichment.hunter.settings import EMAIL_STATUSES, RESULT_STATUSES


def email_status(data: Mapping[str, Any]) -> str | None:
    """`data.status` (valid, invalid, accept_all, webmail, disposable, unknown), else the old `result`."""
    status = data.get("status")
    if isinstance(status, str) and status.lower() in EMAIL_STATUSES:
        return status.lower()
    result = data.get("result")
    return RESULT_STATUSES.get(result.lower()) if isinstance(result, str) else None


def confidence(data: Mapping[str, Any]) -> float | None:
    """Hunter's score (0-100) as 0..1."""
    score = data.get("score")
    if isinstance(score, int | float) and not isinstance(score, bool) and 0 <= score <= 100:
        return score / 100
    return None


def found_email(data: Mapping[str, Any]) -> dict[str, Any]:
    """The finder's email, and its verification status when Hunter verified it."""
    email = data.get("email")
    if not isinstance(email, str) or "@" not in email:
        return {}
    fields: dict[str, Any] = {"email": email.strip()}
    verification = data.get("verification")
    if isinstance(verification, dict) and (status := email_status(verification)):
        fields["email_status"] = status
    return fields
