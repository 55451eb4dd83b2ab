"""One classification of vendor answers, retry hints, vendor messages, and redaction."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from connectors.http.errors import (
    ErrorKind,
    ErrorPolicy,
    FatalError,
    RetriableError,
    classify,
    error_for_response,
    error_for_transport,
    retry_after,
    vendor_message,
)

NOW = 1_800_000_000.0  # 2027-01-15
KEY = "hunter-secret-key-42"


def response(
    status: int, *, headers=None, json=None, url="https://api.example.test/v2/x?email=a@b.example"
) -> httpx.Response:
    return httpx.Response(status, headers=headers, json=json, request=httpx.Request("GET", url))


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (200, None),
        (202, None),
        (404, ErrorKind.FATAL),
        (400, ErrorKind.FATAL),
        (401, ErrorKind.FATAL),
        (403, ErrorKind.FATAL),
        (422, ErrorKind.FATAL),
        (408, ErrorKind.RETRIABLE),
        (429, ErrorKind.RETRIABLE),
        (500, ErrorKind.RETRIABLE),
        (502, ErrorKind.RETRIABLE),
        (503, ErrorKind.RETRIABLE),
    ],
)
def test_default_classification(status, kind):
    assert classify(response(status)) is kind


def test_vendor_overrides_are_passed_in():
    hunter = ErrorPolicy(overrides={403: ErrorKind.RETRIABLE, 429: ErrorKind.FATAL, 202: ErrorKind.RETRIABLE})
    pdl = ErrorPolicy(overrides={404: None})
    assert classify(response(403), hunter) is ErrorKind.RETRIABLE
    assert classify(response(429), hunter) is ErrorKind.FATAL
    assert classify(response(202), hunter) is ErrorKind.RETRIABLE
    assert classify(response(404), pdl) is None
    assert classify(response(500), pdl) is ErrorKind.RETRIABLE


def test_retry_after_in_seconds_and_as_http_date():
    assert retry_after(response(429, headers={"Retry-After": "7"}), now=NOW) == 7
    date = format_datetime(datetime.fromtimestamp(NOW + 30, UTC), usegmt=True)
    assert retry_after(response(429, headers={"Retry-After": date}), now=NOW) == pytest.approx(30)
    past = format_datetime(datetime.fromtimestamp(NOW - 30, UTC), usegmt=True)
    assert retry_after(response(429, headers={"Retry-After": past}), now=NOW) == 0
    assert retry_after(response(429), now=NOW) is None
    assert retry_after(response(429, headers={"Retry-After": "soon"}), now=NOW) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.fromtimestamp(NOW + 12, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), 12),  # PDL: ISO timestamp
        (str(int(NOW + 40)), 40),  # epoch seconds
        (str(int((NOW + 5) * 1000)), 5),  # epoch milliseconds
        ("3", 3),  # seconds to wait
    ],
)
def test_vendor_reset_headers_are_hints_when_retry_after_is_absent(value, expected):
    got = retry_after(
        response(429, headers={"x-ratelimit-reset": value}), now=NOW, reset_headers=("x-ratelimit-reset",)
    )
    assert got == pytest.approx(expected)


def test_retry_after_wins_over_a_reset_header():
    r = response(429, headers={"Retry-After": "2", "x-ratelimit-reset": "99"})
    assert retry_after(r, now=NOW, reset_headers=("x-ratelimit-reset",)) == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"status": 402, "error": {"type": "payment_required", "message": "all matches used"}},
            "payment_required: all matches used",
        ),
        ({"error": "Invalid access credentials."}, "Invalid access credentials."),
        (
            {"message": "The maximum number of api calls is 50 per minute"},
            "The maximum number of api calls is 50 per minute",
        ),
        ({"errors": [{"id": "wrong_params", "code": 400, "details": "missing email"}]}, "wrong_params: missing email"),
        ([1, 2], None),
    ],
)
def test_vendor_message_shapes(body, message):
    assert vendor_message(response(400, json=body)) == message


def test_error_messages_name_path_and_status_never_query_key_or_email():
    url = f"https://api.hunter.io/v2/email-verifier?email=jane.doe@corp.example&api_key={KEY}"
    body = {"errors": [{"id": "wrong_params", "code": 400, "details": f"bad key {KEY} for jane.doe@corp.example"}]}
    error = error_for_response(response(400, json=body, url=url), ErrorKind.FATAL, now=NOW, secrets=(KEY,))
    assert isinstance(error, FatalError)
    assert str(error).startswith("GET /v2/email-verifier: HTTP 400: wrong_params")
    for text in (str(error), error.detail):
        assert KEY not in text
        assert "jane.doe@" not in text


def test_run_fatal_statuses_are_marked():
    policy = ErrorPolicy(run_fatal=frozenset({401, 402}))
    assert error_for_response(response(402, json={}), ErrorKind.FATAL, policy, now=NOW).run_fatal
    assert not error_for_response(response(400, json={}), ErrorKind.FATAL, policy, now=NOW).run_fatal


def test_retriable_response_errors_carry_the_wait():
    error = error_for_response(response(429, headers={"Retry-After": "4"}), ErrorKind.RETRIABLE, now=NOW)
    assert isinstance(error, RetriableError) and error.retry_after == 4 and error.status == 429


def test_transport_failures():
    request = httpx.Request("GET", f"https://api.hunter.io/v2/email-verifier?api_key={KEY}")
    assert isinstance(error_for_transport(httpx.ReadTimeout("timed out", request=request)), RetriableError)
    assert isinstance(error_for_transport(httpx.ConnectError("refused", request=request)), RetriableError)
    assert isinstance(error_for_transport(httpx.RemoteProtocolError("eof", request=request)), RetriableError)
    bad = error_for_transport(httpx.UnsupportedProtocol(f"bad url ?api_key={KEY}", request=request), secrets=(KEY,))
    assert isinstance(bad, FatalError)
    assert KEY not in str(bad)
