"""What every paid provider promises: an answer per key, duplicates asked once, ProviderFatal only,
and an API key that never shows in an exception, a FAILED detail or a log line."""

from __future__ import annotations

import logging

import pytest

from connectors.enrichment.base import Lookup, Outcome, ProviderFatal
from tests.connectors.enrichment.support import PROVIDERS, Sleeps, build

SECRET = "sk-live-super-secret-4242"
LOOKUPS = {
    "pdl": [Lookup("company", "a.example", domain="a.example"), Lookup("person", "p@a.example", email="p@a.example")],
    "apollo": [
        Lookup("company", "a.example", domain="a.example"),
        Lookup("person", "p@a.example", email="p@a.example"),
    ],
    "hunter": [Lookup("email", "p@a.example", email="p@a.example")],
    "clearbit": [Lookup("company", "a.example", domain="a.example")],
}
VENDORS = list(PROVIDERS)


def fake_for(vendor: str):
    return PROVIDERS[vendor][2](api_key=SECRET)


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_lookup_gets_an_answer_and_duplicates_cost_one_call(vendor):
    fake = fake_for(vendor)
    lookups = LOOKUPS[vendor]
    answers = build(vendor, fake, Sleeps()).lookup(lookups + lookups)
    assert set(answers) == {lookup.key for lookup in lookups}
    assert fake.calls == len(lookups)


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_key_echoed_by_the_vendor_never_reaches_a_failed_detail(vendor, caplog):
    fake = fake_for(vendor)
    fake.fail_next(20, 500, body={"error": f"internal error for key {SECRET} at ?api_key={SECRET}"})
    with caplog.at_level(logging.DEBUG):
        answers = build(vendor, fake, Sleeps(), max_attempts=2).lookup(LOOKUPS[vendor])
    for answer in answers.values():
        assert answer.outcome is Outcome.FAILED
        assert "HTTP 500" in answer.detail and SECRET not in answer.detail
    assert caplog.records and all(SECRET not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_refused_key_raises_provider_fatal_without_the_key(vendor):
    fake = fake_for(vendor)
    with pytest.raises(ProviderFatal) as caught:
        build(vendor, fake, Sleeps(), api_key=SECRET + "-wrong").lookup(LOOKUPS[vendor])
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)
    assert "HTTP 401" in str(caught.value)


@pytest.mark.parametrize("vendor", VENDORS)
def test_max_cost_and_declared_kinds(vendor):
    provider = build(vendor, fake_for(vendor), Sleeps())
    for kind in provider.kinds:
        assert provider.max_cost(kind) > 0
    assert provider.fields
