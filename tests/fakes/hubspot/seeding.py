"""How tests put data in the fake and read it back (JSON-friendly, so they work over LoopbackServer.call).

Seeding is trusted: values are coerced to HubSpot's string forms (17 → "17", True → "true",
datetimes to ISO, dates to epoch ms) instead of validated, but a property that does not exist is a
ValueError (define it first), so a typo in a test cannot pass silently. Writes made here record
history with the given sourceType (CRM_UI by default: a sales rep's edit) and bump the modified date
like any write; `bulk_touch` gives many records one shared modified date.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.fakes.hubspot import render
from tests.fakes.hubspot.clock import Clock, iso_from_ms
from tests.fakes.hubspot.schema import OBJECT_TYPES, PropertyDef, seeded_value
from tests.fakes.hubspot.state import Record, Store

SEED_SOURCE = ("CRM_UI", None)
FIRST_OWNER_ID = 100_000_001


class Seeding:
    store: Store
    clock: Clock

    # contacts
    def add_contacts(self, contacts: list[dict[str, Any]], created_at_ms: int | None = None) -> list[str]:
        records = [self.store.create("contacts", self._props("contacts", p), SEED_SOURCE, created_ms=created_at_ms,
                                     index=False) for p in contacts]
        self.store.reindex(records)
        return [str(r.id) for r in records]

    def add_contact(self, properties: dict[str, Any], created_at_ms: int | None = None) -> str:
        return self.add_contacts([properties], created_at_ms)[0]

    def update_contact(self, contact_id: str | int, properties: dict[str, Any], source_type: str = "CRM_UI",
                       source_id: str | None = None, at_ms: int | None = None) -> None:
        self.update_object("contacts", contact_id, properties, source_type, source_id, at_ms)

    def bulk_touch(self, ids: Iterable[str | int], at_ms: int, object_type: str = "contacts") -> None:
        records = [self._record(object_type, i) for i in ids]
        for record in records:
            self.store.touch(record, at_ms, index=False)
        self.store.reindex(records)

    def archive_contact(self, contact_id: str | int, at_ms: int | None = None) -> None:
        self.archive_object("contacts", contact_id, at_ms)

    def merge_contacts(self, primary_id: str | int, loser_id: str | int) -> str:
        primary, loser = self._record("contacts", primary_id), self._record("contacts", loser_id)
        if primary is loser or primary.archived or loser.archived:
            raise ValueError("merge needs two different, active contacts")
        self.store.merge(primary, loser, SEED_SOURCE)
        return str(primary.id)

    def contact(self, contact_id: str | int) -> dict[str, Any] | None:
        return self.object("contacts", contact_id)

    # any object
    def add_deal(self, properties: dict[str, Any], contact_ids: Iterable[str | int] = ()) -> str:
        return self._add_linked("deals", properties, contact_ids)

    def add_engagements(self, kind: str, items: list[dict[str, Any]]) -> list[str]:
        """Many at once (benchmarks seed through one control call): items of {properties, contact_ids}."""
        return [self.add_engagement(kind, i.get("properties") or {}, i.get("contact_ids") or ()) for i in items]

    def add_deals(self, items: list[dict[str, Any]]) -> list[str]:
        return [self.add_deal(i.get("properties") or {}, i.get("contact_ids") or ()) for i in items]

    def add_engagement(self, kind: str, properties: dict[str, Any], contact_ids: Iterable[str | int] = ()) -> str:
        if kind not in ("meetings", "calls"):
            raise ValueError("kind must be meetings or calls")
        values = {"hs_timestamp": self.clock.now_ms(), **properties}
        return self._add_linked(kind, values, contact_ids)

    def update_object(self, object_type: str, object_id: str | int, properties: dict[str, Any],
                      source_type: str = "CRM_UI", source_id: str | None = None, at_ms: int | None = None) -> None:
        record = self._record(object_type, object_id)
        changes: dict[str, str | None] = {}
        for name, value in properties.items():
            changes[name] = seeded_value(self._defn(object_type, name), value)
        self.store.update(record, changes, (source_type, source_id), at_ms)

    def archive_object(self, object_type: str, object_id: str | int, at_ms: int | None = None) -> None:
        self.store.archive(self._record(object_type, object_id), at_ms)

    def associate(self, from_type: str, from_id: str | int, to_type: str, to_id: str | int) -> None:
        self._record(from_type, from_id)
        self._record(to_type, to_id)
        self.store.associate(from_type, int(from_id), to_type, int(to_id))

    def object(self, object_type: str, object_id: str | int) -> dict[str, Any] | None:
        """The stored record with all its values (None if unknown or merged away)."""
        record = self.store.records[object_type].get(int(object_id))
        if record is None:
            return None
        out: dict[str, Any] = {"id": str(record.id), "properties": dict(record.props),
                               "createdAt": iso_from_ms(record.created_ms), "updatedAt": iso_from_ms(record.updated_ms),
                               "archived": record.archived}
        if record.archived_ms is not None:
            out["archivedAt"] = iso_from_ms(record.archived_ms)
        return out

    def property_history(self, object_type: str, object_id: str | int, name: str) -> list[dict[str, Any]]:
        """The property's versions, newest first, as batch read renders them."""
        return [render.version(v) for v in reversed(self._record(object_type, object_id).versions(name))]

    def merged_into(self, object_id: str | int) -> str | None:
        survivor = self.store.resolve(int(object_id))
        return None if survivor == int(object_id) else str(survivor)

    def ids(self, object_type: str = "contacts", archived: bool = False) -> list[str]:
        return [str(i) for i, r in self.store.records[object_type].items() if r.archived == archived]

    # owners and properties
    def add_owner(self, email: str, first_name: str = "", last_name: str = "", user_id: int | None = None,
                  teams: list[Any] | None = None, archived: bool = False) -> str:
        owner_id = FIRST_OWNER_ID + len(self.store.owners)
        stamp = iso_from_ms(self.clock.now_ms())
        team_list = [t if isinstance(t, dict) else {"id": str(900 + i), "name": str(t), "primary": i == 0}
                     for i, t in enumerate(teams or [])]
        self.store.owners.append({
            "id": str(owner_id), "email": email, "type": "PERSON", "firstName": first_name, "lastName": last_name,
            "userId": user_id if user_id is not None else 5_000_000 + len(self.store.owners),
            "userIdIncludingInactive": user_id if user_id is not None else 5_000_000 + len(self.store.owners),
            "teams": team_list, "archived": archived, "createdAt": stamp, "updatedAt": stamp,
        })
        return str(owner_id)

    def define_property(self, object_type: str, name: str, type: str = "string",  # noqa: A002 - HubSpot's name
                        field_type: str = "text", label: str | None = None, group: str = "contactinformation",
                        hubspot_defined: bool = False, has_unique_value: bool = False,
                        options: list[str] | None = None) -> None:
        if object_type not in OBJECT_TYPES:
            raise ValueError(f"object_type must be one of {OBJECT_TYPES}")
        groups = self.store.schema.groups[object_type]
        if group not in groups:
            groups[group] = {"name": group, "label": group, "displayOrder": -1, "archived": False}
        self.store.schema.properties[object_type][name] = PropertyDef(
            name, type, field_type, label or name, group, hubspot_defined=hubspot_defined,
            has_unique_value=has_unique_value, options=tuple(options or ()), created_ms=self.clock.now_ms())

    # internals
    def _add_linked(self, object_type: str, properties: dict[str, Any], contact_ids: Iterable[str | int]) -> str:
        record = self.store.create(object_type, self._props(object_type, properties), SEED_SOURCE)
        for contact_id in contact_ids:
            self._record("contacts", contact_id)
            self.store.associate(object_type, record.id, "contacts", int(contact_id))
        return str(record.id)

    def _props(self, object_type: str, properties: dict[str, Any] | None) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in (properties or {}).items():
            text = seeded_value(self._defn(object_type, name), value)
            if text is not None:
                out[name] = text
        return out

    def _defn(self, object_type: str, name: str) -> PropertyDef:
        defn = self.store.schema.get(object_type, name)
        if defn is None:
            raise ValueError(f"unknown {object_type} property {name!r}: call define_property() first")
        return defn

    def _record(self, object_type: str, object_id: str | int) -> Record:
        record = self.store.records[object_type].get(int(object_id))
        if record is None:
            raise KeyError(f"no {object_type} record {object_id}")
        return record

