"""What every task of a run needs: the validated config, resolved secrets, the store, the clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Engine

from connectors.enrichment.registry import used_providers
from connectors.secrets import resolve, resolve_source_secrets
from connectors.store.engine import get_engine
from connectors.store.leases import acquire, release
from leads.config import AppConfig, ReferenceTableProviderConfig, SecretRef, SqlTableSinkConfig, load_config
from leads.golden import LeadRules, SourcePriority
from leads.titles import TitleRules

DATABASE_URL_ENV = "LEADS_DATABASE_URL"


@dataclass(frozen=True)
class RunContext:
    config: AppConfig
    store_url: SecretStr
    sink_urls: dict[str, SecretStr]
    run_id: str
    dry_run: bool = False
    provider_keys: dict[str, SecretStr] = field(default_factory=dict)  # enrichment API keys
    reference_urls: dict[str, SecretStr | None] = field(default_factory=dict)  # reference tables elsewhere
    source_secrets: dict[str, dict[str, SecretStr]] = field(default_factory=dict)  # source → auth key → value
    sink_secrets: dict[str, dict[str, SecretStr]] = field(default_factory=dict)  # CRM sink → auth key → value
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Tests hand a source an httpx.MockTransport here, and may run the run's clock (epoch seconds)
    # in step with a vendor fake's; production leaves both empty: real HTTP, the wall clock.
    transports: dict[str, Any] = field(default_factory=dict)
    clock: Any = None

    def engine(self) -> Engine:
        return get_engine(self.store_url.get_secret_value())

    def sink_engine(self, sink: str) -> Engine:
        return get_engine(self.sink_urls[sink].get_secret_value())

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC) if self.clock is not None else datetime.now(UTC)

    @contextmanager
    def lease(self, resource: str) -> Iterator[None]:
        """Hold `resource` for this run; raises LeaseHeld when another run holds it."""
        acquire(self.engine(), resource, self.run_id, self.config.lease_ttl, self.now())
        try:
            yield
        finally:
            release(self.engine(), resource, self.run_id)

    def renew(self, resource: str) -> None:
        """Extend the lease after each chunk, so a long stage never outlives it."""
        acquire(self.engine(), resource, self.run_id, self.config.lease_ttl, self.now())

    @property
    def run_dir(self) -> Path:
        return self.config.runs_dir / self.run_id


def lead_rules(config: AppConfig) -> LeadRules:
    """Survivorship priority and title rules from the config, built once per config."""
    rules = _RULES.get(id(config))
    if rules is None or rules[0] is not config:
        priority = SourcePriority.from_lists(
            config.identity.source_priority, config.identity.field_priority, late=config.enrichment.providers
        )
        rules = (config, LeadRules(priority, TitleRules(config.titles)))
        _RULES[id(config)] = rules
    return rules[1]


_RULES: dict[int, tuple[AppConfig, LeadRules]] = {}


def load_run_config(path: str | Path) -> AppConfig:
    """The config file, with LEADS_DATABASE_URL (when set) taking the place of store.url."""
    config = load_config(path)
    if os.environ.get(DATABASE_URL_ENV):
        config.store.url = SecretRef(env=DATABASE_URL_ENV)
    return config


def build_context(config: AppConfig, run_id: str, dry_run: bool = False) -> RunContext:
    """Resolve every secret once. Raises MissingSecret naming the key that cannot be resolved."""
    store_url = resolve(config.store.url, "store.url")
    assert store_url is not None  # store.url always has a default
    sink_urls = {
        name: resolve(sink.url, f"sinks.{name}.url") or store_url
        for name, sink in config.sinks.items()
        if isinstance(sink, SqlTableSinkConfig)
    }
    keys: dict[str, SecretStr] = {}
    tables: dict[str, SecretStr | None] = {}
    if config.enrichment.enabled:
        for name in used_providers(config.enrichment):
            provider = config.enrichment.providers[name]
            if isinstance(provider, ReferenceTableProviderConfig):
                tables[name] = resolve(provider.url, f"enrichment.providers.{name}.url")
            else:
                keys[name] = resolve(provider.api_key, f"enrichment.providers.{name}.api_key")  # type: ignore[assignment]
    sources = {name: resolve_source_secrets(name, source) for name, source in config.sources.items() if source.enabled}
    sinks = {name: resolve_source_secrets(name, sink, "sinks") for name, sink in config.sinks.items() if sink.enabled}
    return RunContext(config, store_url, sink_urls, run_id, dry_run, keys, tables, sources, sink_secrets=sinks)
