"""What every enrichment provider offers the waterfall.

A provider answers lookups in batches (it loops over the vendor's bulk endpoint inside) and maps
each answer to the canonical lead fields in leads.fields.ENRICHED_FIELDS, so the waterfall never
sees a vendor's shape. It reports what each answer cost, so budgets and the cache can account for
it. A vendor error that retries could not cure becomes a FAILED answer for the lookups it hit (they
are not cached and are tried again next run); bad credentials raise ProviderFatal, which stops
that provider for the rest of the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol

LookupKind = Literal["company", "person", "email"]


@dataclass(frozen=True, slots=True)
class Lookup:
    """One question. `key` is the normalized input: the cache key and what duplicates collapse on.

    company: domain (registrable, lower case); person: email, else first/last name + domain;
    email: the address to verify.
    """

    kind: LookupKind
    key: str
    domain: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None


class Outcome(StrEnum):
    HIT = "hit"  # the provider knows it; fields holds what it said
    MISS = "miss"  # the provider looked and does not know it (cached as a miss)
    QUEUED = "queued"  # accepted but not ready yet (Hunter's 202); ask again later, not cached
    FAILED = "failed"  # an error retries could not cure; not cached, tried again next run


@dataclass(frozen=True, slots=True)
class Answer:
    outcome: Outcome
    fields: dict[str, Any] = field(default_factory=dict)  # canonical field → value
    confidence: float | None = None  # 0..1, the provider's own measure where it has one
    cost: float = 0.0  # credits charged for this lookup
    detail: str | None = None  # why it failed or was queued, for the run report


class ProviderFatal(Exception):
    """The provider cannot be used this run (bad credentials, account disabled, quota exhausted).

    `answers` holds what it had already answered (and charged for) in the call that stopped it.
    """

    def __init__(self, message: str, answers: dict[str, Answer] | None = None) -> None:
        super().__init__(message)
        self.answers: dict[str, Answer] = dict(answers or {})


class Provider(Protocol):
    name: str
    kinds: frozenset[LookupKind]  # the lookups it answers
    fields: frozenset[str]  # the canonical fields it can fill

    def max_cost(self, kind: LookupKind) -> float:
        """The most one lookup of this kind can cost: what a budget must still hold to ask."""
        ...

    def lookup(self, lookups: Sequence[Lookup]) -> dict[str, Answer]:
        """An answer for every lookup, keyed by Lookup.key. Raises ProviderFatal only."""
        ...
