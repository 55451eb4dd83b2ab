"""The search index: what `POST .../search` sees, which lags the records by `search_lag`.

HubSpot's search is a separate, eventually consistent index: "new/updated objects can take a few
moments to appear", and archived objects never appear. Here every write puts a snapshot of the
record (a `Doc`) on a queue that becomes visible `search_lag` seconds of fake time later; until then
search sees the previous snapshot (or nothing, for a new record), while list and batch read see the
write at once. Archiving and merging remove the record from the index immediately (choice: a
deleted record never lingers in search results) and later snapshots of it are dropped.

Speed: each property that a search filters or sorts on gets a `SortedIndex` (keys and ids in
parallel lists, ordered by (key, id)): built on first use (id, create and modify dates from the
start), maintained incrementally on each snapshot change, rebuilt once after a bulk change. A
range filter is two bisects and a C-speed slice, so a search over 100k contacts costs a few
milliseconds instead of a Python loop per record; the ordered result of the last few distinct
queries is cached per index version, so paging through one query is O(page).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tests.fakes.hubspot.clock import ms_from_text
from tests.fakes.hubspot.schema import PropertyDef

BULK = 1000  # more snapshot changes than this at once: drop the sorted indexes and rebuild lazily

Key = Any  # int (ids, datetimes), float (numbers) or str (casefolded text): one kind per property


@dataclass(slots=True)
class Doc:
    props: dict[str, str]
    created_ms: int
    updated_ms: int


def key_function(defn: PropertyDef | None) -> Callable[[str], Key | None]:
    """How search compares a property: ids and numbers numerically, datetimes as epoch ms, text casefolded."""
    if defn is None or defn.name == "hs_object_id":
        return _int_key
    if defn.type == "number":
        return _float_key
    if defn.type in ("datetime", "date"):
        return ms_from_text
    return str.casefold


def _int_key(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _float_key(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


class SortedIndex:
    """Ids of docs having a comparable value for one property, ordered by (key, id)."""

    def __init__(self, key: Callable[[str], Key | None], prop: str, docs: dict[int, Doc]) -> None:
        self.key = key
        self.prop = prop
        self.unkeyed: set[int] = set()  # docs with a value that does not compare (e.g. "abc" in a number)
        if prop == "hs_object_id":  # the id itself: no parsing, already unique
            self.ids: list[int] = sorted(docs)
            self.keys: list[Key] = list(self.ids)
            return
        present = [(value, doc_id) for doc_id, doc in docs.items() if (value := doc.props.get(prop)) is not None]
        keyed = list(map(key, [value for value, _ in present]))
        pairs = [(k, doc_id) for k, (_, doc_id) in zip(keyed, present, strict=True) if k is not None]
        if len(pairs) < len(present):
            self.unkeyed = {doc_id for k, (_, doc_id) in zip(keyed, present, strict=True) if k is None}
        pairs.sort()
        self.keys = [k for k, _ in pairs]
        self.ids = [i for _, i in pairs]

    def key_of(self, doc: Doc | None) -> Key | None:
        if doc is None:
            return None
        value = doc.props.get(self.prop)
        return None if value is None else self.key(value)

    def add(self, doc_id: int, doc: Doc) -> None:
        if self.prop not in doc.props:
            return
        k = self.key_of(doc)
        if k is None:
            self.unkeyed.add(doc_id)
            return
        lo, hi = bisect_left(self.keys, k), bisect_right(self.keys, k)
        at = bisect_left(self.ids, doc_id, lo, hi)
        self.keys.insert(at, k)
        self.ids.insert(at, doc_id)

    def remove(self, doc_id: int, doc: Doc) -> None:
        self.unkeyed.discard(doc_id)
        k = self.key_of(doc)
        if k is None:
            return
        lo, hi = bisect_left(self.keys, k), bisect_right(self.keys, k)
        at = bisect_left(self.ids, doc_id, lo, hi)
        if at < hi and self.ids[at] == doc_id:
            del self.keys[at]
            del self.ids[at]

    def between(self, low: Key | None, high: Key | None, low_open: bool = False, high_open: bool = False) -> list[int]:
        """Ids with low <= key <= high (bounds optional, either end optionally exclusive), in key order."""
        start = 0 if low is None else (bisect_right if low_open else bisect_left)(self.keys, low)
        end = len(self.keys) if high is None else (bisect_left if high_open else bisect_right)(self.keys, high)
        return self.ids[start:end] if start < end else []

    def present(self) -> set[int]:
        return set(self.ids) | self.unkeyed


class SearchIndex:
    """The lagging, search-visible snapshot of one object type."""

    def __init__(self, lookup: Callable[[str], PropertyDef | None], lag_ms: int, hot: tuple[str, ...] = ()) -> None:
        self.lookup = lookup
        self.lag_ms = lag_ms
        self.hot = hot  # always kept built: id and the create/modify dates every incremental search uses
        self.docs: dict[int, Doc] = {}
        self.pending: deque[tuple[int, int, Doc]] = deque()  # (visible at ms, id, snapshot)
        self.dead: set[int] = set()
        self.sorted: dict[str, SortedIndex] = {}
        self.version = 0
        for prop in hot:
            self.index(prop)

    def put(self, docs: Iterable[tuple[int, Doc]], now_ms: int) -> None:
        if self.lag_ms <= 0:
            self._apply(list(docs))
        else:
            self.pending.extend((now_ms + self.lag_ms, doc_id, doc) for doc_id, doc in docs)

    def drop(self, doc_id: int) -> None:
        self.dead.add(doc_id)
        doc = self.docs.pop(doc_id, None)
        if doc is not None:
            for index in self.sorted.values():
                index.remove(doc_id, doc)
            self.version += 1

    def catch_up(self, now_ms: int) -> None:
        ready: list[tuple[int, Doc]] = []
        while self.pending and self.pending[0][0] <= now_ms:
            _, doc_id, doc = self.pending.popleft()
            ready.append((doc_id, doc))
        if ready:
            self._apply(ready)

    def index(self, prop: str) -> SortedIndex:
        found = self.sorted.get(prop)
        if found is None:
            found = self.sorted[prop] = SortedIndex(key_function(self.lookup(prop)), prop, self.docs)
        return found

    def _apply(self, changes: list[tuple[int, Doc]]) -> None:
        changes = [(i, d) for i, d in changes if i not in self.dead]
        if not changes:
            return
        bulk = len(changes) > BULK
        stale: set[str] = set()
        for doc_id, doc in changes:
            old = self.docs.get(doc_id)
            for prop, index in self.sorted.items():
                if prop in stale:
                    continue
                if old is None:
                    index.add(doc_id, doc)  # new ids and fresh dates land at the end: cheap
                elif old.props.get(prop) != doc.props.get(prop):
                    if bulk:  # many moves inside the lists: cheaper to rebuild once
                        stale.add(prop)
                        continue
                    index.remove(doc_id, old)
                    index.add(doc_id, doc)
            self.docs[doc_id] = doc
        for prop in stale:
            del self.sorted[prop]
            if prop in self.hot:
                self.index(prop)
        self.version += 1

