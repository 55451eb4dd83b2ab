"""ClearbitProvider: company enrichment by domain (`GET /v2/companies/find`, Bearer auth).

Clearbit has no bulk endpoint: one call per domain. A 202 means Clearbit queued the lookup and will
know later; it is asked again with backoff within the attempt budget, then answered QUEUED so the
lead is tried again next run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence

import httpx

from connectors.enrichment.base import Answer, Lookup, LookupKind, Outcome
from connectors.enrichment.clearbit import mapping
from connectors.enrichment.clearbit.settings import COMPANY_FIND, COST_PER_MATCH, ERRORS
from connectors.enrichment.vendor_http import VendorHttp, failed, gather, miss, unique
from connectors.http.auth import BearerToken
from connectors.http.errors import ApiError
from connectors.http.ratelimit import RateLimiter
from leads.config import ClearbitProviderConfig

QUEUED = "Clearbit queued the lookup; ask again next run"


class ClearbitProvider:
    kinds: frozenset[LookupKind] = frozenset({"company"})
    fields: frozenset[str] = frozenset(
        {
            "company_name",
            "industry",
            "employee_count",
            "employee_range",
            "revenue_range",
            "company_country_code",
            "tech_stack",
            "founded_year",
            "linkedin_url",
        }
    )

    def __init__(
        self,
        name: str,
        settings: ClearbitProviderConfig,
        api_key: str,
        client: httpx.Client,
        limiter: RateLimiter | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        draw: Callable[[], float] = random.random,
    ) -> None:
        self.name = name
        self.settings = settings
        self._http = VendorHttp(
            name,
            client,
            BearerToken(api_key),
            ERRORS,
            limiter,
            settings.max_attempts,
            sleep=sleep,
            clock=clock,
            draw=draw,
        )

    def max_cost(self, kind: LookupKind) -> float:
        return COST_PER_MATCH

    def lookup(self, lookups: Sequence[Lookup]) -> dict[str, Answer]:
        return gather(self._answers(unique(lookups).values()))

    def _answers(self, lookups: Iterable[Lookup]) -> Iterator[tuple[str, Answer]]:
        for lookup in lookups:
            if lookup.kind != "company":
                yield lookup.key, miss(f"Clearbit answers no {lookup.kind} lookups")
            else:
                yield lookup.key, self._company(lookup.domain or lookup.key)

    def _company(self, domain: str) -> Answer:
        try:
            response = self._http.get(COMPANY_FIND, {"domain": domain})
            if response.status_code == 404:
                return miss()
            body = self._http.json(response)
        except ApiError as err:
            return Answer(Outcome.QUEUED, detail=QUEUED) if err.status == 202 else failed(err)
        if not isinstance(body, dict) or not body:
            return Answer(Outcome.FAILED, detail="HTTP 200: no company in the answer")
        return Answer(Outcome.HIT, fields=mapping.company_fields(body), cost=COST_PER_MATCH)
