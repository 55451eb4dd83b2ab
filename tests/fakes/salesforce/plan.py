"""Binding a parsed SOQL query to the describe metadata, and running it over the store.

Documented semantics reproduced:
- Unknown object → INVALID_TYPE; unknown field → INVALID_FIELD "No such column 'Foo' on entity
  'Lead'..."; unknown relationship → INVALID_FIELD "Didn't understand relationship..."; a field
  selected twice → INVALID_FIELD "duplicate field selected"; OldValue/NewValue (anyType) cannot be
  filtered or sorted.
- Literal types must match the field: a quoted datetime, a quoted number or boolean, an unquoted
  string → INVALID_FIELD "value of filter criterion for field 'X' must be of type dateTime and
  should not be enclosed in quotes"; a malformed id → INVALID_QUERY_FILTER_OPERATOR.
- Text comparisons (=, !=, IN, LIKE, <, >) and text ORDER BY are case-insensitive; ids compare
  exactly on their 15 case-sensitive characters (a 15-character literal matches the 18-character
  id; an 18-character literal is case-safe, its suffix restores the case).
- `!=` and NOT IN also match nulls; <, >, LIKE never match a null.
- ORDER BY defaults to NULLS FIRST ascending and NULLS LAST descending.
- Parent relationship fields (Account.Name, Owner.UserRole.Name, polymorphic Who.Name) resolve
  through reference fields; a null or dangling reference gives a null parent.

Choices where the docs are silent: rows tied on every ORDER BY key come in Id order; rows with no
ORDER BY come in Id order.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.salesforce.errors import SalesforceError, invalid_field, located
from tests.fakes.salesforce.schema import IDLIKE, NUMERIC, SOQL_TYPE_NAMES, STRINGY, FieldDef, ObjectDef
from tests.fakes.salesforce.soql import BoolOp, Compare, FieldRef, InList, Like, Literal, Not, Query
from tests.fakes.salesforce.values import is_id, parse_datetime, to18

Row = tuple[Any, ...]
Tables = dict[str, dict[str, Row]]
INF = float("inf")
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
ALWAYS_SET = frozenset({"CreatedDate", "LastModifiedDate", "SystemModstamp"})  # the store never leaves them null
LITERAL_KINDS = {"datetime": "datetime", "date": "date", "boolean": "boolean"}


class Catalog:
    """The objects known to a query: describe metadata plus the key-prefix map for polymorphic ids."""

    def __init__(self, objects: dict[str, ObjectDef]) -> None:
        self.objects = objects
        self.by_lower = {name.lower(): o for name, o in objects.items()}
        self.by_prefix = {o.key_prefix: o for o in objects.values()}


@dataclass
class Path:
    """A resolved field path: reference hops (by field name) then a leaf field."""

    root: ObjectDef
    hops: tuple[str, ...]
    rels: tuple[str, ...]
    leaf: FieldDef
    targets: tuple[str, ...]  # every object a hop can reach
    polymorphic: tuple[bool, ...] = ()  # per hop: does the reference point at several objects

    @property
    def header(self) -> str:
        return ".".join((*self.rels, self.leaf.name))

    @property
    def fold(self) -> bool:
        return self.leaf.type in STRINGY

    def getter(self, catalog: Catalog, tables: Tables) -> Callable[[Row], Any]:
        if not self.hops:
            return operator.itemgetter(self.root.index[self.leaf.name])
        return PathGetter(self, catalog, tables)


class PathGetter:
    def __init__(self, path: Path, catalog: Catalog, tables: Tables) -> None:
        self.path = path
        self.catalog = catalog
        self.tables = tables

    def __call__(self, row: Row) -> Any:
        obj = self.path.root
        for name in self.path.hops:
            found = follow(row[obj.index[name]], self.catalog, self.tables)
            if found is None:
                return None
            obj, row = found
        return row[obj.index[self.path.leaf.name]]


def follow(ref: str | None, catalog: Catalog, tables: Tables) -> tuple[ObjectDef, Row] | None:
    if ref is None:
        return None
    obj = catalog.by_prefix.get(ref[:3])
    if obj is None or obj.name not in tables:
        return None
    row = tables[obj.name].get(ref)
    return None if row is None else (obj, row)


def resolve(catalog: Catalog, root: ObjectDef, ref: FieldRef, query: str) -> Path:
    candidates = [root]
    hops: list[str] = []
    rels: list[str] = []
    targets: list[str] = []
    polymorphic: list[bool] = []
    for part in ref.parts[:-1]:
        found = [o.relationships.get(part.lower()) for o in candidates]
        if any(f is None for f in found):
            raise invalid_field(query, ref.pos, (
                f"Didn't understand relationship '{part}' in field path. If you are attempting to use a custom "
                "relationship, be sure to append the '__r' after the custom relationship name. Please reference "
                "your WSDL or the describe call for the appropriate names."))
        first: FieldDef = found[0]  # type: ignore[assignment]
        hops.append(first.name)
        rels.append(first.relationship_name or first.name)
        polymorphic.append(len(first.reference_to) > 1)
        candidates = [catalog.objects[t] for t in first.reference_to if t in catalog.objects]
        targets.extend(o.name for o in candidates)
    leaves = [o.field(ref.parts[-1]) for o in candidates]
    if not candidates or any(f is None for f in leaves):
        entity = candidates[0].name if len(candidates) == 1 else "Name"
        raise invalid_field(query, ref.pos, (
            f"No such column '{ref.parts[-1]}' on entity '{entity}'. If you are attempting to use a custom field, "
            "be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe "
            "call for the appropriate names."))
    return Path(root, tuple(hops), tuple(rels), leaves[0], tuple(targets), tuple(polymorphic))  # type: ignore[arg-type]


def bind_literal(f: FieldDef, literal: Literal, query: str) -> Any:
    if literal.kind == "null":
        return None
    kind = f.type
    if kind in STRINGY:
        if literal.kind == "string":
            return literal.value.casefold()
    elif kind in IDLIKE:
        if literal.kind == "string":
            if not is_id(literal.value):
                raise SalesforceError(400, "INVALID_QUERY_FILTER_OPERATOR",
                                      located(query, literal.pos, f"invalid ID field: {literal.value}"))
            return to18(literal.value)
    elif kind in NUMERIC:
        if literal.kind == "number":
            return literal.value
    elif LITERAL_KINDS.get(kind) == literal.kind:
        return parse_datetime(literal.value) if kind == "datetime" else literal.value
    quoted = kind in STRINGY or kind in IDLIKE
    type_name = "string" if kind in STRINGY else SOQL_TYPE_NAMES.get(kind, kind)
    raise invalid_field(query, literal.pos, (
        f"value of filter criterion for field '{f.name}' must be of type {type_name} and should "
        f"{'' if quoted else 'not '}be enclosed in quotes"))


class Cmp:
    def __init__(self, path: Path, op: str, value: Any) -> None:
        self.path, self.op, self.value = path, op, value

    def apply(self, rows: list[Row], catalog: Catalog, tables: Tables) -> list[Row]:
        get, value, fold = self.path.getter(catalog, tables), self.value, self.path.fold
        if value is None:
            if self.op == "=":
                return [r for r in rows if get(r) is None]
            return [r for r in rows if get(r) is not None] if self.op == "!=" else []
        if self.op == "!=":
            if fold:
                return [r for r in rows if (v := get(r)) is None or v.casefold() != value]
            return [r for r in rows if (v := get(r)) is None or v != value]
        if fold:
            fn = OPS[self.op]
            return [r for r in rows if (v := get(r)) is not None and fn(v.casefold(), value)]
        return _compare(rows, get, self.op, value)

    def bounds(self, name: str) -> tuple[float, float]:
        if self.path.hops or self.path.leaf.name != name or self.value is None:
            return -INF, INF
        if self.op in (">", ">="):
            return self.value, INF
        if self.op in ("<", "<="):
            return -INF, self.value
        return (self.value, self.value) if self.op == "=" else (-INF, INF)


def _compare(rows: list[Row], get: Callable[[Row], Any], op: str, value: Any) -> list[Row]:
    """Inline comparisons: a 100k-row scan is the hot path of every windowed query."""
    if op == ">=":
        return [r for r in rows if (v := get(r)) is not None and v >= value]
    if op == ">":
        return [r for r in rows if (v := get(r)) is not None and v > value]
    if op == "<":
        return [r for r in rows if (v := get(r)) is not None and v < value]
    if op == "<=":
        return [r for r in rows if (v := get(r)) is not None and v <= value]
    return [r for r in rows if get(r) == value]


class In:
    def __init__(self, path: Path, values: list[Any], negated: bool) -> None:
        self.path, self.negated = path, negated
        self.values = {v for v in values if v is not None}
        self.has_null = any(v is None for v in values)

    def apply(self, rows: list[Row], catalog: Catalog, tables: Tables) -> list[Row]:
        get, fold, out = self.path.getter(catalog, tables), self.path.fold, []
        for r in rows:
            v = get(r)
            hit = self.has_null if v is None else (v.casefold() if fold else v) in self.values
            if hit != self.negated:
                out.append(r)
        return out

    def bounds(self, name: str) -> tuple[float, float]:
        if self.negated or self.has_null or self.path.hops or self.path.leaf.name != name or not self.values:
            return -INF, INF
        return min(self.values), max(self.values)


class Match:
    def __init__(self, path: Path, pattern: str) -> None:
        self.path = path
        self.match = re.compile(pattern, re.IGNORECASE | re.DOTALL).fullmatch

    def apply(self, rows: list[Row], catalog: Catalog, tables: Tables) -> list[Row]:
        get, match = self.path.getter(catalog, tables), self.match
        return [r for r in rows if (v := get(r)) is not None and match(v)]

    def bounds(self, name: str) -> tuple[float, float]:
        return -INF, INF


class All:
    def __init__(self, children: list[Any]) -> None:
        self.children = children

    def apply(self, rows: list[Row], catalog: Catalog, tables: Tables) -> list[Row]:
        for child in self.children:
            rows = child.apply(rows, catalog, tables)
        return rows

    def bounds(self, name: str) -> tuple[float, float]:
        spans = [c.bounds(name) for c in self.children]
        return max(lo for lo, _ in spans), min(hi for _, hi in spans)


class Any_:
    def __init__(self, children: list[Any]) -> None:
        self.children = children

    def apply(self, rows: list[Row], catalog: Catalog, tables: Tables) -> list[Row]:
        keep: set[int] = set()
        remaining = rows
        for child in self.children:
            keep.update(map(id, child.apply(remaining, catalog, tables)))
            remaining = [r for r in remaining if id(r) not in keep]
        return [r for r in rows if id(r) in keep]

    def bounds(self, name: str) -> tuple[float, float]:
        spans = [c.bounds(name) for c in self.children]
        return min(lo for lo, _ in spans), max(hi for _, hi in spans)


class Negate:
    def __init__(self, child: Any) -> None:
        self.child = child

    def apply(self, rows: list[Row], catalog: Catalog, tables: Tables) -> list[Row]:
        drop = set(map(id, self.child.apply(rows, catalog, tables)))
        return [r for r in rows if id(r) not in drop]

    def bounds(self, name: str) -> tuple[float, float]:
        return -INF, INF


@dataclass
class OrderSpec:
    path: Path
    descending: bool
    nulls_first: bool


class SortKey:
    def __init__(self, get: Callable[[Row], Any], null_flag: int, fold: bool) -> None:
        self.get, self.null_flag, self.fold = get, null_flag, fold

    def __call__(self, row: Row) -> tuple[int, Any]:
        v = self.get(row)
        if v is None:
            return self.null_flag, None
        return 1, v.casefold() if self.fold else v


@dataclass
class Plan:
    query: Query
    obj: ObjectDef
    columns: list[Path]
    where: Any
    order: list[OrderSpec]
    parents: set[str]

    @property
    def count(self) -> bool:
        return self.query.count

    def span_seconds(self) -> float:
        """How wide a window the WHERE clause allows on SystemModstamp or CreatedDate (inf if unbounded)."""
        spans = []
        for name in ("SystemModstamp", "CreatedDate"):
            lo, hi = self.where.bounds(name) if self.where is not None else (-INF, INF)
            spans.append(max(0.0, (hi - lo) / 1000))
        return min(spans)

    def run(self, catalog: Catalog, tables: Tables, include_deleted: bool, ordered: bool = True) -> list[Row]:
        if not include_deleted and self.obj.has("IsDeleted"):
            position = self.obj.index["IsDeleted"]
            rows = [r for r in tables[self.obj.name].values() if not r[position]]
        else:
            rows = list(tables[self.obj.name].values())
        if self.where is not None:
            rows = self.where.apply(rows, catalog, tables)
        return self.sort(rows, catalog, tables) if ordered else rows

    def sort(self, rows: list[Row], catalog: Catalog, tables: Tables) -> list[Row]:
        for position, spec in enumerate(reversed(self.order)):
            path = spec.path
            if position == 0 and not path.hops and path.leaf.name == "Id" and not spec.descending:
                continue  # rows already come in Id order
            get = path.getter(catalog, tables)
            if not path.hops and path.leaf.name in ALWAYS_SET:
                rows.sort(key=get, reverse=spec.descending)
                continue
            null_flag = 0 if spec.nulls_first != spec.descending else 2
            rows.sort(key=SortKey(get, null_flag, path.fold), reverse=spec.descending)
        return rows


def bind(query: Query, catalog: Catalog) -> Plan:
    obj = catalog.by_lower.get(query.object_name.lower())
    if obj is None:
        raise SalesforceError(400, "INVALID_TYPE", located(query.text, query.object_pos, (
            f"sObject type '{query.object_name}' is not supported. If you are attempting to use a custom object, be "
            "sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for "
            "the appropriate names.")))
    columns: list[Path] = []
    seen: set[str] = set()
    for ref in query.fields:
        path = resolve(catalog, obj, ref, query.text)
        if path.header.lower() in seen:
            raise invalid_field(query.text, ref.pos, f"duplicate field selected: {ref.text}")
        seen.add(path.header.lower())
        columns.append(path)
    binder = _Binder(catalog, obj, query.text)
    where = binder.node(query.where) if query.where is not None else None
    order = []
    for item in query.order:
        path = resolve(catalog, obj, item.ref, query.text)
        if not path.leaf.filterable:
            raise invalid_field(query.text, item.ref.pos, f"field '{path.leaf.name}' can not be sorted in a query call")
        binder.parents.update(path.targets)
        order.append(OrderSpec(path, item.descending, item.nulls_first))
    parents = binder.parents | {t for c in columns for t in c.targets}
    return Plan(query, obj, columns, where, order, parents)


class _Binder:
    def __init__(self, catalog: Catalog, obj: ObjectDef, text: str) -> None:
        self.catalog, self.obj, self.text = catalog, obj, text
        self.parents: set[str] = set()

    def path(self, ref: FieldRef) -> Path:
        path = resolve(self.catalog, self.obj, ref, self.text)
        if not path.leaf.filterable:
            raise invalid_field(self.text, ref.pos, f"field '{path.leaf.name}' can not be filtered in a query call")
        self.parents.update(path.targets)
        return path

    def node(self, node: Any) -> Any:
        if isinstance(node, BoolOp):
            children = [self.node(c) for c in node.children]
            return All(children) if node.op == "AND" else Any_(children)
        if isinstance(node, Not):
            return Negate(self.node(node.child))
        if isinstance(node, Compare):
            path = self.path(node.ref)
            return Cmp(path, node.op, bind_literal(path.leaf, node.literal, self.text))
        if isinstance(node, InList):
            path = self.path(node.ref)
            return In(path, [bind_literal(path.leaf, lit, self.text) for lit in node.literals], node.negated)
        if isinstance(node, Like):
            path = self.path(node.ref)
            if path.leaf.type not in STRINGY:
                raise invalid_field(self.text, node.ref.pos, f"invalid operator on field: {path.leaf.name}")
            if node.literal.kind != "string":
                raise invalid_field(self.text, node.literal.pos, (
                    f"value of filter criterion for field '{path.leaf.name}' must be of type string and should be "
                    "enclosed in quotes"))
            return Match(path, node.literal.like or "")
        raise TypeError(f"unexpected SOQL node {node!r}")
