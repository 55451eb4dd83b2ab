"""HubSpot's endpoints, limits, error reading and the properties we ask for.

Facts relied on (HubSpot's API reference and changelog; see README "HubSpot"):
- rate limits per app: 100 requests per rolling 10 s on Free/Starter, 190 on Professional and
  Enterprise; the CRM search endpoints 5 per second, on their own; daily 250k / 650k / 1M;
- a 429 names its policy (TEN_SECONDLY_ROLLING, SECONDLY, DAILY) and carries Retry-After only
  sometimes; HubSpot's own SDK then waits the policy's window;
- search pages hold at most 200 results, and no query pages past 10,000 results;
- every property value arrives as a string; datetimes of contacts as ISO text, filters take epoch
  milliseconds; `lastmodifieddate` (contacts) and `hs_lastmodifieddate` (other objects) move on any
  write, our own included; archiving moves neither.
"""

from __future__ import annotations

from typing import Any

import httpx

from connectors.http.errors import ErrorKind, ErrorPolicy
from leads.config import HubSpotSinkConfig, HubSpotSourceConfig, RateLimitConfig

BASE_URL = "https://api.hubapi.com"
TOKEN_PATH = "/oauth/v3/token"
SEARCH_PATH = "/crm/v3/objects/{object}/search"
LIST_PATH = "/crm/v3/objects/{object}"
BATCH_READ_PATH = "/crm/v3/objects/{object}/batch/read"
PROPERTIES_PATH = "/crm/v3/properties/{object}"
OWNERS_PATH = "/crm/v3/owners"
ASSOCIATIONS_PATH = "/crm/v4/associations/{from_object}/{to_object}/batch/read"

SEARCH_PAGE_MAX = 200
BATCH_MAX = 100  # batch read and upsert inputs per call
LIST_PAGE_MAX = 100
OWNERS_PAGE_MAX = 500
ASSOCIATIONS_MAX = 1000
# Characters of property names one request may carry; more go in follow-up batch reads (HubSpot
# answers 414 to long URLs; Airbyte and dlt chunk property lists for the same reason).
PROPERTY_BUDGET = 15_000

TEN_SECONDLY = {"starter": 100, "professional": 190, "enterprise": 190}
SEARCH_PER_SECOND = 5

# The stamps every write moves: never content, so a record whose only change is its stamp is unchanged.
VOLATILE = frozenset({"lastmodifieddate", "hs_lastmodifieddate", "updatedAt"})
CURSOR_PROPERTY = {"contacts": "lastmodifieddate"}  # every other object: hs_lastmodifieddate

# What the history read asks for, and the lead fields they become.
HISTORY_PROPERTIES = {"lifecyclestage": "lifecycle_stage", "hs_lead_status": "lead_status"}

# Web and email engagement kept on the contact: the time of the latest event of each kind.
ENGAGEMENT_PROPERTIES: dict[str, str] = {
    "hs_analytics_last_visit_timestamp": "page_view",
    "recent_conversion_date": "form_fill",
    "first_conversion_date": "form_fill",
    "hs_email_last_open_date": "email_open",
    "hs_email_last_click_date": "email_click",
    "hs_email_last_reply_date": "email_reply",
}
ENGAGEMENT_DETAILS = (
    "hs_analytics_num_page_views",
    "hs_analytics_num_visits",
    "num_conversion_events",
    "recent_conversion_event_name",
)

MEETING_PROPERTIES = ("hs_timestamp", "hs_meeting_outcome", "hs_meeting_start_time", "hubspot_owner_id")
CALL_PROPERTIES = ("hs_timestamp", "hs_call_direction", "hs_call_status", "hs_call_disposition", "hs_call_duration")
DEAL_PROPERTIES = (
    "dealstage",
    "pipeline",
    "amount",
    "closedate",
    "createdate",
    "hs_is_closed",
    "hs_is_closed_won",
    "deal_currency_code",
)


def _code(body: Any) -> str | None:
    if isinstance(body, dict):
        return body.get("policyName") or body.get("category")
    return None


def _policy_wait(response: httpx.Response, body: Any) -> float | None:
    """HubSpot's SDK waits out the policy's window when a 429 has no Retry-After."""
    policy = body.get("policyName") if isinstance(body, dict) else None
    return {"TEN_SECONDLY_ROLLING": 10.0, "SECONDLY": 1.0}.get(policy or "")


ERRORS = ErrorPolicy(
    # 423: a locked record (wait and retry); 477: a portal migration in progress; 530: a
    # malformed token (Cloudflare's answer), as fatal as a 401.
    overrides={423: ErrorKind.RETRIABLE, 477: ErrorKind.RETRIABLE, 530: ErrorKind.FATAL},
    run_fatal=frozenset({401, 403, 530}),
    code_of=_code,
    run_fatal_codes=frozenset({"DAILY"}),  # the daily limit is gone until midnight, account time
    retry_hint=_policy_wait,
)


def general_limit(settings: HubSpotSourceConfig | HubSpotSinkConfig) -> RateLimitConfig:
    return settings.rate_limit or RateLimitConfig(requests=TEN_SECONDLY[settings.tier], per=10)


def search_limit(settings: HubSpotSourceConfig | HubSpotSinkConfig) -> RateLimitConfig:
    return getattr(settings, "search_rate_limit", None) or RateLimitConfig(requests=SEARCH_PER_SECOND, per=1)
