"""FakeHubSpot: the HubSpot CRM API behind `httpx.MockTransport(fake)` or `LoopbackServer`.

The order a request goes through, as HubSpot's edge and API would: injected faults first
(`fail_next`, then `fail_randomly`), a request target over 8,000 characters → 414 (so long
property lists must be chunked; measured on path + query, independent of the host), routing (a
path or query parameter outside the contract raises AssertionError, a known path with the wrong
method is 405, except a single record's path, whose GET and PATCH are real endpoints outside the
contract), authentication (401), rate limits (429), then the route. Every request is logged with
its method, path, status, fake time and rate-limit policy. Switches for behaviour HubSpot varies
on: `merged_read` (objects.py), `association_misses` (meta.py), `lifecycle_backwards` (writes.py).

Everything the constructor takes is JSON-serialisable (LoopbackServer passes it as JSON) except the
optional `clock`, which replaces `time.time()` for in-process tests.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.fakes.hubspot.auth import Auth
from tests.fakes.hubspot.clock import Clock
from tests.fakes.hubspot.errors import ApiError, Errors, too_long
from tests.fakes.hubspot.limits import MESSAGES, TEN_SECONDLY, RateLimits
from tests.fakes.hubspot.meta import MetaRoutes
from tests.fakes.hubspot.objects import ObjectRoutes
from tests.fakes.hubspot.search import SearchEngine
from tests.fakes.hubspot.seeding import Seeding
from tests.fakes.hubspot.state import ASSOCIATION_TYPES, Store
from tests.fakes.hubspot.writes import WriteRoutes

MAX_TARGET = 8000
API, SEARCH, TOKEN = "api", "search", "token"
TYPE = "(?P<object_type>contacts|deals|meetings|calls)"
ROUTES: tuple[tuple[str, str, str, str], ...] = (
    # v1 is deprecated from Feb 2027; v3 takes the same form body.
    ("POST", "/oauth/(?:v1|v3)/token", "token", TOKEN),
    ("GET", f"/crm/v3/objects/{TYPE}", "objects.list_objects", API),
    ("POST", f"/crm/v3/objects/{TYPE}/search", "objects.search", SEARCH),
    ("POST", f"/crm/v3/objects/{TYPE}/batch/read", "objects.batch_read", API),
    ("POST", "/crm/v3/objects/(?P<object_type>contacts)/batch/upsert", "writes.upsert", API),
    ("POST", "/crm/v3/objects/(?P<object_type>contacts)/batch/update", "writes.update", API),
    ("POST", "/crm/v3/objects/(?P<object_type>contacts)/batch/archive", "writes.archive", API),
    ("DELETE", "/crm/v3/objects/(?P<object_type>contacts)/(?P<object_id>[0-9]+)", "writes.archive_one", API),
    ("POST", "/crm/v3/objects/(?P<object_type>contacts)/merge", "objects.merge", API),
    ("GET", f"/crm/v3/properties/{TYPE}", "meta.list_properties", API),
    ("POST", f"/crm/v3/properties/{TYPE}", "meta.create_property", API),
    ("GET", f"/crm/v3/properties/{TYPE}/groups", "meta.list_groups", API),
    ("POST", f"/crm/v3/properties/{TYPE}/groups", "meta.create_group", API),
    ("GET", "/crm/v3/owners", "meta.owners", API),
    ("POST", "/crm/v4/associations/(?P<from_type>contacts|deals|meetings|calls)/"
             "(?P<to_type>contacts|deals|meetings|calls)/batch/read", "meta.associations", API),
    ("GET", "/account-info/v3/api-usage/daily/private-apps", "meta.daily_usage", API),
)
# Paths whose other methods are real HubSpot endpoints outside the contract (GET/PATCH of one record),
# so another method there is a contract violation, not a 405.
OPEN_PATHS = frozenset({"writes.archive_one"})


@dataclass
class Fault:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    path_prefix: str | None = None


@dataclass
class RandomFaults:
    rate: float
    statuses: list[int]
    rng: random.Random
    path_prefix: str | None = None


class RequestLog(list[dict[str, Any]]):
    """The request log; calling it returns a plain copy (so `server.call("requests")` works)."""

    def __call__(self) -> list[dict[str, Any]]:
        return list(self)


class FakeHubSpot(Seeding):
    def __init__(
        self,
        token: str = "pat-na1-test-token",
        auth: str = "private_app",
        client_id: str = "test-client-id",
        client_secret: str = "test-client-secret",
        refresh_token: str = "test-refresh-token",
        tier: str = "starter",
        time_scale: float = 1.0,
        rate_limits: bool = True,
        retry_after: str = "sometimes",
        search_lag: float = 0.0,
        page_cap: int = 10_000,
        seed: int = 0,
        merged_read: str = "survivor",
        association_misses: str = "omit",
        lifecycle_backwards: str = "reject",
        start_offset: float = 0.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if merged_read not in ("survivor", "not_found"):
            raise ValueError("merged_read must be survivor or not_found")
        if association_misses not in ("omit", "207"):
            raise ValueError("association_misses must be omit or 207")
        if lifecycle_backwards not in ("reject", "ignore"):
            raise ValueError("lifecycle_backwards must be reject or ignore")
        self.clock = Clock(clock, start_offset)
        self.errors = Errors(seed)
        self.auth = Auth(auth, token, client_id, client_secret, refresh_token, self.clock, self.errors, seed)
        self.limits = RateLimits(tier, time_scale, rate_limits, retry_after, daily=auth == "private_app")
        self.store = Store(self.clock, seed, round(search_lag * 1000))
        self.engines = {t: SearchEngine(index, t) for t, index in self.store.indexes.items()}
        self.page_cap = page_cap
        self.merged_read = merged_read
        self.association_misses = association_misses
        self.lifecycle_backwards = lifecycle_backwards
        self.order_rng = random.Random(f"order-{seed}")
        self.requests = RequestLog()
        self.violations: list[str] = []
        self._faults: list[Fault] = []
        self._random: RandomFaults | None = None
        self.objects = ObjectRoutes(self)
        self.meta = MetaRoutes(self)
        self.writes = WriteRoutes(self)
        self.routes = [(method, re.compile(pattern + "/?"), self._handler(name), kind, name in OPEN_PATHS)
                       for method, pattern, name, kind in ROUTES]

    def _handler(self, name: str) -> Callable[..., httpx.Response]:
        if name == "token":
            return self._token
        owner, method = name.split(".")
        return getattr(getattr(self, owner), method)

    # clock
    def now(self) -> float:
        return self.clock.now()

    def now_ms(self) -> int:
        return self.clock.now_ms()

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def issue_access_token(self) -> str:
        """An OAuth access token valid for 1800 s from now (tests that skip the token endpoint)."""
        return self.auth.issue()

    # what tests read
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def count(self, method: str | None = None, path_prefix: str | None = None, status: int | None = None) -> int:
        return sum(1 for r in self.requests if (method is None or r["method"] == method)
                   and (path_prefix is None or r["path"].startswith(path_prefix))
                   and (status is None or r["status"] == status))

    def throttled(self) -> int:
        return self.count(status=429)

    def usage(self) -> dict[str, Any]:
        return {**self.limits.usage(), "requests": len(self.requests), "served_429": self.throttled()}

    def contract_violations(self) -> list[str]:
        return list(self.violations)

    def reset_log(self) -> None:
        self.requests.clear()

    # what tests inject
    def fail_next(self, times: int, status: int, body: Any = None, headers: dict[str, str] | None = None,
                  path_prefix: str | None = None) -> None:
        for _ in range(times):
            self._faults.append(Fault(status, body, dict(headers or {}), path_prefix))

    def fail_randomly(self, rate: float, statuses: list[int] | None = None, seed: int = 0,
                      path_prefix: str | None = None) -> None:
        self._random = RandomFaults(rate, list(statuses or [502, 503, 524]), random.Random(seed), path_prefix)

    def reset_faults(self) -> None:
        self._faults.clear()
        self._random = None

    # the handler
    def __call__(self, request: httpx.Request) -> httpx.Response:
        entry: dict[str, Any] = {"method": request.method, "path": request.url.path, "status": None,
                                 "at": self.clock.now(), "policy": None, "fault": False}
        self.requests.append(entry)
        try:
            response = self._answer(request, entry)
        except AssertionError as exc:
            self.violations.append(str(exc))
            raise
        entry["status"] = response.status_code
        return response

    def _answer(self, request: httpx.Request, entry: dict[str, Any]) -> httpx.Response:
        fault = self._fault_for(request.url.path)
        if fault is not None:
            entry["fault"] = True
            return self._fault_response(fault)
        target = len(request.url.raw_path)
        if target > MAX_TARGET:
            return too_long(target)
        try:
            handler, kind, params = self._route(request)
        except ApiError as error:
            return self.errors.response(error)
        if kind == TOKEN:
            return handler(request)
        try:
            self.auth.check(request)
        except ApiError as error:
            return self.errors.response(error)
        search = kind == SEARCH
        entry["policy"] = "SECONDLY" if search else TEN_SECONDLY
        now = self.clock.arrival(request.headers.get("X-Loopback-Arrival"))
        refused = self.limits.admit(search, now)
        if refused is not None:
            body = self._throttle_body(refused.policy)
            return httpx.Response(429, json=body, headers={**self.limits.headers(search, now), **refused.headers})
        try:
            response = handler(request, **params)
        except ApiError as error:
            response = self.errors.response(error)
        response.headers.update(self.limits.headers(search, self.clock.now()))
        return response

    def _route(self, request: httpx.Request) -> tuple[Callable[..., httpx.Response], str, dict[str, str]]:
        path = request.url.path
        allowed: list[str] = []
        for method, pattern, handler, kind, open_path in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            params = {k: v for k, v in match.groupdict().items() if v is not None}
            if "from_type" in params and (params["from_type"], params["to_type"]) not in ASSOCIATION_TYPES:
                continue
            if kind == TOKEN and self.auth.mode != "oauth":
                raise AssertionError(f"request outside the contract: {request.method} {path} with a private-app token")
            if method == request.method:
                return handler, kind, params
            if not open_path:
                allowed.append(method)
        if allowed:
            raise ApiError(405, f"Method {request.method} not allowed on {path}")
        raise AssertionError(f"request outside the contract: {request.method} {path}")

    def _token(self, request: httpx.Request) -> httpx.Response:
        return self.auth.token_endpoint(request)

    def _fault_for(self, path: str) -> Fault | None:
        for i, fault in enumerate(self._faults):
            if fault.path_prefix is None or path.startswith(fault.path_prefix):
                return self._faults.pop(i)
        chance = self._random
        if chance is not None and (chance.path_prefix is None or path.startswith(chance.path_prefix)) \
                and chance.rng.random() < chance.rate:
            return Fault(chance.rng.choice(chance.statuses))
        return None

    def _fault_response(self, fault: Fault) -> httpx.Response:
        body = fault.body
        if body is None:
            body = self._throttle_body(TEN_SECONDLY) if fault.status == 429 else self.errors.body(fault.status)
        if isinstance(body, str | bytes):
            return httpx.Response(fault.status, content=body, headers=fault.headers)
        return httpx.Response(fault.status, json=body, headers=fault.headers)

    def _throttle_body(self, policy: str) -> dict[str, Any]:
        group = "private-app" if self.auth.mode == "private_app" else "oauth-app"
        return {"status": "error", "message": MESSAGES[policy], "errorType": "RATE_LIMIT",
                "correlationId": self.errors.correlation_id(), "policyName": policy,
                "groupName": f"publicapi:{group}:1234"}
