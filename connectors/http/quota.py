"""Daily API quotas: read the vendor's usage from its responses and stop before the account runs dry.

A CRM's daily quota is shared by every integration of the account; a nightly sync that spends it
all breaks the sales team's other tools until midnight. `QuotaGuard` sees every response (it is the
Retrier's `observe` hook) and keeps the latest usage the vendor reported; `check()`, called before
each request, raises `QuotaReached` once the used share reaches the configured stop, or once this
run made its allowed number of requests. Checking before rather than after a request means no
answer already paid for is thrown away. A source that meets the stop ends at its last checkpoint,
cleanly; the next run resumes there.

Vendors report usage differently: Salesforce on every response (`Sforce-Limit-Info:
api-usage=18/15000`), HubSpot on non-search responses of private apps (`X-HubSpot-RateLimit-Daily`
and `-Daily-Remaining`). A reader per vendor turns the headers into (used, limit).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from connectors.http.errors import FatalError

UsageReader = Callable[[httpx.Headers], tuple[int, int] | None]


class QuotaReached(FatalError):
    """The daily quota (or this run's request allowance) is used up to the configured stop."""

    def __init__(self, message: str) -> None:
        super().__init__(message, detail=message, run_fatal=True)


_SFORCE = re.compile(r"api-usage=(\d+)/(\d+)")


def salesforce_usage(headers: httpx.Headers) -> tuple[int, int] | None:
    """(used, limit) from `Sforce-Limit-Info: api-usage=n/m`."""
    match = _SFORCE.search(headers.get("Sforce-Limit-Info", ""))
    return (int(match.group(1)), int(match.group(2))) if match else None


def hubspot_usage(headers: httpx.Headers) -> tuple[int, int] | None:
    """(used, limit) from X-HubSpot-RateLimit-Daily and -Daily-Remaining (absent on search and OAuth)."""
    daily, remaining = headers.get("X-HubSpot-RateLimit-Daily"), headers.get("X-HubSpot-RateLimit-Daily-Remaining")
    if not daily or remaining is None:
        return None
    try:
        limit = int(daily)
        return limit - int(remaining), limit
    except ValueError:
        return None


@dataclass
class Usage:
    used: int | None = None
    limit: int | None = None
    requests: int = 0  # responses seen this run

    @property
    def share(self) -> float | None:
        return self.used / self.limit if self.used is not None and self.limit else None


class QuotaGuard:
    """Counts this run's requests and the vendor's reported usage; stops at the configured share."""

    def __init__(self, vendor: str, reader: UsageReader, stop_at_share: float, max_requests: int | None = None):
        self.vendor = vendor
        self.reader = reader
        self.stop_at_share = stop_at_share
        self.max_requests = max_requests
        self.usage = Usage()
        self._lock = threading.Lock()

    def __call__(self, response: httpx.Response) -> None:
        with self._lock:
            self.usage.requests += 1
            reported = self.reader(response.headers)
            if reported is not None:
                self.usage.used, self.usage.limit = reported

    def check(self) -> None:
        """Raise QuotaReached once a stop applies; called before every request."""
        share = self.usage.share
        if share is not None and share >= self.stop_at_share:
            raise QuotaReached(
                f"{self.vendor}: {self.usage.used:,} of the account's {self.usage.limit:,} daily API requests are "
                f"used ({share:.0%}, the stop is at {self.stop_at_share:.0%}); stopping at the last checkpoint, "
                "the next run goes on from there"
            )
        if self.max_requests is not None and self.usage.requests >= self.max_requests:
            raise QuotaReached(
                f"{self.vendor}: this run made its allowed {self.max_requests:,} requests (quota.max_requests); "
                "stopping at the last checkpoint, the next run goes on from there"
            )
