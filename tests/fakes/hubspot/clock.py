"""Fake time for the HubSpot fake, and the two time formats HubSpot uses.

Fake time is real `time.time()` (or an injected clock, for in-process unit tests) plus an offset
that only `advance()` moves, so tests can age OAuth tokens, let the search index catch up and slide
rate-limit windows without sleeping.

HubSpot writes `datetime` property values, `createdAt`/`updatedAt` and history timestamps as ISO-8601
UTC with milliseconds ("2026-05-03T16:50:06.678Z"); search filters and `date` properties use epoch
milliseconds as strings. `ms_from_text` reads either form (and a bare YYYY-MM-DD date).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)
DAY_MS = 86_400_000


class Clock:
    """Real (or injected) time plus an offset that only moves forward."""

    def __init__(self, source: Callable[[], float] | None = None, start_offset: float = 0.0) -> None:
        self._source = source or time.time
        self.offset = start_offset  # a fake that starts in the past (benchmarks seed "yesterday")

    def now(self) -> float:
        return self._source() + self.offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def arrival(self, stamp: str | None) -> float:
        """Fake time at which a request arrived: the loopback server's socket stamp, else now."""
        return float(stamp) + self.offset if stamp is not None and self._source is time.time else self.now()

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("fake time only moves forward")
        self.offset += seconds


@lru_cache(maxsize=1 << 16)
def iso_from_ms(ms: int) -> str:
    """Epoch ms → "2026-05-03T16:50:06.678Z" (HubSpot's datetime rendering)."""
    moment = EPOCH + timedelta(milliseconds=ms)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


@lru_cache(maxsize=1 << 16)
def ms_from_text(value: str) -> int | None:
    """Epoch ms from an epoch-ms string, an ISO-8601 datetime or a YYYY-MM-DD date; None otherwise."""
    text = value.strip()
    if not text:
        return None
    digits = text[1:] if text[0] in "+-" else text
    if digits.isdigit():
        return int(text)
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // ONE_MS
