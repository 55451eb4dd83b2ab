"""Routes around the objects: properties and groups, owners, associations, the daily usage monitor.

Reproduces:
- `GET /crm/v3/properties/{type}` → {"results": [definitions]}; `POST` creates one (201; 409 when
  the name exists; name, label, type, fieldType and groupName required; type and fieldType must
  fit; the group must exist; at most 10 hasUniqueValue properties per object);
  `GET|POST /crm/v3/properties/{type}/groups` lists or creates groups (409 when it exists).
- `GET /crm/v3/owners` with `limit` (default 100, at most 500), `after`, `archived` →
  {"results": [{id, email, type, firstName, lastName, userId, teams, archived, createdAt,
  updatedAt}], "paging"?}.
- `POST /crm/v4/associations/{from}/{to}/batch/read` with at most 1,000 inputs →
  {"status": "COMPLETE", "results": [{"from": {"id"}, "to": [{"toObjectId": <number>,
  "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId", "label": null}]}]}]}.
- `GET /account-info/v3/api-usage/daily/private-apps` → the daily counter.

Choices: ids without associations are left out of the results (HubSpot instead answers 207 with an
error per id, category OBJECT_NOT_FOUND, subCategory crm.associations.NO_ASSOCIATIONS_FOUND; pass
FakeHubSpot(association_misses="207") to get that); custom property names must start with a
letter, use only letters, digits and underscores, and must not start with "hs_" (reserved).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx

from tests.fakes.hubspot import render
from tests.fakes.hubspot.clock import iso_from_ms
from tests.fakes.hubspot.errors import ApiError
from tests.fakes.hubspot.schema import FIELD_TYPES, PROPERTY_TYPES, PropertyDef

if TYPE_CHECKING:
    from tests.fakes.hubspot.fake import FakeHubSpot

ASSOCIATION_INPUTS = 1000
OWNER_LIMIT = 500
MAX_UNIQUE = 10
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
PROPERTY_KEYS = {"name", "label", "type", "fieldType", "groupName", "description", "options", "displayOrder",
                 "hasUniqueValue", "hidden", "formField", "calculationFormula", "externalOptions",
                 "referencedObjectType", "dataSensitivity"}


class MetaRoutes:
    def __init__(self, fake: FakeHubSpot) -> None:
        self.fake = fake
        self.store = fake.store
        self.schema = fake.store.schema

    def list_properties(self, request: httpx.Request, object_type: str) -> httpx.Response:
        render.only_params(request, {"archived"})
        if render.bool_param(request, "archived"):
            return httpx.Response(200, json={"results": []})
        results = [p.to_json() for p in self.schema.properties[object_type].values()]
        return httpx.Response(200, json={"results": results})

    def create_property(self, request: httpx.Request, object_type: str) -> httpx.Response:
        render.only_params(request, set())
        body = render.json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "Invalid input JSON: expected an object")
        render.only_keys(body, PROPERTY_KEYS, "a property definition")
        missing = [k for k in ("name", "label", "type", "fieldType", "groupName") if not body.get(k)]
        if missing:
            raise ApiError(400, f"Missing required fields: {missing}")
        name, kind, field_type, group = body["name"], body["type"], body["fieldType"], body["groupName"]
        if not isinstance(name, str) or not NAME.match(name) or name.startswith("hs_"):
            raise ApiError(400, f"Invalid property name {name!r}")
        if name in self.schema.properties[object_type]:
            raise ApiError(409, f"Property named '{name}' already exists.", "OBJECT_ALREADY_EXISTS",
                           subCategory="Properties.PROPERTY_EXISTS")
        if kind not in PROPERTY_TYPES or field_type not in FIELD_TYPES[kind]:
            raise ApiError(400, f"Invalid type/fieldType combination {kind!r}/{field_type!r}")
        if group not in self.schema.groups[object_type]:
            raise ApiError(400, f"Property group {group!r} does not exist")
        unique = bool(body.get("hasUniqueValue"))
        defined = self.schema.properties[object_type].values()
        custom_unique = [p for p in defined if p.has_unique_value and not p.hubspot_defined]
        if unique and len(custom_unique) >= MAX_UNIQUE:
            raise ApiError(400, f"At most {MAX_UNIQUE} unique-value properties per object")
        options = tuple(str(o.get("value")) for o in body.get("options") or [] if isinstance(o, dict))
        defn = PropertyDef(name, kind, field_type, str(body["label"]), group, hubspot_defined=False,
                           has_unique_value=unique, options=options, created_ms=self.fake.clock.now_ms(),
                           extra={"description": body.get("description", "")})
        self.schema.properties[object_type][name] = defn
        return httpx.Response(201, json=defn.to_json())

    def list_groups(self, request: httpx.Request, object_type: str) -> httpx.Response:
        render.only_params(request, set())
        return httpx.Response(200, json={"results": list(self.schema.groups[object_type].values())})

    def create_group(self, request: httpx.Request, object_type: str) -> httpx.Response:
        render.only_params(request, set())
        body = render.json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "Invalid input JSON: expected an object")
        render.only_keys(body, {"name", "label", "displayOrder"}, "a property group")
        if not body.get("name") or not body.get("label"):
            raise ApiError(400, "Missing required fields: name and label")
        if body["name"] in self.schema.groups[object_type]:
            raise ApiError(409, f"Property group '{body['name']}' already exists.", "OBJECT_ALREADY_EXISTS")
        group = {"name": body["name"], "label": body["label"], "displayOrder": body.get("displayOrder", -1),
                 "archived": False}
        self.schema.groups[object_type][body["name"]] = group
        return httpx.Response(201, json=group)

    def owners(self, request: httpx.Request) -> httpx.Response:
        render.only_params(request, {"limit", "after", "archived"})
        limit = render.int_param(request, "limit", 100, OWNER_LIMIT)
        archived = render.bool_param(request, "archived")
        start = render.decode_cursor(request.url.params.get("after"))
        matching = [o for o in self.store.owners if o["archived"] == archived and int(o["id"]) >= start]
        body: dict[str, Any] = {"results": matching[:limit]}
        if len(matching) > limit:
            cursor = render.encode_cursor(int(matching[limit]["id"]))
            body["paging"] = {"next": {"after": cursor, "link": render.next_link(request, cursor)}}
        return httpx.Response(200, json=body)

    def associations(self, request: httpx.Request, from_type: str, to_type: str) -> httpx.Response:
        render.only_params(request, set())
        body = render.json_body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "Invalid input JSON: expected an object")
        render.only_keys(body, {"inputs"}, "an association batch read")
        inputs = body.get("inputs")
        if not isinstance(inputs, list) or not inputs:
            raise ApiError(400, "inputs must be a non-empty list")
        if len(inputs) > ASSOCIATION_INPUTS:
            raise ApiError(400, f"Batch input limit exceeded: {len(inputs)}; the maximum is {ASSOCIATION_INPUTS}")
        results: dict[str, dict[str, Any]] = {}
        errors: list[dict[str, Any]] = []
        for item in inputs:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str | int):
                raise ApiError(400, "each input needs an id")
            key = str(item["id"])
            links = self.store.associated(from_type, to_type, int(key)) if key.isdigit() else []
            if links and self.store.get(from_type, int(key)) is not None:
                results[key] = {"from": {"id": key}, "to": [
                    {"toObjectId": to_id, "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}]}
                    for to_id, type_id in links]}
            elif self.fake.association_misses == "207":
                errors.append({"status": "error", "category": "OBJECT_NOT_FOUND",
                               "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                               "message": f"No {to_type} is associated with {from_type} {key}.",
                               "context": {"fromObjectId": [key]}, "errors": []})
        now = iso_from_ms(self.fake.clock.now_ms())
        answer: dict[str, Any] = {"status": "COMPLETE", "results": list(results.values()), "startedAt": now,
                                  "completedAt": now}
        if errors:
            answer.update({"numErrors": len(errors), "errors": errors})
            return httpx.Response(207, json=answer)
        return httpx.Response(200, json=answer)

    def daily_usage(self, request: httpx.Request) -> httpx.Response:
        render.only_params(request, set())
        limits = self.fake.limits
        now = self.fake.clock.now()
        day = limits.day
        limit = day.limit if day is not None else 0
        used = day.level(now) if day is not None else 0
        resets = day.resets_at(now) if day is not None else now
        body = {"results": [{"name": "private-apps-api-calls-daily", "usageLimit": limit, "currentUsage": used,
                             "collectedAt": iso_from_ms(int(now * 1000)), "fetchStatus": "SUCCESS",
                             "resetsAt": iso_from_ms(int(resets * 1000))}]}
        return httpx.Response(200, json=body)
