"""Pagination strategies as small objects: where a vendor's page says where the next page is.

- `BodyCursor`: an opaque token inside the body (HubSpot's paging.next.after).
- `NextUrl`: a URL to GET next, until a `done` flag (Salesforce's nextRecordsUrl).
- `PageToken`: a token to send back as a parameter (Google Ads' nextPageToken).
- `Offset`: start/count against a total (LinkedIn's paging.start, count and total).

Each answers the next token or None at the end. A vendor that hands back a token it already gave
would page forever; every strategy refuses a repeated token with `PagingLoop` instead.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from connectors.http.errors import FatalError


class PagingLoop(FatalError):
    """The vendor handed back a page token it had already given: paging on would never end."""


class Paginator(ABC):
    def __init__(self) -> None:
        self._seen: set[Any] = set()

    def next_token(self, body: Any) -> Any | None:
        """The next page's token, None after the last page; raises PagingLoop on a repeat."""
        token = self._token(body)
        if token is None:
            return None
        if token in self._seen:
            raise PagingLoop(
                f"the vendor repeated a page token ({type(self).__name__}); stopping instead of looping",
                detail="repeated page token",
            )
        self._seen.add(token)
        return token

    @abstractmethod
    def _token(self, body: Any) -> Any | None: ...


def _dig(body: Any, path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


class BodyCursor(Paginator):
    """A cursor found at `path` in the body; absent (or empty) on the last page."""

    def __init__(self, path: Sequence[str] = ("paging", "next", "after")) -> None:
        super().__init__()
        self.path = tuple(path)

    def _token(self, body: Any) -> Any | None:
        value = _dig(body, self.path)
        return str(value) if value not in (None, "") else None


class NextUrl(Paginator):
    """A URL to fetch next at `key`, ignored once `done_key` is true."""

    def __init__(self, key: str = "nextRecordsUrl", done_key: str | None = "done") -> None:
        super().__init__()
        self.key = key
        self.done_key = done_key

    def _token(self, body: Any) -> Any | None:
        if not isinstance(body, dict) or (self.done_key and body.get(self.done_key) is True):
            return None
        return body.get(self.key) or None


class PageToken(Paginator):
    """A token at `key` to send back with the same query."""

    def __init__(self, key: str = "nextPageToken") -> None:
        super().__init__()
        self.key = key

    def _token(self, body: Any) -> Any | None:
        return (body.get(self.key) or None) if isinstance(body, dict) else None


class Offset(Paginator):
    """The next `start` from start, count and total at `path` (LinkedIn's paging object).

    A page shorter than `count` ends the paging even when `total` is missing or wrong.
    """

    def __init__(self, path: Sequence[str] = ("paging",), results_key: str = "elements") -> None:
        super().__init__()
        self.path = tuple(path)
        self.results_key = results_key

    def _token(self, body: Any) -> Any | None:
        paging = _dig(body, self.path) or {}
        start, count, total = paging.get("start", 0), paging.get("count"), paging.get("total")
        got = len((body or {}).get(self.results_key) or [])
        if not count or got < count:
            return None
        following = int(start) + got
        return following if total is None or following < int(total) else None


def pages(fetch: Callable[[Any | None], Any], paginator: Paginator) -> Iterator[Any]:
    """Every page's body: `fetch(None)` first, then `fetch(token)` until the paginator ends."""
    token: Any | None = None
    while True:
        body = fetch(token)
        yield body
        token = paginator.next_token(body)
        if token is None:
            return
