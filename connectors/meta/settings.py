"""Meta's Graph API: endpoints, the fields we ask for, error codes and usage headers.

Facts relied on (Graph API and Marketing API references, research/connectors.md §3; see README
"Meta Lead Ads"):
- versioned paths `/vNN.0/...`; a Page's forms at `/{page_id}/leadgen_forms`, a form's leads at
  `/{form_id}/leads`, token metadata at `/debug_token?input_token=...`, spend at
  `/act_{ad_account_id}/insights` (`level=ad`, `time_increment=1`: one row per ad and day, `spend`
  a decimal string in the account's currency, `account_currency`);
- cursor paging `{"data", "paging": {"cursors": {"before", "after"}, "next"}}`: the last page still
  carries cursors but no `next`;
- the leads edge filters with `filtering=[{"field": "time_created", "operator": "GREATER_THAN",
  "value": <unix seconds>}]`; any other value format is silently ignored (the edge then answers
  every lead), so what comes back is checked against the window as well;
- leads are write-once: no updated time, `created_time` like "2026-05-03T16:50:06+0000";
  `field_data` is a list of {name, values: [strings]}; organic leads have no ad, ad set or campaign;
- errors are HTTP 400 (mostly) with {"error": {"message", "type", "code", "error_subcode",
  "fbtrace_id"}}; throttling codes 4 (app), 17 (user), 32 (page), 613 (ad account) and the Business
  Use Case family 80000-80014, transient 1 and 2, none with Retry-After; 190 is an expired or
  invalid token;
- `X-App-Usage`, `X-Ad-Account-Usage` and `X-Business-Use-Case-Usage` report usage as percentages of
  an hourly budget, the last with `estimated_time_to_regain_access` in minutes once throttled.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from connectors.http.errors import ErrorPolicy

BASE_URL = "https://graph.facebook.com"
FORMS_PATH = "/{version}/{page_id}/leadgen_forms"
LEADS_PATH = "/{version}/{form_id}/leads"
DEBUG_TOKEN_PATH = "/{version}/debug_token"
INSIGHTS_PATH = "/{version}/act_{account_id}/insights"

FORM_FIELDS = "id,name,status"
LEAD_FIELDS = (
    "id,created_time,field_data,ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,form_id,is_organic,platform"
)
INSIGHTS_FIELDS = "account_currency,campaign_id,campaign_name,adset_id,ad_id,spend,impressions,clicks,date_start"
INSIGHTS_PAGE = 500
FORMS_PAGE = 100

# The scopes each stream needs (debug_token lists what the token has).
LEADS_SCOPE = "leads_retrieval"
SPEND_SCOPE = "ads_read"

THROTTLE_CODES = frozenset({"4", "17", "32", "613", *(str(c) for c in range(80000, 80015))})
TRANSIENT_CODES = frozenset({"1", "2"})
TOKEN_CODE = "190"  # OAuthException: the token expired, was revoked, or cannot be parsed
PERMISSION_CODES = frozenset({"10", "200"})  # the token lacks a permission: no other call would fare better
MIN_PAUSE = 60.0  # seconds: Meta's regain estimates are whole minutes (Airbyte waits at least one)

USAGE_HEADERS = ("X-App-Usage", "X-Ad-Account-Usage", "X-Business-Use-Case-Usage")


def _code(body: Any) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return str(code) if code is not None else None


def regain_seconds(headers: httpx.Headers) -> float | None:
    """Meta's estimate of when a throttled business use case may call again, in seconds (None: not said)."""
    raw = headers.get("X-Business-Use-Case-Usage")
    try:
        cases = json.loads(raw) if raw else {}
    except ValueError:
        return None
    minutes = [
        float(entry.get("estimated_time_to_regain_access") or 0)
        for entries in (cases.values() if isinstance(cases, dict) else ())
        for entry in (entries if isinstance(entries, list) else ())
        if isinstance(entry, dict)
    ]
    longest = max(minutes, default=0.0)
    return longest * 60 if longest > 0 else None


def _throttle_wait(response: httpx.Response, body: Any) -> float | None:
    """A throttled call waits as long as Meta estimates; without an estimate, the Retrier's backoff."""
    return regain_seconds(response.headers) if _code(body) in THROTTLE_CODES else None


ERRORS = ErrorPolicy(
    run_fatal=frozenset({401, 403}),
    code_of=_code,
    retriable_codes=THROTTLE_CODES | TRANSIENT_CODES,
    run_fatal_codes=frozenset({TOKEN_CODE}) | PERMISSION_CODES,
    retry_hint=_throttle_wait,
)
