"""The one place an `httpx.Client` is built: timeout, User-Agent, base URL, auth and the transport.

Connectors never build clients; the task that wires a connector calls `make_client` with the
vendor's base URL (or the config's override: a sandbox, a proxy, a loopback fake) and tests pass a
`transport=httpx.MockTransport(handler)`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version

import httpx

from connectors.http.auth import SENSITIVE_PARAMS


def _version() -> str:
    try:
        return version("leads-etl")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


USER_AGENT = f"leads-etl/{_version()}"


def make_client(
    base_url: str,
    *,
    timeout: float,
    auth: httpx.Auth | None = None,
    headers: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    user_agent: str = USER_AGENT,
) -> httpx.Client:
    """A client for one vendor API.

    Args:
        base_url: the vendor's API root, or an override (sandbox, proxy, loopback fake).
        timeout: seconds for connect, read, write and pool waits alike.
        auth: credentials sent with every request (connectors usually pass theirs per request).
        headers: extra default headers.
        transport: injected by tests (`httpx.MockTransport`); None means real HTTP.
        user_agent: sent as User-Agent so vendors can tell our traffic apart.
    """
    _install_log_filter()
    default_headers = {"User-Agent": user_agent, "Accept": "application/json", **(headers or {})}
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(timeout),
        auth=auth,
        headers=default_headers,
        transport=transport,
        follow_redirects=False,
    )


_PARAM = re.compile(r"(?<=[?&])([^=&#]+)=([^&#]*)")


def redact_url(url: str | httpx.URL) -> str:
    """The URL with the values of credential-carrying query parameters masked."""
    return _PARAM.sub(_mask_param, str(url))


def _mask_param(match: re.Match[str]) -> str:
    return f"{match.group(1)}=[redacted]" if match.group(1).lower() in SENSITIVE_PARAMS else match.group(0)


class RedactSecretParams(logging.Filter):
    """Masks credential query parameters in httpx's request log ("HTTP Request: GET https://...&api_key=...")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_url(a) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


def _install_log_filter() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, RedactSecretParams) for f in logger.filters):
        logger.addFilter(RedactSecretParams())
