"""One vendor account's calls: the Retrier, the rate limits each call counts against, the quota guard.

Every call counts against the caller's `limiters` unless it names its own `limits` (HubSpot's
search endpoints have a limit of their own instead of the account's ten-second one).

Connectors speak to their vendor through an `ApiCaller`: `get`/`post` build the request on the
injected client, check the daily quota first, send it through the Retrier (retrying only what the
vendor's error policy calls retriable, under every limit that applies) and hand back the decoded
JSON. It counts requests per path family for the run summary and the benchmarks.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from connectors.http.quota import QuotaGuard
from connectors.http.ratelimit import RateLimiter
from connectors.http.retry import Retrier

Params = Mapping[str, Any] | list[tuple[str, Any]]


class ApiCaller:
    def __init__(
        self,
        client: httpx.Client,
        retrier: Retrier,
        *,
        limiters: Sequence[RateLimiter] = (),
        guard: QuotaGuard | None = None,
    ) -> None:
        self.client = client
        self.retrier = retrier
        self.limiters = tuple(limiters)
        self.guard = guard
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def get(self, path: str, params: Params | None = None, *, limits: Sequence[RateLimiter] | None = None) -> Any:
        return self.send(self.client.build_request("GET", path, params=params), limits=limits)

    def post(self, path: str, body: Any, *, limits: Sequence[RateLimiter] | None = None) -> Any:
        return self.send(self.client.build_request("POST", path, json=body), limits=limits)

    def send(self, request: httpx.Request, *, limits: Sequence[RateLimiter] | None = None) -> Any:
        """The decoded JSON body of the first non-error response (text, for non-JSON answers)."""
        return self.respond(request, limits=limits).json()

    def respond(self, request: httpx.Request, *, limits: Sequence[RateLimiter] | None = None) -> httpx.Response:
        """The first non-error response itself (for bodies that are not JSON, or headers that matter)."""
        if self.guard is not None:
            self.guard.check()
        with self._lock:
            self.counts[_family(request.url.path)] += 1
        chosen = self.limiters if limits is None else tuple(limits)
        return self.retrier.send(self.client, request, auth=self.client.auth, limiters=chosen)

    @property
    def requests(self) -> int:
        return sum(self.counts.values())


def _family(path: str) -> str:
    """'/crm/v3/objects/contacts/search' stays; ids and locators in paths are folded away."""
    parts = [p for p in path.split("/") if p]
    kept = [p if not any(c.isdigit() for c in p) or p.startswith("v") else "{id}" for p in parts]
    return "/" + "/".join(kept)
