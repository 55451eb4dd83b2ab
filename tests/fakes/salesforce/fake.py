"""FakeSalesforce: routing, auth, API allocation, injected faults and the request log.

Use as an `httpx.MockTransport` handler (`httpx.MockTransport(fake)`) or serve it with
`tests.fakes.loopback.LoopbackServer("tests.fakes.salesforce:FakeSalesforce", **kwargs)`; every
constructor argument except `clock` is JSON. Requests may come on any host.

Order of checks for a request, as the real service layers them: URL + headers over 16,384 bytes
→ 414 (the edge; no JSON, not counted); an injected fault; the OAuth token endpoint; routing (a
request outside the contract raises AssertionError, so a connector bug fails the test loudly); an
API version the org does not serve → 404 NOT_FOUND (Bulk 2.0 also needs v47.0+); the session →
401 INVALID_SESSION_ID; the daily allocation → 403 REQUEST_LIMIT_EXCEEDED; then the resource.
Every /services/data response carries `Sforce-Limit-Info`.

The org starts with one User, the integration user the session belongs to (INTEGRATION_USER_ID,
"Integration User"): it owns and authors whatever the API writes, as in a real org
(`integration_user=False` leaves the User table empty; the id then still counts as existing).

The QUERY_TIMEOUT model (ours; Salesforce documents the error, not when it happens): with
`query_timeout_rows` set, a REST query that matches more rows than that *and* whose WHERE allows a
SystemModstamp (or CreatedDate) window wider than `query_timeout_span` seconds, or unbounded on a
side, answers 400 QUERY_TIMEOUT. Bulk 2.0 jobs never time out.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.fakes.salesforce.access import Quota, Sessions
from tests.fakes.salesforce.bulk import BulkQueries
from tests.fakes.salesforce.errors import SalesforceError, default_fault_body
from tests.fakes.salesforce.plan import Catalog
from tests.fakes.salesforce.rest import QueryService
from tests.fakes.salesforce.schema import INTEGRATION_USER_ID, standard_objects
from tests.fakes.salesforce.seeding import Seeding
from tests.fakes.salesforce.sobjects import SObjects
from tests.fakes.salesforce.state import Clock, Store
from tests.fakes.salesforce.update import Updates
from tests.fakes.salesforce.upsert import Upserts
from tests.fakes.salesforce.values import format_rest

DEFAULT_INSTANCE_URL = "https://fake.my.salesforce.com"
TOKEN_PATH = "/services/oauth2/token"
URI_AND_HEADERS_LIMIT = 16_384
VERSION_PATH_RE = re.compile(r"^/services/data/([^/]+)(/.*)?$")
VERSION_RE = re.compile(r"^v\d+\.\d$")
ROUTES: list[tuple[str, str, str]] = [
    ("GET", r"/query/?", "_query"),
    ("GET", r"/queryAll/?", "_query_all"),
    ("GET", r"/(?:query|queryAll)/([^/]+)", "_query_more"),
    ("GET", r"/sobjects/?", "_describe_global"),
    ("GET", r"/sobjects/([^/]+)/describe/?", "_describe"),
    ("GET", r"/sobjects/([^/]+)/deleted/?", "_deleted"),
    ("GET", r"/limits/?", "_limits"),
    ("POST", r"/jobs/query/?", "_bulk_create"),
    ("GET", r"/jobs/query/([^/]+)/?", "_bulk_info"),
    ("PATCH", r"/jobs/query/([^/]+)/?", "_bulk_abort"),
    ("DELETE", r"/jobs/query/([^/]+)/?", "_bulk_delete"),
    ("GET", r"/jobs/query/([^/]+)/results/?", "_bulk_results"),
    ("PATCH", r"/composite/sobjects/?", "_update"),
    ("PATCH", r"/composite/sobjects/([^/]+)/([^/]+)/?", "_upsert"),
]
COMPILED_ROUTES = [(method, re.compile(pattern), name) for method, pattern, name in ROUTES]


@dataclass
class Settings:
    batch_size: int = 2000
    query_timeout_rows: int | None = None
    query_timeout_span: float = 86400 * 30
    bulk_polls_until_complete: int = 2
    bulk_page_size: int = 50_000
    duplicate_rule_on: list[str] = field(default_factory=list)
    max_open_cursors: int = 10
    locator_idle_timeout: float = 900.0
    deleted_id_limit: int = 600_000


@dataclass
class Fault:
    status: int
    body: Any
    headers: dict[str, str]
    path_prefix: str | None


class FakeSalesforce(Seeding):
    def __init__(
        self, *, api_version: str = "v62.0", supported_versions: list[str] | None = None,
        instance_url: str = DEFAULT_INSTANCE_URL, client_id: str = "fake-client-id",
        client_secret: str = "fake-client-secret", refresh_token: str = "5Aep861fake.refresh.token",
        access_token: str = "00Dfake!session", rotate_refresh_token: bool = False, session_timeout: float = 7200,
        daily_limit: int = 100_000, used_at_start: int = 0, batch_size: int = 2000,
        query_timeout_rows: int | None = None, query_timeout_span: float = 86400 * 30,
        bulk_polls_until_complete: int = 2, bulk_page_size: int = 50_000, duplicate_rule_on: list[str] | None = None,
        multi_currency: bool = False, country_picklists: bool = False,
        lead_history_fields: list[str] | None = None, max_open_cursors: int = 10, locator_idle_timeout: float = 900.0,
        deleted_id_limit: int = 600_000, start_at: str | float | None = None, frozen_clock: bool = False,
        integration_user: bool = True, clock: Callable[[], float] | None = None,
    ) -> None:
        versions = [api_version, *(supported_versions or [])]
        if not all(VERSION_RE.match(v) for v in versions):
            raise ValueError(f"API versions look like 'v62.0': {versions}")
        self.api_version = api_version
        self.versions = sorted(set(versions))
        self.instance_url = instance_url.rstrip("/")
        self.clock = Clock(clock, start_at, frozen_clock)
        self.settings = Settings(batch_size, query_timeout_rows, query_timeout_span, bulk_polls_until_complete,
                                 bulk_page_size, list(duplicate_rule_on or []), max_open_cursors,
                                 locator_idle_timeout, deleted_id_limit)
        objects = standard_objects(multi_currency, country_picklists)
        self.store = Store(objects, lead_history_fields or ["Status", "OwnerId"])
        self.catalog = Catalog(objects)
        if integration_user:
            self.store.insert(objects["User"], {
                "Id": INTEGRATION_USER_ID, "FirstName": "Integration", "LastName": "User",
                "Email": "integration@example.com", "IsActive": True,
            }, self.clock.now_ms())
        now = self.clock.now()
        self.sessions = Sessions(client_id, client_secret, refresh_token, access_token, session_timeout,
                                 rotate_refresh_token, now)
        self.quota = Quota(daily_limit, used_at_start, now)
        self.queries = QueryService(self.catalog, self.store, self.clock, self.settings)
        self.sobjects = SObjects(self.catalog, self.store, self.clock, self.settings)
        self.bulk = BulkQueries(self.catalog, self.store, self.clock, self.settings)
        self.upserts = Upserts(self.catalog, self.store, self.clock, self.settings)
        self.updates = Updates(self.catalog, self.store, self.clock, self.settings)
        self.requests: list[dict[str, Any]] = []
        self._faults: list[Fault] = []
        self._random: tuple[float, list[int], random.Random, str | None] | None = None

    # clock, counters, faults: what tests use
    def now(self) -> str:
        return format_rest(int(self.clock.now() * 1000))

    def advance(self, seconds: float) -> str:
        self.clock.advance(seconds)
        return self.now()

    def set_instance_url(self, url: str) -> None:
        """In loopback mode the fake learns its own URL only after it started."""
        self.instance_url = url.rstrip("/")

    def count(self, method: str | None = None, path_prefix: str | None = None, status: int | None = None) -> int:
        return sum(
            1 for r in self.requests
            if (method is None or r["method"] == method.upper())
            and (path_prefix is None or r["path"].startswith(path_prefix))
            and (status is None or r["status"] == status)
        )

    def api_usage(self) -> dict[str, int]:
        return {"used": self.quota.used(self.clock.now()), "limit": self.quota.limit}

    def token_refreshes(self) -> int:
        return self.sessions.refreshes

    def current_refresh_token(self) -> str:
        return self.sessions.refresh_token

    def fail_next(self, times: int, status: int, body: Any = None, headers: dict[str, str] | None = None,
                  path_prefix: str | None = None) -> None:
        """The next `times` requests (under `path_prefix`, if given) answer `status` before any other check."""
        for _ in range(times):
            self._faults.append(Fault(status, body, dict(headers or {}), path_prefix))

    def fail_randomly(self, rate: float, statuses: list[int] | None = None, seed: int = 0,
                      path_prefix: str | None = None) -> None:
        self._random = (rate, list(statuses or [500, 503]), random.Random(seed), path_prefix)

    def reset_faults(self) -> None:
        self._faults.clear()
        self._random = None

    def expire_session(self) -> None:
        """Every access token issued so far stops working (as when an admin revokes sessions)."""
        self.sessions.expire_all()

    # the handler
    def __call__(self, request: httpx.Request) -> httpx.Response:
        now = self.clock.now()
        entry = {"method": request.method, "path": request.url.path,
                 "query": request.url.query.decode("ascii", "replace"), "status": None, "at": now}
        self.requests.append(entry)
        response = self._answer(request, request.url.path, now)
        entry["status"] = response.status_code
        return response

    def _answer(self, request: httpx.Request, path: str, now: float) -> httpx.Response:
        if _request_bytes(request) > URI_AND_HEADERS_LIMIT:
            return httpx.Response(414, text="414 Request-URI Too Long")
        is_data = path.startswith("/services/data")
        fault = self._take_fault(path)
        if fault is not None:
            body = fault.body if fault.body is not None else default_fault_body(fault.status, path == TOKEN_PATH)
            response = httpx.Response(fault.status, json=body, headers=fault.headers)
            return self._with_usage(response, now) if is_data else response
        if path == TOKEN_PATH:
            if request.method != "POST":
                raise AssertionError(f"request outside the contract: {request.method} {path}")
            return self.sessions.token(request, now, self.instance_url)
        if path.rstrip("/") == "/services/data" and request.method == "GET":
            return self._with_usage(self.sobjects.versions(self.versions), now)
        match = VERSION_PATH_RE.match(path)
        if match is None:
            raise AssertionError(f"request outside the contract: {request.method} {path}")
        version, rest = match.group(1), match.group(2) or ""
        handler, args = self._route(request.method, rest, path)
        return self._with_usage(self._serve(request, version, rest, handler, args, now), now)

    def _serve(self, request: httpx.Request, version: str, rest: str, handler: Callable[..., httpx.Response],
               args: tuple[str, ...], now: float) -> httpx.Response:
        try:
            too_old_for_bulk = rest.startswith("/jobs/") and float(version[1:]) < 47
            if version not in self.versions or too_old_for_bulk:
                raise SalesforceError(404, "NOT_FOUND", "The requested resource does not exist")
            if not self.sessions.valid(request, now):
                raise SalesforceError(401, "INVALID_SESSION_ID", "Session expired or invalid")
            if self.quota.exhausted(now):
                raise SalesforceError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            self.quota.charge(now)
            return handler(request, version, *args)
        except SalesforceError as error:
            return error.response()

    def _route(self, method: str, rest: str, path: str) -> tuple[Callable[..., httpx.Response], tuple[str, ...]]:
        for route_method, pattern, name in COMPILED_ROUTES:
            found = pattern.fullmatch(rest)
            if found is not None and route_method == method:
                return getattr(self, name), found.groups()
        raise AssertionError(f"request outside the contract: {method} {path}")

    def _with_usage(self, response: httpx.Response, now: float) -> httpx.Response:
        response.headers["Sforce-Limit-Info"] = self.quota.header(now)
        return response

    def _take_fault(self, path: str) -> Fault | None:
        for position, fault in enumerate(self._faults):
            if fault.path_prefix is None or path.startswith(fault.path_prefix):
                return self._faults.pop(position)
        if self._random is not None:
            rate, statuses, rng, prefix = self._random
            if (prefix is None or path.startswith(prefix)) and rng.random() < rate:
                return Fault(rng.choice(statuses), None, {}, prefix)
        return None

    # resources
    def _query(self, request: httpx.Request, version: str) -> httpx.Response:
        return self.queries.run(request, version, include_deleted=False)

    def _query_all(self, request: httpx.Request, version: str) -> httpx.Response:
        return self.queries.run(request, version, include_deleted=True)

    def _query_more(self, request: httpx.Request, version: str, token: str) -> httpx.Response:
        return self.queries.more(request, version, token)

    def _describe_global(self, request: httpx.Request, version: str) -> httpx.Response:
        return self.sobjects.describe_global(request, version)

    def _describe(self, request: httpx.Request, version: str, name: str) -> httpx.Response:
        return self.sobjects.describe(request, version, name)

    def _deleted(self, request: httpx.Request, version: str, name: str) -> httpx.Response:
        return self.sobjects.deleted(request, version, name)

    def _limits(self, request: httpx.Request, version: str) -> httpx.Response:
        now = self.clock.now()
        return self.sobjects.limits(request, version, self.quota.used(now), self.quota.limit)

    def _bulk_create(self, request: httpx.Request, version: str) -> httpx.Response:
        return self.bulk.create(request, version)

    def _bulk_info(self, request: httpx.Request, version: str, job_id: str) -> httpx.Response:
        return self.bulk.info(request, version, job_id)

    def _bulk_abort(self, request: httpx.Request, version: str, job_id: str) -> httpx.Response:
        return self.bulk.abort(request, version, job_id)

    def _bulk_delete(self, request: httpx.Request, version: str, job_id: str) -> httpx.Response:
        return self.bulk.delete(request, version, job_id)

    def _bulk_results(self, request: httpx.Request, version: str, job_id: str) -> httpx.Response:
        return self.bulk.results(request, version, job_id)

    def _upsert(self, request: httpx.Request, version: str, name: str, external_field: str) -> httpx.Response:
        return self.upserts.upsert(request, version, name, external_field)

    def _update(self, request: httpx.Request, version: str) -> httpx.Response:
        return self.updates.update(request, version)


def _request_bytes(request: httpx.Request) -> int:
    size = len(request.method) + len(request.url.raw_path) + len(" HTTP/1.1\r\n") + 1
    return size + sum(len(name) + len(value) + 4 for name, value in request.headers.raw)
