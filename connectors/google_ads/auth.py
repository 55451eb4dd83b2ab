"""Google Ads credentials: an OAuth access token (renewed from the refresh token) plus the developer token.

The developer token is a secret of the manager account, sent as the `developer-token` header on
every call; `login-customer-id` names the manager the access goes through. Both ride in this auth
class, so the redaction every error message gets (`secrets()`) covers the developer token too.
A refresh token issued while the OAuth consent screen is in "Testing" dies after 7 days: the
token endpoint then answers `invalid_grant`, which fails the source naming the refusal.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx
from pydantic import SecretStr

from connectors.http.oauth import RefreshingToken


def read_bodies(flow: Generator[httpx.Request, httpx.Response, None]) -> Generator[httpx.Request, httpx.Response, None]:
    """Drive an auth flow, reading every response before the flow sees it.

    RefreshingToken decodes the token endpoint's answer inside its own `sync_auth_flow`, where
    httpx has not read a streamed body yet (a MockTransport's always is): over a real connection
    the answer must be read first.
    """
    try:
        outgoing = next(flow)
        while True:
            response = yield outgoing
            response.read()
            outgoing = flow.send(response)
    except StopIteration:
        return


class GoogleAdsAuth(httpx.Auth):
    requires_response_body = True

    def __init__(self, token: RefreshingToken, developer_token: SecretStr, login_customer_id: str | None) -> None:
        self.token = token
        self.developer_token = developer_token
        self.login_customer_id = login_customer_id

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["developer-token"] = self.developer_token.get_secret_value()
        if self.login_customer_id:
            request.headers["login-customer-id"] = self.login_customer_id
        yield from read_bodies(self.token.sync_auth_flow(request))

    def secrets(self) -> tuple[str, ...]:
        return (*self.token.secrets(), self.developer_token.get_secret_value())

    def __repr__(self) -> str:
        return "GoogleAdsAuth(token=RefreshingToken(...), developer_token=SecretStr('**********'))"
