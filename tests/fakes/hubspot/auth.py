"""Authentication: a private-app static token, or OAuth access tokens with a 30-minute life.

Reproduces: `Authorization: Bearer <token>` on every API call, else 401 INVALID_AUTHENTICATION;
legacy `hapikey` query keys are retired and authenticate nothing. OAuth: `POST /oauth/v1/token` (or v3)
with a form-encoded body `grant_type=refresh_token&client_id&client_secret&refresh_token` answers
{"access_token", "refresh_token", "expires_in": 1800, "token_type": "bearer"}; an access token dies
1800 s of fake time after issue, after which calls answer 401 EXPIRED_AUTHENTICATION "The OAuth token
used to make this call expired N second(s) ago." Tokens issued earlier stay valid until they expire.
Token endpoint errors use its own body {"status": "BAD_REFRESH_TOKEN" | "BAD_CLIENT_ID" |
"BAD_CLIENT_SECRET" | "BAD_GRANT_TYPE" | "BAD_REQUEST", "message", "correlationId"} with status 400.

Choices: access tokens are 320 characters (HubSpot says allow at least 300, so a column sized for a
short token fails here); the refresh token is not rotated; parameters in the query string instead
of the form body are refused (400 BAD_REQUEST), as the newer token endpoints do.
"""

from __future__ import annotations

import random
from urllib.parse import parse_qs

import httpx

from tests.fakes.hubspot.clock import Clock
from tests.fakes.hubspot.errors import ApiError, Errors

ACCESS_TOKEN_TTL = 1800
TOKEN_LENGTH = 320


class Auth:
    def __init__(self, mode: str, token: str, client_id: str, client_secret: str, refresh_token: str, clock: Clock,
                 errors: Errors, seed: int = 0) -> None:
        if mode not in ("private_app", "oauth"):
            raise ValueError("auth must be private_app or oauth")
        self.mode = mode
        self.token = token
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.clock = clock
        self.errors = errors
        self.rng = random.Random(f"tokens-{seed}")
        self.access_tokens: dict[str, float] = {}  # token → fake time it expires
        self.issued = 0

    def check(self, request: httpx.Request) -> None:
        """Raise ApiError(401) unless the request carries a valid bearer token."""
        header = request.headers.get("Authorization", "")
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            raise ApiError(401, _MISSING, "INVALID_AUTHENTICATION")
        presented = presented.strip()
        if self.mode == "private_app":
            if presented != self.token:
                raise ApiError(401, _MISSING, "INVALID_AUTHENTICATION")
            return
        expires = self.access_tokens.get(presented)
        if expires is None:
            raise ApiError(401, _MISSING, "INVALID_AUTHENTICATION")
        now = self.clock.now()
        if now >= expires:
            ago = int(now - expires)
            raise ApiError(401, f"The OAuth token used to make this call expired {ago} second(s) ago.",
                           "EXPIRED_AUTHENTICATION")

    def issue(self) -> str:
        """A fresh access token (what the token endpoint hands out)."""
        self.issued += 1
        token = "CN" + "".join(self.rng.choice("0123456789abcdef") for _ in range(TOKEN_LENGTH - 2))
        self.access_tokens[token] = self.clock.now() + ACCESS_TOKEN_TTL
        return token

    def token_endpoint(self, request: httpx.Request) -> httpx.Response:
        if request.url.query:
            return self._refuse("BAD_REQUEST", "parameters must be sent in the form-encoded request body")
        content_type = request.headers.get("Content-Type", "")
        if not content_type.startswith("application/x-www-form-urlencoded"):
            return self._refuse("BAD_REQUEST", "the request body must be application/x-www-form-urlencoded")
        form = {k: v[-1] for k, v in parse_qs(request.content.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "refresh_token":
            return self._refuse("BAD_GRANT_TYPE", "missing or unsupported grant_type")
        if form.get("client_id") != self.client_id:
            return self._refuse("BAD_CLIENT_ID", "missing or unknown client id")
        if form.get("client_secret") != self.client_secret:
            return self._refuse("BAD_CLIENT_SECRET", "missing or invalid client secret")
        if form.get("refresh_token") != self.refresh_token:
            return self._refuse("BAD_REFRESH_TOKEN", "missing or unknown refresh token")
        body = {"token_type": "bearer", "refresh_token": self.refresh_token, "access_token": self.issue(),
                "expires_in": ACCESS_TOKEN_TTL}
        return httpx.Response(200, json=body)

    def _refuse(self, status: str, message: str) -> httpx.Response:
        return httpx.Response(400, json={"status": status, "message": message,
                                         "correlationId": self.errors.correlation_id()})


_MISSING = ("Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more "
            "details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
