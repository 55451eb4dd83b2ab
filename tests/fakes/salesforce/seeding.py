"""Test-side seeding and mutation of the fake org (what sales reps and the platform do).

Every method takes and returns JSON-friendly values so that `LoopbackServer.call` can use it:
datetimes as ISO text (`2026-05-01T00:00:00Z`, `...000+0000`) or epoch seconds, dates as
`YYYY-MM-DD`. Records come back in the REST JSON format (datetimes `...000+0000`).

These are back doors: they may set read-only fields (CreatedDate, SystemModstamp, IsConverted...)
and skip the API's validation, but refuse unknown fields, values of the wrong type, a Name on
Lead/Contact/User (it is derived from FirstName and LastName) and duplicate unique values.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.salesforce.schema import IDLIKE, NUMERIC, STRINGY, FieldDef, ObjectDef, custom_field
from tests.fakes.salesforce.state import NAME_OBJECTS, Clock, Store
from tests.fakes.salesforce.values import DAY_MS, format_rest, is_id, ms_to_date, parse_date, parse_datetime, to18

NEVER_NULL = frozenset({"Id", "CreatedDate", "LastModifiedDate", "SystemModstamp"})


def seed_value(f: FieldDef, value: Any, store: Store) -> Any:
    if value is None:
        if f.name in NEVER_NULL:
            raise ValueError(f"{f.name} cannot be null")
        return False if f.type == "boolean" else None
    kind = f.type
    if kind in STRINGY and isinstance(value, str):
        return value or None
    if kind in IDLIKE and is_id(value):
        prefixes = {store.objects[t].key_prefix for t in f.reference_to if t in store.objects}
        if kind == "reference" and to18(value)[:3] not in prefixes:
            raise ValueError(f"{f.name} takes ids of {list(f.reference_to)}, not {value!r}")
        return to18(value)
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind in NUMERIC and kind != "int" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind == "datetime":
        return parse_datetime(value, require_zone=False)
    if kind == "date":
        return parse_date(value)
    if kind == "anyType" and isinstance(value, str | int | float | bool):
        return value
    raise ValueError(f"{f.name} ({kind}) cannot hold {value!r}")


class Seeding:
    """Mixed into FakeSalesforce; needs `store` and `clock`."""

    store: Store
    clock: Clock

    def _at(self, at: Any) -> int:
        return self.clock.now_ms() if at is None else parse_datetime(at, require_zone=False)

    def _values(self, obj: ObjectDef, fields: dict[str, Any], creating: bool) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for key, value in fields.items():
            f = obj.field(key)
            if f is None:
                raise ValueError(f"{obj.name} has no field {key!r}")
            if f.name == "Name" and obj.name in NAME_OBJECTS:
                raise ValueError(f"{obj.name}.Name is derived from FirstName and LastName")
            if f.name == "Id" and not creating:
                raise ValueError("the Id of a record cannot change")
            values[f.name] = seed_value(f, value, self.store)
        new_id = values.get("Id") if creating else None
        if new_id is not None and (new_id[:3] != obj.key_prefix or new_id in self.store.tables[obj.name]):
            raise ValueError(f"Id {values['Id']} is not a new {obj.name} id (prefix {obj.key_prefix})")
        return values

    def _check_unique(self, obj: ObjectDef, values: dict[str, Any], record_id: str | None) -> None:
        for name, value in values.items():
            f = obj.by_lower[name.lower()]
            if f.unique and value is not None:
                clash = [rid for rid in self.store.find(obj, name, value, include_deleted=True) if rid != record_id]
                if clash:
                    raise ValueError(f"duplicate value found: {name} duplicates value on record with id: {clash[0]}")

    def _row(self, sobject: str, record_id: str) -> tuple[ObjectDef, tuple[Any, ...]]:
        obj = self.store.obj(sobject)
        row = self.store.tables[obj.name].get(to18(record_id))
        if row is None:
            raise ValueError(f"no {obj.name} {record_id}")
        return obj, row

    # creating
    def add_records(self, sobject: str, records: list[dict[str, Any]]) -> list[str]:
        obj = self.store.obj(sobject)
        now = self.clock.now_ms()
        ids = []
        explicit = False
        for fields in records:
            values = self._values(obj, fields, creating=True)
            self._check_unique(obj, values, None)
            explicit = explicit or "Id" in values
            ids.append(self.store.insert(obj, values, now)[0])
        if explicit:
            self.store.sort_table(obj)
        return ids

    def add_record(self, sobject: str, fields: dict[str, Any] | None = None) -> str:
        return self.add_records(sobject, [fields or {}])[0]

    # changing
    def update_record(self, sobject: str, record_id: str, fields: dict[str, Any], at: Any = None,
                      by: str | None = None) -> dict[str, Any]:
        """A save by a user: bumps LastModifiedDate and SystemModstamp; tracked Lead fields get history."""
        obj, row = self._row(sobject, record_id)
        values = self._values(obj, fields, creating=False)
        self._check_unique(obj, values, row[0])
        new = self.store.replace(obj, row[0], values, self._at(at), by)
        return self.store.to_api(obj, new)

    def bulk_update(self, sobject: str, ids: list[str], fields: dict[str, Any], at: Any = None,
                    by: str | None = None) -> str:
        """One mass update: every row gets the identical SystemModstamp, which is returned."""
        obj = self.store.obj(sobject)
        values = self._values(obj, fields, creating=False)
        now = self._at(at)
        for record_id in ids:
            self.store.replace(obj, self._row(sobject, record_id)[1][0], values, now, by)
        return format_rest(now)

    def set_without_modstamp(self, sobject: str, record_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """A change that does not bump SystemModstamp (formula and roll-up fields, Estuary PR #3414)."""
        obj, row = self._row(sobject, record_id)
        values = self._values(obj, fields, creating=False)
        new = self.store.replace(obj, row[0], values, self.clock.now_ms(), bump=False)
        return self.store.to_api(obj, new)

    def delete_record(self, sobject: str, record_id: str, at: Any = None) -> None:
        obj, row = self._row(sobject, record_id)
        self.store.soft_delete(obj, row[0], self._at(at))

    def undelete_record(self, sobject: str, record_id: str, at: Any = None) -> None:
        obj, row = self._row(sobject, record_id)
        self.store.undelete(obj, row[0], self._at(at))

    def purge_record(self, sobject: str, record_id: str, at: Any = None) -> None:
        """Hard delete: gone from queryAll, still listed by the deleted endpoint."""
        obj, row = self._row(sobject, record_id)
        self.store.purge(obj, row[0], self._at(at))

    def purge_delete_log(self, sobject: str, before: Any = None) -> str:
        """The delete log is purged early; deleted calls starting before `before` then fail."""
        obj = self.store.obj(sobject)
        cutoff = self._at(before)
        self.store.purge_delete_log(obj, cutoff)
        return format_rest(cutoff)

    def convert_lead(self, lead_id: str, opportunity_fields: dict[str, Any] | None = None,
                     create_opportunity: bool = True, account_id: str | None = None,
                     converted_status: str = "Closed - Converted", at: Any = None,
                     by: str | None = None) -> dict[str, str | None]:
        lead, row = self._row("Lead", lead_id)
        if row[lead.index["IsConverted"]]:
            raise ValueError(f"lead {lead_id} is already converted")
        now = self._at(at)
        value = dict(zip(lead.index, row, strict=False))
        store = self.store
        if account_id is None:
            account = {"Name": value["Company"] or value["LastName"], "Website": value["Website"],
                       "OwnerId": value["OwnerId"]}
            account_id = store.insert(store.obj("Account"), account, now, by)[0]
        contact = {
            "FirstName": value["FirstName"], "LastName": value["LastName"], "Email": value["Email"],
            "Phone": value["Phone"], "MobilePhone": value["MobilePhone"], "Title": value["Title"],
            "AccountId": to18(account_id), "MailingCountry": value["Country"], "MailingState": value["State"],
            "MailingCity": value["City"], "LeadSource": value["LeadSource"], "OwnerId": value["OwnerId"],
            "HasOptedOutOfEmail": value["HasOptedOutOfEmail"], "DoNotCall": value["DoNotCall"],
        }
        contact_id = store.insert(store.obj("Contact"), contact, now, by)[0]
        opportunity_id = None
        if create_opportunity:
            opportunity = store.obj("Opportunity")
            fields = {
                "Name": f"{value['Company'] or value['LastName']}-", "StageName": "Prospecting",
                "CloseDate": ms_to_date(now + 30 * DAY_MS), "AccountId": to18(account_id), "ContactId": contact_id,
                "OwnerId": value["OwnerId"], "LeadSource": value["LeadSource"],
                **self._values(opportunity, opportunity_fields or {}, creating=True),
            }
            opportunity_id = store.insert(opportunity, fields, now, by)[0]
        store.replace(lead, row[0], {
            "IsConverted": True, "ConvertedDate": ms_to_date(now), "ConvertedContactId": contact_id,
            "ConvertedOpportunityId": opportunity_id, "ConvertedAccountId": to18(account_id),
            "Status": converted_status,
        }, now, by)
        store.add_history(row[0], "leadConverted", "Text", None, None, now, by)
        return {"contact_id": contact_id, "opportunity_id": opportunity_id, "account_id": to18(account_id)}

    def add_custom_field(self, sobject: str, name: str, type: str = "string", external_id: bool = False,  # noqa: A002
                         unique: bool = False, length: int | None = None, label: str | None = None) -> dict[str, Any]:
        obj = self.store.obj(sobject)
        if obj.field(name) is not None:
            raise ValueError(f"{obj.name} already has a field {name}")
        f = custom_field(name, type, external_id, unique, length, label)
        self.store.add_field(obj, f)
        return f.describe()

    # reading
    def record(self, sobject: str, record_id: str) -> dict[str, Any]:
        obj, row = self._row(sobject, record_id)
        return self.store.to_api(obj, row)

    def records(self, sobject: str, include_deleted: bool = True) -> list[dict[str, Any]]:
        obj = self.store.obj(sobject)
        rows = list(self.store.tables[obj.name].values())
        if not include_deleted and obj.has("IsDeleted"):
            rows = [r for r in rows if not r[obj.index["IsDeleted"]]]
        return [self.store.to_api(obj, r) for r in rows]
