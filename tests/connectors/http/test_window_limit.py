"""Sliding-window limits: never more than N sends in any window, shared through the store."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.http.window_limit import PAD, MemoryWindowLimiter, StoreWindowLimiter
from connectors.store.engine import get_engine
from connectors.store.migrate import upgrade
from tests.connectors.http.test_ratelimit import FakeClock


def most_in_any_window(sends: list[float], window: float) -> int:
    return max(sum(1 for t in sends[i:] if t < start + window - 1e-9) for i, start in enumerate(sends))


@pytest.fixture
def engine(database_url):
    engine = get_engine(database_url)
    upgrade(engine)
    return engine


def test_a_full_window_goes_at_once_then_each_send_waits_for_the_oldest_to_age_out():
    clock = FakeClock()
    limit = MemoryWindowLimiter(5, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    sends = []
    for _ in range(12):
        limit.acquire()
        sends.append(clock.now)
    assert sends[:5] == [sends[0]] * 5  # the whole window's worth without waiting
    assert most_in_any_window(sends, 1.0) == 5
    # Sustained, the limit is used in full: 12 sends take just over 2 windows, not 12 / 4.
    assert sends[-1] - sends[0] == pytest.approx(2 * (1.0 + PAD))


def test_the_margin_stretches_the_window_against_arrival_jitter():
    clock = FakeClock()
    limit = MemoryWindowLimiter(2, 10.0, margin=0.03, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        limit.acquire()
    assert clock.slept == [pytest.approx(10.3 + PAD)]  # 3%


@settings(max_examples=40, deadline=None)
@given(
    requests=st.integers(1, 8),
    window=st.sampled_from([0.1, 1.0, 10.0]),
    gaps=st.lists(st.floats(0, 3), min_size=1, max_size=40),
)
def test_no_window_ever_holds_more_than_n_sends(requests, window, gaps):
    clock = FakeClock()
    limit = MemoryWindowLimiter(requests, window, margin=0.0, clock=clock, sleep=clock.sleep)
    sends = []
    for gap in gaps:
        clock.now += gap * window
        limit.acquire()
        sends.append(clock.now)
    assert most_in_any_window(sends, window) <= requests


@pytest.mark.postgres
def test_limiters_sharing_a_name_share_the_window_across_threads(engine):
    clock = FakeClock()
    lock = threading.Lock()
    sends: list[float] = []

    def worker() -> None:
        limit = StoreWindowLimiter(engine, "hubspot:crm:general", 10, 10.0, margin=0.0, clock=clock, sleep=clock.sleep)
        for _ in range(10):
            limit.acquire()
            with lock:
                sends.append(clock.now)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sends) == 30
    assert most_in_any_window(sorted(sends), 10.0) <= 10


@pytest.mark.postgres
def test_a_limit_that_grows_gains_slots_and_others_keep_their_own(engine):
    clock = FakeClock()
    small = StoreWindowLimiter(engine, "a", 2, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    for _ in range(2):
        small.acquire()
    grown = StoreWindowLimiter(engine, "a", 4, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    grown.acquire()
    grown.acquire()
    assert clock.slept == []  # two new slots were free
    other = StoreWindowLimiter(engine, "b", 1, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    other.acquire()
    assert clock.slept == []


def test_more_at_once_than_the_limit_is_refused():
    with pytest.raises(ValueError):
        MemoryWindowLimiter(3, 1.0).acquire(4)
