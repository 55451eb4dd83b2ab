"""What every CRM sink answers for each record it was asked to write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Written:
    remote_id: str
    updated_at: datetime | None  # the CRM's modified stamp after the write, where it says (HubSpot)
    created: bool


@dataclass(frozen=True, slots=True)
class Refused:
    message: str  # the vendor's words
    retriable: bool  # worth sending again (a lock, a 5xx that outlasted the retries), else permanent


Outcome = Written | Refused
