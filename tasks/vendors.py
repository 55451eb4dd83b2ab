"""A run's API client for one CRM account: credentials, shared rate limits, quota guard, retries.

Sources and sinks of the same account are wired alike, so they share its limits: the limiter rows
are named after the account (`account`, default the source's or sink's name), not after who calls.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import SecretStr

from connectors.http.auth import BearerToken
from connectors.http.caller import ApiCaller
from connectors.http.client import make_client
from connectors.http.oauth import RefreshingToken, SalesforceSession
from connectors.http.quota import QuotaGuard, hubspot_usage, salesforce_usage
from connectors.http.retry import Retrier, RetryPolicy
from connectors.http.window_limit import StoreWindowLimiter
from connectors.hubspot import settings as hs
from connectors.hubspot.client import HubSpotApi
from connectors.salesforce import settings as sf
from connectors.salesforce.client import SalesforceApi
from connectors.secrets import save_prefect_secret
from leads.config import RateLimitConfig
from tasks.context import RunContext


def _window(ctx: RunContext, name: str, limit: RateLimitConfig, margin: float) -> StoreWindowLimiter:
    return StoreWindowLimiter(ctx.engine(), name, limit.requests, limit.per.total_seconds(), margin)


def hubspot_api(
    ctx: RunContext, name: str, settings: Any, secrets: dict[str, SecretStr]
) -> tuple[HubSpotApi, httpx.Client]:
    """The API of the HubSpot account a source or sink (`settings`) names."""
    base_url = settings.base_url or hs.BASE_URL
    auth: httpx.Auth
    if "token" in secrets:
        auth = BearerToken(secrets["token"])
    else:
        auth = RefreshingToken(
            base_url + hs.TOKEN_PATH, settings.auth.client_id or "", secrets["client_secret"], secrets["refresh_token"]
        )
    client = make_client(base_url, timeout=settings.timeout, auth=auth, transport=ctx.transports.get(name))
    account = settings.account or name
    general = _window(ctx, f"hubspot:{account}:general", hs.general_limit(settings), settings.rate_margin)
    search = _window(ctx, f"hubspot:{account}:search", hs.search_limit(settings), settings.rate_margin)
    guard = QuotaGuard("HubSpot", hubspot_usage, settings.quota.stop_at_share, settings.quota.max_requests)
    retrier = Retrier(policy=RetryPolicy(max_attempts=settings.max_attempts), errors=hs.ERRORS, observe=guard)
    return HubSpotApi(ApiCaller(client, retrier, limiters=[general], guard=guard), search), client


def salesforce_api(
    ctx: RunContext, name: str, settings: Any, secrets: dict[str, SecretStr], page_size: int = 2000
) -> tuple[SalesforceApi, httpx.Client]:
    """The API of the Salesforce org a source or sink names, signed in (the session's user is known)."""
    block = settings.auth.refresh_token.prefect_secret

    def write_back(token: SecretStr) -> None:
        if settings.auth.rotating and block:
            save_prefect_secret(block, token)

    session = SalesforceSession(
        settings.login_url.rstrip("/") + sf.TOKEN_PATH,
        settings.auth.client_id,
        secrets["client_secret"],
        secrets["refresh_token"],
        on_rotate=write_back,
    )
    client = make_client(
        settings.base_url or settings.login_url,
        timeout=settings.timeout,
        auth=session,
        transport=ctx.transports.get(name),
    )
    guard = QuotaGuard("Salesforce", salesforce_usage, settings.quota.stop_at_share, settings.quota.max_requests)
    retrier = Retrier(policy=RetryPolicy(max_attempts=settings.max_attempts), errors=sf.ERRORS, observe=guard)
    instance = retrier.call(lambda: session.login(client))
    client.base_url = httpx.URL(settings.base_url or instance)
    return SalesforceApi(ApiCaller(client, retrier, guard=guard), settings.api_version, page_size=page_size), client
