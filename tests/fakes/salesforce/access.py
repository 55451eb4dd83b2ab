"""Sessions (OAuth refresh-token flow) and the daily API request allocation.

Documented behaviour reproduced:
- `POST /services/oauth2/token` with form fields grant_type=refresh_token, client_id,
  client_secret, refresh_token → `{"access_token", "instance_url", "id", "token_type": "Bearer",
  "issued_at", "signature", "scope"}` and no `expires_in`; `issued_at` is epoch milliseconds as a
  string and `signature` is Base64(HMAC-SHA256(client_secret, id + issued_at)), as documented.
  With refresh-token rotation on, the answer carries a new `refresh_token` and the old one answers
  400 invalid_grant "expired access/refresh token". Errors: invalid_client_id, invalid_client,
  unsupported_grant_type, invalid_grant.
- An access token stops working after the session timeout: 401 INVALID_SESSION_ID "Session
  expired or invalid". Earlier tokens stay valid until their own timeout after a refresh.
- Every REST response carries `Sforce-Limit-Info: api-usage=<used>/<limit>`; at the limit calls
  answer 403 REQUEST_LIMIT_EXCEEDED without Retry-After until the rolling 24 h window drops.

Choices: the timeout counts from issue (real orgs count inactivity; a connector that survives this
survives both). Calls refused with 401, 403 or an injected fault do not count against the
allocation; OAuth calls never do. `used_at_start` counts as made when the fake starts, so it
leaves the window 24 h later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import deque
from typing import Any
from urllib.parse import parse_qs

import httpx

from tests.fakes.salesforce.schema import INTEGRATION_USER_ID, ORG_ID

WINDOW_SECONDS = 86_400.0


def oauth_error(error: str, description: str, status: int = 400) -> httpx.Response:
    return httpx.Response(status, json={"error": error, "error_description": description})


class Sessions:
    def __init__(self, client_id: str, client_secret: str, refresh_token: str, access_token: str,
                 timeout: float, rotate: bool, now: float) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.refresh_token, self.rotate, self.timeout = refresh_token, rotate, float(timeout)
        self.tokens: dict[str, float] = {access_token: now}
        self.issued = 0
        self.refreshes = 0

    def valid(self, request: httpx.Request, now: float) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or not token:
            return False
        issued_at = self.tokens.get(token.strip())
        return issued_at is not None and now - issued_at < self.timeout

    def expire_all(self) -> None:
        self.tokens = dict.fromkeys(self.tokens, float("-inf"))

    def token(self, request: httpx.Request, now: float, instance_url: str) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "refresh_token":
            if form.get("grant_type") in ("password", "authorization_code", "client_credentials",
                                          "urn:ietf:params:oauth:grant-type:jwt-bearer"):
                raise AssertionError(f"request outside the contract: OAuth grant_type {form['grant_type']}")
            return oauth_error("unsupported_grant_type", "grant type not supported")
        if form.get("client_id") != self.client_id:
            return oauth_error("invalid_client_id", "client identifier invalid")
        if form.get("client_secret") != self.client_secret:
            return oauth_error("invalid_client", "invalid client credentials")
        if form.get("refresh_token") != self.refresh_token:
            return oauth_error("invalid_grant", "expired access/refresh token")
        self.issued += 1
        self.refreshes += 1
        access = f"00D5g0000000001!AQ{self.issued:06d}fake.session.{self.issued}"
        self.tokens[access] = now
        identity = f"https://login.salesforce.com/id/{ORG_ID}/{INTEGRATION_USER_ID}"
        issued_at = str(int(now * 1000))
        digest = hmac.new(self.client_secret.encode(), (identity + issued_at).encode(), hashlib.sha256).digest()
        body: dict[str, Any] = {
            "access_token": access, "instance_url": instance_url, "id": identity, "token_type": "Bearer",
            "issued_at": issued_at, "signature": base64.b64encode(digest).decode(), "scope": "api refresh_token",
        }
        if self.rotate:
            self.refresh_token = f"5Aep861fake.rotated.{self.issued:06d}"
            body["refresh_token"] = self.refresh_token
        return httpx.Response(200, json=body)


class Quota:
    """The org's rolling 24-hour API request allocation."""

    def __init__(self, limit: int, used_at_start: int, now: float) -> None:
        self.limit = int(limit)
        self.start_used = int(used_at_start)
        self.started = now
        self.calls: deque[float] = deque()

    def used(self, now: float) -> int:
        while self.calls and now - self.calls[0] >= WINDOW_SECONDS:
            self.calls.popleft()
        carried = self.start_used if now - self.started < WINDOW_SECONDS else 0
        return carried + len(self.calls)

    def exhausted(self, now: float) -> bool:
        return self.used(now) >= self.limit

    def charge(self, now: float) -> None:
        self.calls.append(now)

    def header(self, now: float) -> str:
        return f"api-usage={self.used(now)}/{self.limit}"
