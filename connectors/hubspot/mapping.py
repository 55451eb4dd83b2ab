"""HubSpot objects to our shapes (pure): contact payloads, activities, stage changes, owners, outcomes.

HubSpot sends every property value as a string: numbers "17", booleans "true", datetimes as ISO
text on contacts but as epoch milliseconds in `date` properties and most engagement timestamps.
`hs_time` reads both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.hubspot.settings import ENGAGEMENT_DETAILS, ENGAGEMENT_PROPERTIES, HISTORY_PROPERTIES
from leads.config import HubSpotSourceConfig

# Lead field → contact property. A source's `mapping` overrides entries (null drops one).
DEFAULT_MAPPING: dict[str, str] = {
    "email": "email",
    "first_name": "firstname",
    "last_name": "lastname",
    "phone": "phone",
    "company": "company",
    "website": "website",
    "job_title": "jobtitle",
    "country": "country",
    "region": "state",
    "city": "city",
    "hubspot_id": "hs_object_id",
    "merged_crm_ids": "hs_merged_object_ids",
    "lifecycle_stage": "lifecyclestage",
    "lead_status": "hs_lead_status",
    "owner": "hubspot_owner_id",
    "created_at": "createdate",
    "original_source": "hs_analytics_source",
    "do_not_contact": "hs_email_optout",
}


def effective_mapping(settings: HubSpotSourceConfig) -> dict[str, str]:
    mapping = {**DEFAULT_MAPPING, **settings.mapping}
    return {name: prop for name, prop in mapping.items() if prop}


def hs_time(value: Any) -> datetime | None:
    """A HubSpot timestamp (epoch milliseconds, or ISO 8601 text) as an aware UTC datetime."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def epoch_ms(when: datetime) -> str:
    """A datetime as the epoch-milliseconds string HubSpot's search filters take."""
    return str(int(when.timestamp() * 1000))


def contact_payload(obj: dict[str, Any]) -> dict[str, Any]:
    """The properties HubSpot sent, without the empty ones (it sends null for every unset property)."""
    payload = {k: v for k, v in (obj.get("properties") or {}).items() if v is not None}
    payload.setdefault("hs_object_id", str(obj["id"]))
    if obj.get("updatedAt"):
        payload["updatedAt"] = obj["updatedAt"]
    return payload


def contact_cursor(obj: dict[str, Any]) -> datetime | None:
    props = obj.get("properties") or {}
    return hs_time(props.get("lastmodifieddate")) or hs_time(obj.get("updatedAt"))


def engagement_activities(contact_id: str, props: dict[str, Any]) -> list[dict[str, Any]]:
    """The latest web and email engagement a contact's properties record, one activity per kind and time.

    HubSpot keeps only the last occurrence of each (plus counters); landing each (kind, time) once
    turns the nightly snapshots into a history.
    """
    details = {k: props[k] for k in ENGAGEMENT_DETAILS if props.get(k) not in (None, "")}
    out = []
    for prop, kind in ENGAGEMENT_PROPERTIES.items():
        when = hs_time(props.get(prop))
        if when is None:
            continue
        extra = {"property": prop}
        if kind == "page_view":
            extra |= {k: details[k] for k in ("hs_analytics_num_page_views", "hs_analytics_num_visits") if k in details}
        elif kind == "form_fill" and prop == "recent_conversion_date":
            extra |= {k: details[k] for k in ("recent_conversion_event_name", "num_conversion_events") if k in details}
        out.append(
            {
                "external_id": f"contact:{contact_id}:{kind}:{int(when.timestamp() * 1000)}",
                "record_id": contact_id,
                "kind": kind,
                "occurred_at": when,
                "details": extra,
            }
        )
    return out


def stage_changes(contact_id: str, history: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Lifecycle stage and lead status changes from `propertiesWithHistory`, oldest first.

    HubSpot gives history entries no id: a change is known by its contact, property, time and value.
    """
    out = []
    for prop, field in HISTORY_PROPERTIES.items():
        for entry in reversed(history.get(prop) or []):
            when = hs_time(entry.get("timestamp"))
            if when is None:
                continue
            who = entry.get("updatedByUserId") or entry.get("sourceId")
            value = str(entry.get("value") or "")
            out.append(
                {
                    "external_id": f"contact:{contact_id}:{prop}:{int(when.timestamp() * 1000)}:{value[:60]}",
                    "source_id": contact_id,
                    "field": field,
                    "value": (entry.get("value") or None) and str(entry["value"])[:100],
                    "changed_at": when,
                    "changed_by": f"{entry.get('sourceType') or 'UNKNOWN'}:{who}" if who else entry.get("sourceType"),
                    "reason": None,
                }
            )
    return out


def engagement_activity(kind: str, obj: dict[str, Any], contact_ids: list[str]) -> list[dict[str, Any]]:
    """A meeting or call, once per associated contact."""
    props = obj.get("properties") or {}
    when = hs_time(props.get("hs_timestamp")) or hs_time(props.get("hs_meeting_start_time"))
    if when is None:
        return []
    if kind == "meeting":
        details = {"outcome": props.get("hs_meeting_outcome")}
    else:
        details = {
            "direction": props.get("hs_call_direction"),
            "status": props.get("hs_call_status"),
            "disposition": props.get("hs_call_disposition"),
            "duration_ms": props.get("hs_call_duration"),
        }
    details = {k: v for k, v in details.items() if v not in (None, "")} | {"owner": props.get("hubspot_owner_id")}
    return [
        {
            "external_id": f"{kind}:{obj['id']}:contact:{contact}",
            "record_id": contact,
            "kind": kind,
            "occurred_at": when,
            "details": details,
        }
        for contact in contact_ids
    ]


def deal_rows(obj: dict[str, Any], contact_ids: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(outcomes, activities) of a deal: won or lost once closed; an open deal is an activity."""
    props = obj.get("properties") or {}
    closed = str(props.get("hs_is_closed") or "").lower() == "true"
    won = str(props.get("hs_is_closed_won") or "").lower() == "true"
    amount = _number(props.get("amount"))
    currency = (props.get("deal_currency_code") or None) and str(props["deal_currency_code"])[:3].upper()
    details = {"stage": props.get("dealstage"), "pipeline": props.get("pipeline")}
    outcomes, activities = [], []
    for contact in contact_ids:
        if closed:
            when = hs_time(props.get("closedate")) or hs_time(props.get("hs_lastmodifieddate"))
            if when is None:
                continue
            outcomes.append(
                {
                    "external_id": f"deal:{obj['id']}:contact:{contact}",
                    "record_id": contact,
                    "kind": "won" if won else "lost",
                    "amount": amount,
                    "currency": currency,
                    "occurred_at": when,
                    "details": details,
                }
            )
        elif (created := hs_time(props.get("createdate"))) is not None:
            activities.append(
                {
                    "external_id": f"deal:{obj['id']}:contact:{contact}",
                    "record_id": contact,
                    "kind": "deal_open",
                    "occurred_at": created,
                    "details": details | {"amount": amount, "currency": currency},
                }
            )
    return outcomes, activities


def owner_row(obj: dict[str, Any]) -> dict[str, Any]:
    teams = obj.get("teams") or []
    primary = next((t for t in teams if t.get("primary")), teams[0] if teams else None)
    name = " ".join(p for p in (obj.get("firstName"), obj.get("lastName")) if p) or None
    return {
        "owner_id": str(obj["id"]),
        "name": name,
        "email": obj.get("email"),
        "team": primary.get("name") if primary else None,
        "active": not obj.get("archived", False),
    }


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# Our lifecycle stages as HubSpot's internal values.
HUBSPOT_STAGES = {
    "subscriber": "subscriber",
    "lead": "lead",
    "mql": "marketingqualifiedlead",
    "sql": "salesqualifiedlead",
    "opportunity": "opportunity",
    "customer": "customer",
}


def hubspot_value(value: Any) -> str | None:
    """A lead value as HubSpot takes it: text (booleans "true"/"false", lists ";"-joined, datetimes epoch ms)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value) or None
    if isinstance(value, datetime):
        return epoch_ms(value)
    return str(value)


def contact_properties(lead: Any, rules: dict[str, Any]) -> dict[str, str | None]:
    """HubSpot property → our value for one lead, per the sink's rules (defaults where we have none)."""
    out: dict[str, str | None] = {}
    for prop, rule in rules.items():
        if rule.field == "lifecycle_stage":
            stage = lead.lifecycle_stage
            out[prop] = HUBSPOT_STAGES.get(stage.value) if stage is not None else None
            continue
        out[prop] = hubspot_value(lead.get(rule.field)) or rule.default
    return out
