"""The Graph API's error envelope: HTTP 400 (mostly) with {"error": {message, type, code, error_subcode, fbtrace_id}}.

Codes reproduced: 1 and 2 (transient), 4 (app throttled), 17 (user, subcode 2446079), 32 (Page),
613 (ad account, subcode 1487742), 80004 (a Business Use Case throttled), 100 (invalid parameter),
104 (no token), 190 (expired or invalid token, subcode 463 when expired), 200 (permission missing),
2635 (a version no longer served).
"""

from __future__ import annotations

from itertools import count
from typing import Any

import httpx

THROTTLE_MESSAGES = {
    4: "Application request limit reached",
    17: "User request limit reached",
    32: "Page request limit reached",
    613: "Calls to this api have exceeded the rate limit.",
    80004: "There have been too many calls to this ad-account. Wait a bit and try again.",
}
THROTTLE_SUBCODES = {17: 2446079, 613: 1487742, 80004: 2446079}
_traces = count(1)


def trace_id() -> str:
    """Meta's fbtrace_id: an opaque id support asks for (deterministic here)."""
    return f"AfakeTrace{next(_traces):07d}"


class GraphError(Exception):
    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: int = 400,
        subcode: int | None = None,
        kind: str = "OAuthException",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"({code}) {message}")
        self.code, self.message, self.status, self.subcode, self.kind = code, message, status, subcode, kind
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.subcode, self.kind)

    def response(self) -> httpx.Response:
        return httpx.Response(self.status, json=self.body(), headers=self.headers)


def error_body(code: int, message: str, subcode: int | None = None, kind: str = "OAuthException") -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = trace_id()
    return {"error": error}


def throttled(code: int) -> GraphError:
    return GraphError(code, THROTTLE_MESSAGES.get(code, "Request limit reached"), subcode=THROTTLE_SUBCODES.get(code))


def invalid_param(message: str) -> GraphError:
    return GraphError(100, f"(#100) {message}")


def fault_body(status: int) -> dict[str, Any]:
    """The body of an injected fault: a transient error for 5xx, an invalid parameter otherwise."""
    if status >= 500:
        return error_body(2, "An unexpected error has occurred. Please retry your request later.")
    return error_body(100, "(#100) Invalid parameter", kind="GraphMethodException")
