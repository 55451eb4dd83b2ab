"""Pagination strategies, self-renewing OAuth credentials, quota guards and vendor error codes."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs

import httpx
import pytest
from pydantic import SecretStr

from connectors.http.caller import ApiCaller
from connectors.http.errors import ErrorKind, FatalError, classify, error_for_response
from connectors.http.oauth import RefreshingToken, SalesforceSession, TokenRefused
from connectors.http.paging import BodyCursor, NextUrl, Offset, PageToken, PagingLoop, pages
from connectors.http.quota import QuotaGuard, QuotaReached, hubspot_usage, salesforce_usage
from connectors.http.retry import Retrier, RetryPolicy
from connectors.hubspot.settings import ERRORS as HUBSPOT_ERRORS
from connectors.salesforce.settings import ERRORS as SALESFORCE_ERRORS

# pagination


@pytest.mark.parametrize(
    ("paginator", "bodies", "tokens"),
    [
        (BodyCursor(), [{"paging": {"next": {"after": "NTI="}}}, {"results": []}], ["NTI=", None]),
        (
            NextUrl(),
            [{"done": False, "nextRecordsUrl": "/q/01g-2000"}, {"done": True, "nextRecordsUrl": "x"}],
            ["/q/01g-2000", None],
        ),
        (PageToken(), [{"nextPageToken": "t1"}, {"nextPageToken": ""}], ["t1", None]),
        (
            Offset(),
            [
                {"elements": [1, 2], "paging": {"start": 0, "count": 2, "total": 5}},
                {"elements": [3, 4], "paging": {"start": 2, "count": 2, "total": 5}},
                {"elements": [5], "paging": {"start": 4, "count": 2, "total": 5}},
            ],
            [2, 4, None],
        ),
    ],
)
def test_each_strategy_finds_the_next_page_and_the_end(paginator, bodies, tokens):
    assert [paginator.next_token(b) for b in bodies] == tokens


def test_a_repeated_token_stops_paging_instead_of_looping():
    bodies = iter(
        [
            {"paging": {"next": {"after": "a"}}},
            {"paging": {"next": {"after": "b"}}},
            {"paging": {"next": {"after": "a"}}},
        ]
    )
    with pytest.raises(PagingLoop):
        list(pages(lambda token: next(bodies), BodyCursor()))


def test_offset_paging_ends_on_a_short_page_even_without_a_total():
    assert Offset().next_token({"elements": [1], "paging": {"start": 0, "count": 10}}) is None


# OAuth


class TokenServer:
    """A token endpoint and an API behind one MockTransport; records what reached each."""

    def __init__(self, rotate: bool = False, refuse: bool = False, expires_in: int = 1800) -> None:
        self.rotate, self.refuse, self.expires_in = rotate, refuse, expires_in
        self.grants: list[dict[str, list[str]]] = []
        self.issued = 0
        self.valid: set[str] = set()
        self.api_calls: list[str] = []
        self.refresh_token = "rt-0"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            form = parse_qs(request.content.decode())
            self.grants.append(form)
            if self.refuse or form["refresh_token"] != [self.refresh_token]:
                return httpx.Response(
                    400, json={"error": "invalid_grant", "error_description": "expired refresh token"}
                )
            self.issued += 1
            token = f"at-{self.issued}"
            self.valid = {token}
            body = {"access_token": token, "expires_in": self.expires_in, "instance_url": "https://org.example"}
            if self.rotate:
                self.refresh_token = f"rt-{self.issued}"
                body["refresh_token"] = self.refresh_token
            return httpx.Response(200, json=body)
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.api_calls.append(bearer)
        if bearer not in self.valid:
            return httpx.Response(
                401, json=[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
            )
        return httpx.Response(200, json={"ok": True})


def test_hubspot_tokens_are_renewed_before_expires_in_runs_out_not_on_a_401():
    server, now = TokenServer(), [1000.0]
    auth = RefreshingToken(
        "https://api.example/oauth/v3/token",
        "cid",
        SecretStr("cs"),
        SecretStr("rt-0"),
        margin=300,
        clock=lambda: now[0],
    )
    client = httpx.Client(transport=httpx.MockTransport(server), auth=auth, base_url="https://api.example")
    assert client.get("/x").status_code == 200
    now[0] += 1400  # 1,400 s of 1,800: still outside the 300 s margin
    client.get("/x")
    assert server.issued == 1
    now[0] += 200  # within the margin: renewed before the call
    client.get("/x")
    assert server.issued == 2 and server.api_calls == ["at-1", "at-1", "at-2"]
    server.valid = set()  # the app was revoked: a 401 is reported, not answered with a refresh
    assert client.get("/x").status_code == 401
    assert server.issued == 2


def test_a_refused_refresh_token_fails_fast_and_names_no_secret():
    server = TokenServer(refuse=True)
    auth = RefreshingToken(
        "https://api.example/oauth/v3/token", "cid", SecretStr("client-secret-xyz"), SecretStr("refresh-secret-abc")
    )
    client = httpx.Client(transport=httpx.MockTransport(server), auth=auth, base_url="https://api.example")
    with pytest.raises(TokenRefused) as refused:
        client.get("/x")
    assert refused.value.run_fatal
    assert "invalid_grant" in str(refused.value)
    assert "client-secret-xyz" not in str(refused.value) and "refresh-secret-abc" not in str(refused.value)
    assert "refresh-secret-abc" not in repr(auth)


def test_salesforce_sessions_renew_on_invalid_session_and_rotated_tokens_are_handed_over():
    server = TokenServer(rotate=True)
    rotated: list[str] = []
    auth = SalesforceSession(
        "https://login.example/services/oauth2/token",
        "cid",
        SecretStr("cs"),
        SecretStr("rt-0"),
        on_rotate=lambda t: rotated.append(t.get_secret_value()),
    )
    client = httpx.Client(transport=httpx.MockTransport(server), auth=auth, base_url="https://login.example")
    assert auth.login(client) == "https://org.example"
    assert client.get("/q").status_code == 200
    server.valid = set()  # the org's session timeout passed
    assert client.get("/q").status_code == 200  # renewed once and sent again
    assert server.api_calls == ["at-1", "at-1", "at-2"]
    assert rotated == ["rt-1", "rt-2"]
    # Each grant presented the refresh token the previous one returned: the old one is dead.
    assert [g["refresh_token"] for g in server.grants] == [["rt-0"], ["rt-1"]]


# quota


def test_the_guard_stops_before_the_request_that_would_pass_the_share():
    guard = QuotaGuard("Salesforce", salesforce_usage, stop_at_share=0.8)
    guard(httpx.Response(200, headers={"Sforce-Limit-Info": "api-usage=7999/10000"}))
    guard.check()
    guard(httpx.Response(200, headers={"Sforce-Limit-Info": "api-usage=8000/10000"}))
    with pytest.raises(QuotaReached, match="8,000 of the account's 10,000"):
        guard.check()


def test_the_guard_reads_hubspot_daily_headers_and_caps_requests_per_run():
    guard = QuotaGuard("HubSpot", hubspot_usage, stop_at_share=0.9, max_requests=2)
    guard(
        httpx.Response(
            200, headers={"X-HubSpot-RateLimit-Daily": "250000", "X-HubSpot-RateLimit-Daily-Remaining": "249000"}
        )
    )
    assert guard.usage.used == 1000 and guard.usage.limit == 250000
    guard(httpx.Response(200))  # a search answer has no daily headers: usage is kept
    assert guard.usage.used == 1000
    with pytest.raises(QuotaReached, match="max_requests"):
        guard.check()


def test_a_quota_stop_sends_nothing_more():
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={}, headers={"Sforce-Limit-Info": "api-usage=95/100"})

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="https://org.example")
    guard = QuotaGuard("Salesforce", salesforce_usage, stop_at_share=0.9)
    caller = ApiCaller(client, Retrier(observe=guard), guard=guard)
    caller.get("/a")
    with pytest.raises(QuotaReached):
        caller.get("/b")
    assert len(sent) == 1


# vendor error codes


def response(status: int, body, headers=None) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        request=httpx.Request("GET", "https://api.example/x"),
    )


def test_salesforce_codes_decide_over_the_status():
    limit = response(403, [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
    assert classify(limit, SALESFORCE_ERRORS) is ErrorKind.FATAL
    error = error_for_response(limit, ErrorKind.FATAL, SALESFORCE_ERRORS, now=0)
    assert error.run_fatal and error.code == "REQUEST_LIMIT_EXCEEDED"
    assert "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded." in error.detail
    locked = response(400, [{"message": "unable to obtain exclusive access", "errorCode": "UNABLE_TO_LOCK_ROW"}])
    assert classify(locked, SALESFORCE_ERRORS) is ErrorKind.RETRIABLE
    timeout = response(400, [{"message": "Your query request was running for too long.", "errorCode": "QUERY_TIMEOUT"}])
    assert classify(timeout, SALESFORCE_ERRORS) is ErrorKind.FATAL
    assert error_for_response(timeout, ErrorKind.FATAL, SALESFORCE_ERRORS, now=0).code == "QUERY_TIMEOUT"


def test_hubspot_429s_wait_out_their_policy_unless_it_is_the_daily_one():
    secondly = response(
        429,
        {
            "status": "error",
            "message": "You have reached your secondly limit.",
            "errorType": "RATE_LIMIT",
            "policyName": "SECONDLY",
        },
    )
    error = error_for_response(secondly, classify(secondly, HUBSPOT_ERRORS), HUBSPOT_ERRORS, now=0)
    assert error.kind is ErrorKind.RETRIABLE and error.retry_after == 1.0
    rolling = response(429, {"status": "error", "policyName": "TEN_SECONDLY_ROLLING"}, {"Retry-After": "3"})
    assert error_for_response(rolling, classify(rolling, HUBSPOT_ERRORS), HUBSPOT_ERRORS, now=0).retry_after == 3.0
    daily = response(429, {"status": "error", "message": "You have reached your daily limit.", "policyName": "DAILY"})
    assert classify(daily, HUBSPOT_ERRORS) is ErrorKind.FATAL
    assert error_for_response(daily, ErrorKind.FATAL, HUBSPOT_ERRORS, now=0).run_fatal


def test_the_retrier_sits_through_a_hubspot_window_and_logs_no_token(caplog):
    answers = iter([response(429, {"status": "error", "policyName": "TEN_SECONDLY_ROLLING"}), response(200, {})])
    client = httpx.Client(
        transport=httpx.MockTransport(lambda r: next(answers)),
        base_url="https://api.example",
        headers={"Authorization": "Bearer pat-na1-secret"},
    )
    slept: list[float] = []
    retrier = Retrier(policy=RetryPolicy(max_attempts=3), errors=HUBSPOT_ERRORS, sleep=slept.append)
    with caplog.at_level(logging.WARNING):
        assert retrier.send(client, client.build_request("GET", "/x")).status_code == 200
    assert slept == [10.0]
    assert "pat-na1-secret" not in caplog.text


def test_a_fatal_answer_is_not_retried():
    calls = []

    def handler(request):
        calls.append(request)
        return response(400, {"status": "error", "message": "bad filter", "category": "VALIDATION_ERROR"})

    client = httpx.Client(transport=httpx.MockTransport(handler), base_url="https://api.example")
    with pytest.raises(FatalError, match="bad filter"):
        Retrier(errors=HUBSPOT_ERRORS, sleep=lambda s: None).send(client, client.build_request("GET", "/x"))
    assert len(calls) == 1
