"""Helpers the ad-platform fakes share beyond their harness (tests/fakes/meta/harness.py).

Google Ads and LinkedIn both mint access tokens from a refresh-token grant at an OAuth endpoint
and take them as `Authorization: Bearer`; all three fakes keep leads in (time, id) order with the
keys alongside, so a window or a resume point is a bisection. Error bodies and token lifetimes
are each platform's own and stay in its fake.
"""

from __future__ import annotations

import bisect
from typing import Any, TypeVar
from urllib.parse import parse_qs

import httpx

T = TypeVar("T")


def refresh_grant(request: httpx.Request) -> dict[str, str]:
    """The form posted to the token endpoint; a grant other than refresh_token is outside the contract."""
    form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
    if form.get("grant_type") != "refresh_token":
        raise AssertionError(f"request outside the contract: OAuth grant {form.get('grant_type')!r}")
    return form


def issued_at(request: httpx.Request, access_tokens: dict[str, float]) -> float | None:
    """When the request's bearer token was issued (None: no bearer token, or one never issued)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return access_tokens.get(token.strip()) if scheme.lower() == "bearer" else None


def insert_in_order(keys: list[Any], items: list[T], key: Any, item: T) -> None:
    """Adds `item` at the place of `key` in the ascending `keys`, and `key` with it."""
    position = bisect.bisect_left(keys, key)
    keys.insert(position, key)
    items.insert(position, item)
