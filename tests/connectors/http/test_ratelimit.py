"""Token buckets: shared through the store across limiters and threads, bounded over any window."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from connectors.http.ratelimit import MemoryRateLimiter, StoreRateLimiter, default_burst
from connectors.store.engine import get_engine
from connectors.store.migrate import upgrade
from connectors.store.schema import rate_limits
from leads.config import RateLimitConfig


class FakeClock:
    """Time that moves only when someone sleeps."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def assert_bounded(grants: list[float], rate: float, burst: float, windows=(0.5, 1, 5, 10, 30)) -> None:
    """Over every window of W seconds (starting at any grant) at most burst + rate * W grants."""
    for width in windows:
        for i, start in enumerate(grants):
            inside = sum(1 for t in grants[i:] if t <= start + width + 1e-9)
            assert inside <= burst + rate * width + 1e-6, (width, start, inside)


@pytest.fixture
def engine(database_url):
    engine = get_engine(database_url)
    upgrade(engine)
    return engine


def test_memory_bucket_lets_a_burst_through_then_sleeps_the_deficit():
    clock = FakeClock()
    bucket = MemoryRateLimiter(rate_per_second=2, burst=3, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        bucket.acquire()
    assert clock.slept == []
    bucket.acquire()
    assert clock.slept == [pytest.approx(0.5)]
    assert not bucket.try_acquire()


def test_a_request_bigger_than_the_burst_is_refused():
    bucket = MemoryRateLimiter(rate_per_second=1, burst=2)
    with pytest.raises(ValueError):
        bucket.acquire(3)


def test_default_burst_is_a_second_of_requests_and_at_least_two():
    assert default_burst(10 / 60) == 2
    assert default_burst(5.0) == 5
    assert default_burst(16.7) == 17


@settings(max_examples=60, deadline=None)
@given(
    rate=st.floats(min_value=0.1, max_value=20),
    burst=st.integers(min_value=2, max_value=20),
    steps=st.lists(st.tuples(st.integers(1, 2), st.floats(min_value=0, max_value=3)), min_size=1, max_size=80),
)
def test_memory_bucket_never_exceeds_rate_times_window_plus_burst(rate, burst, steps):
    clock = FakeClock()
    bucket = MemoryRateLimiter(rate_per_second=rate, burst=burst, clock=clock, sleep=clock.sleep)
    grants: list[float] = []
    for tokens, idle in steps:
        clock.now += idle
        bucket.acquire(tokens)
        grants.extend([clock.now] * tokens)
    assert_bounded(grants, rate, burst)


@pytest.mark.postgres
def test_the_first_user_creates_the_row_with_a_full_bucket(engine):
    clock = FakeClock()
    limiter = StoreRateLimiter(engine, "enrichment:pdl", rate_per_second=1, burst=4, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    with engine.connect() as conn:
        row = conn.execute(select(rate_limits).where(rate_limits.c.name == "enrichment:pdl")).one()
    assert row.tokens == 3 and row.updated_at == clock.now


@pytest.mark.postgres
def test_two_limiters_on_one_store_share_one_budget_across_threads(engine):
    clock = FakeClock()  # frozen: no refill, so exactly `burst` tokens exist
    limiters = [
        StoreRateLimiter(engine, "enrichment:apollo", rate_per_second=1, burst=12, clock=clock, sleep=clock.sleep)
        for _ in range(2)
    ]
    taken: list[bool] = []
    lock = threading.Lock()

    def worker(limiter: StoreRateLimiter) -> None:
        for _ in range(6):
            ok = limiter.try_acquire()
            with lock:
                taken.append(ok)

    threads = [threading.Thread(target=worker, args=(limiters[i % 2],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 36
    assert sum(taken) == 12
    other = StoreRateLimiter(engine, "enrichment:other", rate_per_second=1, burst=12, clock=clock, sleep=clock.sleep)
    assert other.try_acquire()  # buckets are per name


@pytest.mark.postgres
def test_two_limiters_on_one_store_stay_within_rate_over_a_simulated_minute(engine):
    clock = FakeClock()
    rate, burst = 2.0, 5.0
    limiters = [
        StoreRateLimiter(engine, "enrichment:hunter", rate_per_second=rate, burst=burst, clock=clock, sleep=clock.sleep)
        for _ in range(2)
    ]
    start, grants = clock.now, []
    i = 0
    while clock.now - start < 60:
        limiters[i % 2].acquire()
        grants.append(clock.now)
        i += 1
    assert_bounded(grants, rate, burst)
    # ... and the bucket is not stingy: close to everything the limit allows.
    assert len(grants) >= burst + rate * 60 - 2


@pytest.mark.postgres
def test_for_config_uses_the_configured_rate(engine):
    limit = RateLimitConfig(requests=300, per=timedelta(minutes=1))
    limiter = StoreRateLimiter.for_config(engine, "enrichment:hunter", limit)
    assert limiter.rate == 5 and limiter.burst == 5
