"""Building providers against the vendor fakes, with a recorded fake sleep and a fixed clock."""

from __future__ import annotations

from typing import Any

from connectors.enrichment.apollo import ApolloProvider
from connectors.enrichment.base import Lookup
from connectors.enrichment.clearbit import ClearbitProvider
from connectors.enrichment.hunter import HunterProvider
from connectors.enrichment.pdl import PdlProvider
from connectors.http.client import make_client
from leads.config import ApolloProviderConfig, ClearbitProviderConfig, HunterProviderConfig, PdlProviderConfig
from tests.fakes.enrichment import FakeApollo, FakeClearbit, FakeHunter, FakePdl, FakeVendor

NOW = 1_800_000_000.0


class Sleeps(list):
    """A sleep that records its waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


PROVIDERS = {
    "pdl": (PdlProvider, PdlProviderConfig, FakePdl),
    "apollo": (ApolloProvider, ApolloProviderConfig, FakeApollo),
    "hunter": (HunterProvider, HunterProviderConfig, FakeHunter),
    "clearbit": (ClearbitProvider, ClearbitProviderConfig, FakeClearbit),
}


def build(vendor: str, fake: FakeVendor, sleeps: Sleeps, *, api_key: str | None = None, limiter=None, **settings: Any):
    provider_cls, config_cls, _ = PROVIDERS[vendor]
    config = config_cls(type=vendor, api_key={"env": f"{vendor.upper()}_API_KEY"}, **settings)
    client = make_client(
        config.base_url or f"https://{vendor}.fake.test", timeout=config.timeout, transport=fake.transport()
    )
    return provider_cls(
        vendor,
        config,
        fake.api_key if api_key is None else api_key,
        client,
        limiter,
        sleep=sleeps,
        clock=lambda: NOW,
        draw=lambda: 0.5,
    )


def company(domain: str) -> Lookup:
    return Lookup(kind="company", key=domain, domain=domain)


def person(email: str) -> Lookup:
    return Lookup(kind="person", key=email, email=email)


def email(address: str) -> Lookup:
    return Lookup(kind="email", key=address, email=address)
