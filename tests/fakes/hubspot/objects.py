"""Routes on CRM objects: list, search, batch read, batch upsert, merge.

Reproduces:
- List `GET /crm/v3/objects/{type}`: `limit` default 10; opaque `after`; `properties` and
  `propertiesWithHistory` as CSV (or repeated); `archived=true` returns only archived records, with
  `archivedAt`; `paging` absent on the last page; `paging.next.link` a full URL.
- Batch read: at most 100 inputs; missing ids → 207 with one OBJECT_NOT_FOUND error listing them in
  `context.ids`, and `numErrors`; `idProperty` may name a unique property (email).
- Batch upsert (contacts): at most 100 inputs; `idProperty`, `id` and `properties` required; the
  idProperty must be unique, else 400 "Unable to perform update/upsert by non-unique 0-1 property";
  property values must be JSON strings; two inputs naming the same record → 400 "Duplicate IDs
  found in batch input"; unknown properties and invalid values fail that input only (207, with
  `objectWriteTraceId` echoed in the error's `context`); `""` clears; an unmatched key creates the
  record (`new: true`); writes are recorded in history with sourceType INTEGRATION.
- Merge (contacts): see state.py.

Choices where the docs are silent:
- list `limit` above 100 (above 50 with propertiesWithHistory) or below 1 → 400 VALIDATION_ERROR
  (HubSpot documents the maximum, not what it does past it);
- results of batch read and batch upsert come in a seeded shuffled order, never input order
  (HubSpot does not promise one; correlate by id or objectWriteTraceId);
- batch read of a merged-away id answers the survivor, under the survivor's id, once even if both
  ids were asked (HubSpot's behaviour); FakeHubSpot(merged_read="not_found") makes it a 207
  OBJECT_NOT_FOUND instead;
- upsert by hs_object_id of an unknown id is a per-input OBJECT_NOT_FOUND (it cannot create);
- an upsert result's `properties` are the written ones plus id, email and the dates.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

from tests.fakes.hubspot import render
from tests.fakes.hubspot.clock import iso_from_ms
from tests.fakes.hubspot.errors import ApiError
from tests.fakes.hubspot.schema import TYPE_IDS, InvalidValue, api_value
from tests.fakes.hubspot.search import parse
from tests.fakes.hubspot.state import Record

if TYPE_CHECKING:
    from tests.fakes.hubspot.fake import FakeHubSpot

BATCH_LIMIT = 100
LIST_LIMIT = 100
HISTORY_LIST_LIMIT = 50
API_SOURCE = ("INTEGRATION", render.APP_ID)
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
        body = self._object_body(request, {"inputs", "properties", "propertiesWithHistory", "idProperty"})
        inputs = self._inputs(body)
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

    def upsert(self, request: httpx.Request, object_type: str) -> httpx.Response:
        render.only_params(request, set())
        started = iso_from_ms(self.fake.clock.now_ms())
        inputs = self._inputs(self._object_body(request, {"inputs"}))
        unique = self.schema.unique(object_type)
        seen: dict[tuple[str, str], str] = {}
        duplicates: list[str] = []
        for item in inputs:
            self._check_input(item, object_type, unique)
            key = (item["idProperty"], str(item["id"]).strip().casefold())
            if key in seen:
                duplicates.append(str(item["id"]))
            seen[key] = str(item["id"])
        if duplicates:
            raise ApiError(400, f"Duplicate IDs found in batch input: {duplicates}. IDs must be unique")
        now = self.fake.clock.now_ms()
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for item in inputs:
            outcome = self._upsert_one(object_type, item, now)
            (errors if outcome.get("status") == "error" else results).append(outcome)
        self.fake.order_rng.shuffle(results)
        answer: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": started,
                                  "completedAt": iso_from_ms(self.fake.clock.now_ms())}
        if not errors:
            return httpx.Response(200, json=answer)
        answer.update({"numErrors": len(errors), "errors": errors})
        return httpx.Response(207, json=answer)

    def _check_input(self, item: Any, object_type: str, unique: set[str]) -> None:
        if not isinstance(item, dict):
            raise ApiError(400, "each input must be an object")
        render.only_keys(item, {"idProperty", "id", "properties", "objectWriteTraceId"}, "a batch upsert input")
        id_property, value, props = item.get("idProperty"), item.get("id"), item.get("properties")
        if not isinstance(id_property, str) or not id_property:
            raise ApiError(400, "Invalid input: idProperty is required for batch upsert")
        if isinstance(value, bool) or not isinstance(value, str | int) or str(value) == "":
            raise ApiError(400, "Invalid input: id is required")
        if not isinstance(props, dict):
            raise ApiError(400, "Invalid input: properties is required")
        if id_property not in unique:
            raise ApiError(400, f"Unable to perform update/upsert by non-unique {TYPE_IDS[object_type]} property "
                                f"{id_property} in portal ID {render.PORTAL_ID}")
        wrong = {k: v for k, v in props.items() if not isinstance(v, str)}
        if wrong:
            name, value = next(iter(wrong.items()))
            raise ApiError(400, f"Invalid input JSON: property values must be strings; {name} is "
                                f"{json.dumps(value)} ({type(value).__name__})")

    def _upsert_one(self, object_type: str, item: dict[str, Any], now: int) -> dict[str, Any]:
        id_property, key, trace = item["idProperty"], str(item["id"]), item.get("objectWriteTraceId")
        changes: dict[str, str | None] = {}
        problems: list[dict[str, str]] = []
        written: dict[str, str] = dict(item["properties"])
        if id_property != "hs_object_id":
            written = {id_property: key, **written}
        for name, value in written.items():
            defn = self.schema.get(object_type, name)
            if defn is None:
                problems.append({"name": name, "error": "PROPERTY_DOESNT_EXIST",
                                 "message": f'Property "{name}" does not exist'})
                continue
            try:
                changes[name] = api_value(defn, value)
            except InvalidValue as exc:
                problems.append({"name": name, "error": exc.code, "message": exc.message})
        if problems:
            return self._input_error(key, trace, problems)
        found = self.store.find(object_type, id_property, key)
        if found is None and id_property == "hs_object_id":
            return _error(key, trace, "OBJECT_NOT_FOUND", f"Object {key} not found", [])
        if found is None:
            values = {k: v for k, v in changes.items() if v}
            record = self.store.create(object_type, values, API_SOURCE, at_ms=now)
            new = True
        else:
            record, new = found, False
            self.store.update(record, changes, API_SOURCE, now)
        out: dict[str, Any] = {"id": str(record.id), "new": new}
        shown = [*dict.fromkeys([*changes, id_property, "email"])]
        out.update({k: v for k, v in render.record(self.schema, record, shown).items() if k != "id"})
        if trace is not None:
            out["objectWriteTraceId"] = trace
        return out

    def _input_error(self, key: str, trace: str | None, problems: list[dict[str, str]]) -> dict[str, Any]:
        detail = [{"isValid": False, "message": p["message"], "error": p["error"], "name": p["name"],
                   "localizedErrorMessage": p["message"]} for p in problems]
        message = "Property values were not valid: " + json.dumps(detail, separators=(",", ":"))
        sub = [{"message": p["message"], "code": p["error"], "context": {"propertyName": [p["name"]]}}
               for p in problems]
        return _error(key, trace, "VALIDATION_ERROR", message, sub)

    def merge(self, request: httpx.Request, object_type: str) -> httpx.Response:
        render.only_params(request, set())
        body = self._object_body(request, {"primaryObjectId", "objectIdToMerge"})
        primary_id = render.as_id(body.get("primaryObjectId"), "primaryObjectId")
        loser_id = render.as_id(body.get("objectIdToMerge"), "objectIdToMerge")
        if primary_id == loser_id:
            raise ApiError(400, "Cannot merge an object with itself")
        primary, loser = self.store.get(object_type, primary_id), self.store.get(object_type, loser_id)
        if primary is None or loser is None:
            raise ApiError(404, f"Object not found. objectId {loser_id if primary else primary_id} does not exist "
                                "or was merged or deleted.", "OBJECT_NOT_FOUND")
        self.store.merge(primary, loser, API_SOURCE)
        return httpx.Response(200, json=render.record(self.schema, primary, None))

    def _object_body(self, request: httpx.Request, allowed: set[str]) -> dict[str, Any]:
        body = render.json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "Invalid input JSON: expected an object")
        render.only_keys(body, allowed, f"{request.method} {request.url.path}")
        return body

    def _inputs(self, body: dict[str, Any]) -> list[Any]:
        inputs = body.get("inputs")
        if not isinstance(inputs, list) or not inputs:
            raise ApiError(400, "inputs must be a non-empty list")
        if len(inputs) > BATCH_LIMIT:
            raise ApiError(400, f"Batch input limit exceeded: {len(inputs)} inputs; object API batch endpoints are "
                                f"limited to {BATCH_LIMIT} inputs per request")
        return inputs


def _names(body: dict[str, Any], key: str) -> list[str] | None:
    names = body.get(key)
    if names is None:
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ApiError(400, f"{key} must be a list of strings")
    return names or None


def _error(key: str, trace: str | None, category: str, message: str, sub: list[dict[str, Any]]) -> dict[str, Any]:
    context: dict[str, list[str]] = {"ids": [key]}
    if trace is not None:
        context["objectWriteTraceId"] = [trace]
    return {"status": "error", "category": category, "message": message, "context": context, "errors": sub}
