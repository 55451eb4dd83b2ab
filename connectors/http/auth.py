"""Credentials as `httpx.Auth` classes that never show their secret.

The secret is held as a pydantic SecretStr, so repr(), str() and logs print asterisks. `secrets()`
gives the raw values to the error layer, which scrubs them from any message it builds.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx
from pydantic import SecretStr

# Query parameters that carry a credential somewhere in this project. The client factory's log
# filter masks their values in httpx's own request log lines (which print the full URL).
SENSITIVE_PARAMS: set[str] = {"api_key", "apikey", "key", "token", "access_token"}


def _secret(value: str | SecretStr) -> SecretStr:
    return value if isinstance(value, SecretStr) else SecretStr(value)


class _SecretAuth(httpx.Auth):
    _secret_value: SecretStr

    def secrets(self) -> tuple[str, ...]:
        """The raw secret, for redaction only."""
        return (self._secret_value.get_secret_value(),)


class ApiKeyHeader(_SecretAuth):
    """An API key sent in a header, e.g. PDL's `X-Api-Key` or Apollo's `x-api-key`."""

    def __init__(self, header: str, key: str | SecretStr) -> None:
        self.header = header
        self._secret_value = _secret(key)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self.header] = self._secret_value.get_secret_value()
        yield request

    def __repr__(self) -> str:
        return f"ApiKeyHeader(header={self.header!r}, key=SecretStr('**********'))"


class ApiKeyQuery(_SecretAuth):
    """An API key sent as a query parameter (Hunter's `api_key`).

    The key then is part of the URL, which httpx prints in its request log and exception messages:
    the client factory masks it in the log, and connectors/http/errors.py never puts a URL's query
    into a message.
    """

    def __init__(self, param: str, key: str | SecretStr) -> None:
        self.param = param
        self._secret_value = _secret(key)
        SENSITIVE_PARAMS.add(param.lower())

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # Merging replaces an earlier value, so a retried request carries the key once.
        request.url = request.url.copy_merge_params({self.param: self._secret_value.get_secret_value()})
        yield request

    def __repr__(self) -> str:
        return f"ApiKeyQuery(param={self.param!r}, key=SecretStr('**********'))"


class BearerToken(_SecretAuth):
    """`Authorization: Bearer <token>` (Clearbit, HubSpot private apps)."""

    def __init__(self, token: str | SecretStr) -> None:
        self._secret_value = _secret(token)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._secret_value.get_secret_value()}"
        yield request

    def __repr__(self) -> str:
        return "BearerToken(token=SecretStr('**********'))"


def auth_secrets(auth: httpx.Auth | None) -> tuple[str, ...]:
    """The raw secrets an auth object sends (empty for auth classes that are not ours)."""
    secrets = getattr(auth, "secrets", None)
    return tuple(secrets()) if callable(secrets) else ()
