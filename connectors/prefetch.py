"""Read ahead: fetch the next pages in a background thread while the current one is being landed.

A paged read is a loop of wait-for-the-rate-limit, request, land. Done in one thread the rate limit
sits idle while a page lands (and its follow-up calls are made), so the limit is never used in
full. `prefetched` runs the page loop in a thread of its own, at most `depth` pages ahead: the
limit paces the fetching, the landing keeps up beside it. Pages still arrive in order, each with
its checkpoint, so nothing about resuming changes. An error in the fetching thread is raised in
the reader; a reader that stops early stops the fetching too.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetched(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    buffer: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the reader, which raises it
            put(_Failed(exc))

    worker = threading.Thread(target=produce, name="prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join(timeout=30)
