"""Send a request, retrying only what errors.classify calls retriable.

Backoff is exponential with "equal jitter" (half fixed, half random), capped; a vendor's
Retry-After (or reset header) replaces the backoff for that wait. A vendor asking us to wait longer
than `RetryPolicy.max_wait` (a daily cap, an exhausted quota window) is not waited for: the error
is raised at once with `wait_refused=True` so the caller can stop using that vendor for the run.
Every attempt first takes a token from the rate limiter, and every response is shown to the
`observe` hook (quota guards read the vendors' usage headers there and may stop the run). Sleep,
clock and randomness are injectable, so tests never sleep.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type

from connectors.http.auth import auth_secrets
from connectors.http.errors import (
    DEFAULT_POLICY,
    ApiError,
    ErrorPolicy,
    RetriableError,
    classify,
    error_for_response,
    error_for_transport,
)
from connectors.http.ratelimit import RateLimiter

Observer = Callable[[httpx.Response], None]
T = TypeVar("T")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try.

    Attributes:
        max_attempts: attempts in all, the first included.
        base_delay: the first backoff (seconds); it doubles per attempt.
        max_delay: the cap on one backoff wait.
        max_wait: the longest vendor-requested wait we sit through; longer ones give up at once.
    """

    max_attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_wait: float = 300.0

    def backoff(self, attempt: int, draw: float) -> float:
        """The wait after failed attempt number `attempt` (1-based), `draw` a uniform number in [0, 1)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return ceiling / 2 + draw * ceiling / 2


class Retrier:
    """Sends requests for one vendor with its error policy, retry policy and rate limiter."""

    def __init__(
        self,
        *,
        policy: RetryPolicy = RetryPolicy(),
        errors: ErrorPolicy = DEFAULT_POLICY,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        draw: Callable[[], float] = random.random,
        secrets: Sequence[str] = (),
        observe: Observer | None = None,
    ) -> None:
        self.policy = policy
        self.observe = observe
        self.errors = errors
        self.limiter = limiter
        self.sleep = sleep
        self.clock = clock
        self.draw = draw
        self.secrets = tuple(secrets)

    def send(
        self,
        client: httpx.Client,
        request: httpx.Request,
        *,
        auth: httpx.Auth | None = None,
        tokens: int = 1,
        limiters: Sequence[RateLimiter] = (),
    ) -> httpx.Response:
        """The first response that is not an error (per the error policy).

        `limiters` are taken from on every attempt, after the Retrier's own (each call names the
        limits it counts against: HubSpot's search endpoints have one of their own).

        Raises:
            FatalError: at once, for a fatal response or transport failure.
            RetriableError: when the attempts are used up, or the vendor asks for a longer wait than
                `max_wait` (then its `wait_refused` is True).
        """
        secrets = self.secrets + auth_secrets(auth)
        every = ((self.limiter,) if self.limiter is not None else ()) + tuple(limiters)
        return self._retrying()(self._attempt, client, request, auth, tokens, secrets, every)

    def call(self, action: Callable[[], T]) -> T:
        """Run `action`, retrying it on RetriableError like a request (a sign-in before the first call)."""
        return self._retrying()(action)

    def _retrying(self) -> Retrying:
        return Retrying(
            stop=self._stop,
            wait=self._wait,
            retry=retry_if_exception_type(RetriableError),
            sleep=self.sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )

    def _attempt(
        self,
        client: httpx.Client,
        request: httpx.Request,
        auth: httpx.Auth | None,
        tokens: int,
        secrets: tuple[str, ...],
        limiters: tuple[RateLimiter, ...],
    ) -> httpx.Response:
        for limiter in limiters:
            limiter.acquire(tokens)
        try:
            response = client.send(request, auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT)
        except httpx.TransportError as exc:
            raise error_for_transport(exc, secrets=secrets) from None
        if self.observe is not None:
            self.observe(response)
        kind = classify(response, self.errors)
        if kind is None:
            return response
        raise error_for_response(response, kind, self.errors, now=self.clock(), secrets=secrets)

    def _stop(self, state: RetryCallState) -> bool:
        error = _error(state)
        if state.attempt_number >= self.policy.max_attempts:
            return True
        if error is not None and error.retry_after is not None and error.retry_after > self.policy.max_wait:
            error.wait_refused = True
            return True
        return False

    def _wait(self, state: RetryCallState) -> float:
        error = _error(state)
        if error is not None and error.retry_after is not None:
            return error.retry_after
        return self.policy.backoff(state.attempt_number, self.draw())

    def _log_retry(self, state: RetryCallState) -> None:
        error = _error(state)
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "%s; retrying in %.1f s (attempt %d of %d)", error, wait, state.attempt_number + 1, self.policy.max_attempts
        )


def _error(state: RetryCallState) -> ApiError | None:
    exc = state.outcome.exception() if state.outcome is not None else None
    return exc if isinstance(exc, ApiError) else None
