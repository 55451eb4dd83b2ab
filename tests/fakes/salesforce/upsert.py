"""sObject Collections upsert: `PATCH /composite/sobjects/{Object}/{ExternalIdField}`.

Documented behaviour reproduced (REST API Developer Guide, "Upsert Multiple Records Using an
External ID"; StatusCode list):
- At most 200 records (more → 400 EXCEEDED_ID_LIMIT); one sObject type; matched by the external id
  field only. A field that does not exist → 404 NOT_FOUND "Provided external ID field does not
  exist or is not accessible"; one that is not an external id (Email is only idLookup) → 400
  INVALID_FIELD.
- 200 even when records fail; one UpsertResult per record, in request order:
  `{"id", "success", "errors": [{"statusCode", "message", "fields"}], "created"}`.
- Per-record errors: INVALID_FIELD (unknown field), INVALID_FIELD_FOR_INSERT_UPDATE (read-only
  field), REQUIRED_FIELD_MISSING, STRING_TOO_LONG, INVALID_EMAIL_ADDRESS, MALFORMED_ID,
  INVALID_CROSS_REFERENCE_KEY, DUPLICATE_VALUE (unique field, or the same external id twice in one
  request), DUPLICATE_EXTERNAL_ID (several records carry the value), CANNOT_UPDATE_CONVERTED_LEAD,
  DUPLICATES_DETECTED (an active duplicate rule, with a `duplicateResult`).
- allOrNone: true → nothing is saved if any record fails; the others report
  ALL_OR_NONE_OPERATION_ROLLED_BACK.
- A value of the wrong JSON type (text in a number or boolean field, an unparseable date) fails
  the whole request: 400 JSON_PARSER_ERROR. Empty strings are saved as null. External ids match
  case-insensitively and never match records in the Recycle Bin.
- Every saved record gets the request's one SystemModstamp, including no-op updates.

Choices where the docs are silent: a record without `attributes.type`, or of another type than the
path, fails the whole request (400 INVALID_TYPE); a failed result carries `"id": null, "created":
false`; each record reports its first error only; duplicate rules compare a new record with
records already saved, not with others in the same request, and only on create.

The body checks, value conversion, field checks and the allOrNone rule here are shared with the
update-by-Id route (update.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from tests.fakes.salesforce.errors import SalesforceError
from tests.fakes.salesforce.plan import Catalog
from tests.fakes.salesforce.schema import IDLIKE, NUMERIC, STRINGY, FieldDef, ObjectDef
from tests.fakes.salesforce.state import Clock, Store, index_key
from tests.fakes.salesforce.values import EMAIL_RE, is_id, parse_date, parse_datetime, to18

MAX_RECORDS = 200
BODY_KEYS = {"allOrNone", "records"}
ROLLED_BACK = ("ALL_OR_NONE_OPERATION_ROLLED_BACK", "Record rolled back because not all records were valid and the "
               "request was using AllOrNone header")
Planned = TypeVar("Planned")


class RecordError(Exception):
    def __init__(self, code: str, message: str, fields: list[str] | None = None, extra: dict | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.fields, self.extra = code, message, fields or [], extra or {}

    def body(self) -> dict[str, Any]:
        return {"statusCode": self.code, "message": self.message, "fields": self.fields, **self.extra}


def json_error(f: FieldDef, value: Any) -> SalesforceError:
    kind = {"boolean": "boolean", "int": "int", "datetime": "Datetime", "date": "Date"}.get(f.type, "double")
    return SalesforceError(400, "JSON_PARSER_ERROR", f"Cannot deserialize instance of {kind} from VALUE_STRING value "
                           f"{value} or request may be missing a required field")


def convert(f: FieldDef, value: Any, catalog: Catalog, store: Store) -> Any:
    """A JSON value → the stored value. JSON_PARSER_ERROR for the request, RecordError for the record."""
    if isinstance(value, dict | list):
        raise json_error(f, json.dumps(value))
    if value is None or value == "":
        return False if f.type == "boolean" else None
    label = f.label or f.name
    if f.type in STRINGY:
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        if f.length and len(text) > f.length:
            raise RecordError("STRING_TOO_LONG", f"{label}: data value too large: {text[:64]} (max length={f.length})",
                              [f.name])
        if f.type == "email" and not EMAIL_RE.match(text):
            raise RecordError("INVALID_EMAIL_ADDRESS", f"{label}: invalid email address: {text}", [f.name])
        return text
    if f.type in IDLIKE:
        if not isinstance(value, str):
            raise json_error(f, value)
        prefixes = {catalog.objects[t].key_prefix for t in f.reference_to if t in catalog.objects}
        if not is_id(value) or to18(value)[:3] not in prefixes:  # case-safe: to18 restores the prefix's case
            raise RecordError("MALFORMED_ID", f"{label}: id value of incorrect type: {value}", [f.name])
        if not store.exists(to18(value)):
            raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [f.name])
        return to18(value)
    if f.type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise json_error(f, value)
    if f.type in NUMERIC:
        try:
            number = float(value) if not isinstance(value, bool) else None
        except ValueError:
            number = None
        if number is None:
            raise json_error(f, value)
        if f.type == "int":
            if not number.is_integer():
                raise json_error(f, value)
            return int(number)
        return number
    try:
        return parse_datetime(value, require_zone=False) if f.type == "datetime" else parse_date(value)
    except ValueError as exc:
        raise json_error(f, value) from exc


def read_body(request: httpx.Request) -> tuple[list[Any], bool]:
    """`{"allOrNone"?: bool, "records": [...]}` with at most 200 records, else a 400 for the request."""
    try:
        body = json.loads(request.content or b"null")
    except ValueError as exc:
        raise SalesforceError(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from exc
    if not isinstance(body, dict) or not isinstance(body.get("records"), list) or set(body) - BODY_KEYS:
        raise SalesforceError(400, "JSON_PARSER_ERROR", 'The body must be {"allOrNone": bool, "records": [...]}')
    all_or_none = body.get("allOrNone", False)
    if not isinstance(all_or_none, bool):
        raise SalesforceError(400, "JSON_PARSER_ERROR", f"Cannot deserialize allOrNone from {all_or_none!r}")
    records = body["records"]
    if len(records) > MAX_RECORDS:
        raise SalesforceError(400, "EXCEEDED_ID_LIMIT",
                              f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call")
    return records, all_or_none


def record_type(record: Any) -> str | None:
    attributes = record.get("attributes") if isinstance(record, dict) else None
    kind = attributes.get("type") if isinstance(attributes, dict) else None
    return kind if isinstance(kind, str) else None


def prepare(obj: ObjectDef, record: dict[str, Any], catalog: Catalog, store: Store,
            skip: frozenset[str] = frozenset()) -> tuple[dict[str, Any], RecordError | None]:
    """The record's fields converted to stored values (keys in `skip`, lower-case, left out), and its first error."""
    values: dict[str, Any] = {}
    error: RecordError | None = None
    for key, value in record.items():
        if key == "attributes" or key.lower() in skip:
            continue
        f = obj.field(key)
        if f is None or f.name == "Id":
            error = error or RecordError("INVALID_FIELD", f"No such column '{key}' on sobject of type {obj.name}")
            continue
        try:
            values[f.name] = convert(f, value, catalog, store)
        except RecordError as failure:
            error = error or failure
    return values, error


def check_fields(obj: ObjectDef, values: dict[str, Any], existing: str | None) -> None:
    """Writable on create (or on update, for an existing record) and no required field left empty."""
    writable = "updateable" if existing else "createable"
    blocked = [name for name in values if not getattr(obj.by_lower[name.lower()], writable)]
    if blocked:
        raise RecordError("INVALID_FIELD_FOR_INSERT_UPDATE", f"Unable to create/update fields: "
                          f"{', '.join(blocked)}. Please check the security settings of this field and verify "
                          "that it is read/write for your profile or permission set.", blocked)
    required = [f.name for f in obj.fields if f.required and (
        (existing is None and values.get(f.name) is None) or (f.name in values and values[f.name] is None))]
    if required:
        raise RecordError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(required)}]", required)


def check_converted(obj: ObjectDef, row: tuple[Any, ...]) -> None:
    if obj.name == "Lead" and row[obj.index["IsConverted"]]:
        raise RecordError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")


def check_unique(store: Store, obj: ObjectDef, values: dict[str, Any], existing: str | None,
                 staged: set[tuple[str, str]]) -> None:
    """No unique field may take a value another record (or an earlier record of this request) holds."""
    for name, value in values.items():
        f = obj.by_lower[name.lower()]
        if not f.unique or value is None:
            continue
        others = [rid for rid in store.find(obj, name, value, include_deleted=True) if rid != existing]
        if others or (name, index_key(value)) in staged:
            where = others[0] if others else "(another record in this request)"
            raise RecordError("DUPLICATE_VALUE",
                              f"duplicate value found: {name} duplicates value on record with id: {where}", [name])
    for name, value in values.items():
        if obj.by_lower[name.lower()].unique and value is not None:
            staged.add((name, index_key(value)))


def save_all(outcomes: list[Planned | RecordError], all_or_none: bool, save: Callable[[Planned], dict[str, Any]],
             fail: Callable[[RecordError], dict[str, Any]]) -> list[dict[str, Any]]:
    """Results in request order. With allOrNone, one failure saves nothing and marks the rest rolled back."""
    if all_or_none and any(isinstance(o, RecordError) for o in outcomes):
        return [fail(o if isinstance(o, RecordError) else RecordError(*ROLLED_BACK)) for o in outcomes]
    return [fail(o) if isinstance(o, RecordError) else save(o) for o in outcomes]


class Upserts:
    def __init__(self, catalog: Catalog, store: Store, clock: Clock, settings: Any) -> None:
        self.catalog, self.store, self.clock, self.settings = catalog, store, clock, settings
        self.version = ""

    def upsert(self, request: httpx.Request, version: str, object_name: str, field_name: str) -> httpx.Response:
        obj = self.catalog.by_lower.get(object_name.lower())
        if obj is None:
            raise SalesforceError(404, "NOT_FOUND", "The requested resource does not exist")
        if not obj.createable:
            raise SalesforceError(400, "INVALID_TYPE_FOR_OPERATION", f"entity type {obj.name} does not support upsert")
        ext = obj.field(field_name)
        if ext is None:
            raise SalesforceError(404, "NOT_FOUND",
                                  f"Provided external ID field does not exist or is not accessible: {field_name}")
        if not ext.external_id:
            raise SalesforceError(400, "INVALID_FIELD", f"Field name provided, {ext.name} is not an External ID or "
                                  f"indexed field for {obj.name}")
        self.version = version
        records, all_or_none = read_body(request)
        for record in records:
            kind = record_type(record)
            if kind is None or kind.lower() != obj.name.lower():
                raise SalesforceError(400, "INVALID_TYPE", f"Every record must have attributes.type {obj.name}")
        prepared = [prepare(obj, record, self.catalog, self.store) for record in records]
        keys = [index_key(p[0][ext.name]) for p in prepared if p[1] is None and p[0].get(ext.name) is not None]
        repeated = {k for k in keys if keys.count(k) > 1}
        staged_unique: set[tuple[str, str]] = set()
        outcomes: list[tuple[str, str | None, dict[str, Any]] | RecordError] = []
        for values, error in prepared:
            try:
                if error is not None:
                    raise error
                outcomes.append(self._plan(obj, ext, values, repeated, staged_unique))
            except RecordError as failure:
                outcomes.append(failure)
        now = self.clock.now_ms()

        def save(planned: tuple[str, str | None, dict[str, Any]]) -> dict[str, Any]:
            action, record_id, values = planned
            if action == "create":
                record_id = self.store.insert(obj, values, now)[0]
            else:
                assert record_id is not None
                self.store.replace(obj, record_id, values, now)
            return {"id": record_id, "success": True, "errors": [], "created": action == "create"}

        return httpx.Response(200, json=save_all(outcomes, all_or_none, save, _failure))

    def _plan(self, obj: ObjectDef, ext: FieldDef, values: dict[str, Any], repeated: set[str],
              staged_unique: set[tuple[str, str]]) -> tuple[str, str | None, dict[str, Any]]:
        key = values.get(ext.name)
        if key is None:
            raise RecordError("MISSING_ARGUMENT", f"{ext.name} not specified", [ext.name])
        if index_key(key) in repeated:
            raise RecordError("DUPLICATE_VALUE", f"Duplicate external id specified: {key}", [ext.name])
        matches = self.store.find(obj, ext.name, key)
        if len(matches) > 1:
            raise RecordError("DUPLICATE_EXTERNAL_ID",
                              f"{ext.name}: more than one record found for external id field: {matches}", [ext.name])
        existing = matches[0] if matches else None
        if existing is not None:
            check_converted(obj, self.store.tables[obj.name][existing])
        check_fields(obj, values, existing)
        check_unique(self.store, obj, values, existing, staged_unique)
        if existing is None:
            self._check_duplicate_rules(obj, values)
        return ("update" if existing else "create"), existing, values

    def _check_duplicate_rules(self, obj: ObjectDef, values: dict[str, Any]) -> None:
        for name in self.settings.duplicate_rule_on:
            f = obj.field(name)
            if f is None or values.get(f.name) is None:
                continue
            matches = self.store.find(obj, f.name, values[f.name])
            if not matches:
                continue
            base = f"/services/data/{self.version}/sobjects/{obj.name}/"
            records = [{"additionalInformation": [], "fieldDiffs": [], "matchConfidence": 100.0,
                        "record": {"attributes": {"type": obj.name, "url": base + m}, "Id": m}} for m in matches]
            result = {
                "allowSave": False, "duplicateRule": f"Standard_{obj.name}_Duplicate_Rule",
                "duplicateRuleEntityType": obj.name, "errorMessage": "Use one of these records?",
                "matchResults": [{"entityType": obj.name, "errors": [], "matchEngine": "ExactMatchEngine",
                                  "matchRecords": records, "rule": f"Standard_{obj.name}_Match_Rule_v1_0",
                                  "size": len(records), "success": True}],
            }
            raise RecordError("DUPLICATES_DETECTED", "Use one of these records?", [], {"duplicateResult": result})


def _failure(error: RecordError) -> dict[str, Any]:
    return {"id": None, "success": False, "errors": [error.body()], "created": False}
