"""Google Ads API (REST): endpoints, the GAQL we send, error reading.

Facts relied on (Google Ads API reference and guides, research/connectors.md §4; see README
"Google Ads lead forms"):
- `POST /vNN/customers/{customer_id}/googleAds:search` with {"query", "pageToken"}: pages of up to
  10,000 rows with `nextPageToken` (absent on the last page); `pageSize` is refused with
  PAGE_SIZE_NOT_SUPPORTED since v17; REST JSON is camelCase and int64 values are strings;
- every call carries `developer-token`, and `login-customer-id` (digits only) when the access
  goes through a manager account; OAuth access tokens last 3,600 s, renewed from the refresh
  token at https://oauth2.googleapis.com/token (scope https://www.googleapis.com/auth/adwords);
- `lead_form_submission_data` serves the last 60 days of submissions; `submission_date_time` is
  "yyyy-mm-dd hh:mm:ss+hh:mm" in the account's time zone (and so are the literals a WHERE compares
  it with); only `id` and `submission_date_time` are sortable; campaign, ad_group, ad_group_ad,
  asset and customer are attributed resources, so their fields (names, time zone) come with it;
- campaign and ad_group_ad metrics per `segments.date` (the account's days): `metrics.cost_micros`
  (millionths of the account currency, `customer.currency_code`), impressions, clicks;
- failures wrap a GoogleAdsFailure (`error.details[].errors[].errorCode`, e.g. {"quotaError":
  "RESOURCE_TEMPORARILY_EXHAUSTED"}) with `quotaErrorDetails.retryDelay` ("30s") to honour.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from connectors.http.errors import ErrorPolicy

BASE_URL = "https://googleads.googleapis.com"
SEARCH_PATH = "/{version}/customers/{customer_id}/googleAds:search"
RETENTION_DAYS = 60

LEAD = "lead_form_submission_data"
LEAD_FIELDS = (
    f"{LEAD}.id",
    f"{LEAD}.asset",
    f"{LEAD}.campaign",
    f"{LEAD}.ad_group",
    f"{LEAD}.ad_group_ad",
    f"{LEAD}.gclid",
    f"{LEAD}.submission_date_time",
    f"{LEAD}.lead_form_submission_fields",
    f"{LEAD}.custom_lead_form_submission_fields",
    "campaign.name",
    "ad_group.name",
    "asset.name",
)
CUSTOMER_QUERY = (
    "SELECT customer.id, customer.descriptive_name, customer.time_zone, customer.currency_code FROM customer"
)
METRICS = "segments.date, metrics.cost_micros, metrics.impressions, metrics.clicks"
CAMPAIGN_SPEND = f"SELECT campaign.id, {METRICS} FROM campaign WHERE segments.date BETWEEN '{{since}}' AND '{{until}}'"
AD_SPEND = (
    f"SELECT campaign.id, ad_group_ad.ad.id, {METRICS} FROM ad_group_ad "
    "WHERE segments.date BETWEEN '{since}' AND '{until}'"
)

RETRIABLE_CODES = frozenset(
    {"RESOURCE_TEMPORARILY_EXHAUSTED", "RESOURCE_EXHAUSTED", "INTERNAL_ERROR", "TRANSIENT_ERROR"}
)
RUN_FATAL_CODES = frozenset(
    {
        "DEVELOPER_TOKEN_NOT_APPROVED",
        "DEVELOPER_TOKEN_PROHIBITED",
        "DEVELOPER_TOKEN_INVALID",
        "DEVELOPER_TOKEN_PARAMETER_MISSING",
        "USER_PERMISSION_DENIED",
        "CUSTOMER_NOT_ENABLED",
        "INVALID_LOGIN_CUSTOMER_ID",
    }
)
_DELAY = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)s\s*$")


def failures(body: Any) -> list[dict[str, Any]]:
    """The GoogleAdsFailure errors inside a REST error body."""
    error = body.get("error") if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    found: list[dict[str, Any]] = []
    for detail in details if isinstance(details, list) else ():
        if isinstance(detail, dict) and isinstance(detail.get("errors"), list):
            found += [e for e in detail["errors"] if isinstance(e, dict)]
    return found


def _code(body: Any) -> str | None:
    for failure in failures(body):
        code = failure.get("errorCode")
        if isinstance(code, dict) and code:
            return str(next(iter(code.values())))
    return None


def _retry_delay(response: httpx.Response, body: Any) -> float | None:
    """QuotaErrorDetails.retryDelay, a protobuf Duration in JSON ("30s", "0.5s")."""
    for failure in failures(body):
        quota = (failure.get("details") or {}).get("quotaErrorDetails") or {}
        match = _DELAY.match(str(quota.get("retryDelay") or ""))
        if match:
            return float(match.group(1))
    return None


ERRORS = ErrorPolicy(
    code_of=_code,
    retriable_codes=RETRIABLE_CODES,
    run_fatal_codes=RUN_FATAL_CODES,
    retry_hint=_retry_delay,
)
