"""A fake People Data Labs v5 API: company enrich, person enrich, person bulk.

Contract: X-Api-Key header (or api_key query parameter), else 401. 200 with the record and a
`likelihood` when matched at or above `min_likelihood`, else 404 (free). Company records at the
top level, person records under `data`. Bulk takes {"requests": [{"params": {...}, "metadata"}]},
1-100 of them, else 400; it answers an array in request order, each item with its own status and
the metadata echoed; only 200 items are charged. 402 once `credit_limit` is spent.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.fakes.enrichment.base import FakeVendor, bare_domain

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "payment_required",
    404: "not_found",
    405: "invalid_request_error",
    429: "rate_limit_error",
}
COMPANY_KEYS = ("website", "profile", "name", "ticker", "pdl_id")

EXAMPLE_COMPANY = {
    "name": "example corp",
    "display_name": "Example Corp",
    "website": "example.com",
    "size": "51-200",
    "employee_count": 84,
    "inferred_revenue": "$50M-$100M",
    "industry": "computer software",
    "founded": 2015,
    "linkedin_url": "linkedin.com/company/example-corp",
    "location": {"locality": "san francisco", "country": "united states", "continent": "north america"},
}
EXAMPLE_PERSON = {
    "full_name": "ada lovelace",
    "linkedin_url": "linkedin.com/in/ada-lovelace",
    "job_title": "vp engineering",
    "job_title_role": "engineering",
    "job_title_class": "research_and_development",
    "job_title_levels": ["vp"],
    "job_company_name": "example corp",
    "job_company_website": "example.com",
    "job_company_size": "51-200",
    "job_company_industry": "computer software",
    "job_company_founded": 2015,
    "job_company_location_country": "united states",
}


class FakePdl(FakeVendor):
    def __init__(self, api_key: str = FakeVendor.API_KEY, credit_limit: float | None = None) -> None:
        super().__init__(api_key)
        self.companies: dict[str, tuple[dict[str, Any], int]] = {}  # website → (record, likelihood)
        self.people: dict[str, tuple[dict[str, Any], int]] = {}  # email → (data, likelihood)
        self.credit_limit = credit_limit
        self.routes = {
            ("GET", "/v5/company/enrich"): self._company,
            ("GET", "/v5/person/enrich"): self._person,
            ("POST", "/v5/person/bulk"): self._bulk,
        }

    def add_company(self, website: str, record: dict[str, Any] | None = None, likelihood: int = 8) -> None:
        self.companies[bare_domain(website)] = ({**EXAMPLE_COMPANY, "website": website, **(record or {})}, likelihood)

    def add_person(self, email: str, data: dict[str, Any] | None = None, likelihood: int = 8) -> None:
        self.people[email.lower()] = ({**EXAMPLE_PERSON, **(data or {})}, likelihood)

    def authorized(self, request: httpx.Request) -> bool:
        return self.api_key in (request.headers.get("X-Api-Key"), request.url.params.get("api_key"))

    def error_body(self, status: int) -> Any:
        kind = ERROR_TYPES.get(status, "api_error")
        return {"status": status, "error": {"type": kind, "message": f"fake PDL says {kind}"}}

    # routes
    def _company(self, request: httpx.Request) -> httpx.Response:
        status, body = self._company_answer(dict(request.url.params))
        return self._respond(status, body)

    def _person(self, request: httpx.Request) -> httpx.Response:
        status, body = self._person_answer(dict(request.url.params))
        return self._respond(status, body)

    def _bulk(self, request: httpx.Request) -> httpx.Response:
        try:
            payload = json.loads(request.content)
        except ValueError:
            return self._respond(400, self._error(400, "the body is not JSON"))
        requests = payload.get("requests") if isinstance(payload, dict) else None
        if not isinstance(requests, list) or not 1 <= len(requests) <= 100:
            return self._respond(400, self._error(400, "requests must hold 1 to 100 request objects"))
        if not all(isinstance(r, dict) and isinstance(r.get("params"), dict) for r in requests):
            return self._respond(400, self._error(400, "every request needs a params object"))
        items = []
        for entry in requests:
            status, body = self._person_answer(entry["params"])
            item = {**body, "status": status}
            if "metadata" in entry:
                item["metadata"] = entry["metadata"]
            items.append(item)
        return httpx.Response(200, json=items)

    # answers
    def _company_answer(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if not any(params.get(key) for key in COMPANY_KEYS):
            return 400, self._error(400, "one of website, profile, name, ticker or pdl_id is required")
        minimum = self._min_likelihood(params)
        if minimum is None:
            return 400, self._error(400, "min_likelihood must be an integer from 1 to 10")
        found = self.companies.get(bare_domain(str(params.get("website") or "")))
        if found is None or found[1] < minimum:
            return 404, self._error(404, "No records were found matching your request")
        if self._out_of_credits():
            return 402, self._error(402, "You have hit your account maximum")
        self.charge(1)
        record, likelihood = found
        return 200, {"status": 200, "likelihood": likelihood, **record}

    def _person_answer(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        by_name = params.get("first_name") and params.get("last_name") and params.get("company")
        if not (params.get("email") or params.get("profile") or by_name):
            return 400, self._error(400, "not enough parameters to match a person")
        minimum = self._min_likelihood(params)
        if minimum is None:
            return 400, self._error(400, "min_likelihood must be an integer from 1 to 10")
        found = self.people.get(str(params.get("email") or "").lower())
        if found is None or found[1] < minimum:
            return 404, self._error(404, "No records were found matching your request")
        if self._out_of_credits():
            return 402, self._error(402, "You have hit your account maximum")
        self.charge(1)
        data, likelihood = found
        return 200, {"status": 200, "likelihood": likelihood, "data": data}

    def _min_likelihood(self, params: dict[str, Any]) -> int | None:
        raw = params.get("min_likelihood", 1)
        try:
            value = int(raw)
        except (TypeError, ValueError):
            return None
        return value if 1 <= value <= 10 else None

    def _out_of_credits(self) -> bool:
        return self.credit_limit is not None and self.credits + 1 > self.credit_limit

    def _error(self, status: int, message: str) -> dict[str, Any]:
        return {"status": status, "error": {"type": ERROR_TYPES.get(status, "api_error"), "message": message}}

    def _respond(self, status: int, body: dict[str, Any]) -> httpx.Response:
        headers = {"x-call-credits-spent": "1" if status == 200 else "0"}
        return httpx.Response(status, json=body, headers=headers)
