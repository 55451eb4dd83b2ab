"""sObject resources: describe, global describe, the delete log, limits, versions.

Documented behaviour reproduced:
- `GET /sobjects/{Object}/describe` → `{"name", "fields": [...], "queryable": true, ...}`; an unknown
  object is 404 NOT_FOUND (object names are case-insensitive, answers use the canonical name).
- `GET /sobjects/{Object}/deleted/?start=&end=` → `{"deletedRecords": [{"id", "deletedDate"}],
  "earliestDateAvailable", "latestDateCovered"}`. INVALID_REPLICATION_DATE when start does not
  precede end by more than one minute, when start is more than 15 days ago, or when start is
  before a purge of the delete log (SOAP getDeleted() rules); more than 600,000 ids →
  EXCEEDED_ID_LIMIT.
- `GET /limits` → `DailyApiRequests {Max, Remaining}`.

Choices where the docs are silent: start and end are truncated to the minute and the window is
[start, latestDateCovered), where latestDateCovered = min(end, now) truncated to the minute, so
consecutive windows chained on latestDateCovered neither miss nor repeat a delete.
earliestDateAvailable is the later of the last delete-log purge and 15 days ago. A missing
parameter is 400 MISSING_ARGUMENT; an unparseable date 400 INVALID_REPLICATION_DATE.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.fakes.salesforce.errors import SalesforceError
from tests.fakes.salesforce.plan import Catalog
from tests.fakes.salesforce.schema import ObjectDef
from tests.fakes.salesforce.state import Clock, Store
from tests.fakes.salesforce.values import DAY_MS, format_rest, parse_datetime

MINUTE_MS = 60_000
RETENTION_MS = 15 * DAY_MS
RELEASES = {62: "Winter '25", 61: "Summer '24", 60: "Spring '24", 63: "Spring '25", 64: "Summer '25"}


def not_found() -> SalesforceError:
    return SalesforceError(404, "NOT_FOUND", "The requested resource does not exist")


def floor_minute(ms: int) -> int:
    return ms - ms % MINUTE_MS


class SObjects:
    def __init__(self, catalog: Catalog, store: Store, clock: Clock, settings: Any) -> None:
        self.catalog, self.store, self.clock, self.settings = catalog, store, clock, settings

    def object(self, name: str) -> ObjectDef:
        found = self.catalog.by_lower.get(name.lower())
        if found is None:
            raise not_found()
        return found

    def describe(self, request: httpx.Request, version: str, name: str) -> httpx.Response:
        return httpx.Response(200, json=self.object(name).describe(version))

    def describe_global(self, request: httpx.Request, version: str) -> httpx.Response:
        sobjects = [o.summary(version) for o in self.catalog.objects.values()]
        return httpx.Response(200, json={"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects})

    def deleted(self, request: httpx.Request, version: str, name: str) -> httpx.Response:
        obj = self.object(name)
        params = request.url.params
        extra = set(params.keys()) - {"start", "end"}
        if extra:
            raise AssertionError(f"request outside the contract: deleted parameters {sorted(extra)}")
        if not params.get("start") or not params.get("end"):
            raise SalesforceError(400, "MISSING_ARGUMENT", "Both start and end are required")
        try:
            start, end = parse_datetime(params["start"]), parse_datetime(params["end"])
        except ValueError as exc:
            raise SalesforceError(400, "INVALID_REPLICATION_DATE", f"invalid date: {exc}") from exc
        now = int(self.clock.now() * 1000)
        if end - start <= MINUTE_MS:
            raise SalesforceError(400, "INVALID_REPLICATION_DATE",
                                  "startDate must chronologically precede endDate by more than one minute")
        if start < now - RETENTION_MS:
            raise SalesforceError(400, "INVALID_REPLICATION_DATE", "startDate cannot be more than 15 days ago")
        purged = self.store.log_purged_at[obj.name]
        if purged is not None and start < purged:
            raise SalesforceError(400, "INVALID_REPLICATION_DATE",
                                  f"the delete log was purged up to {format_rest(purged)}; resync the object")
        latest = min(floor_minute(end), floor_minute(now))
        low = floor_minute(start)
        entries = sorted((at, rid) for rid, at in self.store.deleted[obj.name].items() if low <= at < latest)
        if len(entries) > int(self.settings.deleted_id_limit):
            raise SalesforceError(400, "EXCEEDED_ID_LIMIT", "too many deleted records in the window; use a shorter one")
        earliest = max(purged or 0, floor_minute(now - RETENTION_MS))
        return httpx.Response(200, json={
            "deletedRecords": [{"id": rid, "deletedDate": format_rest(at)} for at, rid in entries],
            "earliestDateAvailable": format_rest(earliest),
            "latestDateCovered": format_rest(latest),
        })

    def limits(self, request: httpx.Request, version: str, used: int, limit: int) -> httpx.Response:
        return httpx.Response(200, json={
            "DailyApiRequests": {"Max": limit, "Remaining": max(0, limit - used)},
            "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
            "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
        })

    def versions(self, versions: list[str]) -> httpx.Response:
        out = []
        for version in sorted(versions, key=lambda v: float(v[1:])):
            number = version[1:]
            label = RELEASES.get(int(float(number)), f"Release {number}")
            out.append({"label": label, "url": f"/services/data/{version}", "version": number})
        return httpx.Response(200, json=out)
