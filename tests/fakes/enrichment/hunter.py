"""A fake Hunter API v2: email verifier and email finder.

Contract: the key as the `api_key` query parameter, else 401. The verifier answers
{"data": {"status", "score", ...}} (status one of valid, invalid, accept_all, webmail, disposable,
unknown), or 202 while a verification is still running (asking again is free); 0.5 credit per
verification, none for "unknown". The finder answers {"data": {"email", "score", "verification"}}
with a null email when it finds none; 1 credit per email found. Missing parameters are 400.
Rate limiting is 403 (Hunter's quirk); 429 means the monthly quota is used up.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.fakes.enrichment.base import FakeVendor

ERROR_IDS = {
    400: "wrong_params",
    401: "authentication_failed",
    403: "too_many_requests",
    429: "too_many_requests",
    451: "unavailable_for_legal_reasons",
}
ERROR_DETAILS = {
    401: "No user found for the API key supplied",
    403: "You have reached the rate limit for this endpoint",
    429: "You have reached your usage limit for this month",
}


class FakeHunter(FakeVendor):
    THROTTLE_STATUS = 403

    def __init__(self, api_key: str = FakeVendor.API_KEY) -> None:
        super().__init__(api_key)
        self.verifications: dict[str, dict[str, Any]] = {}  # email → data
        self.found: dict[tuple[str, str, str], dict[str, Any]] = {}  # (domain, first, last) → data
        self.running: dict[str, int] = {}  # email → how many more calls answer 202
        self.routes = {
            ("GET", "/v2/email-verifier"): self._verify,
            ("GET", "/v2/email-finder"): self._find,
        }

    def add_verification(self, email: str, status: str, score: int = 90) -> None:
        self.verifications[email.lower()] = {"email": email, "status": status, "score": score, "regexp": True}

    def still_running(self, email: str, times: int) -> None:
        """The next `times` verifications of this address answer 202 (Hunter needs more than 20 s)."""
        self.running[email.lower()] = times

    def add_found(self, domain: str, first_name: str, last_name: str, email: str, score: int = 91) -> None:
        self.found[(domain, first_name.lower(), last_name.lower())] = {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "score": score,
            "domain": domain,
            "verification": {"date": "2026-10-01", "status": "valid"},
        }

    def authorized(self, request: httpx.Request) -> bool:
        return request.url.params.get("api_key") == self.api_key

    def error_body(self, status: int) -> Any:
        details = ERROR_DETAILS.get(status, f"fake Hunter error {status}")
        return {"errors": [{"id": ERROR_IDS.get(status, "error"), "code": status, "details": details}]}

    def _verify(self, request: httpx.Request) -> httpx.Response:
        email = request.url.params.get("email")
        if not email:
            return httpx.Response(400, json=self._error(400, "You are missing the email parameter"))
        if "@" not in email:
            return httpx.Response(400, json=self._error(400, "The email parameter is not a valid email address"))
        key = email.lower()
        if self.running.get(key, 0) > 0:
            self.running[key] -= 1
            return httpx.Response(202, json={"data": None})
        data = self.verifications.get(key, {"email": email, "status": "unknown", "score": 0})
        self.charge(0 if data["status"] == "unknown" else 0.5)
        return httpx.Response(200, json={"data": data, "meta": {"params": {"email": email}}})

    def _find(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        domain, first, last = params.get("domain"), params.get("first_name"), params.get("last_name")
        if not (domain or params.get("company")):
            return httpx.Response(400, json=self._error(400, "You are missing the domain or company parameter"))
        if not ((first and last) or params.get("full_name")):
            return httpx.Response(400, json=self._error(400, "You are missing the name parameters"))
        data = self.found.get((domain or "", (first or "").lower(), (last or "").lower()))
        if data is None:
            return httpx.Response(200, json={"data": {"email": None, "score": None, "domain": domain}, "meta": {}})
        self.charge(1)
        return httpx.Response(200, json={"data": data, "meta": {}})

    def _error(self, status: int, details: str) -> dict[str, Any]:
        return {"errors": [{"id": ERROR_IDS.get(status, "error"), "code": status, "details": details}]}
