"""`POST /crm/v3/objects/{type}/search`: request validation and filter evaluation.

Reproduces: body keys filterGroups, sorts, properties, limit, after, query; `limit` 1..200 (default
10); `after` an integer-like offset string; 400 when after + limit exceeds the 10,000-result cap
(`page_cap`); at most 5 filter groups, 10 filters per group and 25 filters in all; operators EQ,
NEQ, LT, LTE, GT, GTE, BETWEEN (value + highValue, inclusive), IN / NOT_IN (values), HAS_PROPERTY,
NOT_HAS_PROPERTY, CONTAINS_TOKEN, NOT_CONTAINS_TOKEN, anything else 400; filters in a group AND'd,
groups OR'd; datetime and date properties compared as epoch ms (filter values in epoch ms, ISO
also accepted); `hs_object_id` and number properties compared numerically, never as strings;
`query` (at most 3,000 characters) matched against the type's default searchable properties;
archived objects never match; `total` counts every match, beyond the cap too, and `paging.next`
is offered while more matches exist, even when following it would pass the cap (which is what
trips connectors at 10k).

Choices where the docs are silent: text comparisons (EQ, IN, ranges) are case-insensitive; NEQ,
NOT_IN and NOT_CONTAINS_TOKEN also match records that have no value; CONTAINS_TOKEN matches a
whole value or one of its tokens (split on spaces, ";" "," and "@"), "*" being a wildcard; at most
one sort, given as {"propertyName", "direction": ASCENDING|DESCENDING}; no sort means id order;
ties on the sort property come in id order (reversed for DESCENDING); records without a value sort
last either way. A filter or sort on an unknown property, or a value that does not parse for the
property's type (a non-number for a number, a non-date for a datetime), is a 400. Unknown body
keys are outside the contract (AssertionError): HubSpot would ignore them and answer everything.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from tests.fakes.hubspot.errors import ApiError
from tests.fakes.hubspot.index import Doc, Key, SearchIndex, key_function
from tests.fakes.hubspot.schema import Schema

OPERATORS = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY",
             "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}
ONE_VALUE = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}
BODY_KEYS = {"filterGroups", "sorts", "properties", "limit", "after", "query"}
MAX_GROUPS, MAX_PER_GROUP, MAX_FILTERS, MAX_LIMIT, MAX_QUERY = 5, 10, 25, 200, 3000
SEARCHABLE = {
    "contacts": ("firstname", "lastname", "email", "phone", "mobilephone", "company", "hs_additional_emails"),
    "deals": ("dealname",),
    "meetings": ("hs_meeting_title",),
    "calls": ("hs_call_title",),
}
TOKENS = re.compile(r"[\s;,@]+")
CACHED_QUERIES = 8


@dataclass(frozen=True)
class Filter:
    prop: str
    op: str
    value: Key | None = None
    high: Key | None = None
    values: tuple[Key, ...] = ()


@dataclass
class SearchRequest:
    groups: list[list[Filter]]
    sort: tuple[str, bool] | None  # (property, descending)
    properties: list[str] | None
    limit: int
    after: int
    query: str | None
    cache_key: str = field(default="")


def parse(body: Any, schema: Schema, object_type: str, page_cap: int) -> SearchRequest:
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid input JSON: expected an object")
    unknown = set(body) - BODY_KEYS
    if unknown:
        raise AssertionError(f"request outside the contract: search body keys {sorted(unknown)}")
    limit = body.get("limit", 10)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"limit must be an integer between 1 and {MAX_LIMIT}, got {limit!r}")
    after = _offset(body.get("after"))
    if after + limit > page_cap:
        raise ApiError(400, f"Paging beyond {page_cap:,} results is not supported (after={after}, limit={limit}).")
    properties = body.get("properties")
    if properties is not None and not (isinstance(properties, list) and all(isinstance(p, str) for p in properties)):
        raise ApiError(400, "properties must be a list of strings")
    query = body.get("query")
    if query is not None and (not isinstance(query, str) or len(query) > MAX_QUERY):
        raise ApiError(400, f"query must be a string of at most {MAX_QUERY} characters")
    request = SearchRequest(_groups(body.get("filterGroups", []), schema, object_type),
                            _sort(body.get("sorts", []), schema, object_type), properties, limit, after, query or None)
    request.cache_key = json.dumps([body.get("filterGroups", []), body.get("sorts", []), query or None],
                                   sort_keys=True, default=str)
    return request


def _offset(after: Any) -> int:
    if after is None or after == "":
        return 0
    if isinstance(after, bool) or not isinstance(after, str | int) or not str(after).strip().isdigit():
        raise ApiError(400, f"after must be an integer offset, got {after!r}")
    return int(after)


def _groups(groups: Any, schema: Schema, object_type: str) -> list[list[Filter]]:
    if not isinstance(groups, list):
        raise ApiError(400, "filterGroups must be a list")
    if len(groups) > MAX_GROUPS:
        raise ApiError(400, f"Too many filter groups: {len(groups)}; the maximum is {MAX_GROUPS}.")
    parsed: list[list[Filter]] = []
    total = 0
    for group in groups:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list):
            raise ApiError(400, "each filter group needs a list of filters")
        if len(filters) > MAX_PER_GROUP:
            raise ApiError(400, f"Too many filters in a group: {len(filters)}; the maximum is {MAX_PER_GROUP}.")
        total += len(filters)
        parsed.append([_filter(f, schema, object_type) for f in filters])
    if total > MAX_FILTERS:
        raise ApiError(400, f"Too many filters: {total}; the maximum is {MAX_FILTERS} across all groups.")
    return parsed


def _filter(raw: Any, schema: Schema, object_type: str) -> Filter:
    if not isinstance(raw, dict):
        raise ApiError(400, "a filter must be an object")
    prop, op = raw.get("propertyName"), raw.get("operator")
    if op not in OPERATORS:
        raise ApiError(400, f"Unknown filter operator {op!r}; expected one of {sorted(OPERATORS)}")
    if not isinstance(prop, str) or schema.get(object_type, prop) is None:
        raise ApiError(400, f"Unknown property {prop!r} in filter")
    key = key_function(schema.get(object_type, prop))
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        return Filter(prop, op, _text(raw, "value", prop).casefold())
    if op in ONE_VALUE:
        return Filter(prop, op, _key(key, _text(raw, "value", prop), prop))
    if op == "BETWEEN":
        low, high = _key(key, _text(raw, "value", prop), prop), _key(key, _text(raw, "highValue", prop), prop)
        return Filter(prop, op, low, high)
    if op in ("IN", "NOT_IN"):
        values = raw.get("values")
        if not isinstance(values, list) or not values:
            raise ApiError(400, f"{op} on {prop} needs a non-empty list of values")
        return Filter(prop, op, values=tuple(_key(key, _scalar(v, prop), prop) for v in values))
    return Filter(prop, op)


def _text(raw: dict[str, Any], name: str, prop: str) -> str:
    if name not in raw or raw[name] is None:
        raise ApiError(400, f"filter on {prop} with operator {raw.get('operator')} needs a {name}")
    return _scalar(raw[name], prop)


def _scalar(value: Any, prop: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ApiError(400, f"filter value for {prop} must be a string, got {type(value).__name__}")


def _key(key: Any, value: str, prop: str) -> Key:
    found = key(value)
    if found is None:
        raise ApiError(400, f"{value!r} is not a valid value for property {prop}")
    return found


def _sort(sorts: Any, schema: Schema, object_type: str) -> tuple[str, bool] | None:
    if not isinstance(sorts, list):
        raise ApiError(400, "sorts must be a list")
    if len(sorts) > 1:
        raise ApiError(400, f"At most one sort is supported, got {len(sorts)}.")
    if not sorts:
        return None
    sort = sorts[0]
    if not isinstance(sort, dict):
        raise ApiError(400, "a sort must be an object {propertyName, direction}")
    prop, direction = sort.get("propertyName"), sort.get("direction", "ASCENDING")
    if not isinstance(prop, str) or schema.get(object_type, prop) is None:
        raise ApiError(400, f"Unknown property {prop!r} in sorts")
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ApiError(400, f"sort direction must be ASCENDING or DESCENDING, got {direction!r}")
    return prop, direction == "DESCENDING"


class SearchEngine:
    """Evaluates searches on one type's index; caches the last few ordered results per index version."""

    def __init__(self, index: SearchIndex, object_type: str) -> None:
        self.index = index
        self.object_type = object_type
        self.cache: OrderedDict[tuple[str, int], tuple[int, list[int]]] = OrderedDict()
        self._universe: set[int] | None = None

    def run(self, request: SearchRequest, page_cap: int) -> tuple[int, list[int]]:
        """(total, the first page_cap matching ids in result order)."""
        cache_key = (request.cache_key, self.index.version)
        found = self.cache.get(cache_key)
        if found is not None:
            self.cache.move_to_end(cache_key)
            return found
        self._universe = None
        if request.groups:
            matched: set[int] = set()
            for group in request.groups:
                matched |= self._group(group)
        else:
            matched = set(self.universe())
        if request.query:
            matched = {i for i in matched if self._text_match(request.query, self.index.docs[i])}
        ordered = self._order(matched, request.sort)[:page_cap]
        result = (len(matched), ordered)
        self.cache[cache_key] = result
        while len(self.cache) > CACHED_QUERIES:
            self.cache.popitem(last=False)
        return result

    def universe(self) -> set[int]:
        if self._universe is None:
            self._universe = set(self.index.docs)
        return self._universe

    def _group(self, filters: list[Filter]) -> set[int]:
        sets: list[set[int]] = []
        later: list[Filter] = []
        for f in filters:
            found = self._filter_set(f)
            if found is None:
                later.append(f)
            else:
                sets.append(found)
        sets.sort(key=len)
        result = set(sets[0]) if sets else set(self.universe())
        for other in sets[1:]:
            result &= other
        docs = self.index.docs
        for f in later:
            result = {i for i in result if _token_match(f, docs[i])}
        return result

    def _filter_set(self, f: Filter) -> set[int] | None:
        op = f.op
        if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
            return None
        index = self.index.index(f.prop)
        if op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
            present = index.present()
            return present if op == "HAS_PROPERTY" else self.universe() - present
        if op in ("EQ", "NEQ"):
            equal = set(index.between(f.value, f.value))
            return equal if op == "EQ" else self.universe() - equal
        if op in ("IN", "NOT_IN"):
            inside: set[int] = set()
            for value in f.values:
                inside.update(index.between(value, value))
            return inside if op == "IN" else self.universe() - inside
        bounds = {
            "LT": (None, f.value, False, True), "LTE": (None, f.value, False, False),
            "GT": (f.value, None, True, False), "GTE": (f.value, None, False, False),
            "BETWEEN": (f.value, f.high, False, False),
        }[op]
        return set(index.between(*bounds))

    def _order(self, matched: set[int], sort: tuple[str, bool] | None) -> list[int]:
        if sort is None or sort[0] == "hs_object_id":
            return sorted(matched, reverse=bool(sort and sort[1]))
        prop, descending = sort
        index = self.index.index(prop)
        if len(matched) * 8 < len(index.ids):
            keyed = [(index.key_of(self.index.docs[i]), i) for i in matched]
            ordered = [i for _, i in sorted((p for p in keyed if p[0] is not None), reverse=descending)]
            nulls = sorted(i for k, i in keyed if k is None)
        else:
            sequence = reversed(index.ids) if descending else index.ids
            ordered = [i for i in sequence if i in matched]
            nulls = sorted(matched.difference(ordered))
        return ordered + nulls

    def _text_match(self, query: str, doc: Doc) -> bool:
        tokens: list[str] = []
        for prop in SEARCHABLE[self.object_type]:
            value = doc.props.get(prop)
            if value:
                tokens.append(value.casefold())
                tokens.extend(TOKENS.split(value.casefold()))
        return all(any(t.startswith(word) for t in tokens) for word in query.casefold().split())


def _token_match(f: Filter, doc: Doc) -> bool:
    value = doc.props.get(f.prop)
    pattern = str(f.value)
    hit = False
    if value:
        folded = value.casefold()
        hit = any(fnmatchcase(t, pattern) for t in [folded, *TOKENS.split(folded)] if t)
    return hit if f.op == "CONTAINS_TOKEN" else not hit
