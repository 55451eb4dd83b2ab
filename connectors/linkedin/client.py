"""LinkedIn's Lead Sync and reporting endpoints as methods, with Rest.li 2.0 encoded parameters.

httpx would percent-encode the parentheses and commas of Rest.li records and lists, which
LinkedIn then refuses, so the query string is written here, by `restli_query`, and handed to
httpx as part of the URL (which it keeps as written). Values inside a record (URNs) are fully
percent-encoded by `encode`, so their colons never read as Rest.li's key separators.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import quote

from connectors.http.caller import ApiCaller
from connectors.linkedin import settings as li


def encode(value: str) -> str:
    """A value inside a Rest.li record or list: every reserved character percent-encoded."""
    return quote(value, safe="")


def restli_query(pairs: Sequence[tuple[str, str]]) -> str:
    """`k=v&...` with the values as given (already Rest.li-encoded)."""
    return "&".join(f"{encode(key)}={value}" for key, value in pairs)


def sponsored(account_id: str) -> str:
    return f"urn:li:sponsoredAccount:{account_id}"


def _day(when: date) -> str:
    return f"(year:{when.year},month:{when.month},day:{when.day})"


class LinkedInApi:
    def __init__(self, caller: ApiCaller, page_size: int = 100) -> None:
        self.caller = caller
        self.page_size = page_size

    def _get(self, path: str, pairs: Sequence[tuple[str, str]] = ()) -> Any:
        url = f"{path}?{restli_query(pairs)}" if pairs else path
        return self.caller.send(self.caller.client.build_request("GET", url))

    def lead_responses(self, account_id: str, start_ms: int, end_ms: int, start: int) -> dict[str, Any]:
        """One page (from offset `start`) of an account's sponsored lead responses submitted in [start_ms, end_ms]."""
        pairs = [
            ("q", "owner"),
            ("owner", f"(sponsoredAccount:{encode(sponsored(account_id))})"),
            ("leadType", "(leadType:SPONSORED)"),
            ("limitedToTestLeads", "false"),
            ("submittedAtTimeRange", f"(start:{start_ms},end:{end_ms})"),
            ("start", str(start)),
            ("count", str(self.page_size)),
        ]
        return dict(self._get(li.LEADS_PATH, pairs))

    def lead_form(self, form_id: str) -> dict[str, Any]:
        """A form with its questions (ids → names and predefined fields)."""
        return dict(self._get(li.FORM_PATH.format(form_id=encode(form_id))))

    def ad_account(self, account_id: str) -> dict[str, Any]:
        return dict(self._get(li.ACCOUNT_PATH.format(account_id=encode(account_id))))

    def analytics(self, account_id: str, since: date, until: date) -> list[dict[str, Any]]:
        """Daily cost, impressions and clicks per campaign and creative (adAnalytics does not page)."""
        pairs = [
            ("q", "statistics"),
            ("pivots", "List(CAMPAIGN,CREATIVE)"),
            ("timeGranularity", "DAILY"),
            ("dateRange", f"(start:{_day(since)},end:{_day(until)})"),
            ("accounts", f"List({encode(sponsored(account_id))})"),
            ("fields", li.ANALYTICS_FIELDS),
        ]
        return list(self._get(li.ANALYTICS_PATH, pairs).get("elements") or [])

    def refresh_left(self) -> float | None:
        """Seconds the refresh token had left at the last refresh (None: not known, or no refresh token)."""
        return getattr(self.caller.client.auth, "refresh_expires_in", None)

    @property
    def requests(self) -> int:
        return self.caller.requests
