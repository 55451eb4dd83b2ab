"""Meta's access token: how it is sent, and what `debug_token` says about its future.

Meta hands out no refresh token. A system user's token (or a Page token minted from a long-lived
user token) need not expire; a long-lived user token lasts about 60 days, and every token loses
data access when its `data_access_expires_at` passes (90 days without the user coming back). A
nightly job cannot renew it, so each run asks `debug_token` and the run summary warns ahead of time.

The token travels in the Authorization header, never in the URL, except where Meta insists on a
parameter: `debug_token` takes the token to inspect as `input_token`, added here so no other code
handles the secret; the client's log filter masks `input_token` in httpx's request log.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from connectors.http.auth import SENSITIVE_PARAMS, BearerToken

SENSITIVE_PARAMS.add("input_token")


class GraphToken(BearerToken):
    """`Authorization: Bearer <token>`, and the same token as `input_token` on debug_token calls."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if request.url.path.endswith("/debug_token"):
            request.url = request.url.copy_merge_params({"input_token": self._secret_value.get_secret_value()})
        yield from super().auth_flow(request)

    def __repr__(self) -> str:
        return "GraphToken(token=SecretStr('**********'))"


def token_problems(info: dict[str, Any], name: str, needed: list[str]) -> list[str]:
    """What stops the source before it reads: an invalid token, a missing permission."""
    key = f"sources.{name}.auth.access_token"
    if not info.get("is_valid"):
        said = (info.get("error") or {}).get("message") or "no reason given"
        return [f"{key}: Meta refused the access token as invalid ({said}); mint a new one (a system user's token)"]
    scopes = set(info.get("scopes") or [])
    missing = [s for s in needed if s not in scopes]
    if missing:
        return [f"{key}: the token lacks the permission(s) {', '.join(missing)}; grant them and mint a new token"]
    return []


def token_notes(info: dict[str, Any], name: str, now: datetime, warning: timedelta) -> list[str]:
    """Warnings about an ending token, `warning` ahead of time (0 means "never expires" to Meta)."""
    notes = []
    for key, what in (("expires_at", "expires"), ("data_access_expires_at", "loses data access")):
        stamp = int(info.get(key) or 0)
        if not stamp:
            continue
        when = datetime.fromtimestamp(stamp, UTC)
        if when - now <= warning:
            left = max(0, round((when - now).total_seconds() / 86400))
            notes.append(
                f"{name}: the Meta access token {what} on {when:%d %b %Y %H:%M} UTC (in {left} days); mint a new "
                "one before then (a system user's token does not expire)"
            )
    return notes
