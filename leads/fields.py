"""The catalogue of lead fields: their names, kinds and groups.

Source mappings, sinks and the golden record all speak these names, so a mapping typo is caught at
config load time instead of silently producing an empty column.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    BOOL = "bool"
    DATETIME = "datetime"
    STAGE = "stage"


FIELD_KINDS: dict[str, Kind] = {
    # identity and profile
    "email": Kind.EMAIL,
    "first_name": Kind.NAME,
    "last_name": Kind.NAME,
    "full_name": Kind.NAME,
    "phone": Kind.PHONE,
    "company": Kind.TEXT,
    "website": Kind.URL,
    "job_title": Kind.TEXT,
    "country": Kind.TEXT,
    "region": Kind.TEXT,
    "city": Kind.TEXT,
    # CRM state
    "lifecycle_stage": Kind.STAGE,
    "lead_status": Kind.TEXT,
    "owner": Kind.TEXT,
    "created_at": Kind.DATETIME,
    # attribution
    "source_system": Kind.TEXT,
    "original_source": Kind.TEXT,
    "campaign_id": Kind.TEXT,
    "campaign_name": Kind.TEXT,
    "adset_id": Kind.TEXT,
    "adset_name": Kind.TEXT,
    "ad_id": Kind.TEXT,
    "ad_name": Kind.TEXT,
    "form_id": Kind.TEXT,
    "form_name": Kind.TEXT,
    "platform": Kind.TEXT,
    "is_organic": Kind.BOOL,
    "gclid": Kind.TEXT,
    "utm_source": Kind.TEXT,
    "utm_medium": Kind.TEXT,
    "utm_campaign": Kind.TEXT,
    "utm_term": Kind.TEXT,
    "utm_content": Kind.TEXT,
    # consent
    "marketing_consent": Kind.BOOL,
    "do_not_contact": Kind.BOOL,
}

FIELD_NAMES: tuple[str, ...] = tuple(FIELD_KINDS)

# Attribution describes one touch. The golden record takes the whole group from a single record
# (the first touch that has any), so a campaign from one form is never paired with another's ad.
ATTRIBUTION_FIELDS: tuple[str, ...] = (
    "campaign_id",
    "campaign_name",
    "adset_id",
    "adset_name",
    "ad_id",
    "ad_name",
    "form_id",
    "form_name",
    "platform",
    "is_organic",
    "gclid",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
)

# Fields that describe where the person first came from: taken from the earliest record.
FIRST_TOUCH_FIELDS: tuple[str, ...] = ("source_system", "original_source", "created_at")

# Fields that, once true anywhere, stay true: an opt-out is never reversed by a merge.
STICKY_TRUE_FIELDS: tuple[str, ...] = ("do_not_contact",)
