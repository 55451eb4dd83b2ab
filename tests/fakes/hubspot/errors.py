"""HubSpot's error bodies.

Generic shape (spec's StandardError / Error): {"status": "error", "message", "correlationId" (uuid),
"category" e.g. VALIDATION_ERROR | OBJECT_NOT_FOUND | INVALID_AUTHENTICATION, "subCategory"?,
"errors"?, "context"?}. Correlation ids come from a seeded generator, so a run is reproducible.
Handlers raise `ApiError`; the router turns it into the response.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import httpx

DEFAULT_MESSAGES = {
    400: ("There was a problem with the request.", "VALIDATION_ERROR"),
    401: ("Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more "
          "details at https://developers.hubspot.com/docs/methods/auth/oauth-overview", "INVALID_AUTHENTICATION"),
    403: ("This app hasn't been granted all required scopes to make this call.", "MISSING_SCOPES"),
    404: ("Resource not found", "OBJECT_NOT_FOUND"),
    409: ("Conflict", "CONFLICT"),
    423: ("The resource is locked; retry after at least 2 seconds.", "LOCKED"),
    477: ("A portal migration is in progress; retry later.", "MIGRATION_IN_PROGRESS"),
    500: ("internal error", None),
    502: ("Bad Gateway", None),
    503: ("Service Unavailable", None),
    504: ("Gateway Timeout", None),
    524: ("A timeout occurred", None),
    530: ("Origin DNS error: malformed or unknown token", None),
}


class ApiError(Exception):
    """An error answer: status, message, category and any extra body keys."""

    def __init__(self, status: int, message: str, category: str | None = "VALIDATION_ERROR", **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.category = category
        self.extra = extra


class Errors:
    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(f"correlation-{seed}")

    def correlation_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def body(self, status: int, message: str | None = None, category: str | None = None,
             **extra: Any) -> dict[str, Any]:
        """An error body; message and category default to what HubSpot sends for that status."""
        default_message, default_category = DEFAULT_MESSAGES.get(status, (f"HTTP {status}", None))
        body: dict[str, Any] = {"status": "error", "message": message or default_message,
                                "correlationId": self.correlation_id()}
        if category or default_category:
            body["category"] = category or default_category
        body.update(extra)
        return body

    def response(self, error: ApiError, headers: dict[str, str] | None = None) -> httpx.Response:
        return httpx.Response(error.status, json=self.body(error.status, error.message, error.category, **error.extra),
                              headers=headers)


def too_long(url_length: int) -> httpx.Response:
    """What HubSpot's edge answers for an over-long request line: an HTML page, not JSON."""
    page = ("<html><head><title>414 Request-URI Too Large</title></head><body><center><h1>414 Request-URI Too Large"
            f"</h1></center><!-- {url_length} characters --></body></html>")
    return httpx.Response(414, text=page, headers={"Content-Type": "text/html"})
