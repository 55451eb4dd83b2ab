"""PdlProvider: People Data Labs company and person enrichment.

Companies go one `GET /v5/company/enrich?website=` each. People go through `POST /v5/person/bulk`,
up to 100 per call, each item answered with its own status (a lone person takes the GET endpoint).
`min_likelihood` is sent with every request, so a weak match comes back as a free 404 instead of a
charged 200; a 200 below it (should PDL ever send one) is still counted as spent.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import httpx

from connectors.enrichment.base import Answer, Lookup, LookupKind, Outcome, ProviderFatal
from connectors.enrichment.pdl import mapping
from connectors.enrichment.pdl.settings import (
    API_KEY_HEADER,
    BULK_SIZE,
    COMPANY_ENRICH,
    COST_PER_MATCH,
    ERRORS,
    PERSON_BULK,
    PERSON_ENRICH,
)
from connectors.enrichment.vendor_http import VendorHttp, batches, failed, gather, miss, unique
from connectors.http.auth import ApiKeyHeader
from connectors.http.errors import ApiError, message_from_body
from connectors.http.ratelimit import RateLimiter
from leads.config import PdlProviderConfig

COMPANY_FIELDS = frozenset(
    {
        "company_name",
        "industry",
        "employee_count",
        "employee_range",
        "revenue_range",
        "company_country_code",
        "founded_year",
        "linkedin_url",
    }
)
PERSON_FIELDS = COMPANY_FIELDS | {"seniority", "department"}
NO_PERSON_INPUT = "needs an email, or a first and last name with a company"


class PdlProvider:
    kinds: frozenset[LookupKind] = frozenset({"company", "person"})
    fields: frozenset[str] = PERSON_FIELDS

    def __init__(
        self,
        name: str,
        settings: PdlProviderConfig,
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
            ApiKeyHeader(API_KEY_HEADER, api_key),
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
        people: list[Lookup] = []
        for lookup in lookups:
            if lookup.kind == "company":
                yield lookup.key, self._company(lookup)
            elif lookup.kind == "person":
                people.append(lookup)
            else:
                yield lookup.key, miss(f"PDL answers no {lookup.kind} lookups")
        askable = []
        for lookup in people:
            if _person_params(lookup) is None:
                yield lookup.key, miss(NO_PERSON_INPUT)
            else:
                askable.append(lookup)
        for batch in batches(askable, BULK_SIZE):
            yield from self._people(batch)

    def _company(self, lookup: Lookup) -> Answer:
        params = {"website": lookup.domain or lookup.key, "min_likelihood": self.settings.min_likelihood}
        try:
            response = self._http.get(COMPANY_ENRICH, params)
            if response.status_code == 404:
                return miss()
            body = self._http.json(response)
        except ApiError as err:
            return failed(err)
        if not isinstance(body, dict):
            return Answer(Outcome.FAILED, detail="HTTP 200: no company record in the answer")
        return self._match(body.get("likelihood"), mapping.company_fields(body))

    def _people(self, batch: list[Lookup]) -> Iterator[tuple[str, Answer]]:
        minimum = {"min_likelihood": self.settings.min_likelihood}
        params = [{**(_person_params(lookup) or {}), **minimum} for lookup in batch]
        if len(batch) == 1:
            yield batch[0].key, self._person(params[0])
            return
        body = {"requests": [{"params": p, "metadata": {"index": i}} for i, p in enumerate(params)]}
        try:
            items = self._http.json(self._http.post(PERSON_BULK, body=body))
        except ApiError as err:
            for lookup in batch:
                yield lookup.key, failed(err)
            return
        if not isinstance(items, list) or len(items) != len(batch):
            detail = "HTTP 200: the bulk answer does not hold one item per request"
            for lookup in batch:
                yield lookup.key, Answer(Outcome.FAILED, detail=detail)
            return
        for lookup, item in zip(batch, _in_request_order(items), strict=True):
            yield lookup.key, self._bulk_item(item)

    def _person(self, params: Mapping[str, Any]) -> Answer:
        try:
            response = self._http.get(PERSON_ENRICH, params)
            if response.status_code == 404:
                return miss()
            body = self._http.json(response)
        except ApiError as err:
            return failed(err)
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            return Answer(Outcome.FAILED, detail="HTTP 200: no person record in the answer")
        return self._match(body.get("likelihood"), mapping.person_fields(body["data"]))

    def _bulk_item(self, item: Any) -> Answer:
        status = item.get("status") if isinstance(item, dict) else None
        if status == 200 and isinstance(item.get("data"), dict):
            return self._match(item.get("likelihood"), mapping.person_fields(item["data"]))
        if status == 404:
            return miss()
        said = message_from_body(item)
        detail = self._http.redact(f"HTTP {status}" + (f": {said}" if said else ""))
        if status in ERRORS.run_fatal:
            raise ProviderFatal(f"{self.name}: {detail}")
        return Answer(Outcome.FAILED, detail=detail)

    def _match(self, likelihood: Any, fields: dict[str, Any]) -> Answer:
        confidence = mapping.confidence(likelihood)
        if confidence is not None and confidence * 10 < self.settings.min_likelihood:
            return Answer(Outcome.MISS, cost=COST_PER_MATCH, detail=f"likelihood {likelihood} below the minimum")
        return Answer(Outcome.HIT, fields=fields, confidence=confidence, cost=COST_PER_MATCH)


def _person_params(lookup: Lookup) -> dict[str, Any] | None:
    """PDL's match inputs for a person: the email, else name + company (a website matches best)."""
    if lookup.email:
        return {"email": lookup.email}
    company = lookup.domain or lookup.company
    if lookup.first_name and lookup.last_name and company:
        return {"first_name": lookup.first_name, "last_name": lookup.last_name, "company": company}
    return None


def _in_request_order(items: list[Any]) -> list[Any]:
    """Bulk items placed by the index we sent as metadata (PDL echoes it); as they came when it is absent."""
    indexes = [_metadata(item).get("index") for item in items]
    if sorted(i for i in indexes if isinstance(i, int)) != list(range(len(items))):
        return items
    ordered: list[Any] = [None] * len(items)
    for index, item in zip(indexes, items, strict=True):
        if isinstance(index, int):
            ordered[index] = item
    return ordered


def _metadata(item: Any) -> dict[str, Any]:
    metadata = item.get("metadata") if isinstance(item, dict) else None
    return metadata if isinstance(metadata, dict) else {}
