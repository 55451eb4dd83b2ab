"""One classification of vendor responses and transport failures: retriable or fatal.

Retriable: 408, 425, 429, every 5xx, timeouts, dropped connections. Fatal: every other 4xx. A vendor
that means something else by a status says so in its `ErrorPolicy` (Hunter: 403 is its rate limit,
429 its exhausted monthly quota); this module knows no vendor. `run_fatal` statuses are the fatal
ones that no other request of the run would survive either (bad key, no credits left), as opposed
to a fatal answer about one request (400, 404, 422).

Some vendors say what went wrong in the body rather than the status: Salesforce answers a list of
{errorCode, message} (403 REQUEST_LIMIT_EXCEEDED is its daily quota, UNABLE_TO_LOCK_ROW a retriable
contention), Meta throttles with HTTP 400 and codes 4, 17, 32, 613. A policy's `code_of` reads that
code, and its code sets override the status's verdict.

Messages built here name the method, the path and the status, never a query string (where Hunter's
key travels) and never a credential value; emails in vendor messages are masked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any

import httpx

from connectors.http.client import redact_url
from leads.masking import mask_text


class ErrorKind(StrEnum):
    RETRIABLE = "retriable"
    FATAL = "fatal"


_RETRIABLE_4XX = frozenset({408, 425, 429})


@dataclass(frozen=True)
class ErrorPolicy:
    """How one vendor's error responses read.

    Attributes:
        overrides: status → kind, or None for "not an error, the caller reads it" (PDL's 404 means
            no match; Hunter's 202 is made RETRIABLE so polling reuses the retry loop).
        run_fatal: fatal statuses that end the vendor's use for the whole run (auth, payment).
        reset_headers: headers holding a vendor's "retry at" hint when Retry-After is absent
            (PDL: x-ratelimit-reset, an ISO timestamp).
        code_of: the vendor's error code in a decoded JSON error body, or None.
        retriable_codes: codes that make an error retriable whatever its status.
        fatal_codes: codes that make an error fatal whatever its status.
        run_fatal_codes: codes that end the vendor's use for the run (an exhausted daily quota).
        retry_hint: the vendor's documented wait for an error response without Retry-After (HubSpot:
            a full window for its ten-secondly policy), given the response and its decoded body.
    """

    overrides: Mapping[int, ErrorKind | None] = field(default_factory=dict)
    run_fatal: frozenset[int] = frozenset({401, 402, 403})
    reset_headers: tuple[str, ...] = ()
    code_of: Callable[[Any], str | None] | None = None
    retriable_codes: frozenset[str] = frozenset()
    fatal_codes: frozenset[str] = frozenset()
    run_fatal_codes: frozenset[str] = frozenset()
    retry_hint: Callable[[httpx.Response, Any], float | None] | None = None

    def code(self, response: httpx.Response) -> str | None:
        """The vendor's error code in the response body, when the policy knows where it is."""
        return self.code_of(_body(response)) if self.code_of is not None else None


DEFAULT_POLICY = ErrorPolicy()


def classify(response: httpx.Response, policy: ErrorPolicy = DEFAULT_POLICY) -> ErrorKind | None:
    """RETRIABLE, FATAL, or None when the response is not an error."""
    status = response.status_code
    if status in policy.overrides:
        kind = policy.overrides[status]
    elif status >= 500 or status in _RETRIABLE_4XX:
        kind = ErrorKind.RETRIABLE
    elif status >= 400:
        kind = ErrorKind.FATAL
    else:
        kind = None
    if kind is None or policy.code_of is None:
        return kind
    code = policy.code(response)
    if code in policy.retriable_codes:
        return ErrorKind.RETRIABLE
    if code in policy.fatal_codes or code in policy.run_fatal_codes:
        return ErrorKind.FATAL
    return kind


class ApiError(Exception):
    """A vendor call that did not succeed. `detail` is short and safe for run reports."""

    kind: ErrorKind = ErrorKind.FATAL

    def __init__(
        self,
        message: str,
        *,
        detail: str,
        status: int | None = None,
        retry_after: float | None = None,
        run_fatal: bool = False,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.detail = detail
        self.status = status
        self.retry_after = retry_after
        self.run_fatal = run_fatal
        self.code = code
        # Set by the Retrier when the vendor asked for a longer wait than it sits through.
        self.wait_refused = False


class RetriableError(ApiError):
    kind = ErrorKind.RETRIABLE


class FatalError(ApiError):
    kind = ErrorKind.FATAL


def error_for_response(
    response: httpx.Response,
    kind: ErrorKind,
    policy: ErrorPolicy = DEFAULT_POLICY,
    *,
    now: float,
    secrets: Sequence[str] = (),
) -> ApiError:
    """The exception for an error response, with its redacted vendor message and retry hint."""
    status = response.status_code
    said = vendor_message(response)
    detail = redact(f"HTTP {status}" + (f": {said}" if said else f" {response.reason_phrase}".rstrip()), secrets)
    message = f"{_where(response.request)}: {detail}"
    code = policy.code(response)
    if kind is ErrorKind.RETRIABLE:
        wait = retry_after(response, now=now, reset_headers=policy.reset_headers)
        if wait is None and policy.retry_hint is not None:
            wait = policy.retry_hint(response, _body(response))
        return RetriableError(message, detail=detail, status=status, retry_after=wait, code=code)
    run_fatal = status in policy.run_fatal or code in policy.run_fatal_codes
    return FatalError(message, detail=detail, status=status, run_fatal=run_fatal, code=code)


def error_for_transport(exc: httpx.TransportError, *, secrets: Sequence[str] = ()) -> ApiError:
    """Timeouts, refused or dropped connections and protocol errors are retriable; the rest (a bad URL) not."""
    name = type(exc).__name__
    detail = redact(f"{name}: {exc}" if str(exc) else name, secrets)
    try:
        message = f"{_where(exc.request)}: {detail}"
    except RuntimeError:  # an exception raised without a request attached
        message = detail
    if isinstance(exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError):
        return RetriableError(message, detail=detail)
    return FatalError(message, detail=detail)


def retry_after(response: httpx.Response, *, now: float, reset_headers: Sequence[str] = ()) -> float | None:
    """Seconds to wait before the next attempt, from Retry-After or else the vendor's reset header.

    Retry-After is either seconds or an HTTP-date (RFC 9110). Reset headers come as seconds to
    wait, epoch seconds or milliseconds, an ISO timestamp (PDL) or an HTTP-date.
    """
    for name in ("Retry-After", *reset_headers):
        value = response.headers.get(name)
        if value is not None and (seconds := _seconds_until(value, now)) is not None:
            return seconds
    return None


def _seconds_until(value: str, now: float) -> float | None:
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        if number > 1e12:  # epoch milliseconds
            return max(0.0, number / 1000 - now)
        if number > 1e9:  # epoch seconds
            return max(0.0, number - now)
        return max(0.0, number)
    when: datetime | None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def _body(response: httpx.Response) -> Any:
    """The decoded JSON body, or None when there is none."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, httpx.ResponseNotRead):
        return None


def vendor_message(response: httpx.Response) -> str | None:
    """The vendor's own words about an error response (see `message_from_body`)."""
    return message_from_body(_body(response))


def message_from_body(body: Any) -> str | None:
    """The error message in a JSON body, in the shapes our vendors use.

    PDL and Clearbit: {"error": {"type", "message"}}; Apollo: {"error": "..."} or {"message": "..."};
    Hunter: {"errors": [{"id", "code", "details"}]}; Salesforce: [{"errorCode", "message"}];
    HubSpot: {"status": "error", "message", "category"}.
    """
    if isinstance(body, list) and body and isinstance(body[0], dict):
        first = body[0]
        parts = [first.get("errorCode"), first.get("message")]
        return _join(p for p in parts if isinstance(p, str) and p) or None
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict):
        parts = [error.get("type"), error.get("message")]
        return _join(p for p in parts if isinstance(p, str) and p) or None
    if isinstance(error, str) and error:
        return error[:300]
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        parts = [first.get("id"), first.get("details") or first.get("message")]
        return _join(p for p in parts if isinstance(p, str) and p) or None
    message = body.get("message")
    return message[:300] if isinstance(message, str) and message else None


def _join(parts: Any) -> str:
    return ": ".join(parts)[:300]


def redact(text: str, secrets: Sequence[str] = ()) -> str:
    """The text with credentials, credential query parameters and email addresses masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return mask_text(redact_url(text))


def _where(request: httpx.Request) -> str:
    """'GET /v5/company/enrich': the path only, since the query may carry a key or an email."""
    return f"{request.method} {request.url.path}"
