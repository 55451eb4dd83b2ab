"""What the fake org holds: records, the clock, the delete log, history rows.

Records are stored per object as `{id: tuple}` in id order (= creation order), one tuple slot per
field of the object's describe. Tuples are never mutated: a write replaces the tuple, so a query's
snapshot is just the list of tuples it matched ("results are a snapshot at query time").

Documented behaviour reproduced:
- Every save bumps LastModifiedDate and SystemModstamp, even one that changes nothing (so the
  ETL's own upserts echo back).
- One save of many records (bulk update, one composite request) gives all of them the identical
  SystemModstamp (supaglue#532). System timestamps have whole-second precision (`.000`), so
  unrelated writes within the same second also share one.
- Deletes are soft (IsDeleted = true, in the Recycle Bin, seen by queryAll and the delete log);
  a hard delete (purge) removes the row but leaves its delete-log entry.
- Field history: a change of a tracked Lead field writes a LeadHistory row (Field "Status", or
  "Owner" for OwnerId, as Salesforce names it). An owner change writes two rows, one with user
  ids (DataType "EntityId") and, when both users exist, one with their names (DataType "Text"),
  as real orgs do. Conversion writes a "leadConverted" row.

Choices: the running ("integration") user, INTEGRATION_USER_ID, is the default owner and author.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from tests.fakes.salesforce.schema import INTEGRATION_USER_ID, FieldDef, ObjectDef
from tests.fakes.salesforce.values import format_rest, make_id, parse_datetime

Row = tuple[Any, ...]
NAME_OBJECTS = frozenset({"Lead", "Contact", "User"})
HISTORY_DATA_TYPES = {"picklist": "DynamicEnum", "reference": "EntityId"}


class Clock:
    """Fake time: a real clock (or the one given) plus an offset that `advance` moves."""

    def __init__(self, clock: Callable[[], float] | None = None, start_at: Any = None, frozen: bool = False) -> None:
        self._source = clock or time.time
        self._frozen_at = self._source() if frozen else None
        self._offset = 0.0
        if start_at is not None:
            self._offset = parse_datetime(start_at, require_zone=False) / 1000 - self._raw()

    def _raw(self) -> float:
        return self._frozen_at if self._frozen_at is not None else self._source()

    def now(self) -> float:
        return self._raw() + self._offset

    def now_ms(self) -> int:
        """Now as a system timestamp: whole seconds, like SystemModstamp."""
        return int(self.now()) * 1000

    def advance(self, seconds: float) -> None:
        self._offset += seconds


def _history_value(f: FieldDef, value: Any) -> Any:
    return format_rest(value) if f.type == "datetime" and value is not None else value


def index_key(value: Any) -> str:
    return value.casefold() if isinstance(value, str) else str(value)


class Store:
    def __init__(self, objects: dict[str, ObjectDef], history_fields: Iterable[str]) -> None:
        self.objects = objects
        self.by_lower = {name.lower(): o for name, o in objects.items()}
        self.by_prefix = {o.key_prefix: name for name, o in objects.items()}
        self.tables: dict[str, dict[str, Row]] = {name: {} for name in objects}
        self.counters = dict.fromkeys(objects, 0)
        self.deleted: dict[str, dict[str, int]] = {name: {} for name in objects}
        self.log_purged_at: dict[str, int | None] = dict.fromkeys(objects)
        self.indexes: dict[tuple[str, str], dict[str, set[str]]] = {}
        self.history_fields = tuple(history_fields)
        self.templates: dict[tuple[str, int], list[Any]] = {}
        self.user_id = INTEGRATION_USER_ID

    # lookups
    def obj(self, name: str) -> ObjectDef:
        found = self.by_lower.get(name.lower())
        if found is None:
            raise ValueError(f"unknown sObject {name!r}; the fake knows {sorted(self.objects)}")
        return found

    def lookup(self, record_id: str) -> tuple[ObjectDef, Row] | None:
        name = self.by_prefix.get(record_id[:3])
        if name is None:
            return None
        row = self.tables[name].get(record_id)
        return None if row is None else (self.objects[name], row)

    def exists(self, record_id: str) -> bool:
        return record_id == self.user_id or self.lookup(record_id) is not None

    def get(self, odef: ObjectDef, row: Row, name: str) -> Any:
        position = odef.index[name]
        return row[position] if position < len(row) else None

    def new_id(self, odef: ObjectDef) -> str:
        while True:
            self.counters[odef.name] += 1
            candidate = make_id(odef.key_prefix, self.counters[odef.name])
            if candidate not in self.tables[odef.name]:
                return candidate

    # indexes on external-id, unique and duplicate-rule fields, kept up to date on every write
    def index(self, odef: ObjectDef, name: str) -> dict[str, set[str]]:
        key = (odef.name, name)
        found = self.indexes.get(key)
        if found is None:
            found = {}
            position = odef.index[name]
            for rid, row in self.tables[odef.name].items():
                if row[position] is not None:
                    found.setdefault(index_key(row[position]), set()).add(rid)
            self.indexes[key] = found
        return found

    def find(self, odef: ObjectDef, name: str, value: Any, include_deleted: bool = False) -> list[str]:
        ids = sorted(self.index(odef, name).get(index_key(value), ()))
        if include_deleted or not odef.has("IsDeleted"):
            return ids
        position = odef.index["IsDeleted"]
        return [rid for rid in ids if not self.tables[odef.name][rid][position]]

    def _reindex(self, odef: ObjectDef, old: Row | None, new: Row | None) -> None:
        for (obj_name, name), index in self.indexes.items():
            if obj_name != odef.name:
                continue
            position = odef.index[name]
            before = old[position] if old is not None else None
            after = new[position] if new is not None else None
            if old is not None and new is not None and before == after:
                continue
            rid = (old or new)[0]  # type: ignore[index]
            if before is not None:
                index.get(index_key(before), set()).discard(rid)
            if after is not None:
                index.setdefault(index_key(after), set()).add(rid)

    # writes
    def _template(self, odef: ObjectDef) -> list[Any]:
        key = (odef.name, len(odef.index))
        found = self.templates.get(key)
        if found is None:
            found = [f.default for f in odef.fields]
            if odef.has("OwnerId"):
                found[odef.index["OwnerId"]] = self.user_id
            self.templates[key] = found
        return found

    def insert(self, odef: ObjectDef, values: dict[str, Any], now: int, by: str | None = None) -> Row:
        slots = list(self._template(odef))
        author = by or self.user_id
        for name, value in (("CreatedDate", now), ("CreatedById", author), ("LastModifiedById", author)):
            if name in odef.index:
                slots[odef.index[name]] = value
        for name, value in values.items():
            slots[odef.index[name]] = value
        created = slots[odef.index["CreatedDate"]] if odef.has("CreatedDate") else now
        if odef.has("LastModifiedDate") and "LastModifiedDate" not in values:
            slots[odef.index["LastModifiedDate"]] = created
        if odef.has("SystemModstamp") and "SystemModstamp" not in values:
            last = slots[odef.index["LastModifiedDate"]] if odef.has("LastModifiedDate") else created
            slots[odef.index["SystemModstamp"]] = last if last is not None else now
        record_id = values.get("Id") or self.new_id(odef)
        slots[0] = record_id
        self._derive(odef, slots, values)
        row = tuple(slots)
        self.tables[odef.name][record_id] = row
        self._reindex(odef, None, row)
        return row

    def replace(self, odef: ObjectDef, record_id: str, changes: dict[str, Any], now: int, by: str | None = None,
                bump: bool = True) -> Row:
        table = self.tables[odef.name]
        old = table[record_id]
        slots = list(old)
        if bump:
            for name, value in (("LastModifiedDate", now), ("SystemModstamp", now),
                                ("LastModifiedById", by or self.user_id)):
                if odef.has(name):
                    slots[odef.index[name]] = value
        for name, value in changes.items():
            slots[odef.index[name]] = value
        self._derive(odef, slots, changes)
        row = tuple(slots)
        table[record_id] = row
        self._reindex(odef, old, row)
        if odef.name == "Lead" and bump:
            self._write_history(odef, old, row, now, by)
        return row

    def _derive(self, odef: ObjectDef, slots: list[Any], changes: dict[str, Any]) -> None:
        index = odef.index
        if odef.name in NAME_OBJECTS:
            parts = [slots[index["FirstName"]], slots[index["LastName"]]]
            slots[index["Name"]] = " ".join(p for p in parts if p) or None
        if odef.name == "Opportunity" and "StageName" in changes and "IsClosed" not in changes:
            stage = slots[index["StageName"]] or ""
            slots[index["IsClosed"]] = stage.startswith("Closed")
            slots[index["IsWon"]] = stage == "Closed Won"

    def _write_history(self, odef: ObjectDef, old: Row, new: Row, now: int, by: str | None) -> None:
        for name in self.history_fields:
            before, after = old[odef.index[name]], new[odef.index[name]]
            if before == after:
                continue
            f = odef.by_lower[name.lower()]
            label = "Owner" if name == "OwnerId" else name
            data_type = HISTORY_DATA_TYPES.get(f.type, "Text")
            self.add_history(new[0], label, data_type, _history_value(f, before), _history_value(f, after), now, by)
            if name == "OwnerId":
                names = [self._user_name(before), self._user_name(after)]
                if all(names):
                    self.add_history(new[0], label, "Text", names[0], names[1], now, by)

    def _user_name(self, user_id: str | None) -> str | None:
        row = self.tables["User"].get(user_id or "")
        return None if row is None else row[self.objects["User"].index["Name"]]

    def add_history(self, lead_id: str, field: str, data_type: str, old: Any, new: Any, now: int,
                    by: str | None) -> None:
        self.insert(self.objects["LeadHistory"], {
            "LeadId": lead_id, "Field": field, "DataType": data_type, "OldValue": old, "NewValue": new,
            "CreatedDate": now, "CreatedById": by or self.user_id,
        }, now, by)

    def soft_delete(self, odef: ObjectDef, record_id: str, now: int) -> None:
        if not odef.has("IsDeleted"):
            raise ValueError(f"{odef.name} records cannot be deleted")
        if self.tables[odef.name][record_id][odef.index["IsDeleted"]]:
            raise ValueError(f"{record_id} is already deleted")
        self.replace(odef, record_id, {"IsDeleted": True}, now)
        self.deleted[odef.name][record_id] = now

    def undelete(self, odef: ObjectDef, record_id: str, now: int) -> None:
        if not self.tables[odef.name][record_id][odef.index["IsDeleted"]]:
            raise ValueError(f"{record_id} is not deleted")
        self.replace(odef, record_id, {"IsDeleted": False}, now)
        self.deleted[odef.name].pop(record_id, None)

    def purge(self, odef: ObjectDef, record_id: str, now: int) -> None:
        row = self.tables[odef.name].pop(record_id)
        self._reindex(odef, row, None)
        self.deleted[odef.name].setdefault(record_id, now)

    def purge_delete_log(self, odef: ObjectDef, before: int) -> None:
        log = self.deleted[odef.name]
        for record_id in [rid for rid, at in log.items() if at < before]:
            del log[record_id]
        self.log_purged_at[odef.name] = before

    def add_field(self, odef: ObjectDef, f: FieldDef) -> None:
        """A new column: every stored row grows a null slot (open snapshots keep their old rows)."""
        odef.add_field(f)
        fill = (False,) if f.type == "boolean" else (None,)
        table = self.tables[odef.name]
        for record_id, row in table.items():
            table[record_id] = row + fill

    def sort_table(self, odef: ObjectDef) -> None:
        table = self.tables[odef.name]
        self.tables[odef.name] = dict(sorted(table.items()))

    def to_api(self, odef: ObjectDef, row: Row) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in odef.fields:
            value = row[odef.index[f.name]] if odef.index[f.name] < len(row) else None
            out[f.name] = format_rest(value) if f.type == "datetime" and value is not None else value
        return out
