"""HubSpot's CRM endpoints as methods, over an `ApiCaller` (retries, rate limits, quota)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from connectors.http.caller import ApiCaller
from connectors.http.paging import BodyCursor, pages
from connectors.http.ratelimit import RateLimiter
from connectors.hubspot import settings as hs


class HubSpotApi:
    """Calls for one HubSpot account. Search calls count against the search limit, every other call
    against the account's ten-second limit (HubSpot keeps the two apart: search answers carry none
    of the X-HubSpot-RateLimit headers the ten-second limit reports)."""

    def __init__(self, caller: ApiCaller, search_limiter: RateLimiter | None = None) -> None:
        self.caller = caller
        self._search_limits = (search_limiter,) if search_limiter is not None else ()

    def search(
        self,
        object_type: str,
        groups: list[list[dict[str, Any]]],
        properties: Sequence[str],
        limit: int,
        sort: str = "hs_object_id",
    ) -> dict[str, Any]:
        """One search page: filter groups OR'd (filters in a group AND'd), ascending by `sort`, from offset 0."""
        body = {
            "filterGroups": [{"filters": filters} for filters in groups],
            "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
            "properties": list(properties),
            "limit": limit,
            "after": "0",
        }
        path = hs.SEARCH_PATH.format(object=object_type)
        return self.caller.post(path, body, limits=self._search_limits)

    def batch_read(
        self, object_type: str, ids: Sequence[str], properties: Sequence[str], with_history: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        """Objects by id (at most 100), with the history of `with_history`; ids HubSpot cannot find are left out."""
        body: dict[str, Any] = {"properties": list(properties), "inputs": [{"id": i} for i in ids]}
        if with_history:
            body["propertiesWithHistory"] = list(with_history)
        answer = self.caller.post(hs.BATCH_READ_PATH.format(object=object_type), body)
        return list(answer.get("results") or [])

    def archived(self, object_type: str) -> Iterator[list[str]]:
        """The ids of every archived object, a page at a time (only ids are asked for)."""
        path = hs.LIST_PATH.format(object=object_type)

        def fetch(after: str | None) -> Any:
            params = {"archived": "true", "limit": hs.LIST_PAGE_MAX, "properties": "hs_object_id"}
            return self.caller.get(path, params | ({"after": after} if after else {}))

        for page in pages(fetch, BodyCursor()):
            yield [str(obj["id"]) for obj in page.get("results") or []]

    def properties(self, object_type: str) -> list[dict[str, Any]]:
        return list(self.caller.get(hs.PROPERTIES_PATH.format(object=object_type)).get("results") or [])

    def owners(self, archived: bool) -> Iterator[dict[str, Any]]:
        def fetch(after: str | None) -> Any:
            params = {"limit": hs.OWNERS_PAGE_MAX, "archived": "true" if archived else "false"}
            return self.caller.get(hs.OWNERS_PATH, params | ({"after": after} if after else {}))

        for page in pages(fetch, BodyCursor()):
            yield from page.get("results") or []

    def associations(self, from_object: str, to_object: str, ids: Sequence[str]) -> dict[str, list[str]]:
        """id → the ids of its associated `to_object`s (v4 associations, at most 1,000 ids per call)."""
        out: dict[str, list[str]] = {}
        path = hs.ASSOCIATIONS_PATH.format(from_object=from_object, to_object=to_object)
        for start in range(0, len(ids), hs.ASSOCIATIONS_MAX):
            chunk = ids[start : start + hs.ASSOCIATIONS_MAX]
            answer = self.caller.post(path, {"inputs": [{"id": i} for i in chunk]})
            for row in answer.get("results") or []:
                source = str((row.get("from") or {}).get("id"))
                out.setdefault(source, []).extend(str(to["toObjectId"]) for to in row.get("to") or [])
        return out

    @property
    def requests(self) -> int:
        return self.caller.requests

    # writes (the sink)

    def batch_read_by(self, object_type: str, id_property: str, keys: Sequence[str], properties: Sequence[str]):
        """Objects by a unique property (at most 100 values); values HubSpot cannot find are left out."""
        body = {"properties": list(properties), "idProperty": id_property, "inputs": [{"id": k} for k in keys]}
        answer = self.caller.post(hs.BATCH_READ_PATH.format(object=object_type), body)
        return list(answer.get("results") or [])

    def batch_write(self, object_type: str, action: str, inputs: list[dict[str, Any]]) -> dict[str, Any]:
        """`batch/update` or `batch/upsert` (at most 100 inputs): the 200 or 207 body."""
        return self.caller.post(f"{hs.LIST_PATH.format(object=object_type)}/batch/{action}", {"inputs": inputs})

    def archive_batch(self, object_type: str, ids: Sequence[str]) -> None:
        path = f"{hs.LIST_PATH.format(object=object_type)}/batch/archive"
        self.caller.respond(self.caller.client.build_request("POST", path, json={"inputs": [{"id": i} for i in ids]}))

    def merge(self, object_type: str, primary: str, loser: str) -> dict[str, Any]:
        path = f"{hs.LIST_PATH.format(object=object_type)}/merge"
        return self.caller.post(path, {"primaryObjectId": primary, "objectIdToMerge": loser})

    def groups(self, object_type: str) -> list[dict[str, Any]]:
        return list(self.caller.get(f"{hs.PROPERTIES_PATH.format(object=object_type)}/groups").get("results") or [])

    def create_group(self, object_type: str, name: str, label: str) -> None:
        self.caller.post(f"{hs.PROPERTIES_PATH.format(object=object_type)}/groups", {"name": name, "label": label})

    def create_property(self, object_type: str, definition: dict[str, Any]) -> None:
        self.caller.post(hs.PROPERTIES_PATH.format(object=object_type), definition)
