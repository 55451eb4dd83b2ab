"""FakeLinkedIn: LinkedIn's versioned Marketing API for Lead Sync and reporting, and its OAuth endpoint.

`FakeLinkedIn(**json_kwargs)` is an httpx handler; serve it with
`LoopbackServer("tests.fakes.linkedin:FakeLinkedIn", **json_kwargs)`. Requests may come on any
host: `POST /oauth/v2/accessToken` is www.linkedin.com's token endpoint, `/rest/...` the API.

Order of checks for an API call: an injected fault; `Linkedin-Version` (missing → 400
VERSION_MISSING; older than `oldest_version` → 426 "Version Header is Deprecated"; newer than
`newest_version` → 400 NONEXISTENT_VERSION); `X-Restli-Protocol-Version: 2.0.0` (else 400); the
access token (401 INVALID_ACCESS_TOKEN / EXPIRED_ACCESS_TOKEN, access tokens live 60 days); the
daily limit (`daily_limit` calls per UTC day, or a queued `throttle_next`: 429 with no Retry-After
and no rate-limit headers); Rest.li parameters (400 on encoded parentheses or raw URN colons);
the account (403 unless seeded); then the resource.

Reproduced: offset paging `paging.start/count/total` (count above `max_count` → 400);
`limitedToTestLeads=false` answers real and test leads alike, test ones flagged `testLead: true`
(our choice: LinkedIn documents the flag, not whether false filters them); responses name
question ids only, resolved through `GET /rest/leadForms/{id}`; refreshing returns a new access
token, the same refresh token and a `refresh_token_expires_in` that counts down from the
member's grant (365 days), after which the grant is `invalid_grant`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Unpack

import httpx

from tests.fakes.ad_common import issued_at, refresh_grant
from tests.fakes.linkedin import restli
from tests.fakes.linkedin.state import Seeding
from tests.fakes.meta.harness import FakeTime, Harness

TOKEN_PATH = "/oauth/v2/accessToken"
ACCESS_TTL = 60 * 86400.0
REFRESH_TTL = 365 * 86400.0
SCOPES = "r_ads,r_ads_reporting,r_marketing_leadgen_automation,r_organization_admin"


class LinkedInError(Exception):
    def __init__(self, status: int, code: str, message: str, service_code: int | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.service_code = status, code, message, service_code

    def response(self) -> httpx.Response:
        body: dict[str, Any] = {"status": self.status, "code": self.code, "message": self.message}
        if self.service_code is not None:
            body["serviceErrorCode"] = self.service_code
        return httpx.Response(self.status, json=body)


class FakeLinkedIn(Harness, Seeding):
    def __init__(
        self,
        *,
        client_id: str = "86fake",
        client_secret: str = "li-client-secret",
        refresh_token: str = "AQX-li-refresh-token",
        access_token: str | None = None,
        grant_age: float = 0.0,
        oldest_version: str = "202509",
        newest_version: str = "202612",
        max_count: int = 500,
        daily_limit: int | None = None,
        **timing: Unpack[FakeTime],
    ) -> None:
        super().__init__(**timing)
        self._init_state()
        self.client_id, self.client_secret, self.refresh_token = client_id, client_secret, refresh_token
        self.granted_at = self.now() - grant_age
        self.access_tokens: dict[str, float] = {access_token: self.now()} if access_token else {}
        self.oldest_version, self.newest_version = oldest_version, newest_version
        self.max_count = max_count
        self.daily_limit = daily_limit
        self.calls_per_day: dict[str, int] = {}
        self.refreshes = 0
        self._throttles = 0

    def throttle_next(self, times: int) -> None:
        self._throttles += times

    def fault_body(self, status: int) -> Any:
        return {"status": status, "message": "Internal Server Error" if status >= 500 else "Bad request"}

    # the handler

    def _answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        try:
            if path == TOKEN_PATH and request.method == "POST":
                return self._token(request)
            if not path.startswith("/rest/") or request.method != "GET":
                raise AssertionError(f"request outside the contract: {request.method} {path}")
            self._headers(request)
            self._authenticate(request)
            self._charge()
            try:
                params = restli.query_params(request.url.query.decode())
                return httpx.Response(200, json=self._route(path, params))
            except restli.RestliSyntaxError as bad:
                raise LinkedInError(400, "ILLEGAL_ARGUMENT", f"Invalid Rest.li syntax: {bad}") from None
        except LinkedInError as error:
            return error.response()

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = refresh_grant(request)
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return httpx.Response(
                401, json={"error": "invalid_client", "error_description": "Client authentication failed"}
            )
        left = self.granted_at + REFRESH_TTL - self.now()
        if form.get("refresh_token") != self.refresh_token or left <= 0:
            return httpx.Response(
                400,
                json={
                    "error": "invalid_grant",
                    "error_description": (
                        "The provided authorization grant or refresh token is invalid, expired or revoked."
                    ),
                },
            )
        self.refreshes += 1
        token = f"AQV-fake-access-{self.refreshes:06d}"
        self.access_tokens[token] = self.now()
        return httpx.Response(
            200,
            json={
                "access_token": token,
                "expires_in": int(ACCESS_TTL),
                "refresh_token": self.refresh_token,
                "refresh_token_expires_in": int(left),
                "scope": SCOPES,
            },
        )

    def _headers(self, request: httpx.Request) -> None:
        version = request.headers.get("Linkedin-Version")
        if not version:
            raise LinkedInError(
                400,
                "VERSION_MISSING",
                "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
            )
        if not (len(version) == 6 and version.isdigit()) or version > self.newest_version:
            raise LinkedInError(400, "NONEXISTENT_VERSION", f"Requested version {version} is not active")
        if version < self.oldest_version:
            raise LinkedInError(426, "VERSION_DEPRECATED", "Version Header is Deprecated")
        if request.headers.get("X-Restli-Protocol-Version") != "2.0.0":
            raise LinkedInError(400, "ILLEGAL_ARGUMENT", "This API requires X-Restli-Protocol-Version: 2.0.0")

    def _authenticate(self, request: httpx.Request) -> None:
        issued = issued_at(request, self.access_tokens)
        if issued is None:
            raise LinkedInError(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
        if self.now() - issued >= ACCESS_TTL:
            raise LinkedInError(401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65601)

    def _charge(self) -> None:
        day = datetime.fromtimestamp(self.now(), UTC).date().isoformat()
        used = self.calls_per_day.get(day, 0)
        if self._throttles or (self.daily_limit is not None and used >= self.daily_limit):
            self._throttles = max(0, self._throttles - 1)
            raise LinkedInError(
                429,
                "TOO_MANY_REQUESTS",
                "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
                101,
            )
        self.calls_per_day[day] = used + 1

    def _route(self, path: str, params: dict[str, str]) -> Any:
        parts = path.removeprefix("/rest/").split("/")
        if parts == ["leadFormResponses"]:
            return self._responses(params)
        if parts == ["adAnalytics"]:
            return self._analytics(params)
        if len(parts) == 2 and parts[0] == "leadForms" and not params:
            form = self.forms.get(int(parts[1])) if parts[1].isdigit() else None
            if form is None:
                raise LinkedInError(404, "NOT_FOUND", f"Lead form {parts[1]} does not exist")
            self._account(form.account_id)
            return {
                "id": form.id,
                "name": form.name,
                "owner": {"sponsoredAccount": _urn(form.account_id)},
                "state": "PUBLISHED",
                "versionId": form.version,
                "creationLocale": {"language": "en", "country": "US"},
                "content": {"questions": [dict(q) for q in form.questions]},
            }
        if len(parts) == 2 and parts[0] == "adAccounts" and not params:
            account = self._account(parts[1])
            return {
                "id": int(account.id),
                "name": account.name,
                "currency": account.currency,
                "status": "ACTIVE",
                "type": "BUSINESS",
            }
        raise AssertionError(f"request outside the contract: GET {path}")

    def _account(self, account_id: str) -> Any:
        account = self.accounts.get(str(account_id))
        if account is None:
            raise LinkedInError(403, "ACCESS_DENIED", f"Not enough permissions to access: {_urn(account_id)}", 100)
        return account

    def _responses(self, params: dict[str, str]) -> dict[str, Any]:
        allowed = {"q", "owner", "leadType", "limitedToTestLeads", "submittedAtTimeRange", "start", "count"}
        if set(params) - allowed or params.get("q") != "owner":
            raise AssertionError(f"request outside the contract: leadFormResponses with {sorted(params)}")
        owner = restli.record(params.get("owner"), "owner").get("sponsoredAccount", "")
        account = self._account(str(owner).removeprefix("urn:li:sponsoredAccount:"))
        lead_type = restli.record(params.get("leadType"), "leadType").get("leadType")
        if lead_type not in ("SPONSORED", "EVENT", "COMPANY", "ORGANIZATION_PRODUCT"):
            raise LinkedInError(400, "ILLEGAL_ARGUMENT", f"Invalid leadType {lead_type!r}")
        window = restli.record(params.get("submittedAtTimeRange") or "()", "submittedAtTimeRange")
        lo, hi = int(window.get("start", 0)), int(window.get("end", 2**62))
        only_tests = params.get("limitedToTestLeads", "false") == "true"
        start, count = int(params.get("start", 0)), int(params.get("count", 10))
        if count > self.max_count or count < 1 or start < 0:
            raise LinkedInError(400, "ILLEGAL_ARGUMENT", f"count must be between 1 and {self.max_count}")
        found = [
            r
            for r in account.responses
            if lo <= r.submitted_ms <= hi and r.lead_type == lead_type and (r.test or not only_tests)
        ]
        elements = [self._render(r) for r in found[start : start + count]]
        return {"elements": elements, "paging": {"start": start, "count": count, "total": len(found), "links": []}}

    def _render(self, r: Any) -> dict[str, Any]:
        return {
            "id": r.id,
            "owner": {"sponsoredAccount": _urn(r.account_id)},
            "leadType": r.lead_type,
            "versionedLeadGenFormUrn": f"urn:li:versionedLeadGenForm:(urn:li:leadGenForm:{r.form_id},{r.form_version})",
            "submittedAt": r.submitted_ms,
            "testLead": r.test,
            "submitter": f"urn:li:person:fake{r.id[:8]}",
            "leadMetadata": {"sponsoredLeadMetadata": {"campaign": f"urn:li:sponsoredCampaign:{r.campaign_id}"}}
            if r.campaign_id
            else {},
            "associatedEntity": {"associatedCreative": f"urn:li:sponsoredCreative:{r.creative_id}"}
            if r.creative_id
            else {},
            "formResponse": {"answers": [dict(a) for a in r.answers], "consentResponses": []},
        }

    def _analytics(self, params: dict[str, str]) -> dict[str, Any]:
        allowed = {"q", "pivots", "timeGranularity", "dateRange", "accounts", "fields"}
        if set(params) - allowed or params.get("q") != "statistics":
            raise AssertionError(f"request outside the contract: adAnalytics with {sorted(params)}")
        pivots = restli.parse(params.get("pivots", "List()"))
        if pivots != ["CAMPAIGN", "CREATIVE"] or params.get("timeGranularity") != "DAILY":
            raise AssertionError("request outside the contract: adAnalytics other than CAMPAIGN,CREATIVE daily")
        span = restli.record(params.get("dateRange"), "dateRange")
        since, until = (date(int(d["year"]), int(d["month"]), int(d["day"])) for d in (span["start"], span["end"]))
        accounts = restli.parse(params.get("accounts", "List()"))
        fields = [f for f in (params.get("fields") or "").split(",") if f]
        out = []
        for urn in accounts if isinstance(accounts, list) else []:
            account = self._account(str(urn).removeprefix("urn:li:sponsoredAccount:"))
            for (day, campaign, creative), (cost, impressions, clicks) in sorted(account.analytics.items()):
                if not since <= date.fromisoformat(day) <= until:
                    continue
                when = date.fromisoformat(day)
                stamp = {"year": when.year, "month": when.month, "day": when.day}
                element = {
                    "costInLocalCurrency": f"{cost:.2f}",
                    "impressions": impressions,
                    "clicks": clicks,
                    "dateRange": {"start": stamp, "end": stamp},
                    "pivotValues": [f"urn:li:sponsoredCampaign:{campaign}", f"urn:li:sponsoredCreative:{creative}"],
                }
                out.append({k: v for k, v in element.items() if not fields or k in fields})
        return {"elements": out, "paging": {"start": 0, "count": 10, "links": []}}


def _urn(account_id: str) -> str:
    return f"urn:li:sponsoredAccount:{account_id}"
