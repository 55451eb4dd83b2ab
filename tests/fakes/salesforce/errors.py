"""Salesforce-shaped error bodies.

Documented shape (REST API Developer Guide, "Status Codes and Error Responses"): a JSON *list* of
`{"message", "errorCode"}` objects, with `fields` on some of them. The OAuth endpoint is the
exception: `{"error", "error_description"}`. `SalesforceError` carries one such error from deep in
the fake up to the router, which turns it into a response.
"""

from __future__ import annotations

from typing import Any

import httpx

DEFAULT_FAULT_ERRORS: dict[int, tuple[str, str]] = {
    400: ("BAD_REQUEST", "The request could not be understood"),
    401: ("INVALID_SESSION_ID", "Session expired or invalid"),
    403: ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    404: ("NOT_FOUND", "The requested resource does not exist"),
    500: ("UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if you contact support: "
          "1427783916-62093 (-1021239371)"),
    502: ("SERVER_UNAVAILABLE", "Bad gateway"),
    503: ("SERVER_UNAVAILABLE", "Server is unavailable"),
}

OAUTH_FAULT_ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_grant", "expired access/refresh token"),
    401: ("invalid_client", "invalid client credentials"),
}


def error_list(code: str, message: str, fields: list[str] | None = None) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        entry["fields"] = fields
    return [entry]


def default_fault_body(status: int, oauth: bool) -> Any:
    """The body an injected fault answers with when the test gave none."""
    if oauth:
        error, description = OAUTH_FAULT_ERRORS.get(status, ("unknown_error", "retry your request"))
        return {"error": error, "error_description": description}
    code, message = DEFAULT_FAULT_ERRORS.get(status, ("UNKNOWN_EXCEPTION", f"fake Salesforce error {status}"))
    return error_list(code, message)


class SalesforceError(Exception):
    """One error the API answers with: HTTP status, errorCode and message."""

    def __init__(self, status: int, code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields

    def response(self) -> httpx.Response:
        return httpx.Response(self.status, json=error_list(self.code, self.message, self.fields))


def located(query: str, pos: int, message: str) -> str:
    """Salesforce's SOQL error text: the query, a caret under the offending token, row and column."""
    before = query[:pos]
    row = before.count("\n") + 1
    line_start = before.rfind("\n") + 1
    line_end = query.find("\n", pos)
    line = query[line_start:] if line_end < 0 else query[line_start:line_end]
    column = pos - line_start + 1
    return f"\n{line}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n{message}"


def malformed(query: str, pos: int, message: str) -> SalesforceError:
    return SalesforceError(400, "MALFORMED_QUERY", located(query, pos, message))


def invalid_field(query: str, pos: int, message: str) -> SalesforceError:
    return SalesforceError(400, "INVALID_FIELD", located(query, pos, message))
