"""Open a configured source for a run: its client, credentials, shared rate limits and quota guard.

Connectors never build their own clients or read credentials; this is where a run wires them: the
base URL (or the config's override), the credentials resolved once at run start, the store-backed
limits every process and run of the account shares, and, in tests, an injected transport.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx
from pydantic import SecretStr

from connectors.files.stream import FileStream
from connectors.http.auth import BearerToken
from connectors.http.caller import ApiCaller
from connectors.http.client import make_client
from connectors.http.oauth import RefreshingToken, SalesforceSession
from connectors.http.quota import QuotaGuard, hubspot_usage, salesforce_usage
from connectors.http.retry import Retrier, RetryPolicy
from connectors.http.window_limit import StoreWindowLimiter
from connectors.hubspot import settings as hs
from connectors.hubspot.client import HubSpotApi
from connectors.hubspot.source import HubSpotSource
from connectors.salesforce import settings as sf
from connectors.salesforce.client import SalesforceApi
from connectors.salesforce.source import SalesforceSource
from connectors.secrets import save_prefect_secret
from connectors.source import Source
from connectors.store.echoes import Wave, waves_within
from connectors.store.landing import values_by_id
from connectors.store.schema import source_records
from leads.config import FileSourceConfig, HubSpotSourceConfig, RateLimitConfig, SalesforceSourceConfig
from tasks.context import RunContext


def open_source(ctx: RunContext, name: str) -> tuple[Source, httpx.Client | None]:
    """The source, and the client to close once it is read (None for files)."""
    settings = ctx.config.sources[name]
    if isinstance(settings, FileSourceConfig):
        return FileStream(name, settings, ctx.config.chunk_size), None
    if isinstance(settings, HubSpotSourceConfig):
        return _hubspot(ctx, name, settings)
    return _salesforce(ctx, name, settings)


def _window(ctx: RunContext, name: str, limit: RateLimitConfig, margin: float) -> StoreWindowLimiter:
    return StoreWindowLimiter(ctx.engine(), name, limit.requests, limit.per.total_seconds(), margin)


def _hubspot(ctx: RunContext, name: str, settings: HubSpotSourceConfig) -> tuple[Source, httpx.Client]:
    secrets = ctx.source_secrets.get(name, {})
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
    api = HubSpotApi(ApiCaller(client, retrier, limiters=[general], guard=guard), search)
    engine = ctx.engine()

    def previous(ids: Sequence[str]) -> Mapping[str, dict[str, Any]]:
        return landed_payloads(engine, name, ids)

    source = HubSpotSource(name, settings, api, now=ctx.now(), previous=previous, waves=_waves(engine, name))
    return source, client


def _salesforce(ctx: RunContext, name: str, settings: SalesforceSourceConfig) -> tuple[Source, httpx.Client]:
    secrets = ctx.source_secrets.get(name, {})
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
    api = SalesforceApi(ApiCaller(client, retrier, guard=guard), settings.api_version, page_size=settings.page_size)
    return SalesforceSource(name, settings, api, now=ctx.now(), waves=_waves(ctx.engine(), name)), client


def _waves(engine: Any, source: str) -> Callable[[datetime, datetime], list[Wave]]:
    def waves(lo: datetime, hi: datetime) -> list[Wave]:
        with engine.connect() as conn:
            return waves_within(conn, source, lo, hi)

    return waves


def landed_payloads(engine: Any, source: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The payloads already landed for these records (a source compares them with what it reads now)."""
    with engine.connect() as conn:
        return values_by_id(conn, source_records.c.payload, source, ids)
