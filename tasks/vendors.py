"""A run's API client for one CRM account: credentials, shared rate limits, quota guard, retries.

Sources and sinks of the same account are wired alike, so they share its limits: the limiter rows
are named after the account (`account`, default the source's or sink's name), not after who calls.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import SecretStr

from connectors.google_ads import settings as ga
from connectors.google_ads.auth import GoogleAdsAuth
from connectors.google_ads.client import GoogleAdsApi
from connectors.http.auth import BearerToken
from connectors.http.caller import ApiCaller
from connectors.http.client import make_client
from connectors.http.oauth import RefreshingToken, SalesforceSession
from connectors.http.quota import QuotaGuard, hubspot_usage, salesforce_usage
from connectors.http.retry import Retrier, RetryPolicy
from connectors.http.window_limit import StoreWindowLimiter
from connectors.hubspot import settings as hs
from connectors.hubspot.client import HubSpotApi
from connectors.linkedin import settings as li
from connectors.linkedin.auth import LinkedInToken
from connectors.linkedin.client import LinkedInApi
from connectors.meta import settings as mt
from connectors.meta.client import MetaApi
from connectors.meta.token import GraphToken
from connectors.meta.usage import MetaUsageGuard
from connectors.salesforce import settings as sf
from connectors.salesforce.client import SalesforceApi
from connectors.secrets import save_prefect_secret
from leads.config import RateLimitConfig
from leads.source_config import GoogleAdsSourceConfig, LinkedInSourceConfig, MetaLeadsSourceConfig
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


def _limits(ctx: RunContext, vendor: str, name: str, limit: RateLimitConfig | None) -> list[StoreWindowLimiter]:
    """An ad source's own rate limit, if configured, shared through the store by every run of the source."""
    return [_window(ctx, f"{vendor}:{name}", limit, 0.01)] if limit is not None else []


def meta_api(
    ctx: RunContext, name: str, settings: MetaLeadsSourceConfig, secrets: dict[str, SecretStr]
) -> tuple[MetaApi, httpx.Client]:
    """The Graph API for a Meta source: its token, Meta's error codes, the usage-header guard."""
    auth = GraphToken(secrets["access_token"])
    client = make_client(
        settings.base_url or mt.BASE_URL, timeout=settings.timeout, auth=auth, transport=ctx.transports.get(name)
    )
    q = settings.quota
    guard = MetaUsageGuard(q.stop_at_share, settings.max_pause.total_seconds(), q.max_requests)
    retrier = Retrier(policy=RetryPolicy(max_attempts=settings.max_attempts), errors=mt.ERRORS, observe=guard)
    caller = ApiCaller(client, retrier, limiters=_limits(ctx, "meta", name, settings.rate_limit), guard=guard)
    return MetaApi(caller, settings.api_version, settings.page_size), client


def google_ads_api(
    ctx: RunContext, name: str, settings: GoogleAdsSourceConfig, secrets: dict[str, SecretStr]
) -> tuple[GoogleAdsApi, httpx.Client]:
    """GAQL search for a Google Ads source: OAuth from the refresh token, developer token, manager id."""
    token = RefreshingToken(
        settings.token_url, settings.auth.client_id, secrets["client_secret"], secrets["refresh_token"]
    )
    auth = GoogleAdsAuth(token, secrets["developer_token"], settings.login_customer_id)
    client = make_client(
        settings.base_url or ga.BASE_URL, timeout=settings.timeout, auth=auth, transport=ctx.transports.get(name)
    )
    guard = QuotaGuard("Google Ads", lambda headers: None, settings.quota.stop_at_share, settings.quota.max_requests)
    retrier = Retrier(policy=RetryPolicy(max_attempts=settings.max_attempts), errors=ga.ERRORS, observe=guard)
    caller = ApiCaller(client, retrier, limiters=_limits(ctx, "google_ads", name, settings.rate_limit), guard=guard)
    return GoogleAdsApi(caller, settings.api_version), client


def linkedin_api(
    ctx: RunContext, name: str, settings: LinkedInSourceConfig, secrets: dict[str, SecretStr]
) -> tuple[LinkedInApi, httpx.Client]:
    """The versioned Marketing API for a LinkedIn source: its grant, version and Rest.li protocol headers."""
    auth: httpx.Auth
    if "access_token" in secrets:
        auth = BearerToken(secrets["access_token"])
    else:
        a = settings.auth
        auth = LinkedInToken(settings.token_url, a.client_id or "", secrets["client_secret"], secrets["refresh_token"])
    headers = {"Linkedin-Version": settings.version, "X-Restli-Protocol-Version": li.RESTLI_PROTOCOL}
    client = make_client(
        settings.base_url or li.BASE_URL,
        timeout=settings.timeout,
        auth=auth,
        headers=headers,
        transport=ctx.transports.get(name),
    )
    guard = QuotaGuard("LinkedIn", lambda headers: None, settings.quota.stop_at_share, settings.quota.max_requests)
    retrier = Retrier(policy=RetryPolicy(max_attempts=settings.max_attempts), errors=li.ERRORS, observe=guard)
    caller = ApiCaller(client, retrier, limiters=_limits(ctx, "linkedin", name, settings.rate_limit), guard=guard)
    return LinkedInApi(caller, settings.page_size), client
