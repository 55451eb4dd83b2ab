"""ApolloProvider against the Apollo fake: bulk batching of ten, domain matching, people, errors, costs."""

from __future__ import annotations

import json

import httpx
import pytest

from connectors.enrichment.base import Lookup, Outcome, ProviderFatal
from connectors.http.ratelimit import MemoryRateLimiter
from tests.connectors.enrichment.support import NOW, Sleeps, build, company, person
from tests.fakes.enrichment import FakeApollo


@pytest.fixture
def fake() -> FakeApollo:
    fake = FakeApollo()
    fake.add_organization("example.com")
    return fake


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def test_a_lone_domain_uses_the_enrich_endpoint(fake, sleeps):
    answers = build("apollo", fake, sleeps).lookup([company("example.com")])
    hit = answers["example.com"]
    assert hit.outcome is Outcome.HIT and hit.cost == 1
    assert hit.fields == {
        "company_name": "Example Corp",
        "industry": "information technology & services",
        "employee_count": 1600,
        "employee_range": "1001-5000",
        "revenue_range": "100M-250M",
        "company_country_code": "US",
        "tech_stack": ["Salesforce", "Hubspot", "Stripe"],
        "founded_year": 2015,
        "linkedin_url": "https://www.linkedin.com/company/example",
    }
    assert fake.requests[0].url.path == "/api/v1/organizations/enrich"
    assert fake.requests[0].headers["x-api-key"] == fake.api_key


def test_unknown_domains_are_free_misses(fake, sleeps):
    answers = build("apollo", fake, sleeps).lookup([company("nobody.example")])
    assert answers["nobody.example"].outcome is Outcome.MISS and fake.credits == 0


def test_domains_go_in_bulk_calls_of_at_most_ten_costing_one_per_organization(fake, sleeps):
    domains = [f"d{i}.example" for i in range(21)]
    for domain in domains[:7]:
        fake.add_organization(domain)
    answers = build("apollo", fake, sleeps).lookup([company(d) for d in domains])
    bulk = fake.calls_to("/api/v1/organizations/bulk_enrich")
    assert [len(r.url.params.get_list("domains[]")) for r in bulk] == [10, 10]
    assert len(fake.calls_to("/api/v1/organizations/enrich")) == 1  # the 21st, alone
    assert sum(a.outcome is Outcome.HIT for a in answers.values()) == 7
    assert sum(a.cost for a in answers.values()) == fake.credits == 7


def test_an_organization_under_its_primary_domain_is_matched_back(fake, sleeps):
    fake.add_organization("fb.example", {"primary_domain": "facebook.example", "name": "Facebook"})
    answers = build("apollo", fake, sleeps).lookup([company("fb.example"), company("example.com")])
    assert answers["fb.example"].outcome is Outcome.HIT and answers["fb.example"].fields["company_name"] == "Facebook"
    assert answers["example.com"].outcome is Outcome.HIT
    assert sum(a.cost for a in answers.values()) == fake.credits == 2


def test_an_organization_that_cannot_be_matched_is_still_paid_for(fake, sleeps):
    fake.add_organization("fb.example", {"primary_domain": "facebook.example"})
    answers = build("apollo", fake, sleeps).lookup([company("fb.example"), company("nobody.example")])
    assert {a.outcome for a in answers.values()} == {Outcome.MISS}
    assert sum(a.cost for a in answers.values()) == fake.credits == 1


def test_a_bad_domain_fails_alone_when_apollo_refuses_the_bulk_call(fake, sleeps):
    answers = build("apollo", fake, sleeps).lookup([company("example.com"), company("bad.example/path")])
    assert answers["example.com"].outcome is Outcome.HIT
    assert answers["bad.example/path"].outcome is Outcome.FAILED
    assert answers["bad.example/path"].detail == "HTTP 422: Invalid domain: bad.example/path"


def test_people_are_matched_in_bulk_calls_of_ten(fake, sleeps):
    emails = [f"p{i}@corp.example" for i in range(12)]
    fake.add_person(emails[0])
    answers = build("apollo", fake, sleeps).lookup([person(e) for e in emails])
    bulk = fake.calls_to("/api/v1/people/bulk_match")
    assert len(bulk) == 2
    hit = answers[emails[0]]
    assert hit.outcome is Outcome.HIT and hit.cost == 1
    assert hit.fields["seniority"] == "director"  # Apollo's "head"
    assert hit.fields["department"] == "engineering"
    assert hit.fields["linkedin_url"] == "https://www.linkedin.com/in/ada-lovelace"
    assert hit.fields["company_name"] == "Example Corp"
    assert all(answers[e].outcome is Outcome.MISS and answers[e].cost == 0 for e in emails[1:])
    assert fake.credits == 1


def test_bulk_calls_take_two_tokens(fake, sleeps):
    limiter = MemoryRateLimiter(rate_per_second=1, burst=10, clock=lambda: NOW, sleep=lambda s: None)
    build("apollo", fake, sleeps, limiter=limiter).lookup([company("a.example"), company("b.example")])
    assert limiter._tokens == 8


def test_throttling_retries_and_honours_retry_after(fake, sleeps):
    fake.throttle(2, retry_after="5")
    answers = build("apollo", fake, sleeps).lookup([company("example.com")])
    assert answers["example.com"].outcome is Outcome.HIT and sleeps == [5, 5]


def test_throttling_without_retry_after_backs_off(fake, sleeps):
    fake.throttle(2)
    answers = build("apollo", fake, sleeps).lookup([company("example.com")])
    assert answers["example.com"].outcome is Outcome.HIT
    assert sleeps == [0.75, 1.5]  # equal jitter around 1 s then 2 s, draw fixed at 0.5


def test_a_daily_cap_stops_the_provider_instead_of_waiting_hours(fake, sleeps):
    fake.throttle(1, retry_after="43200")
    with pytest.raises(ProviderFatal):
        build("apollo", fake, sleeps).lookup([company("example.com")])
    assert sleeps == []


@pytest.mark.parametrize("status", [401, 403])
def test_refused_keys_stop_the_provider(fake, sleeps, status):
    fake.fail_next(1, status)
    with pytest.raises(ProviderFatal):
        build("apollo", fake, sleeps).lookup([company("example.com")])


def test_the_fake_refuses_a_key_outside_the_header(fake):
    client = httpx.Client(transport=fake.transport(), base_url="https://apollo.fake.test")
    response = client.get("/api/v1/organizations/enrich", params={"domain": "example.com", "api_key": fake.api_key})
    assert response.status_code == 422


def test_the_fake_refuses_more_than_ten_domains(fake):
    client = httpx.Client(transport=fake.transport(), base_url="https://apollo.fake.test")
    params = [("domains[]", f"d{i}.example") for i in range(11)]
    response = client.post("/api/v1/organizations/bulk_enrich", params=params, headers={"x-api-key": fake.api_key})
    assert response.status_code == 400


def test_person_lookups_by_name_and_domain(fake, sleeps):
    lookup = Lookup(kind="person", key="ada|example.com", first_name="Ada", last_name="Lovelace", domain="example.com")
    build("apollo", fake, sleeps).lookup([lookup])
    assert json.loads(fake.requests[0].content)["details"] == [
        {"first_name": "Ada", "last_name": "Lovelace", "domain": "example.com"}
    ]
