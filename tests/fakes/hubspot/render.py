"""How records come out of the API, and the request-parsing helpers the routes share.

Reproduces: the record shape shared by list, search and batch read ({id, properties, createdAt,
updatedAt, archived, archivedAt?, propertiesWithHistory?}); every property value a string or null;
requested properties that do not exist silently omitted; requested ones without a value as null;
`hs_object_id`, the create date and the modified date always included; the default set
(firstname, lastname, email for contacts) when `properties` is not given; history versions newest
first as {value, timestamp (ISO), sourceType, sourceId?, updatedByUserId?}. The list endpoint's
`after` cursor is opaque: base64 of the next id, URL-encoded once more inside the JSON body as
HubSpot does ("NTI1Cg%3D%3D"); the fake accepts it encoded any number of times. Batch endpoints take
at most 100 inputs ("Object API batch endpoints are limited to 100 inputs per request"); more, or
none, is a 400 VALIDATION_ERROR.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import quote, unquote, urlencode

import httpx

from tests.fakes.hubspot.clock import iso_from_ms
from tests.fakes.hubspot.errors import ApiError
from tests.fakes.hubspot.index import Doc
from tests.fakes.hubspot.schema import CREATED, DEFAULT_PROPERTIES, MODIFIED, Schema
from tests.fakes.hubspot.state import Record, Source, Version

APP_ID = "1234"
PORTAL_ID = "1234"
BATCH_LIMIT = 100
API_SOURCE: Source = ("INTEGRATION", APP_ID)  # what API writes record in property history


def always(object_type: str) -> tuple[str, ...]:
    return ("hs_object_id", CREATED[object_type], MODIFIED[object_type])


def properties(schema: Schema, object_type: str, values: dict[str, str], requested: list[str] | None,
               ) -> dict[str, str | None]:
    names = requested if requested else DEFAULT_PROPERTIES[object_type]
    out: dict[str, str | None] = {}
    for name in (*names, *always(object_type)):
        if name not in out and schema.get(object_type, name) is not None:
            out[name] = values.get(name)
    return out


def record(schema: Schema, item: Record, requested: list[str] | None,
           with_history: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": str(item.id), "properties": properties(schema, item.type, item.props, requested)}
    if with_history:
        out["propertiesWithHistory"] = {
            name: [version(v) for v in reversed(item.versions(name))]
            for name in dict.fromkeys(with_history) if schema.get(item.type, name) is not None
        }
    out.update({"createdAt": iso_from_ms(item.created_ms), "updatedAt": iso_from_ms(item.updated_ms),
                "archived": item.archived})
    if item.archived_ms is not None:
        out["archivedAt"] = iso_from_ms(item.archived_ms)
    return out


def doc(schema: Schema, object_type: str, doc_id: int, item: Doc, requested: list[str] | None) -> dict[str, Any]:
    return {"id": str(doc_id), "properties": properties(schema, object_type, item.props, requested),
            "createdAt": iso_from_ms(item.created_ms), "updatedAt": iso_from_ms(item.updated_ms), "archived": False}


def version(v: Version) -> dict[str, Any]:
    value, at, source_type, source_id = v
    out: dict[str, Any] = {"value": value, "timestamp": iso_from_ms(at), "sourceType": source_type}
    if source_id is not None:
        out["sourceId"] = source_id
        if source_type == "CRM_UI" and source_id.isdigit():
            out["updatedByUserId"] = int(source_id)
    return out


# request helpers
def json_body(request: httpx.Request) -> Any:
    if not request.headers.get("Content-Type", "").startswith("application/json"):
        raise ApiError(415, "Unsupported Media Type: send application/json", "UNSUPPORTED_MEDIA_TYPE")
    try:
        return json.loads(request.content or b"null")
    except ValueError as exc:
        raise ApiError(400, f"Invalid input JSON: {exc}") from exc


def object_body(request: httpx.Request, allowed: set[str]) -> dict[str, Any]:
    """The JSON object body of a request; a key outside `allowed` is outside the contract."""
    body = json_body(request)
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid input JSON: expected an object")
    only_keys(body, allowed, f"{request.method} {request.url.path}")
    return body


def batch_inputs(body: dict[str, Any]) -> list[Any]:
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise ApiError(400, "inputs must be a non-empty list")
    if len(inputs) > BATCH_LIMIT:
        raise ApiError(400, f"Batch input limit exceeded: {len(inputs)} inputs; object API batch endpoints are "
                            f"limited to {BATCH_LIMIT} inputs per request")
    return inputs


def only_params(request: httpx.Request, allowed: set[str]) -> None:
    unknown = set(request.url.params.keys()) - allowed
    if unknown:
        raise AssertionError(f"request outside the contract: query parameters {sorted(unknown)} on "
                             f"{request.method} {request.url.path}")


def only_keys(body: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(body) - allowed
    if unknown:
        raise AssertionError(f"request outside the contract: keys {sorted(unknown)} in {where}")


def csv_param(request: httpx.Request, name: str) -> list[str] | None:
    values = request.url.params.get_list(name)
    names = [n.strip() for v in values for n in v.split(",") if n.strip()]
    return names or None


def bool_param(request: httpx.Request, name: str) -> bool:
    value = request.url.params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise ApiError(400, f"{name} must be true or false, got {value!r}")
    return value == "true"


def int_param(request: httpx.Request, name: str, default: int, maximum: int) -> int:
    raw = request.url.params.get(name)
    if raw is None:
        return default
    if not raw.strip().isdigit() or not 1 <= int(raw) <= maximum:
        raise ApiError(400, f"{name} must be an integer between 1 and {maximum}, got {raw!r}")
    return int(raw)


def encode_cursor(next_id: int) -> str:
    return quote(base64.b64encode(f"{next_id}\n".encode()).decode(), safe="")


def decode_cursor(raw: str | None) -> int:
    if raw is None or raw == "":
        return 0
    text = raw
    for _ in range(4):
        if "%" not in text:
            break
        text = unquote(text)
    try:
        return int(base64.b64decode(text + "=" * (-len(text) % 4), validate=True).decode().strip())
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"Invalid paging cursor after={raw!r}") from exc


def next_link(request: httpx.Request, cursor: str) -> str:
    pairs = [(k, v) for k, v in request.url.params.multi_items() if k != "after"]
    pairs.append(("after", unquote(cursor)))
    return f"{request.url.scheme}://{request.url.netloc.decode()}{request.url.path}?{urlencode(pairs)}"


def as_id(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip().isdigit():
        raise ApiError(400, f"{what} must be a numeric object id, got {value!r}")
    return int(value)
