"""HunterProvider: email verification for the email_status field, and the email finder.

Hunter takes its key as the `api_key` query parameter, so the key is part of every URL: error
details and logs built here never include a URL's query. A verification that is still running
(202) is asked again with backoff within the attempt budget, then answered QUEUED so the lead is
tried again next run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import httpx

from connectors.enrichment.base import Answer, Lookup, LookupKind, Outcome
from connectors.enrichment.hunter import mapping
from connectors.enrichment.hunter.settings import (
    API_KEY_PARAM,
    EMAIL_FINDER,
    EMAIL_VERIFIER,
    ERRORS,
    FIND_COST,
    UNPROCESSABLE_PERSON,
    VERIFY_COST,
)
from connectors.enrichment.vendor_http import VendorHttp, failed, gather, miss, unique
from connectors.http.auth import ApiKeyQuery
from connectors.http.errors import ApiError
from connectors.http.ratelimit import RateLimiter
from leads.config import HunterProviderConfig

STILL_RUNNING = "Hunter is still verifying this address; ask again next run"


class HunterProvider:
    kinds: frozenset[LookupKind] = frozenset({"email"})
    fields: frozenset[str] = frozenset({"email_status"})

    def __init__(
        self,
        name: str,
        settings: HunterProviderConfig,
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
            ApiKeyQuery(API_KEY_PARAM, api_key),
            ERRORS,
            limiter,
            settings.max_attempts,
            sleep=sleep,
            clock=clock,
            draw=draw,
        )

    def max_cost(self, kind: LookupKind) -> float:
        return VERIFY_COST

    def lookup(self, lookups: Sequence[Lookup]) -> dict[str, Answer]:
        return gather(self._answers(unique(lookups).values()))

    def find_email(self, domain: str, first_name: str, last_name: str) -> Answer:
        """The most likely address of a person at a domain: fields {"email", maybe "email_status"}.

        Costs 1 credit when an email is found. Raises ProviderFatal like `lookup`.
        """
        params = {"domain": domain, "first_name": first_name, "last_name": last_name}
        data = self._data(EMAIL_FINDER, params)
        if isinstance(data, Answer):
            return data
        fields = mapping.found_email(data)
        if not fields:
            return miss()
        return Answer(Outcome.HIT, fields=fields, confidence=mapping.confidence(data), cost=FIND_COST)

    def _answers(self, lookups: Iterable[Lookup]) -> Iterator[tuple[str, Answer]]:
        for lookup in lookups:
            if lookup.kind != "email":
                yield lookup.key, miss(f"Hunter answers no {lookup.kind} lookups")
            else:
                yield lookup.key, self._verify(lookup.email or lookup.key)

    def _verify(self, email: str) -> Answer:
        data = self._data(EMAIL_VERIFIER, {"email": email})
        if isinstance(data, Answer):
            return data
        status = mapping.email_status(data)
        if status is None:
            return Answer(Outcome.FAILED, detail="HTTP 200: no verification status in the answer")
        # Hunter charges nothing when it could not verify ("unknown"); "unknown" is still its answer.
        cost = 0.0 if status == "unknown" else VERIFY_COST
        return Answer(Outcome.HIT, fields={"email_status": status}, confidence=mapping.confidence(data), cost=cost)

    def _data(self, path: str, params: Mapping[str, Any]) -> Mapping[str, Any] | Answer:
        """The `data` object of a 200, or the Answer that stands for what else came back."""
        try:
            body = self._http.json(self._http.get(path, params))
        except ApiError as err:
            if err.status == 202:
                return Answer(Outcome.QUEUED, detail=STILL_RUNNING)
            if err.status in (404, UNPROCESSABLE_PERSON):
                return miss(err.detail)
            return failed(err)
        data = body.get("data") if isinstance(body, dict) else None
        return data if isinstance(data, dict) else Answer(Outcome.FAILED, detail="HTTP 200: no data in the answer")
