"""OAuth2 credentials that renew themselves, as `httpx.Auth` classes.

`RefreshingToken` (HubSpot): the token endpoint says how long an access token lives
(`expires_in`, 1,800 s at HubSpot); a new one is fetched `margin` seconds before that. HubSpot says
a 401 is not a signal to refresh, so this class never refreshes on one: an expired token can only
mean a wrong clock or a revoked app, and the 401 is reported.

`SalesforceSession`: Salesforce sends no `expires_in`; a session lasts as long as the org's session
timeout and shows its end as 401 INVALID_SESSION_ID. The request is then sent again once with a new
session. With refresh-token rotation on, each refresh hands out a new refresh token and kills the
old one: `on_rotate` is called with it (it writes the token back to its Prefect Secret block)
before anything else happens.

Both refresh under a lock, so threads sharing a client never refresh twice (with rotation the
second refresh would present a dead token), and both keep every secret in SecretStr.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Generator
from typing import Any

import httpx
from pydantic import SecretStr

from connectors.http.errors import DEFAULT_POLICY, ErrorKind, FatalError, error_for_response, message_from_body, redact


class TokenRefused(FatalError):
    """The token endpoint refused our credentials (revoked app, dead refresh token)."""


def _token_error(response: httpx.Response, secrets: tuple[str, ...]) -> TokenRefused:
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    said = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        said = ": ".join(str(p) for p in (body.get("error"), body.get("error_description")) if p)
    said = said or message_from_body(body) or response.reason_phrase
    detail = redact(f"token refresh refused (HTTP {response.status_code}: {said})", secrets)
    return TokenRefused(
        f"{detail}; the refresh token or client credentials are no longer valid: authorize the app again",
        detail=detail,
        status=response.status_code,
        run_fatal=True,
    )


class _Refresher:
    """The refresh-token grant, shared by both auth classes."""

    def __init__(self, token_url: str, client_id: str, client_secret: SecretStr, refresh_token: SecretStr) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.lock = threading.Lock()
        self.access: SecretStr | None = None

    def request(self) -> httpx.Request:
        form = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "client_secret": self.client_secret.get_secret_value(),
            "refresh_token": self.refresh_token.get_secret_value(),
        }
        return httpx.Request("POST", self.token_url, data=form, headers={"Accept": "application/json"})

    def accept(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code >= 500 or response.status_code in (408, 425, 429):
            # The token endpoint is down or busy: worth another try (the Retrier around the call
            # that needed the token retries RetriableError), not a verdict on our credentials.
            kind = ErrorKind.RETRIABLE
            raise error_for_response(response, kind, DEFAULT_POLICY, now=time.time(), secrets=self.secrets())
        if response.status_code != 200:
            raise _token_error(response, self.secrets())
        body = response.json()
        self.access = SecretStr(str(body["access_token"]))
        return body

    def secrets(self) -> tuple[str, ...]:
        values = [self.client_secret, self.refresh_token, self.access]
        return tuple(v.get_secret_value() for v in values if v is not None)


class RefreshingToken(httpx.Auth):
    """Bearer tokens from a refresh token, renewed `margin` seconds before `expires_in` runs out."""

    requires_response_body = True

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: SecretStr,
        refresh_token: SecretStr,
        *,
        margin: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._refresher = _Refresher(token_url, client_id, client_secret, refresh_token)
        self.margin = margin
        self.clock = clock
        self.expires_at = 0.0
        self.refreshes = 0

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        r = self._refresher
        with r.lock:
            if r.access is None or self.clock() >= self.expires_at - self.margin:
                response = yield r.request()
                body = r.accept(response)
                self.expires_at = self.clock() + float(body.get("expires_in") or 0)
                if body.get("refresh_token"):  # HubSpot's stay valid, but take a new one if sent
                    r.refresh_token = SecretStr(str(body["refresh_token"]))
                self.refreshes += 1
            token = r.access.get_secret_value() if r.access else ""
        request.headers["Authorization"] = f"Bearer {token}"
        yield request

    def secrets(self) -> tuple[str, ...]:
        return self._refresher.secrets()

    def __repr__(self) -> str:
        return "RefreshingToken(client_secret=SecretStr('**********'), refresh_token=SecretStr('**********'))"


class SalesforceSession(httpx.Auth):
    """A Salesforce session from the refresh-token flow, renewed on 401 INVALID_SESSION_ID."""

    requires_response_body = True

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: SecretStr,
        refresh_token: SecretStr,
        *,
        on_rotate: Callable[[SecretStr], None] | None = None,
    ) -> None:
        self._refresher = _Refresher(token_url, client_id, client_secret, refresh_token)
        self.on_rotate = on_rotate
        self.instance_url: str | None = None
        self.user_id: str | None = None  # the integration user the session acts as (from the identity URL)
        self.refreshes = 0

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        r = self._refresher
        with r.lock:
            if r.access is None:
                yield from self._refresh()
            used = r.access
        self._sign(request)
        response = yield request
        if response.status_code != 401 or not _session_expired(response):
            return
        with r.lock:
            if r.access == used:  # no other thread has renewed it meanwhile
                yield from self._refresh()
        self._sign(request)
        yield request

    def login(self, client: httpx.Client) -> str:
        """Open a session now (before the first data call) and return the instance URL."""
        r = self._refresher
        with r.lock:
            flow = self._refresh()
            request = next(flow)
            with contextlib.suppress(StopIteration):
                flow.send(client.send(request, auth=None))
        assert self.instance_url is not None
        return self.instance_url

    def _refresh(self) -> Generator[httpx.Request, httpx.Response, None]:
        r = self._refresher
        response = yield r.request()
        response.read()
        body = r.accept(response)
        self.instance_url = str(body.get("instance_url") or self.instance_url or "") or None
        if body.get("id"):  # https://login.salesforce.com/id/<org id>/<user id>
            self.user_id = str(body["id"]).rstrip("/").rsplit("/", 1)[-1]
        self.refreshes += 1
        rotated = body.get("refresh_token")
        if rotated and rotated != r.refresh_token.get_secret_value():
            r.refresh_token = SecretStr(str(rotated))
            if self.on_rotate is not None:
                self.on_rotate(r.refresh_token)

    def _sign(self, request: httpx.Request) -> None:
        token = self._refresher.access.get_secret_value() if self._refresher.access else ""
        request.headers["Authorization"] = f"Bearer {token}"

    def secrets(self) -> tuple[str, ...]:
        return self._refresher.secrets()

    def __repr__(self) -> str:
        return "SalesforceSession(client_secret=SecretStr('**********'), refresh_token=SecretStr('**********'))"


def _session_expired(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, list) and any(
        isinstance(e, dict) and e.get("errorCode") == "INVALID_SESSION_ID" for e in body
    )
