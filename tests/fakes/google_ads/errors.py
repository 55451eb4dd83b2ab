"""Google Ads REST errors: a google.rpc.Status whose details hold a GoogleAdsFailure.

    {"error": {"code": 429, "message": "...", "status": "RESOURCE_EXHAUSTED",
               "details": [{"@type": "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure",
                            "errors": [{"errorCode": {"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"},
                                        "message": "...", "details": {"quotaErrorDetails": {...}}}],
                            "requestId": "..."}]}}

The OAuth endpoint answers in OAuth's own shape: {"error": "invalid_grant", "error_description"}.
"""

from __future__ import annotations

from itertools import count
from typing import Any

import httpx

STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
_requests = count(1)


def request_id() -> str:
    return f"fakeReq{next(_requests):08d}"


class AdsError(Exception):
    def __init__(
        self,
        http: int,
        family: str,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        version: str = "v26",
    ) -> None:
        super().__init__(f"{http} {family}.{code}: {message}")
        self.http, self.family, self.code, self.message = http, family, code, message
        self.details, self.version = details, version

    def response(self) -> httpx.Response:
        rid = request_id()
        failure: dict[str, Any] = {"errorCode": {self.family: self.code}, "message": self.message}
        if self.details:
            failure["details"] = self.details
        body = {
            "error": {
                "code": self.http,
                "message": _summary(self.http),
                "status": STATUS.get(self.http, "UNKNOWN"),
                "details": [
                    {
                        "@type": f"type.googleapis.com/google.ads.googleads.{self.version}.errors.GoogleAdsFailure",
                        "errors": [failure],
                        "requestId": rid,
                    }
                ],
            }
        }
        return httpx.Response(self.http, json=body, headers={"request-id": rid})


def _summary(http: int) -> str:
    return {
        400: "Request contains an invalid argument.",
        401: "Request had invalid authentication credentials.",
        403: "The caller does not have permission",
        429: "Resource has been exhausted (e.g. check quota).",
    }.get(http, "Internal error encountered.")


def quota(kind: str, retry_delay: str) -> AdsError:
    scope = "DEVELOPER" if kind == "RESOURCE_EXHAUSTED" else "ACCOUNT"
    details = {
        "quotaErrorDetails": {
            "rateScope": scope,
            "rateName": "Number of operations for basic access",
            "retryDelay": retry_delay,
        }
    }
    message = (
        "Too many requests. Retry in " + retry_delay + "."
        if kind != "RESOURCE_EXHAUSTED"
        else ("Number of operations for basic access has been exhausted.")
    )
    return AdsError(429, "quotaError", kind, message, details)


def bare(http: int, message: str) -> httpx.Response:
    """An error without a GoogleAdsFailure (the JSON layer refusing the body, the front end's 5xx)."""
    return httpx.Response(
        http, json={"error": {"code": http, "message": message, "status": STATUS.get(http, "UNKNOWN")}}
    )


def oauth_error(error: str, description: str, status: int = 400) -> httpx.Response:
    return httpx.Response(status, json={"error": error, "error_description": description})


def fault_body(status: int) -> dict[str, Any]:
    return {"error": {"code": status, "message": _summary(status), "status": STATUS.get(status, "UNKNOWN")}}
