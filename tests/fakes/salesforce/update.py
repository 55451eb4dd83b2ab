"""sObject Collections update by Id: `PATCH /services/data/vNN.0/composite/sobjects`.

Documented behaviour reproduced (REST API Developer Guide, "Update Records Using sObject
Collections"; the SaveResult and StatusCode lists):
- Body `{"allOrNone"?: bool, "records": [{"attributes": {"type": "Lead"}, "Id": "00Q...", <fields>}]}`
  with at most 200 records (more → 400 EXCEEDED_ID_LIMIT, as on the upsert route). Every record
  needs an `attributes` map with a `type` and an Id; records may be of different types and are
  processed in chunks of consecutive records of one type, at most 10 chunks per request.
- 200 even when records fail: one SaveResult per record, in request order,
  `{"id", "success", "errors": [{"statusCode", "message", "fields"}]}`; a failed record's id is
  null ("If this field is empty, the object was not created or updated").
- Per-record errors: MISSING_ARGUMENT "Id not specified in an update call" (fields []);
  MALFORMED_ID "Lead ID: id value of incorrect type: ..." (not an id, or the id of another object
  than attributes.type); ENTITY_IS_DELETED "entity is deleted" (the record is in the Recycle Bin,
  was purged, or never existed: "You can't reference an object that has been deleted");
  CANNOT_UPDATE_CONVERTED_LEAD; INVALID_FIELD (unknown field); INVALID_FIELD_FOR_INSERT_UPDATE
  (read-only field); REQUIRED_FIELD_MISSING (a required field set to null); the value errors of
  the upsert route (STRING_TOO_LONG, INVALID_EMAIL_ADDRESS, MALFORMED_ID and
  INVALID_CROSS_REFERENCE_KEY for reference fields); DUPLICATE_VALUE (a unique field). A value of
  the wrong JSON type is a 400 JSON_PARSER_ERROR for the request, as on the upsert route.
- allOrNone: true → nothing is saved if any record fails; the others report
  ALL_OR_NONE_OPERATION_ROLLED_BACK (the upsert route's rule, shared code).
- Every saved record gets the request's one SystemModstamp and LastModifiedDate, and
  LastModifiedById = the session's user (the integration user), even when no value changes, so a
  sink's writes echo back on the next extract; tracked Lead fields write LeadHistory rows.

Choices where the docs are silent: a record without attributes.type, or of a type the org does
not have or the fake does not let the API write (User, UserRole, LeadHistory), fails the request
(400 INVALID_TYPE); more than 10 chunks → 400 EXCEEDED_MAX_TYPES_LIMIT; the same Id twice in one
request fails both records (DUPLICATE_VALUE "Duplicate id in list", fields ["Id"]), as a repeated
external id does on upsert; checks run in the order Id, fields, existence, conversion,
writability, uniqueness, and a record reports its first error only; duplicate rules are not run
(Salesforce can run them on edit when a rule says so; `duplicate_rule_on` models create only).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

from tests.fakes.salesforce.errors import SalesforceError
from tests.fakes.salesforce.plan import Catalog
from tests.fakes.salesforce.schema import ObjectDef
from tests.fakes.salesforce.state import Clock, Store
from tests.fakes.salesforce.upsert import (
    RecordError,
    check_converted,
    check_fields,
    check_unique,
    prepare,
    read_body,
    record_type,
    save_all,
)
from tests.fakes.salesforce.values import is_id, to18

MAX_CHUNKS = 10
ID_KEY = frozenset({"id"})
Planned = tuple[ObjectDef, str, dict[str, Any]]  # (object, 18-character id, converted values)


class Updates:
    def __init__(self, catalog: Catalog, store: Store, clock: Clock, settings: Any) -> None:
        self.catalog, self.store, self.clock, self.settings = catalog, store, clock, settings

    def update(self, request: httpx.Request, version: str) -> httpx.Response:
        if request.url.query:
            raise AssertionError(f"request outside the contract: query parameters on PATCH {request.url.path}")
        records, all_or_none = read_body(request)
        objects = [self._object(record) for record in records]
        chunks = sum(1 for i, obj in enumerate(objects) if i == 0 or obj is not objects[i - 1])
        if chunks > MAX_CHUNKS:
            raise SalesforceError(400, "EXCEEDED_MAX_TYPES_LIMIT", f"The request has {chunks} chunks of records of "
                                  f"one type; a request can process up to {MAX_CHUNKS}")
        ids = [_canonical(obj, _raw_id(record)) for obj, record in zip(objects, records, strict=True)]
        counts = Counter(i for i in ids if i is not None)
        staged: dict[str, set[tuple[str, str]]] = {}
        outcomes: list[Planned | RecordError] = []
        for obj, record in zip(objects, records, strict=True):
            try:
                outcomes.append(self._plan(obj, record, counts, staged.setdefault(obj.name, set())))
            except RecordError as failure:
                outcomes.append(failure)
        now = self.clock.now_ms()

        def save(planned: Planned) -> dict[str, Any]:
            obj, record_id, values = planned
            self.store.replace(obj, record_id, values, now)
            return {"id": record_id, "success": True, "errors": []}

        return httpx.Response(200, json=save_all(outcomes, all_or_none, save, _failure))

    def _object(self, record: Any) -> ObjectDef:
        kind = record_type(record)
        if kind is None:
            raise SalesforceError(400, "INVALID_TYPE", "Every record must have an attributes map with a type")
        obj = self.catalog.by_lower.get(kind.lower())
        if obj is None or not obj.createable:
            raise SalesforceError(400, "INVALID_TYPE", f"sObject type '{kind}' is not supported. If you are attempting "
                                  "to use a custom object, be sure to append the '__c' after the entity name.")
        return obj

    def _plan(self, obj: ObjectDef, record: dict[str, Any], counts: Counter[str],
              staged: set[tuple[str, str]]) -> Planned:
        raw = _raw_id(record)
        if raw is None or raw == "":
            raise RecordError("MISSING_ARGUMENT", "Id not specified in an update call")
        record_id = _canonical(obj, raw)
        if record_id is None:
            raise RecordError("MALFORMED_ID", f"{obj.label} ID: id value of incorrect type: {raw}", ["Id"])
        if counts[record_id] > 1:
            raise RecordError("DUPLICATE_VALUE", f"Duplicate id in list: {record_id}", ["Id"])
        values, error = prepare(obj, record, self.catalog, self.store, skip=ID_KEY)
        if error is not None:
            raise error
        row = self.store.tables[obj.name].get(record_id)
        if row is None or (obj.has("IsDeleted") and row[obj.index["IsDeleted"]]):
            raise RecordError("ENTITY_IS_DELETED", "entity is deleted")
        check_converted(obj, row)
        check_fields(obj, values, record_id)
        check_unique(self.store, obj, values, record_id, staged)
        return obj, record_id, values


def _raw_id(record: dict[str, Any]) -> Any:
    """The record's Id (field names are case-insensitive), None when it has none."""
    return next((value for key, value in record.items() if key.lower() in ID_KEY), None)


def _canonical(obj: ObjectDef, raw: Any) -> str | None:
    """The 18-character id when `raw` is an id of `obj`, else None."""
    if not is_id(raw):
        return None
    canonical = to18(raw)  # an 18-character id is case-safe: "00q...eaa" is "00Q...EAA"
    return canonical if canonical[:3] == obj.key_prefix else None


def _failure(error: RecordError) -> dict[str, Any]:
    return {"id": None, "success": False, "errors": [error.body()]}
