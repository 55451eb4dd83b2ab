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
    INT = "int"
    LIST = "list"  # a list of short strings (technologies, merged CRM ids)
    COUNTRY = "country"


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
    "country": Kind.COUNTRY,
    "region": Kind.TEXT,
    "city": Kind.TEXT,
    # CRM identifiers: deterministic identity keys, and the ids a CRM merged into this record
    "hubspot_id": Kind.TEXT,
    "salesforce_id": Kind.TEXT,
    "merged_crm_ids": Kind.LIST,
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

# Derived from a golden lead's own values by offline rules (leads.derive); never mapped from a
# source. Each carries the provenance of the value it was derived from.
DERIVED_FIELDS: dict[str, Kind] = {
    "email_class": Kind.TEXT,  # corporate | free | disposable
    "email_role": Kind.BOOL,  # info@, sales@, ...: a mailbox, not a person
    "email_domain": Kind.TEXT,  # registrable domain of the email address
    "company_domain": Kind.TEXT,  # registrable domain of the website, else of a corporate email
    "phone_type": Kind.TEXT,  # mobile | fixed_line | fixed_line_or_mobile | toll_free | voip | ...
    "country_code": Kind.TEXT,  # ISO 3166-1 alpha-2
    "region_code": Kind.TEXT,  # ISO 3166-2, e.g. US-CA
    "seniority": Kind.TEXT,  # cxo | owner | vp | director | manager | senior | entry | training
    "department": Kind.TEXT,  # engineering | sales | marketing | finance | ...
}

# Filled by enrichment providers (leads.enrichment), in one canonical company shape whatever the
# provider. An enriched value never replaces one a higher-priority source supplied.
ENRICHED_FIELDS: dict[str, Kind] = {
    "company_name": Kind.TEXT,
    "industry": Kind.TEXT,
    "employee_count": Kind.INT,
    "employee_range": Kind.TEXT,  # 1-10 | 11-50 | 51-200 | 201-500 | 501-1000 | 1001-5000 | 5001-10000 | 10001+
    # USD: 0-1M | 1M-10M | 10M-50M | 50M-100M | 100M-250M | 250M-500M | 500M-1B | 1B-10B | 10B+
    "revenue_range": Kind.TEXT,
    "company_country_code": Kind.TEXT,
    "tech_stack": Kind.LIST,
    "founded_year": Kind.INT,
    "linkedin_url": Kind.URL,
    "email_status": Kind.TEXT,  # valid | invalid | accept_all | webmail | disposable | unknown (Hunter's verifier)
}

# Set by the score stage (leads.scoring) from the lead, its activities and its CRM history; sinks
# write them like any other field.
SCORE_FIELDS: dict[str, Kind] = {
    "fit_score": Kind.INT,  # 0..scoring.fit.max: how well the profile matches
    "engagement_score": Kind.INT,  # 0..scoring.engagement.max: what the person did, decayed
    "lead_grade": Kind.TEXT,  # fit letter and engagement digit: A1 (best) .. D4
    "score_reasons": Kind.LIST,  # the top reasons, "+20 seniority is vp", strongest first
    "predicted_score": Kind.INT,  # 0..100: the approved model's probability of converting, in percent
    "disqualified": Kind.TEXT,  # why the lead is never an MQL (do-not-contact, competitor, ...)
    # Set by the hand-off stage (tasks/handoff.py), kept across re-normalizing like the scores.
    "recycle_reason": Kind.TEXT,  # why an MQL went back to nurture ("recycled: not worked within 30d")
}

# Set by the route stage (leads.routing) when a lead becomes an MQL and no one in sales owns it yet:
# who it was routed to, by which rule and why. Sinks write them like any other field.
ROUTING_FIELDS: dict[str, Kind] = {
    "assigned_owner_id": Kind.TEXT,  # the owner's id in `assigned_owner_source` (a CRM user id, or a file's name)
    "assigned_owner_source": Kind.TEXT,  # the source whose owners the id belongs to
    "assigned_team": Kind.TEXT,  # the team a territory rule named, or the account owner's team
    "assignment_rule": Kind.TEXT,  # `account owner`, or the name of the territory rule that fired
    "assignment_reason": Kind.TEXT,  # why this owner, in words, as synced to the CRM
}

# Fields the pipeline's own stages (score, route) set on a golden lead: never taken from a record,
# carried over when normalize or enrich rebuild the lead, and never inputs of a score.
PIPELINE_FIELDS: dict[str, Kind] = {**SCORE_FIELDS, **ROUTING_FIELDS}

# Every field a golden lead can hold: what sinks, scoring and expectations may refer to.
LEAD_FIELD_KINDS: dict[str, Kind] = {**FIELD_KINDS, **DERIVED_FIELDS, **ENRICHED_FIELDS, **PIPELINE_FIELDS}
LEAD_FIELD_NAMES: tuple[str, ...] = tuple(LEAD_FIELD_KINDS)

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
