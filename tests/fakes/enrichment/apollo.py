"""A fake Apollo.io API v1: organization enrich, bulk organization enrich, bulk people match.

Contract: the key only in the x-api-key header (a key in the query or body is refused with 422, as
Apollo does), else 401. `organizations/enrich?domain=` answers {"organization": {...}}, or {} for a
domain it does not know; a missing domain is 422. `organizations/bulk_enrich?domains[]=` takes
1-10 bare domains (more → 400) and lists only the organizations found; `people/bulk_match` takes
{"details": [...]} of 1-10 (more → 400) and answers `matches` in order, null where nobody matched.
One credit per organization or person found.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.fakes.enrichment.base import FakeVendor

EXAMPLE_ORGANIZATION = {
    "id": "5e66b6381e05b4008c8331b8",
    "name": "Example Corp",
    "website_url": "http://www.example.com",
    "primary_domain": "example.com",
    "industry": "information technology & services",
    "estimated_num_employees": 1600,
    "annual_revenue": 100000000,
    "annual_revenue_printed": "100M",
    "city": "San Francisco",
    "state": "California",
    "country": "United States",
    "technology_names": ["Salesforce", "Hubspot", "Stripe"],
    "current_technologies": [{"uid": "salesforce", "name": "Salesforce", "category": "CRM"}],
    "founded_year": 2015,
    "linkedin_url": "http://www.linkedin.com/company/example",
}
EXAMPLE_PERSON = {
    "id": "64a7f0c2",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "title": "Head of Engineering",
    "seniority": "head",
    "departments": ["master_engineering_technical"],
    "linkedin_url": "http://www.linkedin.com/in/ada-lovelace",
    "organization": EXAMPLE_ORGANIZATION,
}


class FakeApollo(FakeVendor):
    def __init__(self, api_key: str = FakeVendor.API_KEY) -> None:
        super().__init__(api_key)
        self.organizations: dict[str, dict[str, Any]] = {}  # requested domain → organization
        self.people: dict[str, dict[str, Any]] = {}  # email → person
        self.routes = {
            ("GET", "/api/v1/organizations/enrich"): self._enrich,
            ("POST", "/api/v1/organizations/bulk_enrich"): self._bulk_enrich,
            ("POST", "/api/v1/people/bulk_match"): self._bulk_match,
        }

    def add_organization(self, domain: str, org: dict[str, Any] | None = None) -> None:
        self.organizations[domain] = {**EXAMPLE_ORGANIZATION, "primary_domain": domain, **(org or {})}

    def add_person(self, email: str, person: dict[str, Any] | None = None) -> None:
        self.people[email.lower()] = {**EXAMPLE_PERSON, "email": email, **(person or {})}

    def authorized(self, request: httpx.Request) -> bool:
        return request.headers.get("x-api-key") == self.api_key

    def error_body(self, status: int) -> Any:
        if status == 401:
            return {"error": "Invalid access credentials."}
        if status == 429:
            return {"message": "The maximum number of api calls allowed for this endpoint is 50 times per minute."}
        return {"error": f"fake Apollo error {status}"}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if "api_key" in request.url.params or b'"api_key"' in request.content:
            self.requests.append(request)
            return httpx.Response(422, json={"error": "API key must be passed in the X-Api-Key header"})
        return super().__call__(request)

    def _enrich(self, request: httpx.Request) -> httpx.Response:
        domain = request.url.params.get("domain")
        if not domain:
            return httpx.Response(422, json={"error": "Required parameter 'domain' missing"})
        if not _bare(domain):
            return httpx.Response(422, json={"error": f"Invalid domain: {domain}"})
        org = self.organizations.get(domain)
        if org is None:
            return httpx.Response(200, json={})
        self.charge(1)
        return httpx.Response(200, json={"organization": org})

    def _bulk_enrich(self, request: httpx.Request) -> httpx.Response:
        domains = request.url.params.get_list("domains[]")
        if not domains:
            return httpx.Response(422, json={"error": "Required parameter 'domains' missing"})
        if len(domains) > 10:
            return httpx.Response(400, json={"error": "You can enrich up to 10 domains per request"})
        if not all(_bare(d) for d in domains):
            return httpx.Response(422, json={"error": "Invalid domain in domains[]"})
        unique = list(dict.fromkeys(domains))
        found = [self.organizations[d] for d in unique if d in self.organizations]
        self.charge(len(found))
        return httpx.Response(
            200,
            json={
                "status": "success",
                "error_code": None,
                "error_message": None,
                "total_requested_domains": len(domains),
                "unique_domains": len(unique),
                "unique_enriched_records": len(found),
                "missing_records": len(unique) - len(found),
                "organizations": found,
            },
        )

    def _bulk_match(self, request: httpx.Request) -> httpx.Response:
        try:
            payload = json.loads(request.content)
        except ValueError:
            return httpx.Response(400, json={"error": "the body is not JSON"})
        details = payload.get("details") if isinstance(payload, dict) else None
        if not isinstance(details, list) or not details:
            return httpx.Response(422, json={"error": "Required parameter 'details' missing"})
        if len(details) > 10:
            return httpx.Response(400, json={"error": "You can match up to 10 people per request"})
        matches = [self.people.get(str(d.get("email") or "").lower()) if isinstance(d, dict) else None for d in details]
        found = sum(m is not None for m in matches)
        self.charge(found)
        return httpx.Response(
            200,
            json={
                "status": "success",
                "error_code": None,
                "total_requested_enrichments": len(details),
                "unique_enriched_records": found,
                "missing_records": len(details) - found,
                "credits_consumed": found,
                "matches": matches,
            },
        )


def _bare(domain: str) -> bool:
    """Apollo wants a bare domain: no scheme, no www., no @, no path."""
    return "://" not in domain and "@" not in domain and "/" not in domain and not domain.startswith("www.")
