"""What the fake HubSpot portal holds: records, property history, merges, associations, owners.

Reproduces: ids assigned by HubSpot, ascending but not contiguous (a seeded gap of 0-2 between
ids, one counter for all object types, so "id + 1" guesses and string comparisons of ids fail the
way they would in production); `hs_object_id` always equal to the id; `createdate`/`hs_createdate`
and `lastmodifieddate` (contacts) or `hs_lastmodifieddate` (other objects) as ISO datetimes; every
write bumps the modified date, archiving does not; property history per property with sourceType,
sourceId and timestamp, newest last here (rendered newest first); setting `lifecyclestage` fills
that stage's `hs_lifecyclestage_<stage>_date` when empty.

Merge (contacts), as HubSpot documents it: the survivor keeps its values, takes the loser's values
for properties it has no value for, the older create date and the later lifecycle stage; it gets
the loser's id (and ids merged into the loser earlier) appended to `hs_merged_object_ids` and the
loser's email in `hs_additional_emails`; the loser's associations move to the survivor; the loser
vanishes from list, search and upsert matching (its email now finds the survivor).

Choices: archived records keep their data but free their unique values, so an upsert by the email
of an archived contact creates a new contact. Cleared values ("" on write) are stored as absent and
read back as null; the history records the "" write.
"""

from __future__ import annotations

import random
from bisect import bisect_left, insort
from dataclasses import dataclass
from functools import partial
from typing import Any

from tests.fakes.hubspot.clock import Clock, iso_from_ms, ms_from_text
from tests.fakes.hubspot.index import Doc, SearchIndex
from tests.fakes.hubspot.schema import CREATED, LIFECYCLE_STAGES, MODIFIED, OBJECT_TYPES, Schema

Source = tuple[str, str | None]  # (sourceType, sourceId)
Version = tuple[str, int, str, str | None]  # (value, timestamp ms, sourceType, sourceId)
CALCULATED: Source = ("CALCULATED", None)
ASSOCIATION_TYPES = {
    ("contacts", "deals"): 4, ("deals", "contacts"): 3,
    ("contacts", "calls"): 193, ("calls", "contacts"): 194,
    ("contacts", "meetings"): 199, ("meetings", "contacts"): 200,
    ("deals", "calls"): 205, ("calls", "deals"): 206,
    ("deals", "meetings"): 211, ("meetings", "deals"): 212,
}
SYSTEM_PROPERTIES = {"hs_object_id", "createdate", "hs_createdate", "lastmodifieddate", "hs_lastmodifieddate",
                     "hs_merged_object_ids", "hs_additional_emails"}


@dataclass(slots=True, eq=False)
class Record:
    id: int
    type: str
    props: dict[str, str]
    created_ms: int
    updated_ms: int
    source: Source
    archived_ms: int | None = None
    history: dict[str, list[Version]] | None = None

    @property
    def archived(self) -> bool:
        return self.archived_ms is not None

    def doc(self) -> Doc:
        return Doc(dict(self.props), self.created_ms, self.updated_ms)

    def versions(self, name: str) -> list[Version]:
        """This property's history, oldest first."""
        if self.history is not None and name in self.history:
            return self.history[name]
        value = self.props.get(name)
        if value is None:
            return []
        source = CALCULATED if name in SYSTEM_PROPERTIES else self.source
        return [(value, self.created_ms, *source)]


class Store:
    def __init__(self, clock: Clock, seed: int = 0, search_lag_ms: int = 0) -> None:
        self.clock = clock
        self.schema = Schema()
        self.rng = random.Random(seed)
        self.last_id = 0
        self.records: dict[str, dict[int, Record]] = {t: {} for t in OBJECT_TYPES}
        self.order: dict[str, list[int]] = {t: [] for t in OBJECT_TYPES}
        self.archived: dict[str, list[int]] = {t: [] for t in OBJECT_TYPES}
        self.merged: dict[int, int] = {}  # loser id → survivor id
        self.unique: dict[str, dict[str, dict[str, int]]] = {t: {} for t in OBJECT_TYPES}
        self.indexes = {
            t: SearchIndex(partial(self.schema.get, t), search_lag_ms, ("hs_object_id", CREATED[t], MODIFIED[t]))
            for t in OBJECT_TYPES
        }
        self.links: dict[tuple[str, str], dict[int, dict[int, int]]] = {k: {} for k in ASSOCIATION_TYPES}
        self.owners: list[dict[str, Any]] = []

    # records
    def new_id(self) -> int:
        self.last_id += 1 + self.rng.randrange(3)
        return self.last_id

    def create(self, object_type: str, props: dict[str, str], source: Source, created_ms: int | None = None,
               at_ms: int | None = None, index: bool = True) -> Record:
        now = self.clock.now_ms() if at_ms is None else at_ms
        created_prop = CREATED[object_type]
        if created_ms is None and created_prop in props:
            created_ms = ms_from_text(props[created_prop])
        created = now if created_ms is None else created_ms
        modified = now if created_ms is None else max(created, at_ms or created)
        record_id = self.new_id()
        values = dict(props)
        values.update({"hs_object_id": str(record_id), created_prop: iso_from_ms(created),
                       MODIFIED[object_type]: iso_from_ms(modified)})
        record = Record(record_id, object_type, values, created, modified, source)
        self._stage_date(record, created, None)
        self.records[object_type][record_id] = record
        self.order[object_type].append(record_id)
        self._claim(record, values)
        if index:
            self.reindex([record])
        return record

    def update(self, record: Record, changes: dict[str, str | None], source: Source, at_ms: int | None = None,
               bump: bool = True, index: bool = True) -> None:
        at = self.clock.now_ms() if at_ms is None else at_ms
        for name, value in changes.items():
            new = value or None
            old = record.props.get(name)
            if old == new:
                continue
            self._remember(record, name, value or "", at, source)
            self._release(record, {name: old} if old is not None else {})
            if new is None:
                del record.props[name]
            else:
                record.props[name] = new
                self._claim(record, {name: new})
                if name == CREATED[record.type]:
                    record.created_ms = ms_from_text(new) or record.created_ms  # createdAt follows createdate
        self._stage_date(record, at, source)
        if bump:
            self.touch(record, at, index=False)
        if index:
            self.reindex([record])

    def touch(self, record: Record, at_ms: int, index: bool = True) -> None:
        """Bump the modified date (what any write does)."""
        modified = MODIFIED[record.type]
        self._remember(record, modified, iso_from_ms(at_ms), at_ms, CALCULATED)
        record.props[modified] = iso_from_ms(at_ms)
        record.updated_ms = at_ms
        if index:
            self.reindex([record])

    def archive(self, record: Record, at_ms: int | None = None) -> None:
        if record.archived:
            return
        record.archived_ms = self.clock.now_ms() if at_ms is None else at_ms
        self._release(record, record.props)
        insort(self.archived[record.type], record.id)
        self.indexes[record.type].drop(record.id)

    def merge(self, primary: Record, loser: Record, source: Source, at_ms: int | None = None) -> None:
        at = self.clock.now_ms() if at_ms is None else at_ms
        changes: dict[str, str | None] = {}
        for name, value in loser.props.items():
            if name not in SYSTEM_PROPERTIES and not primary.props.get(name):
                changes[name] = value
        stages = [primary.props.get("lifecyclestage"), loser.props.get("lifecyclestage")]
        known = [s for s in stages if s in LIFECYCLE_STAGES]
        if known:
            changes["lifecyclestage"] = max(known, key=LIFECYCLE_STAGES.index)
        merged_ids = [i for i in primary.props.get("hs_merged_object_ids", "").split(";") if i]
        merged_ids += [i for i in loser.props.get("hs_merged_object_ids", "").split(";") if i] + [str(loser.id)]
        changes["hs_merged_object_ids"] = ";".join(merged_ids)
        loser_email = loser.props.get("email")
        if loser_email and loser_email != primary.props.get("email"):
            extra = [e for e in primary.props.get("hs_additional_emails", "").split(";") if e]
            changes["hs_additional_emails"] = ";".join([*extra, loser_email])
        if loser.created_ms < primary.created_ms:
            primary.created_ms = loser.created_ms
            changes[CREATED[primary.type]] = iso_from_ms(loser.created_ms)
        self._release(loser, loser.props)
        self.update(primary, changes, source, at)
        if loser_email:
            self.unique[primary.type].setdefault("email", {})[loser_email.casefold()] = primary.id
        for (from_type, to_type), table in self.links.items():
            if from_type == loser.type:
                for to_id, type_id in table.pop(loser.id, {}).items():
                    self.associate(from_type, primary.id, to_type, to_id, type_id)
            if to_type == loser.type:
                for targets in table.values():
                    if loser.id in targets:
                        targets[primary.id] = targets.pop(loser.id)
        del self.records[loser.type][loser.id]
        self.merged[loser.id] = primary.id
        self.indexes[loser.type].drop(loser.id)

    def reindex(self, records: list[Record]) -> None:
        by_type: dict[str, list[tuple[int, Doc]]] = {}
        for record in records:
            if not record.archived:
                by_type.setdefault(record.type, []).append((record.id, record.doc()))
        now = self.clock.now_ms()
        for object_type, docs in by_type.items():
            self.indexes[object_type].put(docs, now)

    # lookups
    def get(self, object_type: str, record_id: int, archived: bool = False) -> Record | None:
        record = self.records[object_type].get(record_id)
        if record is None or record.archived != archived:
            return None
        return record

    def resolve(self, record_id: int) -> int:
        """The id a merged-away id now lives under (itself when never merged)."""
        while record_id in self.merged:
            record_id = self.merged[record_id]
        return record_id

    def find(self, object_type: str, prop: str, value: str) -> Record | None:
        """The active record whose unique property `prop` equals `value` (case-insensitively)."""
        if prop == "hs_object_id":
            try:
                return self.get(object_type, int(value))
            except ValueError:
                return None
        found = self.unique[object_type].get(prop, {}).get(value.strip().casefold())
        return None if found is None else self.get(object_type, found)

    def page(self, object_type: str, start_id: int, limit: int, archived: bool) -> tuple[list[Record], int | None]:
        """Up to `limit` records with id >= start_id in id order, and the id the next page starts at."""
        ids = self.archived[object_type] if archived else self.order[object_type]
        records = self.records[object_type]
        found: list[Record] = []
        for record_id in ids[bisect_left(ids, start_id):]:
            record = records.get(record_id)
            if record is None or record.archived != archived:
                continue
            if len(found) == limit:
                return found, record_id
            found.append(record)
        return found, None

    # associations and owners
    def associate(self, from_type: str, from_id: int, to_type: str, to_id: int, type_id: int | None = None) -> None:
        self.links[(from_type, to_type)].setdefault(from_id, {})[to_id] = type_id or ASSOCIATION_TYPES[
            (from_type, to_type)]
        self.links[(to_type, from_type)].setdefault(to_id, {})[from_id] = ASSOCIATION_TYPES[(to_type, from_type)]

    def associated(self, from_type: str, to_type: str, from_id: int) -> list[tuple[int, int]]:
        targets = self.links[(from_type, to_type)].get(from_id, {})
        return [(to_id, t) for to_id, t in sorted(targets.items()) if self.get(to_type, to_id) is not None]

    # internals
    def _remember(self, record: Record, name: str, value: str, at_ms: int, source: Source) -> None:
        if record.history is None:
            record.history = {}
        versions = record.history.get(name)
        if versions is None:
            versions = record.history[name] = list(record.versions(name))
        versions.append((value, at_ms, *source))

    def _stage_date(self, record: Record, at_ms: int, source: Source | None) -> None:
        stage = record.props.get("lifecyclestage")
        if record.type != "contacts" or stage not in LIFECYCLE_STAGES:
            return
        name = f"hs_lifecyclestage_{stage}_date"
        if name not in record.props:
            if source is not None:
                self._remember(record, name, iso_from_ms(at_ms), at_ms, CALCULATED)
            record.props[name] = iso_from_ms(at_ms)

    def _claim(self, record: Record, values: dict[str, str]) -> None:
        for name, value in values.items():
            defn = self.schema.get(record.type, name)
            if defn is not None and defn.has_unique_value:
                self.unique[record.type].setdefault(name, {})[value.casefold()] = record.id

    def _release(self, record: Record, values: dict[str, str]) -> None:
        for name, value in values.items():
            table = self.unique[record.type].get(name)
            if table is not None and table.get(value.casefold()) == record.id:
                del table[value.casefold()]
