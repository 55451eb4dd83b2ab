"""Google Ads' GAQL search as methods, over an `ApiCaller` (retries with the quota's retry delay)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from connectors.google_ads import settings as ga
from connectors.http.caller import ApiCaller
from connectors.http.paging import PageToken


class GoogleAdsApi:
    def __init__(self, caller: ApiCaller, version: str) -> None:
        self.caller = caller
        self.version = version

    def search(self, customer_id: str, query: str) -> Iterator[dict[str, Any]]:
        """Every page of a GAQL query: the same query again with each `nextPageToken` (page size is Google's)."""
        path = ga.SEARCH_PATH.format(version=self.version, customer_id=customer_id)
        paginator = PageToken()
        body: dict[str, Any] = {"query": query}
        while True:
            page = self.caller.post(path, body)
            yield page
            token = paginator.next_token(page)
            if token is None:
                return
            body = {"query": query, "pageToken": token}

    def customer(self, customer_id: str) -> dict[str, Any]:
        """The account's name, time zone and currency."""
        for page in self.search(customer_id, ga.CUSTOMER_QUERY):
            for row in page.get("results") or []:
                return dict(row.get("customer") or {})
        return {}

    @property
    def requests(self) -> int:
        return self.caller.requests
