"""PdlProvider against the PDL fake: hits, misses, likelihood, bulk batching, errors and costs."""

from __future__ import annotations

import json

import pytest

from connectors.enrichment.base import Lookup, Outcome, ProviderFatal
from connectors.enrichment.vendor_http import ProviderStopped
from tests.connectors.enrichment.support import Sleeps, build, company, person
from tests.fakes.enrichment import FakePdl


@pytest.fixture
def fake() -> FakePdl:
    fake = FakePdl()
    fake.add_company("example.com", likelihood=9)
    fake.add_company("weak.example", likelihood=3)
    return fake


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def test_company_hit_and_no_match(fake, sleeps):
    answers = build("pdl", fake, sleeps).lookup([company("example.com"), company("unknown.example")])
    hit, miss = answers["example.com"], answers["unknown.example"]
    assert hit.outcome is Outcome.HIT and hit.cost == 1 and hit.confidence == 0.9
    assert hit.fields["company_name"] == "Example Corp"
    assert hit.fields["employee_range"] == "51-200"
    assert hit.fields["company_country_code"] == "US"
    assert miss.outcome is Outcome.MISS and miss.cost == 0
    assert fake.credits == 1
    assert fake.requests[0].headers["X-Api-Key"] == fake.api_key


def test_min_likelihood_is_sent_so_weak_matches_are_free_misses(fake, sleeps):
    answers = build("pdl", fake, sleeps, min_likelihood=6).lookup([company("weak.example")])
    assert answers["weak.example"].outcome is Outcome.MISS
    assert fake.credits == 0
    assert fake.requests[0].url.params["min_likelihood"] == "6"


def test_people_go_in_bulk_calls_of_at_most_100(fake, sleeps):
    emails = [f"p{i}@corp.example" for i in range(250)]
    for address in emails[::2]:
        fake.add_person(address)
    answers = build("pdl", fake, sleeps).lookup([person(e) for e in emails])
    bulk = fake.calls_to("/v5/person/bulk")
    assert [len(json.loads(r.content)["requests"]) for r in bulk] == [100, 100, 50]
    assert sum(a.outcome is Outcome.HIT for a in answers.values()) == 125
    assert sum(a.cost for a in answers.values()) == fake.credits == 125
    hit = answers["p0@corp.example"]
    assert hit.fields["seniority"] == "vp" and hit.fields["department"] == "engineering"
    assert hit.fields["linkedin_url"] == "https://www.linkedin.com/in/ada-lovelace"
    assert answers["p1@corp.example"].outcome is Outcome.MISS


def test_a_lone_person_uses_the_enrich_endpoint(fake, sleeps):
    fake.add_person("ada@corp.example")
    answers = build("pdl", fake, sleeps).lookup([person("ada@corp.example")])
    assert answers["ada@corp.example"].outcome is Outcome.HIT
    assert [r.url.path for r in fake.requests] == ["/v5/person/enrich"]


def test_identical_keys_are_asked_once(fake, sleeps):
    answers = build("pdl", fake, sleeps).lookup([company("example.com")] * 3)
    assert list(answers) == ["example.com"] and fake.calls == 1 and fake.credits == 1


def test_a_person_without_usable_input_is_a_miss_without_a_call(fake, sleeps):
    lookup = Lookup(kind="person", key="ada|lovelace", first_name="Ada", last_name="Lovelace")
    answers = build("pdl", fake, sleeps).lookup([lookup])
    assert answers["ada|lovelace"].outcome is Outcome.MISS and fake.calls == 0


def test_throttling_is_retried_honouring_retry_after_and_the_reset_header(fake, sleeps):
    fake.throttle(1, retry_after="3")
    fake.throttle(1, headers={"x-ratelimit-reset": "2027-01-15T08:00:07Z"})  # NOW is 08:00:00
    answers = build("pdl", fake, sleeps).lookup([company("example.com")])
    assert answers["example.com"].outcome is Outcome.HIT
    assert sleeps == [3, pytest.approx(7)]


def test_server_errors_are_retried_then_failed_after_max_attempts(fake, sleeps):
    fake.fail_next(10, 503)
    answers = build("pdl", fake, sleeps, max_attempts=3).lookup([company("example.com"), company("unknown.example")])
    failed = answers["example.com"]
    assert failed.outcome is Outcome.FAILED and failed.cost == 0
    assert failed.detail == "HTTP 503: api_error: fake PDL says api_error"
    assert fake.calls == 6 and len(sleeps) == 4


@pytest.mark.parametrize("status", [401, 402, 403])
def test_auth_and_payment_errors_stop_the_provider(fake, sleeps, status):
    fake.fail_next(1, status)
    with pytest.raises(ProviderFatal) as caught:
        build("pdl", fake, sleeps).lookup([company("example.com")])
    assert f"HTTP {status}" in str(caught.value)
    assert fake.calls == 1


def test_a_wrong_key_is_fatal_and_never_shown(fake, sleeps):
    with pytest.raises(ProviderFatal) as caught:
        build("pdl", fake, sleeps, api_key="wrong-secret-key-123").lookup([company("example.com")])
    assert "wrong-secret-key-123" not in str(caught.value)


def test_answers_given_before_a_stop_are_kept(fake, sleeps):
    fake.credit_limit = 1
    fake.add_company("second.example")
    with pytest.raises(ProviderStopped) as caught:
        build("pdl", fake, sleeps).lookup([company("example.com"), company("second.example")])
    assert caught.value.answers["example.com"].outcome is Outcome.HIT
    assert "second.example" not in caught.value.answers


def test_a_bulk_item_error_fails_only_that_lookup(fake, sleeps):
    fake.add_person("ok@corp.example")
    lookups = [person("ok@corp.example"), Lookup(kind="person", key="x", first_name="A", last_name="B", company="Co")]
    real = fake._person_answer
    fake._person_answer = lambda params: (400, fake._error(400, "bad")) if "first_name" in params else real(params)
    answers = build("pdl", fake, sleeps).lookup(lookups)
    assert answers["ok@corp.example"].outcome is Outcome.HIT
    assert answers["x"].outcome is Outcome.FAILED and answers["x"].detail == "HTTP 400: invalid_request_error: bad"


def test_the_fake_rejects_oversized_bulk_calls(fake):
    import httpx

    client = httpx.Client(transport=fake.transport(), base_url="https://pdl.fake.test")
    body = {"requests": [{"params": {"email": f"{i}@x.example"}} for i in range(101)]}
    response = client.post("/v5/person/bulk", json=body, headers={"X-Api-Key": fake.api_key})
    assert response.status_code == 400
