"""Sliding-window limits: at most N requests in any window of W seconds, as CRMs enforce them.

HubSpot counts requests in a rolling 10-second window (100 or 190 by tier) and its search endpoints
in a rolling second (5). A token bucket cannot use such a limit well: over any window it admits its
burst plus rate × W, so keeping under 5 per second leaves at most 4 per second on average. A window
limit can use all of it: keep the send times of the last N requests (N slots); a request may go once
the oldest slot is W seconds old, and it takes that slot.

`StoreWindowLimiter` keeps the N slots as rows of the store's `rate_windows` table, so every task,
process and overlapping run that calls the same account shares them; a slot is claimed with an
optimistic `UPDATE ... WHERE at = :seen` (zero rows: another process took it first; look again),
atomic on SQLite and PostgreSQL. `MemoryWindowLimiter` is the same in process memory.

The vendor measures on arrival, not on our send time, and arrivals jitter (network, and a thread
that claimed a slot waiting for the interpreter before it sends, as another thread decodes a big
page): the window we keep is W stretched by `margin` (1% by default) plus `PAD` (25 ms), the price
of never drawing a 429 from our own traffic. Against HubSpot's 5 searches per second that keeps
96.6% of the limit.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

from sqlalchemy import Engine, and_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from connectors.store.schema import rate_windows

DEFAULT_MARGIN = 0.01
# Seconds. Measured: with a second thread decoding 200-contact pages, a claimed request reached the
# server up to ~20 ms late (the decoder holds the interpreter); networks add their own jitter.
PAD = 0.025


class _Window(ABC):
    def __init__(
        self,
        requests: int,
        window: float,
        margin: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        if requests < 1 or window <= 0 or margin < 0:
            raise ValueError("a window limit needs requests >= 1, window > 0 and margin >= 0")
        self.requests = requests
        self.window = window * (1 + margin) + PAD
        self.clock = clock
        self.sleep = sleep

    def acquire(self, n: int = 1) -> None:
        """Block until `n` requests may go, and count them as sent now."""
        if n < 1 or n > self.requests:
            raise ValueError(f"cannot send {n} requests at once under a limit of {self.requests}")
        for _ in range(n):
            while (wait := self._claim()) > 0:
                self.sleep(wait)

    @abstractmethod
    def _claim(self) -> float:
        """Claim the oldest slot and return 0, or return the seconds until it is free."""


class MemoryWindowLimiter(_Window):
    """A window limit in this process's memory (thread-safe)."""

    def __init__(
        self,
        requests: int,
        window: float,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(requests, window, margin, clock, sleep)
        self._slots = [float("-inf")] * requests
        self._lock = threading.Lock()

    def _claim(self) -> float:
        with self._lock:
            now = self.clock()
            oldest = min(range(self.requests), key=self._slots.__getitem__)
            wait = self._slots[oldest] + self.window - now
            if wait > 0:
                return wait
            self._slots[oldest] = now
            return 0.0


class StoreWindowLimiter(_Window):
    """A window limit kept in the store, shared by every process and run that uses `name`.

    Args:
        engine: the store's engine (migrated).
        name: the limit, e.g. "hubspot:crm:general"; one per vendor account and policy.
        requests: N, the requests allowed in any window.
        window: W in seconds.
        margin: how much longer than W our own window is (arrival jitter).
    """

    def __init__(
        self,
        engine: Engine,
        name: str,
        requests: int,
        window: float,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(requests, window, margin, clock, sleep)
        self.engine = engine
        self.name = name
        self._created = False

    def _claim(self) -> float:
        t = rate_windows.c
        while True:
            with self.engine.connect() as conn:
                row = conn.execute(
                    select(t.slot, t.at)
                    .where(and_(t.name == self.name, t.slot < self.requests))
                    .order_by(t.at, t.slot)
                    .limit(1)
                ).first()
            if row is None or not self._created:
                self._create()  # once per limiter: a first use, or a limit that grew
                continue
            now = self.clock()
            wait = float(row.at) + self.window - now
            if wait > 0:
                return wait
            claim = (
                update(rate_windows)
                .where(and_(t.name == self.name, t.slot == row.slot, t.at == row.at))
                .values(at=max(now, float(row.at)))
            )
            with self.engine.begin() as conn:
                if conn.execute(claim).rowcount == 1:
                    return 0.0
            # Another process claimed this slot between our read and our update: look again.

    def _create(self) -> None:
        """The N slots, all free; a limit that grew gets its extra slots, one that shrank ignores its surplus."""
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        rows = [{"name": self.name, "slot": slot, "at": 0.0} for slot in range(self.requests)]
        with self.engine.begin() as conn:
            conn.execute(insert(rate_windows).values(rows).on_conflict_do_nothing(index_elements=["name", "slot"]))
        self._created = True
