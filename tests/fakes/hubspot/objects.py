"""Routes that read CRM objects, and merge: list, search, batch read, merge (writes are in writes.py).

Reproduces:
- List `GET /crm/v3/objects/{type}`: `limit` default 10; opaque `after`; `properties` and
  `propertiesWithHistory` as CSV (or repeated); `archived=true` returns only archived records, with
  `archivedAt`; `paging` absent on the last page; `paging.next.link` a full URL.
- Batch read: at most 100 inputs; missing ids → 207 with one OBJECT_NOT_FOUND error listing them in
  `context.ids`, and `numErrors`; `idProperty` may name a unique property (email).
- Merge (contacts): see state.py.

Choices where the docs are silent:
- list `limit` above 100 (above 50 with propertiesWithHistory) or below 1 → 400 VALIDATION_ERROR
  (HubSpot documents the maximum, not what it does past it);
- results of batch read come in a seeded shuffled order, never input order (HubSpot does not
  promise one; correlate by id);
- batch read of a merged-away id answers the survivor, under the survivor's id, once even if both
  ids were asked (HubSpot's behaviour); FakeHubSpot(merged_read="not_found") makes it a 207
  OBJECT_NOT_FOUND instead. Batch update and archive treat merged-away ids the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from tests.fakes.hubspot import render
from tests.fakes.hubspot.clock import iso_from_ms
from tests.fakes.hubspot.errors import ApiError
from tests.fakes.hubspot.schema import TYPE_IDS
from tests.fakes.hubspot.search import parse
from tests.fakes.hubspot.state import Record

if TYPE_CHECKING:
    from tests.fakes.hubspot.fake import FakeHubSpot

LIST_LIMIT = 100
HISTORY_LIST_LIMIT = 50
SINGULAR = {"contacts": "CONTACT", "deals": "DEAL", "meetings": "MEETING", "calls": "CALL"}


class ObjectRoutes:
    def __init__(self, fake: FakeHubSpot) -> None:
        self.fake = fake
        self.store = fake.store
        self.schema = fake.store.schema

    def list_objects(self, request: httpx.Request, object_type: str) -> httpx.Response:
        render.only_params(request, {"limit", "after", "properties", "propertiesWithHistory", "archived"})
        with_history = render.csv_param(request, "propertiesWithHistory")
        limit = render.int_param(request, "limit", 10, HISTORY_LIST_LIMIT if with_history else LIST_LIMIT)
        archived = render.bool_param(request, "archived")
        start = render.decode_cursor(request.url.params.get("after"))
        requested = render.csv_param(request, "properties")
        found, next_id = self.store.page(object_type, start, limit, archived)
        body: dict[str, Any] = {"results": [render.record(self.schema, r, requested, with_history) for r in found]}
        if next_id is not None:
            cursor = render.encode_cursor(next_id)
            body["paging"] = {"next": {"after": cursor, "link": render.next_link(request, cursor)}}
        return httpx.Response(200, json=body)

    def search(self, request: httpx.Request, object_type: str) -> httpx.Response:
        query = parse(render.json_body(request), self.schema, object_type, self.fake.page_cap)
        index = self.store.indexes[object_type]
        index.catch_up(self.fake.clock.now_ms())
        total, ordered = self.fake.engines[object_type].run(query, self.fake.page_cap)
        page = ordered[query.after:query.after + query.limit]
        results = [render.doc(self.schema, object_type, i, index.docs[i], query.properties) for i in page]
        body: dict[str, Any] = {"total": total, "results": results}
        following = query.after + query.limit
        if following < total:
            body["paging"] = {"next": {"after": str(following), "link": f"?after={following}"}}
        return httpx.Response(200, json=body)

    def batch_read(self, request: httpx.Request, object_type: str) -> httpx.Response:
        render.only_params(request, {"archived"})
        archived = render.bool_param(request, "archived")
        started = iso_from_ms(self.fake.clock.now_ms())
        body = render.object_body(request, {"inputs", "properties", "propertiesWithHistory", "idProperty"})
        inputs = render.batch_inputs(body)
        requested, with_history = _names(body, "properties"), _names(body, "propertiesWithHistory")
        id_property = body.get("idProperty") or "hs_object_id"
        if id_property not in self.schema.unique(object_type):
            raise ApiError(400, f"Unable to perform read by non-unique {TYPE_IDS[object_type]} property "
                                f"{id_property} in portal ID {render.PORTAL_ID}")
        results: dict[int, dict[str, Any]] = {}
        missing: list[str] = []
        for item in inputs:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str | int):
                raise ApiError(400, "each input needs an id")
            found = self._read_one(object_type, str(item["id"]), id_property, archived)
            if found is None:
                missing.append(str(item["id"]))
            elif found.id not in results:
                results[found.id] = render.record(self.schema, found, requested, with_history)
        ordered = list(results.values())
        self.fake.order_rng.shuffle(ordered)
        answer: dict[str, Any] = {"status": "COMPLETE", "results": ordered, "startedAt": started,
                                  "completedAt": iso_from_ms(self.fake.clock.now_ms())}
        if not missing:
            return httpx.Response(200, json=answer)
        answer["numErrors"] = 1
        answer["errors"] = [{
            "status": "error", "category": "OBJECT_NOT_FOUND",
            "message": f"Could not get some {SINGULAR[object_type]} objects, they may be deleted or not exist. "
                       "Check that ids are valid.",
            "context": {"ids": missing}, "errors": [],
        }]
        return httpx.Response(207, json=answer)

    def _read_one(self, object_type: str, value: str, id_property: str, archived: bool) -> Record | None:
        if id_property != "hs_object_id":
            found = self.store.find(object_type, id_property, value)
            return found if found is not None and not archived else None
        if not value.strip().isdigit():
            return None
        record_id = int(value)
        if self.fake.merged_read == "survivor" and not archived:
            record_id = self.store.resolve(record_id)
        return self.store.get(object_type, record_id, archived)

    def merge(self, request: httpx.Request, object_type: str) -> httpx.Response:
        render.only_params(request, set())
        body = render.object_body(request, {"primaryObjectId", "objectIdToMerge"})
        primary_id = render.as_id(body.get("primaryObjectId"), "primaryObjectId")
        loser_id = render.as_id(body.get("objectIdToMerge"), "objectIdToMerge")
        if primary_id == loser_id:
            raise ApiError(400, "Cannot merge an object with itself")
        primary, loser = self.store.get(object_type, primary_id), self.store.get(object_type, loser_id)
        if primary is None or loser is None:
            raise ApiError(404, f"Object not found. objectId {loser_id if primary else primary_id} does not exist "
                                "or was merged or deleted.", "OBJECT_NOT_FOUND")
        self.store.merge(primary, loser, render.API_SOURCE)
        return httpx.Response(200, json=render.record(self.schema, primary, None))


def _names(body: dict[str, Any], key: str) -> list[str] | None:
    names = body.get(key)
    if names is None:
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ApiError(400, f"{key} must be a list of strings")
    return names or None

