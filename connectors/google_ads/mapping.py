"""Google Ads rows to our shapes (pure): flat lead payloads, spend rows, GAQL time literals.

A submission's answers come in two lists: `leadFormSubmissionFields` ({fieldType: "FULL_NAME",
fieldValue}) for Google's standard questions and `customLeadFormSubmissionFields` ({questionText,
fieldValue}) for the advertiser's own. The payload keeps standard answers under their field type
in lower case (`full_name`, `email`, `phone_number`, `work_email`, ...) and custom ones as
`custom:<question text>`. Attribution comes as resource names ("customers/1/campaigns/777",
"customers/1/adGroupAds/888~999"); the payload keeps the ids (campaign 777, ad group 888, ad 999,
form: the lead form asset) and the names GAQL returned alongside.

Submission times are in the account's time zone with its offset ("2026-05-03 09:50:06-07:00"):
`submitted_at` is the same instant in UTC, and the cursor.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from connectors.ad_mapping import STANDARD_ANSWER_KEYS, MalformedLead, spend_record
from connectors.ad_mapping import effective_mapping as shared_mapping
from leads.source_config import GoogleAdsSourceConfig

# Lead field → payload key. A source's `mapping` overrides entries (null drops one).
DEFAULT_MAPPING: dict[str, str] = {
    "email": "email",
    "full_name": "full_name",
    **STANDARD_ANSWER_KEYS,
    "created_at": "submitted_at",
    "campaign_id": "campaign_id",
    "campaign_name": "campaign_name",
    "adset_id": "ad_group_id",
    "adset_name": "ad_group_name",
    "ad_id": "ad_id",
    "form_id": "form_id",
    "form_name": "form_name",
    "gclid": "gclid",
    "platform": "platform",
    "is_organic": "is_organic",
}


def effective_mapping(settings: GoogleAdsSourceConfig) -> dict[str, str]:
    return shared_mapping(DEFAULT_MAPPING, settings.mapping)


def gaql_time(when: datetime, zone: str) -> str:
    """An instant as the account-local literal GAQL compares submission_date_time with."""
    return when.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


def submission_time(value: Any, zone: str) -> datetime | None:
    """ "2026-05-03 09:50:06-07:00" as aware UTC (without an offset: in the account's zone)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(zone))).astimezone(UTC)


def resource_id(name: Any) -> str | None:
    """The last id of a resource name: customers/1/campaigns/777 → 777, .../adGroupAds/888~999 → 999."""
    if not isinstance(name, str) or "/" not in name:
        return None
    return name.rsplit("/", 1)[-1].rsplit("~", 1)[-1] or None


def lead_payload(row: Any, customer_id: str, zone: str) -> tuple[dict[str, Any], datetime]:
    """The payload and submission time (UTC) of one search row; raises MalformedLead with the reason."""
    data = row.get("leadFormSubmissionData") if isinstance(row, dict) else None
    if not isinstance(data, dict):
        raise MalformedLead("a row without leadFormSubmissionData")
    lead_id = data.get("id")
    if not isinstance(lead_id, str) or not lead_id:
        raise MalformedLead("missing submission id")
    submitted = submission_time(data.get("submissionDateTime"), zone)
    if submitted is None:
        raise MalformedLead(f"unparseable submissionDateTime {data.get('submissionDateTime')!r}")
    payload: dict[str, Any] = {
        "id": lead_id,
        "customer_id": customer_id,
        "submission_date_time": data["submissionDateTime"],
        "submitted_at": submitted.isoformat(),
        "campaign_id": resource_id(data.get("campaign")),
        "campaign_name": (row.get("campaign") or {}).get("name"),
        "ad_group_id": resource_id(data.get("adGroup")),
        "ad_group_name": (row.get("adGroup") or {}).get("name"),
        "ad_id": resource_id(data.get("adGroupAd")),
        "form_id": resource_id(data.get("asset")),
        "form_name": (row.get("asset") or {}).get("name"),
        "gclid": data.get("gclid"),
        "platform": "google",
        "is_organic": False,
    }
    payload |= _answers(data.get("leadFormSubmissionFields"), "fieldType", lambda t: str(t).lower())
    payload |= _answers(data.get("customLeadFormSubmissionFields"), "questionText", lambda t: f"custom:{t}")
    return {k: v for k, v in payload.items() if v not in (None, "")}, submitted


def _answers(items: Any, key: str, name: Any) -> dict[str, str]:
    if items is None:
        return {}
    if not isinstance(items, list) or not all(isinstance(i, dict) and i.get(key) for i in items):
        raise MalformedLead(f"submission fields are not a list of {{{key}, fieldValue}}")
    return {name(i[key]): str(i.get("fieldValue") or "") for i in items}


def spend_row(row: Any, customer_id: str, currency: str, with_ad: bool) -> dict[str, Any] | None:
    """A campaign's (or with `with_ad`, an ad's) spend on one day; None when the row is unreadable."""
    if not isinstance(row, dict):
        return None
    try:
        campaign = str(row["campaign"]["id"])
        ad = str(row["adGroupAd"]["ad"]["id"]) if with_ad else ""
        day = date.fromisoformat(row["segments"]["date"])
        metrics = row.get("metrics") or {}
        amount = int(metrics.get("costMicros") or 0) / 1_000_000
        impressions, clicks = int(metrics.get("impressions") or 0), int(metrics.get("clicks") or 0)
    except (KeyError, TypeError, ValueError):
        return None
    if len(currency) != 3:
        return None
    return spend_record("google_ads", customer_id, campaign, ad, day, amount, currency, impressions, clicks)
