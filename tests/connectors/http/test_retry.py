"""Retries: only the retriable kind, Retry-After honoured, capped jittered backoff, no real sleeping."""

from __future__ import annotations

from collections import deque

import httpx
import pytest

from connectors.http.auth import ApiKeyQuery
from connectors.http.client import make_client
from connectors.http.errors import ErrorKind, ErrorPolicy, FatalError, RetriableError
from connectors.http.ratelimit import MemoryRateLimiter
from connectors.http.retry import Retrier, RetryPolicy

KEY = "query-key-secret-777"


class Script:
    """A transport that answers from a list of responses (or exceptions), then 200."""

    def __init__(self, *steps):
        self.steps = deque(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps.popleft() if self.steps else httpx.Response(200, json={"ok": True})
        if isinstance(step, Exception):
            raise step
        return step


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def send(script: Script, retrier: Retrier, **kwargs) -> httpx.Response:
    client = make_client("https://api.example.test", timeout=5, transport=httpx.MockTransport(script))
    return retrier.send(client, client.build_request("GET", "/v1/thing", params={"q": "x"}), **kwargs)


def test_429_with_retry_after_waits_exactly_that():
    script, sleeps = (
        Script(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(429, headers={"Retry-After": "0"})),
        Sleeps(),
    )
    response = send(script, Retrier(sleep=sleeps, draw=lambda: 0.5))
    assert response.status_code == 200
    assert sleeps == [7, 0]
    assert len(script.requests) == 3


def test_429_without_retry_after_backs_off_exponentially_with_jitter_and_a_cap():
    script = Script(*[httpx.Response(429) for _ in range(5)])
    sleeps = Sleeps()
    policy = RetryPolicy(max_attempts=6, base_delay=1.0, max_delay=5.0)
    send(script, Retrier(policy=policy, sleep=sleeps, draw=lambda: 1.0))
    assert sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]  # the ceiling, capped at 5
    low = Sleeps()
    send(Script(*[httpx.Response(503) for _ in range(3)]), Retrier(policy=policy, sleep=low, draw=lambda: 0.0))
    assert low == [0.5, 1.0, 2.0]  # half the ceiling: jitter draws in [ceiling/2, ceiling)


def test_5xx_is_retried_then_raised_after_max_attempts():
    script, sleeps = Script(*[httpx.Response(500, json={"error": "boom"}) for _ in range(10)]), Sleeps()
    with pytest.raises(RetriableError) as caught:
        send(script, Retrier(policy=RetryPolicy(max_attempts=3), sleep=sleeps))
    assert len(script.requests) == 3 and len(sleeps) == 2
    assert caught.value.status == 500 and caught.value.detail == "HTTP 500: boom"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_fatal_answers_are_never_retried(status):
    script, sleeps = Script(httpx.Response(status, json={"error": "no"})), Sleeps()
    with pytest.raises(FatalError):
        send(script, Retrier(sleep=sleeps))
    assert len(script.requests) == 1 and sleeps == []


def test_timeouts_and_dropped_connections_are_retried():
    script, sleeps = Script(httpx.ReadTimeout("timed out"), httpx.ConnectError("refused")), Sleeps()
    assert send(script, Retrier(sleep=sleeps)).status_code == 200
    assert len(sleeps) == 2


def test_a_wait_longer_than_max_wait_is_refused_at_once():
    script, sleeps = Script(httpx.Response(429, headers={"Retry-After": "86400"})), Sleeps()
    with pytest.raises(RetriableError) as caught:
        send(script, Retrier(policy=RetryPolicy(max_wait=300), sleep=sleeps))
    assert caught.value.wait_refused and sleeps == []


def test_vendor_overrides_drive_what_is_retried():
    hunter = ErrorPolicy(overrides={403: ErrorKind.RETRIABLE, 429: ErrorKind.FATAL})
    sleeps = Sleeps()
    assert send(Script(httpx.Response(403)), Retrier(errors=hunter, sleep=sleeps)).status_code == 200
    with pytest.raises(FatalError):
        send(Script(httpx.Response(429)), Retrier(errors=hunter, sleep=sleeps))
    assert len(sleeps) == 1


def test_every_attempt_takes_a_token_from_the_limiter():
    limiter = MemoryRateLimiter(rate_per_second=1, burst=10, clock=lambda: 0.0, sleep=lambda s: None)
    send(Script(httpx.Response(503), httpx.Response(503)), Retrier(limiter=limiter, sleep=Sleeps()), tokens=2)
    assert limiter._tokens == 10 - 3 * 2


def test_the_query_key_never_appears_in_the_raised_error():
    script = Script(*[httpx.Response(500, json={"error": f"bad request ?api_key={KEY}"}) for _ in range(4)])
    with pytest.raises(RetriableError) as caught:
        send(script, Retrier(sleep=Sleeps()), auth=ApiKeyQuery("api_key", KEY))
    assert KEY in str(script.requests[0].url)
    assert KEY not in str(caught.value) and KEY not in caught.value.detail
    assert KEY not in repr(caught.value)
