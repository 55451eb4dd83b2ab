"""A fake Clearbit Company API v2: `GET /v2/companies/find?domain=`.

Contract: the secret key as a Bearer token (or as the Basic-auth username), else 401. 200 with the
company record (1 credit), 404 for a domain Clearbit does not know, 202 while a lookup is queued
(free; ask again later), 422 for a missing or malformed domain.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx

from tests.fakes.enrichment.base import FakeVendor, bare_domain

ERROR_TYPES = {401: "auth_required", 402: "over_quota", 404: "unknown_record", 422: "invalid_domain", 429: "rate_limit"}

EXAMPLE_COMPANY = {
    "name": "Example",
    "legalName": "Example Inc",
    "domain": "example.com",
    "category": {"sector": "Information Technology", "industry": "Internet Software & Services"},
    "metrics": {"employees": 84, "employeesRange": "51-250", "estimatedAnnualRevenue": "$10M-$50M"},
    "geo": {"city": "San Francisco", "country": "United States", "countryCode": "US"},
    "tech": ["google_apps", "salesforce"],
    "foundedYear": 2015,
    "linkedin": {"handle": "company/example"},
    "type": "private",
}


class FakeClearbit(FakeVendor):
    def __init__(self, api_key: str = FakeVendor.API_KEY) -> None:
        super().__init__(api_key)
        self.companies: dict[str, dict[str, Any]] = {}
        self.queued: dict[str, int] = {}  # domain → how many more calls answer 202
        self.routes = {("GET", "/v2/companies/find"): self._find}

    def add_company(self, domain: str, record: dict[str, Any] | None = None) -> None:
        self.companies[domain] = {**EXAMPLE_COMPANY, "domain": domain, **(record or {})}

    def queue(self, domain: str, times: int) -> None:
        """The next `times` lookups of this domain answer 202 (Clearbit is looking it up)."""
        self.queued[domain] = times

    def authorized(self, request: httpx.Request) -> bool:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme == "Bearer":
            return value == self.api_key
        if scheme == "Basic":
            return base64.b64decode(value).decode().partition(":")[0] == self.api_key
        return False

    def error_body(self, status: int) -> Any:
        kind = ERROR_TYPES.get(status, "api_error")
        return {"error": {"type": kind, "message": f"fake Clearbit says {kind}"}}

    def _find(self, request: httpx.Request) -> httpx.Response:
        domain = request.url.params.get("domain")
        if not domain or "." not in domain or bare_domain(domain) != domain:
            return httpx.Response(422, json=self.error_body(422))
        if self.queued.get(domain, 0) > 0:
            self.queued[domain] -= 1
            return httpx.Response(202, json={"error": {"type": "queued", "message": "Lookup queued, retry later"}})
        record = self.companies.get(domain)
        if record is None:
            return httpx.Response(404, json={"error": {"type": "unknown_record", "message": "Unknown company."}})
        self.charge(1)
        return httpx.Response(200, json=record)
