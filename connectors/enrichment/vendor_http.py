"""What the paid providers (PDL, Apollo, Hunter, Clearbit) share around the HTTP layer.

`VendorHttp` sends one request with the vendor's auth, error policy, retries and rate limiter, and
turns the errors that end the provider's run (bad key, no credits, a wait longer than we sit
through) into ProviderFatal. `gather` collects a provider's answers and, should it stop half way,
raises `ProviderStopped`: a ProviderFatal that still carries the answers already paid for.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, TypeVar

import httpx

from connectors.enrichment.base import Answer, Lookup, Outcome, ProviderFatal
from connectors.http.auth import auth_secrets
from connectors.http.errors import ApiError, ErrorPolicy, FatalError, redact
from connectors.http.ratelimit import RateLimiter
from connectors.http.retry import Retrier, RetryPolicy

T = TypeVar("T")
# Query parameters: a mapping, or pairs where a name repeats (Apollo's domains[]).
Params = Mapping[str, Any] | list[tuple[str, Any]]


class ProviderStopped(ProviderFatal):
    """The provider cannot go on this run; `answers` holds what it answered (and was charged) before."""

    def __init__(self, message: str, answers: Mapping[str, Answer]) -> None:
        super().__init__(message, dict(answers))


class VendorHttp:
    """One vendor account's HTTP calls: auth, error policy, retries, the shared rate limiter."""

    def __init__(
        self,
        provider: str,
        client: httpx.Client,
        auth: httpx.Auth,
        errors: ErrorPolicy,
        limiter: RateLimiter | None,
        max_attempts: int,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        draw: Callable[[], float] = random.random,
    ) -> None:
        self.provider = provider
        self.client = client
        self.auth = auth
        self.secrets = auth_secrets(auth)
        self.retrier = Retrier(
            policy=RetryPolicy(max_attempts=max_attempts),
            errors=errors,
            limiter=limiter,
            sleep=sleep,
            clock=clock,
            draw=draw,
            secrets=self.secrets,
        )

    def get(self, path: str, params: Params, *, tokens: int = 1) -> httpx.Response:
        return self.send(self.client.build_request("GET", path, params=params), tokens=tokens)

    def post(self, path: str, *, body: Any = None, params: Params | None = None, tokens: int = 1) -> httpx.Response:
        return self.send(self.client.build_request("POST", path, params=params, json=body), tokens=tokens)

    def send(self, request: httpx.Request, *, tokens: int = 1) -> httpx.Response:
        """The vendor's non-error response.

        Raises:
            ProviderFatal: credentials refused, payment or quota exhausted, or a longer wait demanded
                than the retry policy sits through.
            ApiError: any other failure, for the lookups this request was about.
        """
        try:
            return self.retrier.send(self.client, request, auth=self.auth, tokens=tokens)
        except ApiError as err:
            if err.run_fatal or err.wait_refused:
                raise ProviderFatal(f"{self.provider}: {err.detail}") from None
            raise

    def json(self, response: httpx.Response) -> Any:
        """The body as JSON; an unreadable body is a FatalError for the lookups concerned."""
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            detail = f"HTTP {response.status_code}: the body is not JSON"
            raise FatalError(
                f"{response.request.method} {response.request.url.path}: {detail}", detail=detail
            ) from None

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)


def unique(lookups: Sequence[Lookup]) -> dict[str, Lookup]:
    """One lookup per key, the first of each: duplicates cost one call and share its answer."""
    found: dict[str, Lookup] = {}
    for lookup in lookups:
        found.setdefault(lookup.key, lookup)
    return found


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def failed(err: ApiError) -> Answer:
    """A FAILED answer: not cached, asked again next run. The detail names status and vendor message only."""
    return Answer(Outcome.FAILED, detail=err.detail)


def miss(detail: str | None = None) -> Answer:
    return Answer(Outcome.MISS, detail=detail)


def gather(pairs: Iterable[tuple[str, Answer]]) -> dict[str, Answer]:
    """The answers a provider yields as (key, answer); ProviderStopped keeps them if it stops half way."""
    answers: dict[str, Answer] = {}
    try:
        for key, answer in pairs:
            answers[key] = answer
    except ProviderFatal as exc:
        raise ProviderStopped(str(exc), answers) from None
    return answers
