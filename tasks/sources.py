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

from connectors.files.stream import FileStream
from connectors.google_ads.source import GoogleAdsSource
from connectors.hubspot.source import HubSpotSource
from connectors.linkedin.source import LinkedInSource
from connectors.meta.source import MetaSource
from connectors.salesforce.source import SalesforceSource
from connectors.source import Source
from connectors.store.echoes import Wave, waves_within
from connectors.store.landing import values_by_id
from connectors.store.schema import source_records
from leads.config import FileSourceConfig, HubSpotSourceConfig, SalesforceSourceConfig
from leads.source_config import GoogleAdsSourceConfig, LinkedInSourceConfig, MetaLeadsSourceConfig
from tasks.context import RunContext
from tasks.vendors import google_ads_api, hubspot_api, linkedin_api, meta_api, salesforce_api


def open_source(ctx: RunContext, name: str) -> tuple[Source, httpx.Client | None]:
    """The source, and the client to close once it is read (None for files)."""
    settings = ctx.config.sources[name]
    if isinstance(settings, FileSourceConfig):
        return FileStream(name, settings, ctx.config.chunk_size), None
    if isinstance(settings, HubSpotSourceConfig):
        return _hubspot(ctx, name, settings)
    if isinstance(settings, MetaLeadsSourceConfig):
        api, client = meta_api(ctx, name, settings, ctx.source_secrets.get(name, {}))
        return MetaSource(name, settings, api, now=ctx.now()), client
    if isinstance(settings, GoogleAdsSourceConfig):
        google, client = google_ads_api(ctx, name, settings, ctx.source_secrets.get(name, {}))
        return GoogleAdsSource(name, settings, google, now=ctx.now()), client
    if isinstance(settings, LinkedInSourceConfig):
        linkedin, client = linkedin_api(ctx, name, settings, ctx.source_secrets.get(name, {}))
        return LinkedInSource(name, settings, linkedin, now=ctx.now()), client
    return _salesforce(ctx, name, settings)


def _hubspot(ctx: RunContext, name: str, settings: HubSpotSourceConfig) -> tuple[Source, httpx.Client]:
    api, client = hubspot_api(ctx, name, settings, ctx.source_secrets.get(name, {}))
    engine = ctx.engine()

    def previous(ids: Sequence[str]) -> Mapping[str, dict[str, Any]]:
        return landed_payloads(engine, name, ids)

    source = HubSpotSource(name, settings, api, now=ctx.now(), previous=previous, waves=_waves(engine, name))
    return source, client


def _salesforce(ctx: RunContext, name: str, settings: SalesforceSourceConfig) -> tuple[Source, httpx.Client]:
    api, client = salesforce_api(ctx, name, settings, ctx.source_secrets.get(name, {}), settings.page_size)
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
