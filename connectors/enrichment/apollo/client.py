"""ApolloProvider: Apollo organization enrichment by domain and people matching.

Organizations go through `POST /organizations/bulk_enrich` ten at a time (a lone domain through
`GET /organizations/enrich`). The bulk answer lists the organizations it found, not per input, so
answers are matched back on each organization's primary domain. When one domain fails a bulk call
(Apollo refuses the whole call), the ten are asked again one by one so only the bad one fails.
People go through `POST /people/bulk_match`, whose `matches` follow the order of `details`, with
null where nobody matched. No personal email or phone is asked for (a phone costs 8 credits more).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import httpx

from connectors.enrichment.apollo import mapping
from connectors.enrichment.apollo.settings import (
    API_KEY_HEADER,
    BULK_SIZE,
    BULK_TOKENS,
    COST_PER_MATCH,
    ERRORS,
    ORGANIZATION_BULK,
    ORGANIZATION_ENRICH,
    PEOPLE_BULK,
)
from connectors.enrichment.base import Answer, Lookup, LookupKind, Outcome
from connectors.enrichment.vendor_http import VendorHttp, batches, failed, gather, miss, unique
from connectors.http.auth import ApiKeyHeader
from connectors.http.errors import ApiError, FatalError
from connectors.http.ratelimit import RateLimiter
from leads.config import ApolloProviderConfig

COMPANY_FIELDS = frozenset(
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
NO_PERSON_INPUT = "needs an email, or a first and last name with a domain or company"
OTHER_DOMAIN = "Apollo answered with an organization under another domain; not matched"


class ApolloProvider:
    kinds: frozenset[LookupKind] = frozenset({"company", "person"})
    fields: frozenset[str] = COMPANY_FIELDS | {"seniority", "department"}

    def __init__(
        self,
        name: str,
        settings: ApolloProviderConfig,
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
        companies: list[Lookup] = []
        people: list[Lookup] = []
        for lookup in lookups:
            if lookup.kind == "company":
                companies.append(lookup)
            elif lookup.kind == "person" and _person_details(lookup) is not None:
                people.append(lookup)
            elif lookup.kind == "person":
                yield lookup.key, miss(NO_PERSON_INPUT)
            else:
                yield lookup.key, miss(f"Apollo answers no {lookup.kind} lookups")
        for batch in batches(companies, BULK_SIZE):
            yield from self._organizations(batch)
        for batch in batches(people, BULK_SIZE):
            yield from self._people(batch)

    def _organization(self, lookup: Lookup) -> Answer:
        try:
            response = self._http.get(ORGANIZATION_ENRICH, {"domain": _domain(lookup)})
            body = self._http.json(response) if response.status_code != 404 else {}
        except ApiError as err:
            return failed(err)
        org = body.get("organization") if isinstance(body, dict) else None
        return _hit(org) if isinstance(org, dict) and org else miss()

    def _organizations(self, batch: list[Lookup]) -> Iterator[tuple[str, Answer]]:
        if len(batch) == 1:
            yield batch[0].key, self._organization(batch[0])
            return
        params = [("domains[]", _domain(lookup)) for lookup in batch]
        try:
            body = self._http.json(self._http.post(ORGANIZATION_BULK, params=params, tokens=BULK_TOKENS))
        except FatalError:
            for lookup in batch:  # one bad domain fails the call: find out which
                yield lookup.key, self._organization(lookup)
            return
        except ApiError as err:
            for lookup in batch:
                yield lookup.key, failed(err)
            return
        found = body.get("organizations") if isinstance(body, dict) else None
        orgs = [org for org in found or [] if isinstance(org, dict) and org]
        yield from _match_organizations(batch, orgs)

    def _people(self, batch: list[Lookup]) -> Iterator[tuple[str, Answer]]:
        body = {
            "details": [_person_details(lookup) for lookup in batch],
            "reveal_personal_emails": False,
            "reveal_phone_number": False,
        }
        try:
            answer = self._http.json(self._http.post(PEOPLE_BULK, body=body, tokens=BULK_TOKENS))
        except ApiError as err:
            for lookup in batch:
                yield lookup.key, failed(err)
            return
        matches = answer.get("matches") if isinstance(answer, dict) else None
        if not isinstance(matches, list) or len(matches) != len(batch):
            for lookup in batch:
                yield lookup.key, Answer(Outcome.FAILED, detail="HTTP 200: matches do not follow the details sent")
            return
        for lookup, person in zip(batch, matches, strict=True):
            if isinstance(person, dict) and person:
                yield lookup.key, Answer(Outcome.HIT, fields=mapping.person_fields(person), cost=COST_PER_MATCH)
            else:
                yield lookup.key, miss()


def _match_organizations(batch: list[Lookup], orgs: list[dict[str, Any]]) -> Iterator[tuple[str, Answer]]:
    """Answers for a bulk call, matched on primary domain.

    Apollo charges for every organization it returns. One left over beside one unanswered domain is
    the same company under its primary domain (a redirect, say); others left over are charged to
    the unanswered domains as misses, so the spend adds up.
    """
    by_domain = {mapping.primary_domain(org): org for org in orgs}
    matched = {_domain(lookup) for lookup in batch} & set(by_domain)
    spare = [org for domain, org in by_domain.items() if domain not in matched]
    unanswered = [lookup for lookup in batch if _domain(lookup) not in matched]
    if len(spare) == len(unanswered) == 1:
        by_domain[_domain(unanswered[0])] = spare.pop()
        unanswered = []
    for lookup in batch:
        org = by_domain.get(_domain(lookup))
        if org is not None:
            yield lookup.key, _hit(org)
        elif spare:
            spare.pop()
            yield lookup.key, Answer(Outcome.MISS, cost=COST_PER_MATCH, detail=OTHER_DOMAIN)
        else:
            yield lookup.key, miss()


def _hit(org: dict[str, Any]) -> Answer:
    return Answer(Outcome.HIT, fields=mapping.organization_fields(org), cost=COST_PER_MATCH)


def _domain(lookup: Lookup) -> str:
    """A bare domain, as Apollo wants it: no scheme, no www., no @."""
    domain = (lookup.domain or lookup.key).strip().lower()
    return domain.rsplit("@", 1)[-1].removeprefix("www.")


def _person_details(lookup: Lookup) -> dict[str, Any] | None:
    if lookup.email:
        return {"email": lookup.email}
    if lookup.first_name and lookup.last_name and (lookup.domain or lookup.company):
        details = {"first_name": lookup.first_name, "last_name": lookup.last_name}
        return details | ({"domain": lookup.domain} if lookup.domain else {"organization_name": lookup.company})
    return None
