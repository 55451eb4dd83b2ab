"""REST `query` / `queryAll` and their query locators (Query More Results).

Documented behaviour reproduced:
- Pages of up to 2,000 rows (the `batch_size` kwarg, and the `Sforce-Query-Options: batchSize=N`
  header, clamped to 200..2000); `{"totalSize", "done", "nextRecordsUrl", "records"}`;
  nextRecordsUrl is `/services/data/vNN.0/query/<locator>-<offset>` for query *and* queryAll
  (docs: "The URI ... of a QueryAll response body contains query instead of queryAll"), and
  either resource answers it. A locator URL takes no parameters.
- `query` leaves out IsDeleted rows, `queryAll` includes them.
- A locator idle for 15 minutes (SOAP guide: "QueryLocator objects expire automatically after 15
  minutes of inactivity") or one released because the user opened more than 10 cursors ("the
  oldest of the 10 cursors is released") answers INVALID_QUERY_LOCATOR.
- `SELECT COUNT() ...` answers `{"totalSize": n, "done": true, "records": []}`.
- Records are `{"attributes": {"type", "url"}, <fields in SELECT order>}`; parent fields nest as
  `{"Account": {"attributes": {...}, "Name": ...}}` or null; a polymorphic parent's type is "Name".

Choices where the docs are silent: a page may be fetched again (a retry) until the last page has
been served twice; after that, and for offsets never handed out, INVALID_QUERY_LOCATOR. Results
are a snapshot taken when the query runs. The QUERY_TIMEOUT model (see FakeSalesforce) is ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.fakes.salesforce.errors import SalesforceError
from tests.fakes.salesforce.plan import Catalog, Path, Plan, Row, Tables, bind, follow
from tests.fakes.salesforce.schema import FieldDef, ObjectDef
from tests.fakes.salesforce.soql import parse
from tests.fakes.salesforce.state import Clock, Store
from tests.fakes.salesforce.values import format_rest, make_id

BATCH_SIZE_RE = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)


@dataclass
class Node:
    """One object level of a record's JSON shape: leaf fields and parent relationships."""

    hop: str = ""
    polymorphic: bool = False
    entries: dict[str, FieldDef | Node] = field(default_factory=dict)


def shape_of(columns: list[Path]) -> Node:
    root = Node()
    for path in columns:
        node = root
        for hop, rel, polymorphic in zip(path.hops, path.rels, path.polymorphic, strict=True):
            child = node.entries.get(rel)
            if not isinstance(child, Node):
                child = Node(hop=hop, polymorphic=polymorphic)
                node.entries[rel] = child
            node = child
        node.entries[path.leaf.name] = path.leaf
    return root


class Projector:
    def __init__(self, catalog: Catalog, tables: Tables, version: str, shape: Node) -> None:
        self.catalog, self.tables, self.shape = catalog, tables, shape
        self.base = f"/services/data/{version}/sobjects/"

    def record(self, obj: ObjectDef, row: Row, node: Node | None = None, type_name: str | None = None) -> dict:
        node = node or self.shape
        out: dict[str, Any] = {"attributes": {"type": type_name or obj.name, "url": f"{self.base}{obj.name}/{row[0]}"}}
        index = obj.index
        for key, item in node.entries.items():
            if isinstance(item, FieldDef):
                value = row[index[item.name]]
                out[key] = format_rest(value) if value is not None and item.type == "datetime" else value
            else:
                found = follow(row[index[item.hop]], self.catalog, self.tables)
                out[key] = None if found is None else self.record(
                    found[0], found[1], item, "Name" if item.polymorphic else None)
        return out


@dataclass
class Cursor:
    rows: list[Row]
    tables: Tables
    plan: Plan
    page_size: int
    last_used: float
    offsets: set[int]
    final_served: int = 0


class QueryService:
    def __init__(self, catalog: Catalog, store: Store, clock: Clock, settings: Any) -> None:
        self.catalog, self.store, self.clock, self.settings = catalog, store, clock, settings
        self.cursors: dict[str, Cursor] = {}
        self.issued = 0

    def page_size(self, request: httpx.Request) -> int:
        size = min(int(self.settings.batch_size), 2000)
        option = request.headers.get("Sforce-Query-Options")
        match = BATCH_SIZE_RE.search(option or "")
        if match:
            size = min(size, max(200, min(2000, int(match.group(1)))))
        return max(1, size)

    def compile(self, soql: str) -> Plan:
        return bind(parse(soql), self.catalog)

    def run(self, request: httpx.Request, version: str, include_deleted: bool) -> httpx.Response:
        params = request.url.params
        extra = set(params.keys()) - {"q"}
        if extra:
            raise AssertionError(f"request outside the contract: query parameters {sorted(extra)}")
        soql = params.get("q")
        if not soql or not soql.strip():
            raise SalesforceError(400, "MALFORMED_QUERY", "A query string has to be specified")
        plan = self.compile(soql)
        rows = plan.run(self.catalog, self.store.tables, include_deleted, ordered=False)
        self.check_timeout(plan, len(rows))
        limit = plan.query.limit
        if plan.count:
            total = len(rows) if limit is None else min(len(rows), limit)
            return httpx.Response(200, json={"totalSize": total, "done": True, "records": []})
        rows = plan.sort(rows, self.catalog, self.store.tables)
        if limit is not None:
            rows = rows[:limit]
        size = self.page_size(request)
        if len(rows) <= size:
            return self.page(plan, rows, self.store.tables, version, 0, size, None)
        tables = {name: dict(self.store.tables[name]) for name in plan.parents}
        locator = self.open(Cursor(rows, tables, plan, size, self.clock.now(), {size}))
        return self.page(plan, rows, tables, version, 0, size, locator)

    def check_timeout(self, plan: Plan, matched: int) -> None:
        limit_rows = self.settings.query_timeout_rows
        if limit_rows is None or matched <= limit_rows:
            return
        if plan.span_seconds() > float(self.settings.query_timeout_span):
            raise SalesforceError(400, "QUERY_TIMEOUT", "Your query request was running for too long.")

    def open(self, cursor: Cursor) -> str:
        self.issued += 1
        locator = make_id("01g", self.issued)
        self.cursors[locator] = cursor
        open_ids = [k for k, c in self.cursors.items() if c.final_served == 0]
        for stale in open_ids[: max(0, len(open_ids) - int(self.settings.max_open_cursors))]:
            del self.cursors[stale]
        return locator

    def more(self, request: httpx.Request, version: str, token: str) -> httpx.Response:
        if request.url.query:
            raise SalesforceError(400, "MALFORMED_QUERY", "A query locator URL takes no parameters")
        locator, _, offset_text = token.rpartition("-")
        cursor = self.cursors.get(locator)
        now = self.clock.now()
        if cursor is not None and now - cursor.last_used > float(self.settings.locator_idle_timeout):
            del self.cursors[locator]
            cursor = None
        offset = int(offset_text) if offset_text.isdigit() else -1
        if cursor is None or cursor.final_served >= 2 or offset not in cursor.offsets:
            raise SalesforceError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        cursor.last_used = now
        end = offset + cursor.page_size
        if end < len(cursor.rows):
            cursor.offsets.add(end)
        else:
            cursor.final_served += 1
        return self.page(cursor.plan, cursor.rows, cursor.tables, version, offset, cursor.page_size, locator)

    def page(self, plan: Plan, rows: list[Row], tables: Tables, version: str, offset: int, size: int,
             locator: str | None) -> httpx.Response:
        projector = Projector(self.catalog, tables, version, shape_of(plan.columns))
        chunk = rows[offset : offset + size]
        done = offset + size >= len(rows)
        body: dict[str, Any] = {"totalSize": len(rows), "done": done}
        if not done:
            body["nextRecordsUrl"] = f"/services/data/{version}/query/{locator}-{offset + size}"
        body["records"] = [projector.record(plan.obj, row) for row in chunk]
        return httpx.Response(200, json=body)
