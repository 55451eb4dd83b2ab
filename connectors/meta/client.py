"""Meta's Graph API endpoints as methods, over an `ApiCaller` (retries, usage guard, limits)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from connectors.http.caller import ApiCaller
from connectors.http.paging import BodyCursor, pages
from connectors.meta import settings as mt
from connectors.meta.usage import MetaUsageGuard


class GraphCursor(BodyCursor):
    """`paging.cursors.after`, but only while `paging.next` exists: Meta's last page keeps its cursors."""

    def __init__(self) -> None:
        super().__init__(("paging", "cursors", "after"))

    def _token(self, body: Any) -> Any | None:
        paging = body.get("paging") if isinstance(body, dict) else None
        return super()._token(body) if isinstance(paging, dict) and paging.get("next") else None


class MetaApi:
    def __init__(self, caller: ApiCaller, version: str, page_size: int = 100) -> None:
        self.caller = caller
        self.version = version
        self.page_size = page_size

    @property
    def usage(self) -> MetaUsageGuard | None:
        guard = self.caller.guard
        return guard if isinstance(guard, MetaUsageGuard) else None

    def debug_token(self) -> dict[str, Any]:
        """What Meta knows of our token (validity, expiry, scopes); the auth adds the token itself."""
        answer = self.caller.get(mt.DEBUG_TOKEN_PATH.format(version=self.version))
        return dict(answer.get("data") or {})

    def forms(self, page_id: str) -> Iterator[dict[str, Any]]:
        """Every lead form of a Page."""
        path = mt.FORMS_PATH.format(version=self.version, page_id=page_id)

        def fetch(after: str | None) -> Any:
            params = {"fields": mt.FORM_FIELDS, "limit": mt.FORMS_PAGE} | ({"after": after} if after else {})
            return self.caller.get(path, params)

        for page in pages(fetch, GraphCursor()):
            yield from page.get("data") or []

    def leads(
        self, form_id: str, since: int, until: int, after: str | None = None
    ) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
        """Pages of a form's leads created in [since, until] (Unix seconds), each with the cursor after it.

        The filter goes as Unix seconds (the only format Meta applies), as two strict bounds one
        second wider than the window, so both ends are inclusive.
        """
        path = mt.LEADS_PATH.format(version=self.version, form_id=form_id)
        filtering = json.dumps(
            [
                {"field": "time_created", "operator": "GREATER_THAN", "value": since - 1},
                {"field": "time_created", "operator": "LESS_THAN", "value": until + 1},
            ],
            separators=(",", ":"),
        )
        paginator = GraphCursor()
        while True:
            params = {"fields": mt.LEAD_FIELDS, "limit": self.page_size, "filtering": filtering}
            page = self.caller.get(path, params | ({"after": after} if after else {}))
            after = paginator.next_token(page)
            yield list(page.get("data") or []), after
            if after is None:
                return

    def insights(self, account_id: str, since: date, until: date) -> Iterator[list[dict[str, Any]]]:
        """Pages of an ad account's spend per ad and day, since..until inclusive (the account's days)."""
        path = mt.INSIGHTS_PATH.format(version=self.version, account_id=account_id)
        time_range = json.dumps({"since": since.isoformat(), "until": until.isoformat()}, separators=(",", ":"))

        def fetch(after: str | None) -> Any:
            params = {
                "level": "ad",
                "fields": mt.INSIGHTS_FIELDS,
                "time_increment": 1,
                "time_range": time_range,
                "limit": mt.INSIGHTS_PAGE,
            }
            return self.caller.get(path, params | ({"after": after} if after else {}))

        for page in pages(fetch, GraphCursor()):
            yield list(page.get("data") or [])

    @property
    def requests(self) -> int:
        return self.caller.requests
