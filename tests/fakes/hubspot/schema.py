"""Property definitions of the four object types the connector touches, and value validation.

Reproduces `GET /crm/v3/properties/{type}`: HubSpot-defined properties with their type, field type,
group, `hasUniqueValue`, `calculated` and `modificationMetadata.readOnlyValue`, plus custom ones
defined by tests or created through the API. Every value HubSpot stores and returns is a string:
numbers "17", booleans "true"/"false", `datetime` values ISO-8601, `date` values epoch ms at
midnight UTC, multi-checkbox values ";"-joined.

Choices where the docs are silent (API writes only; seeding through the fake's methods is trusted):
- a value for a read-only property (hs_object_id, lastmodifieddate, hs_merged_object_ids, analytics
  and email-engagement counters, hs_lifecyclestage_*_date) is a per-input READ_ONLY_VALUE error;
- number values must parse as finite numbers (INVALID_DOUBLE); bool values "true"/"false"
  (INVALID_BOOLEAN); datetime values epoch ms or ISO (INVALID_DATETIME, stored as ISO); date values
  epoch ms at midnight UTC or YYYY-MM-DD (INVALID_DATE, stored as epoch ms); enumeration values
  must be one of the options when the property has options (INVALID_OPTION); `email` must look
  like an address (INVALID_EMAIL, stored lower-cased).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.hubspot.clock import DAY_MS, iso_from_ms, ms_from_text

OBJECT_TYPES = ("contacts", "deals", "meetings", "calls")
TYPE_IDS = {"contacts": "0-1", "deals": "0-3", "meetings": "0-47", "calls": "0-48"}
MODIFIED = {"contacts": "lastmodifieddate", "deals": "hs_lastmodifieddate", "meetings": "hs_lastmodifieddate",
            "calls": "hs_lastmodifieddate"}
CREATED = {"contacts": "createdate", "deals": "createdate", "meetings": "hs_createdate", "calls": "hs_createdate"}
DEFAULT_PROPERTIES = {
    "contacts": ("firstname", "lastname", "email"),
    "deals": ("dealname", "amount", "closedate", "pipeline", "dealstage"),
    "meetings": ("hs_timestamp", "hs_meeting_title"),
    "calls": ("hs_timestamp", "hs_call_direction"),
}
PROPERTY_TYPES = {"string", "number", "date", "datetime", "enumeration", "bool"}
FIELD_TYPES = {
    "string": {"text", "textarea", "phonenumber", "html", "file"},
    "number": {"number", "calculation_equation"},
    "date": {"date"},
    "datetime": {"date"},
    "enumeration": {"select", "radio", "checkbox", "booleancheckbox", "calculation_equation"},
    "bool": {"booleancheckbox", "calculation_equation"},
}
LIFECYCLE_STAGES = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer",
                    "evangelist", "other")
LEAD_STATUSES = ("NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED",
                 "BAD_TIMING")
ANALYTICS_SOURCES = ("ORGANIC_SEARCH", "PAID_SEARCH", "EMAIL_MARKETING", "SOCIAL_MEDIA", "REFERRALS",
                     "OTHER_CAMPAIGNS", "DIRECT_TRAFFIC", "OFFLINE", "PAID_SOCIAL", "AI_REFERRALS")
GROUPS = {
    "contacts": (("contactinformation", "Contact information"), ("emailinformation", "Email information"),
                 ("analyticsinformation", "Web analytics history"),
                 ("conversioninformation", "Conversion information")),
    "deals": (("dealinformation", "Deal information"),),
    "meetings": (("meeting", "Meeting information"),),
    "calls": (("call", "Call information"),),
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BUILT_IN_CREATED_MS = 1_546_300_800_000  # 2019-01-01, the createdAt of HubSpot-defined properties


class InvalidValue(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class PropertyDef:
    name: str
    type: str = "string"
    field_type: str = "text"
    label: str = ""
    group: str = "contactinformation"
    hubspot_defined: bool = True
    has_unique_value: bool = False
    calculated: bool = False
    read_only: bool = False
    options: tuple[str, ...] = ()
    created_ms: int = BUILT_IN_CREATED_MS
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        stamp = iso_from_ms(self.created_ms)
        return {
            "name": self.name, "label": self.label or self.name, "type": self.type, "fieldType": self.field_type,
            "groupName": self.group, "description": self.extra.get("description", ""),
            "options": [{"label": o, "value": o, "displayOrder": i, "hidden": False}
                        for i, o in enumerate(self.options)],
            "displayOrder": -1, "calculated": self.calculated, "externalOptions": False,
            "hasUniqueValue": self.has_unique_value, "hidden": False, "hubspotDefined": self.hubspot_defined,
            "formField": not self.calculated and not self.read_only,
            "modificationMetadata": {"archivable": not self.hubspot_defined, "readOnlyDefinition": self.hubspot_defined,
                                     "readOnlyValue": self.read_only},
            "createdAt": stamp, "updatedAt": stamp, "archived": False,
        }


def _p(name: str, type_: str = "string", field_type: str = "text", group: str = "contactinformation",
       **kwargs: Any) -> PropertyDef:
    return PropertyDef(name, type_, field_type, name.replace("_", " ").title(), group, **kwargs)


def _contact_defs() -> list[PropertyDef]:
    info = [_p(n) for n in ("firstname", "lastname", "company", "website", "jobtitle", "country", "state", "city")]
    defs = [
        _p("email", has_unique_value=True), *info,
        _p("phone", field_type="phonenumber"), _p("mobilephone", field_type="phonenumber"),
        _p("lifecyclestage", "enumeration", "radio", options=LIFECYCLE_STAGES),
        _p("hs_lead_status", "enumeration", "radio", options=LEAD_STATUSES),
        _p("hubspot_owner_id", "enumeration", "select"),
        _p("createdate", "datetime", "date"),
        _p("lastmodifieddate", "datetime", "date", read_only=True, calculated=True),
        _p("hs_object_id", "number", "number", read_only=True, calculated=True),
        _p("hs_merged_object_ids", "enumeration", "checkbox", read_only=True, calculated=True),
        _p("hs_additional_emails", "enumeration", "checkbox", read_only=True, calculated=True),
        _p("hs_email_optout", "bool", "booleancheckbox", "emailinformation", options=("true", "false")),
        _p("hs_analytics_source", "enumeration", "select", "analyticsinformation", options=ANALYTICS_SOURCES,
           read_only=True, calculated=True),
        _p("recent_conversion_event_name", group="conversioninformation", read_only=True, calculated=True),
    ]
    for name, group in (("hs_analytics_num_page_views", "analyticsinformation"),
                        ("hs_analytics_num_visits", "analyticsinformation"),
                        ("num_conversion_events", "conversioninformation"), ("hs_email_open", "emailinformation"),
                        ("hs_email_click", "emailinformation"), ("hs_email_replied", "emailinformation")):
        defs.append(_p(name, "number", "number", group, read_only=True, calculated=True))
    for name, group in (("hs_analytics_last_visit_timestamp", "analyticsinformation"),
                        ("recent_conversion_date", "conversioninformation"),
                        ("first_conversion_date", "conversioninformation"),
                        ("hs_email_last_open_date", "emailinformation"),
                        ("hs_email_last_click_date", "emailinformation"),
                        ("hs_email_last_reply_date", "emailinformation")):
        defs.append(_p(name, "datetime", "date", group, read_only=True, calculated=True))
    for stage in LIFECYCLE_STAGES:
        defs.append(_p(f"hs_lifecyclestage_{stage}_date", "datetime", "date", read_only=True, calculated=True))
    return defs


def _deal_defs() -> list[PropertyDef]:
    g = "dealinformation"
    return [
        _p("dealname", group=g), _p("dealstage", "enumeration", "radio", g), _p("pipeline", "enumeration", "select", g),
        _p("amount", "number", "number", g), _p("closedate", "datetime", "date", g),
        _p("hs_is_closed", "bool", "booleancheckbox", g, options=("true", "false"), read_only=True, calculated=True),
        _p("hs_is_closed_won", "bool", "booleancheckbox", g, options=("true", "false"), read_only=True,
           calculated=True),
        _p("deal_currency_code", "enumeration", "select", g), _p("hubspot_owner_id", "enumeration", "select", g),
        _p("createdate", "datetime", "date", g),
        _p("hs_lastmodifieddate", "datetime", "date", g, read_only=True, calculated=True),
        _p("hs_object_id", "number", "number", g, read_only=True, calculated=True),
    ]


def _engagement_defs(kind: str) -> list[PropertyDef]:
    g = "meeting" if kind == "meetings" else "call"
    common = [
        _p("hs_timestamp", "datetime", "date", g), _p("hubspot_owner_id", "enumeration", "select", g),
        _p("hs_createdate", "datetime", "date", g, read_only=True, calculated=True),
        _p("hs_lastmodifieddate", "datetime", "date", g, read_only=True, calculated=True),
        _p("hs_object_id", "number", "number", g, read_only=True, calculated=True),
    ]
    if kind == "meetings":
        outcomes = ("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED")
        return [*common, _p("hs_meeting_title", group=g), _p("hs_meeting_start_time", "datetime", "date", g),
                _p("hs_meeting_outcome", "enumeration", "select", g, options=outcomes)]
    statuses = ("BUSY", "CALLING_CRM_USER", "CANCELED", "COMPLETED", "CONNECTING", "FAILED", "IN_PROGRESS",
                "NO_ANSWER", "QUEUED", "RINGING")
    return [*common, _p("hs_call_title", group=g), _p("hs_call_duration", "number", "number", g),
            _p("hs_call_direction", "enumeration", "select", g, options=("INBOUND", "OUTBOUND")),
            _p("hs_call_status", "enumeration", "select", g, options=statuses), _p("hs_call_disposition", group=g)]


def built_in_properties(object_type: str) -> list[PropertyDef]:
    if object_type == "contacts":
        return _contact_defs()
    if object_type == "deals":
        return _deal_defs()
    return _engagement_defs(object_type)


class Schema:
    """Property definitions and groups per object type."""

    def __init__(self) -> None:
        self.properties: dict[str, dict[str, PropertyDef]] = {
            t: {p.name: p for p in built_in_properties(t)} for t in OBJECT_TYPES
        }
        self.groups: dict[str, dict[str, dict[str, Any]]] = {
            t: {n: {"name": n, "label": label, "displayOrder": -1, "archived": False} for n, label in GROUPS[t]}
            for t in OBJECT_TYPES
        }

    def get(self, object_type: str, name: str) -> PropertyDef | None:
        return self.properties[object_type].get(name)

    def unique(self, object_type: str) -> set[str]:
        """Properties an upsert may match on: hasUniqueValue ones (email, custom ones) and hs_object_id."""
        names = {p.name for p in self.properties[object_type].values() if p.has_unique_value}
        return names | {"hs_object_id"}


def api_value(defn: PropertyDef, value: str) -> str:
    """The stored form of a value written through the API, or InvalidValue. "" clears."""
    if value == "":
        return ""
    kind = defn.type
    if defn.read_only:
        raise InvalidValue("READ_ONLY_VALUE", f'"{defn.name}" is a read only property; its value cannot be set.')
    if defn.name == "email":
        if not EMAIL.match(value.strip()):
            raise InvalidValue("INVALID_EMAIL", f"Email address {value} is invalid")
        return value.strip().lower()
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise InvalidValue("INVALID_DOUBLE", f"{value} was not a valid number.")
        return value.strip()
    if kind == "bool":
        if value.lower() not in ("true", "false"):
            raise InvalidValue("INVALID_BOOLEAN", f"{value} was not a valid boolean (true or false).")
        return value.lower()
    if kind == "datetime":
        ms = ms_from_text(value)
        if ms is None:
            raise InvalidValue("INVALID_DATETIME", f"{value} was not a valid datetime (epoch ms or ISO 8601).")
        return iso_from_ms(ms)
    if kind == "date":
        ms = ms_from_text(value)
        if ms is None or ms % DAY_MS:
            raise InvalidValue("INVALID_DATE", f"{value} is not a valid date; it must be midnight UTC.")
        return str(ms)
    if kind == "enumeration" and defn.options:
        parts = value.split(";") if defn.field_type == "checkbox" else [value]
        bad = [p for p in parts if p not in defn.options]
        if bad:
            raise InvalidValue("INVALID_OPTION", f"{bad[0]} was not one of the allowed options: {list(defn.options)}")
    return value


def seeded_value(defn: PropertyDef | None, value: Any) -> str | None:
    """The stored form of a value seeded by a test: coerced to HubSpot's string forms, never rejected."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list | tuple):
        text = ";".join(str(v) for v in value)
    else:
        text = str(value)
    if defn is not None and defn.type in ("datetime", "date"):
        ms = ms_from_text(text)
        if ms is not None:
            return iso_from_ms(ms) if defn.type == "datetime" else str(ms)
    if defn is not None and defn.name == "email":
        return text.strip().lower()
    return text
