"""Token buckets: one per vendor account, shared by every task, process and overlapping run.

`StoreRateLimiter` keeps the bucket in the store's `rate_limits` row (tokens, updated_at). Taking
tokens is optimistic, with no table lock: read the row, compute the refill, then
`UPDATE ... WHERE tokens = :old AND updated_at = :old_at`; zero rows updated means another process
took tokens in between, so read again. The first user inserts the full bucket with
ON CONFLICT DO NOTHING. This is atomic on SQLite and PostgreSQL alike.

`MemoryRateLimiter` is the same bucket in process memory, for pure unit tests and one-off scripts.

A bucket holds at most `burst` tokens and refills at `rate_per_second`, so over any window of W
seconds at most burst + rate * W tokens are taken.
"""

from __future__ import annotations

import math
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import Engine, and_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from connectors.store.schema import rate_limits
from leads.config import RateLimitConfig


class RateLimiter(Protocol):
    def acquire(self, n: int = 1) -> None:
        """Block until `n` tokens are taken."""
        ...


def default_burst(rate_per_second: float) -> float:
    """One second's worth of requests, at least 2 (so a call weighted 2 tokens, Apollo's bulk, fits)."""
    return float(max(2, math.ceil(rate_per_second)))


# Refill arithmetic in floats can leave 0.9999999 of a token where a whole one is due; waiting for the
# rest would be a wait shorter than the clock can tell apart. Within this slack a token counts as there.
SLACK = 1e-6


def _refill(tokens: float, updated_at: float, now: float, rate: float, burst: float) -> float:
    # A clock behind the row's (another host's skew) refills nothing rather than going negative.
    return min(burst, tokens + max(0.0, now - updated_at) * rate)


class _Bucket(ABC):
    def __init__(
        self,
        rate_per_second: float,
        burst: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        if rate_per_second <= 0 or burst < 1:
            raise ValueError("a rate limit needs rate_per_second > 0 and burst >= 1")
        self.rate = float(rate_per_second)
        self.burst = float(burst)
        self.clock = clock
        self.sleep = sleep

    def acquire(self, n: int = 1) -> None:
        """Block until `n` tokens are taken. `n` may not exceed the burst (it could never be met)."""
        self._check(n)
        while (wait := self._take(n)) > 0:
            self.sleep(wait)

    def try_acquire(self, n: int = 1) -> bool:
        """Take `n` tokens if they are there now; never blocks."""
        self._check(n)
        return self._take(n) <= 0

    def _check(self, n: int) -> None:
        if n < 1 or n > self.burst:
            raise ValueError(f"cannot take {n} tokens from a bucket of {self.burst:g}")

    @abstractmethod
    def _take(self, n: int) -> float:
        """Take `n` tokens and return 0, or return the seconds until they will be there."""


class MemoryRateLimiter(_Bucket):
    """A token bucket in this process's memory (thread-safe)."""

    def __init__(
        self,
        rate_per_second: float,
        burst: float,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(rate_per_second, burst, clock, sleep)
        self._lock = threading.Lock()
        self._tokens = self.burst
        self._updated_at: float | None = None

    def _take(self, n: int) -> float:
        with self._lock:
            now = self.clock()
            at = now if self._updated_at is None else self._updated_at
            available = _refill(self._tokens, at, now, self.rate, self.burst)
            if available + SLACK < n:
                return (n - available) / self.rate
            self._tokens, self._updated_at = available - n, max(now, at)
            return 0.0


class StoreRateLimiter(_Bucket):
    """A token bucket in the store's `rate_limits` table, shared across processes and runs.

    Args:
        engine: the store's engine (SQLite or PostgreSQL), migrated.
        name: the bucket, e.g. "enrichment:pdl"; one per vendor account.
        rate_per_second: the refill rate.
        burst: the bucket's size: how many requests may go at once after a quiet spell.
    """

    def __init__(
        self,
        engine: Engine,
        name: str,
        rate_per_second: float,
        burst: float,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(rate_per_second, burst, clock, sleep)
        self.engine = engine
        self.name = name

    @classmethod
    def for_config(
        cls,
        engine: Engine,
        name: str,
        limit: RateLimitConfig,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> StoreRateLimiter:
        """The bucket for a configured limit, with `default_burst`."""
        rate = limit.per_second
        return cls(engine, name, rate, default_burst(rate), clock=clock, sleep=sleep)

    def _take(self, n: int) -> float:
        while True:
            now = self.clock()
            with self.engine.connect() as conn:
                row = conn.execute(
                    select(rate_limits.c.tokens, rate_limits.c.updated_at).where(rate_limits.c.name == self.name)
                ).first()
            if row is None:
                self._create(now)
                continue
            tokens, at = float(row.tokens), float(row.updated_at)
            available = _refill(tokens, at, now, self.rate, self.burst)
            if available + SLACK < n:
                return (n - available) / self.rate
            if self._swap(tokens, at, available - n, max(now, at)):
                return 0.0
            # Lost a race: another process took tokens between our read and our update. Read again.

    def _create(self, now: float) -> None:
        dialect = self.engine.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(rate_limits).values(name=self.name, tokens=self.burst, updated_at=now)
        with self.engine.begin() as conn:
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["name"]))

    def _swap(self, old_tokens: float, old_at: float, tokens: float, at: float) -> bool:
        stmt = (
            update(rate_limits)
            .where(
                and_(
                    rate_limits.c.name == self.name,
                    rate_limits.c.tokens == old_tokens,
                    rate_limits.c.updated_at == old_at,
                )
            )
            .values(tokens=tokens, updated_at=at)
        )
        with self.engine.begin() as conn:
            return conn.execute(stmt).rowcount == 1
