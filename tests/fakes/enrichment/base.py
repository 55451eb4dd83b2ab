"""What every vendor fake shares: request log, credit counter, injected faults, routing."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


class FakeVendor(ABC):
    """A vendor API behind `transport()`.

    Subclasses set THROTTLE_STATUS and the error bodies, implement `authorized`, and register
    routes as {(method, path): handler}.
    """

    THROTTLE_STATUS = 429
    API_KEY = "test-key-0123456789"

    def __init__(self, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self.requests: list[httpx.Request] = []
        self.credits = 0.0
        self._faults: deque[Fault] = deque()
        self.routes: dict[tuple[str, str], Handler] = {}

    # what tests read
    @property
    def calls(self) -> int:
        return len(self.requests)

    def calls_to(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    # what tests inject: the next calls answer with a fault, in order, before any other check
    def fail_next(self, times: int, status: int, headers: Mapping[str, str] | None = None, body: Any = None) -> None:
        body = body if body is not None else self.error_body(status)
        for _ in range(times):
            self._faults.append(Fault(status, dict(headers or {}), body))

    def throttle(
        self, times: int = 1, retry_after: str | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        """The next `times` calls are rate-limited, with a Retry-After header if given."""
        extra = dict(headers or {})
        if retry_after is not None:
            extra["Retry-After"] = retry_after
        self.fail_next(times, self.THROTTLE_STATUS, extra, self.throttle_body())

    def error_body(self, status: int) -> Any:
        return {"error": f"HTTP {status}"}

    def throttle_body(self) -> Any:
        return self.error_body(self.THROTTLE_STATUS)

    # the handler
    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self._faults:
            fault = self._faults.popleft()
            return httpx.Response(fault.status, headers=fault.headers, json=fault.body)
        if not self.authorized(request):
            return httpx.Response(401, json=self.error_body(401))
        handler = self.routes.get((request.method, request.url.path))
        if handler is None:
            if any(path == request.url.path for _, path in self.routes):
                return httpx.Response(405, json=self.error_body(405))
            raise AssertionError(f"request outside the contract: {request.method} {request.url.path}")
        return handler(request)

    @abstractmethod
    def authorized(self, request: httpx.Request) -> bool:
        """Whether the request carries the vendor's credential where the vendor expects it."""

    def charge(self, credits: float) -> None:
        self.credits += credits


def bare_domain(value: str) -> str:
    return value.strip().lower().split("://", 1)[-1].split("/", 1)[0].removeprefix("www.")
