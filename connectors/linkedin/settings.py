"""LinkedIn's Marketing API (versioned REST, Rest.li 2.0): endpoints, headers, error reading.

Facts relied on (LinkedIn Marketing API docs on learn.microsoft.com, research/connectors.md §5; see
README "LinkedIn Lead Sync"):
- base https://api.linkedin.com/rest/, every call with `Linkedin-Version: YYYYMM` (monthly
  versions, each served at least 12 months, no default; a sunset one answers 426) and
  `X-Restli-Protocol-Version: 2.0.0`;
- Rest.li 2.0 parameters: records and lists keep their parentheses and commas literal
  (`owner=(sponsoredAccount:...)`, `List(...)`), the reserved characters of values inside them
  (the colons of a URN) percent-encoded;
- `GET /rest/leadFormResponses?q=owner&owner=(sponsoredAccount:<urn>)&leadType=(leadType:SPONSORED)
  &limitedToTestLeads=false&submittedAtTimeRange=(start:<ms>,end:<ms>)&start=&count=`: offset
  paging with `paging.start/count/total`; answers name numeric `questionId`s, resolved through
  the form (`GET /rest/leadForms/{id}`); test leads are flagged `testLead`;
- `GET /rest/adAnalytics?q=statistics&pivots=List(CAMPAIGN,CREATIVE)&timeGranularity=DAILY&dateRange=
  (start:(year,month,day),end:(...))&accounts=List(<urn>)&fields=...`: up to three pivots, no
  paging, `costInLocalCurrency` (a decimal string in the account's currency, `GET
  /rest/adAccounts/{id}`'s `currency`), impressions and clicks per day; permission r_ads_reporting;
- access tokens last 60 days; refresh tokens 365 days from the member's grant, and refreshing
  never extends them (`refresh_token_expires_in` shrinks): the member must authorise again yearly;
- throttling is a 429 without Retry-After or rate-limit headers (daily limits per app and member,
  reset at midnight UTC).
"""

from __future__ import annotations

from typing import Any

from connectors.http.errors import ErrorKind, ErrorPolicy

BASE_URL = "https://api.linkedin.com"
LEADS_PATH = "/rest/leadFormResponses"
FORM_PATH = "/rest/leadForms/{form_id}"
ACCOUNT_PATH = "/rest/adAccounts/{account_id}"
ANALYTICS_PATH = "/rest/adAnalytics"
RESTLI_PROTOCOL = "2.0.0"
ANALYTICS_FIELDS = "costInLocalCurrency,impressions,clicks,dateRange,pivotValues"


def _code(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    code = body.get("code") or body.get("serviceErrorCode")
    return str(code) if code is not None else None


ERRORS = ErrorPolicy(
    # 426: the Linkedin-Version is sunset; every other call of the run would be refused the same way.
    overrides={426: ErrorKind.FATAL},
    run_fatal=frozenset({401, 403, 426}),
    code_of=_code,
)
