"""What the three ad-platform fakes (Meta, Google Ads, LinkedIn) share: fake time, faults, the request log.

Fake time is real `time.time()` (or an injected clock) plus an offset that only `advance()` moves,
optionally frozen at construction, so tests age tokens, slide 60-day windows and usage budgets
without sleeping. `now()` is epoch seconds: hand it to `RunContext.clock` to run the pipeline in
step with the fake.

Faults: `fail_next(times, status, body=None, headers=None, path_prefix=None)` makes the next
matching requests answer that status before any other check (with the platform's own error body
when none is given); `reset_faults()` clears them. Every request is logged (`requests`: method,
path, query, status, fake time) and counted with `count(method, path_prefix, status)`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypedDict

import httpx


class Clock:
    def __init__(
        self, source: Callable[[], float] | None = None, start_at: str | float | None = None, frozen: bool = False
    ) -> None:
        self._source = source or time.time
        self._frozen_at = self._source() if frozen else None
        self._offset = 0.0
        if start_at is not None:
            self._offset = _epoch(start_at) - self._raw()

    def _raw(self) -> float:
        return self._frozen_at if self._frozen_at is not None else self._source()

    def now(self) -> float:
        return self._raw() + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("fake time only moves forward")
        self._offset += seconds


def _epoch(value: str | float) -> float:
    if isinstance(value, int | float):
        return float(value)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


class FakeTime(TypedDict, total=False):
    """The keyword arguments every ad-platform fake takes for its clock (see Clock)."""

    clock: Callable[[], float] | None
    start_at: str | float | None
    frozen_clock: bool


@dataclass
class Fault:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    path_prefix: str | None = None


class Harness:
    """The request log, fault queue and clock of a fake; subclasses answer in `_answer`."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        start_at: str | float | None = None,
        frozen_clock: bool = False,
    ) -> None:
        self.clock = Clock(clock, start_at, frozen_clock)
        self.requests: list[dict[str, Any]] = []
        self._faults: list[Fault] = []

    # what tests call

    def now(self) -> float:
        return self.clock.now()

    def advance(self, seconds: float) -> float:
        self.clock.advance(seconds)
        return self.now()

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def count(self, method: str | None = None, path_prefix: str | None = None, status: int | None = None) -> int:
        return sum(
            1
            for r in self.requests
            if (method is None or r["method"] == method.upper())
            and (path_prefix is None or r["path"].startswith(path_prefix))
            and (status is None or r["status"] == status)
        )

    def reset_log(self) -> None:
        self.requests.clear()

    def fail_next(
        self,
        times: int,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        path_prefix: str | None = None,
    ) -> None:
        for _ in range(times):
            self._faults.append(Fault(status, body, dict(headers or {}), path_prefix))

    def reset_faults(self) -> None:
        self._faults.clear()

    # the handler

    def __call__(self, request: httpx.Request) -> httpx.Response:
        entry = {
            "method": request.method,
            "path": request.url.path,
            "status": None,
            "at": self.now(),
            "query": request.url.query.decode("ascii", "replace"),
        }
        self.requests.append(entry)
        fault = self._take_fault(request.url.path)
        if fault is not None:
            body = fault.body if fault.body is not None else self.fault_body(fault.status)
            response = httpx.Response(fault.status, json=body, headers=fault.headers)
        else:
            response = self._answer(request)
        entry["status"] = response.status_code
        return response

    def _take_fault(self, path: str) -> Fault | None:
        for position, fault in enumerate(self._faults):
            if fault.path_prefix is None or path.startswith(fault.path_prefix):
                return self._faults.pop(position)
        return None

    def fault_body(self, status: int) -> Any:  # pragma: no cover - every fake has its own
        return {"status": status}

    def _answer(self, request: httpx.Request) -> httpx.Response:  # pragma: no cover - every fake has its own
        raise NotImplementedError
