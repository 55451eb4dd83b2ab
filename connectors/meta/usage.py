"""Meta's usage headers: pause, or stop at a checkpoint, before the hourly budget runs out.

Meta reports usage on (almost) every response as percentages of a rolling hourly budget: the app's
(`X-App-Usage`: call_count, total_cputime, total_time), the ad account's (`X-Ad-Account-Usage`:
acc_id_util_pct) and each Business Use Case's (`X-Business-Use-Case-Usage`, keyed by business id,
with `estimated_time_to_regain_access` in minutes once it is throttled). Past 100% every call is
refused with a throttling code, and refusals keep the budget exhausted longer.

`MetaUsageGuard` sees every response (the Retrier's observe hook) and keeps the highest share and
the longest regain estimate. Before each request, once the share reaches `stop_at_share` (95% by
default, where Airbyte pauses) or Meta says access is blocked, it waits: the regain estimate, at
least a minute, and at most `max_pause` over the whole run. Past that it stops the source at its
last checkpoint (QuotaReached, status `stopped`); the next run goes on from there.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx

from connectors.http.quota import QuotaGuard, QuotaReached
from connectors.meta.settings import MIN_PAUSE, regain_seconds

_PERCENT_KEYS = ("call_count", "total_cputime", "total_time", "acc_id_util_pct")


def usage_share(headers: httpx.Headers) -> float | None:
    """The highest usage any of Meta's usage headers reports, as a share (0.97 for 97%)."""
    found: list[float] = []
    for name in ("X-App-Usage", "X-Ad-Account-Usage", "X-Business-Use-Case-Usage"):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        found += _percentages(value)
    return max(found) / 100 if found else None


def _percentages(value: object) -> list[float]:
    if isinstance(value, dict):
        numbers = [float(v) for k, v in value.items() if k in _PERCENT_KEYS and isinstance(v, int | float)]
        return numbers + [p for v in value.values() if isinstance(v, list | dict) for p in _percentages(v)]
    if isinstance(value, list):
        return [p for item in value for p in _percentages(item)]
    return []


class MetaUsageGuard(QuotaGuard):
    """A QuotaGuard reading Meta's percentages, which pauses before it stops."""

    def __init__(
        self,
        stop_at_share: float,
        max_pause: float,
        max_requests: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__("Meta", lambda headers: None, stop_at_share, max_requests)
        self.max_pause = max_pause
        self.sleep = sleep
        self.share: float | None = None
        self.regain: float | None = None
        self.paused = 0.0
        self.notes: list[str] = []

    def __call__(self, response: httpx.Response) -> None:
        super().__call__(response)
        share, regain = usage_share(response.headers), regain_seconds(response.headers)
        with self._lock:
            if share is not None:
                self.share = share
            if regain is not None:
                self.regain = regain

    def check(self) -> None:
        super().check()  # quota.max_requests
        share, regain = self.share, self.regain
        if (share is None or share < self.stop_at_share) and not regain:
            return
        wait = max(MIN_PAUSE, regain or 0.0)
        said = f"{share:.0%} of its hourly budget" if share is not None else "its hourly budget"
        if self.paused + wait > self.max_pause:
            raise QuotaReached(
                f"Meta: usage is at {said} (usage headers); waiting longer than max_pause "
                f"({self.max_pause:.0f} s) is not worth it, so the source stops at its last checkpoint and the "
                "next run goes on from there"
            )
        self.notes.append(f"Meta: usage at {said}; paused {wait:.0f} s before going on")
        self.sleep(wait)
        self.paused += wait
        with self._lock:  # the next response says where usage stands now
            self.share = self.regain = None
