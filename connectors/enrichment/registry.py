"""Build the configured providers for a run: clients, credentials and shared rate limiters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import Engine

from connectors.enrichment.base import Provider
from connectors.enrichment.reference_table import ReferenceTable
from connectors.http.client import make_client
from connectors.http.ratelimit import StoreRateLimiter
from connectors.store.engine import get_engine
from leads.config import EnrichmentConfig, RateLimitConfig, ReferenceTableProviderConfig

# type → (module with the Provider class and its settings, class name)
API_PROVIDERS: dict[str, tuple[str, str]] = {
    "pdl": ("connectors.enrichment.pdl", "PdlProvider"),
    "apollo": ("connectors.enrichment.apollo", "ApolloProvider"),
    "hunter": ("connectors.enrichment.hunter", "HunterProvider"),
    "clearbit": ("connectors.enrichment.clearbit", "ClearbitProvider"),
}


def used_providers(config: EnrichmentConfig) -> list[str]:
    """Enabled providers some waterfall names, in the order they first appear."""
    names = [n for order in config.waterfall.values() for n in order]
    return [n for n in dict.fromkeys(names) if config.providers[n].enabled]


def build_providers(
    config: EnrichmentConfig,
    engine: Engine,
    api_keys: Mapping[str, SecretStr],
    reference_urls: Mapping[str, SecretStr | None],
    transport_for: Callable[[str], httpx.BaseTransport | None] = lambda name: None,
) -> dict[str, Provider]:
    providers: dict[str, Provider] = {}
    for name in used_providers(config):
        settings = config.providers[name]
        if isinstance(settings, ReferenceTableProviderConfig):
            providers[name] = _reference_table(name, settings, engine, reference_urls.get(name))
        else:
            providers[name] = _api_provider(name, settings, engine, api_keys[name], transport_for(name))
    return providers


def _reference_table(
    name: str, settings: ReferenceTableProviderConfig, engine: Engine, url: SecretStr | None
) -> ReferenceTable:
    if settings.path is not None:
        if not settings.path.is_file():
            raise FileNotFoundError(f"enrichment.providers.{name}.path: no such file {settings.path}")
        return ReferenceTable.from_csv(
            name, settings.path, settings.domain_column, settings.columns, settings.confidence
        )
    table_engine = get_engine(url.get_secret_value()) if url is not None else engine
    return ReferenceTable.from_sql(
        name, table_engine, settings.table or "", settings.domain_column, settings.columns, settings.confidence
    )


def _api_provider(name: str, settings: Any, engine: Engine, api_key: SecretStr, transport: Any) -> Provider:
    module_name, class_name = API_PROVIDERS[settings.type]
    package = import_module(module_name)
    vendor = import_module(f"{module_name}.settings")
    provider_class = getattr(import_module(f"{module_name}.client"), class_name)
    limit: RateLimitConfig = settings.rate_limit or vendor.DEFAULT_RATE_LIMIT
    limiter = StoreRateLimiter.for_config(engine, f"enrichment:{settings.type}:{name}", limit)
    client = make_client(settings.base_url or vendor.BASE_URL, timeout=settings.timeout, transport=transport)
    del package
    return provider_class(name, settings, api_key.get_secret_value(), client, limiter)
