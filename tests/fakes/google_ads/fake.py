"""FakeGoogleAds: the Google Ads REST search service and Google's OAuth token endpoint.

`FakeGoogleAds(**json_kwargs)` is an httpx handler; serve it with
`LoopbackServer("tests.fakes.google_ads:FakeGoogleAds", **json_kwargs)`. Requests may come on
any host: `POST /token` is the OAuth endpoint (oauth2.googleapis.com), everything under
`/vNN/customers/{id}/` the API.

Order of checks for an API call: an injected fault; the version (not served → 404); the access
token (401 UNAUTHENTICATED, OAUTH_TOKEN_INVALID / OAUTH_TOKEN_EXPIRED); `developer-token` (401,
DEVELOPER_TOKEN_PARAMETER_MISSING / DEVELOPER_TOKEN_INVALID); `login-customer-id` (digits only,
else 400 INVALID_LOGIN_CUSTOMER_ID; an account under a manager is readable only through its
manager: 403 USER_PERMISSION_DENIED); quota (a queued `throttle_next`, or the daily operations of
`daily_operations`: 429 with QuotaError and `retryDelay`); the body (`pageSize` → 400
PAGE_SIZE_NOT_SUPPORTED; unknown keys → 400 without a GoogleAdsFailure, as the JSON layer
answers); the query; then the page. A query counts as one operation however many pages it has.

Pages hold `rows_per_page` rows (Google's fixed 10,000 by default) and carry `nextPageToken`
except the last; a page token only works with the query it came from (400 INVALID_PAGE_TOKEN).
`searchStream` answers one JSON array of such batches. Refresh tokens may die after
`refresh_token_ttl` seconds (an app whose consent screen is in "Testing": 7 days): `invalid_grant`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime, timedelta
from typing import Any, Unpack
from zoneinfo import ZoneInfo

import httpx

from tests.fakes.ad_common import issued_at, refresh_grant
from tests.fakes.google_ads import resources
from tests.fakes.google_ads.errors import AdsError, bare, fault_body, oauth_error, quota, request_id
from tests.fakes.google_ads.gaql import QueryError, parse
from tests.fakes.google_ads.state import Seeding
from tests.fakes.meta.harness import FakeTime, Harness

API_PATH = re.compile(r"^/(v[0-9]+)/customers/([0-9]+)/googleAds:(search|searchStream)$")
BODY_KEYS = frozenset({"query", "pageToken", "validateOnly"})
TOKEN_TTL = 3600.0


class FakeGoogleAds(Harness, Seeding):
    def __init__(
        self,
        *,
        client_id: str = "fake-client.apps.googleusercontent.com",
        client_secret: str = "gcs-secret",
        refresh_token: str = "1//0g-refresh",
        developer_token: str = "dev-token-secret",
        versions: list[str] | None = None,
        rows_per_page: int = 10_000,
        refresh_token_ttl: float | None = None,
        daily_operations: int | None = None,
        **timing: Unpack[FakeTime],
    ) -> None:
        super().__init__(**timing)
        self._init_state()
        self.client_id, self.client_secret, self.refresh_token = client_id, client_secret, refresh_token
        self.developer_token = developer_token
        self.versions = list(versions or ["v24", "v25", "v26"])
        self.rows_per_page = rows_per_page
        self.refresh_expires_at = self.now() + refresh_token_ttl if refresh_token_ttl is not None else None
        self.daily_operations = daily_operations
        self.operations: dict[str, int] = {}  # Pacific day → operations
        self.access_tokens: dict[str, float] = {}
        self.refreshes = 0
        self._throttles: list[tuple[str, str]] = []

    # what tests call, beyond seeding

    def throttle_next(
        self, times: int, retry_delay: str = "0.05s", kind: str = "RESOURCE_TEMPORARILY_EXHAUSTED"
    ) -> None:
        self._throttles += [(kind, retry_delay)] * times

    def operations_today(self) -> int:
        return self.operations.get(self._pacific_day(), 0)

    def fault_body(self, status: int) -> Any:
        return fault_body(status)

    # the handler

    def _answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/token":
            if request.method != "POST":
                raise AssertionError(f"request outside the contract: {request.method} {path}")
            return self._token(request)
        match = API_PATH.match(path)
        if match is None or request.method != "POST":
            raise AssertionError(f"request outside the contract: {request.method} {path}")
        version, customer_id, method = match.groups()
        if version not in self.versions:
            return bare(404, f"Version {version} is not served; use one of {', '.join(self.versions)}.")
        try:
            return self._search(request, version, customer_id, method == "searchStream")
        except AdsError as error:
            error.version = version
            return error.response()

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = refresh_grant(request)
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return oauth_error("invalid_client", "The OAuth client was not found.", 401)
        expired = self.refresh_expires_at is not None and self.now() >= self.refresh_expires_at
        if form.get("refresh_token") != self.refresh_token or expired:
            return oauth_error("invalid_grant", "Token has been expired or revoked.")
        self.refreshes += 1
        token = f"ya29.fake-access-{self.refreshes:06d}"
        self.access_tokens[token] = self.now()
        return httpx.Response(
            200,
            json={
                "access_token": token,
                "expires_in": 3599,
                "token_type": "Bearer",
                "scope": "https://www.googleapis.com/auth/adwords",
            },
        )

    def _search(self, request: httpx.Request, version: str, customer_id: str, stream: bool) -> httpx.Response:
        self._authenticate(request)
        customer = self._customer(request, customer_id)
        try:
            body = json.loads(request.content or b"null")
        except ValueError:
            return bare(400, "Invalid JSON payload received.")
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return bare(400, "Invalid JSON payload received. Required field 'query' is missing.")
        if "pageSize" in body:
            raise AdsError(
                400,
                "requestError",
                "PAGE_SIZE_NOT_SUPPORTED",
                "Setting the page size is not supported. Search Responses will have fixed page size of '10000' rows.",
            )
        unknown = set(body) - BODY_KEYS
        if unknown:
            return bare(400, f'Invalid JSON payload received. Unknown name "{sorted(unknown)[0]}": Cannot find field.')
        try:
            query = parse(body["query"])
            found = resources.rows(query, customer, self.now())
        except QueryError as error:
            raise AdsError(400, "queryError", error.code, str(error)) from None
        digest = hashlib.sha256(body["query"].encode()).hexdigest()[:16]
        offset = self._offset(body.get("pageToken"), digest)
        if offset == 0:
            self._charge()
        rid = request_id()
        if stream:
            batches = [
                self._page(query, customer, found, start, digest, rid, stream=True)
                for start in range(0, max(len(found), 1), self.rows_per_page)
            ]
            return httpx.Response(200, json=batches, headers={"request-id": rid})
        return httpx.Response(
            200, json=self._page(query, customer, found, offset, digest, rid), headers={"request-id": rid}
        )

    def _page(
        self, query: Any, customer: Any, found: list[Any], offset: int, digest: str, rid: str, stream: bool = False
    ) -> dict[str, Any]:
        chosen = found[offset : offset + self.rows_per_page]
        page: dict[str, Any] = {
            "results": [resources.render(query, customer, r) for r in chosen],
            "fieldMask": resources.field_mask(query),
            "requestId": rid,
        }
        if not page["results"]:
            del page["results"]
        if not stream and offset + self.rows_per_page < len(found):
            page["nextPageToken"] = base64.urlsafe_b64encode(
                f"{digest}:{offset + self.rows_per_page}".encode()
            ).decode()
        return page

    def _offset(self, token: Any, digest: str) -> int:
        if not token:
            return 0
        try:
            made_for, _, offset = base64.urlsafe_b64decode(str(token)).decode().partition(":")
            if made_for == digest and offset.isdigit():
                return int(offset)
        except ValueError:
            pass
        raise AdsError(400, "requestError", "INVALID_PAGE_TOKEN", "Page token is invalid or does not match the query.")

    def _authenticate(self, request: httpx.Request) -> None:
        issued = issued_at(request, self.access_tokens)
        if issued is None:
            raise AdsError(401, "authenticationError", "OAUTH_TOKEN_INVALID", "Oauth token is invalid.")
        if self.now() - issued >= TOKEN_TTL:
            raise AdsError(401, "authenticationError", "OAUTH_TOKEN_EXPIRED", "Oauth token is expired.")
        developer = request.headers.get("developer-token")
        if not developer:
            raise AdsError(
                401, "authenticationError", "DEVELOPER_TOKEN_PARAMETER_MISSING", "Developer token parameter is missing."
            )
        if developer != self.developer_token:
            raise AdsError(401, "authenticationError", "DEVELOPER_TOKEN_INVALID", "The developer token is not valid.")

    def _customer(self, request: httpx.Request, customer_id: str) -> Any:
        login = request.headers.get("login-customer-id")
        if login is not None and not login.isdigit():
            raise AdsError(
                400,
                "headerError",
                "INVALID_LOGIN_CUSTOMER_ID",
                "The login customer ID could not be validated: digits only, without dashes.",
            )
        customer = self.customers.get(customer_id)
        through = login or customer_id
        if (
            customer is None
            or (customer.manager_id is not None and through != customer.manager_id)
            or (customer.manager_id is None and through != customer_id)
        ):
            raise AdsError(
                403,
                "authorizationError",
                "USER_PERMISSION_DENIED",
                "User doesn't have permission to access customer. Note: If you're accessing a client "
                "customer, the manager's customer id must be set in the 'login-customer-id' header.",
            )
        return customer

    def _charge(self) -> None:
        if self._throttles:
            kind, delay = self._throttles.pop(0)
            raise quota(kind, delay)
        day = self._pacific_day()
        if self.daily_operations is not None and self.operations.get(day, 0) >= self.daily_operations:
            raise quota("RESOURCE_EXHAUSTED", f"{self._seconds_to_pacific_midnight()}s")
        self.operations[day] = self.operations.get(day, 0) + 1

    def _pacific_day(self) -> str:
        return datetime.fromtimestamp(self.now(), ZoneInfo("America/Los_Angeles")).date().isoformat()

    def _seconds_to_pacific_midnight(self) -> int:
        now = datetime.fromtimestamp(self.now(), ZoneInfo("America/Los_Angeles"))
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
        return int((midnight - now).total_seconds()) + 1
