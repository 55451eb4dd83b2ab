"""Routes that write contacts: batch upsert, batch update, batch archive, archive one.

Reproduces (HubSpot's OpenAPI spec and reference pages, research brief §1.3):
- Batch upsert `POST /crm/v3/objects/contacts/batch/upsert`: at most 100 inputs; `idProperty`, `id`
  and `properties` required; the idProperty must be unique, else 400 "Unable to perform
  update/upsert by non-unique 0-1 property"; an unmatched key creates the record (`new: true`).
- Batch update `POST /crm/v3/objects/contacts/batch/update` with `{"inputs": [{"id", "properties",
  "idProperty"?, "objectWriteTraceId"?}]}`: at most 100 inputs; without idProperty `id` is the
  record id; an id that does not exist or is archived fails that input only (207, category
  OBJECT_NOT_FOUND, the batch-read message, `context.ids`).
- Both: property values must be JSON strings (else 400 for the whole batch); two inputs naming the
  same record → 400 "Duplicate IDs found in batch input"; unknown properties
  (PROPERTY_DOESNT_EXIST), read-only ones (READ_ONLY_VALUE) and invalid values fail that input
  only (207 with `errors`, `numErrors`, `objectWriteTraceId` echoed in the error's `context`); a
  failed input writes nothing; `""` clears; writes are recorded in history with sourceType
  INTEGRATION; every written record's modified date moves to the server's time of the request,
  even when no value changes (so a sink's own writes echo back), and each result carries it as
  `updatedAt` (with createdAt, archived, objectWriteTraceId?).
- Batch archive `POST /crm/v3/objects/contacts/batch/archive` with `{"inputs": [{"id"}]}` (at most
  100) and `DELETE /crm/v3/objects/contacts/{id}` answer 204 with no body "regardless of the initial
  state of the object (e.g. active, already archived, non-existent)". Archiving does not move the
  modified date.
- Lifecycle stage: "The Lifecycle stage is not designed to move backwards. If you need to set this
  property to a previous stage, you will first need to set the value to "" (an empty string) and
  then set" it (HubSpot's contacts API notes). A write of an earlier stage than the current one
  (order subscriber < lead < marketingqualifiedlead < salesqualifiedlead < opportunity < customer <
  evangelist < other) through upsert or update fails that input: category VALIDATION_ERROR, code
  LIFECYCLE_STAGE_BACKWARDS, a message saying the stage cannot move backwards. A "" write is
  accepted; once the stage is empty any stage may be set, in a later request. Creating a contact
  and seeding (a rep's edit) are not restricted.
  HubSpot's own answer to a backwards write is, by community reports, a silent no-op: success, the
  stage unchanged, no error. FakeHubSpot(lifecycle_backwards="ignore") reproduces that (the other
  properties of the input are written and the result shows the unchanged stage); the error is the
  default so that a sink that never checks its echo fails loudly here rather than quietly there.

Choices where the docs are silent:
- results come in a seeded shuffled order, never input order (correlate by objectWriteTraceId);
  errors come in input order; an upsert result's `properties` are the written ones plus id, email
  and the dates, an update result's the written ones plus the dates;
- batch update's idProperty must be a custom hasUniqueValue property: `hs_object_id` and `email`
  answer 400 "Unable to perform update/upsert by non-unique 0-1 property" (reported for
  hs_object_id by segmentio/action-destinations#3957 and for email by hubspot-api-nodejs#548; use
  upsert to write by email); upsert by hs_object_id of an unknown id is a per-input
  OBJECT_NOT_FOUND (it cannot create);
- a merged-away id is treated as batch read treats it: with merged_read="survivor" (the default)
  update and archive act on the survivor (a result then carries the survivor's id), with
  "not_found" update answers OBJECT_NOT_FOUND and archive ignores it; duplicates are checked on the
  ids as sent, so a loser id and its survivor's id in one update are both applied, in input order;
- an archive input whose id is not a number is a 400 (it cannot name a record); repeated archive
  ids are harmless.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

from tests.fakes.hubspot import render
from tests.fakes.hubspot.clock import iso_from_ms
from tests.fakes.hubspot.errors import ApiError
from tests.fakes.hubspot.objects import SINGULAR
from tests.fakes.hubspot.schema import LIFECYCLE_STAGES, TYPE_IDS, InvalidValue, Schema, api_value
from tests.fakes.hubspot.state import Record

if TYPE_CHECKING:
    from tests.fakes.hubspot.fake import FakeHubSpot

Problem = dict[str, str]  # {name, error, message}
BACKWARDS = "LIFECYCLE_STAGE_BACKWARDS"
NOT_UPDATE_KEYS = frozenset({"hs_object_id", "email"})


class WriteRoutes:
    def __init__(self, fake: FakeHubSpot) -> None:
        self.fake = fake
        self.store = fake.store
        self.schema = fake.store.schema

    # batch upsert
    def upsert(self, request: httpx.Request, object_type: str) -> httpx.Response:
        render.only_params(request, set())
        started = iso_from_ms(self.fake.clock.now_ms())
        inputs = render.batch_inputs(render.object_body(request, {"inputs"}))
        unique = self.schema.unique(object_type)
        for item in inputs:
            self._check_input(item, {"idProperty", "id", "properties", "objectWriteTraceId"}, "a batch upsert input")
            id_property = item.get("idProperty")
            if not isinstance(id_property, str) or not id_property:
                raise ApiError(400, "Invalid input: idProperty is required for batch upsert")
            if id_property not in unique:
                raise _non_unique(object_type, id_property)
        _no_duplicates(inputs, "")
        now = self.fake.clock.now_ms()
        return self._answer(started, [self._upsert_one(object_type, item, now) for item in inputs])

    def _upsert_one(self, object_type: str, item: dict[str, Any], now: int) -> dict[str, Any]:
        id_property, key, trace = item["idProperty"], str(item["id"]), item.get("objectWriteTraceId")
        written: dict[str, str] = dict(item["properties"])
        if id_property != "hs_object_id":
            written = {id_property: key, **written}
        changes, problems = self._validate(object_type, written)
        if problems:
            return _input_error(key, trace, problems)
        found = self.store.find(object_type, id_property, key)
        if found is None and id_property == "hs_object_id":
            return _error(key, trace, "OBJECT_NOT_FOUND", f"Object {key} not found", [])
        if found is None:
            record = self.store.create(object_type, {k: v for k, v in changes.items() if v}, render.API_SOURCE,
                                       at_ms=now)
            new = True
        else:
            problems = self._stage_rule(found, changes)
            if problems:
                return _input_error(key, trace, problems)
            record, new = found, False
            self.store.update(record, changes, render.API_SOURCE, now)
        shown = [*dict.fromkeys([*written, id_property, "email"])]
        return _result(self.schema, record, shown, trace, new)

    # batch update
    def update(self, request: httpx.Request, object_type: str) -> httpx.Response:
        render.only_params(request, set())
        started = iso_from_ms(self.fake.clock.now_ms())
        inputs = render.batch_inputs(render.object_body(request, {"inputs"}))
        allowed = self.schema.unique(object_type) - NOT_UPDATE_KEYS
        for item in inputs:
            self._check_input(item, {"idProperty", "id", "properties", "objectWriteTraceId"}, "a batch update input")
            id_property = item.get("idProperty")
            if id_property is not None and (not isinstance(id_property, str) or id_property not in allowed):
                raise _non_unique(object_type, str(id_property))
        _no_duplicates(inputs, "hs_object_id")
        now = self.fake.clock.now_ms()
        return self._answer(started, [self._update_one(object_type, item, now) for item in inputs])

    def _update_one(self, object_type: str, item: dict[str, Any], now: int) -> dict[str, Any]:
        key, trace = str(item["id"]), item.get("objectWriteTraceId")
        written: dict[str, str] = dict(item["properties"])
        changes, problems = self._validate(object_type, written)
        if problems:
            return _input_error(key, trace, problems)
        record = self._target(object_type, key, item.get("idProperty"))
        if record is None:
            return _error(key, trace, "OBJECT_NOT_FOUND", f"Could not get some {SINGULAR[object_type]} objects, they "
                          "may be deleted or not exist. Check that ids are valid.", [])
        problems = self._stage_rule(record, changes)
        if problems:
            return _input_error(key, trace, problems)
        self.store.update(record, changes, render.API_SOURCE, now)
        return _result(self.schema, record, list(written) or ["hs_object_id"], trace, None)

    def _target(self, object_type: str, key: str, id_property: str | None) -> Record | None:
        if id_property is not None:
            return self.store.find(object_type, id_property, key)
        if not key.strip().isdigit():
            return None
        return self._by_id(object_type, int(key))

    def _by_id(self, object_type: str, record_id: int) -> Record | None:
        if self.fake.merged_read == "survivor":
            record_id = self.store.resolve(record_id)
        return self.store.get(object_type, record_id)

    # archive
    def archive(self, request: httpx.Request, object_type: str) -> httpx.Response:
        render.only_params(request, set())
        inputs = render.batch_inputs(render.object_body(request, {"inputs"}))
        ids: list[int] = []
        for item in inputs:
            if not isinstance(item, dict):
                raise ApiError(400, "each input must be an object")
            render.only_keys(item, {"id"}, "a batch archive input")
            ids.append(render.as_id(item.get("id"), "id"))
        now = self.fake.clock.now_ms()
        for record_id in ids:
            record = self._by_id(object_type, record_id)
            if record is not None:
                self.store.archive(record, now)
        return httpx.Response(204)

    def archive_one(self, request: httpx.Request, object_type: str, object_id: str) -> httpx.Response:
        render.only_params(request, set())
        record = self._by_id(object_type, int(object_id))
        if record is not None:
            self.store.archive(record)
        return httpx.Response(204)

    # shared
    def _check_input(self, item: Any, keys: set[str], where: str) -> None:
        if not isinstance(item, dict):
            raise ApiError(400, "each input must be an object")
        render.only_keys(item, keys, where)
        value, props = item.get("id"), item.get("properties")
        if isinstance(value, bool) or not isinstance(value, str | int) or str(value) == "":
            raise ApiError(400, "Invalid input: id is required")
        if not isinstance(props, dict):
            raise ApiError(400, "Invalid input: properties is required")
        trace = item.get("objectWriteTraceId")
        if trace is not None and not isinstance(trace, str):
            raise ApiError(400, "Invalid input JSON: objectWriteTraceId must be a string")
        wrong = {k: v for k, v in props.items() if not isinstance(v, str)}
        if wrong:
            name, bad = next(iter(wrong.items()))
            raise ApiError(400, f"Invalid input JSON: property values must be strings; {name} is "
                                f"{json.dumps(bad)} ({type(bad).__name__})")

    def _validate(self, object_type: str, written: dict[str, str]) -> tuple[dict[str, str | None], list[Problem]]:
        """The stored form of each written value, and what is wrong with the input."""
        changes: dict[str, str | None] = {}
        problems: list[Problem] = []
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
        return changes, problems

    def _stage_rule(self, record: Record, changes: dict[str, str | None]) -> list[Problem]:
        """Refuse (or, with lifecycle_backwards="ignore", drop) a move to an earlier lifecycle stage."""
        new, old = changes.get("lifecyclestage"), record.props.get("lifecyclestage")
        if record.type != "contacts" or new not in LIFECYCLE_STAGES or old not in LIFECYCLE_STAGES:
            return []
        if LIFECYCLE_STAGES.index(new) >= LIFECYCLE_STAGES.index(old):
            return []
        if self.fake.lifecycle_backwards == "ignore":
            del changes["lifecyclestage"]
            return []
        message = (f'The lifecycle stage cannot move backwards (from "{old}" to "{new}"): clear it first by setting '
                   f'lifecyclestage to "" and set "{new}" in a second request')
        return [{"name": "lifecyclestage", "error": BACKWARDS, "message": message}]

    def _answer(self, started: str, outcomes: list[dict[str, Any]]) -> httpx.Response:
        results = [o for o in outcomes if o.get("status") != "error"]
        errors = [o for o in outcomes if o.get("status") == "error"]
        self.fake.order_rng.shuffle(results)
        answer: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": started,
                                  "completedAt": iso_from_ms(self.fake.clock.now_ms())}
        if not errors:
            return httpx.Response(200, json=answer)
        answer.update({"numErrors": len(errors), "errors": errors})
        return httpx.Response(207, json=answer)


def _non_unique(object_type: str, id_property: str) -> ApiError:
    return ApiError(400, f"Unable to perform update/upsert by non-unique {TYPE_IDS[object_type]} property "
                         f"{id_property} in portal ID {render.PORTAL_ID}")


def _no_duplicates(inputs: list[dict[str, Any]], default_property: str) -> None:
    seen: set[tuple[str, str]] = set()
    duplicates: list[str] = []
    for item in inputs:
        key = (item.get("idProperty") or default_property, str(item["id"]).strip().casefold())
        if key in seen:
            duplicates.append(str(item["id"]))
        seen.add(key)
    if duplicates:
        raise ApiError(400, f"Duplicate IDs found in batch input: {duplicates}. IDs must be unique")


def _result(schema: Schema, record: Record, shown: list[str], trace: str | None, new: bool | None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": str(record.id)}
    if new is not None:
        out["new"] = new
    out.update({k: v for k, v in render.record(schema, record, shown).items() if k != "id"})
    if trace is not None:
        out["objectWriteTraceId"] = trace
    return out


def _input_error(key: str, trace: str | None, problems: list[Problem]) -> dict[str, Any]:
    detail = [{"isValid": False, "message": p["message"], "error": p["error"], "name": p["name"],
               "localizedErrorMessage": p["message"]} for p in problems]
    message = "Property values were not valid: " + json.dumps(detail, separators=(",", ":"))
    sub = [{"message": p["message"], "code": p["error"], "context": {"propertyName": [p["name"]]}} for p in problems]
    return _error(key, trace, "VALIDATION_ERROR", message, sub)


def _error(key: str, trace: str | None, category: str, message: str, sub: list[dict[str, Any]]) -> dict[str, Any]:
    context: dict[str, list[str]] = {"ids": [key]}
    if trace is not None:
        context["objectWriteTraceId"] = [trace]
    return {"status": "error", "category": category, "message": message, "context": context, "errors": sub}
