"""HubSpot's API rate limits for privately distributed apps, as rolling windows of fake time.

Reproduces (research brief §1.4): per tier, a TEN_SECONDLY_ROLLING limit of 100 (starter) or 190
(professional, enterprise) requests per rolling 10 s and a DAILY limit of 250k / 650k / 1M; search
endpoints limited separately to 5 requests per rolling second (SECONDLY) and not counted in the
ten-secondly window. A request over a limit answers 429 with HubSpot's body (`errorType`
RATE_LIMIT, `policyName`, `groupName`, `correlationId`) and is not counted as used. Non-search
responses carry X-HubSpot-RateLimit-Max / -Remaining / -Interval-Milliseconds, plus -Daily /
-Daily-Remaining for private apps (OAuth calls omit the daily pair); search responses carry none.
`Retry-After` is "not reliably present": with retry_after="sometimes" every other 429 carries it
(the first one does), "always" and "never" do what they say.

Choices: `time_scale` divides every window, the day included (time_scale=10 → 100 per rolling 1 s,
a "day" of 8,640 s); days are UTC days of fake time (HubSpot uses the account's time zone). OAuth
apps get the tier's ten-secondly limit and no daily limit. Requests answered by an injected fault,
401s and the OAuth token endpoint are not counted. With rate_limits=False nothing is refused but
everything is still counted, so `usage()` shows the peak a run would have needed.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

TEN_SECONDLY = "TEN_SECONDLY_ROLLING"
SECONDLY = "SECONDLY"
DAILY = "DAILY"
TEN_SECONDLY_LIMITS = {"starter": 100, "professional": 190, "enterprise": 190}
DAILY_LIMITS = {"starter": 250_000, "professional": 650_000, "enterprise": 1_000_000}
SEARCH_PER_SECOND = 5
MESSAGES = {
    TEN_SECONDLY: "You have reached your ten_secondly_rolling limit.",
    SECONDLY: "You have reached your secondly limit.",
    DAILY: "You have reached your daily limit.",
}


@dataclass
class Window:
    """A rolling window: how many requests were admitted in the last `seconds`."""

    policy: str
    limit: int
    seconds: float
    times: deque[float] = field(default_factory=deque)
    used: int = 0
    peak: int = 0
    throttled: int = 0

    def level(self, now: float) -> int:
        while self.times and self.times[0] <= now - self.seconds:
            self.times.popleft()
        return len(self.times)

    def record(self, now: float) -> None:
        self.times.append(now)
        self.used += 1
        self.peak = max(self.peak, len(self.times))

    def wait(self, now: float) -> float:
        return self.times[0] + self.seconds - now if self.times else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"limit": self.limit, "window_ms": round(self.seconds * 1000), "used": self.used, "peak": self.peak,
                "throttled": self.throttled}


@dataclass
class Day:
    """The daily counter, reset at each (scaled) UTC midnight of fake time."""

    limit: int
    seconds: float
    day: int = -1
    today: int = 0
    used: int = 0
    peak: int = 0
    throttled: int = 0

    def level(self, now: float) -> int:
        day = int(now // self.seconds)
        if day != self.day:
            self.day, self.today = day, 0
        return self.today

    def record(self, now: float) -> None:
        self.level(now)
        self.today += 1
        self.used += 1
        self.peak = max(self.peak, self.today)

    def wait(self, now: float) -> float:
        return (int(now // self.seconds) + 1) * self.seconds - now

    def resets_at(self, now: float) -> float:
        return now + self.wait(now)

    def to_json(self) -> dict[str, Any]:
        return {"limit": self.limit, "window_ms": round(self.seconds * 1000), "used": self.used, "peak": self.peak,
                "today": self.today, "throttled": self.throttled}


@dataclass
class Throttle:
    policy: str
    wait: float
    headers: dict[str, str]


class RateLimits:
    def __init__(self, tier: str = "starter", time_scale: float = 1.0, enabled: bool = True,
                 retry_after: str = "sometimes", daily: bool = True) -> None:
        if tier not in TEN_SECONDLY_LIMITS:
            raise ValueError(f"tier must be one of {sorted(TEN_SECONDLY_LIMITS)}")
        if retry_after not in ("sometimes", "always", "never"):
            raise ValueError("retry_after must be sometimes, always or never")
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.tier = tier
        self.time_scale = time_scale
        self.enabled = enabled
        self.retry_after = retry_after
        self.ten = Window(TEN_SECONDLY, TEN_SECONDLY_LIMITS[tier], 10.0 / time_scale)
        self.search = Window(SECONDLY, SEARCH_PER_SECOND, 1.0 / time_scale)
        self.day: Day | None = Day(DAILY_LIMITS[tier], 86_400.0 / time_scale) if daily else None
        self.throttles = 0

    def admit(self, search: bool, now: float) -> Throttle | None:
        """Count the request, or say which policy refuses it (and count nothing)."""
        window = self.search if search else self.ten
        if self.enabled:
            refused: Window | Day | None = None
            if self.day is not None and self.day.level(now) >= self.day.limit:
                refused = self.day
            elif window.level(now) >= window.limit:
                refused = window
            if refused is not None:
                refused.throttled += 1
                self.throttles += 1
                policy = DAILY if isinstance(refused, Day) else refused.policy
                return Throttle(policy, refused.wait(now), self._retry_after(refused.wait(now)))
        window.level(now)
        window.record(now)
        if self.day is not None:
            self.day.record(now)
        return None

    def _retry_after(self, wait: float) -> dict[str, str]:
        give = self.retry_after == "always" or (self.retry_after == "sometimes" and self.throttles % 2 == 1)
        return {"Retry-After": str(max(1, math.ceil(wait)))} if give else {}

    def headers(self, search: bool, now: float) -> dict[str, str]:
        if search:
            return {}
        headers = {
            "X-HubSpot-RateLimit-Max": str(self.ten.limit),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self.ten.limit - self.ten.level(now))),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(round(self.ten.seconds * 1000)),
        }
        if self.day is not None:
            headers["X-HubSpot-RateLimit-Daily"] = str(self.day.limit)
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(max(0, self.day.limit - self.day.level(now)))
        return headers

    def usage(self) -> dict[str, Any]:
        policies = {TEN_SECONDLY: self.ten.to_json(), SECONDLY: self.search.to_json()}
        if self.day is not None:
            policies[DAILY] = self.day.to_json()
        return {"tier": self.tier, "enforced": self.enabled, "time_scale": self.time_scale,
                "policies": policies, "throttled": self.throttles}
