"""Salesforce records to our shapes (pure): flat payloads, activities, stage changes, owners, outcomes.

REST and Bulk API 2.0 describe one record differently: REST nests parent fields
({"Account": {"Name": ...}}) and types values (true, 42.0, "...+0000"); Bulk sends CSV text
("true", "42", "...Z") and dotted headers ("Account.Name"). Both become the same flat payload
(`Account.Name`, JSON types, datetimes as "2026-05-03T16:50:06.000+0000"), so a record read by
Bulk on the first load and by REST afterwards hashes the same.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.salesforce.settings import HISTORY_TRACKED
from leads.config import SalesforceSourceConfig

# Lead field → Salesforce field, per object. A source's `objects.<X>.mapping` overrides entries.
DEFAULT_MAPPINGS: dict[str, dict[str, str]] = {
    "Lead": {
        "email": "Email",
        "first_name": "FirstName",
        "last_name": "LastName",
        "phone": "Phone",
        "company": "Company",
        "website": "Website",
        "job_title": "Title",
        "country": "Country",
        "region": "State",
        "city": "City",
        "salesforce_id": "Id",
        # A converted lead names the contact it became: the same person, one golden lead.
        "merged_crm_ids": "ConvertedContactId",
        "lead_status": "Status",
        "owner": "OwnerId",
        "created_at": "CreatedDate",
        "original_source": "LeadSource",
        "do_not_contact": "HasOptedOutOfEmail",
    },
    "Contact": {
        "email": "Email",
        "first_name": "FirstName",
        "last_name": "LastName",
        "phone": "Phone",
        "company": "Account.Name",
        "job_title": "Title",
        "country": "MailingCountry",
        "region": "MailingState",
        "city": "MailingCity",
        "salesforce_id": "Id",
        "owner": "OwnerId",
        "created_at": "CreatedDate",
        "original_source": "LeadSource",
        "do_not_contact": "HasOptedOutOfEmail",
    },
}
OBJECT_KEY = "attributes.type"  # where a payload says which object it is


def effective_mapping(settings: SalesforceSourceConfig, sobject: str) -> dict[str, str]:
    own = settings.objects[sobject].mapping if sobject in settings.objects else {}  # type: ignore[index]
    mapping = {**DEFAULT_MAPPINGS.get(sobject, {}), **own}
    return {name: column for name, column in mapping.items() if column}


def sf_time(value: Any) -> datetime | None:
    """A Salesforce datetime ("...+0000" from REST, "...Z" from Bulk) or date as aware UTC."""
    if value in (None, ""):
        return None
    text = str(value).strip().replace("Z", "+00:00")
    if len(text) >= 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"  # +0000 → +00:00
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def soql_time(when: datetime) -> str:
    """A SOQL datetime literal (unquoted, UTC)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def canonical_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


_NUMBER_TYPES = frozenset({"double", "currency", "percent", "int", "long"})


def typed(value: Any, field_type: str | None) -> Any:
    """A value in REST's JSON types, whichever API it came from (`field_type` from describe)."""
    if value is None or value == "":
        return None
    if field_type == "boolean":
        return value if isinstance(value, bool) else str(value).lower() == "true"
    if field_type in _NUMBER_TYPES:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if field_type in ("int", "long") and number.is_integer() else number
    if field_type == "datetime":
        when = sf_time(value)
        return canonical_time(when) if when else value
    return value


def flat_record(record: dict[str, Any], types: dict[str, str]) -> dict[str, Any]:
    """A REST record as a flat payload: parent fields dotted, `attributes` reduced to the object type."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "attributes":
            out[OBJECT_KEY] = (value or {}).get("type")
        elif isinstance(value, dict):
            for sub, inner in value.items():
                if sub != "attributes":
                    out[f"{key}.{sub}"] = typed(inner, types.get(f"{key}.{sub}"))
        else:
            out[key] = typed(value, types.get(key))
    return {k: v for k, v in out.items() if v is not None}


def flat_row(sobject: str, row: dict[str, str], types: dict[str, str]) -> dict[str, Any]:
    """A Bulk API CSV row as the same flat payload a REST read gives."""
    out = {key: typed(value, types.get(key)) for key, value in row.items()}
    out[OBJECT_KEY] = sobject
    return {k: v for k, v in out.items() if v is not None}


def task_activity(row: dict[str, Any]) -> dict[str, Any] | None:
    when = sf_time(row.get("CreatedDate"))
    if when is None or not row.get("WhoId") or row.get("IsDeleted"):
        return None
    subtype = str(row.get("TaskSubtype") or row.get("Type") or "Task").lower()
    kind = {"call": "call", "email": "email_sent", "listemail": "email_sent"}.get(subtype, "task")
    details = {
        k: row[k] for k in ("Status", "CallDurationInSeconds", "CallDisposition", "OwnerId") if row.get(k) is not None
    }
    return {
        "external_id": f"task:{row['Id']}",
        "record_id": row["WhoId"],
        "kind": kind,
        "occurred_at": when,
        "details": details,
    }


def event_activity(row: dict[str, Any]) -> dict[str, Any] | None:
    when = sf_time(row.get("StartDateTime"))
    if when is None or not row.get("WhoId") or row.get("IsDeleted"):
        return None
    details = {k: row[k] for k in ("DurationInMinutes", "OwnerId") if row.get(k) is not None}
    return {
        "external_id": f"event:{row['Id']}",
        "record_id": row["WhoId"],
        "kind": "meeting",
        "occurred_at": when,
        "details": details,
    }


def history_change(row: dict[str, Any]) -> dict[str, Any] | None:
    """A LeadHistory row as a stage change. An owner change is logged twice, as user ids (DataType
    EntityId) and as names (Text); the ids are kept, they match OwnerId."""
    field = HISTORY_TRACKED.get(str(row.get("Field")))
    when = sf_time(row.get("CreatedDate"))
    if field is None or when is None or (field == "owner" and row.get("DataType") == "Text"):
        return None
    old = row.get("OldValue")
    return {
        "external_id": f"history:{row['Id']}",
        "source_id": row["LeadId"],
        "field": field,
        "value": None if row.get("NewValue") is None else str(row["NewValue"])[:100],
        "changed_at": when,
        "changed_by": row.get("CreatedById"),
        "reason": None if old is None else f"from {old}",
    }


def owner_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "owner_id": row["Id"],
        "name": row.get("Name"),
        "email": row.get("Email"),
        "team": row.get("UserRole.Name"),
        "active": bool(row.get("IsActive", True)),
    }


def opportunity_outcome(row: dict[str, Any], default_currency: str) -> dict[str, Any] | None:
    """A closed opportunity, won or lost, tied to its primary contact."""
    if not row.get("IsClosed") or row.get("IsDeleted") or not row.get("ContactId"):
        return None
    when = sf_time(row.get("CloseDate")) or sf_time(row.get("SystemModstamp"))
    if when is None:
        return None
    amount = row.get("Amount")
    return {
        "external_id": f"opportunity:{row['Id']}",
        "record_id": row["ContactId"],
        "kind": "won" if row.get("IsWon") else "lost",
        "amount": float(amount) if isinstance(amount, int | float) else None,
        "currency": str(row.get("CurrencyIsoCode") or default_currency)[:3],
        "occurred_at": when,
        "details": {"stage": row.get("StageName")},
    }


def conversion_outcome(payload: dict[str, Any]) -> dict[str, Any] | None:
    """A converted lead: the conversion itself is an outcome (to a contact, maybe an opportunity)."""
    if not payload.get("IsConverted"):
        return None
    when = sf_time(payload.get("ConvertedDate")) or sf_time(payload.get("SystemModstamp"))
    if when is None:
        return None
    return {
        "external_id": f"conversion:{payload['Id']}",
        "record_id": payload["Id"],
        "kind": "converted",
        "amount": None,
        "currency": None,
        "occurred_at": when,
        "details": {
            "contact": payload.get("ConvertedContactId"),
            "opportunity": payload.get("ConvertedOpportunityId"),
            "account": payload.get("ConvertedAccountId"),
        },
    }


def salesforce_value(value: Any) -> Any:
    """A lead value as Salesforce takes it in JSON: booleans and numbers as such, lists ";"-joined."""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value) or None
    if isinstance(value, datetime):
        return canonical_time(value)
    return value


def lead_record_fields(lead: Any, rules: dict[str, Any]) -> dict[str, Any]:
    """Salesforce field → our value for one lead, per the sink's rules (defaults where we have none)."""
    out: dict[str, Any] = {}
    for name, rule in rules.items():
        value = lead.lifecycle_stage.value if rule.field == "lifecycle_stage" and lead.lifecycle_stage else None
        value = value if value is not None else salesforce_value(lead.get(rule.field))
        out[name] = value if value not in (None, "") else rule.default
    return out
