"""Fewer cyclic garbage collections while a stage builds many long-lived objects.

Normalization and identity resolution allocate millions of small containers that live for the
whole stage (index entries, field values). With CPython's default first-generation threshold
(700 allocations), full collections keep re-scanning that growing heap: 40-50% of the stage's
time at 100k records (bench/identity.py, RESULTS.md 2026-12-02). A threshold of 100,000 makes
collections rare, not absent, so real cycles are still freed. Process-wide, hence counted: the
defaults come back when the last stage using it ends, whatever order parallel tasks finish in.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

FIRST_GENERATION = 100_000

_lock = threading.Lock()
_users = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections() -> Iterator[None]:
    global _users, _saved
    with _lock:
        if _users == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(FIRST_GENERATION, *_saved[1:])
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
