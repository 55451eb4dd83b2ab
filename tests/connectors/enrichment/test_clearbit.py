"""ClearbitProvider against the Clearbit fake: hits, 404, 202 queued, Bearer auth, errors."""

from __future__ import annotations

import pytest

from connectors.enrichment.base import Outcome, ProviderFatal
from tests.connectors.enrichment.support import Sleeps, build, company
from tests.fakes.enrichment import FakeClearbit


@pytest.fixture
def fake() -> FakeClearbit:
    fake = FakeClearbit()
    fake.add_company("example.com")
    return fake


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def test_hit_and_unknown_company(fake, sleeps):
    answers = build("clearbit", fake, sleeps).lookup([company("example.com"), company("nobody.example")])
    hit = answers["example.com"]
    assert hit.outcome is Outcome.HIT and hit.cost == 1
    assert hit.fields == {
        "company_name": "Example",
        "industry": "internet software & services",
        "employee_count": 84,
        "employee_range": "51-200",
        "revenue_range": "10M-50M",
        "company_country_code": "US",
        "tech_stack": ["google_apps", "salesforce"],
        "founded_year": 2015,
        "linkedin_url": "https://www.linkedin.com/company/example",
    }
    assert answers["nobody.example"].outcome is Outcome.MISS and answers["nobody.example"].cost == 0
    assert fake.credits == 1
    assert fake.requests[0].headers["Authorization"] == f"Bearer {fake.api_key}"


def test_queued_then_found(fake, sleeps):
    fake.queue("example.com", 2)
    answers = build("clearbit", fake, sleeps).lookup([company("example.com")])
    assert answers["example.com"].outcome is Outcome.HIT
    assert fake.calls == 3 and len(sleeps) == 2 and fake.credits == 1


def test_still_queued_after_the_attempts_is_asked_again_next_run(fake, sleeps):
    fake.queue("example.com", 10)
    answers = build("clearbit", fake, sleeps, max_attempts=2).lookup([company("example.com")])
    assert answers["example.com"].outcome is Outcome.QUEUED and answers["example.com"].cost == 0
    assert fake.calls == 2


def test_server_errors_then_failed(fake, sleeps):
    fake.fail_next(4, 500)
    answers = build("clearbit", fake, sleeps).lookup([company("example.com")])
    assert answers["example.com"].outcome is Outcome.FAILED
    assert answers["example.com"].detail == "HTTP 500: api_error: fake Clearbit says api_error"
    assert fake.calls == 4


def test_throttled_with_retry_after(fake, sleeps):
    fake.throttle(1, retry_after="2")
    answers = build("clearbit", fake, sleeps).lookup([company("example.com")])
    assert answers["example.com"].outcome is Outcome.HIT and sleeps == [2]


@pytest.mark.parametrize("status", [401, 402])
def test_bad_key_or_quota_stops_the_provider(fake, sleeps, status):
    fake.fail_next(1, status)
    with pytest.raises(ProviderFatal):
        build("clearbit", fake, sleeps).lookup([company("example.com")])


def test_a_malformed_domain_fails_alone(fake, sleeps):
    answers = build("clearbit", fake, sleeps).lookup([company("localhost"), company("example.com")])
    assert answers["localhost"].outcome is Outcome.FAILED and answers["localhost"].detail.startswith("HTTP 422")
    assert answers["example.com"].outcome is Outcome.HIT
